import { DEFAULT_CLUSTER_NAME, DEFAULT_RESTATE_VERSION, DEFAULT_SNAPSHOT_INTERVAL_RECORDS } from '../plan/defaults.js';
import { ENDPOINT_KINDS } from '../plan/exposure.js';
import { MAX_NODES } from '../plan/ports.js';
import { PUBLISHED_VERSIONS } from '../restate/versions.js';
import { UsageError } from '../errors.js';
import { UNSET } from '../plan/options.js';
import { generate, type GenerateArgs } from './generate.js';
import { runCommand } from './run-command.js';
import { GENERATOR_VERSION } from './version.js';

/**
 * The generator's flags, once: the yargs CLI builds its options (and --help) from this table,
 * and the fast path in main.ts parses the same flags with node:util.
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  alias?: string;
  describe: string;
  hidden?: boolean;
  /** Given more than once, the values add up (a list); any other flag given twice: the last wins. */
  repeatable?: boolean;
}

export const GENERATE_FLAGS: Record<string, FlagSpec> = {
  nodes: { type: 'string', alias: 'n', describe: `number of Restate nodes, 1..${MAX_NODES} (default: 3)` },
  replication: {
    type: 'string',
    alias: 'r',
    describe: 'log and partition replication R ≤ nodes (default: the largest R with nodes ≥ 2R−1, at most 3)',
  },
  'metadata-nodes': {
    type: 'string',
    describe:
      'run the metadata server on the first M nodes only (odd; default: 2R−1, which tolerates as many failures as the log, at most the largest odd number ≤ nodes)',
  },
  out: { type: 'string', alias: 'o', describe: 'output directory (default: ./restate-cluster)' },
  'cluster-name': {
    type: 'string',
    describe: `Restate cluster name and compose project name (default: ${DEFAULT_CLUSTER_NAME})`,
  },
  'restate-version': {
    type: 'string',
    describe: `Restate image tag: a release npm carries, ${PUBLISHED_VERSIONS.join(', ')} (default: ${DEFAULT_RESTATE_VERSION})`,
  },
  'port-offset': { type: 'string', describe: 'added to every published host port (default: 0)' },
  expose: {
    type: 'string',
    repeatable: true,
    describe: `endpoints reachable from the network, comma-separated: ${ENDPOINT_KINDS.join(', ')}, or none (default: none under compose, every other port on 127.0.0.1; ingress under swarm, the rest unpublished)`,
  },
  'publish-address': {
    type: 'string',
    describe:
      'host address the --expose endpoints listen on under compose (default: 0.0.0.0); given alone, exposes the ingress and load balancer',
  },
  'snapshot-interval-records': {
    type: 'string',
    describe: `snapshot every partition after this many log records (default: ${DEFAULT_SNAPSHOT_INTERVAL_RECORDS})`,
  },
  'snapshots-retained': {
    type: 'string',
    describe: "snapshots kept per partition (default: Restate's, 1; none or --no-snapshots-retained goes back to it)",
  },
  memory: {
    type: 'string',
    describe:
      'memory limit per Restate container, e.g. 4G; RocksDB and query-engine memory are sized to fit (none or --no-memory: no limit)',
  },
  preset: {
    type: 'string',
    describe:
      'a starting point, each flag still wins: dev (1 small node), ha (3 nodes, R=2), prod (5 nodes, R=3, metadata on 3, 8G, monitoring, load balancer)',
  },
  'load-balancer': {
    type: 'boolean',
    describe: 'add an HAProxy front door that spreads invocations over every node and skips failed ones',
  },
  monitoring: {
    type: 'boolean',
    describe: 'add Prometheus (scraping every node) and Grafana with a starter dashboard',
  },
  target: {
    type: 'string',
    describe: 'compose (default: one host) or swarm (a stack for docker stack deploy, nodes on separate hosts)',
  },
  'snapshots-endpoint': {
    type: 'string',
    describe:
      'an external S3 endpoint for snapshots instead of MinIO in the cluster (the production choice; none or --no-snapshots-endpoint: MinIO again)',
  },
  templates: {
    type: 'string',
    describe:
      'render with your own copy of the templates (see: gen-compose templates export DIR); remembered like every option, --no-templates goes back to the built-in ones',
  },
  'replace-node': {
    type: 'string',
    describe:
      'give node K, which lost its disk, a new identity Restate accepts (same service, ports and volume); prints the steps that take the old one out',
  },
  'replaced-nodes': {
    type: 'string',
    describe:
      'the nodes replaced so far, K:G,… (remembered; the Regenerate line spells it out: use --replace-node K to replace one)',
  },
  unverified: {
    type: 'boolean',
    describe: 'allow a --restate-version outside 1.6.x/1.7.x, whose keys cannot be checked',
  },
  force: { type: 'boolean', describe: 'replace files gen-compose did not write, shrink the cluster, or rename it' },
  'dry-run': { type: 'boolean', describe: 'print what would change, as a unified diff, and write nothing' },
  check: { type: 'boolean', describe: 'exit 1 when the files on disk differ from what the options generate' },
  stdout: { type: 'boolean', describe: 'print the compose file instead of writing anything' },
  'secrets-seed': {
    type: 'string',
    hidden: true,
    describe: 'derive credentials from this seed (reproducible examples only)',
  },
};

/**
 * A switch given a value: `--load-balancer=yes` read as false by yargs (it knows only true and
 * false), which turned an add-on off. Both parsers see the same line, so it is refused first.
 */
export function badSwitchValue(argv: string[]): string | undefined {
  const switches = new Set(
    Object.entries(GENERATE_FLAGS)
      .filter(([, spec]) => spec.type === 'boolean')
      .map(([name]) => name),
  );
  for (const arg of argv) {
    const m = /^--(no-)?([a-z-]+)=(.*)$/.exec(arg);
    if (m && switches.has(m[2]!) && (m[1] !== undefined || !['true', 'false'].includes(m[3]!))) {
      return m[1] !== undefined
        ? `--no-${m[2]} is a switch: give it alone, without "=${m[3]}"`
        : `--${m[2]} is a switch: give it alone (or =true / =false), not "${m[3]}"`;
    }
  }
  return undefined;
}

/** At most one of these: the yargs CLI enforces it, the fast path hands such a call over. */
export const EXCLUSIVE_MODES = ['dry-run', 'check', 'stdout'] as const;

/** Parsed flags by their kebab-case names; a flag given twice may arrive as a list of values. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
type Values = FlagValues;
/** The last value given (a flag given twice: the last wins, as with most command lines). */
const last = (v: Values[string]) => (Array.isArray(v) ? v[v.length - 1] : v);
const text = (v: Values[string]) => {
  const value = last(v);
  return typeof value === 'string' ? value : undefined;
};
const flag = (v: Values[string]) => {
  const value = last(v);
  return typeof value === 'boolean' ? value : undefined;
};
/**
 * An optional value: yargs reads --no-memory as memory=false, which removes a limit set
 * before; other string flags have no such form.
 */
function optional(v: Values[string]): string | undefined {
  const value = last(v);
  if (value !== false) return text(v);
  return UNSET;
}

/** --no-X for a flag that takes a value and cannot be absent: yargs accepts it, we do not. */
function refuseNegated(values: Values): void {
  const unsettable = new Set(['memory', 'snapshots-retained', 'snapshots-endpoint', 'templates']);
  for (const [name, spec] of Object.entries(GENERATE_FLAGS)) {
    // In any position: `--no-out --out o` is the same mistake as `--out o --no-out`.
    if (spec.type === 'string' && !unsettable.has(name) && [values[name]].flat().includes(false)) {
      throw new UsageError(
        `--no-${name} is not an option: --${name} takes a value${spec.describe.includes('default') ? ' (leave it out for the default)' : ''}`,
      );
    }
  }
}

/** A repeatable flag's values as one comma-separated list. */
const list = (v: Values[string]) =>
  v === undefined
    ? undefined
    : [v]
        .flat()
        .filter((x) => typeof x === 'string')
        .join(',');

const DEFAULT_OUT = './restate-cluster';

/** Parsed flags (kebab-case names, as in the table) → what generate() takes. */
export function generateArgs(values: Values): GenerateArgs {
  refuseNegated(values);
  return {
    flags: {
      nodes: text(values.nodes),
      replication: text(values.replication),
      metadataNodes: text(values['metadata-nodes']),
      clusterName: text(values['cluster-name']),
      restateVersion: text(values['restate-version']),
      portOffset: text(values['port-offset']),
      publishAddress: text(values['publish-address']),
      expose: list(values.expose),
      snapshotIntervalRecords: text(values['snapshot-interval-records']),
      snapshotsRetained: optional(values['snapshots-retained']),
      memory: optional(values.memory),
      unverified: flag(values.unverified) === true ? true : undefined,
      preset: text(values.preset),
      target: text(values.target),
      snapshotsEndpoint: optional(values['snapshots-endpoint']),
      templates: optional(values.templates),
      replacedNodes: text(values['replaced-nodes']),
      replaceNode: text(values['replace-node']),
      loadBalancer: flag(values['load-balancer']),
      monitoring: flag(values.monitoring),
    },
    out: text(values.out) ?? DEFAULT_OUT,
    defaultOut: text(values.out) === undefined,
    force: flag(values.force) === true,
    secretsSeed: text(values['secrets-seed']),
    mode: flag(values['dry-run']) ? 'dry-run' : flag(values.check) ? 'check' : flag(values.stdout) ? 'stdout' : 'write',
  };
}

/** The generate command, from parsed flags to printed result and exit code. */
export function runGenerate(values: Values): Promise<void> {
  return runCommand(async () => {
    const result = await generate(generateArgs(values), GENERATOR_VERSION);
    process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
    process.exitCode = result.exitCode;
  });
}
