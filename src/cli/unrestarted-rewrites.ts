import { composeDotenvValues } from '../load/dotenv.js';
import { resolvedServices } from '../load/loader.js';
import { nodeNumberOf } from '../plan/nodes.js';
import { ENV_FILE, COMPOSE_FILE, STACK_FILE } from '../output-files.js';
import type { RenderedFile } from '../render/index.js';
import type { ExistingCluster } from '../write/existing.js';

// What a regeneration changes in the running services that no step of its own restarts: the
// services as Compose resolves them, from the files as last written and as written now.

/**
 * Running services the new files redefine (as Compose resolves them) that no printed step
 * restarts: nodes, and the add-ons that read the node list (a reload keeps their old mounts).
 */
export function unrestartedRewrites(
  existing: ExistingCluster,
  files: RenderedFile[],
  restarted: string[],
  secretNames: Set<string>,
): string[] {
  if (!existing.ours) return [];
  const file = existing.contents[STACK_FILE] !== undefined ? STACK_FILE : COMPOSE_FILE;
  const written = (path: string) => files.find((f) => f.path === path)?.content;
  // As last written: a value edited into .env since then changes the nodes that read it at the
  // next up -d or deploy too, though this run keeps it (a trial got "Nothing to run" for one).
  // A secret deleted from .env since gets a new value: the running services hold another one
  // (and the file as it is would not resolve without it).
  const deleted = [...secretNames].filter((name) => !(name in existing.env)).map((name) => [name, '\u0000deleted']);
  const before = resolvedServices(existing.contents[file] ?? '', existing.contents[ENV_FILE] ?? '', {
    ...unfilled(existing.contents[ENV_FILE] ?? '', secretNames),
    ...Object.fromEntries(deleted),
    ...existing.state?.tunables,
    ...existing.state?.keptEdits,
  });
  const after = resolvedServices(
    written(file) ?? '',
    written(ENV_FILE) ?? '',
    unfilled(written(ENV_FILE) ?? '', secretNames),
  );
  if (!before || !after) return [];
  const rank = (name: string) => nodeNumberOf(name) ?? Number.MAX_SAFE_INTEGER;
  const watched = (name: string) =>
    nodeNumberOf(name) !== undefined || name === 'load-balancer' || name === 'prometheus';
  return Object.keys(before)
    .filter((name) => watched(name) && name in after && !restarted.includes(name))
    .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Values left empty for the user to fill in (an external store's keys): the files name them as
 * required, so they would not resolve at all, and the nodes they change would get no step. Here
 * they stand for "not filled in yet", which differs from any value they held before.
 */
function unfilled(dotenvText: string, secretNames: Set<string>): Record<string, string> {
  let values: Record<string, string>;
  try {
    values = composeDotenvValues(dotenvText);
  } catch {
    // A .env that resolves only with the shell's variables (${X:?…}): then neither do the services here.
    return {};
  }
  return Object.fromEntries(
    Object.keys(values)
      .filter((name) => secretNames.has(name) && values[name] === '')
      .map((name) => [name, '\u0000unfilled']),
  );
}
