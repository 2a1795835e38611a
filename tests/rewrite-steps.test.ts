// A change that redefines running nodes for no reason a printed step already covers (memory,
// ports, snapshot settings) gets its own rolling restart: a plain `docker compose up -d` would
// recreate every changed node at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir } from './helpers.js';

const { gen, out } = clusterDir();
const steps = (stdout: string) => stdout.slice(stdout.indexOf('On a running cluster'));

test.each([
  ['--memory', '4G'],
  ['--port-offset', '100'],
  ['--snapshot-interval-records', '5000'],
])('%s %s on a running cluster: every node recreated one at a time, with ready between', (flag, value) => {
  expect(gen('--nodes', '3').status).toBe(0);
  const r = gen(flag!, value!);
  expect(r.status).toBe(0);
  expect(steps(r.stdout)).toMatch(
    /1\. Recreate restate-1, restate-2, restate-3 one at a time; their definitions changed, so a plain `docker compose up -d` would recreate them all at once/,
  );
  expect(steps(r.stdout)).toContain('docker compose up -d --wait restate-3 && node ');
});

test('a value edited into .env since the last run gets the rolling restart too, once: the running nodes were made with the old one', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const env = join(out(), '.env');
  writeFileSync(env, readFileSync(env, 'utf8').replace(/^RESTATE_LOG_FILTER=.*$/m, 'RESTATE_LOG_FILTER=info'));
  const r = gen();
  expect(r.status).toBe(0);
  expect(steps(r.stdout)).toMatch(
    /1\. Recreate restate-1, restate-2, restate-3 one at a time; their definitions changed/,
  );
  // Written now with the edit, the next run has nothing new to restart.
  expect(gen().stdout).toContain('Nothing to run for this change.');
});

test('a node a printed step restarts already is not restarted twice, and an unchanged run needs no new step', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const upgrade = gen('--restate-version', '1.7.10', '--memory', '4G');
  expect(upgrade.status).toBe(0);
  expect(upgrade.stdout.match(/up -d --wait restate-1/g)).toHaveLength(1);
  expect(upgrade.stdout).not.toContain('their definitions changed');
  const again = gen();
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('Nothing to run for this change. The last change that needed steps (');
});

test('the steps of the last change are printed again by a run that needs none (a lost block), until a change brings its own', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen().stdout).not.toContain('On a running cluster');
  const upgrade = gen('--restate-version', '1.7.10');
  const block = (output: string) => output.slice(output.indexOf('On a running cluster'));
  expect(block(upgrade.stdout)).toContain('up -d --wait restate-3');
  // Output lost (a pipe, a closed terminal): the same command again, or a plain run, prints it.
  for (const again of [gen('--restate-version', '1.7.10'), gen(), gen('--dry-run')]) {
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /Nothing to run for this change\. The last change that needed steps \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\) printed these; gen-compose cannot tell whether they ran, so run them if they did not \(a block run again does no harm: a step whose work is done finds it done or stops the block at once, a rolling block recreates no node that is current, and one interrupted during its docker compose up first names the node to start\):\n/,
    );
    expect(block(again.stdout).replace(/Nothing was written.*$/s, '')).toBe(block(upgrade.stdout));
  }
  // A change with steps of its own replaces them.
  const monitoring = gen('--monitoring');
  expect(monitoring.stdout).not.toContain('Nothing to run');
  expect(block(monitoring.stdout)).toContain('docker compose up -d prometheus grafana');
  expect(block(gen().stdout)).toBe(block(monitoring.stdout));
  // Another target runs other commands: the compose steps are not offered for the stack.
  expect(gen('--target', 'swarm', '--force').stdout).not.toContain('docker compose');
});

test('remembered steps edited into another shape are dropped, not printed', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--restate-version', '1.7.10').status).toBe(0);
  const stateFile = join(out(), '.gen-compose.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  writeFileSync(stateFile, JSON.stringify({ ...state, lastSteps: { at: 1, steps: 'rm -rf /' } }));
  const r = gen();
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('On a running cluster');
  expect(JSON.parse(readFileSync(stateFile, 'utf8')).lastSteps).toBeUndefined();
});

test('growing adds nodes without restarting those that ran when their definitions stay', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const r = gen('--nodes', '5');
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('Recreate');
});
