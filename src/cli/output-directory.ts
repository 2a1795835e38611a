import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { systemErrorMessage, UsageError } from '../errors.js';
import {
  COMPOSE_FILE,
  ENV_FILE,
  OTHER_COMPOSE_FILES,
  OUTPUT_FILES,
  OVERRIDE_FILE,
  OVERRIDE_FILES,
  STACK_OVERRIDE_FILE,
  SHADOWING_COMPOSE_FILES,
  STACK_FILE,
  STAMP,
  STATE_FILE,
} from '../output-files.js';
import type { RenderedFile } from '../render/index.js';
import type { ExistingCluster } from '../write/existing.js';
import { busy, LOCK_FILE, lockHolder } from '../write/lock.js';
import { hasInterruptedWrite, recoverInterruptedWrite } from '../write/writer.js';
import type { GenerateArgs } from './generate.js';

/**
 * A write that was interrupted is completed (or undone) before anything is read, so the
 * directory is entirely old or entirely new; modes that write nothing cannot do that.
 */
export function completeInterruptedWrite({ out, mode }: GenerateArgs): void {
  if (!hasInterruptedWrite(out)) return;
  const holder = lockHolder(out);
  if (holder !== undefined && mode !== 'write') throw busy(out, holder);
  if (mode !== 'write') {
    throw new UsageError(
      `${out} holds a write that was interrupted; run gen-compose --out ${out} once (without --${mode}) to complete it`,
    );
  }
  try {
    recoverInterruptedWrite(out);
  } catch (error) {
    throw new UsageError(
      `${out} holds a write that was interrupted and it cannot be completed: ${systemErrorMessage(error)}`,
    );
  }
}

/**
 * What a directory holding none of gen-compose's files already has (`--out /`, `--out ~`): a
 * cluster written there mixes with it, so it takes --force. Compose override files are the
 * user's own half of a cluster (gen-compose never writes them) and the lock is a run's own.
 */
function unrelatedEntries(out: string, existing: ExistingCluster): string[] {
  if (existing.own.size > 0 || !existsSync(out)) return [];
  const expected = new Set<string>([...OVERRIDE_FILES, STACK_OVERRIDE_FILE]);
  // The lock, and the file another run writes it from, are runs' own.
  const entries = readdirSync(out).filter((name) => !expected.has(name) && !name.startsWith(LOCK_FILE));
  // A file where gen-compose writes one, or a compose file of another name: its own refusal
  // (strangers, below) says more about it.
  // Not the add-ons' directories: a run without that add-on writes nothing there, so nothing
  // else would stop it (Debian's /etc/haproxy/haproxy.cfg let a trial write a cluster into /etc).
  const spokenFor = new Set<string>([
    ...OUTPUT_FILES.filter((path) => !path.includes('/')),
    ...SHADOWING_COMPOSE_FILES,
    ...OTHER_COMPOSE_FILES,
  ]);
  return entries.some((name) => spokenFor.has(name)) ? [] : entries.sort();
}

const notOurs = (path: string) =>
  `${path} was not written by gen-compose (it lacks the "${STAMP}" line); refusing to replace it (move it away, or pass --force to replace it)`;

/** Refuses (unless forced, or only printing) a directory that is someone else's, or ours without its state. */
export function judgeExisting(existing: ExistingCluster, { out, force, mode }: GenerateArgs): void {
  if (!existing.ours && !force && mode !== 'stdout') {
    throw new UsageError(notOurs(join(out, existing.foreignFile!)));
  }
  const others = unrelatedEntries(out, existing);
  if (others.length > 0 && !force && mode !== 'stdout') {
    throw new UsageError(
      `${out} is not empty (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}) and holds no cluster of gen-compose's: choose an empty or new directory, or pass --force to write beside what is there`,
    );
  }
  // Our cluster without a readable state file: the refusals to shrink or rename, the options
  // not given and the hand edits all depend on it, so nothing is guessed.
  const ourCluster = [COMPOSE_FILE, STACK_FILE, ENV_FILE].some((f) => existing.own.has(f));
  if (existing.ours && ourCluster && existing.state === undefined && !force && mode !== 'stdout') {
    throw new UsageError(
      `${join(out, STATE_FILE)} is ${existing.contents[STATE_FILE] === undefined ? 'missing' : existing.stateProblem ? `edited (${existing.stateProblem})` : 'damaged'}, so gen-compose cannot tell what it wrote before (the options, its own values from your edits): restore it, or run the "Regenerate" line at the top of ${existing.own.has(STACK_FILE) ? STACK_FILE : COMPOSE_FILE} (every option) with --force`,
    );
  }
}

/**
 * Files in the way of this write that gen-compose did not write: one at a path it writes, or a
 * compose file of another name beside docker-compose.yaml. Refused unless forced; with --force
 * they are replaced (the former) or stay and get a note (the latter).
 */
export function strangers(existing: ExistingCluster, files: RenderedFile[], out: string, force: boolean): string[] {
  // A link at a path gen-compose writes would become a plain file (the write is a rename), and
  // the file it points to would keep the old content: a .env kept elsewhere, say.
  const link = files.find((f) => {
    try {
      return lstatSync(join(out, f.path)).isSymbolicLink();
    } catch {
      return false;
    }
  });
  if (!force && link) {
    throw new UsageError(
      `${join(out, link.path)} is a symbolic link; gen-compose writes whole files and would replace the link, not the file it points to: put the file itself there (or pass --force to replace the link)`,
    );
  }
  const foreign = files.find((f) => existing.foreign.has(f.path));
  const composeFile = files.some((f) => f.path === COMPOSE_FILE);
  const other = composeFile ? existing.otherComposeFiles[0] : undefined;
  const wins = (name: string) => (SHADOWING_COMPOSE_FILES as readonly string[]).includes(name);
  if (!force && foreign) {
    throw new UsageError(notOurs(join(out, foreign.path)));
  }
  if (!force && other) {
    throw new UsageError(
      wins(other)
        ? `${join(out, other)} is not gen-compose's, and docker compose would run it instead of ${COMPOSE_FILE}; move it away (or pass --force to write beside it)`
        : `${join(out, other)} is not gen-compose's and would sit beside ${COMPOSE_FILE} (docker compose warns and uses ours); move it away (or pass --force to write beside it)`,
    );
  }
  // Each target has its own override file; the other target's is read by nothing now.
  const stack = files.some((f) => f.path === STACK_FILE);
  const unread = (stack ? OVERRIDE_FILES : [STACK_OVERRIDE_FILE]).filter((name) => existsSync(join(out, name)));
  return [
    ...existing.otherComposeFiles.map((name) =>
      wins(name)
        ? `${join(out, name)} is not gen-compose's and docker compose runs it, not ${COMPOSE_FILE}: move it away, or run docker compose -f ${COMPOSE_FILE}`
        : `${join(out, name)} is not gen-compose's; left as it is`,
    ),
    ...unread.map(
      (name) =>
        `${join(out, name)} is left as it is, and ${stack ? 'docker stack deploy does not read it: what it holds goes in ' + STACK_OVERRIDE_FILE : 'docker compose does not read it: what it holds goes in ' + OVERRIDE_FILE}`,
    ),
    ...worldReadableEnv(out),
  ];
}

/**
 * A .env every user of the machine can read: it keeps its mode (yours to choose), and holds the
 * cluster's credentials, so it is said (a trial's hand-made 0644 .env, taken over with --force,
 * got generated secrets without a word). gen-compose's own .env is 0600.
 */
function worldReadableEnv(out: string): string[] {
  try {
    const mode = statSync(join(out, ENV_FILE)).mode & 0o777;
    if ((mode & 0o004) === 0) return [];
    return [
      `${join(out, ENV_FILE)} holds the cluster's credentials and every user of this machine can read it (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${join(out, ENV_FILE)}`,
    ];
  } catch {
    return [];
  }
}
