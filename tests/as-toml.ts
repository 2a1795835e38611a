// The same cluster configured through TOML: each Restate node's RESTATE_* settings moved from
// its environment into a TOML file of its own, mounted from the compose directory and named by
// RESTATE_CONFIG (the generated nodes start restate-server from a shell script, so the variable
// reaches it where a flag in command: would not). check must judge both files alike.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyToml } from 'smol-toml';
import { stringify as stringifyYaml } from 'yaml';
import { loadCompose } from '../src/load/loader.js';
import { keyPathOf } from '../src/restate/config-keys.js';
import { isRestateService } from '../src/restate/services.js';

/** A variable's text as the TOML value Restate's loader types it as from the environment. */
export function tomlValueOf(text: string): unknown {
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\[.*\]$/s.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The TOML document of these variables' keys. */
export function tomlOfVariables(variables: Record<string, string>): string {
  const document: Record<string, unknown> = {};
  for (const [variable, text] of Object.entries(variables)) {
    const path = keyPathOf(variable);
    let table = document;
    for (const key of path.slice(0, -1)) table = (table[key] ??= {}) as Record<string, unknown>;
    table[path.at(-1)!] = tomlValueOf(text);
  }
  return stringifyToml(document);
}

/** Compose would read `$` as the start of a variable: the resolved values are written escaped. */
const escaped = (node: unknown): unknown =>
  typeof node === 'string'
    ? node.replaceAll('$', () => '$$')
    : Array.isArray(node)
      ? node.map(escaped)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, escaped(v)]))
        : node;

/**
 * Writes `from`'s cluster into `to` (an existing directory) with every Restate node's settings in
 * `restate-<service>.toml`; the rest of the file as Compose resolves it (.env applied).
 */
export function writeAsToml(from: string, to: string): void {
  const project = loadCompose(from);
  const services: Record<string, unknown> = {};
  for (const service of project.services) {
    const raw = { ...service.raw };
    delete raw.env_file;
    if (!isRestateService(service)) {
      services[service.name] = escaped({ ...raw, environment: service.environment });
      continue;
    }
    const settings = Object.fromEntries(Object.entries(service.environment).filter(([k]) => k.startsWith('RESTATE_')));
    const others = Object.fromEntries(Object.entries(service.environment).filter(([k]) => !k.startsWith('RESTATE_')));
    const tomlFile = `restate-${service.name}.toml`;
    writeFileSync(join(to, tomlFile), tomlOfVariables(settings));
    services[service.name] = escaped({
      ...raw,
      environment: { ...others, RESTATE_CONFIG: '/etc/restate/restate.toml' },
      volumes: [...(Array.isArray(raw.volumes) ? raw.volumes : []), `./${tomlFile}:/etc/restate/restate.toml:ro`],
    });
  }
  const rest = Object.fromEntries(Object.entries(project.raw).filter(([key]) => key !== 'services'));
  writeFileSync(join(to, 'docker-compose.yaml'), stringifyYaml({ ...(escaped(rest) as object), services }));
}
