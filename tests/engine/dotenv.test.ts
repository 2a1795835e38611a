// .env as Docker Compose reads it: src/load/dotenv.ts held against the real `docker compose
// config` (client side only: no container starts), and a regeneration that keeps such lines
// keeps what Compose reads from them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { composeDotenvValues } from '../../src/load/dotenv.js';
import { CLI } from '../helpers.js';
import { describeWithEngine, run, type Engine } from './harness.js';

/** Lines whose reading differs between npm's dotenv and Compose, or that are easy to get wrong. */
const CORPUS = [
  'A=abc#def',
  'B=abc #comment',
  "C='lit ${A} $x' # c",
  'D="dq ${A} \\n x\\"y \\$z" # c',
  'E=${A}-x',
  'F=pa$word',
  'G=pa$$word',
  'H=  spaced value  ',
  'export I=exp',
  'J="multi\nline"',
  'K=',
  "N=x'y'",
  'O=${UNSET:-dflt}',
  'P=tab\t#t',
  'S:colon',
  'T = spaced',
  'U=#start',
  'V=a\\nb',
  "X='a\\'b'",
  'Y=${B:+set}',
  '# a comment',
  '   # an indented comment',
];

/** Every variable of a .env, as `docker compose config` puts it into a service's environment. */
function composeReads(engine: Engine, envText: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'gce-test-dotenv-'));
  try {
    const names = Object.keys(composeDotenvValues(envText));
    writeFileSync(join(dir, '.env'), envText);
    const environment = names.map((n) => `      ${n}: "\${${n}}"`).join('\n');
    writeFileSync(
      join(dir, 'docker-compose.yaml'),
      `services:\n  s:\n    image: x\n    environment:\n${environment}\n`,
    );
    // Without the shell's variables, as gen-compose reads .env (word of F, z: unset everywhere).
    const r = run(engine.env, 'docker', ['compose', 'config', '--format', 'json'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: engine.env.DOCKER_CONFIG },
    });
    const config = JSON.parse(r.stdout) as { services: { s: { environment: Record<string, string> } } };
    // The config's output writes a literal $ as $$, ready for another interpolation.
    return Object.fromEntries(
      Object.entries(config.services.s.environment).map(([k, v]) => [k, String(v).replaceAll('$$', '$')]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeWithEngine('.env as docker compose reads it', (engine) => {
  test('every line of the corpus is read as docker compose config reads it', () => {
    const text = CORPUS.join('\n') + '\n';
    expect(composeDotenvValues(text)).toEqual(composeReads(engine, text));
  });

  test("a regeneration keeps the user's lines as Compose reads them: a #, a ${VAR}, a $ in a password, an inline comment", () => {
    const dir = mkdtempSync(join(tmpdir(), 'gce-test-dotenv-'));
    try {
      const gen = (...flags: string[]) => run(engine.env, process.execPath, [CLI, '--out', dir, ...flags], {});
      gen('--nodes', '3');
      const env = join(dir, '.env');
      const edited =
        readFileSync(env, 'utf8').replace(
          /^MINIO_ROOT_PASSWORD=.*$/m,
          'MINIO_ROOT_PASSWORD=Zq8$x-Long-Enough-9 # mine',
        ) + 'MY_HASH=abc#def\nMY_USER=${MINIO_ROOT_USER}-app\nMY_NOTE="two words" # why\n';
      writeFileSync(env, edited);
      const before = composeReads(engine, edited);
      gen('--nodes', '3', '--memory', '2G');
      const after = composeReads(engine, readFileSync(env, 'utf8'));
      for (const name of ['MINIO_ROOT_PASSWORD', 'MY_HASH', 'MY_USER', 'MY_NOTE', 'MINIO_ROOT_USER'])
        expect([name, after[name]]).toEqual([name, before[name]]);
      expect(readFileSync(env, 'utf8')).toContain('MY_USER=${MINIO_ROOT_USER}-app');
      expect(readFileSync(env, 'utf8')).toContain('MY_NOTE="two words" # why');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
