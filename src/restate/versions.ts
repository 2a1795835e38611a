/**
 * The Restate versions gen-compose can vouch for: those whose restate-server npm carries, so
 * every key emitted for them is checked against that version's own binary. npm has no 1.5.x
 * and nothing older; 1.6.1 is the oldest, 1.7.12 the newest (looked up on the registry).
 */
export const SUPPORTED_MINORS = ['1.6', '1.7'] as const;
export const OLDEST_SUPPORTED = '1.6.1';
export const NEWEST_SUPPORTED = '1.7.12';

/**
 * Every release npm carries (`npm view @restatedev/restate-server versions`, looked up
 * 2026-11-21): the versions whose keys can be proven here. Other numbers in 1.6/1.7 (1.7.0,
 * 1.7.99, 1.6.0) were never published there.
 */
export const PUBLISHED_VERSIONS = [
  '1.6.1',
  '1.6.2',
  '1.7.2',
  '1.7.4',
  '1.7.6',
  '1.7.8',
  '1.7.9',
  '1.7.10',
  '1.7.12',
] as const;

export const isPublished = (version: string): boolean => (PUBLISHED_VERSIONS as readonly string[]).includes(version);

export function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

export function isSupported(version: string): boolean {
  return (SUPPORTED_MINORS as readonly string[]).includes(minorOf(version));
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Variables renamed between supported versions: `before` is read up to `since`, `after` from it on. */
export const VERSIONED_RENAMES = [
  {
    before: 'RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED',
    after: 'RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED',
    since: '1.7.0',
  },
];

/**
 * Keys whose name depends on the version. `worker.snapshots.num-retained` is 1.7's name;
 * 1.6 reads it only as `experimental-num-retained` (checked with both binaries: each ignores
 * the other's spelling).
 */
export function snapshotsRetainedVariable(version: string): string {
  return compareVersions(version, '1.7.0') >= 0
    ? 'RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED'
    : 'RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED';
}

/** The newest release of a minor that gen-compose knows, else the minor itself ("1.5.x"). */
const newestOf = (minor: string) => [...PUBLISHED_VERSIONS].reverse().find((v) => minorOf(v) === minor) ?? `${minor}.x`;

/**
 * Restate moves one minor version at a time, up or back (its docs, "Upgrading"): a node of
 * 1.7 may not read what 1.5 wrote, and a cluster mixing them is not tested upstream. The
 * refusal of a move that skips one, naming the path; undefined for a move Restate supports.
 */
export function skippedMinor(from: string, to: string): string | undefined {
  const [fromMajor, fromMinor] = from.split('.').map(Number) as [number, number];
  const [toMajor, toMinor] = to.split('.').map(Number) as [number, number];
  if (fromMajor === toMajor && Math.abs(toMinor - fromMinor) <= 1) return undefined;
  if (fromMajor !== toMajor)
    return `Restate ${from} → ${to} changes the major version; follow that release's upgrade notes, one minor version at a time`;
  const step = toMinor > fromMinor ? 1 : -1;
  const path = [];
  for (let minor = fromMinor; minor !== toMinor + step; minor += step) path.push(`${fromMajor}.${minor}`);
  const next = newestOf(path[1]!);
  return `Restate ${from} → ${to} skips a minor version: Restate moves one at a time (${path.join(' → ')}); regenerate with --restate-version ${next} first, roll it out, then go on to ${to}`;
}

/**
 * Keys a cluster needs that older releases lack (from Restate's sources and release notes; the
 * facts sheet): such a release ignores the variable silently. For --unverified versions, whose
 * keys no binary here can check, so the summary says which of them it would miss.
 */
const KEYS_SINCE = [
  // A section (every key under it) ends in __; otherwise one variable.
  { key: 'RESTATE_METADATA_CLIENT__', since: '1.4.0' },
  { key: 'RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL', since: '1.6.0' },
  { key: 'RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED', since: '1.7.0' },
] as const;

/** The variables among `names` that `version` predates, each with the release that reads it first. */
export function variablesNewerThan(version: string, names: string[]): { name: string; since: string }[] {
  return [...new Set(names)].flatMap((name) => {
    const key = KEYS_SINCE.find((k) => name === k.key || (k.key.endsWith('__') && name.startsWith(k.key)));
    return key && compareVersions(version, key.since) < 0 ? [{ name, since: key.since }] : [];
  });
}
