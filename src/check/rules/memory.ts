import { parseDockerBytes } from '../../docker/bytes.js';
import { parseByteSize } from '../../restate/config-keys.js';
import { DEFAULT_QUERY_ENGINE_MEMORY, DEFAULT_ROCKSDB_MEMORY } from '../../restate/defaults.js';
import type { Finding, ServiceRule } from './rule.js';

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 2)} GiB`;

/** Memory: what Restate is configured to use must fit the container's limit. */
export const memory: ServiceRule = {
  id: 'memory',
  summary: "RocksDB and the query engine fit the container's memory limit, RocksDB in under half of it",
  fix: 'lower RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE and RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE, or raise the limit (gen-compose --memory sizes both)',
  each: 'node',
  check: (s) => {
    const limit = s.memLimit ? parseDockerBytes(s.memLimit) : undefined;
    if (limit === undefined) return [];
    const rocksdb = parseByteSize(s.environment.RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE ?? '') ?? DEFAULT_ROCKSDB_MEMORY;
    const queryEngine =
      parseByteSize(s.environment.RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE ?? '') ?? DEFAULT_QUERY_ENGINE_MEMORY;
    const finding = (message: string): Finding[] => [
      { severity: 'warning', rule: 'memory', service: s.name, variable: 'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE', message },
    ];
    if (rocksdb + queryEngine > limit)
      return finding(
        `RocksDB (${gib(rocksdb)}) and the query engine (${gib(queryEngine)}) are configured for more than the ${gib(limit)} memory limit: the container will be OOM-killed under load`,
      );
    if (rocksdb > limit / 2)
      return finding(
        `RocksDB (${gib(rocksdb)}) takes more than half the ${gib(limit)} limit; Restate's Helm chart keeps it under 50%`,
      );
    return [];
  },
};
