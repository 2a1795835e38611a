import { BIND_VARIABLES, listenPortOf, type Listener } from '../../restate/services.js';
import type { ServiceRule } from './rule.js';

/**
 * A node's listeners (fabric, admin, ingress) each need a port of their own: the second to bind
 * one finds it taken and the server stops.
 */
export const listenPorts: ServiceRule = {
  id: 'listen-ports',
  summary: "no two of a node's listeners (fabric, admin, ingress) are bound to one port",
  fix: 'give each of RESTATE_BIND_ADDRESS, RESTATE_ADMIN__BIND_ADDRESS and RESTATE_INGRESS__BIND_ADDRESS its own port',
  refusesRehearsal: true,
  each: 'node',
  check: (n) => {
    const byPort = new Map<number, Listener[]>();
    for (const listener of Object.keys(BIND_VARIABLES) as Listener[]) {
      const port = listenPortOf(n.restate.settings, listener);
      byPort.set(port, [...(byPort.get(port) ?? []), listener]);
    }
    return [...byPort]
      .filter(([, listeners]) => listeners.length > 1)
      .map(([port, listeners]) => ({
        severity: 'error',
        rule: 'listen-ports',
        service: n.name,
        variable: listeners.map((l) => BIND_VARIABLES[l]).join(', '),
        message: `the ${listeners.join(' and ')} listeners are ${listeners.length === 2 ? 'both' : 'all'} bound to port ${port}: restate-server cannot bind the second and stops`,
      }));
  },
};
