import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir } from './helpers.js';

// Steps a change printed that may not have run when the next change comes, and the steps of a
// change of snapshot store (issue 19's second trial: D11 and D5).

const { out, gen } = clusterDir();

/** A run's numbered steps (what it prints for itself), each with its commands. */
const stepsOf = (stdout: string) =>
  stdout
    .slice(stdout.indexOf('\nOn a '))
    .split(/^ {2}\d+\. /m)
    .slice(1);

test('a change after one whose steps may not have run says so in a note that names them, and prints only its own', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--memory', '2G').status).toBe(0);
  const lb = gen('--load-balancer');
  expect(lb.status).toBe(0);
  expect(lb.stdout).toMatch(
    /\nnote: the steps printed at \d{4}-\d\d-\d\d \d\d:\d\d UTC for the last change are not printed again after this one \(Recreate restate-1, restate-2, restate-3 one at a time\): gen-compose cannot tell whether they ran, and the steps below assume they did\n/,
  );
  // Not printed to paste: run after these files, an earlier block could undo this change (trial 19c: a
  // version back and forth, pasted as shown, downgraded every Swarm node at once).
  expect(stepsOf(lb.stdout).map((s) => s.split(':')[0])).toEqual(['Start the new services']);
  // A step this change prints itself is not named.
  expect(gen('--memory', '3G').status).toBe(0);
  expect(gen('--memory', '4G').stdout).not.toContain('not printed again');
  // With no steps of its own, a run prints the last ones as before.
  const plain = gen();
  expect(plain.stdout).toContain('Nothing to run for this change.');
  expect(plain.stdout).not.toContain('not printed again');
});

test("a replacement's steps get their own note: ready covers them", () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--replace-node', '3').status).toBe(0);
  const r = gen('--memory', '3G');
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('for the last change are not printed again');
  expect(r.stdout).toContain("for restate-3's replacement are not printed again");
});

test('a switch to your own S3 store rolls the nodes once its keys are in, snapshots into it, and removes MinIO by name', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const r = gen('--snapshots-endpoint', 'https://s3.eu-west-1.amazonaws.com');
  expect(r.status).toBe(0);
  const steps = stepsOf(r.stdout);
  expect(steps.map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
    'Fill in',
    'Recreate restate-1,',
    'Snapshot every',
    'Remove MinIO',
  ]);
  expect(steps[1]).toContain('docker compose up -d --wait restate-3');
  expect(steps[2]).toContain('docker compose exec -T restate-1 restatectl snapshots create');
  expect(steps[3]).toContain('docker rm -f restate-cluster-minio-1 restate-cluster-minio-create-bucket-1');
  expect(steps[3]).toContain('docker volume rm restate-cluster_minio-data once you no longer need them');
  // The keys filled in afterwards are what the steps wait for: no other restart.
  const env = join(out(), '.env');
  writeFileSync(
    env,
    readFileSync(env, 'utf8')
      .replace(/^RESTATE_S3_ACCESS_KEY=$/m, 'RESTATE_S3_ACCESS_KEY=AKIAEXAMPLE')
      .replace(/^RESTATE_S3_SECRET_KEY=$/m, 'RESTATE_S3_SECRET_KEY=example-secret'),
  );
  const again = gen();
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('Nothing to run for this change.');
  // And back to MinIO (the keys filled in are lost only with --force): no MinIO to remove.
  const back = gen('--no-snapshots-endpoint', '--force');
  expect(back.status).toBe(0);
  expect(stepsOf(back.stdout).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
    'Start MinIO',
    'Recreate restate-1,',
    'Snapshot every',
  ]);
  expect(stepsOf(back.stdout)[0]).toContain('docker compose up -d minio minio-create-bucket\n');
});

test('under Swarm, MinIO goes by docker service rm, and comes back before the nodes move to it', () => {
  expect(gen('--nodes', '3', '--target', 'swarm').status).toBe(0);
  const r = gen('--snapshots-endpoint', 'https://s3.eu-west-1.amazonaws.com');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('docker service rm restate-cluster_minio restate-cluster_minio-create-bucket');
  expect(r.stdout).toContain('on the host that ran it');
  // Back, with the key lines still as gen-compose left them (empty): no --force needed (trial 19c D3).
  const back = gen('--no-snapshots-endpoint');
  expect(back.status).toBe(0);
  const steps = stepsOf(back.stdout);
  expect(steps[0]).toMatch(/^Start MinIO and its bucket job first/);
  expect(steps[0]).toContain('stack-part . --service minio | docker stack deploy -c - restate-cluster) &&\n');
  expect(steps[1]).toMatch(/^Recreate restate-1, restate-2, restate-3 one at a time/);
});
