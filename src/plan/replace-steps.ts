import { nodeName } from './nodes.js';
import type { Change, ChangeContext } from './regenerate.js';
import { parseReplacements, restateIdentity } from './replacements.js';
import { removalLines } from './shrink-steps.js';

/**
 * --replace-node K, on a running cluster: the new identity starts (empty, it catches up from the
 * snapshot store), then the old one leaves by Restate's removal procedure, as a shrink removes
 * a node (shrink-steps.ts; its log storage read-only, since `gone` and `data-loss` are refused
 * from read-write as unsafe). Without that the dead identity stays a member: a metadata group
 * of three runs on with four members and one gone, and the next loss costs its quorum.
 */
export function replacement({ previous, next, run }: ChangeContext): Change {
  const before = parseReplacements(previous.replacedNodes, previous.nodes);
  const after = parseReplacements(next.replacedNodes, next.nodes);
  const replaced = [...after.keys()].filter((k) => (after.get(k) ?? 0) > (before.get(k) ?? 0)).sort((a, b) => a - b);
  return {
    notes: replaced.map((k) => {
      const [old, now] = [restateIdentity(k, before), restateIdentity(k, after)];
      const again = (before.get(k) ?? 0) > 0 ? ` (itself a replacement: the node that runs now goes)` : '';
      return `${nodeName(k)} becomes a new Restate node, ${now.name} (N${now.id}), in place of ${old.name} (N${old.id})${again}: same service, ports and volume${k === 1 ? '; it joins the cluster instead of provisioning one' : ''}`;
    }),
    steps: replaced.map((k) => {
      const [old, now] = [restateIdentity(k, before), restateIdentity(k, after)];
      const ctl = run.restatectl(nodeName(k === 1 ? 2 : 1));
      const oldId = `N${old.id}`;
      const lines = [
        `${run.recreate(nodeName(k))} &&`,
        ...removalLines([oldId], k <= previous.metadataNodes ? [oldId] : [], ctl, run.ready, true),
      ];
      return `Start ${now.name} and take ${old.name} (${oldId}) out of the cluster the way Restate removes a node; paste it as one block, it stops at the first command that fails${run.ready ? `, and \`ready --leaving\` waits until nothing is left on ${oldId} and ${now.name} has caught up` : ''}${run.newHostHint(k)}:\n     ${lines.join('\n     ')}`;
    }),
  };
}
