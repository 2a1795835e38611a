import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Every operation the writer performs on the file system: the fault-injection tests wrap these. */
export interface FileOps {
  mkdir(path: string): void;
  /** Writes and fsyncs a whole file; with an owner, gives it that owner and group where the process may. */
  writeFile(path: string, content: string, mode: number, owner?: { uid: number; gid: number }): void;
  /** A second name for a file's content: a hard link, or a copy where links are not supported. */
  keep(from: string, to: string): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Removes a directory tree; succeeds if it is absent. */
  removeTree(path: string): void;
  /** Removes an empty directory; does nothing if it is absent or not empty. */
  removeEmptyDir(path: string): void;
}

/** The directories of a path that do not exist yet, outermost first (absolute). */
export function missingDirectories(path: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(path); !fs.existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  return missing;
}

/**
 * mkdir -p, one level at a time. Node's recursive mkdir reports ENOENT for a parent it could not
 * create (a read-only file system) and loops forever under /proc; this surfaces the real
 * reason (EROFS, EACCES, ENOTDIR) and stops.
 */
export function makeDirectories(path: string): string[] {
  const missing = missingDirectories(path);
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
      // Not as the umask narrows it: the add-ons' containers run as users of their own and read
      // their config directory through a bind mount (under umask 077 it came out 0700, root's).
      fs.chmodSync(d, 0o755);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(d).isDirectory()) throw error;
    }
  }
  // What it created, innermost first (to remove them again).
  return missing.reverse();
}

/**
 * The owner and group of the file being replaced. Root may give any; another user only a group
 * it belongs to, and otherwise the new file keeps the process's (EPERM: nothing more to do).
 */
function keepOwner(fd: number, { uid, gid }: { uid: number; gid: number }): void {
  const current = fs.fstatSync(fd);
  if (current.uid === uid && current.gid === gid) return;
  try {
    fs.fchownSync(fd, uid, gid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

export const realFileOps: FileOps = {
  mkdir: (path) => void makeDirectories(path),
  writeFile: (path, content, mode, owner) => {
    const fd = fs.openSync(path, 'w', mode);
    try {
      if (owner) keepOwner(fd, owner);
      // The exact mode, not as the umask narrows it: a mode kept from the user's file is theirs.
      fs.fchmodSync(fd, mode);
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  keep: (from, to) => {
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (path) => fs.unlinkSync(path),
  removeTree: (path) => fs.rmSync(path, { recursive: true, force: true }),
  removeEmptyDir: (path) => {
    try {
      fs.rmdirSync(path);
    } catch {
      // not empty, or absent: either way nothing to do
    }
  },
};
