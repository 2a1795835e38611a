import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { RenderedFile } from '../render/index.js';

export interface WriteOptions {
  /** Replace files that already exist. Without it, an existing file is never touched. */
  force: boolean;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes every file or none. Each file first goes to a temporary name in the same directory
 * (so the rename is atomic on one file system); only when all are on disk are they renamed
 * into place. An interrupted run leaves the previous files, not half-written ones.
 */
export function writeFiles(dir: string, files: RenderedFile[], { force }: WriteOptions): string[] {
  if (exists(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`--out ${dir} exists and is not a directory`);
  }
  const existing = files.map((f) => join(dir, f.path)).filter(exists);
  if (existing.length > 0 && !force) {
    throw new UsageError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; refusing to overwrite (pass --force to replace)`);
  }

  mkdirSync(dir, { recursive: true });
  const staged: { temp: string; target: string }[] = [];
  try {
    for (const file of files) {
      const target = join(dir, file.path);
      const temp = join(dir, `.${file.path}.gen-compose-${process.pid}.tmp`);
      staged.push({ temp, target });
      const fd = openSync(temp, 'wx', file.mode);
      try {
        writeSync(fd, file.content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const { temp, target } of staged) renameSync(temp, target);
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw error;
  }
  return staged.map((s) => s.target);
}
