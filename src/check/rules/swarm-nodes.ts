import { hostOf, type ProjectRule, type ServiceRule } from './rule.js';

export const swarmSelfAddress: ServiceRule = {
  id: 'swarm-self-address',
  summary: "a node's advertised service runs in dnsrr mode (through its virtual IP a task cannot reach itself)",
  fix: 'set deploy.endpoint_mode: dnsrr',
  appliesTo: 'stack',
  each: 'node',
  check: (n, { byHost }) => {
    const advertised = n.restate.settings.RESTATE_ADVERTISED_ADDRESS;
    const host = advertised ? hostOf(advertised)?.host : undefined;
    const target = host ? byHost.get(host) : undefined;
    if (!target || target.deploy?.endpointMode === 'dnsrr') return [];
    return [
      {
        severity: 'error',
        rule: 'swarm-self-address',
        service: n.name,
        variable: 'RESTATE_ADVERTISED_ADDRESS',
        message: `${advertised} resolves to ${target.name}'s virtual IP, through which a task cannot reach itself (the first node then fails to provision): set deploy.endpoint_mode: dnsrr`,
      },
    ];
  },
};

export const swarmReplicas: ServiceRule = {
  id: 'swarm-replicas',
  summary: 'each node service runs one replica (every task would be the same Restate node)',
  fix: 'run one replica per node service',
  appliesTo: 'stack',
  each: 'node',
  check: (n) => {
    const replicas = n.deploy?.replicas;
    if (replicas === undefined || replicas <= 1) return [];
    return [
      {
        severity: 'error',
        rule: 'swarm-replicas',
        service: n.name,
        message: `replicas ${replicas}: every task would be the same Restate node; run one replica per node service`,
      },
    ];
  },
};

export const swarmUpdateOrder: ServiceRule = {
  id: 'swarm-update-order',
  summary: 'a rollout stops a node before starting it again (update_config order stop-first)',
  fix: 'use update_config order: stop-first',
  appliesTo: 'stack',
  each: 'node',
  check: (n) => {
    if (n.deploy?.updateConfig?.order !== 'start-first') return [];
    return [
      {
        severity: 'error',
        rule: 'swarm-update-order',
        service: n.name,
        message:
          'update_config order start-first runs two tasks of one Restate node at once during a rollout: use stop-first',
      },
    ];
  },
};

export const swarmPlacement: ProjectRule = {
  id: 'swarm-placement',
  summary: 'no two nodes share placement constraints (Swarm may run them on one host)',
  fix: 'pin each node to its own host (e.g. node.labels.restate-node == k)',
  appliesTo: 'stack',
  check: ({ nodes }) => {
    if (nodes.length <= 1) return [];
    const placements = new Map<string, string[]>();
    for (const n of nodes) {
      const key = JSON.stringify([...(n.deploy?.placement?.constraints ?? [])].sort());
      placements.set(key, [...(placements.get(key) ?? []), n.name]);
    }
    return [...placements]
      .filter(([, services]) => services.length >= 2)
      .map(([key, services]) => ({
        severity: 'error',
        rule: 'swarm-placement',
        service: services.join(', '),
        message: `${services.join(' and ')} ${key === '[]' ? 'have no placement constraints' : `share the placement constraints ${key}`}, so Swarm may run them on one host, and losing that host loses them all: pin each node to its own host (e.g. node.labels.restate-node == k)`,
      }));
  },
};
