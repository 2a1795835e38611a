import { RESTATE_PORTS, rolesOf } from '../../restate/services.js';
import type { ProjectRule } from './rule.js';

/**
 * Ingress: since 1.4 the http-ingress role is its own; a node without it opens no ingress
 * port (checked with 1.7.12: admin answers, 8080 refuses), as in older guides' role lists.
 */
export const ingress: ProjectRule = {
  id: 'ingress',
  summary: 'some node runs the http-ingress role, and no node publishes an ingress port it does not serve',
  fix: 'add "http-ingress" to RESTATE_ROLES',
  appliesTo: 'cluster',
  check: ({ nodes }) => {
    const ingressNodes = nodes.filter((n) => rolesOf(n.restate.settings).includes('http-ingress'));
    if (ingressNodes.length === 0)
      return [
        {
          severity: 'error',
          rule: 'ingress',
          variable: 'RESTATE_ROLES',
          message:
            'no node runs the http-ingress role, so nothing accepts invocations (the worker role no longer includes it)',
        },
      ];
    return nodes
      .filter((n) => !ingressNodes.includes(n) && n.ports.some((p) => p.target === RESTATE_PORTS.ingress))
      .map((n) => ({
        severity: 'warning',
        rule: 'ingress',
        service: n.name,
        variable: 'RESTATE_ROLES',
        message: `publishes the ingress port ${RESTATE_PORTS.ingress} but does not run the http-ingress role: nothing listens there`,
      }));
  },
};
