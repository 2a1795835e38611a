import { UsageError } from '../errors.js';
import { MAX_NODES } from './ports.js';

/**
 * Nodes that lost their disk and came back under a new identity (--replace-node K). Restate
 * refuses an empty node under the name and ID it had ("storage-state is data-loss … choose a
 * different node-name"), so node K's G-th replacement is a new Restate node: named
 * restate-K-rG, with ID G·1000+K (more than any node count, so no other node ever had it).
 * Its service, hostname, ports and volume stay restate-K's, where the user expects them.
 * Recorded as "K:G,…" (sorted by K): the state file keeps it and the Regenerate line spells it
 * out as --replaced-nodes, so the files come out the same without the state file too.
 * A slot a shrink dropped keeps its entry, one generation on: Restate leaves a tombstone under a
 * removed node's ID and the running nodes remember its last generation, so the node that fills
 * the slot when the cluster grows again is a new one too.
 */

export type Replacements = Map<number, number>;

/** The G for each replaced node, from "K:G,…" (validated here; K may be a slot a shrink dropped). */
export function parseReplacements(text: string | undefined): Replacements {
  const replacements: Replacements = new Map();
  if (text === undefined || text.trim() === '') return replacements;
  for (const part of text.split(',')) {
    const m = /^\s*(\d+):(\d+)\s*$/.exec(part);
    if (!m)
      throw new UsageError(
        `--replaced-nodes lists node:replacements pairs such as 3:1, got "${text}" (replace a node with --replace-node K)`,
      );
    const [node, generation] = [Number(m[1]), Number(m[2])];
    if (node < 1 || node > MAX_NODES)
      throw new UsageError(`--replaced-nodes names node ${node}, and nodes are numbered 1..${MAX_NODES}`);
    if (generation < 1 || generation > 999)
      throw new UsageError(`--replaced-nodes: node ${node}'s replacements must be 1..999, got ${generation}`);
    if (replacements.has(node))
      throw new UsageError(`--replaced-nodes names node ${node} twice ("${text}"): give each node once`);
    replacements.set(node, generation);
  }
  return replacements;
}

/** How many times node K has been replaced, as "K:G,…" says (0: never). */
export function generationOf(text: string | undefined, node: number): number {
  return parseReplacements(text).get(node) ?? 0;
}

export function formatReplacements(replacements: Replacements): string | undefined {
  if (replacements.size === 0) return undefined;
  return [...replacements]
    .sort(([a], [b]) => a - b)
    .map(([node, generation]) => `${node}:${generation}`)
    .join(',');
}

/** The service restate-K that a Restate node ID belongs to, whichever identity of it (N1003 → restate-3). */
export function serviceOfId(id: number): string {
  return `restate-${id % 1000}`;
}

/** The Restate identity of the node in service restate-K: its ID and its node name. */
export function restateIdentity(node: number, replacements: Replacements): { id: number; name: string } {
  const generation = replacements.get(node) ?? 0;
  return generation === 0
    ? { id: node, name: `restate-${node}` }
    : { id: generation * 1000 + node, name: `restate-${node}-r${generation}` };
}

/** `--replace-node K` on the previous replacements: the next generation of K. */
export function withReplacement(previous: string | undefined, replaceNode: string, nodes: number): string {
  const node = Number(replaceNode.trim());
  if (!/^\d+$/.test(replaceNode.trim()) || node < 1 || node > nodes)
    throw new UsageError(`--replace-node names a node of this cluster, 1..${nodes}, got "${replaceNode}"`);
  const replacements = parseReplacements(previous);
  replacements.set(node, (replacements.get(node) ?? 0) + 1);
  return formatReplacements(replacements)!;
}
