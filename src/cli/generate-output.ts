import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeDotenvValues } from '../load/dotenv.js';
import { maskSecretLines } from '../credentials.js';
import { UsageError } from '../errors.js';
import { ENV_FILE, STATE_FILE } from '../output-files.js';
import type { ClusterPlan } from '../plan/plan.js';
import type { RenderedFile } from '../render/index.js';
import type { RememberedSteps } from '../write/existing.js';
import { writeFailure, writeFiles } from '../write/writer.js';
import { committed } from './run-command.js';
import type { GenerateArgs, GenerateResult } from './generate.js';
import { fileWarnings, summary } from './summary.js';

/** What a run decided, everything read and rendered: what each mode prints, compares or writes. */
export interface Outcome {
  /** The plan the files were rendered from (kept values included). */
  plan: ClusterPlan;
  files: RenderedFile[];
  /** Files gen-compose wrote and no longer renders (another target, an add-on dropped). */
  stale: string[];
  /** Notes for the user: what changed, what was kept or dropped, what is in the way. */
  notes: string[];
  /** What a running cluster needs after these files are in place. */
  steps: string[];
  /** When this run needs no step: the ones the last change printed (a lost block printed again). */
  earlierSteps?: RememberedSteps;
  /** No earlier run of gen-compose wrote this directory. */
  firstRun: boolean;
  /** --check: the hand edit of the compose file a plain run would refuse, in its words. */
  handEdit?: string;
}

const numbered = (steps: string[]) => steps.map((s, i) => `  ${i + 1}. ${s}`);

/** When remembered steps were printed, to the minute: 2026-12-02 21:45 UTC. */
export const printedAt = (at: string) => at.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

/**
 * The steps of this run, or else the ones the last change printed, said as such. Swarm's run
 * where a manager runs them (a worker answers "This node is not a swarm manager").
 */
function stepLines({ plan, steps, earlierSteps }: Outcome, once = ''): string[] {
  const where = `${plan.options.target === 'swarm' ? 'on a manager of the swarm' : 'on a running cluster'}, in the output directory:`;
  const plain = `${where[0]!.toUpperCase()}${where.slice(1)}`;
  if (steps.length > 0) return ['', once ? `${once}, ${where}` : plain, ...numbered(steps)];
  if (earlierSteps === undefined) return [];
  const at = printedAt(earlierSteps.at);
  return [
    '',
    `Nothing to run for this change. The last change that needed steps (${at}) printed these; gen-compose cannot tell whether they ran, so run them if they did not (a block run again does no harm: a step whose work is done finds it done or stops the block at once, a rolling block recreates no node that is current, and one interrupted during its docker compose up first names the node to start):`,
    plain,
    ...numbered(earlierSteps.steps),
  ];
}

/**
 * .env text with every secret value replaced, for anything printed. A secret whose value differs
 * from `before`'s is marked, so a masked diff still shows which credentials would change.
 */
function maskSecrets(text: string, secrets: Set<string>, before?: string): string {
  const earlier = before === undefined ? undefined : readableValues(before);
  const now = composeDotenvValues(text);
  return maskSecretLines(text, secrets, (name) => {
    // Left empty for the user to fill in (an external store's keys): nothing to hide.
    if (now[name] === '') return '';
    const changed = earlier !== undefined && earlier[name] !== undefined && earlier[name] !== now[name];
    return `********${changed ? ' (a new value)' : ''}`;
  });
}

const current = (out: string, path: string) =>
  existsSync(join(out, path)) ? readFileSync(join(out, path), 'utf8') : undefined;

function checkResult(out: string, { files, stale, handEdit }: Outcome): GenerateResult {
  const drifted = [...files.filter((f) => current(out, f.path) !== f.content).map((f) => f.path), ...stale];
  // A hand edit is refused by the plain run: its own words say what to do instead.
  const advice =
    handEdit === undefined
      ? '(run without --check to update, or --dry-run to see how)'
      : `(a run without --check refuses it: ${handEdit.replace(/^gen-compose: /, '')})`;
  return drifted.length === 0
    ? { output: `${out} is up to date with these options`, exitCode: 0 }
    : {
        output: `${out} differs from what these options generate: ${drifted.join(', ')} ${advice}`,
        exitCode: 1,
      };
}

async function dryRunResult(out: string, outcome: Outcome): Promise<GenerateResult> {
  const { plan, files, stale, notes } = outcome;
  const { createTwoFilesPatch } = await import('diff');
  const secretNames = new Set(plan.tunables.filter((t) => t.secret).map((t) => t.name));
  const shown = (file: RenderedFile, content: string, before?: string) =>
    file.path === ENV_FILE ? maskSecrets(content, secretNames, before) : content;
  const parts: string[] = [];
  for (const f of files) {
    const before = current(out, f.path);
    if (before === f.content) {
      parts.push(`unchanged: ${join(out, f.path)}`);
      continue;
    }
    parts.push(`${before === undefined ? 'would create' : 'would change'}: ${join(out, f.path)}`);
    parts.push(
      createTwoFilesPatch(
        `a/${f.path}`,
        `b/${f.path}`,
        before === undefined ? '' : shown(f, before),
        shown(f, f.content, before),
        '',
        '',
        { context: 2 },
      ).trimEnd(),
    );
  }
  for (const path of stale)
    parts.push(`would remove: ${join(out, path)} (gen-compose wrote it; these options no longer do)`);
  return {
    output: [
      ...parts,
      ...notes.map((n) => `note: ${n}`),
      ...fileWarnings(plan),
      ...stepLines(outcome, 'Once written'),
      'Nothing was written (--dry-run). Secret values are masked.',
    ].join('\n'),
    exitCode: 0,
  };
}

/** Writes the files (the directory locked) and says what was written and what to run. */
export function writeResult(out: string, outcome: Outcome): GenerateResult {
  const { plan, files, stale, notes, firstRun } = outcome;
  let written: string[];
  try {
    written = writeFiles(out, files, stale);
  } catch (error) {
    throw new UsageError(writeFailure(error, out));
  }
  committed.out = out;
  const removed = stale.map((path) => join(out, path));
  const shown = (paths: string[]) => paths.filter((p) => !p.endsWith(STATE_FILE));
  const unchanged = files.map((f) => join(out, f.path)).filter((p) => !written.includes(p));
  const lines = [summary(plan, { written: shown(written), unchanged: shown(unchanged), removed }, firstRun)];
  for (const note of notes) lines.push(`note: ${note}`);
  lines.push(...stepLines(outcome));
  return { output: lines.join('\n'), exitCode: 0 };
}

/** What a mode that writes nothing prints: the compose file, the comparison, or the diff. */
export async function present({ out, mode }: GenerateArgs, outcome: Outcome): Promise<GenerateResult> {
  switch (mode) {
    case 'stdout':
      // The compose (or stack) file is always the first one rendered.
      return { output: outcome.files[0]!.content, exitCode: 0 };
    case 'check':
      return checkResult(out, outcome);
    default:
      return dryRunResult(out, outcome);
  }
}

/** A .env's values, or none where it does not parse (a file of someone else's, taken over). */
function readableValues(text: string): Record<string, string> | undefined {
  try {
    return composeDotenvValues(text);
  } catch {
    return undefined;
  }
}
