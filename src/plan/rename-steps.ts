import { UsageError } from '../errors.js';
import { allNodeNames } from './nodes.js';
import type { Change, ChangeContext } from './regenerate.js';

/**
 * A new cluster name is a new compose project (or stack): every volume gets a new name, so the
 * files describe a new, empty cluster. Refused unless forced; forced, the steps stop the old
 * project (its volumes stay until removed) and start the new one, instead of rolling restarts
 * that would wait on a project that runs nothing (a trial's `ready` found no node of it).
 */
export function rename({ previous, next, force, run }: ChangeContext): Change {
  if (next.clusterName === previous.clusterName) return {};
  const message = `the cluster is named "${previous.clusterName}"; renaming it to "${next.clusterName}" also renames the compose project, so every volume gets a new name and the nodes start empty`;
  if (!force) throw new UsageError(`${message} (pass --force to do it anyway)`);
  const stop =
    previous.target === 'swarm'
      ? `docker stack rm ${previous.clusterName}`
      : `docker compose -p ${previous.clusterName} down --remove-orphans`;
  const nodes = allNodeNames(next);
  return {
    fresh: true,
    notes: [`${message} (--force)`],
    restarts: [...nodes, 'load-balancer', 'prometheus'],
    steps: [
      `Stop the cluster that runs as "${previous.clusterName}" (its volumes stay, named ${previous.clusterName}_…, until you remove them), then start "${next.clusterName}", a new cluster; paste it as one block:\n     ${[
        `${stop} &&`,
        ...startFresh(run),
      ].join('\n     ')}`,
    ],
  };
}

/** A new cluster's first start: node 1 provisions it (its peers hold none). */
function startFresh(run: ChangeContext['run']): string[] {
  // Under Swarm the hosts keep their restate-node labels: the deploy alone starts the new stack.
  return run.startAll;
}
