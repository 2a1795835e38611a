import type { ComposeService } from '../../load/compose-file.js';
import { clusterNameOf, nodeNameOf } from '../../restate/services.js';
import type { Finding, ProjectRule } from './rule.js';

/** Findings for every value of `value` that more than one node has. */
function duplicates(
  nodes: ComposeService[],
  label: string,
  value: (s: ComposeService) => string | undefined,
  variable: string,
): Finding[] {
  const owners = new Map<string, string[]>();
  for (const n of nodes) {
    const v = value(n);
    if (v !== undefined) owners.set(v, [...(owners.get(v) ?? []), n.name]);
  }
  return [...owners]
    .filter(([, services]) => services.length > 1)
    .map(([v, services]) => ({
      severity: 'error',
      rule: 'unique-node-identity',
      variable,
      service: services.join(', '),
      message: `${label} "${v}" is used by ${services.join(' and ')}; every node needs its own`,
    }));
}

export const uniqueNodeIdentity: ProjectRule = {
  id: 'unique-node-identity',
  summary: 'no two nodes share a node name or a node id',
  fix: 'give every node its own RESTATE_NODE_NAME and RESTATE_FORCE_NODE_ID',
  appliesTo: 'cluster',
  check: ({ nodes }) => [
    ...duplicates(nodes, 'node name', nodeNameOf, 'RESTATE_NODE_NAME'),
    ...duplicates(nodes, 'node id', (s) => s.restate.settings.RESTATE_FORCE_NODE_ID, 'RESTATE_FORCE_NODE_ID'),
  ],
};

export const sameClusterName: ProjectRule = {
  id: 'same-cluster-name',
  summary: 'every node names the same cluster',
  fix: 'set one RESTATE_CLUSTER_NAME on every node',
  appliesTo: 'cluster',
  check: ({ nodes }) => {
    const clusterNames = new Set(nodes.map((n) => clusterNameOf(n.restate.settings)));
    if (clusterNames.size <= 1) return [];
    return [
      {
        severity: 'error',
        rule: 'same-cluster-name',
        variable: 'RESTATE_CLUSTER_NAME',
        message: `the nodes name different clusters (${[...clusterNames].join(', ')}); all must share one`,
      },
    ];
  },
};
