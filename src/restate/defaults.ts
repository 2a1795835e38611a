/**
 * Restate's own defaults, for a setting a file leaves unset (as restate-server 1.7.12
 * --dump-config shows them). Roles, ports and auto-provisioning are in services.ts.
 */

/** rocksdb-total-memory-size. */
export const DEFAULT_ROCKSDB_MEMORY = 2 * 2 ** 30;
/** admin.query-engine.memory-size. */
export const DEFAULT_QUERY_ENGINE_MEMORY = 2 ** 30;
/** cluster-name (gen-compose names its clusters itself: plan/defaults.ts). */
export const RESTATE_DEFAULT_CLUSTER_NAME = 'localcluster';
/** default-replication (for logs and partitions since 1.4). */
export const DEFAULT_REPLICATION = 1;
/** log-filter. */
export const DEFAULT_LOG_FILTER = 'warn,restate=info';
/** default-num-partitions: one log per partition, logs 0..23. */
export const DEFAULT_NUM_PARTITIONS = 24;

/**
 * worker.snapshots.num-retained (1.6: experimental-num-retained) is a non-zero u8: restate-server
 * 1.6.2 and 1.7.12 refuse 0 and 256 at start ("expected a nonzero u8"), so every node fails.
 */
export const SNAPSHOTS_RETAINED_RANGE = { min: 1, max: 255 } as const;
