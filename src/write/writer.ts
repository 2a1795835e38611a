import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import type { RenderedFile } from '../render/index.js';

/**
 * Writes a set of files so that a reader sees either the old set or the new one, never a mix:
 * 1. every new file goes into a staging directory beside the targets (same file system, so
 *    renames are atomic), and is fsynced;
 * 2. a COMMITTED marker is written: from here on the new set is the truth;
 * 3. each file is renamed into place, and the staging directory removed.
 * A run interrupted before 2 leaves the old files and a staging directory the next run
 * discards; one interrupted during 3 is completed by the next run (rolled forward).
 */
export const STAGING_DIR = '.gen-compose.staging';
const MARKER = 'COMMITTED';

function writeDurably(path: string, content: string, mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Files below a directory, as paths relative to it. */
function filesBelow(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(root, path) : [relative(root, path)];
  });
}

/** Moves a staged file into place, creating its directory (files may live in subdirectories). */
function place(staging: string, dir: string, path: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  renameSync(join(staging, path), join(dir, path));
}

/** Finishes or discards a write that was interrupted. Says which, for the summary. */
export function recoverInterruptedWrite(dir: string): 'none' | 'completed' | 'discarded' {
  const staging = join(dir, STAGING_DIR);
  if (!existsSync(staging)) return 'none';
  if (existsSync(join(staging, MARKER))) {
    for (const path of filesBelow(staging)) if (path !== MARKER) place(staging, dir, path);
    rmSync(staging, { recursive: true, force: true });
    return 'completed';
  }
  rmSync(staging, { recursive: true, force: true });
  return 'discarded';
}

export function writeFiles(dir: string, files: RenderedFile[]): string[] {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
  mkdirSync(dir, { recursive: true });
  recoverInterruptedWrite(dir);
  const staging = join(dir, STAGING_DIR);
  mkdirSync(staging);
  try {
    for (const file of files) {
      mkdirSync(dirname(join(staging, file.path)), { recursive: true });
      writeDurably(join(staging, file.path), file.content, file.mode);
    }
    writeDurably(join(staging, MARKER), '', 0o644);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  for (const file of files) place(staging, dir, file.path);
  rmSync(staging, { recursive: true, force: true });
  return files.map((f) => join(dir, f.path));
}
