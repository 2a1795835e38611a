import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir } from './helpers.js';

// .env lines that would not take effect as written: a Restate setting of the user's that no file
// names (issue 19 trial 19c D13), a ${…} naming a variable set only further down (D8, D9).

const { out, gen } = clusterDir();

test('a RESTATE_ setting in .env that no file names is said to reach no node, until the override file names it', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  appendFileSync(join(out(), '.env'), 'RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT=10s\nMY_APP_HOST=app\n');
  const r = gen();
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(
    'note: RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT in .env reaches no node: .env only fills in the ${…} the files name, and none names it; to set it on the nodes, put it under their environment in docker-compose.override.yaml (or delete the line)\n',
  );
  // A variable of the user's own app is theirs to use: not judged.
  expect(r.stdout).not.toContain('MY_APP_HOST in .env');
  writeFileSync(
    join(out(), 'docker-compose.override.yaml'),
    'services:\n  restate-1:\n    environment:\n      RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT: ${RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT}\n',
  );
  const named = gen();
  expect(named.status).toBe(0);
  expect(named.stdout).not.toContain('reaches no node');
});

test('a ${…} that names a variable set only further down .env is refused in one line that says so, nothing written', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const env = join(out(), '.env');
  writeFileSync(
    env,
    readFileSync(env, 'utf8').replace(/^RESTATE_LOG_FILTER=.*$/m, 'RESTATE_LOG_FILTER=${MY_FILTER}') +
      'MY_FILTER=debug\n',
  );
  const before = readFileSync(env, 'utf8');
  const r = gen();
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 2,
    stderr: `gen-compose: .env has RESTATE_LOG_FILTER=\${MY_FILTER}, and MY_FILTER is set only further down .env: docker compose reads a \${…} from the shell or the lines above it, so it reads MY_FILTER there as empty; move the MY_FILTER line above it; nothing in ${out()} was changed\n`,
  });
  expect(readFileSync(env, 'utf8')).toBe(before);
  // Above it, it is read (and kept as written).
  writeFileSync(env, 'MY_FILTER=debug\n' + before.replace(/^MY_FILTER=debug\n/m, ''));
  const fixed = gen();
  expect(fixed.status).toBe(0);
  expect(fixed.stdout).toContain('RESTATE_LOG_FILTER=debug');
});

test('under Swarm, a .env line that sh reads otherwise than Compose gets a note: the printed steps load .env with sh', () => {
  expect(gen('--nodes', '3', '--target', 'swarm').status).toBe(0);
  appendFileSync(join(out(), '.env'), "MY_NOTE=hello world\nQUOTED='hello world'\nCOMMENTED=abc # a comment\n");
  const r = gen();
  expect(r.status).toBe(0);
  const notes = r.stdout.split('\n').filter((l) => l.includes('load .env with sh'));
  expect(notes).toEqual([
    "note: MY_NOTE=hello world in .env: the printed Swarm steps load .env with sh (. ./.env), which reads it otherwise than docker compose does; quote the value ('…')",
  ]);
});
