import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { UNSET, validateOptions, type ClusterOptions, type RawOptions } from '../plan/options.js';
import { planCluster } from '../plan/plan.js';
import { duringRestarts, judgeRegeneration, mergeOptions } from '../plan/regenerate.js';
import { checkKeptValues } from '../plan/kept-value-rules.js';
import { refuseUnreadLines } from '../plan/option-variables.js';
import { keysOfAnotherStore } from '../plan/snapshots.js';
import { keepExistingValues, keepSecrets, optionEdits } from '../plan/kept-values.js';
import { generateSecrets, randomSource, seededSource, type Secrets } from '../plan/secrets.js';
import { renderCluster, renderComposeFile, withRememberedSteps } from '../render/index.js';
import { COMPOSE_FILE, ENV_FILE, STACK_FILE } from '../output-files.js';
import { forwardReference } from '../load/dotenv.js';
import { unrestartedRewrites } from './unrestarted-rewrites.js';
import { rewriteSteps, runningClusterCommands, type Operator } from '../plan/running-commands.js';
import { readExisting, type ExistingCluster } from '../write/existing.js';
import { outputLock } from '../write/output-lock.js';
import { customTemplates, type Render } from '../render/templates.js';
import type { Generator } from '../render/header.js';
import { checkRendered } from '../render/validate.js';
import { present, writeResult, type Outcome } from './generate-output.js';
import { droppedEnvLinesNote, handEditForCheck, judgeHandEdits, judgeOtherEdits } from './hand-edits.js';
import { completeInterruptedWrite, judgeExisting, strangers } from './output-directory.js';
import { operatorIn } from './program.js';
import { overrideNotes, shellReadsOtherwise, unreadRestateLines } from './override-ports.js';
import {
  earlierStepsFor,
  refuseReplacingAgain,
  stepsToRemember,
  supersededReplacement,
  supersededSteps,
} from './remembered-steps.js';

export interface GenerateArgs {
  /** The options given on the command line; absent ones come from the previous run, or defaults. */
  flags: RawOptions;
  out: string;
  /** --out was not given: `out` is the default, ./restate-cluster. */
  defaultOut?: boolean;
  force: boolean;
  secretsSeed?: string;
  mode: 'write' | 'dry-run' | 'check' | 'stdout';
}

export interface GenerateResult {
  output: string;
  exitCode: number;
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
 * options → plan → render → write. Everything is read, decided and rendered before a byte is
 * written; bad input throws UsageError with nothing touched.
 */
export async function generate(
  args: GenerateArgs,
  generatorVersion: string,
  bin = process.argv[1],
): Promise<GenerateResult> {
  // 1. --out must name a directory, and not a new one inside a cluster's own.
  refuseUnusableOut(args);
  refuseNestedCluster(args);
  // 2. One run at a time writes a directory: an existing one is locked before anything is read.
  const lock = outputLock(args.out, args.mode === 'write');
  try {
    // 3. Read what is there, decide the options, plan and render: nothing is written yet.
    const outcome = await decide(args, generatorVersion, bin);
    // 4. Print, compare or show; or lock a new directory (made now) and write.
    if (args.mode !== 'write') return present(args, outcome);
    lock.holdNewDirectory();
    return writeResult(args.out, outcome);
  } catch (error) {
    lock.abandon();
    throw error;
  } finally {
    lock.release();
  }
}

function refuseUnusableOut({ out }: GenerateArgs): void {
  if (out.trim() === '') throw new UsageError('--out must name a directory (it was empty)');
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new UsageError(`--out ${out} exists and is not a directory`);
}

/**
 * Run without --out inside a cluster's own directory, gen-compose meant that cluster, not a new
 * one in ./restate-cluster under it (a newcomer got one there: new credentials, the same project
 * name as the running cluster, so its `up` would have taken over the running containers).
 */
function refuseNestedCluster({ defaultOut, out, mode }: GenerateArgs): void {
  if (!defaultOut || mode === 'stdout' || existsSync(out)) return;
  const here = readExisting('.');
  const file = [COMPOSE_FILE, STACK_FILE].find((f) => here.own.has(f));
  if (!here.ours || file === undefined) return;
  throw new UsageError(
    `this directory holds a cluster gen-compose wrote (${file}): give --out . to regenerate it (its Regenerate line has every option), or --out DIR for another cluster; without --out, gen-compose would write a new one inside it, in ${out}`,
  );
}

/** The options of this run: the previous run's, then options edited into .env, then the flags. */
function decideOptions(existing: ExistingCluster, args: GenerateArgs, operator: Operator) {
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
  refuseReplacingAgain(previous, args);
  const options = fromEdits(() => validateOptions(mergeOptions(previous?.options, edits.flags)));
  const regeneration = fromEdits(() => judgeRegeneration(previous?.options, options, args.force, operator));
  return { previous, edits, options, regeneration };
}

interface PlanInputs extends ReturnType<typeof decideOptions> {
  existing: ExistingCluster;
  args: GenerateArgs;
  secrets: Secrets;
  generatorVersion: string;
  operator: Operator;
}

/** The plan (with the values kept from .env) and the files rendered from it. */
async function planAndRender(inputs: PlanInputs) {
  const { options, secrets, existing, previous, edits, args, generatorVersion, operator } = inputs;
  const planned = planCluster(options, secrets);
  const store = keysOfAnotherStore(
    previous?.options,
    options,
    edits.env,
    existing.envText,
    planned.tunables,
    args.force,
  );
  const kept = existing.ours
    ? keepExistingValues(planned, previous?.tunables, store.env, store.texts, secretsOf(previous?.options, secrets))
    : keepSecrets(planned, existing.env, existing.envText);
  kept.notes.unshift(...edits.notes, ...store.notes);
  checkKeptValues(kept.plan, kept.edited);
  if (existing.ours) refuseUnreadLines(kept.plan, previous?.tunables);
  kept.notes.push(
    ...overrideNotes(kept.plan, args.out),
    ...unreadRestateLines(kept.plan, args.out),
    ...shellReadsOtherwise(kept.plan),
  );
  const templates = templateDir(options.templates, args);
  const render = templates === undefined ? undefined : await customTemplates(templates);
  const generator = { version: generatorVersion, program: operator.program };
  const files = renderCluster(kept.plan, generator, { render });
  // Templates of the user's may write anything: what gen-compose cannot read back is refused.
  if (templates !== undefined) checkRendered(files, templates);
  // What the last run wrote as the compose (or stack) file, to find what was added to it since:
  // its options rendered again (by another version, the same keys may differ: see hand-edits).
  const previousCompose =
    previous?.composeSha256 !== undefined && previous.options.templates === options.templates
      ? renderAgain(previous.options, secrets, generator, render)
      : undefined;
  return { kept, files, previousCompose };
}

/** The secrets earlier options write (a secret a new add-on brings was never in .env); unknown when they no longer pass. */
function secretsOf(earlier: ClusterOptions | undefined, secrets: Secrets): Set<string> | undefined {
  if (earlier === undefined) return undefined;
  try {
    const { tunables } = planCluster(validateOptions(mergeOptions(earlier, {})), secrets);
    return new Set(tunables.filter((t) => t.secret).map((t) => t.name));
  } catch {
    return undefined;
  }
}

/**
 * The compose (or stack) file of earlier options, completed as a run completes them (a state
 * file of an earlier release may lack options added since); none when they no longer pass.
 */
function renderAgain(earlier: ClusterOptions, secrets: Secrets, generator: Generator, render: Render | undefined) {
  try {
    return renderComposeFile(planCluster(validateOptions(mergeOptions(earlier, {})), secrets), generator, render);
  } catch {
    return undefined;
  }
}

/** What one run decides, the directory locked (or, for a new one, about to be): its outcome. */
async function decide(args: GenerateArgs, generatorVersion: string, bin: string | undefined): Promise<Outcome> {
  completeInterruptedWrite(args);
  const existing = readExisting(args.out);
  judgeExisting(existing, args);
  const forward = forwardReference(existing.contents[ENV_FILE] ?? '', (name) => process.env[name]);
  if (forward !== undefined) throw new UsageError(`${forward}; nothing in ${args.out} was changed`);
  const operator = operatorIn(args.out, bin);
  const decided = decideOptions(existing, args, operator);
  const secrets = generateSecrets(args.secretsSeed === undefined ? randomSource : seededSource(args.secretsSeed));
  const { kept, files, previousCompose } = await planAndRender({
    ...decided,
    existing,
    args,
    secrets,
    generatorVersion,
    operator,
  });
  const next = files.find((f) => f.path === STACK_FILE || f.path === COMPOSE_FILE)!;
  const rendered = new Set(files.map((f) => f.path));
  // Files gen-compose wrote and no longer renders (another target, an add-on dropped).
  const stale = [...existing.own].filter((path) => !rendered.has(path));
  kept.notes.push(...judgeHandEdits(existing, previousCompose, args, next));
  kept.notes.push(...judgeOtherEdits(existing, files, stale, args));
  const handEdit = args.mode === 'check' ? handEditForCheck(existing, previousCompose, args, next) : undefined;
  const secretNames = new Set(kept.plan.tunables.filter((t) => t.secret).map((t) => t.name));
  kept.notes.push(...droppedEnvLinesNote(existing, files, args.mode, secretNames));

  const warnings = args.mode === 'stdout' ? [] : strangers(existing, files, args.out, args.force);
  const steps = [
    ...decided.regeneration.steps,
    ...rewriteSteps(
      unrestartedRewrites(existing, files, decided.regeneration.restarted, secretNames),
      runningClusterCommands(duringRestarts(decided.previous?.options, decided.options), operator),
    ),
    ...decided.regeneration.last,
  ];
  const earlierSteps = steps.length === 0 ? earlierStepsFor(decided.previous, decided.options) : undefined;
  return {
    plan: kept.plan,
    files: withRememberedSteps(files, steps.length > 0 ? stepsToRemember(steps, args) : earlierSteps),
    stale,
    notes: [
      ...decided.regeneration.notes,
      ...supersededSteps(decided.previous, decided.options, steps),
      ...supersededReplacement(decided.previous, decided.options, steps, args),
      ...kept.notes,
      ...warnings,
    ],
    steps,
    earlierSteps,
    firstRun: decided.previous === undefined,
    handEdit,
  };
}
