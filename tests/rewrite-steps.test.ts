// A change that redefines running nodes for no reason a printed step already covers (memory,
// ports, snapshot settings) gets its own rolling restart: a plain `docker compose up -d` would
// recreate every changed node at once.
import { clusterDir } from './helpers.js';

const { gen } = clusterDir();
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

test('a node a printed step restarts already is not restarted twice, and an unchanged run prints no step', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const upgrade = gen('--restate-version', '1.7.10', '--memory', '4G');
  expect(upgrade.status).toBe(0);
  expect(upgrade.stdout.match(/up -d --wait restate-1/g)).toHaveLength(1);
  expect(upgrade.stdout).not.toContain('their definitions changed');
  const again = gen();
  expect(again.status).toBe(0);
  expect(again.stdout).not.toContain('On a running cluster');
});

test('growing adds nodes without restarting those that ran when their definitions stay', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const r = gen('--nodes', '5');
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('Recreate');
});
