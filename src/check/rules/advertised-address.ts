import { listenPortOf, LOOPBACK, reachesByName, unreachableBecause } from '../../restate/services.js';
import { hostOf, portOrigin, type Finding, type ServiceRule } from './rule.js';

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
    const { settings } = n.restate;
    const fabric = listenPortOf(settings, 'fabric');
    // advertised-host gives the host of an address at the fabric port, when no address is set.
    const host = settings.RESTATE_ADVERTISED_HOST;
    const advertised =
      settings.RESTATE_ADVERTISED_ADDRESS ?? (host === undefined ? undefined : `http://${host}:${fabric}`);
    const variable =
      settings.RESTATE_ADVERTISED_ADDRESS === undefined && host !== undefined
        ? 'RESTATE_ADVERTISED_HOST'
        : 'RESTATE_ADVERTISED_ADDRESS';
    const finding = (severity: Finding['severity'], message: string): Finding[] => [
      { severity, rule: 'advertised-address', service: n.name, variable, message },
    ];
    if (advertised === undefined)
      return multiNode
        ? finding(
            'warning',
            `not set: the node advertises an address derived from its hostname; set it explicitly (http://<service>:${fabric})`,
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
    const port = Number(target.port || (advertised.startsWith('https:') ? 443 : 80));
    if (port !== fabric)
      return finding(
        'error',
        `${advertised} is port ${port}, but ${n.name}'s fabric listens on ${fabric} (${portOrigin(n, 'fabric')}): peers would not reach it`,
      );
    const apart = nodes.filter((peer) => !reachesByName(peer, n, target.host));
    if (apart.length > 0)
      return finding('error', `${unreachableBecause(apart, n, target.host)}: they cannot reach it at ${advertised}`);
    return [];
  },
};
