import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { ClusterOptions } from '../plan/options.js';
import { COMPOSE_FILE, ENV_FILE, isOwnFile, OTHER_COMPOSE_FILES, OUTPUT_FILES, SHADOWING_COMPOSE_FILES, STACK_FILE, STATE_FILE } from '../output-files.js';

export interface GeneratorState {
  generator: 'gen-compose';
  version: string;
  options: ClusterOptions;
  /** Every non-secret tunable as written to .env; a different value in .env was edited by hand. */
  tunables: Record<string, string>;
}

export interface ExistingCluster {
  /** Current contents of the files gen-compose writes, where they exist. */
  contents: Record<string, string>;
  /** True when the directory holds no cluster, or one gen-compose wrote (its compose, stack or .env file). */
  ours: boolean;
  /** The file that makes the directory someone else's, for the refusal message. */
  foreignFile?: string;
  /** Files at paths gen-compose writes that it did not write: never replaced or removed unforced. */
  foreign: Set<string>;
  /** Files gen-compose wrote (a later run may remove those it no longer renders). */
  own: Set<string>;
  /** Compose files of other names (compose.yaml, …): docker compose might run one instead of ours. */
  otherComposeFiles: string[];
  state?: GeneratorState;
  /** The variables in the existing .env. */
  env: Record<string, string>;
}

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

const OPTION_TYPES: Record<string, 'number' | 'string' | 'boolean'> = {
  nodes: 'number', replication: 'number', metadataNodes: 'number', clusterName: 'string', restateVersion: 'string',
  portOffset: 'number', snapshotIntervalRecords: 'number', unverified: 'boolean', publishAddress: 'string',
  loadBalancer: 'boolean', monitoring: 'boolean', target: 'string',
};
const OPTIONAL_TYPES: Record<string, 'number' | 'string'> = { snapshotsRetained: 'number', memoryBytes: 'number', snapshotsEndpoint: 'string', templates: 'string' };

/**
 * A state file edited by hand into another shape counts as damaged, like one that is not JSON
 * (the run then treats every .env value as the user's): never a crash on a field's type.
 */
function wellFormedOptions(options: unknown): options is ClusterOptions {
  if (typeof options !== 'object' || options === null) return false;
  const o = options as Record<string, unknown>;
  const required = Object.entries(OPTION_TYPES).every(([key, type]) => typeof o[key] === type);
  const optional = Object.entries(OPTIONAL_TYPES).every(([key, type]) => o[key] === undefined || typeof o[key] === type);
  const expose = o.expose === undefined || (Array.isArray(o.expose) && o.expose.every((k) => typeof k === 'string'));
  return required && optional && expose;
}

/** What an output directory already holds, read before anything is decided or written. */
export function readExisting(dir: string): ExistingCluster {
  const contents: Record<string, string> = {};
  for (const name of OUTPUT_FILES) {
    const text = read(join(dir, name));
    if (text !== undefined) contents[name] = text;
  }
  // Every compose or stack file there must carry the stamp; a .env alone must carry it too.
  const candidates: string[] = [COMPOSE_FILE, STACK_FILE].filter((f) => contents[f] !== undefined);
  if (candidates.length === 0 && contents[ENV_FILE] !== undefined) candidates.push(ENV_FILE);
  const decisive = candidates.find((f) => !isOwnFile(f, contents[f]!));
  const ours = decisive === undefined;
  let state: GeneratorState | undefined;
  if (ours && contents[STATE_FILE] !== undefined) {
    try {
      const parsed = JSON.parse(contents[STATE_FILE]!);
      if (parsed?.generator === 'gen-compose' && wellFormedOptions(parsed.options)) state = parsed;
    } catch {
      // A damaged state file: regenerate as if it were absent (every .env value counts as edited).
    }
  }
  const present = Object.keys(contents);
  // A damaged state file beside our own compose file and .env is ours too (rewritten, not refused).
  const own = new Set(present.filter((f) => isOwnFile(f, contents[f]!) || (f === STATE_FILE && ours && candidates.length > 0)));
  return {
    contents,
    ours,
    foreignFile: decisive,
    foreign: new Set(present.filter((f) => !own.has(f))),
    own,
    otherComposeFiles: [...SHADOWING_COMPOSE_FILES, ...OTHER_COMPOSE_FILES].filter((f) => existsSync(join(dir, f))),
    state,
    env: contents[ENV_FILE] !== undefined ? parseDotenv(Buffer.from(contents[ENV_FILE]!)) : {},
  };
}
