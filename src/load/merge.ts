import { isRecord } from './compose-file.js';

/**
 * Compose's merge tags in an override file: `!reset` removes what the file before set, and
 * `!override` replaces it whole instead of merging. Read as plain values the merge recognizes:
 * a marker string, and a one-key mapping around the replacement.
 */
const RESET = '\u0000compose:reset';
const OVERRIDE = '\u0000compose:override';
const wrap = (value: unknown) => ({ [OVERRIDE]: value });
const toJson = (node: { toJSON(): unknown }) => node.toJSON();
export const COMPOSE_TAGS = [
  { tag: '!reset', resolve: () => RESET },
  { tag: '!reset', collection: 'seq' as const, resolve: () => RESET },
  { tag: '!reset', collection: 'map' as const, resolve: () => RESET },
  { tag: '!override', resolve: (value: string) => wrap(value) },
  { tag: '!override', collection: 'seq' as const, resolve: (node: { toJSON(): unknown }) => wrap(toJson(node)) },
  { tag: '!override', collection: 'map' as const, resolve: (node: { toJSON(): unknown }) => wrap(toJson(node)) },
];
const isOverride = (value: unknown): value is Record<string, unknown> =>
  isRecord(value) && Object.keys(value).length === 1 && OVERRIDE in value;

/** The tree with every merge tag applied: a reset key gone, an override its value. */
export function withoutMergeTags(value: unknown): unknown {
  if (isOverride(value)) return withoutMergeTags(value[OVERRIDE]);
  if (Array.isArray(value)) return value.filter((v) => v !== RESET).map(withoutMergeTags);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== RESET)
      .map(([k, v]) => [k, withoutMergeTags(v)]),
  );
}

/**
 * Compose's merge of an override file into the file before it (compose-go's override package),
 * for the keys the readers of a project look at: a mapping is merged key by key, a scalar
 * replaced; `environment`, `labels` and `depends_on` are merged by name whether written as a
 * list or a mapping; `command`, `entrypoint` and `healthcheck.test` are replaced whole; a
 * volume replaces the one mounted at the same target; other lists (ports among them) are
 * appended, without repeating an entry the base file has. `!reset` and `!override` (see
 * COMPOSE_TAGS) are applied here; withoutMergeTags removes what is left of them.
 */
export function mergeCompose(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const merged = mergeMappings(base, override, '');
  const services = (doc: Record<string, unknown>) => (isRecord(doc.services) ? doc.services : {});
  merged.services = Object.fromEntries(
    [...new Set([...Object.keys(services(base)), ...Object.keys(services(override))])].map((name) => {
      const [b, o] = [services(base)[name], services(override)[name]];
      return [name, isRecord(b) && isRecord(o) && !isOverride(o) ? mergeService(b, o) : (o ?? b)];
    }),
  );
  return merged;
}

const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);
const BY_NAME = new Set(['environment', 'labels', 'depends_on']);

function mergeService(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const before = base[key];
    if (value === RESET) delete merged[key];
    else if (before === undefined || REPLACED.has(key) || isOverride(value)) merged[key] = value;
    else if (BY_NAME.has(key)) merged[key] = { ...byName(before, key), ...byName(value, key) };
    else if (key === 'volumes' && Array.isArray(before) && Array.isArray(value))
      merged[key] = mergeVolumes(before, value);
    else merged[key] = mergeValues(before, value, key);
  }
  return merged;
}

function mergeValues(before: unknown, value: unknown, path: string): unknown {
  if (isRecord(before) && isRecord(value)) return mergeMappings(before, value, path);
  if (Array.isArray(before) && Array.isArray(value) && !REPLACED.has(path)) {
    const seen = new Set(before.map((v) => JSON.stringify(v)));
    return [...before, ...value.filter((v) => !seen.has(JSON.stringify(v)))];
  }
  return value;
}

function mergeMappings(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
  path: string,
): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === RESET) delete merged[key];
    else
      merged[key] =
        key in base && !isOverride(value) ? mergeValues(base[key], value, path ? `${path}.${key}` : key) : value;
  }
  return merged;
}

/** `K=V` / `K` list entries (depends_on: plain names) as a mapping, as Compose reads them. */
function byName(value: unknown, key: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (!Array.isArray(value)) return {};
  return Object.fromEntries(
    value.map((entry) => {
      const text = String(entry);
      if (key === 'depends_on') return [text, { condition: 'service_started' }];
      const eq = text.indexOf('=');
      return eq < 0 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)];
    }),
  );
}

/** The container path a volume entry mounts at (short `src:target[:mode]` or long syntax). */
function targetOf(volume: unknown): string {
  if (isRecord(volume)) return String(volume.target);
  const parts = String(volume).split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}

function mergeVolumes(before: unknown[], value: unknown[]): unknown[] {
  const replaced = new Set(value.map(targetOf));
  return [...before.filter((v) => !replaced.has(targetOf(v))), ...value];
}
