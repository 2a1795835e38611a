import { listenPortOf, LOOPBACK, reachesByName } from '../../restate/services.js';
import { hostOf, type Finding, type ServiceRule } from './rule.js';

/** Addresses: a node must be reachable by its peers at the address it advertises. */
export const advertisedAddress: ServiceRule = {
  id: 'advertised-address',
  summary: "each node's advertised address is a URL that leads back to the node itself",
  fix: 'set RESTATE_ADVERTISED_ADDRESS to http://<its own service>:5122',
  appliesTo: 'cluster',
  refusesRehearsal: true,
  each: 'node',
  check: (n, { nodes, byHost }) => {
    const multiNode = nodes.length > 1;
    const advertised = n.restate.settings.RESTATE_ADVERTISED_ADDRESS;
    const finding = (severity: Finding['severity'], message: string): Finding[] => [
      { severity, rule: 'advertised-address', service: n.name, variable: 'RESTATE_ADVERTISED_ADDRESS', message },
    ];
    if (advertised === undefined)
      return multiNode
        ? finding(
            'warning',
            'not set: the node advertises an address derived from its hostname; set it explicitly (http://<service>:5122)',
          )
        : [];
    const target = hostOf(advertised);
    if (!target) return finding('error', `"${advertised}" is not a URL (include the scheme: http://${n.name}:5122)`);
    if (LOOPBACK.has(target.host))
      return multiNode
        ? finding('error', `${advertised} is the container itself: other nodes cannot reach it there`)
        : [];
    const service = byHost.get(target.host);
    if (!service) return finding('error', `${advertised} names "${target.host}", which is no service in this file`);
    if (service !== n) return finding('error', `${advertised} names ${service.name}, not ${n.name} itself`);
    // Peers connect to the advertised port: it must be where the node's fabric listens.
    const fabric = listenPortOf(n.restate.settings, 'fabric');
    const port = Number(target.port || (advertised.startsWith('https:') ? 443 : 80));
    if (port !== fabric)
      return finding(
        'error',
        `${advertised} is port ${port}, but ${n.name}'s fabric listens on ${fabric} (RESTATE_BIND_ADDRESS): peers would not reach it`,
      );
    const apart = nodes.filter((peer) => !reachesByName(peer, n)).map((peer) => peer.name);
    if (apart.length > 0)
      return finding(
        'error',
        `${apart.join(', ')} share${apart.length === 1 ? 's' : ''} no network with ${n.name}: ${target.host} does not resolve there, so they cannot reach it at ${advertised}`,
      );
    return [];
  },
};
