import type { Operator } from '../plan/running-commands.js';
import { runningClusterCommands } from '../plan/running-commands.js';
import { removalLines } from '../plan/shrink-steps.js';
import { slotOf, type ClusterView, type Row } from '../restate/readiness.js';
import { readExisting } from '../write/existing.js';
import type { RestatectlAccess } from './restatectl-access.js';

/**
 * What ready says of identities left in the cluster (restate/readiness.ts, leftBehind): which
 * they are, and the block that takes them out the way a replacement's or a shrink's steps would
 * have. The steps of a --replace-node are lost when another change prints its own before they
 * ran (a trial's old identity stayed a dead member for good); every later block begins with a
 * ready, which now stops there and says how to finish. The commands are gen-compose's own for
 * the cluster its state file describes; for files it did not write, the procedure is named.
 */
export function leftBehindMessage(
  dir: string,
  stale: Row[],
  view: ClusterView,
  access: Pick<RestatectlAccess, 'nodes' | 'declaredNames'>,
  operator: Operator,
): string {
  const text = (v: Row[string]) => (v === undefined || v === null ? '' : String(v));
  const ids = stale.map((n) => text(n.plain_node_id));
  // A replaced node's old name (restate-3) is its slot's service, which runs its new identity.
  const slots = stale.flatMap((n) => {
    const index = access.nodes.indexOf(slotOf(text(n.name)));
    return index < 0 ? [] : [{ service: access.nodes[index]!, now: access.declaredNames[index]! }];
  });
  // Slots the files no longer have (a shrink): their containers still run them, as orphans.
  const dropped = stale.map((n) => slotOf(text(n.name))).filter((service) => !access.nodes.includes(service));
  const what = stale.map((n) => `${text(n.name)} (${text(n.plain_node_id)}) is ${text(n.state) || 'not alive'}`);
  const runs = slots.map((s) => `${s.service} runs ${s.now} now`);
  const head = `${what.join(', ')}, and no node of the files in ${dir} runs ${stale.length > 1 ? 'them' : 'it'}${runs.length > 0 ? ` (${runs.join(', ')})` : ''}: ${stale.length > 1 ? 'identities' : 'an identity'} left in the cluster by a replacement or a shrink whose steps did not run, which the cluster still counts and no wait removes`;
  const options = readExisting(dir).state?.options;
  if (options === undefined)
    return `${head}; take ${ids.join(', ')} out the way Restate removes a node (restatectl metadata-server remove-node, nodes set-worker-state --worker-state draining, nodes set-storage-state --storage-state read-only, logs reconfigure, nodes remove), then run ready again`;
  const run = runningClusterCommands(options, operator);
  const alive = new Set(view.nodes.filter((n) => text(n.state) === 'alive').map((n) => text(n.name)));
  const through = access.nodes.find((_, i) => alive.has(access.declaredNames[i] ?? '')) ?? access.nodes[0]!;
  // The slot's new identity first, if it is not serving yet: it catches up from what the others hold.
  const starts = slots.filter((s) => !alive.has(s.now)).map((s) => `${run.recreate(s.service)} &&`);
  const removals = stale.map((n) => {
    const id = text(n.plain_node_id);
    const member = text(n.metadata_server_state) === 'member' ? [id] : [];
    return removalLines([id], member, run.restatectl(through), run.ready, true);
  });
  const lines = [
    ...starts,
    ...removals.flatMap((block, i) =>
      i < removals.length - 1 || dropped.length > 0 ? [...block.slice(0, -1), `${block.at(-1)} &&`] : block,
    ),
    ...(dropped.length > 0 ? run.removeNodes(dropped) : []),
  ];
  return `${head}. Take ${stale.length > 1 ? 'them' : 'it'} out, in ${dir}, then run ready again (and the rest of the block it began); paste it as one block, it stops at the first command that fails:\n     ${lines.join('\n     ')}`;
}
