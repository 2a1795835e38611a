import { DEFAULT_MINIO_IMAGE, DEFAULT_MINIO_VERSION, MINIO_CONTAINER_PORTS } from './defaults.js';
import type { MinioPlan, Tunable } from './model.js';
import type { ClusterOptions } from './options.js';
import { minioPorts } from './ports.js';
import { publishAll, type Exposure, type PortSpec } from './published-ports.js';
import type { Secrets } from './secrets.js';
import { declare, entryOf, fromTunable } from './tunables.js';

/** MinIO's services and volume, by name: the files name them, and so do the steps that start or remove them. */
export const MINIO_NAMES = { service: 'minio', bucketService: 'minio-create-bucket', volume: 'minio-data' } as const;

function minioPortSpecs(offset: number): Record<'api' | 'console', PortSpec> {
  const host = minioPorts(offset);
  return {
    api: {
      kind: 's3',
      tunable: 'MINIO_API_PORT_OVERRIDE',
      hostPort: host.api,
      containerPort: MINIO_CONTAINER_PORTS.api,
      description: "Host port of MinIO's S3 API",
    },
    console: {
      kind: 's3-console',
      tunable: 'MINIO_CONSOLE_PORT_OVERRIDE',
      hostPort: host.console,
      containerPort: MINIO_CONTAINER_PORTS.console,
      description: "Host port of MinIO's web console",
    },
  };
}

/** MinIO in the cluster, the snapshot store unless --snapshots-endpoint names another. */
export function planMinio(
  options: ClusterOptions,
  secrets: Secrets,
  exposure: Exposure,
): { minio: MinioPlan; tunables: Tunable[] } {
  const image = declare({
    name: 'MINIO_IMAGE',
    value: DEFAULT_MINIO_IMAGE,
    group: 'minio',
    description: 'MinIO image repository (point it at a mirror if yours cannot pull from quay.io)',
  });
  const version = declare({
    name: 'MINIO_VERSION',
    value: DEFAULT_MINIO_VERSION,
    group: 'minio',
    description: 'MinIO release tag (pinned: never latest)',
  });
  const rootUser = declare({
    name: 'MINIO_ROOT_USER',
    value: secrets.minioRootUser,
    secret: true,
    group: 'minio',
    description: 'MinIO root user, generated for this cluster',
  });
  const rootPassword = declare({
    name: 'MINIO_ROOT_PASSWORD',
    value: secrets.minioRootPassword,
    secret: true,
    group: 'minio',
    description: 'MinIO root password, generated for this cluster',
  });
  const { ports, tunables: portTunables } = publishAll(minioPortSpecs(options.portOffset), exposure);
  const minio: MinioPlan = {
    ...MINIO_NAMES,
    imageTunable: image.name,
    versionTunable: version.name,
    ports,
    environment: [entryOf(rootUser), entryOf(rootPassword), { name: 'TZ', value: fromTunable('TZ') }],
    destinationTunable: 'RESTATE_WORKER__SNAPSHOTS__DESTINATION',
    rootUserTunable: rootUser.name,
    rootPasswordTunable: rootPassword.name,
    snapshotsAccessKeyTunable: 'RESTATE_S3_ACCESS_KEY',
    snapshotsSecretKeyTunable: 'RESTATE_S3_SECRET_KEY',
  };
  return { minio, tunables: [image, version, rootUser, rootPassword, ...portTunables] };
}
