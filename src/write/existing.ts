import { existsSync, readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { join } from 'node:path';
import { DotenvError, parseComposeDotenv, type DotenvEntry } from '../load/dotenv.js';
import { InterpolationError } from '../load/interpolate.js';
import { parse as parseYaml } from 'yaml';
import { COMPOSE_YAML_OPTIONS } from '../load/loader.js';
import { isRecord } from '../load/values.js';
import { nodeNumberOf } from '../plan/nodes.js';
import type { ClusterOptions } from '../plan/options.js';
import { CLUSTER_OPTIONS, OPTION_VARIABLES } from '../plan/option-registry.js';
import { optionsDigest } from '../render/index.js';
import {
  COMPOSE_FILE,
  ENV_FILE,
  isOwnFile,
  OTHER_COMPOSE_FILES,
  OUTPUT_FILES,
  SHADOWING_COMPOSE_FILES,
  STACK_FILE,
  STATE_FILE,
} from '../output-files.js';

export interface GeneratorState {
  generator: 'gen-compose';
  version: string;
  options: ClusterOptions;
  /** Every non-secret tunable as written to .env; a different value in .env was edited by hand. */
  tunables: Record<string, string>;
  /**
   * The steps the last change that needed any printed, and when: a run that needs none prints
   * them again, since a printed block lost (a closed terminal, a pipe) cannot be worked out later
   * (the files it was computed from are gone).
   */
  lastSteps?: RememberedSteps;
  /** The sha256 of `options` as written (optionsDigest): options edited by hand differ. */
  optionsSha256?: string;
  /** The sha256 of the compose (or stack) file as written: a different file was edited since. */
  composeSha256?: string;
  /** The sha256 of every other file it wrote but .env (the README, add-on configs), by path. */
  fileSha256?: Record<string, string>;
  /**
   * Hand-edited values the last run kept, as it wrote them (non-secret; absent when none): with
   * `tunables`, the .env the running nodes were made from, so an edit since then restarts them.
   */
  keptEdits?: Record<string, string>;
}

export interface RememberedSteps {
  /** When the run that printed them wrote its files (ISO 8601, UTC). */
  at: string;
  steps: string[];
  /** The node they give a new identity (--replace-node K), if they do. */
  replacedNode?: number;
}

/** Remembered steps as a hand edit may have left them: only a well-formed list is believed. */
function wellFormedSteps(value: unknown): value is RememberedSteps {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.at === 'string' &&
    Array.isArray(v.steps) &&
    v.steps.every((step) => typeof step === 'string') &&
    (v.replacedNode === undefined || typeof v.replacedNode === 'number')
  );
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
  /** Why a state file that parses is not believed: it contradicts the compose file it describes. */
  stateProblem?: string;
  /** The variables in the existing .env, as Compose reads them. */
  env: Record<string, string>;
  /** Their text after `=`, as written. */
  envText: Record<string, string>;
}

/** The existing .env as Compose reads it; one Compose would refuse is refused here too. */
function readEnv(text: string | undefined): Record<string, DotenvEntry> {
  if (text === undefined) return {};
  try {
    // No shell lookup: what the file itself says, the same on every machine.
    return parseComposeDotenv(text);
  } catch (error) {
    if (!(error instanceof DotenvError || error instanceof InterpolationError)) throw error;
    // A `${X:?…}` with X set in this shell only: docker compose run from here accepts the file.
    const fromShell = error instanceof InterpolationError ? withShell(text) : undefined;
    if (fromShell !== undefined) return fromShell;
    throw new UsageError(`${ENV_FILE} ${error.message}, which docker compose refuses too: fix that line`);
  }
}

function withShell(text: string): Record<string, DotenvEntry> | undefined {
  try {
    return parseComposeDotenv(text, (name) => process.env[name]);
  } catch {
    return undefined;
  }
}

/**
 * A file's text, if there is one. Only a regular file is read: a FIFO or a device at one of
 * these paths would block or never end, and a directory names no file in its error.
 */
function read(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isFile())
    throw new UsageError(
      `${path} is not a regular file (a directory, a FIFO or a device) where gen-compose keeps a file: move it away`,
    );
  return readFileSync(path, 'utf8');
}

/**
 * A state file edited by hand into another shape counts as damaged, like one that is not JSON
 * (the run then treats every .env value as the user's): never a crash on a field's type.
 */
function wellFormedOptions(options: unknown): options is ClusterOptions {
  if (typeof options !== 'object' || options === null) return false;
  const o = options as Record<string, unknown>;
  return CLUSTER_OPTIONS.every(({ state }) => {
    if (!state) return true;
    const value = o[state.field];
    if (value === undefined) return state.optional === true;
    return state.type === 'list'
      ? Array.isArray(value) && value.every((k) => typeof k === 'string')
      : typeof value === state.type;
  });
}

/**
 * Where a state file contradicts the compose (or stack) file gen-compose wrote with it: the
 * number of nodes, the add-ons, the target, the project name. The state decides what a run
 * keeps and refuses (a shrink, a rename), so one edited by hand is not believed.
 */
function disagreement(o: ClusterOptions, contents: Record<string, string>): string | undefined {
  const file = contents[STACK_FILE] !== undefined ? STACK_FILE : COMPOSE_FILE;
  const text = contents[file];
  if (text === undefined) return undefined;
  if ((file === STACK_FILE) !== (o.target === 'swarm')) return `it says target ${o.target}; the directory has ${file}`;
  const project = ownProject(text);
  if (!project) return `${file} does not read as a compose file`;
  const nodes = project.services.filter((service) => nodeNumberOf(service) !== undefined).length;
  if (nodes !== o.nodes) return `it says ${o.nodes} node(s); ${file} has ${nodes}`;
  const has = (service: string) => project.services.includes(service);
  if (has('load-balancer') !== o.loadBalancer)
    return `it says load balancer ${o.loadBalancer ? 'on' : 'off'}; ${file} ${o.loadBalancer ? 'has none' : 'has one'}`;
  if (has('prometheus') !== o.monitoring)
    return `it says monitoring ${o.monitoring ? 'on' : 'off'}; ${file} ${o.monitoring ? 'has none' : 'has it'}`;
  if (project.name !== undefined && project.name !== o.clusterName)
    return `it says cluster ${o.clusterName}; ${file} is project ${project.name}`;
  return undefined;
}

/**
 * An option that stands for a variable (option-registry.ts) and the value the same run recorded
 * writing for it: they differ only when the state file was edited by hand (a trial's
 * `"replication": 3` was taken silently, with no restatectl step for the running cluster).
 */
function selfContradiction(state: GeneratorState): string | undefined {
  // Options edited by hand (a trial's metadataNodes 3 → 1 was taken silently, with no
  // restatectl step; expose and portOffset too). A state file of an earlier release has no digest.
  if (typeof state.optionsSha256 === 'string' && optionsDigest(state.options) !== state.optionsSha256)
    return 'its options were changed by hand';
  for (const { key, variable } of OPTION_VARIABLES) {
    const option = (state.options as unknown as Record<string, unknown>)[key];
    const written = state.tunables?.[variable];
    if (option === undefined || written === undefined || String(option) === written) continue;
    return `it says ${key} ${String(option)}, and the .env it wrote says ${variable}=${written}`;
  }
  return undefined;
}

/**
 * The service names and project name of a compose file, read as Compose reads YAML (names are
 * never interpolated); undefined when it does not read as a compose file.
 */
function ownProject(composeText: string): { services: string[]; name?: string } | undefined {
  let document: unknown;
  try {
    document = parseYaml(composeText, COMPOSE_YAML_OPTIONS);
  } catch {
    return undefined;
  }
  if (!isRecord(document) || !isRecord(document.services)) return undefined;
  return {
    services: Object.keys(document.services),
    name: typeof document.name === 'string' ? document.name : undefined,
  };
}

/** A map of names to strings, as a hand edit may have left one: anything else is not believed. */
const isStringRecord = (value: unknown): value is Record<string, string> =>
  isRecord(value) && Object.values(value).every((v) => typeof v === 'string');

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
  let stateProblem: string | undefined;
  if (ours && contents[STATE_FILE] !== undefined) {
    try {
      const parsed = JSON.parse(contents[STATE_FILE]!);
      if (parsed?.generator === 'gen-compose' && wellFormedOptions(parsed.options)) {
        state = parsed as GeneratorState;
        if (!wellFormedSteps(state.lastSteps)) delete state.lastSteps;
        if (typeof state.composeSha256 !== 'string') delete state.composeSha256;
        if (!isStringRecord(state.fileSha256)) delete state.fileSha256;
        if (!isStringRecord(state.keptEdits)) delete state.keptEdits;
      }
    } catch {
      // A damaged state file: the caller refuses to guess.
    }
    stateProblem = state ? (disagreement(state.options, contents) ?? selfContradiction(state)) : undefined;
    if (stateProblem) state = undefined;
  }
  const present = Object.keys(contents);
  // A damaged state file beside our own compose file and .env is ours too (rewritten, not refused).
  const own = new Set(
    present.filter((f) => isOwnFile(f, contents[f]!) || (f === STATE_FILE && ours && candidates.length > 0)),
  );
  return {
    contents,
    ours,
    foreignFile: decisive,
    foreign: new Set(present.filter((f) => !own.has(f))),
    own,
    otherComposeFiles: [...SHADOWING_COMPOSE_FILES, ...OTHER_COMPOSE_FILES].filter((f) => existsSync(join(dir, f))),
    state,
    stateProblem,
    ...envOf(readEnv(contents[ENV_FILE])),
  };
}

const envOf = (entries: Record<string, DotenvEntry>) => ({
  env: Object.fromEntries(Object.entries(entries).map(([name, e]) => [name, e.value])),
  envText: Object.fromEntries(Object.entries(entries).map(([name, e]) => [name, e.raw])),
});
