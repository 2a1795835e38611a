import {
  awaitsTrim,
  notReady,
  spareAtSize,
  summarize,
  unknownNodes,
  type ClusterView,
} from '../src/restate/readiness.js';

// Rows as restatectl 1.7.12 `sql --json` printed them for a 3-node cluster, replication 2, that
// could lose a node (a rehearsal here; trimmed to two partitions and two logs).
function healthy(): ClusterView {
  const node = (id: number, generation: number) => ({
    plain_node_id: `N${id}`,
    gen_node_id: `N${id}:${generation}`,
    name: `restate-${id}`,
    state: 'alive',
    storage_state: 'read-write',
    has_log_server_role: true,
    metadata_server_state: 'member',
  });
  return {
    nodes: [node(1, 2), node(2, 1), node(3, 2)],
    partitions: [
      { partition_id: 0, leader_plain_node_id: 'N1', current_replica_set: 'N3,N1' },
      { partition_id: 1, leader_plain_node_id: 'N2', current_replica_set: 'N1,N2' },
    ],
    replicas: [
      { partition_id: 0, plain_node_id: 'N1', gen_node_id: 'N1:2', effective_mode: 'Leader', replay_status: 'active' },
      {
        partition_id: 0,
        plain_node_id: 'N3',
        gen_node_id: 'N3:2',
        effective_mode: 'Follower',
        replay_status: 'active',
      },
      {
        partition_id: 1,
        plain_node_id: 'N1',
        gen_node_id: 'N1:2',
        effective_mode: 'Follower',
        replay_status: 'active',
      },
      { partition_id: 1, plain_node_id: 'N2', gen_node_id: 'N2:1', effective_mode: 'Leader', replay_status: 'active' },
    ],
    logs: [
      { log_id: 0, kind: 'replicated', replication: '{node: 2}', nodeset: '[N1, N3, N2]' },
      { log_id: 17, kind: 'replicated', replication: '{node: 2}', nodeset: '[N3, N2, N1]' },
      // Listed beside a reconfigured log's new tail: no loglet, no nodeset.
      { log_id: 17, kind: 'sealed' },
    ],
    segments: [
      { log_id: 0, segment_index: 0, nodeset: '[N1, N3, N2]' },
      { log_id: 17, segment_index: 2, nodeset: '[N3, N2, N1]' },
    ],
  };
}

test('a cluster with every node alive, every partition led and followed, every log spare: ready', () => {
  expect(notReady(healthy())).toEqual([]);
});

test.each<[string, (v: ClusterView) => void, string]>([
  ['a node down', (v) => (v.nodes[2]!.state = 'dead'), 'restate-3 (N3) is dead'],
  ['a partition without a leader', (v) => (v.partitions[0]!.leader_plain_node_id = null), 'partition 0 has no leader'],
  [
    'a leader elected but not leading yet',
    (v) => (v.replicas[0]!.effective_mode = 'Candidate'),
    'partition 0: restate-1 (N1) is not leading it yet',
  ],
  [
    'a follower still catching up after its restart',
    (v) => (v.replicas[1]!.replay_status = 'catching-up'),
    'partition 0: its replica on restate-3 (N3) is catching-up',
  ],
  [
    'a replica not running at all',
    (v) => v.replicas.splice(1, 1),
    'partition 0: its replica on restate-3 (N3) is not running',
  ],
  [
    "a replica's row from before its node restarted",
    (v) => (v.nodes[2]!.gen_node_id = 'N3:3'),
    'partition 0: no report yet from the restarted restate-3 (N3)',
  ],
  ['replicas being moved', (v) => (v.partitions[1]!.next_replica_set = 'N2,N3'), 'partition 1 is moving its replicas'],
  [
    'a log server not yet writable again',
    (v) => (v.nodes[1]!.storage_state = 'read-only'),
    'log 0: 2 of its nodeset can take writes; replication 2 needs 3 to lose one',
  ],
])('not ready with %s', (_, mutate, reason) => {
  const view = healthy();
  mutate(view);
  expect(notReady(view)).toContain(reason);
});

test('a metadata group of three with one member down cannot lose another', () => {
  const view = healthy();
  view.nodes[1]!.state = 'suspect';
  expect(notReady(view)).toContain(
    'metadata group: 2 of 3 members alive; losing one leaves fewer than its quorum of 2',
  );
});

// A cluster that at its size cannot lose a node (a shrink to it, a user's `ready` on it) has
// nothing to spare to wait for: it is judged on serving with every node, never waited on forever.
test('a one-node cluster is ready once it serves, and not while its log cannot take writes', () => {
  const view = healthy();
  view.nodes = view.nodes.slice(0, 1);
  view.logs = [{ log_id: 0, kind: 'replicated', replication: '{node: 1}', nodeset: '[N1]' }];
  view.partitions = [];
  expect(spareAtSize(view)).toBe(0);
  expect(notReady(view)).toEqual([]);
  view.nodes[0]!.storage_state = 'read-only';
  expect(notReady(view)).toEqual(['log 0: 0 of its nodeset can take writes; replication 1 needs 1']);
});

test('two nodes with replication 2, or a metadata group of two, can spare no node; three of each can', () => {
  const view = healthy();
  expect(spareAtSize(view)).toBe(1);
  expect(spareAtSize(view, ['N3'])).toBe(0);
  const two = healthy();
  two.nodes = two.nodes.slice(0, 2);
  expect(spareAtSize(two)).toBe(0);
});

// A cluster of five taking N4 and N5 out (rows shaped like the above).
function shrinking(): ClusterView {
  const view = healthy();
  for (const id of [4, 5])
    view.nodes.push({ ...view.nodes[1]!, plain_node_id: `N${id}`, gen_node_id: `N${id}:1`, name: `restate-${id}` });
  view.nodes[3]!.storage_state = 'read-only';
  view.nodes[4]!.storage_state = 'read-only';
  view.nodes[3]!.metadata_server_state = 'standby';
  view.nodes[4]!.metadata_server_state = 'standby';
  return view;
}

test('nodes with nothing left on them may leave; the rest must still be able to lose one', () => {
  expect(notReady(shrinking(), ['N4', 'N5'])).toEqual([]);
  expect(awaitsTrim(shrinking(), ['N4', 'N5'])).toBe(false);
});

test.each<[string, (v: ClusterView) => void, string]>([
  [
    'a replica still on it',
    (v) => (v.partitions[0]!.current_replica_set = 'N4,N1'),
    'N4 still holds replicas of partitions 0',
  ],
  ['a tail nodeset naming it', (v) => (v.logs[1]!.nodeset = '[N4, N2, N1]'), 'N4 is still in the nodesets of logs 17'],
  [
    'an old segment naming it',
    (v) => v.segments.push({ log_id: 0, segment_index: 1, nodeset: '[N4, N2, N1]' }),
    'N4 is named by old segments of logs 0, not trimmed yet',
  ],
  ['its metadata membership', (v) => (v.nodes[3]!.metadata_server_state = 'member'), 'N4 is still a metadata member'],
])('a leaving node is not done with %s', (_, mutate, reason) => {
  const view = shrinking();
  mutate(view);
  expect(notReady(view, ['N4', 'N5'])).toContain(reason);
});

test('only old segments left: a snapshot with a trim behind it is what is awaited; a dead leaving node is no reason', () => {
  const view = shrinking();
  view.segments.push({ log_id: 0, segment_index: 1, nodeset: '[N5, N2, N1]' });
  view.nodes[4]!.state = 'dead';
  expect(awaitsTrim(view, ['N4', 'N5'])).toBe(true);
  expect(notReady(view, ['N4', 'N5'])).toEqual(['N5 is named by old segments of logs 0, not trimmed yet']);
});

test('a leaving ID the cluster has no node for is found (a typo must not pass as "nothing left")', () => {
  expect(unknownNodes(shrinking(), ['N4', 'N9'])).toEqual(['N9']);
  expect(unknownNodes(shrinking(), ['N4', 'N5'])).toEqual([]);
});

test('reasons are shortened to one line', () => {
  expect(summarize(['a', 'b', 'c', 'd', 'e'])).toBe('a; b; c; and 2 more');
  expect(summarize(['a'])).toBe('a');
});
