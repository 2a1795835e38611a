import { parseDockerBytes } from '../docker/bytes.js';
import { parseByteSize } from './config-keys.js';
import { LOOPBACK } from './services.js';
import { DEFAULT_QUERY_ENGINE_MEMORY, DEFAULT_ROCKSDB_MEMORY, SNAPSHOTS_RETAINED_RANGE } from './defaults.js';

/**
 * Facts about values, each held once: for the options, for values a regeneration keeps from
 * .env, and for `check` on any file (which never reads the planner).
 */

/** A tag that pins a release: `latest` (or none, which means it) moves under a running cluster. */
export function isPinnedTag(tag: string | undefined): boolean {
  return tag !== undefined && tag !== '' && tag.toLowerCase() !== 'latest';
}

/**
 * The compose service an endpoint URL reaches by name: a bare host name (no dot, not loopback),
 * which only a service of the same file answers to; undefined for a domain, an address, or no URL.
 */
export function serviceNamedBy(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return !LOOPBACK.has(host) && /^[a-z0-9_-]+$/i.test(host) ? host : undefined;
}

/** Why an image repository cannot be pulled (MinIO's Docker Hub images are gone), or undefined. */
export function removedRepositoryProblem(repository: string): string | undefined {
  if (!/^((docker|index\.docker|registry-1\.docker)\.io\/)?minio\/(minio|mc)$/i.test(repository)) return undefined;
  return `${repository} on Docker Hub was removed in September 2026: use quay.io/${repository.replace(/^.*docker\.io\//i, '').toLowerCase()} with a pinned RELEASE tag, or a mirror`;
}

/**
 * Why a snapshot destination cannot work, or undefined: a release build of restate-server
 * accepts only s3:// (file:// fails at start-up with "Unsupported protocol").
 */
export function snapshotDestinationProblem(destination: string): string | undefined {
  if (!destination.startsWith('s3://'))
    return 'release builds accept only s3:// destinations (file:// fails at start-up with "Unsupported protocol")';
  // S3's bucket names (MinIO's too): the bucket job cannot create another, and no node starts without it.
  const bucket = destination.slice('s3://'.length).split('/')[0]!;
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)
    ? undefined
    : `"${bucket}" is no S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens): s3://BUCKET/PREFIX`;
}

/**
 * How restate-server reads the values gen-compose writes to .env, for the variables whose value
 * can stop it: a node given one of these crash-loops (a kept `768MB-typo` did, every 7 s). Each
 * rule was checked against restate-server 1.6.2 and 1.7.12 (tests/restate-values.test.ts runs
 * both on every sample): the environment is typed first (an integer, a float, or a string, after
 * trimming), then the key's type reads it.
 */
type ValueKind = 'byte count' | 'positive integer' | 'retained snapshots' | 'boolean' | 'log filter';

export const RESTATE_VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: 'byte count',
  RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE: 'byte count',
  RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL_NUM_RECORDS: 'positive integer',
  // 1.7's name and 1.6's (each version reads only its own: VERSIONED_RENAMES).
  RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED: 'retained snapshots',
  RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED: 'retained snapshots',
  RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: 'boolean',
  RESTATE_LOG_FILTER: 'log filter',
};

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'off', '0', '1', '2', '3', '4', '5']);
// 1.7 reads up to 2^64−1, 1.6.2 only up to 2^63−1 (a signed integer): the smaller bound is kept.
const INTEGER_MAX = 2n ** 63n - 1n;

// A human-readable byte count (the bytesize crate): decimal units k..e (with or without b),
// binary units ki..ei (with or without b), any case, a fraction allowed, spaces before the unit.
const BYTE_UNITS: Record<string, number> = { '': 1, b: 1 };
['k', 'm', 'g', 't', 'p', 'e'].forEach((prefix, i) => {
  BYTE_UNITS[prefix] = BYTE_UNITS[`${prefix}b`] = 1000 ** (i + 1);
  BYTE_UNITS[`${prefix}i`] = BYTE_UNITS[`${prefix}ib`] = 1024 ** (i + 1);
});

function byteCountProblem(text: string): string | undefined {
  if (INTEGER.test(text)) return BigInt(text) > 0n ? undefined : 'a byte count must be above zero';
  if (FLOAT.test(text)) return 'a number without a unit must be whole bytes';
  const m = /^(\d+\.?\d*|\.\d+)\s*([A-Za-z]*)$/.exec(text);
  const factor = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (factor === undefined) return 'not a byte count such as 768MiB or 2GiB';
  return Math.floor(Number(m![1]) * factor) > 0 ? undefined : 'a byte count must be above zero';
}

/**
 * A tracing filter (`warn,restate=info`): comma-separated directives, each a target, a level, or
 * TARGET=LEVEL, the whole value trimmed. Judged here is what makes the server panic at start as
 * restate-server 1.6.2 and 1.7.12 do on the samples tried: a level after `=` that is not one
 * exactly (`restate=inf`, `restate= info`), and a directive that starts with neither a letter,
 * a digit nor `_` (`=info`, `%`, the ` restate=info` of `warn, restate=info`), and a span
 * filter opened and never closed (`restate[`). Closed span filters (`[…]`) are left to the node's log.
 */
function logFilterProblem(text: string): string | undefined {
  for (const directive of text.split(',')) {
    if (directive.trim() === '') continue;
    // A span filter (`target[span{field}]=level`) is left to the node's log, once it is closed.
    const open = directive.indexOf('[');
    if (open >= 0 && directive.indexOf(']', open) < 0) return `"${directive}" opens a span filter ([) it never closes`;
    if (open >= 0) continue;
    const equals = directive.indexOf('=');
    const target = equals < 0 ? directive.trimStart() : directive.slice(0, equals);
    if (!/^[\p{L}\p{N}_]/u.test(target)) return `"${directive}" does not start with a target or a level`;
    const level = equals < 0 ? '' : directive.slice(equals + 1);
    if (level !== '' && !LEVELS.has(level.toLowerCase()))
      return `"${level}" in "${directive}" is no level (trace, debug, info, warn, error, off)`;
  }
  return undefined;
}

/** Why restate-server refuses to start with this value of the variable, or undefined. */
export function restateValueProblem(variable: string, value: string): string | undefined {
  const text = value.trim();
  switch (RESTATE_VALUE_KINDS[variable]) {
    case 'byte count':
      return byteCountProblem(text);
    case 'positive integer':
      return /^\+?\d+$/.test(text) && BigInt(text) > 0n && BigInt(text) <= INTEGER_MAX
        ? undefined
        : 'not a whole number above zero';
    case 'retained snapshots': {
      const { min, max } = SNAPSHOTS_RETAINED_RANGE;
      return /^\+?\d+$/.test(text) && Number(text) >= min && Number(text) <= max
        ? undefined
        : `not a whole number from ${min} to ${max}`;
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? undefined : 'neither true nor false';
    case 'log filter':
      return logFilterProblem(text);
    default:
      return undefined;
  }
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 2)} GiB`;

/**
 * Why RocksDB and the query engine, as configured, do not fit a container's memory limit, or
 * undefined: check's memory rule, and a regeneration that keeps hand-edited sizes, say the same.
 * Unset or unreadable sizes count as Restate's defaults.
 */
export function memoryFitProblem(limit: string | undefined, rocksdb = '', queryEngine = ''): string | undefined {
  const bytes = limit ? parseDockerBytes(limit) : undefined;
  if (bytes === undefined) return undefined;
  const rocks = parseByteSize(rocksdb) ?? DEFAULT_ROCKSDB_MEMORY;
  const query = parseByteSize(queryEngine) ?? DEFAULT_QUERY_ENGINE_MEMORY;
  if (rocks + query > bytes)
    return `RocksDB (${gib(rocks)}) and the query engine (${gib(query)}) are configured for more than the ${gib(bytes)} memory limit: the container will be OOM-killed under load`;
  if (rocks > bytes / 2)
    return `RocksDB (${gib(rocks)}) takes more than half the ${gib(bytes)} limit; Restate's Helm chart keeps it under 50%`;
  return undefined;
}
