import * as fs from 'node:fs';
import { join } from 'node:path';
import { systemErrorMessage, UsageError } from '../errors.js';

/**
 * One gen-compose at a time per output directory. Two runs at once read the same old files,
 * share one staging directory and each recovers the other's write in progress: the files they
 * leave disagree. The lock holds the owner's pid and, where the kernel tells it (/proc), the
 * process's start time: a pid alone cannot tell a dead owner from a new process that got its
 * pid (seen after 60 killed runs). A lock whose owner is gone (SIGKILL) is taken over.
 */
export const LOCK_FILE = '.gen-compose.lock';

interface Owner {
  pid: number;
  /** Field 22 of /proc/PID/stat (clock ticks since boot); absent where there is no /proc. */
  startTime?: string;
}

/**
 * Field `n` of /proc/PID/stat (3: the state, R, S, Z for a zombie…; 22: the start time in clock
 * ticks since boot); undefined where there is no /proc.
 */
function statField(pid: number, n: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3];
  } catch {
    return undefined;
  }
}

const startTimeOf = (pid: number) => statField(pid, 22);

function ownerOf(path: string): Owner | undefined {
  try {
    const [pidText, startTime] = fs.readFileSync(path, 'utf8').trim().split(/\s+/);
    const pid = Number(pidText);
    return Number.isInteger(pid) && pid > 0 ? { pid, startTime } : undefined;
  } catch {
    return undefined;
  }
}

function alive({ pid, startTime }: Owner): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie (a killed run its parent has not reaped yet) holds its pid but runs nothing.
  if (statField(pid, 3) === 'Z') return false;
  // The pid is taken: by the owner only if it started when the owner did.
  const now = startTimeOf(pid);
  if (startTime !== undefined) return now === undefined || now === startTime;
  // A pid alone (written by hand, or where /proc was missing): a Node process may be the owner.
  const command = commandOf(pid);
  return command === undefined || /node|gen-compose/.test(command);
}

/** The command line of a process, where /proc tells it. */
function commandOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The refusal while another run holds the lock: one wording wherever a run meets it. */
export const busy = (dir: string, pid: number) =>
  new UsageError(`another gen-compose (pid ${pid}) is writing ${dir} right now; run again when it is done`);

/** The pid of a live process holding the directory's lock, if any. */
export function lockHolder(dir: string): number | undefined {
  const owner = ownerOf(join(dir, LOCK_FILE));
  return owner !== undefined && owner.pid !== process.pid && alive(owner) ? owner.pid : undefined;
}

/** Removes a lock whose owner is gone (what a killed run leaves). */
export function removeStaleLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  // Not ours to remove (a trial's mkdir of the name got "cannot rm …: ERR_FS_EISDIR").
  const found = fs.lstatSync(path, { throwIfNoEntry: false });
  if (found !== undefined && !found.isFile())
    throw new UsageError(
      `${path} is ${found.isDirectory() ? 'a directory' : 'not a file'}, and gen-compose keeps its lock file under that name: move it away and run again; nothing in ${dir} was changed`,
    );
  if (fs.existsSync(path) && lockHolder(dir) === undefined && ownerOf(path)?.pid !== process.pid)
    fs.rmSync(path, { force: true });
  // The file a run writes its lock from (below), left by a run killed before it linked it.
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.startsWith(`${LOCK_FILE}.`)) continue;
    // Its name holds the pid; its content, once written, the start time too.
    const owner = ownerOf(join(dir, name)) ?? { pid: Number(name.slice(LOCK_FILE.length + 1)) };
    if (Number.isInteger(owner.pid) && owner.pid !== process.pid && !alive(owner))
      fs.rmSync(join(dir, name), { force: true });
  }
}

/** Takes the directory's lock (the directory must exist); returns its release. */
export function acquireLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  // Written whole beside it, then linked into place: the lock never exists empty, which another
  // run would read as a dead owner's and take over (seen with three runs at once).
  const written = `${path}.${process.pid}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(written, `${`${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim()}\n`, { mode: 0o644 });
      try {
        fs.linkSync(written, path);
      } finally {
        fs.rmSync(written, { force: true });
      }
      return () => {
        if (ownerOf(path)?.pid === process.pid) fs.rmSync(path, { force: true });
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
