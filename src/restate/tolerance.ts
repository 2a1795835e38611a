/**
 * Fault tolerance, from Restate's cluster rules:
 * - Log replication R needs R live log servers to write, and a replicated log stays readable
 *   and sealable while at most R−1 copies are lost: it tolerates min(R−1, N−R) node failures.
 *   With N ≥ 2R−1 that is R−1; with N = R it is none.
 * - The metadata store is a Raft group of the M metadata-server nodes: quorum ⌊M/2⌋+1,
 *   tolerating ⌊(M−1)/2⌋ failures.
 * The cluster as a whole tolerates the smaller of the two.
 */
/** Log replication R can write at all: it needs R live log servers, one copy on each. */
export function replicationFits(replication: number, logServers: number): boolean {
  return replication <= logServers;
}

/** The largest R that N log servers fully back: N ≥ 2R−1 tolerates R−1 failures. */
export function largestFullyBackedReplication(logServers: number): number {
  return Math.floor((logServers + 1) / 2);
}

export interface FaultTolerance {
  logFailuresTolerated: number;
  metadataQuorum: number;
  metadataMembers: number;
  metadataFailuresTolerated: number;
  clusterFailuresTolerated: number;
  /** N < 2R−1: the cluster works but tolerates fewer than R−1 failures. */
  belowRecommendedSize: boolean;
}

export function faultTolerance(nodes: number, replication: number, metadataNodes: number): FaultTolerance {
  const logFailuresTolerated = Math.max(0, Math.min(replication - 1, nodes - replication));
  const metadataQuorum = Math.floor(metadataNodes / 2) + 1;
  const metadataFailuresTolerated = Math.floor((metadataNodes - 1) / 2);
  return {
    logFailuresTolerated,
    metadataQuorum,
    metadataMembers: metadataNodes,
    metadataFailuresTolerated,
    clusterFailuresTolerated: Math.min(logFailuresTolerated, metadataFailuresTolerated),
    belowRecommendedSize: replication > largestFullyBackedReplication(nodes),
  };
}

export function describeTolerance(t: FaultTolerance, replication: number): string[] {
  const nodesWord = (n: number) => `${n} node failure${n === 1 ? '' : 's'}`;
  return [
    `log (replication ${replication}): tolerates ${nodesWord(t.logFailuresTolerated)}`,
    `metadata: quorum ${t.metadataQuorum} of ${t.metadataMembers}, tolerates ${nodesWord(t.metadataFailuresTolerated)}`,
    `cluster: keeps serving after ${nodesWord(t.clusterFailuresTolerated)}`,
  ];
}
