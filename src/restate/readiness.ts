/**
 * "Can this cluster lose one more node right now?", decided from what Restate itself reports
 * (its system tables, read with `restatectl sql`), not from "the admin API answers": a node is
 * healthy seconds before its partition replicas have caught up and its log server is back in
 * the nodesets, and stopping the next node in that window stalls every partition that had
 * only it left. Restate's own Jepsen suite waits the same way (every partition led, every
 * replica following) before it goes on. The tables and columns below exist in 1.6 and 1.7
 * (crates/storage-query-datafusion of both releases).
 */

export const READINESS_QUERIES = {
  nodes:
    'SELECT plain_node_id, gen_node_id, name, state, storage_state, has_log_server_role, metadata_server_state FROM nodes',
  partitions: 'SELECT partition_id, leader_plain_node_id, current_replica_set, next_replica_set FROM partitions',
  replicas: 'SELECT partition_id, plain_node_id, gen_node_id, effective_mode, replay_status FROM partition_state',
  logs: 'SELECT log_id, kind, replication, nodeset FROM logs_tail_segments',
  segments: 'SELECT log_id, segment_index, nodeset FROM logs',
} as const;

export type ReadinessTable = keyof typeof READINESS_QUERIES;
export type Row = Record<string, string | number | boolean | null | undefined>;
export type ClusterView = Record<ReadinessTable, Row[]>;

const text = (v: Row[string]) => (v === undefined || v === null ? '' : String(v));
/** "N3,N1" or "[N3, N2, N1]" (both spellings are in the tables) → ["N3", "N1"]. */
const nodeList = (v: Row[string]): string[] => text(v).match(/N\d+/g) ?? [];

/**
 * How many nodes the cluster could lose at its size, once the leaving ones are gone: 1 when
 * it has a node beyond its logs' replication and a metadata group of three or more, else 0
 * (one node, replication equal to the nodes, a group of one or two). At 0 there is no node to
 * spare to wait for: what is left is that every node serves (a shrink to that size, a user's
 * `ready` on a small cluster).
 */
export function spareAtSize(view: ClusterView, leaving: string[] = []): 0 | 1 {
  const staying = view.nodes.filter((n) => !leaving.includes(text(n.plain_node_id)));
  const members = staying.filter((n) => text(n.metadata_server_state) === 'member').length;
  const copies = Math.max(1, ...replicatedLogs(view).map(copiesOf));
  return staying.length > copies && members >= 3 ? 1 : 0;
}

/**
 * The logs that take writes. The view also lists a row of kind "sealed" (no nodeset) beside a
 * sealed tail's successor (seen with 1.7.12 after `logs reconfigure`): only replicated loglets do.
 */
const replicatedLogs = (view: ClusterView) => view.logs.filter((l) => text(l.kind) === 'replicated');

/** "{node: 2}", or "{zone: 2, node: 3}": the copies a write needs are the largest number. */
const copiesOf = (log: Row) => Math.max(1, ...(text(log.replication).match(/\d+/g) ?? ['1']).map(Number));

/**
 * What stops the cluster from losing one more node, one short reason each; empty when it can.
 * A cluster whose size cannot lose a node (spareAtSize 0) is judged on serving with every node.
 */
export function notReady(view: ClusterView, leaving: string[] = [], declared: string[] = []): string[] {
  const spare = spareAtSize(view, leaving);
  const reasons: string[] = [...stillHolding(view, leaving)];
  const nodes = new Map(view.nodes.map((n) => [text(n.plain_node_id), n]));
  // A node the files declare but the cluster does not list yet (just started, a new identity
  // on its way in) is one it cannot lose either: it holds nothing yet.
  const listed = new Set(view.nodes.map((n) => text(n.name)));
  for (const name of declared) if (!listed.has(name)) reasons.push(`${name} has not joined the cluster yet`);
  const nameOf = (id: string) => `${text(nodes.get(id)?.name) || id} (${id})`;
  // A node on its way out may be gone already (a lost disk): only the others must be alive.
  for (const [id, node] of nodes)
    if (text(node.state) !== 'alive' && !leaving.includes(id)) reasons.push(`${nameOf(id)} is ${text(node.state)}`);
  reasons.push(...partitionReasons(view, nameOf), ...logReasons(view, nodes, spare), ...metadataReasons(view, spare));
  return reasons;
}

/**
 * Nodes on their way out (a shrink, a replaced identity): nothing may be left on them before
 * `nodes remove`, which refuses a node any log segment still names (old segments go only once
 * the log is trimmed past them) but does not look at the partitions its worker still runs.
 */
function stillHolding(view: ClusterView, leaving: string[]): string[] {
  const reasons: string[] = [];
  for (const id of leaving) {
    const partitions = view.partitions
      .filter((p) => [...nodeList(p.current_replica_set), ...nodeList(p.next_replica_set)].includes(id))
      .map((p) => text(p.partition_id));
    if (partitions.length > 0) reasons.push(`${id} still holds replicas of partitions ${partitions.join(', ')}`);
    const logs = view.logs.filter((l) => nodeList(l.nodeset).includes(id)).map((l) => text(l.log_id));
    if (logs.length > 0) reasons.push(`${id} is still in the nodesets of logs ${logs.join(', ')}`);
    const old = untrimmed(view, id);
    if (old.length > 0) reasons.push(`${id} is named by old segments of logs ${old.join(', ')}, not trimmed yet`);
    const node = view.nodes.find((n) => text(n.plain_node_id) === id);
    if (node && text(node.metadata_server_state) === 'member') reasons.push(`${id} is still a metadata member`);
  }
  return reasons;
}

/** Logs whose segments before the tail still name `id` (the tail's nodeset is judged apart). */
function untrimmed(view: ClusterView, id: string): string[] {
  const tails = new Set(view.logs.map((l) => `${text(l.log_id)}`));
  const named = view.segments.filter((s) => nodeList(s.nodeset).includes(id)).map((s) => text(s.log_id));
  const inTail = new Set(view.logs.filter((l) => nodeList(l.nodeset).includes(id)).map((l) => text(l.log_id)));
  return [...new Set(named)].filter((log) => tails.has(log) && !inTail.has(log));
}

/** Leaving IDs the cluster has no node for: a typo, which waiting would only hide. */
export function unknownNodes(view: ClusterView, leaving: string[]): string[] {
  const known = new Set(view.nodes.map((n) => text(n.plain_node_id)));
  return leaving.filter((id) => !known.has(id));
}

/**
 * Only old segments still name a leaving node: what a fresh snapshot with a trim of the log
 * behind it (restatectl snapshots create --trim-log) resolves, and nothing else will soon.
 */
export function awaitsTrim(view: ClusterView, leaving: string[]): boolean {
  return leaving.some((id) => untrimmed(view, id).length > 0);
}

function partitionReasons(view: ClusterView, nameOf: (id: string) => string): string[] {
  const reasons: string[] = [];
  const generations = new Map(view.nodes.map((n) => [text(n.plain_node_id), text(n.gen_node_id)]));
  const generationOf = (id: string) => generations.get(id) ?? '';
  const replicas = new Map(view.replicas.map((r) => [`${text(r.partition_id)}/${text(r.plain_node_id)}`, r]));
  for (const p of view.partitions) {
    const id = text(p.partition_id);
    const leader = text(p.leader_plain_node_id);
    if (nodeList(p.next_replica_set).length > 0) reasons.push(`partition ${id} is moving its replicas`);
    if (!leader) {
      reasons.push(`partition ${id} has no leader`);
      continue;
    }
    if (text(replicas.get(`${id}/${leader}`)?.effective_mode).toLowerCase() !== 'leader')
      reasons.push(`partition ${id}: ${nameOf(leader)} is not leading it yet`);
    for (const member of nodeList(p.current_replica_set)) {
      const replica = replicas.get(`${id}/${member}`);
      const status = text(replica?.replay_status).toLowerCase();
      if (status !== 'active')
        reasons.push(`partition ${id}: its replica on ${nameOf(member)} is ${status || 'not running'}`);
      // A row from before the node's restart (gossip lags) says nothing about the new process.
      else if (text(replica?.gen_node_id) !== generationOf(member))
        reasons.push(`partition ${id}: no report yet from the restarted ${nameOf(member)}`);
    }
  }
  return reasons;
}

/** A log's tail segment needs as many writable copies as its replication, after losing `spare`. */
function logReasons(view: ClusterView, nodes: Map<string, Row>, spare: number): string[] {
  const reasons: string[] = [];
  const writable = (id: string) =>
    text(nodes.get(id)?.state) === 'alive' && text(nodes.get(id)?.storage_state) === 'read-write';
  for (const log of replicatedLogs(view)) {
    const copies = copiesOf(log);
    const usable = nodeList(log.nodeset).filter(writable).length;
    if (usable < copies + spare)
      reasons.push(
        `log ${text(log.log_id)}: ${usable} of its nodeset can take writes; replication ${copies} needs ${copies + spare}${spare ? ' to lose one' : ''}`,
      );
  }
  return reasons;
}

/** The metadata group keeps its quorum after losing `spare` members. */
function metadataReasons(view: ClusterView, spare: number): string[] {
  const members = view.nodes.filter((n) => text(n.metadata_server_state) === 'member');
  const alive = members.filter((n) => text(n.state) === 'alive').length;
  const quorum = Math.floor(members.length / 2) + 1;
  if (members.length === 0 || alive - spare >= quorum) return [];
  return [
    spare
      ? `metadata group: ${alive} of ${members.length} members alive; losing one leaves fewer than its quorum of ${quorum}`
      : `metadata group: ${alive} of ${members.length} members alive, fewer than its quorum of ${quorum}`,
  ];
}

/** Reasons, shortened for one line: the first few and how many more. */
export function summarize(reasons: string[], shown = 3): string {
  const head = reasons.slice(0, shown).join('; ');
  return reasons.length > shown ? `${head}; and ${reasons.length - shown} more` : head;
}

/**
 * Nodes the cluster still lists that no node of the files runs any more: an identity left behind
 * (a replaced node, a node a shrink dropped) whose removal did not run. The cluster counts it (a
 * metadata group of three with one such member cannot lose another), and no wait removes it.
 * One not alive, whatever its slot; one alive only when its slot (`services`, restate-4 of
 * restate-4-r1) is gone from the files: a shrink written with --force whose block never ran
 * leaves it running as an orphan, while an alive old identity of a slot that is still there is a
 * replacement not yet run, which `ready --replacing` judges. Judged only when every node of the
 * files names itself: a file that leaves node names to Restate's default says nothing about
 * which identities it runs.
 */
export function leftBehind(view: ClusterView, leaving: string[], declared: string[], services: string[]): Row[] {
  if (declared.length === 0 || declared.length !== services.length) return [];
  return view.nodes.filter((n) => {
    const name = text(n.name);
    if (leaving.includes(text(n.plain_node_id)) || declared.includes(name)) return false;
    return text(n.state) !== 'alive' || !services.includes(slotOf(name));
  });
}

/** The service (slot) a Restate node name belongs to: restate-3 for restate-3-r1. */
export const slotOf = (name: string) => name.replace(/-r\d+$/, '');
