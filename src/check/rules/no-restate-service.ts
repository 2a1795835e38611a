import type { ProjectRule } from './rule.js';

export const noRestateService: ProjectRule = {
  id: 'no-restate-service',
  summary: 'the file has a Restate service (a restatedev/restate image, or RESTATE_NODE_NAME)',
  fix: "point check at the cluster's compose file (or generate one: gen-compose --out DIR)",
  refusesRehearsal: true,
  check: ({ nodes }) =>
    nodes.length > 0
      ? []
      : [
          {
            severity: 'error',
            rule: 'no-restate-service',
            message: 'no Restate service found (no restatedev/restate image, no RESTATE_NODE_NAME)',
          },
        ],
};
