// .env read as Docker Compose reads it (src/load/dotenv.ts; tests/engine/dotenv.test.ts holds the
// reading against the real `docker compose config`), and what a regeneration does with it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseComposeDotenv } from '../src/load/dotenv.js';
import { CLI, runCli, tempDir } from './helpers.js';

test('values and their text as written', () => {
  const parsed = parseComposeDotenv(
    'A=abc#def\nB=abc #c\nC="x ${A}" # why\nexport D=${B}-${UNSET:-d}\nE=\'a$b\'\n# note\n',
  );
  expect(Object.fromEntries(Object.entries(parsed).map(([k, e]) => [k, e.value]))).toEqual({
    A: 'abc#def',
    B: 'abc',
    C: 'x abc#def',
    D: 'abc-d',
    E: 'a$b',
  });
  expect(parsed.B!.raw).toBe('abc #c');
  expect(parsed.C!.raw).toBe('"x ${A}" # why');
  expect(() => parseComposeDotenv('A=1\nB="open\n')).toThrow('line 2: unterminated quoted value "open');
  expect(() => parseComposeDotenv('A=1\nnot a line\n')).toThrow('line 2: "not a line" is not KEY=value');
  // A quote left open runs on to the next one; what follows that is refused, as Compose does.
  expect(() => parseComposeDotenv("P='S3cr#t\nQ=1\nV='x',y\n")).toThrow(
    'line 3: unexpected "x\',y" after a quoted value (is a quote left open above it?)',
  );
  expect(parseComposeDotenv("L='a'b\n").L!.value).toBe('a');
  expect(parseComposeDotenv('A=1\nlonely\nB=2\n')).toEqual({
    A: { value: '1', raw: '1' },
    B: { value: '2', raw: '2' },
  });
});

describe('a regeneration over a .env', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());
  const gen = (...flags: string[]) => runCli(['--out', dir.path, ...flags]);
  const env = () => join(dir.path, '.env');

  test('that docker compose would refuse is refused in one line, and nothing is written', () => {
    expect(gen().status).toBe(0);
    writeFileSync(env(), readFileSync(env(), 'utf8') + 'MY_NOTE="no end\n');
    const before = readFileSync(env(), 'utf8');
    const r = gen('--memory', '2G');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^gen-compose: \.env line \d+: unterminated quoted value "no end, which docker compose refuses too: fix that line\n$/,
    );
    expect(readFileSync(env(), 'utf8')).toBe(before);
  });

  test('a line of ours written otherwise (quoted, an inline comment) keeps its form while its value holds', () => {
    expect(gen().status).toBe(0);
    writeFileSync(env(), readFileSync(env(), 'utf8').replace(/^TZ=UTC$/m, 'TZ="UTC" # we are in UTC'));
    const r = gen('--memory', '2G');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/TZ/);
    expect(readFileSync(env(), 'utf8')).toMatch(/^TZ="UTC" # we are in UTC$/m);
  });

  test("sizes edited by hand beyond the memory limit are kept with check's warning as a note", () => {
    expect(gen('--memory', '2G').status).toBe(0);
    writeFileSync(
      env(),
      readFileSync(env(), 'utf8').replace(
        /^RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE=.*$/m,
        'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE=3GiB',
      ),
    );
    const r = gen();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /note: the sizes kept from your \.env: RocksDB \(3 GiB\) and the query engine \([\d.]+ GiB\) are configured for more than the 2 GiB memory limit: the container will be OOM-killed under load/,
    );
  });

  test('a kept value naming one of your variables, which now come last, is written as the value it read as, said without the value', () => {
    expect(gen().status).toBe(0);
    writeFileSync(
      env(),
      readFileSync(env(), 'utf8').replace(
        /^MINIO_ROOT_PASSWORD=.*$/m,
        'MY_PW=Secret-Long-Enough-77\nMINIO_ROOT_PASSWORD=${MY_PW}',
      ),
    );
    const r = gen('--memory', '2G');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      'note: MINIO_ROOT_PASSWORD in .env names a variable that now comes after it (your own variables go last): written as the value it read as, without the ${…}',
    );
    expect(r.stdout).not.toContain('Secret-Long-Enough-77');
    expect(readFileSync(env(), 'utf8')).toMatch(/^MINIO_ROOT_PASSWORD='?Secret-Long-Enough-77'?$/m);
  });

  test('a ${X:?…} with X set only in the shell is read as docker compose run from that shell reads it', () => {
    expect(gen().status).toBe(0);
    writeFileSync(env(), `${readFileSync(env(), 'utf8')}APP_HOST=\${FROM_SHELL:?set FROM_SHELL}\n`);
    const run = (shell: Record<string, string>) =>
      spawnSync(process.execPath, [CLI, '--out', dir.path, '--memory', '2G'], {
        encoding: 'utf8',
        env: { ...process.env, ...shell },
      });
    const refused = run({});
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/which docker compose refuses too/);
    expect(run({ FROM_SHELL: 'app.internal' }).status).toBe(0);
    expect(readFileSync(env(), 'utf8')).toContain('APP_HOST=${FROM_SHELL:?set FROM_SHELL}');
  });

  test('a kept ${X:?…} whose X now comes after it, which would stop the whole file, is written as its value and said', () => {
    expect(gen().status).toBe(0);
    writeFileSync(
      env(),
      readFileSync(env(), 'utf8').replace(
        /^MINIO_ROOT_PASSWORD=.*$/m,
        'MY_PW=Secret-Long-Enough-77\nMINIO_ROOT_PASSWORD=${MY_PW:?set MY_PW}',
      ),
    );
    const r = gen('--memory', '2G');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/note: .*MINIO_ROOT_PASSWORD.* in \.env: written as the values they read as/);
    expect(r.stdout).not.toContain('Secret-Long-Enough-77');
    expect(readFileSync(env(), 'utf8')).toMatch(/^MINIO_ROOT_PASSWORD='?Secret-Long-Enough-77'?$/m);
  });
});
