// Versions and images the generator pins. Each was looked up, not guessed:
// - RESTATE_VERSION: the newest 1.7.x that npm carries (@restatedev/restate-server), so the
//   same version the image runs can be checked here with the real binary.
// - MinIO: the Docker Hub repositories are gone (September 2026); quay.io serves the archived
//   releases. The repository itself is a tunable too, so a user can point at a mirror without
//   editing the compose file.
export const DEFAULT_RESTATE_VERSION = '1.7.12';
export const RESTATE_IMAGE_REPOSITORY = 'docker.restate.dev/restatedev/restate';
export const DEFAULT_MINIO_IMAGE = 'quay.io/minio/minio';
export const DEFAULT_MINIO_VERSION = 'RELEASE.2025-09-07T16-13-09Z';

export const DEFAULT_CLUSTER_NAME = 'restate-cluster';
export const DEFAULT_SNAPSHOT_DESTINATION = 's3://restate/snapshots';
export const DEFAULT_SNAPSHOT_INTERVAL_RECORDS = 1000;
// Restate's own default filter (restate/defaults.ts); written out so users see what they can change.
export { DEFAULT_LOG_FILTER } from '../restate/defaults.js';

/** Ports inside every Restate container: Restate's defaults (restate/services.ts). */
export { RESTATE_PORTS as CONTAINER_PORTS } from '../restate/services.js';
export const MINIO_CONTAINER_PORTS = { api: 9000, console: 9001 } as const;

/** Where each node keeps its data inside the container (mounted from a per-node volume). */
export const RESTATE_DATA_DIR = '/restate-data';

/** Optional services: images pinned to releases seen in use (never latest). */
export const LOAD_BALANCER_IMAGE = 'haproxy:3.2.24-alpine';
export const PROMETHEUS_IMAGE = 'prom/prometheus:v3.5.0';
export const GRAFANA_IMAGE = 'grafana/grafana:12.2.0';
/** Their host ports, outside every band the nodes use (see ports.ts). */
export const LOAD_BALANCER_PORT = 7080;
export const PROMETHEUS_PORT = 9090;
export const GRAFANA_PORT = 3000;
