import { need, type RehearsalContext } from '../context.js';
import { waitFor } from '../probes.js';
import type { Step } from '../runner.js';
import type { LocalCluster } from '../translate.js';
import { addToEveryCounter, checkCounters } from './invoke.js';
import { healthy, ingressNodes, membership, startNode } from './nodes.js';

/** A node lost (SIGKILL, as a crashed host), when the topology tolerates it: the others serve every counter exactly. */
export const killOneNode: Step<RehearsalContext> = {
  name: 'kill one node (SIGKILL) and keep serving through the others',
  // The restart after it reports on its own, or skips when no node was killed.
  laterStepsRunIfItFails: true,
  async run(context) {
    const { cluster } = need(context, 'cluster');
    const { counters, frontDoor } = context;
    const victim = [...cluster.nodes].reverse().find((n) => !n.autoProvision);
    if (cluster.tolerance.clusterFailuresTolerated < 1 || !victim)
      return { skip: `this topology does not survive a node loss: ${whyNoNodeLoss(cluster).join('; ')}` };
    context.killedNode = victim;
    const killedAt = Date.now();
    await context.processes.kill(context.nodeProcesses.get(victim.service)!);
    context.say(`  killed ${victim.service}`);
    const survivors = ingressNodes(cluster).filter((n) => n !== victim);
    // Through the balancer first, straight after the kill, each call a single attempt: a
    // client of the front door must not notice the node is gone.
    if (frontDoor) for (let i = 0; i < 5; i++) await addToEveryCounter(context, frontDoor, { once: true });
    for (const node of survivors) await addToEveryCounter(context, node);
    const failover = (Date.now() - killedAt) / 1000;
    context.timing(`serving again after a node loss: ${failover.toFixed(1)}s`);
    await checkCounters(context, survivors[0]!);
    return `${victim.service} killed; invocations through ${frontDoor ? `${frontDoor.service} (5 rounds, right after the kill), ` : ''}${survivors.map((n) => n.service).join(', ')} succeeded within ${failover.toFixed(1)}s; all ${counters.keys.length} counters = ${counters.expected}, exactly as expected`;
  },
};

function whyNoNodeLoss(cluster: LocalCluster): string[] {
  const t = cluster.tolerance;
  if (cluster.nodes.length === 1) return ['a single node has no peer to fail over to'];
  return [
    t.logFailuresTolerated < 1
      ? cluster.replication === 1
        ? 'log replication 1 keeps one copy of each record, so losing its node loses the log'
        : `log replication ${cluster.replication} on ${cluster.nodes.length} nodes tolerates no node failure (tolerating ${cluster.replication - 1} needs ${2 * cluster.replication - 1} nodes)`
      : '',
    t.metadataFailuresTolerated < 1
      ? `the metadata store has ${t.metadataMembers} member(s), quorum ${t.metadataQuorum}: losing one stops it`
      : '',
  ].filter(Boolean);
}

/** The killed node started again on its data: it rejoins, every node sees it, and it serves the same counts. */
export const restartKilledNode: Step<RehearsalContext> = {
  name: 'restart the killed node and see it rejoin',
  async run(context) {
    const { cluster } = need(context, 'cluster');
    const node = context.killedNode;
    if (!node) return { skip: 'no node was killed' };
    const { waitSeconds } = context.options;
    const restartedAt = Date.now();
    startNode(context, node);
    await waitFor(`${node.service} admin API healthy`, waitSeconds, healthy(context, node));
    await waitFor('every node sees every node alive again', waitSeconds, membership(context, cluster.nodes), 500);
    if (node.roles.includes('http-ingress')) await addToEveryCounter(context, node);
    await checkCounters(context, node.roles.includes('http-ingress') ? node : ingressNodes(cluster)[0]!);
    context.timing(`killed node back in the cluster: ${((Date.now() - restartedAt) / 1000).toFixed(1)}s after restart`);
    return `${node.service} rejoined after ${((Date.now() - restartedAt) / 1000).toFixed(1)}s and serves; every counter = ${context.counters.expected}`;
  },
};
