import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir } from './helpers.js';

// A Restate setting of the user's in .env that no file names reaches no node (issue 19 trial 19c D13).

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
