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
/** The lettered steps before them: the last change's, in case they did not run. */
const earlierOf = (stdout: string) => {
  const start = stdout.indexOf('\nThe last change that needed steps (');
  return start < 0
    ? []
    : stdout
        .slice(start, stdout.indexOf('\nOn a '))
        .split(/^ {2}[a-z]\. /m)
        .slice(1);
};

test('a change after one whose steps may not have run shows those first, lettered apart from its own', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--nodes', '4').status).toBe(0);
  const five = gen('--nodes', '5');
  expect(five.status).toBe(0);
  expect(five.stdout).toMatch(
    /\nThe last change that needed steps \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\) printed these; gen-compose cannot tell whether they ran, so if they did not, run them first/,
  );
  // restate-4's start (the trial saw only restate-5's), then restate-5's as the numbered steps.
  const earlier = earlierOf(five.stdout);
  expect(earlier[0]).toContain('docker compose up -d --wait restate-4 &&\n');
  const steps = stepsOf(five.stdout);
  expect(steps[0]).toContain('docker compose up -d --wait restate-5 &&\n');
  // A step this change prints itself is not shown twice.
  expect(earlier.some((s) => s.includes('restatectl status'))).toBe(false);
  expect(steps.some((s) => s.includes('restatectl status'))).toBe(true);
  // Only the newest are remembered: the change after shows restate-5's, not restate-4's.
  const memory = gen('--memory', '3G');
  expect(memory.status).toBe(0);
  const next = earlierOf(memory.stdout);
  expect(next.some((s) => /up -d --wait restate-5 &&\n/.test(s))).toBe(true);
  expect(next.some((s) => /up -d --wait restate-4 &&\n/.test(s))).toBe(false);
  // With no steps of its own, a run prints the last ones as before, numbered.
  const plain = gen();
  expect(plain.stdout).toContain('Nothing to run for this change.');
  expect(earlierOf(plain.stdout)).toEqual([]);
});

test("a replacement's steps are not shown again: its own note and ready cover them", () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--replace-node', '3').status).toBe(0);
  const r = gen('--memory', '3G');
  expect(r.status).toBe(0);
  expect(earlierOf(r.stdout)).toEqual([]);
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
    'Recreate restate-1,',
    'Snapshot every',
  ]);
});

test('under Swarm, MinIO goes by docker service rm', () => {
  expect(gen('--nodes', '3', '--target', 'swarm').status).toBe(0);
  const r = gen('--snapshots-endpoint', 'https://s3.eu-west-1.amazonaws.com');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('docker service rm restate-cluster_minio restate-cluster_minio-create-bucket');
  expect(r.stdout).toContain('on the host that ran it');
});
