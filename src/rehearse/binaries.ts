import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

export type Tool = 'restate-server' | 'restatectl';

export interface Binary {
  path: string;
  version: string;
  /** Where it was found, for the report. */
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

/**
 * The native binary from npm's platform package (@restatedev/restate-server-linux-x64, …).
 * The package's own `bin` is a Node launcher; a signal sent to it would not reach the server,
 * and the rehearsal must be able to SIGKILL a node.
 */
function fromNodeModules(tool: Tool): string | undefined {
  const platformPackage = `@restatedev/${tool}-${process.platform}-${process.arch}`;
  for (const base of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      const manifest = createRequire(base).resolve(`${platformPackage}/package.json`);
      const path = join(dirname(manifest), 'bin', tool);
      if (executable(path)) return path;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

function fromPath(tool: Tool): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, tool);
    if (dir && executable(path)) return path;
  }
  return undefined;
}

export function versionOf(path: string): string {
  const out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /(\d+\.\d+\.\d+)/.exec(out);
  if (!m) throw new UsageError(`${path} --version printed no version: ${out.trim()}`);
  return m[1]!;
}

/** Finds a tool: the given path, then node_modules, then PATH; says what to install when none. */
export function findBinary(tool: Tool, explicit?: string): Binary {
  if (explicit) {
    if (!executable(explicit)) throw new UsageError(`--${tool} ${explicit} is not an executable file`);
    return { path: explicit, version: versionOf(explicit), source: `--${tool}` };
  }
  const installed = fromNodeModules(tool);
  if (installed) return { path: installed, version: versionOf(installed), source: 'node_modules' };
  const onPath = fromPath(tool);
  if (onPath) return { path: onPath, version: versionOf(onPath), source: 'PATH' };
  throw new UsageError(
    `${tool} not found (looked in node_modules and PATH): install it with "npm install --save-dev @restatedev/${tool}" or pass --${tool} PATH`,
  );
}
