import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOST_DISK_LOG } from '../src/render/start-guard.js';
import { CLI, runCli, tempDir } from './helpers.js';

// What no wait fixes, `ready` says at once (exit 1), with what does: an identity left in the
// cluster (a replacement whose steps another change's steps replaced before they ran), and a
// node whose disk is gone. A stand-in docker answers as Docker and restatectl 1.7.12 did on the
// engine for these states (tests/engine/day-two.test.ts drills the replacement itself).

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const node = (id: number, name: string, state: string, member = true) => ({
  plain_node_id: `N${id}`,
  gen_node_id: `N${id}:1`,
  name,
  state,
  storage_state: 'read-write',
  has_log_server_role: true,
  metadata_server_state: member ? 'member' : 'standby',
});

/** `ready DIR` with a stand-in docker whose restatectl lists `nodes` and whose node log is `log`. */
function readyAgainst(
  out: string,
  nodes: object[],
  log = '',
  timeout = '60',
  extra: string[] = [],
  tables: object[][] = [[], [], [], []],
  ps = 'restate-1\trunning\nrestate-2\trunning\nrestate-3\trunning\nminio\trunning\n',
) {
  const bin = join(dir.path, 'bin');
  mkdirSync(bin, { recursive: true });
  const answers = [nodes, ...tables].map((t) => `--gen-compose-table--\n${JSON.stringify(t)}\n`).join('');
  writeFileSync(join(dir.path, 'tables'), answers);
  writeFileSync(join(dir.path, 'log'), log);
  writeFileSync(join(dir.path, 'ps'), ps);
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh
case "$1 $2" in
  "compose version") echo "Docker Compose version v2.29.0" ;;
  "compose ps") cat ${join(dir.path, 'ps')} ;;
  "compose exec") cat ${join(dir.path, 'tables')} ;;
  "compose logs") cat ${join(dir.path, 'log')} ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'ready', out, '--timeout', timeout, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

test('an identity a replacement left behind stops ready at once, with the block that finishes the replacement', () => {
  const out = join(dir.path, 'c');
  expect(runCli(['--out', out]).status).toBe(0);
  expect(runCli(['--out', out, '--replace-node', '3']).status).toBe(0);
  // Another change before the replacement's block ran: its steps are no longer printed, and it says where to look.
  const later = runCli(['--out', out, '--memory', '4g']);
  expect(later.status).toBe(0);
  expect(later.stdout).toMatch(
    /the steps printed at .* UTC for restate-3's replacement are not printed again after this change: if they have not run, its old identity is still in the cluster: run gen-compose ready in the output directory before the steps below/,
  );
  // The cluster still lists N3, dead; the files run restate-3-r1 in its place, not joined yet.
  const r = readyAgainst(out, [
    node(1, 'restate-1', 'alive'),
    node(2, 'restate-2', 'alive'),
    node(3, 'restate-3', 'dead'),
  ]);
  expect(r.status).toBe(1);
  expect(r.seconds).toBeLessThan(30);
  const [head, ...block] = r.stderr.trim().split('\n');
  expect(head).toBe(
    `gen-compose ready: restate-3 (N3) is dead, and no node of the files in ${out} runs it (restate-3 runs restate-3-r1 now): an identity left in the cluster by a replacement or a shrink whose steps did not run, which the cluster still counts and no wait removes. Take it out, in ${out}, then run ready again (and the rest of the block it began); paste it as one block, it stops at the first command that fails:`,
  );
  const lines = block.map((l) => l.trim());
  expect(lines[0]).toBe('docker compose up -d --wait restate-3 &&');
  expect(lines[1]).toBe('docker compose exec -T restate-1 restatectl metadata-server remove-node N3 &&');
  expect(lines).toContainEqual(expect.stringMatching(/ready \. --leaving N3 &&$/));
  expect(lines.at(-1)).toBe('docker compose exec -T restate-1 restatectl nodes remove --nodes N3');
});

test('a node a forced shrink dropped, still running because its block never ran, stops ready with the block that removes it', () => {
  const out = join(dir.path, 'c');
  expect(runCli(['--out', out, '--nodes', '4']).status).toBe(0);
  expect(runCli(['--out', out, '--nodes', '3', '--force']).status).toBe(0);
  const nodes = [
    node(1, 'restate-1', 'alive'),
    node(2, 'restate-2', 'alive'),
    node(3, 'restate-3', 'alive'),
    node(4, 'restate-4', 'alive', false),
  ];
  const r = readyAgainst(out, nodes);
  expect(r.status).toBe(1);
  expect(r.seconds).toBeLessThan(30);
  const [head, ...block] = r.stderr.trim().split('\n');
  expect(head).toMatch(
    /^gen-compose ready: restate-4 \(N4\) is alive, and no node of the files in .* runs it: an identity left in the cluster by a replacement or a shrink whose steps did not run/,
  );
  const lines = block.map((l) => l.trim());
  // Not a metadata member: no remove-node; its orphan container and volume go at the end.
  expect(lines[0]).toBe(
    'docker compose exec -T restate-1 restatectl nodes set-worker-state --nodes N4 --worker-state draining &&',
  );
  expect(lines.slice(-3)).toEqual([
    'docker compose exec -T restate-1 restatectl nodes remove --nodes N4 &&',
    'docker rm -f restate-cluster-restate-4-1 &&',
    'docker volume rm restate-cluster_restate-4-data',
  ]);
  // The block's own wait names it as leaving: not stopped there.
  const leaving = readyAgainst(out, nodes, '', '3', ['--leaving', 'N4']);
  expect(leaving.stderr).not.toContain('no node of the files');
  // An alive old identity of a slot the files still have is a replacement not yet run: --replacing's, not this.
  expect(runCli(['--out', out, '--replace-node', '2']).status).toBe(0);
  const replaced = readyAgainst(out, nodes.slice(0, 3), '', '3');
  expect(replaced.stderr).not.toContain('no node of the files');
});

test('a node whose disk is gone stops ready at once with --replace-node, not a restart that cannot work', () => {
  const out = join(dir.path, 'c');
  expect(runCli(['--out', out]).status).toBe(0);
  const r = readyAgainst(
    out,
    [node(1, 'restate-1', 'alive'), node(2, 'restate-2', 'alive'), node(3, 'restate-3', 'dead')],
    `restate-3-1  | restate-3: ${LOST_DISK_LOG} (restate-1 lists restate-3; /restate-data/restate-3 is missing)\n`,
  );
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 1,
    stderr: expect.stringMatching(
      /^gen-compose ready: restate-3 lost its disk \(its log says so\): the cluster still lists restate-3 \(N3\), and Restate refuses an empty node under that identity, so no restart or wait brings it back; in .*, node .* --out \. --replace-node 3 gives it a new identity and prints the steps that take the old one out\n$/,
    ),
  });
  expect(r.seconds).toBeLessThan(30);
});

test('a dead node of the files whose log says nothing of its disk is waited for, as before', () => {
  const out = join(dir.path, 'c');
  expect(runCli(['--out', out]).status).toBe(0);
  const nodes = [node(1, 'restate-1', 'alive'), node(2, 'restate-2', 'alive'), node(3, 'restate-3', 'dead')];
  const r = readyAgainst(out, nodes, 'restate-3-1 | starting\n', '3');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    /^gen-compose ready: after 3s the cluster still cannot lose a node: restate-3 \(N3\) is dead/,
  );
});

test('--replacing, first in a replacement block: a node already down passes at once, a live one stops the block before it is taken down', () => {
  const out = join(dir.path, 'c');
  expect(runCli(['--out', out]).status).toBe(0);
  const replaced = runCli(['--out', out, '--replace-node', '2']);
  expect(replaced.stdout).toMatch(
    /\n {5}node \S+ ready \. --replacing N2 &&\n {5}docker compose up -d --wait restate-2 &&\n/,
  );
  const nodes = (two: string) => [
    node(1, 'restate-1', 'alive'),
    node(2, 'restate-2', two),
    node(3, 'restate-3', 'dead'),
  ];
  const down = readyAgainst(out, nodes('dead'), '', '60', ['--replacing', 'N2']);
  expect({ status: down.status, stdout: down.stdout }).toEqual({
    status: 0,
    stdout: 'ready: restate-2 (N2) is dead: its replacement takes nothing down\n',
  });
  const alive = readyAgainst(out, nodes('alive'), '', '60', ['--replacing', 'N2', '--replacing', 'N2']);
  expect({ status: alive.status, stderr: alive.stderr }).toEqual({
    status: 1,
    stderr:
      'gen-compose ready: restate-2 (N2) is alive and serving, and this block would take it down to replace it, with restate-3 (N3) already down: --replace-node is for a node whose disk is gone; if this one was named by mistake, undo it before anything runs (gen-compose --out . --replaced-nodes VALUE --force, VALUE the one its Regenerate line had before, or none if no node had been replaced; docs/operations.md)\n',
  });
  expect(alive.seconds).toBeLessThan(30);
  // The old container removed (as one does with a dead disk): the state the block begins in (trial 23 D5).
  const removed = 'restate-1\trunning\nrestate-3\trunning\n';
  const gone2 = readyAgainst(out, nodes('dead'), '', '60', ['--replacing', 'N2'], undefined, removed);
  expect({ status: gone2.status, stdout: gone2.stdout }).toEqual({
    status: 0,
    stdout: 'ready: restate-2 (N2) is dead: its replacement takes nothing down\n',
  });
  // Any other node stopped still stops it at once.
  const other = readyAgainst(out, nodes('dead'), '', '60', ['--replacing', 'N3'], undefined, removed);
  expect({ status: other.status, stderr: other.stderr }).toMatchObject({ status: 1 });
  expect(other.stderr).toMatch(/^gen-compose ready: restate-2 is not created, and no wait starts it/);
  // A node the cluster does not list: a typo, or the block pasted again after it ran (trial 22d).
  const gone = readyAgainst(out, nodes('alive'), '', '60', ['--replacing', 'N7']);
  expect({ status: gone.status, stderr: gone.stderr }).toEqual({
    status: 2,
    stderr:
      "gen-compose: --replacing names N7, and the cluster has no such node (its nodes: N1, N2, N3): if this replacement's block ran before, N7 is out of the cluster already and nothing of it is left to do\n",
  });
});

test('a wait that ends with every node alive but a replica that never starts names that node, and what clears a known Restate 1.6 fault', () => {
  const out = join(dir.path, 'c');
  expect(runCli(['--out', out]).status).toBe(0);
  const nodes = [node(1, 'restate-1', 'alive'), node(2, 'restate-2', 'alive'), node(3, 'restate-3', 'alive')];
  const partitions = [{ partition_id: 0, leader_plain_node_id: 'N1', current_replica_set: 'N1,N2' }];
  const replicas = [
    { partition_id: 0, plain_node_id: 'N1', gen_node_id: 'N1:1', effective_mode: 'Leader', replay_status: 'active' },
    {
      partition_id: 0,
      plain_node_id: 'N2',
      gen_node_id: 'N2:1',
      effective_mode: 'Follower',
      replay_status: 'starting',
    },
  ];
  const r = readyAgainst(out, nodes, '', '3', [], [partitions, replicas, [], []]);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    'gen-compose ready: after 3s the cluster still cannot lose a node: partition 0: its replica on restate-2 (N2) is starting (docker compose logs restate-2 says why restate-2\'s replicas do not start; on Restate 1.6 "Column family already exists" there is Restate issue 4534, fixed in 1.7.0, and docker compose restart restate-2 clears it)\n',
  );
  // With MinIO stopped, the replica waits for a snapshot it cannot fetch: the store is named (trial 23 D1).
  const ps = 'restate-1\trunning\nrestate-2\trunning\nrestate-3\trunning\nminio\texited\n';
  const withoutStore = readyAgainst(out, nodes, '', '3', [], [partitions, replicas, [], []], ps);
  expect(withoutStore.stderr).toBe(
    'gen-compose ready: after 3s the cluster still cannot lose a node: partition 0: its replica on restate-2 (N2) is starting (minio is exited: the snapshot store, which a replica that starts without local state restores from; docker compose up -d --wait minio starts it)\n',
  );
});
