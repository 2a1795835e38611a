import type { ComposeService } from '../../load/compose-file.js';
import { listenPortOf, reachesByName, rolesOf, unreachableBecause } from '../../restate/services.js';
import { metadataBootstrapCount } from '../../restate/metadata-client.js';
import { hostOf, portOrigin, type Finding, type ProjectRule, type RuleContext, type ServiceRule } from './rule.js';

const runsMetadata = (s: ComposeService) => rolesOf(s.restate.settings).includes('metadata-server');

/** The address list as written: a JSON list, or undefined when it is not one. */
function parseList(text: string): unknown[] | undefined {
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? list : undefined;
  } catch {
    return undefined;
  }
}

type Verdict = Pick<Finding, 'severity' | 'message'>;

/** When the variable is unset: a node that runs the metadata server includes itself in its client on its own. */
function unset(self: boolean): Verdict {
  return self
    ? {
        severity: 'warning',
        message:
          'not set: the node knows only its own metadata server; list every metadata server so it survives losing one',
      }
    : { severity: 'error', message: 'not set: the node cannot find the metadata store of the other nodes' };
}

/** Each listed address: it must name a service that runs the metadata server. */
function listed(
  from: ComposeService,
  addresses: string[],
  byHost: RuleContext['byHost'],
): { found: Set<ComposeService>; problems: Verdict[] } {
  const found = new Set<ComposeService>();
  const problems: Verdict[] = [];
  for (const address of addresses) {
    const target = hostOf(address);
    const service = target && byHost.get(target.host);
    if (!service) problems.push({ severity: 'error', message: `${address} names no service in this file` });
    else if (!runsMetadata(service))
      problems.push({
        severity: 'error',
        message: `${address} is ${service.name}, which does not run the metadata-server role`,
      });
    else if (!reachesByName(from, service, target.host))
      problems.push({
        severity: 'error',
        message: `${address} is ${service.name}, and ${unreachableBecause([from], service, target.host)}`,
      });
    else {
      // Inside the network a peer connects to the port the named node binds, whatever it publishes.
      const fabric = listenPortOf(service.restate.settings, 'fabric');
      const port = Number(target.port || (address.startsWith('https:') ? 443 : 80));
      if (port !== fabric)
        problems.push({
          severity: 'error',
          message: `${address} is port ${port}, but ${service.name}'s fabric listens on ${fabric} (${portOrigin(service, 'fabric')}): the metadata client would not reach it`,
        });
      else found.add(service);
    }
  }
  return { found, problems };
}

/** Metadata: the client lists only nodes that run the metadata server, and enough of them to find the group. */
export const metadataAddresses: ServiceRule = {
  id: 'metadata-addresses',
  summary:
    "each node's metadata client lists, as a JSON list, only nodes that run the metadata server, at the fabric port each binds, and enough of them (a quorum, at least three) to find the group",
  fix: 'set RESTATE_METADATA_CLIENT__ADDRESSES to ["http://<metadata node>:5122", …], every metadata node or at least a quorum of them',
  appliesTo: 'cluster',
  refusesRehearsal: true,
  each: 'node',
  check: (n, { nodes, byHost }) => {
    const at = ({ severity, message }: Verdict): Finding => ({
      severity,
      rule: 'metadata-addresses',
      service: n.name,
      variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
      message,
    });
    const written = n.restate.settings.RESTATE_METADATA_CLIENT__ADDRESSES;
    const self = runsMetadata(n);
    if (written === undefined) return nodes.length > 1 ? [at(unset(self))] : [];
    const list = parseList(written);
    if (!list) {
      const message = `"${written}" is not a list; write it as ["http://restate-1:5122", …] (a comma-separated string fails at start-up)`;
      return [at({ severity: 'error', message })];
    }
    const { found, problems } = listed(n, list.map(String), byHost);
    const findings = problems.map(at);
    // A node that has joined follows the members the cluster lists; the addresses are where it
    // starts, so they need enough members that one answers whenever the group has a quorum.
    const servers = nodes.filter(runsMetadata);
    const needed = metadataBootstrapCount(servers.length);
    const reached = found.size + (self && !found.has(n) ? 1 : 0);
    if (reached < needed && found.size > 0) {
      const unlisted = servers.filter((m) => !found.has(m) && !(self && m === n)).map((m) => m.name);
      findings.push(
        at({
          severity: 'warning',
          message: `lists ${found.size} of the ${servers.length} metadata servers; a starting node reaches the group only through these, so list at least ${needed}${self ? ' (itself counted)' : ''} to find it whenever it has a quorum (not listed: ${unlisted.join(', ')})`,
        }),
      );
    }
    return findings;
  },
};

export const metadataQuorum: ProjectRule = {
  id: 'metadata-quorum',
  summary: 'an odd number of metadata servers (an even one tolerates no more failures than one fewer)',
  fix: 'run the metadata-server role on an odd number of nodes',
  appliesTo: 'cluster',
  check: ({ nodes }) => {
    const count = nodes.filter(runsMetadata).length;
    if (count <= 1 || count % 2 !== 0) return [];
    return [
      {
        severity: 'warning',
        rule: 'metadata-quorum',
        message: `${count} metadata servers tolerate no more failures than ${count - 1}; use an odd number`,
      },
    ];
  },
};
