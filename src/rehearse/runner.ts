import { UsageError } from '../errors.js';
import { LoadError } from '../load/compose-file.js';
import { guardExit } from './exit-guard.js';

/**
 * Runs a list of steps in order over one context and owns what every step shares: the progress
 * lines with the time since the start, each step's time and verdict, stopping after a step that
 * later steps need, the report, and the release of what the steps created (on every way out,
 * through exit-guard.ts).
 */

/** What a step hands back: a line saying what it found, or why it did not apply. */
export type StepOutcome = string | { skip: string };

export interface Step<C> {
  /** Named once the steps before it have run (a name may count what they found). */
  name: string | ((context: C) => string);
  run(context: C): Promise<StepOutcome>;
  /** Later steps do not need this one to pass: when it fails, they run all the same. */
  laterStepsRunIfItFails?: boolean;
}

/** A step that cannot go on: the run stops there (or goes on, see above) and reports why. */
export class StepFailed extends Error {}

/** A resource's release, registered the moment the resource is created. */
export interface Release {
  /** Synchronous: runs on every way out (done, failed, a signal, a closed pipe, a crash). */
  now(): void;
  /** On the normal way out, first (latest registered first), and it may wait: e.g. for processes to exit. */
  orderly?(): Promise<void>;
}

/** What the runner gives the context the steps share. */
export interface RunnerTools {
  /** A progress line, stamped with the time since the start. */
  say(line: string): void;
  /** A line for the report's Timings. */
  timing(line: string): void;
  /** Registers a release; the returned function forgets it (the resource is left as it is). */
  onExit(release: Release): () => void;
}

export interface StepRun<C> {
  /** The verdict line starts with it: "<title>: PASS (12.3s)". */
  title: string;
  print(line: string): void;
  /** Builds the context; what it creates registers its release with `tools.onExit`. */
  createContext(tools: RunnerTools): C;
  steps: readonly Step<C>[];
  /** After the report: what only this run knows; true keeps every registered resource (--keep). */
  finish?(context: C, passed: boolean): boolean;
}

type Status = 'pass' | 'fail' | 'skip';
interface StepResult {
  name: string;
  status: Status;
  seconds: number;
  detail: string;
}

/** Runs the steps, reports, releases; true when no step failed. */
export async function runSteps<C>(run: StepRun<C>): Promise<boolean> {
  const { print } = run;
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  const say = (line: string) => print(`[${elapsed().padStart(5)}s] ${line}`);
  const timings: string[] = [];
  // Released on every way out (exit-guard.ts): registered the moment each is created.
  const guard = guardExit(print);
  const releases: { release: Release; forget: () => void }[] = [];
  const onExit = (release: Release) => {
    const forget = guard.onExit(() => release.now());
    releases.push({ release, forget });
    return forget;
  };
  let kept = false;
  try {
    const context = run.createContext({ say, timing: (line) => timings.push(line), onExit });
    const results: StepResult[] = [];
    for (const step of run.steps) {
      const result = await runStep(step, context, say);
      results.push(result);
      if (result.status === 'fail' && !step.laterStepsRunIfItFails) break;
    }
    const passed = results.every((s) => s.status !== 'fail');
    report(print, `${run.title}: ${passed ? 'PASS' : 'FAIL'} (${elapsed()}s)`, results, timings);
    kept = run.finish?.(context, passed) ?? false;
    return passed;
  } finally {
    if (kept) for (const { forget } of releases) forget();
    else for (const { release } of [...releases].reverse()) await release.orderly?.();
    guard.dispose();
  }
}

async function runStep<C>(step: Step<C>, context: C, say: (line: string) => void): Promise<StepResult> {
  const name = typeof step.name === 'function' ? step.name(context) : step.name;
  const t0 = Date.now();
  say(`${name} …`);
  try {
    const outcome = await step.run(context);
    const seconds = (Date.now() - t0) / 1000;
    if (typeof outcome === 'object') {
      say(`  skipped: ${outcome.skip}`);
      return { name, status: 'skip', seconds, detail: outcome.skip };
    }
    say(`  ok: ${outcome}`);
    return { name, status: 'pass', seconds, detail: outcome };
  } catch (error) {
    // Bad input (no such file, unreadable YAML, no binary) is the user's to fix: one line, exit 2.
    if (error instanceof UsageError || error instanceof LoadError) throw error;
    const detail = error instanceof StepFailed ? error.message : `unexpected error: ${(error as Error).stack ?? error}`;
    say(`  FAILED: ${detail}`);
    return { name, status: 'fail', seconds: (Date.now() - t0) / 1000, detail };
  }
}

function report(print: (line: string) => void, verdict: string, results: StepResult[], timings: string[]): void {
  print('');
  print(verdict);
  for (const s of results)
    print(
      `  ${s.status.toUpperCase().padEnd(4)}  ${s.name} (${s.seconds.toFixed(1)}s)${s.status === 'pass' ? '' : `\n        ${s.detail}`}`,
    );
  if (timings.length) {
    print('Timings:');
    for (const line of timings) print(`  ${line}`);
  }
}
