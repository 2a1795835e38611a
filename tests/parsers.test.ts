// The CLI reads plain generate lines with node:util's parseArgs and everything else with yargs;
// these prove the two cannot disagree (tests/parsers-compare.mjs runs outside Jest, which
// cannot load yargs) and pin the lines that once did.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from './helpers.js';

test('both parsers give generate() the same options for 600 random command lines', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'tests', 'parsers-compare.mjs'), '600', '20261121'], {
    encoding: 'utf8',
  });
  expect(r.stdout).toMatch(/^\d{3} lines compared, \d{3} with --no-X, 0 disagreements\n$/);
  expect(r.status).toBe(0);
});

describe('lines the two parsers once read differently', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());
  const services = (compose: string) => compose.match(/^ {2}restate-\d+:$/gm)?.length;

  test('a flag given twice: the last wins, with or without a --no-X beside it', () => {
    expect(services(runCli(['--nodes', '5', '--nodes', '7', '--stdout']).stdout)).toBe(7);
    expect(services(runCli(['--nodes', '5', '--nodes', '7', '--no-monitoring', '--stdout']).stdout)).toBe(7);
  });

  test('--expose given twice adds up', () => {
    const r = runCli(['--expose', 'admin', '--expose', 'ingress', '--out', join(dir.path, 'e'), '--no-load-balancer']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "The network (0.0.0.0): ingress (invocations: the application's door); admin API and UI",
    );
  });

  test('a value that starts with a dash is the value, and its error says so', () => {
    const r = runCli(['--memory', '-1G', '--out', join(dir.path, 'm')]);
    expect(r.stderr).toBe('gen-compose: --memory must look like 4G, 512M or 2GiB, got "-1G"\n');
    expect(r.status).toBe(2);
  });

  test('--no-memory removes a limit set before; --no-nodes is refused', () => {
    const out = join(dir.path, 'n');
    expect(runCli(['--out', out, '--memory', '4G']).status).toBe(0);
    expect(runCli(['--out', out, '--dry-run']).stdout).toContain('unchanged');
    const removed = runCli(['--out', out, '--no-memory']);
    expect(removed.status).toBe(0);
    expect(runCli(['--out', out, '--stdout']).stdout).not.toMatch(/memory/i);
    const refused = runCli(['--out', out, '--no-nodes']);
    expect(refused.stderr).toBe(
      'gen-compose: --no-nodes is not an option: --nodes takes a value (leave it out for the default)\n',
    );
    expect(refused.status).toBe(2);
  });
});
