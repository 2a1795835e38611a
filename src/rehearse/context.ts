import type { ComposeProject } from '../load/compose-file.js';
import type { Binary } from '../restate/binaries.js';
import type { HostPortOf } from './addons.js';
import type { ProcessGroup, Started } from './processes.js';
import type { LocalCluster, LocalNode } from './translate.js';

export interface RehearseOptions {
  target: string;
  verbose: boolean;
  keep: boolean;
  restateServer?: string;
  restatectl?: string;
  /** The shell environment, which compose lets override .env. */
  shell: Record<string, string | undefined>;
  /** Where progress and the report go, a line at a time. */
  print: (line: string) => void;
  /** How long one wait (health, membership, an invocation) may take. */
  waitSeconds: number;
}

/** Where invocations go in: a node's ingress, or the load balancer in front of them. */
export interface Ingress {
  service: string;
  hostPorts: { ingress: number };
}

/**
 * Several keys, so that a round of invocations touches partitions led by every node (with 24
 * partitions over 3 nodes, 8 keys miss a given node's partitions ~4% of the time): a node loss
 * is then felt, not sidestepped. Every key must count exactly.
 */
export interface Counters {
  keys: string[];
  /** What every key must read: one per round of adds. */
  expected: number;
  /** Adds made so far, for idempotency keys no two adds share. */
  calls: number;
}

/**
 * What the rehearsal's steps share. The first fields exist from the start; the optional ones
 * are what a step produces for the steps after it (steps/index.ts lists them in order), read
 * with `need`.
 */
export interface RehearsalContext {
  readonly options: RehearseOptions;
  /** A progress line, stamped with the time since the start. */
  readonly say: (line: string) => void;
  /** A line for the report's Timings. */
  readonly timing: (line: string) => void;
  /** The temporary directory: every node's data, the logs, the S3 stand-in's bucket. */
  readonly baseDir: string;
  readonly processes: ProcessGroup;
  /** Each Restate node's running process, by service name (a restarted node replaces its entry). */
  readonly nodeProcesses: Map<string, Started>;
  readonly counters: Counters;

  // By "read the compose file and translate it":
  project?: ComposeProject;
  cluster?: LocalCluster;
  /** Where a service's container port is on this machine. */
  hostPortOf?: HostPortOf;
  restateServer?: Binary;
  restatectl?: Binary;
  // By "start the S3 stand-in and the counter service":
  /** The S3 stand-in's directory, when the file snapshots to S3. */
  s3Dir?: string;
  counterPort?: number;
  /** The load balancer, when the file has one and haproxy is installed here. */
  frontDoor?: Ingress;
  // By "start N restate-server process(es)":
  clusterStartedAt?: number;
  // By "kill one node":
  killedNode?: LocalNode;
}

type Produced = Exclude<
  keyof RehearsalContext,
  'options' | 'say' | 'timing' | 'baseDir' | 'processes' | 'nodeProcesses' | 'counters'
>;

/** The context with `keys` present: an earlier step produced them, or this is a defect. */
export function need<K extends Produced>(
  context: RehearsalContext,
  ...keys: K[]
): RehearsalContext & { [P in K]-?: NonNullable<RehearsalContext[P]> } {
  for (const key of keys) {
    if (context[key] === undefined) throw new Error(`a step needs ${key}, which no earlier step produced`);
  }
  return context as RehearsalContext & { [P in K]-?: NonNullable<RehearsalContext[P]> };
}
