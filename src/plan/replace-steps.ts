import { UsageError } from '../errors.js';
import { faultTolerance } from '../restate/tolerance.js';
import { nodeName } from './nodes.js';
import type { ClusterOptions, RawOptions } from './options.js';
import type { Change, ChangeContext } from './regenerate.js';
import { formatReplacements, parseReplacements, restateIdentity, withReplacement } from './replacements.js';
import { removalLines } from './shrink-steps.js';

/**
 * --replace-node K, on a running cluster: the new identity starts (empty, it catches up from the
 * snapshot store), then the old one leaves by Restate's removal procedure, as a shrink removes
 * a node (shrink-steps.ts; its log storage read-only, since `gone` and `data-loss` are refused
 * from read-write as unsafe). Without that the dead identity stays a member: a metadata group
 * of three runs on with four members and one gone, and the next loss costs its quorum.
 */
export function replacement({ previous, next, force, run }: ChangeContext): Change {
  const back = goingBack(previous, next.replacedNodes ?? '', next.nodes);
  if (back !== undefined && !force)
    throw new UsageError(
      `${back}: if they never ran (a --replace-node given by mistake), give --force to undo it; to replace a node, --replace-node K`,
    );
  const before = parseReplacements(previous.replacedNodes);
  const after = parseReplacements(next.replacedNodes);
  // Nodes that ran before and run after (a dropped slot's entry moves on without a step).
  const replaced = [...after.keys()]
    .filter((k) => k <= Math.min(previous.nodes, next.nodes) && (after.get(k) ?? 0) > (before.get(k) ?? 0))
    .sort((a, b) => a - b);
  return {
    restarts: replaced.map(nodeName),
    notes: [
      ...(back === undefined
        ? []
        : [
            `${back} (--force): right only if they never ran (undoing a --replace-node given by mistake; the node's container then runs these files already, and recreating it below changes nothing)`,
          ]),
      ...replaced.map((k) => {
        const [old, now] = [restateIdentity(k, before), restateIdentity(k, after)];
        const again = (before.get(k) ?? 0) > 0 ? ` (itself a replacement: the identity it has now goes)` : '';
        return `${nodeName(k)} becomes a new Restate node, ${now.name} (N${now.id}), in place of ${old.name} (N${old.id})${again}: same service, ports and volume${k === 1 ? '; like restate-1 before it, it provisions a cluster only when none of its peers holds one, so it joins this one' : ''}`;
      }),
    ],
    steps: replaced.map((k) => {
      const [old, now] = [restateIdentity(k, before), restateIdentity(k, after)];
      const ctl = run.restatectl(nodeName(k === 1 ? 2 : 1));
      const oldId = `N${old.id}`;
      const lines = [
        // The old identity must be down already: recreating a live one takes it down (see ready's --replacing).
        ...(run.ready ? [`${run.ready} --replacing ${oldId} &&`] : []),
        `${run.recreate(nodeName(k))} &&`,
        ...removalLines([oldId], k <= previous.metadataNodes ? [oldId] : [], ctl, run.ready, true),
      ];
      return `Start ${now.name} and take ${old.name} (${oldId}) out of the cluster the way Restate removes a node; paste it as one block, it stops at the first command that fails${run.ready ? `, and \`ready --leaving\` waits until nothing is left on ${oldId} and ${now.name} has caught up` : ''}${run.newHostHint(k)}:\n     ${lines.join('\n     ')}`;
    }),
  };
}

/**
 * A new identity catches up from what the others hold: a metadata group that cannot lose a
 * member lost its only copy of the cluster's metadata with K's disk, and replication 1 the only
 * copy of K's log records. There is nothing to catch up from.
 */
export function refuseUnrecoverable(previous: ClusterOptions, node: number): void {
  const t = faultTolerance(previous.nodes, previous.replication, previous.metadataNodes);
  const lost =
    node <= previous.metadataNodes && t.metadataFailuresTolerated === 0
      ? `the cluster's metadata (a group of ${previous.metadataNodes} cannot lose a member)`
      : t.logFailuresTolerated === 0
        ? `the only copy of its log records (replication ${previous.replication} on ${previous.nodes} node(s))`
        : undefined;
  if (lost)
    throw new UsageError(
      `--replace-node ${node}: ${nodeName(node)}'s disk held ${lost}, so a new identity has nothing to catch up from; restore the volume from a backup, or start a new cluster (gen-compose --out NEW_DIR)`,
    );
}

/**
 * --replaced-nodes given by hand may not hand a node an identity the cluster already removed
 * (restate-3-r1 back to restate-3): that one is gone from the cluster for good. Unless forced:
 * a --replace-node given by mistake, its steps never run, is undone that way.
 */
function goingBack(previous: ClusterOptions, given: string, nodes: number): string | undefined {
  const before = parseReplacements(previous.replacedNodes);
  const after = parseReplacements(given);
  for (const [k, generation] of before) {
    if (k > nodes || (after.get(k) ?? 0) >= generation) continue;
    return `--replaced-nodes ${given === '' ? 'none' : given} would give ${nodeName(k)} back ${restateIdentity(k, after).name}, the identity ${restateIdentity(k, before).name} replaces, which Restate refuses for good once the replacement's steps ran`;
  }
  return undefined;
}

/**
 * --replace-node K: K's next identity. One change at a time: a node count changed in the same
 * run would renumber what the printed steps name. A slot a shrink drops gets its next identity.
 */
export function nextIdentities(merged: RawOptions, previous: ClusterOptions, flags: RawOptions): void {
  delete merged.replaceNode;
  const node = flags.replaceNode;
  const nodes = Number(merged.nodes);
  if (node !== undefined) {
    if (nodes !== previous.nodes)
      throw new UsageError(
        `--replace-node ${node} with --nodes ${merged.nodes}: replace the node on the cluster as it is (${previous.nodes} nodes) first, then change its size in another run`,
      );
    // The new identity starts empty and restores from snapshots the running version wrote.
    if (merged.restateVersion !== previous.restateVersion)
      throw new UsageError(
        `--replace-node ${node} with --restate-version ${merged.restateVersion}: replace the node on the version the cluster runs (${previous.restateVersion}) first, then change the version in another run`,
      );
    refuseUnrecoverable(previous, Number(node));
    merged.replacedNodes = withReplacement(merged.replacedNodes, node, nodes);
    return;
  }
  if (!Number.isInteger(nodes) || nodes >= previous.nodes) return;
  // Removed from the cluster, an identity never comes back (see replacements.ts): the slot moves on.
  const before = parseReplacements(previous.replacedNodes);
  const replacements = parseReplacements(merged.replacedNodes);
  for (let k = nodes + 1; k <= previous.nodes; k += 1)
    replacements.set(k, Math.max(replacements.get(k) ?? 0, (before.get(k) ?? 0) + 1));
  merged.replacedNodes = formatReplacements(replacements);
}
