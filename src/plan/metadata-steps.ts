// Changes of the metadata group on as many nodes (growing or shrinking the cluster changes it
// too: grow and shrink-steps.ts say what their nodes need).
import { metadataRewrites, nodeName } from './nodes.js';
import type { Change, ChangeContext } from './regenerate.js';
import { parseReplacements, restateIdentity } from './replacements.js';
import { recreateForMetadata } from './running-commands.js';

/** A smaller metadata group: its leaving members leave the running group first. */
export function metadataShrink({ previous, next, run }: ChangeContext): Change {
  if (next.metadataNodes >= previous.metadataNodes || next.nodes < previous.nodes) return {};
  const leaving = Array.from(
    { length: previous.metadataNodes - next.metadataNodes },
    (_, i) => next.metadataNodes + i + 1,
  );
  return {
    notes: [`metadata group ${previous.metadataNodes} → ${next.metadataNodes} nodes`],
    // First of all: a member whose role goes away before it leaves the group costs a vote.
    first: [
      `Take ${leaving.map((id) => nodeName(id)).join(', ')} out of the running metadata group before their files drop the role:\n     ${run.restatectl(nodeName(1))} metadata-server remove-node ${leaving.map((k) => `N${restateIdentity(k, parseReplacements(previous.replacedNodes)).id}`).join(' ')}`,
    ],
    // Growing recreates the existing nodes already (above).
    steps: next.nodes === previous.nodes ? recreateForMetadata(metadataRewrites(previous, next), run) : [],
    restarts: next.nodes === previous.nodes ? metadataRewrites(previous, next) : [],
  };
}

/** A larger metadata group on as many nodes: the nodes that gain the role join it at start. */
export function metadataGrow({ previous, next, run }: ChangeContext): Change {
  if (next.metadataNodes <= previous.metadataNodes || next.nodes !== previous.nodes) return {};
  return {
    notes: [`metadata group ${previous.metadataNodes} → ${next.metadataNodes} nodes`],
    restarts: metadataRewrites(previous, next),
    steps: [
      ...recreateForMetadata(metadataRewrites(previous, next), run),
      `Check that the new members serve metadata:\n     ${run.restatectl(nodeName(1))} metadata-server list-servers`,
    ],
  };
}
