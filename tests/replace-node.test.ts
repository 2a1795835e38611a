import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from '../src/load/loader.js';
import { formatReplacements, parseReplacements, restateIdentity, withReplacement } from '../src/plan/replacements.js';
import { clusterDir, runCli } from './helpers.js';

const { out, gen } = clusterDir();
const identities = () =>
  loadCompose(out())
    .services.filter((s) => s.name.startsWith('restate-'))
    .map((s) => [
      s.name,
      s.environment.RESTATE_NODE_NAME,
      s.environment.RESTATE_FORCE_NODE_ID,
      s.environment.RESTATE_AUTO_PROVISION,
    ]);

test("a replaced node's G-th identity is restate-K-rG with ID G·1000+K, IDs no node count reaches", () => {
  const none = parseReplacements(undefined);
  expect(restateIdentity(3, none)).toEqual({ id: 3, name: 'restate-3' });
  expect(restateIdentity(3, parseReplacements('3:1'))).toEqual({ id: 1003, name: 'restate-3-r1' });
  expect(restateIdentity(3, parseReplacements('1:1,3:2'))).toEqual({ id: 2003, name: 'restate-3-r2' });
  expect(withReplacement(undefined, '3', 3)).toBe('3:1');
  expect(withReplacement('3:1,1:1', '3', 3)).toBe('1:1,3:2');
  expect(formatReplacements(new Map())).toBeUndefined();
});

test('--replace-node K keeps the service, ports and volume, and gives the node a new Restate identity that joins', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const before = loadCompose(out());
  const r = gen('--replace-node', '1');
  expect(r.status).toBe(0);
  expect(identities()).toEqual([
    ['restate-1', 'restate-1-r1', '1001', 'true'],
    ['restate-2', 'restate-2', '2', 'false'],
    ['restate-3', 'restate-3', '3', 'false'],
  ]);
  const after = loadCompose(out());
  expect(after.volumes).toEqual(before.volumes);
  expect(after.services.map((s) => [s.name, s.ports])).toEqual(before.services.map((s) => [s.name, s.ports]));
  expect(r.stdout).toContain('(Restate node restate-1-r1, N1001)');
  expect(r.stdout).toContain(
    'note: restate-1 becomes a new Restate node, restate-1-r1 (N1001), in place of restate-1 (N1): same service, ports and volume; like restate-1 before it, it provisions a cluster only when none of its peers holds one, so it joins this one',
  );
  // It provisions through the guard that makes it join a cluster its peers hold.
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain(
    'restate-1: $$peer is part of a cluster: joining it, not provisioning',
  );
  // The old identity leaves through another node's restatectl, in one block that stops at a failure.
  expect(r.stdout).toContain('docker compose exec -T restate-2 restatectl nodes remove --nodes N1\n');
  expect(r.stdout).toContain('restatectl metadata-server remove-node N1 &&');
  expect(r.stdout).toMatch(/ready \. --leaving N1 &&\n/);
  // Remembered: a plain run keeps it, and the Regenerate line spells it out.
  expect(gen().status).toBe(0);
  expect(identities()[0]).toEqual(['restate-1', 'restate-1-r1', '1001', 'true']);
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain('--replaced-nodes 1:1\n');
  // Right after its replacement, replacing the node again would leave N1 in the cluster had the
  // first block not run (its output lost): refused, and --force does it (the new disk lost too).
  const again = gen('--replace-node', '1');
  expect(again.status).toBe(2);
  expect(again.stderr).toMatch(
    /^gen-compose: restate-1 got its new identity in the last change \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\): if that change's steps have not run, run them \(gen-compose --out \S+ prints them again\) rather than replace it again, which would leave its old identity in the cluster \(gen-compose ready \S+ says whether one is left\); if the new identity lost its disk too, give --force\n$/,
  );
  expect(identities()[0]).toEqual(['restate-1', 'restate-1-r1', '1001', 'true']);
  expect(gen('--replace-node', '2').status).toBe(0);
  expect(gen('--replace-node', '1', '--force').stdout).toContain('take restate-1-r1 (N1001) out of the cluster');
  expect(identities()[0]).toEqual(['restate-1', 'restate-1-r2', '2001', 'true']);
});

test("after the provisioning node's replacement it still provisions, and check finds one provisioning node", () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--replace-node', '1').status).toBe(0);
  const r = runCli(['check', out()]);
  expect(r.status).toBe(0);
  expect(r.stdout).not.toMatch(/auto-provision/);
});

test('a node outside the metadata group leaves without a metadata step', () => {
  expect(gen('--preset', 'prod').status).toBe(0);
  const r = gen('--replace-node', '5');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('nodes remove --nodes N5');
  expect(r.stdout).not.toContain('metadata-server remove-node');
});

test.each<[string, string[], string]>([
  ['a node that does not exist', ['--replace-node', '4'], '--replace-node names a node of this cluster, 1..3, got "4"'],
  ['not a number', ['--replace-node', 'x'], '--replace-node names a node of this cluster, 1..3, got "x"'],
  [
    'a change of node count with it',
    ['--replace-node', '2', '--nodes', '5'],
    '--replace-node 2 with --nodes 5: replace the node on the cluster as it is (3 nodes) first, then change its size in another run',
  ],
  [
    'a malformed --replaced-nodes',
    ['--replaced-nodes', '3'],
    '--replaced-nodes lists node:replacements pairs such as 3:1, got "3" (replace a node with --replace-node K)',
  ],
])('--replace-node refuses %s in one line, exit 2, nothing written', (_, args, message) => {
  expect(gen('--nodes', '3').status).toBe(0);
  const compose = readFileSync(join(out(), 'docker-compose.yaml'), 'utf8');
  const r = gen(...args);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: `gen-compose: ${message}\n` });
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toBe(compose);
});

test('a slot a shrink dropped comes back as a new Restate node: the removed ID stays a tombstone in the cluster', () => {
  expect(gen('--nodes', '5', '--replaced-nodes', '5:1').status).toBe(0);
  const shrunk = gen('--nodes', '3', '--force');
  expect(shrunk.status).toBe(0);
  // The removal names the identities that ran; the state moves each dropped slot on.
  expect(shrunk.stdout).toContain('restatectl nodes remove --nodes N4,N1005');
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain('--replaced-nodes 4:1,5:2\n');
  expect(shrunk.stdout).not.toContain('becomes a new Restate node');
  const grown = gen('--nodes', '5');
  expect(grown.status).toBe(0);
  expect(grown.stdout).toContain('restate-4 joins as restate-4-r1 (N1004), restate-5 as restate-5-r2 (N2005)');
  expect(identities().slice(3)).toEqual([
    ['restate-4', 'restate-4-r1', '1004', 'false'],
    ['restate-5', 'restate-5-r2', '2005', 'false'],
  ]);
  // Growing is not replacing: no removal of the slot's old identity is printed.
  // Only the shrink's block, shown before the steps in case it has not run (unrun-steps.test.ts).
  expect(grown.stdout.slice(grown.stdout.indexOf('On a running cluster'))).not.toContain('nodes remove');
});

test.each<[string, string[], string]>([
  [
    'a version change with it',
    ['--replace-node', '2', '--restate-version', '1.7.10'],
    '--replace-node 2 with --restate-version 1.7.10: replace the node on the version the cluster runs (1.7.12) first, then change the version in another run',
  ],
  [
    'a node --replaced-nodes names that no cluster can have',
    ['--replaced-nodes', '3:1,101:1'],
    '--replaced-nodes names node 101, and nodes are numbered 1..100',
  ],
  [
    'a hand-written --replaced-nodes that replaces the node again, as --replace-node 3 would (trial 19d)',
    ['--replaced-nodes', '3:2'],
    "restate-3 got its new identity in the last change (AT): if that change's steps have not run, run them (gen-compose --out OUT prints them again) rather than replace it again, which would leave its old identity in the cluster (gen-compose ready OUT says whether one is left); if the new identity lost its disk too, give --force",
  ],
  [
    'a --replaced-nodes that names a node twice',
    ['--replaced-nodes', '3:1,3:2'],
    '--replaced-nodes names node 3 twice ("3:1,3:2"): give each node once',
  ],
  [
    'a hand-written --replaced-nodes that gives a node back a removed identity',
    ['--replaced-nodes', ''],
    "--replaced-nodes none would give restate-3 back restate-3, the identity restate-3-r1 replaces, which Restate refuses for good once the replacement's steps ran: if they never ran (a --replace-node given by mistake), give --force to undo it; to replace a node, --replace-node K",
  ],
])('after a replacement, %s is refused', (_, args, message) => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--replace-node', '3').status).toBe(0);
  const r = gen(...args);
  const stderr = r.stderr.replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/, 'AT').replaceAll(out(), 'OUT');
  expect({ status: r.status, stderr }).toEqual({ status: 2, stderr: `gen-compose: ${message}\n` });
});

test('a --replace-node given by mistake is undone with --replaced-nodes and --force, which says when that is right', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--replace-node', '3').status).toBe(0);
  const r = gen('--replaced-nodes', 'none', '--force');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(
    `note: --replaced-nodes none would give restate-3 back restate-3, the identity restate-3-r1 replaces, which Restate refuses for good once the replacement's steps ran (--force): right only if they never ran (undoing a --replace-node given by mistake; the node's container then runs these files already, and recreating it below changes nothing)`,
  );
  expect(identities()[2]).toEqual(['restate-3', 'restate-3', '3', 'false']);
  // Undone, the replacement's steps are not to run: no note says to finish them.
  expect(r.stdout).not.toContain('not printed again');
});

test('--dry-run shows the steps a running cluster would need, and a second replacement says it retires the first', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--replace-node', '3').status).toBe(0);
  const r = gen('--replace-node', '3', '--dry-run', '--force');
  expect(r.stdout).toContain('(itself a replacement: the identity it has now goes)');
  expect(r.stdout).toContain('Once written, on a running cluster, in the output directory:');
  expect(r.stdout).toContain('restatectl nodes remove --nodes N1003');
  // A node that may have marked its storage data-loss already is not forced to read-only.
  expect(r.stdout).toMatch(
    /if docker compose exec -T restate-1 restatectl sql --json .*; then .* --storage-state read-only; fi &&/,
  );
});

test('--replace-node on a directory with no cluster is refused', () => {
  const r = gen('--replace-node', '1');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/gen-compose has written no cluster there; generate it first\n$/);
});

test('a shrink keeps the replacements of the nodes that stay and moves each dropped slot on', () => {
  expect(gen('--nodes', '5').status).toBe(0);
  expect(gen('--replace-node', '5').status).toBe(0);
  expect(gen('--replace-node', '2').status).toBe(0);
  expect(gen('--nodes', '3', '--force').status).toBe(0);
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain('--replaced-nodes 2:1,4:1,5:2\n');
});

// With its disk went the only copy of something the new identity would catch up from.
test.each<[string, string[], string, string]>([
  [
    'the only metadata server',
    ['--preset', 'dev'],
    '1',
    "--replace-node 1: restate-1's disk held the cluster's metadata (a group of 1 cannot lose a member), so a new identity has nothing to catch up from; restore the volume from a backup, or start a new cluster (gen-compose --out NEW_DIR)",
  ],
  [
    'a node of a cluster with replication 1',
    ['--nodes', '3', '--replication', '1'],
    '3',
    "--replace-node 3: restate-3's disk held the only copy of its log records (replication 1 on 3 node(s)), so a new identity has nothing to catch up from; restore the volume from a backup, or start a new cluster (gen-compose --out NEW_DIR)",
  ],
])('--replace-node refuses to replace %s, exit 2, nothing written', (_, cluster, node, message) => {
  expect(gen(...cluster).status).toBe(0);
  const compose = readFileSync(join(out(), 'docker-compose.yaml'), 'utf8');
  const r = gen('--replace-node', node);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: `gen-compose: ${message}\n` });
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toBe(compose);
});

test('a node outside a metadata group of one is replaced: the group is not on its disk', () => {
  expect(gen('--nodes', '3', '--metadata-nodes', '1', '--replication', '2').status).toBe(0);
  expect(gen('--replace-node', '2').status).toBe(0);
});
