// One resolved plan: each tunable knows its planned value (the compose file's fallback, the state
// file's record) and its effective one (what .env holds, hand edits kept), and the user's own
// variables are part of the plan. Each file reads the values it is meant to.
import { parse as parseDotenv } from 'dotenv';
import { keepExistingValues } from '../src/plan/kept-values.js';
import { validateOptions } from '../src/plan/options.js';
import { planCluster } from '../src/plan/plan.js';
import { generateSecrets, seededSource } from '../src/plan/secrets.js';
import { renderCluster } from '../src/render/index.js';

const generator = { version: '0.0.0-test', program: 'gen-compose' };
const planned = planCluster(validateOptions({ nodes: 3 }), generateSecrets(seededSource('resolved')));
const written = Object.fromEntries(planned.tunables.filter((t) => !t.secret).map((t) => [t.name, t.planned]));

test('a fresh plan: every value in effect is the planned one, and the user has no variables', () => {
  for (const t of planned.tunables) expect(t.effective).toBe(t.planned);
  expect(planned.userVariables).toEqual({});
});

test('a hand-edited port and a variable of the user: .env and the README take them, compose and state do not', () => {
  const { plan, edited } = keepExistingValues(planned, written, {
    ...written,
    NODE1_INGRESS_PORT_OVERRIDE: '18080',
    MY_OWN: 'kept',
  });
  expect(edited).toEqual(new Set(['NODE1_INGRESS_PORT_OVERRIDE']));
  expect(plan.userVariables).toEqual({ MY_OWN: 'kept' });
  const port = plan.tunables.find((t) => t.name === 'NODE1_INGRESS_PORT_OVERRIDE')!;
  expect([port.planned, port.effective]).toEqual(['8080', '18080']);

  const files = Object.fromEntries(renderCluster(plan, generator).map((f) => [f.path, f.content]));
  const env = parseDotenv(files['.env']!);
  expect(env.NODE1_INGRESS_PORT_OVERRIDE).toBe('18080');
  expect(env.MY_OWN).toBe('kept');
  expect(files['docker-compose.yaml']).toContain('${NODE1_INGRESS_PORT_OVERRIDE:-8080}');
  expect(files['docker-compose.yaml']).not.toContain('MY_OWN');
  const state = JSON.parse(files['.gen-compose.json']!) as { tunables: Record<string, string> };
  expect(state.tunables.NODE1_INGRESS_PORT_OVERRIDE).toBe('8080');
  expect(files['README.md']).toContain('http://127.0.0.1:18080');
});
