import { UsageError } from '../errors.js';
import { UNSET, type ClusterOptions } from '../plan/options.js';
import { generationOf } from '../plan/replacements.js';
import type { GeneratorState, RememberedSteps } from '../write/existing.js';
import type { GenerateArgs } from './generate.js';
import { printedAt } from './generate-output.js';

// The steps a run prints are remembered in .gen-compose.json until a change brings steps of its
// own, so a plain run prints a lost block again: what is remembered, and the refusal that keeps
// a replacement's block from being replaced by another replacement of the same node.

/**
 * --replace-node K again right after K's replacement: had that one's steps not run (its output
 * lost, the command typed again to see it), the old identity would stay in the cluster for
 * good, since a new block takes out only the identity just before. Forced: the new identity
 * lost its disk too, after its steps ran.
 */
export function refuseReplacingAgain(previous: GeneratorState | undefined, { flags, force, out }: GenerateArgs): void {
  const last = previous?.lastSteps;
  if (force || last?.replacedNode === undefined) return;
  // --replaced-nodes written by hand with a later generation for that node is the same move (trial 19d D7).
  const generation = (text: string | undefined) => generationOf(text, last.replacedNode!);
  const byHand =
    flags.replacedNodes !== undefined &&
    flags.replacedNodes !== UNSET &&
    generation(flags.replacedNodes) > generation(previous!.options.replacedNodes);
  const node = byHand ? last.replacedNode : Number(flags.replaceNode?.trim());
  if (last.replacedNode !== node) return;
  throw new UsageError(
    `restate-${node} got its new identity in the last change (${printedAt(last.at)}): if that change's steps have not run, run them (gen-compose --out ${out} prints them again) rather than replace it again, which would leave its old identity in the cluster (gen-compose ready ${out} says whether one is left); if the new identity lost its disk too, give --force`,
  );
}

/**
 * The steps the last change printed, for a run that needs none to print (and keep) again: of
 * the same cluster only, since another target or project name runs other commands.
 */
export function earlierStepsFor(previous: GeneratorState | undefined, options: ClusterOptions) {
  const same = previous?.options.target === options.target && previous.options.clusterName === options.clusterName;
  return same ? previous.lastSteps : undefined;
}

/**
 * A change with steps of its own, after one whose steps may not have run: only the newest are
 * remembered, and the new steps assume the earlier ones done (a trial's --nodes 4, then --nodes 5,
 * printed only restate-5's start). Said in a note that names them. Not printed to paste: run
 * after the new files are written, an earlier block can undo the new change (a trial's
 * upgrade, then the version back, pasted as shown, ended in a stack deploy that downgraded every
 * node at once) or name services the files no longer have. Not for a replacement, whose own
 * note follows, nor for steps this change prints itself.
 */
export function supersededSteps(
  previous: GeneratorState | undefined,
  options: ClusterOptions,
  steps: string[],
): string[] {
  const last = earlierStepsFor(previous, options);
  if (steps.length === 0 || last === undefined || last.replacedNode !== undefined) return [];
  // A step's title: its first line, asides left out, up to the first ";" or ":" (the commands follow).
  const titles = last.steps
    .filter((step) => !steps.includes(step))
    .map((step) =>
      step
        .split('\n')[0]!
        .replace(/\s*\([^()]*\)/g, '')
        .split(/[;:]\s|:$/)[0]!
        .trim(),
    );
  if (titles.length === 0) return [];
  // Swarm: a deploy of the whole stack file applies every change of it at once (trial 19d).
  const swarm =
    options.target === 'swarm'
      ? '; if they did not run, a deploy of the whole stack file below applies what they were to apply to every node at once: roll those nodes first, one at a time, with stack-part as a rolling block does'
      : '';
  return [
    `the steps printed at ${printedAt(last.at)} for the last change are not printed again after this one (${titles.join('; ')}): gen-compose cannot tell whether they ran, and the steps below assume they did${swarm}`,
  ];
}

export function stepsToRemember(steps: string[], { flags }: GenerateArgs): RememberedSteps {
  const replacedNode = flags.replaceNode === undefined ? undefined : Number(flags.replaceNode.trim());
  return { at: new Date().toISOString(), steps, ...(replacedNode === undefined ? {} : { replacedNode }) };
}

/**
 * A change that prints steps of its own after a --replace-node: the replacement's steps are no
 * longer printed again (only the newest are remembered). Had they not run, the old identity
 * stays a dead member; `ready` stops on it and prints the commands that take it out
 * (operate/left-behind.ts), and a rolling block begins with one. Said here, so the user knows.
 */
export function supersededReplacement(
  previous: GeneratorState | undefined,
  options: ClusterOptions,
  steps: string[],
  { flags }: GenerateArgs,
): string[] {
  const last = previous?.lastSteps;
  const node = last?.replacedNode;
  if (node === undefined || steps.length === 0 || Number(flags.replaceNode?.trim()) === node) return [];
  // Undone (--replaced-nodes --force gave the node its identity back): the steps are not to run.
  const generation = (o: ClusterOptions) => generationOf(o.replacedNodes, node);
  if (generation(options) < generation(previous!.options)) return [];
  return [
    `the steps printed at ${printedAt(last!.at)} for restate-${node}'s replacement are not printed again after this change: if they have not run, its old identity is still in the cluster: run gen-compose ready in the output directory before the steps below, it stops on such an identity and prints the commands that take it out`,
  ];
}
