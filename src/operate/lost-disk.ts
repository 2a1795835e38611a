import { LOST_DISK_LOG } from '../render/start-guard.js';
import type { ClusterView } from '../restate/readiness.js';
import type { RestatectlAccess } from './restatectl-access.js';

/** What a node whose disk is gone logs: gen-compose's start guard, or Restate itself (files without the guard). */
const LOST_DISK = new RegExp(`${LOST_DISK_LOG}|storage-state as \`data-loss\``);
/** A crash-looping node's log is read at most this often (each read is a docker command). */
const LOOK_EVERY_MS = 5000;

/**
 * A node of the files that is not alive because its disk is gone: its start guard waits for
 * ever, or Restate refuses the identity at each start. No restart or wait brings it back (a
 * trial's ready advised `docker compose up -d --wait` for it, which failed after 78 s), so ready
 * says at once what does: a new identity. Returns a check to call with each look at the cluster.
 */
export function lostDiskCheck(
  access: Pick<RestatectlAccess, 'nodes' | 'declaredNames' | 'recentLog'>,
  dir: string,
  program: string,
) {
  let lookedAt = 0;
  return (view: ClusterView): string | undefined => {
    if (Date.now() - lookedAt < LOOK_EVERY_MS) return undefined;
    lookedAt = Date.now();
    for (const node of view.nodes) {
      const index = access.declaredNames.indexOf(String(node.name ?? ''));
      if (node.state === 'alive' || index < 0) continue;
      const service = access.nodes[index]!;
      if (!LOST_DISK.test(access.recentLog(service))) continue;
      const slot = service.replace(/^restate-/, '');
      // A replacement identity lost its disk too: the replacement right after itself needs --force.
      const again = /-r\d+$/.test(String(node.name)) ? ' (with --force if its replacement was the last change)' : '';
      return `${service} lost its disk (its log says so): the cluster still lists ${node.name} (${node.plain_node_id}), and Restate refuses an empty node under that identity, so no restart or wait brings it back; in ${dir}, ${program} --out . --replace-node ${slot}${again} gives it a new identity and prints the steps that take the old one out`;
    }
    return undefined;
  };
}
