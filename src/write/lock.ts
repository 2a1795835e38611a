import * as fs from 'node:fs';
import { join } from 'node:path';
import { systemErrorMessage, UsageError } from '../errors.js';

/**
 * One gen-compose at a time per output directory. Two runs at once read the same old files,
 * share one staging directory and each recovers the other's write in progress: the files they
 * leave disagree. The lock holds the owner's pid; one left by a process that died (SIGKILL) is
 * taken over.
 */
export const LOCK_FILE = '.gen-compose.lock';

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The refusal while another run holds the lock: one wording wherever a run meets it. */
export const busy = (dir: string, pid: number) =>
  new UsageError(`another gen-compose (pid ${pid}) is writing ${dir} right now; run again when it is done`);

/** The pid of a live process holding the directory's lock, if any. */
export function lockHolder(dir: string): number | undefined {
  const pid = ownerOf(join(dir, LOCK_FILE));
  return pid !== undefined && pid !== process.pid && alive(pid) ? pid : undefined;
}

/** Removes a lock whose owner is gone (what a killed run leaves). */
export function removeStaleLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (fs.existsSync(path) && lockHolder(dir) === undefined && ownerOf(path) !== process.pid)
    fs.rmSync(path, { force: true });
}

/** Takes the directory's lock (the directory must exist); returns its release. */
export function acquireLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(path, 'wx', 0o644);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        if (ownerOf(path) === process.pid) fs.rmSync(path, { force: true });
      };
    } catch (error) {
      // A directory gen-compose cannot write (read-only, say) is refused before anything else.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new UsageError(`${systemErrorMessage(error)}; nothing in ${dir} was changed`);
      const holder = lockHolder(dir);
      if (holder !== undefined) {
        const refusal = busy(dir, holder);
        refusal.message += ` (or, if no such process exists, delete ${path})`;
        throw refusal;
      }
      removeStaleLock(dir);
    }
  }
  throw new UsageError(`cannot take ${path}: another gen-compose keeps taking it; run again`);
}
