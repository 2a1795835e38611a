import { DEFAULT_CLUSTER_NAME, DEFAULT_RESTATE_VERSION, DEFAULT_SNAPSHOT_INTERVAL_RECORDS } from './defaults.js';
import { ENDPOINT_KINDS } from './exposure.js';
import type { ClusterOption } from './option-entry.js';
import type { ClusterOptions } from './options.js';
import { MAX_NODES } from './ports.js';
import { PUBLISHED_VERSIONS } from '../restate/versions.js';

/** A word as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_.,:/=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const mebibytes = (bytes: number) => `${Math.floor(bytes / 2 ** 20)}M`;

/** The table as written: RawOptions reads its keys and value types from it. */
const OPTION_TABLE = [
  {
    flag: 'nodes',
    sample: '5',
    key: 'nodes',
    type: 'string',
    alias: 'n',
    describe: `number of Restate nodes, 1..${MAX_NODES} (default: 3)`,
    state: { field: 'nodes', type: 'number' },
    regenerate: (o) => `--nodes ${o.nodes}`,
  },
  {
    flag: 'replication',
    sample: '1',
    key: 'replication',
    type: 'string',
    alias: 'r',
    describe: 'log and partition replication R ≤ nodes (default: the largest R with nodes ≥ 2R−1, at most 3)',
    state: { field: 'replication', type: 'number' },
    variable: 'RESTATE_DEFAULT_REPLICATION',
    regenerate: (o) => `--replication ${o.replication}`,
  },
  {
    flag: 'metadata-nodes',
    sample: '1',
    key: 'metadataNodes',
    type: 'string',
    describe:
      'run the metadata server on the first M nodes only (odd; default: 2R−1, which tolerates as many failures as the log, at most the largest odd number ≤ nodes)',
    state: { field: 'metadataNodes', type: 'number' },
    regenerate: (o) => `--metadata-nodes ${o.metadataNodes}`,
  },
  {
    flag: 'cluster-name',
    sample: 'shop',
    key: 'clusterName',
    type: 'string',
    describe: `Restate cluster name and compose project name (default: ${DEFAULT_CLUSTER_NAME})`,
    state: { field: 'clusterName', type: 'string' },
    variable: 'RESTATE_CLUSTER_NAME',
    regenerate: (o) => `--cluster-name ${o.clusterName}`,
  },
  {
    flag: 'restate-version',
    sample: '1.6.2',
    key: 'restateVersion',
    type: 'string',
    describe: `Restate image tag: a release npm carries, ${PUBLISHED_VERSIONS.join(', ')} (default: ${DEFAULT_RESTATE_VERSION})`,
    state: { field: 'restateVersion', type: 'string' },
    variable: 'RESTATE_VERSION',
    regenerate: (o) => `--restate-version ${o.restateVersion}`,
  },
  {
    flag: 'port-offset',
    sample: '10',
    key: 'portOffset',
    type: 'string',
    describe: 'added to every published host port (default: 0)',
    state: { field: 'portOffset', type: 'number' },
    regenerate: (o) => `--port-offset ${o.portOffset}`,
  },
  {
    flag: 'snapshot-interval-records',
    sample: '5000',
    key: 'snapshotIntervalRecords',
    type: 'string',
    describe: `snapshot every partition after this many log records (default: ${DEFAULT_SNAPSHOT_INTERVAL_RECORDS})`,
    state: { field: 'snapshotIntervalRecords', type: 'number' },
    regenerate: (o) => `--snapshot-interval-records ${o.snapshotIntervalRecords}`,
  },
  {
    flag: 'snapshots-retained',
    sample: '1',
    key: 'snapshotsRetained',
    type: 'string',
    unsettable: true,
    describe: "snapshots kept per partition (default: Restate's, 1; none or --no-snapshots-retained goes back to it)",
    state: { field: 'snapshotsRetained', type: 'number', optional: true },
    regenerate: (o) => (o.snapshotsRetained === undefined ? '' : `--snapshots-retained ${o.snapshotsRetained}`),
  },
  {
    flag: 'memory',
    sample: '4G',
    key: 'memory',
    type: 'string',
    unsettable: true,
    describe:
      'memory limit per Restate container, e.g. 4G; RocksDB and query-engine memory are sized to fit (none or --no-memory: no limit)',
    state: {
      field: 'memoryBytes',
      type: 'number',
      optional: true,
      toFlag: (o) => (o.memoryBytes === undefined ? undefined : mebibytes(o.memoryBytes)),
    },
    variable: 'NODE_MEMORY_LIMIT',
    regenerate: (o) => (o.memoryBytes === undefined ? '' : `--memory ${mebibytes(o.memoryBytes)}`),
  },
  {
    flag: 'expose',
    sample: 'ingress,admin',
    key: 'expose',
    type: 'string',
    repeatable: true,
    describe: `endpoints reachable from the network, comma-separated: ${ENDPOINT_KINDS.join(', ')}, or none (default: none under compose, every other port on 127.0.0.1; ingress under swarm, the rest unpublished)`,
    state: {
      field: 'expose',
      type: 'list',
      // Files from before --expose recorded only an address, which meant every port: absent,
      // the default exposure reads it the way it now means (see defaultExposure).
      optional: true,
      toFlag: (o) => (o.expose === undefined ? undefined : o.expose.join(',') || 'none'),
    },
    regenerate: (o) =>
      o.expose.join(',') === (o.target === 'swarm' ? 'ingress' : '') ? '' : `--expose ${o.expose.join(',') || 'none'}`,
  },
  {
    flag: 'publish-address',
    sample: '10.0.0.1',
    key: 'publishAddress',
    type: 'string',
    describe:
      'host address the --expose endpoints listen on under compose (default: 0.0.0.0); given alone, exposes the ingress and load balancer',
    state: { field: 'publishAddress', type: 'string' },
    regenerate: (o) =>
      o.target === 'swarm' || o.expose.length === 0 || o.publishAddress === '0.0.0.0'
        ? ''
        : `--publish-address ${o.publishAddress}`,
  },
  {
    flag: 'target',
    sample: 'swarm',
    key: 'target',
    type: 'string',
    describe: 'compose (default: one host) or swarm (a stack for docker stack deploy, nodes on separate hosts)',
    state: { field: 'target', type: 'string' },
    regenerate: (o) => (o.target === 'swarm' ? '--target swarm' : ''),
  },
  {
    flag: 'snapshots-endpoint',
    sample: 'https://s3.eu-west-1.amazonaws.com',
    key: 'snapshotsEndpoint',
    type: 'string',
    unsettable: true,
    describe:
      'an external S3 endpoint for snapshots instead of MinIO in the cluster (the production choice; none or --no-snapshots-endpoint: MinIO again)',
    state: { field: 'snapshotsEndpoint', type: 'string', optional: true },
    regenerate: (o) => (o.snapshotsEndpoint ? `--snapshots-endpoint ${shellWord(o.snapshotsEndpoint)}` : ''),
  },
  {
    flag: 'load-balancer',
    sample: true,
    key: 'loadBalancer',
    type: 'boolean',
    describe: 'add an HAProxy front door that spreads invocations over every node and skips failed ones',
    state: { field: 'loadBalancer', type: 'boolean' },
    regenerate: (o) => (o.loadBalancer ? '--load-balancer' : ''),
  },
  {
    flag: 'monitoring',
    sample: true,
    key: 'monitoring',
    type: 'boolean',
    describe: 'add Prometheus (scraping every node) and Grafana with a starter dashboard',
    state: { field: 'monitoring', type: 'boolean' },
    regenerate: (o) => (o.monitoring ? '--monitoring' : ''),
  },
  {
    flag: 'unverified',
    sample: true,
    key: 'unverified',
    type: 'boolean',
    onlyTrue: true,
    describe: 'allow a --restate-version outside 1.6.x/1.7.x, whose keys cannot be checked',
    state: { field: 'unverified', type: 'boolean' },
    regenerate: (o) => (o.unverified ? '--unverified' : ''),
  },
  {
    flag: 'templates',
    sample: 'my-templates',
    // Relative to the output directory once parsed, so the two move together.
    key: 'templates',
    type: 'string',
    unsettable: true,
    describe:
      'render with your own copy of the templates (see: gen-compose templates export DIR); remembered like every option, --no-templates goes back to the built-in ones',
    state: { field: 'templates', type: 'string', optional: true },
    regenerate: (o) => (o.templates === undefined ? '' : `--templates ${shellWord(o.templates)}`),
  },
  {
    flag: 'replaced-nodes',
    sample: '3:1',
    key: 'replacedNodes',
    type: 'string',
    unsettable: true,
    describe:
      'the nodes replaced so far, K:G,… (remembered; the Regenerate line spells it out: use --replace-node K to replace one; none or --no-replaced-nodes: every node its first identity, with --force)',
    state: { field: 'replacedNodes', type: 'string', optional: true },
    regenerate: (o) => (o.replacedNodes === undefined ? '' : `--replaced-nodes ${o.replacedNodes}`),
  },
  {
    flag: 'replace-node',
    sample: '3',
    key: 'replaceNode',
    type: 'string',
    describe:
      'give node K, which lost its disk, a new identity Restate accepts (same service, ports and volume); prints the steps that take the old one out',
  },
  {
    flag: 'preset',
    sample: 'prod',
    key: 'preset',
    type: 'string',
    describe:
      'a starting point, each flag still wins: dev (1 small node), ha (3 nodes, R=2), prod (5 nodes, R=3, metadata on 3, 8G, monitoring, load balancer)',
  },
] as const satisfies readonly ClusterOption[];

/** The options, in the order the Regenerate line spells them. */
export const CLUSTER_OPTIONS: readonly (ClusterOption & { key: keyof RawOptions })[] = OPTION_TABLE;

type Entry = (typeof OPTION_TABLE)[number];

/**
 * A flag's value as handed over: a switch is a boolean; a count kept as it is may come as a
 * number (a preset's) or as typed; the rest (a size such as 4G, a list, a name) is text.
 */
type FlagValue<O extends Entry> = O extends { type: 'boolean' }
  ? boolean
  : O extends { state: { type: 'number' } }
    ? O extends { state: { toFlag: unknown } }
      ? string
      : string | number
    : string;

/** What the command line hands over: one optional field per option of the table, as typed. */
export type RawOptions = { -readonly [O in Entry as O['key']]?: FlagValue<O> };

/**
 * Every field of ClusterOptions is remembered by one option of the table: a field added there
 * without its entry here does not compile (its value would be lost on the next run).
 */
type Unremembered = Exclude<keyof ClusterOptions, Extract<Entry, { state: unknown }>['state']['field']>;
export const EVERY_FIELD_REMEMBERED: [Unremembered] extends [never] ? true : never = true;

/** The options a later run starts from: each remembered one as its flag would give it. */
export function rememberedFlags(previous: ClusterOptions): RawOptions {
  const flags: Record<string, unknown> = {};
  for (const { key, state } of CLUSTER_OPTIONS)
    if (state) flags[key] = state.toFlag ? state.toFlag(previous) : previous[state.field];
  return flags as RawOptions;
}

/** The .env variables that stand for an option, with the option's field and flag. */
export const OPTION_VARIABLES = CLUSTER_OPTIONS.filter((o) => o.variable).map((o) => ({
  variable: o.variable!,
  key: o.key,
  flag: `--${o.flag}`,
}));

/** The fields that may be absent from RawOptions as "none" (see withoutUnset). */
export const UNSETTABLE_KEYS = CLUSTER_OPTIONS.filter((o) => o.unsettable).map((o) => o.key);

/**
 * The command that regenerates exactly these files, run in the output directory: every option
 * that shapes the output, spelled out (a later run also remembers them, but this line works
 * without .gen-compose.json too).
 */
export function regenerateArguments(o: ClusterOptions): string[] {
  return CLUSTER_OPTIONS.map((option) => option.regenerate?.(o) ?? '').filter(Boolean);
}
