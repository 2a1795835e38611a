import { composeDotenvValues } from '../load/dotenv.js';
import type { ClusterPlan } from './plan.js';

/**
 * The text of each kept value as the user wrote it (quotes, an inline comment, a `${VAR}`),
 * where written back it reads the same: Compose expands `${VAR}` from the lines above it only,
 * and the user's own variables now come last, so a line naming one of them would read
 * otherwise. Such a line is written as the value it had, and a note says so.
 */
export function keptTexts(
  plan: ClusterPlan,
  kept: string[],
  texts: Record<string, string>,
  notes: string[],
): Record<string, string> {
  const envText = Object.fromEntries(kept.filter((name) => texts[name] !== undefined).map((n) => [n, texts[n]!]));
  // The new .env's order: gen-compose's variables, then the user's. A value gen-compose writes
  // itself is a literal (single-quoted here, as the renderer quotes what needs it).
  const literal = (value: string) => (value.includes("'") ? value : `'${value}'`);
  const lines = [
    ...plan.tunables.map((t) => `${t.name}=${envText[t.name] ?? literal(t.effective)}`),
    ...Object.entries(plan.userVariables).map(([name, value]) => `${name}=${envText[name] ?? literal(value)}`),
  ];
  // A name no line defines comes from the shell (docker compose reads the shell first), in the
  // old order and the new alike: it stands for itself, so only the order is judged.
  const defined = new Set([...Object.keys(texts), ...lines.map((l) => l.slice(0, l.indexOf('=')))]);
  const outside = (name: string) => (defined.has(name) ? undefined : `\u0000${name}`);
  let reread: Record<string, string>;
  let before: Record<string, string>;
  try {
    before = composeDotenvValues(
      Object.entries(texts)
        .map(([n, t]) => `${n}=${t}`)
        .join('\n'),
      outside,
    );
    reread = composeDotenvValues(lines.join('\n'), outside);
  } catch {
    // A `${X:?…}` whose X now comes after it stops the whole file: each kept line is written as
    // its value, and said (not why in the words of the parser: they may quote a secret).
    if (Object.keys(envText).length > 0)
      notes.push(
        `${Object.keys(envText).join(', ')} in .env: written as the values they read as, without their quotes, comments or \${…}, since written back in the new order they would not read`,
      );
    return {};
  }
  for (const name of Object.keys(envText)) {
    if (reread[name] === before[name]) continue;
    // The value is not printed: it may be a secret.
    notes.push(
      `${name} in .env names a variable that now comes after it (your own variables go last): written as the value it read as, without the \${…}`,
    );
    delete envText[name];
  }
  return envText;
}
