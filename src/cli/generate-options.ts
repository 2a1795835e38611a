import {
  DEFAULT_CLUSTER_NAME,
  DEFAULT_RESTATE_VERSION,
  DEFAULT_SNAPSHOT_INTERVAL_RECORDS,
} from '../plan/defaults.js';
import { ENDPOINT_KINDS } from '../plan/exposure.js';
import { MAX_NODES } from '../plan/ports.js';
import { PUBLISHED_VERSIONS } from '../restate/versions.js';
import { generate, type GenerateArgs } from './generate.js';
import { run } from './run.js';
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
}

export const GENERATE_FLAGS: Record<string, FlagSpec> = {
  nodes: { type: 'string', alias: 'n', describe: `number of Restate nodes, 1..${MAX_NODES} (default: 3)` },
  replication: { type: 'string', alias: 'r', describe: 'log and partition replication R ≤ nodes (default: the largest R with nodes ≥ 2R−1, at most 3)' },
  'metadata-nodes': {
    type: 'string',
    describe: 'run the metadata server on the first M nodes only (odd; default: 2R−1, which tolerates as many failures as the log, at most the largest odd number ≤ nodes)',
  },
  out: { type: 'string', alias: 'o', describe: 'output directory (default: ./restate-cluster)' },
  'cluster-name': { type: 'string', describe: `Restate cluster name and compose project name (default: ${DEFAULT_CLUSTER_NAME})` },
  'restate-version': { type: 'string', describe: `Restate image tag: a release npm carries, ${PUBLISHED_VERSIONS.join(', ')} (default: ${DEFAULT_RESTATE_VERSION})` },
  'port-offset': { type: 'string', describe: 'added to every published host port (default: 0)' },
  expose: {
    type: 'string',
    describe: `endpoints reachable from the network, comma-separated: ${ENDPOINT_KINDS.join(', ')}, or none (default: none under compose, every other port on 127.0.0.1; ingress under swarm, the rest unpublished)`,
  },
  'publish-address': { type: 'string', describe: 'host address the --expose endpoints listen on under compose (default: 0.0.0.0); given alone, exposes the ingress and load balancer' },
  'snapshot-interval-records': { type: 'string', describe: `snapshot every partition after this many log records (default: ${DEFAULT_SNAPSHOT_INTERVAL_RECORDS})` },
  'snapshots-retained': { type: 'string', describe: "snapshots kept per partition (default: Restate's, 1)" },
  memory: { type: 'string', describe: 'memory limit per Restate container, e.g. 4G; RocksDB and query-engine memory are sized to fit' },
  preset: { type: 'string', describe: 'a starting point, each flag still wins: dev (1 small node), ha (3 nodes, R=2), prod (5 nodes, R=3, metadata on 3, 8G, monitoring, load balancer)' },
  'load-balancer': { type: 'boolean', describe: 'add an HAProxy front door that spreads invocations over every node and skips failed ones' },
  monitoring: { type: 'boolean', describe: 'add Prometheus (scraping every node) and Grafana with a starter dashboard' },
  target: { type: 'string', describe: 'compose (default: one host) or swarm (a stack for docker stack deploy, nodes on separate hosts)' },
  'snapshots-endpoint': { type: 'string', describe: 'an external S3 endpoint for snapshots instead of MinIO in the cluster (the production choice)' },
  templates: { type: 'string', describe: 'render with your own copy of the templates (see: gen-compose templates export DIR)' },
  unverified: { type: 'boolean', describe: 'allow a --restate-version outside 1.6.x/1.7.x, whose keys cannot be checked' },
  force: { type: 'boolean', describe: 'replace files gen-compose did not write, shrink the cluster, or rename it' },
  'dry-run': { type: 'boolean', describe: 'print what would change, as a unified diff, and write nothing' },
  check: { type: 'boolean', describe: 'exit 1 when the files on disk differ from what the options generate' },
  stdout: { type: 'boolean', describe: 'print the compose file instead of writing anything' },
  'secrets-seed': { type: 'string', hidden: true, describe: 'derive credentials from this seed (reproducible examples only)' },
};

/** At most one of these: the yargs CLI enforces it, the fast path hands such a call over. */
export const EXCLUSIVE_MODES = ['dry-run', 'check', 'stdout'] as const;

type Values = Record<string, string | boolean | undefined>;
const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

/** Parsed flags (kebab-case names, as in the table) → what generate() takes. */
export function generateArgs(values: Values): GenerateArgs {
  return {
    flags: {
      nodes: text(values.nodes),
      replication: text(values.replication),
      metadataNodes: text(values['metadata-nodes']),
      clusterName: text(values['cluster-name']),
      restateVersion: text(values['restate-version']),
      portOffset: text(values['port-offset']),
      publishAddress: text(values['publish-address']),
      expose: text(values.expose),
      snapshotIntervalRecords: text(values['snapshot-interval-records']),
      snapshotsRetained: text(values['snapshots-retained']),
      memory: text(values.memory),
      unverified: values.unverified === true ? true : undefined,
      preset: text(values.preset),
      target: text(values.target),
      snapshotsEndpoint: text(values['snapshots-endpoint']),
      loadBalancer: typeof values['load-balancer'] === 'boolean' ? values['load-balancer'] : undefined,
      monitoring: typeof values.monitoring === 'boolean' ? values.monitoring : undefined,
    },
    templates: text(values.templates),
    out: text(values.out) ?? './restate-cluster',
    force: values.force === true,
    secretsSeed: text(values['secrets-seed']),
    mode: values['dry-run'] ? 'dry-run' : values.check ? 'check' : values.stdout ? 'stdout' : 'write',
  };
}

/** The generate command, from parsed flags to printed result and exit code. */
export function runGenerate(values: Values): Promise<void> {
  return run(async () => {
    const result = await generate(generateArgs(values), GENERATOR_VERSION);
    process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
    process.exitCode = result.exitCode;
  });
}
