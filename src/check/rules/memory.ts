import { memoryFitProblem } from '../../restate/settings.js';
import type { ServiceRule } from './rule.js';

/** Memory: what Restate is configured to use must fit the container's limit. */
export const memory: ServiceRule = {
  id: 'memory',
  summary: "RocksDB and the query engine fit the container's memory limit, RocksDB in under half of it",
  fix: 'lower RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE and RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE, or raise the limit (gen-compose --memory sizes both)',
  each: 'node',
  check: (s) => {
    const problem = memoryFitProblem(
      s.memLimit,
      s.restate.settings.RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE,
      s.restate.settings.RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE,
    );
    return problem === undefined
      ? []
      : [
          {
            severity: 'warning',
            rule: 'memory',
            service: s.name,
            variable: 'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE',
            message: problem,
          },
        ];
  },
};
