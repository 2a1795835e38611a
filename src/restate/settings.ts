/**
 * Facts about values, each held once: for the options, for values a regeneration keeps from
 * .env, and for `check` on any file (which never reads the planner).
 */

/** A tag that pins a release: `latest` (or none, which means it) moves under a running cluster. */
export function isPinnedTag(tag: string | undefined): boolean {
  return tag !== undefined && tag !== '' && tag !== 'latest';
}

/**
 * Why a snapshot destination cannot work, or undefined: a release build of restate-server
 * accepts only s3:// (file:// fails at start-up with "Unsupported protocol").
 */
export function snapshotDestinationProblem(destination: string): string | undefined {
  return destination.startsWith('s3://')
    ? undefined
    : 'release builds accept only s3:// destinations (file:// fails at start-up with "Unsupported protocol")';
}
