import { BIND_VARIABLES, type Listener } from '../restate/services.js';
import { CONTAINER_PORTS, DEFAULT_LOG_FILTER, RESTATE_DATA_DIR } from './defaults.js';
import type { EnvEntry, Tunable } from './model.js';
import { fabricAddress, metadataBootstrapIds } from './nodes.js';
import type { ClusterOptions } from './options.js';
import { declare, entryOf, literal } from './tunables.js';

/** A part of the plan: the tunables it declares, and the variables every Restate node gets. */
export interface SettingsPart {
  tunables: Tunable[];
  environment: EnvEntry[];
}

/** What every node shares: the cluster's name, replication, where the metadata lives, binds. */
export function clusterSettings(options: ClusterOptions): SettingsPart {
  const version = declare({
    name: 'RESTATE_VERSION',
    value: options.restateVersion,
    group: 'cluster',
    description: 'Restate server image tag',
  });
  const clusterName = declare({
    name: 'RESTATE_CLUSTER_NAME',
    value: options.clusterName,
    group: 'cluster',
    description: 'Cluster name, the same on every node; keep it once the cluster holds data',
  });
  const replication = declare({
    name: 'RESTATE_DEFAULT_REPLICATION',
    value: String(options.replication),
    group: 'cluster',
    description:
      'Copies of every log record and partition; read once, when the cluster is provisioned (later: restatectl config set)',
  });
  const logFilter = declare({
    name: 'RESTATE_LOG_FILTER',
    value: DEFAULT_LOG_FILTER,
    group: 'cluster',
    description: 'Restate log filter (tracing syntax)',
  });
  const timeZone = declare({ name: 'TZ', value: 'UTC', group: 'cluster', description: 'Time zone of every container' });
  const metadataAddresses = metadataBootstrapIds(options).map(fabricAddress);
  return {
    tunables: [version, clusterName, replication, logFilter, timeZone],
    environment: [
      entryOf(clusterName),
      entryOf(replication),
      // Lists are JSON-style arrays in one variable; a comma-separated string is a startup error.
      { name: 'RESTATE_METADATA_CLIENT__ADDRESSES', value: literal(JSON.stringify(metadataAddresses)) },
      { name: 'RESTATE_BASE_DIR', value: literal(RESTATE_DATA_DIR) },
      // RESTATE_BIND_ADDRESS, RESTATE_ADMIN__BIND_ADDRESS, RESTATE_INGRESS__BIND_ADDRESS.
      ...(Object.entries(BIND_VARIABLES) as [Listener, string][]).map(([listener, name]) => ({
        name,
        value: literal(`0.0.0.0:${CONTAINER_PORTS[listener]}`),
      })),
      entryOf(logFilter),
      entryOf(timeZone),
    ],
  };
}

/** --memory: each Restate container's limit, and the shares of it Restate's caches may take. */
export function memorySettings(options: ClusterOptions): SettingsPart & { limitTunable?: string } {
  if (options.memoryBytes === undefined) return { tunables: [], environment: [] };
  const bytes = options.memoryBytes;
  // Restate's Helm chart gives RocksDB 3 GiB of an 8 GiB limit ("less than 50%"); the query
  // engine gets 1/8. The rest is for everything else a node holds in memory.
  const mib = (share: number) => `${Math.floor((bytes * share) / 2 ** 20)}MiB`;
  const limit = declare({
    name: 'NODE_MEMORY_LIMIT',
    value: `${Math.floor(bytes / 2 ** 20)}M`,
    group: 'cluster',
    description: 'Memory limit of each Restate container (keep the two sizes below within it)',
  });
  const shares = [
    declare({
      name: 'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE',
      value: mib(3 / 8),
      group: 'cluster',
      description: 'RocksDB memory per node (3/8 of the limit)',
    }),
    declare({
      name: 'RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE',
      value: mib(1 / 8),
      group: 'cluster',
      description: 'Query engine memory per node (1/8 of the limit)',
    }),
  ];
  return { limitTunable: limit.name, tunables: [limit, ...shares], environment: shares.map(entryOf) };
}
