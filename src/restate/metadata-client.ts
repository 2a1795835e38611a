/**
 * How many metadata servers a node's metadata client must be given. The list is only where a
 * starting node first asks: once it has read the cluster's node list it talks to the members
 * that list names, and drops the given addresses (Restate's replicated metadata client,
 * `update_channels` and `drop_initial_addresses` in crates/metadata-providers/src/replicated.rs,
 * the same in 1.6.2 and 1.7). So it needs enough members that, whenever the group has a quorum,
 * one of them answers: a quorum of them (at most M − quorum are down, fewer than a quorum). At
 * least three, so a group that grows from three to five changes no running node's files.
 */
export function metadataBootstrapCount(metadataMembers: number): number {
  return Math.min(metadataMembers, Math.max(3, Math.floor(metadataMembers / 2) + 1));
}
