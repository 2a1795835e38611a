import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { STACK_OVERRIDE_FILE } from '../output-files.js';
import type { Operator } from '../plan/running-commands.js';
import { shellWord } from '../render/header.js';

/**
 * How to run this gen-compose from the output directory, for the "Regenerate" line: its own
 * file, relative to the directory, so a clone (where gen-compose is not on PATH) works as
 * printed; npx's cache is no place to point at, so from there, npx.
 */
export function programFrom(out: string, bin: string | undefined): string {
  if (bin === undefined || !existsSync(bin)) return 'npx gen-compose';
  // npx runs a project's own bin through a link in its cache: the real file is what counts.
  const realBin = realpathSync(bin);
  if (/[\\/]_npx[\\/]/.test(realBin)) return 'npx gen-compose';
  return `node ${shellWord(relative(realDirectory(out), realBin))}`;
}

/** A directory's real path (through symbolic links), also before it exists. */
function realDirectory(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return join(realpathSync(existing), ...rest);
}

/** Who runs the printed commands in the output directory (see Operator). */
export function operatorIn(out: string, bin: string | undefined): Operator {
  return { program: programFrom(out, bin), stackOverride: existsSync(join(out, STACK_OVERRIDE_FILE)) };
}
