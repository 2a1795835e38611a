import { UsageError } from '../errors.js';
import { DEFAULT_NUM_PARTITIONS } from '../restate/defaults.js';
import { metadataRewrites, nodeIds, nodeName } from './nodes.js';
import type { Change, ChangeContext } from './regenerate.js';
import { addOnReload, recreateForMetadata } from './running-commands.js';
import { parseReplacements, restateIdentity } from './replacements.js';

/**
 * Restate's removal of nodes `ids` (`members` of them in the metadata group), each line ending
 * in `&&` but the last. The worker stays "draining": restatectl refuses draining → disabled
 * without --force, and `nodes remove` does not ask for it. A node whose disk was lost may have
 * marked its own log storage data-loss already (it does when it starts empty), and restatectl
 * refuses data-loss → read-only as unsafe: then its storage is left as it is, which `nodes
 * remove` accepts too.
 */
export function removalLines(
  ids: string[],
  members: string[],
  ctl: string,
  ready: string,
  storageMayBeLost = false,
): string[] {
  const list = ids.join(',');
  const readOnly = `${ctl} nodes set-storage-state --nodes ${list} --storage-state read-only`;
  const stillReadWrite = `${ctl} sql --json "select plain_node_id from nodes where plain_node_id = '${list}' and storage_state = 'read-write'" | grep -q ${list}`;
  return [
    ...(members.length > 0 ? [`${ctl} metadata-server remove-node ${members.join(' ')} &&`] : []),
    `${ctl} nodes set-worker-state --nodes ${list} --worker-state draining &&`,
    storageMayBeLost ? `if ${stillReadWrite}; then ${readOnly}; fi &&` : `${readOnly} &&`,
    // Its report (a table per log, some 330 lines) would bury the block's own output; errors stay.
    `${ctl} logs reconfigure --log-id 0-${DEFAULT_NUM_PARTITIONS - 1} --yes >/dev/null &&`,
    ...(ready ? [`${ready} --leaving ${list} &&`] : [`${ctl} snapshots create --trim-log &&`]),
    `${ctl} nodes remove --nodes ${list}`,
  ];
}

/**
 * Fewer nodes, the way Restate removes one (its docs, "Clusters"; there is no server-side drain
 * yet, restate issue 5195): leave the metadata group, drain the worker and the log storage,
 * wait until nothing is left on the node, then `nodes remove`. `nodes remove` refuses a node
 * that any log segment still names, so the logs move to new nodesets (logs reconfigure) and the
 * old segments are trimmed behind a fresh snapshot; it does not look at partitions, which is
 * what `ready --leaving` waits for. Then the containers go and their volumes with them (the
 * data was moved off first): no orphan keeps running.
 */
export function shrink({ previous, next, force, run }: ChangeContext): Change {
  if (next.nodes >= previous.nodes) return {};
  const removed = nodeIds(next.nodes + 1, previous.nodes);
  const names = removed.map(nodeName);
  const replacements = parseReplacements(previous.replacedNodes);
  const ids = removed.map((k) => `N${restateIdentity(k, replacements).id}`);
  // Members that go, and members that stay but lose the role: both leave the group first.
  const members = Array.from(
    { length: Math.max(0, previous.metadataNodes - next.metadataNodes) },
    (_, i) => `N${restateIdentity(next.metadataNodes + i + 1, replacements).id}`,
  );
  const message = `shrinking from ${previous.nodes} to ${next.nodes} nodes drops ${names.join(', ')}`;
  if (!force)
    throw new UsageError(
      `${message}: pass --force to write the smaller files; the run then prints the steps that take ${ids.join(', ')} out of the running cluster (Restate's removal procedure) and remove ${ids.length > 1 ? 'their containers and volumes' : 'its container and volume'}`,
    );
  const removal = removalLines(ids, members, run.restatectl(nodeName(1)), run.ready);
  const lines = [...removal.slice(0, -1), `${removal[removal.length - 1]} &&`, ...run.removeNodes(names)];
  return {
    notes: [
      `${message} (--force): their data moves to the other nodes first, by the steps below`,
      ...(next.metadataNodes === previous.metadataNodes
        ? []
        : [`metadata group ${previous.metadataNodes} → ${next.metadataNodes} nodes`]),
    ],
    steps: [...recreateForMetadata(metadataRewrites(previous, next), run), ...addOnReload(previous, next)],
    restarts: metadataRewrites(previous, next),
    // Before anything that restarts the nodes that stay.
    first: [
      `Take ${names.join(', ')} (${ids.join(', ')}) out of the running cluster, then remove ${ids.length > 1 ? 'their containers and volumes' : 'its container and volume'}; paste it as one block, it stops at the first command that fails${run.ready ? `, and \`ready --leaving\` waits until nothing is left on ${ids.length > 1 ? 'them' : 'it'}` : ''}:\n     ${lines.join('\n     ')}`,
    ],
  };
}
