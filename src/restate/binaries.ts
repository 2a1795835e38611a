import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

export type Tool = 'restate-server' | 'restatectl';

export interface Binary {
  path: string;
  version: string;
  /** Where it was found, for reports. */
  source: string;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const platformPackage = (tool: Tool) => `@restatedev/${tool}-${process.platform}-${process.arch}`;

/**
 * Binaries of specific versions, fetched from npm by `check --fetch` (or the test suite):
 * <cache>/<tool>-<version>/bin/<tool>. Kept beside the installed packages, not in the user's home.
 */
export function binaryCacheDir(): string {
  return (
    process.env.GEN_COMPOSE_CACHE ?? fileURLToPath(new URL('../../node_modules/.cache/gen-compose/', import.meta.url))
  );
}

function cached(tool: Tool, version: string): string | undefined {
  const path = join(binaryCacheDir(), `${tool}-${version}`, 'bin', tool);
  return executable(path) ? path : undefined;
}

/**
 * The native binary from npm's platform package (@restatedev/restate-server-linux-x64, …).
 * The package's own `bin` is a Node launcher; a signal sent to it would not reach the server,
 * and the rehearsal must be able to SIGKILL a node.
 */
function fromNodeModules(tool: Tool): string | undefined {
  for (const base of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      const manifest = createRequire(base).resolve(`${platformPackage(tool)}/package.json`);
      const path = join(dirname(manifest), 'bin', tool);
      if (executable(path)) return path;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/** An executable on PATH (then in `extraDirs`, for sbin tools such as haproxy). */
export function findOnPath(name: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    const path = join(dir, name);
    if (dir && executable(path)) return path;
  }
  return undefined;
}

export function versionOf(path: string): string {
  let out: string;
  try {
    out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { signal?: string; status?: number; stderr?: string };
    const why = e.signal
      ? `was stopped by ${e.signal}`
      : `failed (exit ${e.status ?? '?'}${e.stderr?.trim() ? `: ${e.stderr.trim().split('\n')[0]}` : ''})`;
    throw new UsageError(`${path} --version ${why}; is it restate-server or restatectl?`);
  }
  const m = /(\d+\.\d+\.\d+)/.exec(out);
  if (!m) throw new UsageError(`${path} --version printed no version: ${out.trim()}`);
  return m[1]!;
}

/**
 * Finds a tool: the given path; else, when a version is wanted, that version from the cache;
 * else node_modules, then PATH (whatever version they hold: callers compare). Says what to
 * install when there is none.
 */
export function findBinary(tool: Tool, options: { explicit?: string; version?: string } = {}): Binary {
  const { explicit, version } = options;
  if (explicit) {
    if (!executable(explicit)) throw new UsageError(`--${tool} ${explicit} is not an executable file`);
    return { path: explicit, version: versionOf(explicit), source: `--${tool}` };
  }
  const fromCache = version === undefined ? undefined : cached(tool, version);
  if (fromCache) return { path: fromCache, version: versionOf(fromCache), source: 'cache' };
  const installed = fromNodeModules(tool);
  if (installed) return { path: installed, version: versionOf(installed), source: 'node_modules' };
  const onPath = findOnPath(tool);
  if (onPath) return { path: onPath, version: versionOf(onPath), source: 'PATH' };
  throw new UsageError(
    `${tool} not found (looked in node_modules and PATH): install it with "npm install --save-dev @restatedev/${tool}" or pass --${tool} PATH`,
  );
}

const PACK_ATTEMPTS = 3;
const PACK_TIMEOUT_MS = 600_000;

/** Why one `npm pack` failed, in a few words: its error line, its exit code, or the time-out. */
function packFailure(error: unknown): { why: string; final: boolean } {
  const e = error as { stderr?: Buffer; signal?: string; status?: number | null };
  if (e.signal)
    return { why: `npm pack was stopped by ${e.signal} after ${PACK_TIMEOUT_MS / 60_000} minutes`, final: false };
  const errorLines = String(e.stderr ?? '')
    .split('\n')
    .filter((l) => /error/i.test(l));
  const said = errorLines.find((l) => !/^npm error (code |A complete log)/.test(l)) ?? errorLines[0];
  // A version npm does not have stays missing: asking again only makes the user wait.
  const final = errorLines.some((l) => /\b(ETARGET|E404)\b/.test(l));
  return { why: said?.trim() ?? `npm pack exited ${e.status ?? '?'}`, final };
}

/**
 * `npm pack` the package into `work`. A platform package is 70 MB or more: one slow or dropped
 * download must not end the run (a CI run's only fetch once timed out), so it is tried again.
 */
function packWithRetries(spec: string, work: string): void {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= PACK_ATTEMPTS; attempt++) {
    try {
      execFileSync('npm', ['pack', spec, '--pack-destination', work, '--loglevel=error'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: PACK_TIMEOUT_MS,
      });
      return;
    } catch (error) {
      const { why, final } = packFailure(error);
      failures.push(why);
      if (final) break;
      for (const partial of readdirSync(work)) rmSync(join(work, partial), { recursive: true, force: true });
    }
  }
  const tries = failures.length > 1 ? ` (${failures.length} tries)` : '';
  throw new UsageError(`could not fetch ${spec} from npm${tries}: ${failures.join('; ')}`);
}

/**
 * Fetches one version's binary from npm (the platform package, e.g.
 * @restatedev/restate-server-linux-x64@1.6.1) into the cache, with the ordinary npm client.
 */
export function fetchBinary(tool: Tool, version: string): Binary {
  const existing = cached(tool, version);
  if (existing) return { path: existing, version, source: 'cache' };
  const cache = binaryCacheDir();
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, '.fetch-'));
  try {
    const spec = `${platformPackage(tool)}@${version}`;
    packWithRetries(spec, work);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new UsageError(`npm pack ${spec} produced no tarball`);
    execFileSync('tar', ['xzf', join(work, tarball), '-C', work]);
    // Rename into place last, so an interrupted fetch never leaves a half-extracted binary.
    const target = join(cache, `${tool}-${version}`);
    rmSync(target, { recursive: true, force: true });
    renameSync(join(work, 'package'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const path = cached(tool, version);
  if (!path) throw new UsageError(`fetched ${tool} ${version}, but it holds no runnable bin/${tool}`);
  return { path, version: versionOf(path), source: 'npm (fetched)' };
}
