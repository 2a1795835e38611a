// The files gen-compose writes pass dclint (the compose linter on npm) under its default rules;
// the rules a file breaks on purpose are turned off in its first line, with the reasons in its
// header (src/render/compose.ts, LINT_REASONS).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from './helpers.js';

function lint(file: string): { errors: number; warnings: number; messages: string[] } {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'dclint', 'bin', 'dclint.cjs'), file, '-f', 'json', '--color', 'false'],
    { encoding: 'utf8' },
  );
  const [result] = JSON.parse(r.stdout) as {
    errorCount: number;
    warningCount: number;
    messages: { rule: string; message: string }[];
  }[];
  return {
    errors: result!.errorCount,
    warnings: result!.warningCount,
    messages: result!.messages.map((m) => `${m.rule}: ${m.message}`),
  };
}

test.each([
  [['--preset', 'dev'], 'docker-compose.yaml'],
  [['--nodes', '3'], 'docker-compose.yaml'],
  [['--preset', 'prod', '--expose', 'ingress,admin,load-balancer,grafana'], 'docker-compose.yaml'],
  [['--snapshots-endpoint', 'https://s3.eu-west-1.amazonaws.com', '--memory', '4G'], 'docker-compose.yaml'],
  [['--target', 'swarm'], 'docker-stack.yaml'],
  [['--target', 'swarm', '--nodes', '5', '--expose', 'ingress,admin,fabric,s3,s3-console'], 'docker-stack.yaml'],
])('%j: dclint finds nothing in %s', (args, file) => {
  const dir = tempDir();
  try {
    expect(runCli([...args, '--out', dir.path]).status).toBe(0);
    expect(lint(join(dir.path, file))).toEqual({ errors: 0, warnings: 0, messages: [] });
    // Each rule turned off is named with its reason.
    const [directive, ...rest] = readFileSync(join(dir.path, file), 'utf8').split('\n');
    for (const rule of directive!.replace('# dclint disable ', '').split(' ')) {
      expect(rest.some((line) => line.startsWith(`# dclint: ${rule} is off: `))).toBe(true);
    }
  } finally {
    dir.remove();
  }
});

test('the linter runs: the hand-written stack the project started from has findings', () => {
  expect(
    lint(join(ROOT, 'tests', 'fixtures', 'seeds', 'readme-stack', 'docker-compose.yaml')).warnings,
  ).toBeGreaterThan(0);
});
