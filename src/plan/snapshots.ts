import { UsageError } from '../errors.js';
import { DEFAULT_SNAPSHOT_DESTINATION, MINIO_CONTAINER_PORTS } from './defaults.js';
import { snapshotsRetainedVariable } from '../restate/versions.js';
import type { SettingsPart } from './cluster-settings.js';
import { MINIO_NAMES, planMinio } from './minio.js';
import type { MinioPlan, Tunable } from './model.js';
import { nodeName } from './nodes.js';
import type { ClusterOptions } from './options.js';
import type { Change, ChangeContext } from './regenerate.js';
import type { Exposure } from './published-ports.js';
import type { Secrets } from './secrets.js';
import { declare, entryOf, fromTunable, literal } from './tunables.js';

/** The region an AWS S3 endpoint names (s3.eu-west-1.amazonaws.com, s3-eu-west-1…, s3.dualstack.…). */
export function awsRegionOf(endpoint: string): string | undefined {
  const host = new URL(endpoint).hostname;
  if (host === 's3.amazonaws.com') return 'us-east-1';
  return /^s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/** Where snapshots go and how often: MinIO in the cluster, or the user's S3 endpoint. */
function storeTunables(options: ClusterOptions): Tunable[] {
  const external = options.snapshotsEndpoint;
  const region = external ? awsRegionOf(external) : undefined;
  return [
    declare({
      name: 'RESTATE_WORKER__SNAPSHOTS__DESTINATION',
      value: DEFAULT_SNAPSHOT_DESTINATION,
      group: 'snapshots',
      description: external
        ? 'Where partition snapshots go: s3://BUCKET/PREFIX (a bucket of yours: S3 bucket names are global, so name one you own)'
        : 'Where partition snapshots go: s3://BUCKET/PREFIX (the bucket is created at start-up)',
    }),
    declare({
      name: 'RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL_NUM_RECORDS',
      value: String(options.snapshotIntervalRecords),
      group: 'snapshots',
      description: 'Take a partition snapshot every this many log records',
    }),
    declare({
      name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL',
      value: external ?? `http://minio:${MINIO_CONTAINER_PORTS.api}`,
      group: 'snapshots',
      description: external ? 'Your S3 endpoint' : 'S3 endpoint, as the Restate containers reach it',
    }),
    declare({
      name: 'RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
      value: external ? (region ?? 'us-east-1') : 'local',
      group: 'snapshots',
      description: external
        ? region
          ? "Your bucket's region (from the endpoint's host name)"
          : "Your bucket's region: check it (us-east-1 is only a placeholder)"
        : 'S3 region; MinIO accepts any, but Restate fails to start without one',
    }),
  ];
}

/**
 * Restate does not get MinIO's root credentials: the bucket job gives it a key of its own
 * that can touch the snapshot bucket and nothing else. With an external store the keys are
 * the user's to fill in (compose refuses to start while they are empty).
 */
function snapshotKeys(options: ClusterOptions, secrets: Secrets): { accessKey: Tunable; secretKey: Tunable } {
  const external = options.snapshotsEndpoint;
  const group = external ? 'snapshots' : 'minio';
  return {
    accessKey: declare({
      name: 'RESTATE_S3_ACCESS_KEY',
      value: external ? '' : secrets.snapshotsAccessKey,
      secret: true,
      group,
      description: external
        ? 'Access key for your snapshot bucket: fill in'
        : "Restate's MinIO access key, limited to the snapshot bucket",
    }),
    secretKey: declare({
      name: 'RESTATE_S3_SECRET_KEY',
      value: external ? '' : secrets.snapshotsSecretKey,
      secret: true,
      group,
      description: external ? 'Secret key for your snapshot bucket: fill in' : "Restate's MinIO secret key",
    }),
  };
}

/** --snapshots-retained, under the name this Restate version reads. */
function retainedTunables(options: ClusterOptions): Tunable[] {
  if (options.snapshotsRetained === undefined) return [];
  // 1.6 and 1.7 spell this key differently, and each ignores the other's spelling.
  return [
    declare({
      name: snapshotsRetainedVariable(options.restateVersion),
      value: String(options.snapshotsRetained),
      group: 'snapshots',
      description: 'Snapshots kept per partition in the store',
    }),
  ];
}

/** Partition snapshots: the store's settings, MinIO unless external, and Restate's keys to it. */
export function planSnapshots(
  options: ClusterOptions,
  secrets: Secrets,
  exposure: Exposure,
): SettingsPart & { minio?: MinioPlan } {
  const external = options.snapshotsEndpoint;
  const store = storeTunables(options);
  const minio = external ? undefined : planMinio(options, secrets, exposure);
  const { accessKey, secretKey } = snapshotKeys(options, secrets);
  const retained = retainedTunables(options);
  // A plain-http endpoint (MinIO in the cluster) is refused unless allowed; only lowercase
  // true/false parse.
  const allowHttp = !external || external.startsWith('http://');
  return {
    minio: minio?.minio,
    tunables: [...store, ...(minio?.tunables ?? []), accessKey, secretKey, ...retained],
    environment: [
      ...store.map(entryOf),
      ...(allowHttp ? [{ name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP', value: literal(true) }] : []),
      { name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID', value: fromTunable(accessKey.name) },
      { name: 'RESTATE_WORKER__SNAPSHOTS__AWS_SECRET_ACCESS_KEY', value: fromTunable(secretKey.name) },
      ...retained.map(entryOf),
    ],
  };
}

/** The snapshot store's keys in .env: MinIO's user for Restate, or the user's own bucket's. */
export const SNAPSHOT_KEYS = ['RESTATE_S3_ACCESS_KEY', 'RESTATE_S3_SECRET_KEY'];

/**
 * The snapshot keys .env holds belong to the store they were made for: MinIO's user for
 * Restate, or the user's bucket. A switch between the two does not carry them over (a trial's
 * switch to AWS signed requests with MinIO's random key while the summary said "fill in"; the
 * way back made the user's AWS keys MinIO's), and says so. `env` with the new store's planned
 * keys in their place (empty for the user's bucket), and the note.
 */
export function keysOfAnotherStore(
  previous: ClusterOptions | undefined,
  next: ClusterOptions,
  env: Record<string, string>,
  texts: Record<string, string>,
  planned: Tunable[],
  force = false,
): { env: Record<string, string>; texts: Record<string, string>; notes: string[] } {
  if (previous === undefined || !previous.snapshotsEndpoint === !next.snapshotsEndpoint)
    return { env, texts, notes: [] };
  // Empty ones (the lines gen-compose left for the user to fill in) are replaced without a word.
  const held = SNAPSHOT_KEYS.filter((name) => env[name] !== undefined && env[name] !== '');
  // The user's own keys (filled in by hand) are lost with the line: only on purpose.
  if (held.length > 0 && !next.snapshotsEndpoint && !force)
    throw new UsageError(
      `${held.join(' and ')} in .env hold your keys for ${previous.snapshotsEndpoint}, and MinIO needs keys of its own in their place: copy yours elsewhere, then pass --force`,
    );
  const fresh = Object.fromEntries(
    SNAPSHOT_KEYS.map((name) => [name, planned.find((t) => t.name === name)?.planned ?? '']),
  );
  const note = next.snapshotsEndpoint
    ? `${held.join(' and ')} in .env were MinIO's key for Restate, not keys of ${next.snapshotsEndpoint}: not carried over; fill in your bucket's keys`
    : `${held.join(' and ')} in .env were the keys of ${previous.snapshotsEndpoint}: replaced (--force) by a new key MinIO gives Restate`;
  // The text as written too: a kept line is written back as it was.
  const otherTexts = Object.fromEntries(Object.entries(texts).filter(([name]) => !SNAPSHOT_KEYS.includes(name)));
  return { env: { ...env, ...fresh }, texts: otherTexts, notes: held.length > 0 ? [note] : [] };
}

/**
 * Another snapshot store, on a running cluster. The nodes switch to it as they are recreated
 * (rewriteSteps: their environment changed), which they can only once .env holds its keys. It
 * starts empty: without a snapshot there, a node that joins later finds nothing to catch up
 * from once the log is trimmed, so every partition is snapshotted into it after the restarts.
 * MinIO, no longer in the files, is removed by name (a plain up or deploy leaves it running);
 * its volume is kept, with the snapshots it held.
 */
export function storeChange({ previous, next, run }: ChangeContext): Change {
  if (previous.snapshotsEndpoint === next.snapshotsEndpoint) return {};
  const store = next.snapshotsEndpoint ?? 'MinIO';
  const keys = SNAPSHOT_KEYS.join(' and ');
  const fillIn = next.snapshotsEndpoint
    ? [
        previous.snapshotsEndpoint
          ? `Check that ${keys} in .env are keys of ${store} and that its bucket exists, before the steps below: each node uses the new store once it is recreated`
          : `Fill in ${keys} in .env with keys of ${store} and create its bucket (the one RESTATE_WORKER__SNAPSHOTS__DESTINATION names: S3 bucket names are global, so name one you own), before the steps below: each node uses the new store once it is recreated (the files do not resolve while the keys are empty)`,
      ]
    : [];
  const minioGone = previous.snapshotsEndpoint === undefined;
  // Swarm's rolling deploys update one node's service each: MinIO would come only with the last.
  const minioFirst = next.snapshotsEndpoint
    ? []
    : [
        `Start MinIO and its bucket job first, so that each node finds its store when it restarts:\n     ${run.startServices([MINIO_NAMES.service, MINIO_NAMES.bucketService])}`,
      ];
  return {
    notes: [`snapshots: ${previous.snapshotsEndpoint ?? 'MinIO'} → ${store}`],
    steps: [...fillIn, ...minioFirst],
    last: [
      `Snapshot every partition into ${store}, so that it holds the cluster's latest state (a node that joins later, or a replaced one, catches up from it):\n     ${run.restatectl(nodeName(1))} snapshots create`,
      ...(minioGone
        ? [
            `Remove MinIO and its bucket job, which these files no longer have (its volume keeps the snapshots it held: ${run.volumeNote(MINIO_NAMES.volume)} once you no longer need them):\n     ${run.removeServices([MINIO_NAMES.service, MINIO_NAMES.bucketService])}`,
          ]
        : []),
    ],
  };
}
