import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { UNSET, validateOptions, type RawOptions } from '../plan/options.js';
import { shellWord } from '../render/header.js';
import { planCluster } from '../plan/plan.js';
import { judgeRegeneration, mergeOptions } from '../plan/regenerate.js';
import { checkKeptValues, keepExistingValues, optionEdits } from '../plan/kept-values.js';
import { generateSecrets, randomSource, seededSource } from '../plan/secrets.js';
import { renderCluster, type RenderedFile } from '../render/index.js';
import { COMPOSE_FILE, ENV_FILE, SHADOWING_COMPOSE_FILES, STACK_FILE, STAMP, STATE_FILE } from '../output-files.js';
import { readExisting, type ExistingCluster } from '../write/existing.js';
import { acquireLock, busy, LOCK_FILE, lockHolder } from '../write/lock.js';
import { customTemplates } from '../render/templates.js';
import { checkRendered } from '../render/validate.js';
import { ownLinesDropped } from '../render/env-lines.js';
import {
  hasInterruptedWrite,
  makeDirectories,
  realFileOps,
  recoverInterruptedWrite,
  writeFailure,
  WriteFailed,
  writeFiles,
} from '../write/writer.js';
import { systemErrorMessage } from '../errors.js';
import { summary } from './summary.js';

export interface GenerateArgs {
  /** The options given on the command line; absent ones come from the previous run, or defaults. */
  flags: RawOptions;
  out: string;
  force: boolean;
  secretsSeed?: string;
  mode: 'write' | 'dry-run' | 'check' | 'stdout';
}

export interface GenerateResult {
  output: string;
  exitCode: number;
}

/** .env text with every secret value replaced, for anything printed. */
function maskSecrets(text: string, secrets: Set<string>): string {
  return text.replace(/^([A-Za-z_][A-Za-z0-9_]*)=.*$/gm, (line, name: string) =>
    secrets.has(name) ? `${name}=********` : line,
  );
}

/**
 * --templates as typed is relative to where gen-compose runs; it is kept relative to the output
 * directory, so the remembered value and the printed command (run there) find it.
 */
function withTemplatesFromOut(flags: RawOptions, out: string): RawOptions {
  if (flags.templates === undefined || flags.templates === UNSET) return flags;
  return { ...flags, templates: relative(resolve(out), resolve(flags.templates)) || '.' };
}

/** The template directory to render with, if any; a remembered one that is gone is said so. */
function templateDir(templates: string | undefined, args: GenerateArgs): string | undefined {
  if (templates === undefined) return undefined;
  const dir = join(args.out, templates);
  if (!existsSync(dir) && args.flags.templates === undefined) {
    throw new UsageError(
      `this cluster was generated with the templates in ${dir} (remembered from the last run), which no longer exists: give --templates DIR, or --no-templates for the built-in ones`,
    );
  }
  return dir;
}

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

const notOurs = (path: string) =>
  `${path} was not written by gen-compose (it lacks the "${STAMP}" line); refusing to replace it (move it away, or pass --force to replace it)`;

/**
 * Files in the way of this write that gen-compose did not write: one at a path it writes, or a
 * compose file of another name beside docker-compose.yaml. Refused unless forced; with --force
 * they are replaced (the former) or stay and get a note (the latter).
 */
function strangers(existing: ExistingCluster, files: RenderedFile[], out: string, force: boolean): string[] {
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
  return existing.otherComposeFiles.map((name) =>
    wins(name)
      ? `${join(out, name)} is not gen-compose's and docker compose runs it, not ${COMPOSE_FILE}: move it away, or run docker compose -f ${COMPOSE_FILE}`
      : `${join(out, name)} is not gen-compose's; left as it is`,
  );
}

/**
 * options → plan → render → write. Everything is read, decided and rendered before a byte is
 * written; bad input throws UsageError with nothing touched.
 */
export async function generate(
  args: GenerateArgs,
  generatorVersion: string,
  bin = process.argv[1],
): Promise<GenerateResult> {
  if (args.out.trim() === '') throw new UsageError('--out must name a directory (it was empty)');
  if (existsSync(args.out) && !statSync(args.out).isDirectory())
    throw new UsageError(`--out ${args.out} exists and is not a directory`);
  // One run at a time writes a directory (write/lock.ts): taken before anything is read.
  let release = args.mode === 'write' && existsSync(args.out) ? acquireLock(args.out) : undefined;
  let created: string[] = [];
  try {
    return await generateLocked(args, generatorVersion, bin, () => {
      // A new directory is locked once it exists, and must still be as it was read: empty.
      if (release) return;
      try {
        created = makeDirectories(args.out);
      } catch (error) {
        throw new UsageError(writeFailure(new WriteFailed(error, true), args.out));
      }
      release = acquireLock(args.out);
      const found = readdirSync(args.out).filter((name) => name !== LOCK_FILE);
      if (found.length > 0)
        throw new UsageError(`${args.out} changed while gen-compose ran (${found[0]} appeared): run again`);
    });
  } catch (error) {
    release?.();
    release = undefined;
    // A first write that failed leaves no directory behind (the writer removed what it wrote).
    for (const dir of created) realFileOps.removeEmptyDir(dir);
    throw error;
  } finally {
    release?.();
  }
}

async function generateLocked(
  args: GenerateArgs,
  generatorVersion: string,
  bin: string | undefined,
  lockForWrite: () => void,
): Promise<GenerateResult> {
  // A write that was interrupted is completed (or undone) before anything is read, so the
  // directory is entirely old or entirely new; modes that write nothing cannot do that.
  if (hasInterruptedWrite(args.out)) {
    const holder = lockHolder(args.out);
    if (holder !== undefined && args.mode !== 'write') throw busy(args.out, holder);
    if (args.mode !== 'write') {
      throw new UsageError(
        `${args.out} holds a write that was interrupted; run gen-compose --out ${args.out} once (without --${args.mode}) to complete it`,
      );
    }
    try {
      recoverInterruptedWrite(args.out);
    } catch (error) {
      throw new UsageError(
        `${args.out} holds a write that was interrupted and it cannot be completed: ${systemErrorMessage(error)}`,
      );
    }
  }
  const existing = readExisting(args.out);
  if (!existing.ours && !args.force && args.mode !== 'stdout') {
    throw new UsageError(notOurs(join(args.out, existing.foreignFile!)));
  }
  // Our cluster without a readable state file: the refusals to shrink or rename, the options
  // not given and the hand edits all depend on it, so nothing is guessed.
  const ourCluster = [COMPOSE_FILE, STACK_FILE, ENV_FILE].some((f) => existing.own.has(f));
  if (existing.ours && ourCluster && existing.state === undefined && !args.force && args.mode !== 'stdout') {
    throw new UsageError(
      `${join(args.out, STATE_FILE)} is ${existing.contents[STATE_FILE] === undefined ? 'missing' : existing.stateProblem ? `edited (${existing.stateProblem})` : 'damaged'}, so gen-compose cannot tell what it wrote before (the options, its own values from your edits): restore it, or run the "Regenerate" line at the top of ${existing.own.has(STACK_FILE) ? STACK_FILE : COMPOSE_FILE} (every option) with --force`,
    );
  }
  // Only our own files are regenerated in place; --force over someone else's starts afresh.
  const previous = existing.ours ? existing.state : undefined;
  const edits = optionEdits(
    previous?.tunables,
    existing.ours ? existing.env : {},
    withTemplatesFromOut(args.flags, args.out),
  );
  // An option edited into .env is judged as the flag would be; a refusal says where it came from.
  const fromEdits = <T>(decide: () => T): T => {
    try {
      return decide();
    } catch (error) {
      if (!(error instanceof UsageError) || edits.taken.length === 0) throw error;
      throw new UsageError(
        `${error.message} (from ${edits.taken.join(', ')} edited into .env: fix or delete that line)`,
      );
    }
  };
  const options = fromEdits(() => validateOptions(mergeOptions(previous?.options, edits.flags)));
  const regeneration = fromEdits(() => judgeRegeneration(previous?.options, options, args.force));
  const secrets = generateSecrets(args.secretsSeed === undefined ? randomSource : seededSource(args.secretsSeed));
  const planned = planCluster(options, secrets);
  const kept = existing.ours
    ? keepExistingValues(planned, previous?.tunables, edits.env)
    : { plan: planned, notes: [], edited: new Set<string>() };
  kept.notes.unshift(...edits.notes);
  checkKeptValues(kept.plan, kept.edited);
  const templates = templateDir(options.templates, args);
  const render = templates === undefined ? undefined : await customTemplates(templates);
  const generator = { version: generatorVersion, program: programFrom(args.out, bin) };
  const files = renderCluster(kept.plan, generator, { render });
  // Templates of the user's may write anything: what gen-compose cannot read back is refused.
  if (templates !== undefined) checkRendered(files, templates);
  // Comments of the user's in .env do not survive (the variables do): said, not lost silently.
  const newEnv = files.find((f) => f.path === ENV_FILE)?.content ?? '';
  const dropped =
    existing.ours && existing.contents[ENV_FILE] !== undefined
      ? ownLinesDropped(existing.contents[ENV_FILE], newEnv)
      : [];
  if (dropped.length > 0) {
    kept.notes.push(
      `${dropped.length} line(s) of your own in .env ${args.mode === 'write' ? 'were' : 'would be'} dropped (only variables are kept): ${dropped
        .slice(0, 2)
        .map((l) => JSON.stringify(l.trim()))
        .join(', ')}${dropped.length > 2 ? ', …' : ''}; keep notes in a file beside it`,
    );
  }
  const rendered = new Set(files.map((f) => f.path));
  // Files gen-compose wrote and no longer renders (another target, an add-on dropped).
  const stale = [...existing.own].filter((path) => !rendered.has(path));
  const warnings = args.mode === 'stdout' ? [] : strangers(existing, files, args.out, args.force);
  const current = (path: string) =>
    existsSync(join(args.out, path)) ? readFileSync(join(args.out, path), 'utf8') : undefined;
  const secretNames = new Set(kept.plan.tunables.filter((t) => t.secret).map((t) => t.name));
  const shown = (file: RenderedFile, content: string) =>
    file.path === ENV_FILE ? maskSecrets(content, secretNames) : content;

  switch (args.mode) {
    case 'stdout':
      // The compose (or stack) file is always the first one rendered.
      return { output: files[0]!.content, exitCode: 0 };
    case 'check': {
      const drifted = [...files.filter((f) => current(f.path) !== f.content).map((f) => f.path), ...stale];
      return drifted.length === 0
        ? { output: `${args.out} is up to date with these options`, exitCode: 0 }
        : {
            output: `${args.out} differs from what these options generate: ${drifted.join(', ')} (run without --check to update, or --dry-run to see how)`,
            exitCode: 1,
          };
    }
    case 'dry-run': {
      const { createTwoFilesPatch } = await import('diff');
      const parts: string[] = [];
      for (const f of files) {
        const before = current(f.path);
        if (before === f.content) {
          parts.push(`unchanged: ${join(args.out, f.path)}`);
          continue;
        }
        parts.push(`${before === undefined ? 'would create' : 'would change'}: ${join(args.out, f.path)}`);
        parts.push(
          createTwoFilesPatch(
            `a/${f.path}`,
            `b/${f.path}`,
            before === undefined ? '' : shown(f, before),
            shown(f, f.content),
            '',
            '',
            { context: 2 },
          ).trimEnd(),
        );
      }
      for (const path of stale)
        parts.push(`would remove: ${join(args.out, path)} (gen-compose wrote it; these options no longer do)`);
      const notes = [...regeneration.notes, ...kept.notes, ...warnings].map((n) => `note: ${n}`);
      return {
        output: [...parts, ...notes, 'Nothing was written (--dry-run). Secret values are masked.'].join('\n'),
        exitCode: 0,
      };
    }
    default: {
      let written: string[];
      lockForWrite();
      try {
        written = writeFiles(args.out, files, stale);
      } catch (error) {
        throw new UsageError(writeFailure(error, args.out));
      }
      const removed = stale.map((path) => join(args.out, path));
      const lines = [
        summary(
          kept.plan,
          written.filter((p) => !p.endsWith(STATE_FILE)),
          previous === undefined,
          removed,
        ),
      ];
      for (const note of [...regeneration.notes, ...kept.notes, ...warnings]) lines.push(`note: ${note}`);
      if (regeneration.steps.length > 0) {
        lines.push(
          '',
          'On a running cluster, in the output directory:',
          ...regeneration.steps.map((s, i) => `  ${i + 1}. ${s}`),
        );
      }
      return { output: lines.join('\n'), exitCode: 0 };
    }
  }
}
