import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { systemErrorMessage, UsageError } from '../errors.js';
import { missingDirectories, realFileOps, type FileOps } from './file-ops.js';
import { busy, lockHolder, removeStaleLock } from './lock.js';
import type { RenderedFile } from '../render/index.js';

/**
 * Writes a set of files, and removes files gen-compose no longer renders, so that a reader sees
 * either the old directory or the new one, never a mix, whatever step fails or is interrupted:
 * 1. stage: every new file goes into `.gen-compose.staging/new/` beside the targets (same file
 *    system, so renames are atomic), fsynced; every file about to be replaced or removed is
 *    hard-linked into `old/` (its content, kept for a rollback);
 * 2. commit: the journal (what to write, what to remove, what existed) is renamed into place
 *    as `FORWARD`: from here on the new set is the truth;
 * 3. apply: each staged file is renamed into place, each stale file unlinked; the staging
 *    directory is renamed to `.gen-compose.trash` (it is done) and deleted.
 * A failure in 3 renames the journal to `BACKWARD` (one atomic step) and restores `old/`.
 * The next run first completes what it finds: no journal discards the staging directory (old
 * set), `FORWARD` rolls forward (new set), `BACKWARD` rolls back (old set). Every step is
 * idempotent, so an interruption of the recovery itself is recovered the same way.
 */
export const STAGING_DIR = '.gen-compose.staging';
/** A finished staging directory, renamed before it is deleted so no half-deleted journal is read. */
export const TRASH_DIR = '.gen-compose.trash';
const FORWARD = 'FORWARD';
const BACKWARD = 'BACKWARD';

export { makeDirectories, realFileOps, type FileOps } from './file-ops.js';

interface Journal {
  /** Paths (relative to the output directory) that get new content. */
  write: string[];
  /** Paths that are removed. */
  remove: string[];
  /** Of both, the paths that existed before: their content is in old/. */
  existed: string[];
  /** Directories the new files need that did not exist: a rollback removes them again. */
  createdDirs: string[];
}

const isJournal = (j: unknown): j is Journal =>
  typeof j === 'object' &&
  j !== null &&
  (['write', 'remove', 'existed', 'createdDirs'] as const).every((k) =>
    Array.isArray((j as Record<string, unknown>)[k]),
  );

/** Parent directories of a relative path, deepest first ('a/b/c' → 'a/b', 'a'). */
function parents(path: string): string[] {
  const dirs: string[] = [];
  for (let d = dirname(path); d !== '.' && d !== '/'; d = dirname(d)) dirs.push(d);
  return dirs;
}

function rollForward(dir: string, journal: Journal, ops: FileOps): void {
  const staging = join(dir, STAGING_DIR);
  for (const path of journal.write) {
    // Absent when an earlier attempt already moved it.
    if (!fs.existsSync(join(staging, 'new', path))) continue;
    ops.mkdir(dirname(join(dir, path)));
    ops.rename(join(staging, 'new', path), join(dir, path));
  }
  for (const path of journal.remove) {
    if (fs.existsSync(join(dir, path))) ops.unlink(join(dir, path));
    for (const parent of parents(path)) ops.removeEmptyDir(join(dir, parent));
  }
}

function rollBack(dir: string, journal: Journal, ops: FileOps): void {
  const staging = join(dir, STAGING_DIR);
  const existed = new Set(journal.existed);
  for (const path of [...journal.write, ...journal.remove]) {
    if (existed.has(path)) {
      // Absent when an earlier attempt already restored it; the same as the file in place when
      // that was never replaced (an immutable file must not be touched to be "restored").
      if (!fs.existsSync(join(staging, 'old', path)) || sameFile(join(staging, 'old', path), join(dir, path))) continue;
      ops.mkdir(dirname(join(dir, path)));
      ops.rename(join(staging, 'old', path), join(dir, path));
    } else if (!fs.existsSync(join(staging, 'new', path)) && fs.existsSync(join(dir, path))) {
      // A file that did not exist before and was already moved into place.
      ops.unlink(join(dir, path));
    }
  }
  for (const created of journal.createdDirs) ops.removeEmptyDir(join(dir, created));
}

/**
 * Retires a staging directory whose journal has been carried out: one rename makes it garbage
 * (a failure before it is recovered again, idempotently), then it is deleted if possible.
 */
function finish(dir: string, ops: FileOps): void {
  try {
    ops.removeTree(join(dir, TRASH_DIR));
    ops.rename(join(dir, STAGING_DIR), join(dir, TRASH_DIR));
    ops.removeTree(join(dir, TRASH_DIR));
  } catch {
    // The files are in place; what is left is garbage the next run removes.
  }
}

/** Whether two paths hold the same file (a hard link) or the same bytes and mode. */
function sameFile(a: string, b: string): boolean {
  if (!fs.existsSync(b)) return false;
  const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
  if (sa.ino === sb.ino && sa.dev === sb.dev) return true;
  return sa.mode === sb.mode && sa.size === sb.size && fs.readFileSync(a).equals(fs.readFileSync(b));
}

/**
 * A file that exists keeps the mode, owner and group it has: a user who made .env 0640 for a
 * group that deploys (chgrp deploy) or docker-compose.yaml 0600 chose it, and a regeneration
 * run as root had left root's group on the new file. A new file gets gen-compose's (.env 0600).
 */
function withKeptMode(path: string, file: RenderedFile): RenderedFile {
  const stat = fs.lstatSync(path, { throwIfNoEntry: false });
  return stat?.isFile() ? { ...file, mode: stat.mode & 0o777, owner: { uid: stat.uid, gid: stat.gid } } : file;
}

/** Whether a file on disk already has this content and mode (then it need not be written). */
function unchanged(path: string, file: RenderedFile): boolean {
  if (!fs.existsSync(path)) return false;
  const stat = fs.statSync(path);
  return stat.isFile() && (stat.mode & 0o777) === file.mode && fs.readFileSync(path, 'utf8') === file.content;
}

/**
 * A write that failed. `restored`: the old files are back (the directory is as it was); if not,
 * the undo itself failed and the next run finishes it (the journal says how).
 */
export class WriteFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly restored: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** A failed write as one line: what the system refused, and what state the directory is in. */
export function writeFailure(error: unknown, dir: string): string {
  if (!(error instanceof WriteFailed)) return systemErrorMessage(error);
  return error.restored
    ? `${systemErrorMessage(error.cause)}; nothing in ${dir} was changed`
    : `${systemErrorMessage(error.cause)}; undoing it failed too, and the next gen-compose run on ${dir} finishes undoing it`;
}

function readJournal(path: string): Journal {
  const journal: unknown = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (!isJournal(journal)) throw new Error(`${path} is not a gen-compose journal`);
  return journal;
}

/** Whether a directory holds a write that was interrupted (the next write completes it). */
export function hasInterruptedWrite(dir: string): boolean {
  return fs.existsSync(join(dir, STAGING_DIR));
}

/** What gen-compose puts in its staging (and trash) directory, and nothing else. */
const SCRATCH_ENTRIES = new Set(['new', 'old', 'journal.tmp', FORWARD, BACKWARD]);

/**
 * A file or directory of the user's that happens to have our scratch directory's name is not
 * ours to delete: only a directory holding nothing but what a write puts there is.
 */
function checkScratchIsOurs(path: string): void {
  if (!fs.existsSync(path)) return;
  const ours = fs.lstatSync(path).isDirectory() && fs.readdirSync(path).every((name) => SCRATCH_ENTRIES.has(name));
  if (!ours)
    throw new UsageError(`${path} is not gen-compose's (it keeps unfinished writes under that name): move it away`);
}

/**
 * Finishes or undoes a write that was interrupted, so the directory is entirely old or entirely
 * new before anything reads it. Says which, for the summary. A roll-forward that fails turns
 * into a rollback (the old files are all still in old/).
 */
export function recoverInterruptedWrite(dir: string, ops: FileOps = realFileOps): 'none' | 'completed' | 'rolled back' {
  const staging = join(dir, STAGING_DIR);
  checkScratchIsOurs(staging);
  checkScratchIsOurs(join(dir, TRASH_DIR));
  // A run that holds the lock is writing now: its staging directory is no leftover.
  const holder = lockHolder(dir);
  if (holder !== undefined) throw busy(dir, holder);
  removeStaleLock(dir);
  if (fs.existsSync(join(dir, TRASH_DIR))) ops.removeTree(join(dir, TRASH_DIR));
  if (!fs.existsSync(staging)) return 'none';
  let outcome: 'completed' | 'rolled back' = 'rolled back';
  if (fs.existsSync(join(staging, FORWARD))) {
    const journal = readJournal(join(staging, FORWARD));
    try {
      rollForward(dir, journal, ops);
      outcome = 'completed';
    } catch {
      ops.rename(join(staging, FORWARD), join(staging, BACKWARD));
      rollBack(dir, journal, ops);
    }
  } else if (fs.existsSync(join(staging, BACKWARD))) {
    rollBack(dir, readJournal(join(staging, BACKWARD)), ops);
  }
  // Without a journal the staging directory never committed: the old files are untouched.
  finish(dir, ops);
  return outcome;
}

/**
 * Writes `files` into `dir` and removes `stale` (paths relative to dir), all or nothing. Throws
 * the first failing operation's error after restoring the old files. Returns the paths it
 * wrote: a file already as it should be is left alone and not among them.
 */
export function writeFiles(
  dir: string,
  all: RenderedFile[],
  stale: string[] = [],
  ops: FileOps = realFileOps,
): string[] {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
    throw new UsageError(`${dir} exists and is not a directory`);
  // The directories --out creates, outermost first: a failed first write removes them again.
  const createdOut = missingDirectories(dir).reverse();
  const removeCreatedOut = () => createdOut.forEach((d) => ops.removeEmptyDir(d));
  try {
    ops.mkdir(dir);
    recoverInterruptedWrite(dir, ops);
  } catch (error) {
    removeCreatedOut();
    throw new WriteFailed(error, true);
  }
  const staging = join(dir, STAGING_DIR);
  if (fs.existsSync(staging))
    throw new WriteFailed(new Error(`could not clear ${staging} (left by an earlier run)`), true);
  // A file already as it should be is not rewritten (nor touched: it may be immutable).
  const files = all.map((f) => withKeptMode(join(dir, f.path), f)).filter((f) => !unchanged(join(dir, f.path), f));
  const journal: Journal = { write: files.map((f) => f.path), remove: stale, existed: [], createdDirs: [] };
  // Deepest first, so a rollback empties a directory before its parent.
  const needed = [...new Set(journal.write.flatMap(parents))].sort((a, b) => b.length - a.length);
  journal.createdDirs = needed.filter((d) => !fs.existsSync(join(dir, d)));
  try {
    ops.mkdir(join(staging, 'old'));
    for (const file of files) {
      ops.mkdir(dirname(join(staging, 'new', file.path)));
      ops.writeFile(join(staging, 'new', file.path), file.content, file.mode, file.owner);
    }
    for (const path of [...journal.write, ...journal.remove]) {
      if (!fs.existsSync(join(dir, path))) continue;
      ops.mkdir(dirname(join(staging, 'old', path)));
      ops.keep(join(dir, path), join(staging, 'old', path));
      journal.existed.push(path);
    }
    ops.writeFile(join(staging, 'journal.tmp'), JSON.stringify(journal), 0o644);
    // The commit point: one rename.
    ops.rename(join(staging, 'journal.tmp'), join(staging, FORWARD));
  } catch (error) {
    finish(dir, ops);
    removeCreatedOut();
    throw new WriteFailed(error, true);
  }
  try {
    rollForward(dir, journal, ops);
  } catch (error) {
    try {
      ops.rename(join(staging, FORWARD), join(staging, BACKWARD));
      rollBack(dir, journal, ops);
    } catch {
      // The undo failed too: the BACKWARD journal (or FORWARD, if even that rename failed) tells
      // the next run what to finish. The first error is the one to report.
      throw new WriteFailed(error, false);
    }
    finish(dir, ops);
    throw new WriteFailed(error, true);
  }
  finish(dir, ops);
  return files.map((f) => join(dir, f.path));
}
