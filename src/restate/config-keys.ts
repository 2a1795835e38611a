/**
 * How RESTATE_* variables name configuration keys, and how to tell whether the value the
 * server reports (restate-server --dump-config) is the value a variable asked for.
 *   RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL  ↔  worker.snapshots.aws-endpoint-url
 */

import { compareVersions, VERSIONED_RENAMES } from './versions.js';

/** Variables the server reads that are not configuration keys. */
export const NOT_CONFIG_KEYS = new Set(['RESTATE_CONFIG']);

export function keyPathOf(variable: string): string[] {
  return variable
    .replace(/^RESTATE_/, '')
    .split('__')
    .map((segment) => segment.toLowerCase().replaceAll('_', '-'));
}

export function variableOf(path: string[]): string {
  return `RESTATE_${path.map((s) => s.toUpperCase().replaceAll('-', '_')).join('__')}`;
}

/**
 * Keys Restate leaves out of --dump-config until they are set (no default), so they cannot be
 * learnt from a default dump; used for "did you mean" suggestions.
 */
const OPTIONAL_KEYS = [
  'node-name',
  'force-node-id',
  'advertised-address',
  'bind-address',
  'base-dir',
  'location',
  'admin.bind-address',
  'admin.advertised-address',
  'ingress.bind-address',
  'ingress.advertised-address',
  'metadata-client.addresses',
  'worker.snapshots.destination',
  'worker.snapshots.snapshot-interval',
  'worker.snapshots.snapshot-interval-num-records',
  'worker.snapshots.aws-region',
  'worker.snapshots.aws-endpoint-url',
  'worker.snapshots.aws-allow-http',
  'worker.snapshots.aws-access-key-id',
  'worker.snapshots.aws-secret-access-key',
  'worker.snapshots.aws-profile',
  'worker.snapshots.aws-session-token',
].map((k) => variableOf(k.split('.')));

/**
 * Keys older guides (and the seeds) use that 1.6/1.7 silently ignore: what replaced each, or
 * why nothing did.
 */
export const STALE_VARIABLES: Record<string, { use?: string; why: string }> = {
  RESTATE_METADATA_STORE_CLIENT__ADDRESSES: {
    use: 'RESTATE_METADATA_CLIENT__ADDRESSES',
    why: 'metadata-store-client was renamed metadata-client in 1.4',
  },
  RESTATE_METADATA_STORE_CLIENT__TYPE: { why: 'removed in 1.4; the replicated metadata store is the default' },
  RESTATE_METADATA_SERVER__TYPE: { why: 'removed in 1.4; the replicated metadata server is the default' },
  RESTATE_BIFROST__REPLICATED_LOGLET__DEFAULT_LOG_REPLICATION: {
    use: 'RESTATE_DEFAULT_REPLICATION',
    why: 'one setting for logs and partitions since 1.4',
  },
  RESTATE_BIFROST__REPLICATED_LOGLET__DEFAULT_REPLICATION_PROPERTY: {
    use: 'RESTATE_DEFAULT_REPLICATION',
    why: 'one setting for logs and partitions since 1.4',
  },
  RESTATE_DEFAULT_REPLICATION_PROPERTY: { use: 'RESTATE_DEFAULT_REPLICATION', why: 'renamed' },
  RESTATE_ADMIN__QUERY_ENGINE__PGSQL_BIND_ADDRESS: { why: 'removed in 1.5 with the PostgreSQL endpoint (port 9071)' },
  RESTATE_ADMIN__ADVERTISED_INGRESS_ENDPOINT: {
    use: 'RESTATE_INGRESS__ADVERTISED_ADDRESS',
    why: 'the ingress advertises its own address',
  },
};

/** Every variable name a dump (and the optional keys) can stand for. */
export function knownVariables(dump: Record<string, unknown>): string[] {
  const names: string[] = [...OPTIONAL_KEYS];
  const walk = (node: Record<string, unknown>, path: string[]) => {
    for (const [key, value] of Object.entries(node)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        walk(value as Record<string, unknown>, [...path, key]);
      else names.push(variableOf([...path, key]));
    }
  };
  walk(dump, []);
  return [...new Set(names)];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** What a user probably meant by a variable the server ignores, as a sentence ending the finding. */
export function suggestionFor(variable: string, known: string[], version?: string): string | undefined {
  for (const r of VERSIONED_RENAMES) {
    if (version === undefined) break;
    const newer = compareVersions(version, r.since) >= 0;
    if (variable === r.after && !newer) return `use ${r.before}: ${variable} is read from ${r.since} on`;
    if (variable === r.before && newer) return `use ${r.after}: renamed in ${r.since}`;
  }
  const stale = STALE_VARIABLES[variable];
  if (stale) return stale.use ? `use ${stale.use} (${stale.why})` : stale.why;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(variable, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(3, Math.floor(variable.length / 5))
    ? `did you mean ${best.name}?`
    : undefined;
}

export function lookup(dump: Record<string, unknown>, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = dump;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in (node as object)))
      return { found: false };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** A byte size as Restate spells one ("2.0 GiB", "3Gi", "1536MiB", "4G", 1073741824). */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : SIZE_UNITS[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** A humantime duration ("1s 500ms", "10s", "1h") in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*([a-zµ]+)/gi)];
  if (
    parts.length === 0 ||
    parts
      .map((p) => p[0])
      .join('')
      .replace(/\s/g, '') !== text.replace(/\s/g, '')
  )
    return undefined;
  let total = 0;
  for (const p of parts) {
    const unit = DURATION_UNITS[p[2]!.toLowerCase()];
    if (unit === undefined) return undefined;
    total += Number(p[1]) * unit;
  }
  return total;
}

function sameScalar(intended: string, actual: unknown): boolean {
  if (typeof actual === 'boolean') return intended.trim() === String(actual);
  if (typeof actual === 'number') return Number(intended) === actual;
  if (typeof actual !== 'string') return JSON.stringify(actual) === intended;
  if (intended === actual) return true;
  // The server normalizes URLs (adds the trailing /).
  try {
    if (new URL(intended).href === new URL(actual).href) return true;
  } catch {
    // not URLs
  }
  // Sizes come back rounded to one decimal in the largest unit ("2.8 GiB").
  const a = parseByteSize(actual);
  const i = parseByteSize(intended);
  if (a !== undefined && i !== undefined) {
    const unit = SIZE_UNITS[(/[A-Za-z]+/.exec(actual)?.[0] ?? 'b').toLowerCase()] ?? 1;
    return Math.abs(a - i) <= 0.05 * unit + 1;
  }
  const da = parseDuration(actual);
  const di = parseDuration(intended);
  return da !== undefined && di !== undefined && Math.abs(da - di) < 1;
}

/** Whether the effective value is what the variable's text asked for. */
export function sameValue(intended: string, actual: unknown): boolean {
  if (Array.isArray(actual)) {
    let list: unknown;
    try {
      list = JSON.parse(intended);
    } catch {
      return false;
    }
    // Order is not meaning here (the server sorts roles, for one): compare as multisets.
    if (!Array.isArray(list) || list.length !== actual.length) return false;
    const remaining = [...actual];
    return list.every((item) => {
      const at = remaining.findIndex((candidate) => sameScalar(String(item), candidate));
      if (at < 0) return false;
      remaining.splice(at, 1);
      return true;
    });
  }
  if (actual !== null && typeof actual === 'object') return true; // a table set through one variable: present is all we can say
  return sameScalar(intended, actual);
}

export function displayValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
