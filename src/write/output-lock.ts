import { existsSync, readdirSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { makeDirectories, realFileOps } from './file-ops.js';
import { acquireLock, LOCK_FILE } from './lock.js';
import { writeFailure, WriteFailed } from './writer.js';

/**
 * The lock of a run that writes (lock.ts): an existing directory's is taken at once; a
 * new directory is made and locked only when the files are about to be written, and must then
 * still be as it was read: empty. A run that fails leaves no directory it made behind.
 */
export function outputLock(out: string, writes: boolean) {
  let release = writes && existsSync(out) ? acquireLock(out) : undefined;
  let created: string[] = [];
  return {
    holdNewDirectory() {
      if (release) return;
      try {
        created = makeDirectories(out);
      } catch (error) {
        throw new UsageError(writeFailure(new WriteFailed(error, true), out));
      }
      release = acquireLock(out);
      const found = readdirSync(out).filter((name) => !name.startsWith(LOCK_FILE));
      if (found.length > 0)
        throw new UsageError(`${out} changed while gen-compose ran (${found[0]} appeared): run again`);
    },
    abandon() {
      release?.();
      release = undefined;
      // A first write that failed leaves no directory behind (the writer removed what it wrote).
      for (const dir of created) realFileOps.removeEmptyDir(dir);
    },
    release() {
      release?.();
      release = undefined;
    },
  };
}
