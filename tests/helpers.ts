import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Ajv } from 'ajv';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The CLI as the package ships it (the bin): the bundle. */
export const CLI = join(ROOT, 'dist', 'bundle', 'gen-compose.js');

export function tempDir(prefix = 'gen-compose-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A directory of its own for each test of the file that calls this (made before, removed after),
 * with the generator run on `cluster` inside it: `gen('--nodes', '5')`. `fresh()` starts over
 * within one test.
 */
export function clusterDir() {
  let dir: { path: string; remove: () => void } | undefined;
  const fresh = () => {
    dir?.remove();
    dir = tempDir();
  };
  beforeEach(fresh);
  afterEach(() => dir?.remove());
  const path = () => dir!.path;
  const out = () => join(path(), 'cluster');
  const gen = (...args: string[]) => runCli([...args, '--out', out()]);
  return { path, out, gen, fresh };
}

/**
 * Whether a program some tests run (haproxy) is installed. Without it, those tests are skipped
 * outside CI with one line saying what to install (once per Jest run), and fail under CI
 * (CI=true), which must run everything.
 */
export function haveTool(name: string, install: string): boolean {
  const found = ['/usr/sbin', '/usr/local/sbin', ...(process.env.PATH ?? '').split(':')].some(
    (dir) => dir && existsSync(join(dir, name)),
  );
  if (found) return true;
  if (process.env.CI === 'true' || process.env.CI === '1')
    throw new Error(`${name} is not installed and CI must run every test: ${install}`);
  const said = join(tmpdir(), `gen-compose-${name}-skip-said`);
  const run = process.env.GEN_COMPOSE_TEST_RUN ?? '';
  if (!(existsSync(said) && readFileSync(said, 'utf8') === run)) {
    process.stderr.write(`tests that run ${name} skipped: it is not installed here (${install})\n`);
    writeFileSync(said, run);
  }
  return false;
}

/** Runs the built CLI as a user would: a separate process, its exit code and output. */
export function runCli(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const schema = JSON.parse(readFileSync(join(ROOT, 'tests', 'schema', 'compose-spec.json'), 'utf8'));
// validateFormats off: the schema names formats (duration, …) that Ajv does not define, and its
// $schema URL (https, no '#') is not the one Ajv registers draft-07 under; the
// structure is what matters here.
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false }).compile(
  schema,
);

/** Errors from the Compose Specification schema; empty when the document is valid. */
export function schemaErrors(document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Replaces the first `from` after a service's header in a compose file: a one-line edit to one service. */
export const inService = (service: string, from: string, to: string) => (compose: string) => {
  const start = compose.indexOf(`\n  ${service}:\n`);
  const at = compose.indexOf(from, start);
  if (start < 0 || at < 0) throw new Error(`${from} not found in ${service}`);
  return compose.slice(0, at) + to + compose.slice(at + from.length);
};

/** Every file below a directory with its mode and bytes: "nothing changed" means this is equal. */
export function snapshotDir(dir: string, prefix = ''): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir).flatMap((n) => {
      const path = join(dir, n);
      if (statSync(path).isDirectory()) return Object.entries(snapshotDir(path, `${prefix}${n}/`));
      return [[`${prefix}${n}`, `${(statSync(path).mode & 0o777).toString(8)} ${readFileSync(path, 'utf8')}`]];
    }),
  );
}
