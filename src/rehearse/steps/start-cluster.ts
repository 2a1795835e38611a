import { need, type RehearsalContext } from '../context.js';
import { tail, waitFor } from '../probes.js';
import { StepFailed, type Step } from '../runner.js';
import type { LocalNode } from '../translate.js';
import { healthy, membership, startNode } from './nodes.js';

/** Every restate-server process started at once, as compose starts the containers, until they form one cluster. */
export const startCluster: Step<RehearsalContext> = {
  name: (context) =>
    `start ${need(context, 'cluster').cluster.nodes.length} restate-server process(es) and wait for one healthy cluster`,
  async run(context) {
    const { cluster } = need(context, 'cluster');
    const { options } = context;
    const clusterStart = Date.now();
    context.clusterStartedAt = clusterStart;
    const withLog = (error: unknown, node?: LocalNode) =>
      new StepFailed(
        `${(error as Error).message}${node ? `\n      last lines of ${node.service}'s log:\n${tail(context.nodeProcesses.get(node.service)!.log, 6)}` : ''}`,
      );
    for (const node of cluster.nodes) startNode(context, node);
    for (const node of cluster.nodes) {
      try {
        await waitFor(`${node.service} admin API healthy`, options.waitSeconds, healthy(context, node));
      } catch (error) {
        throw withLog(error, node);
      }
    }
    const toHealthy = (Date.now() - clusterStart) / 1000;
    context.timing(`all admin APIs healthy: ${toHealthy.toFixed(1)}s after start`);
    try {
      await waitFor(
        'every node sees every node alive in one cluster',
        options.waitSeconds,
        membership(context, cluster.nodes),
        500,
      );
    } catch (error) {
      throw withLog(error);
    }
    context.timing(`one cluster, all members alive: ${((Date.now() - clusterStart) / 1000).toFixed(1)}s`);
    return `admin APIs healthy after ${toHealthy.toFixed(1)}s; ${cluster.nodes.map((n) => n.nodeName).join(', ')} alive in one cluster`;
  },
};
