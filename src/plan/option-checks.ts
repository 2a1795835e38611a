import { DEFAULT_CLUSTER_NAME, DEFAULT_RESTATE_VERSION, DEFAULT_SNAPSHOT_INTERVAL_RECORDS } from './defaults.js';
import { UsageError } from '../errors.js';
import { parseDockerBytes } from '../docker/bytes.js';
import { SNAPSHOTS_RETAINED_RANGE } from '../restate/defaults.js';
import { largestFullyBackedReplication, replicationFits } from '../restate/tolerance.js';
import {
  isPublished,
  isSupported,
  NEWEST_SUPPORTED,
  OLDEST_SUPPORTED,
  PUBLISHED_VERSIONS,
} from '../restate/versions.js';
import { allPublishedPorts, MAX_NODES, portOffsetRange } from './ports.js';
import {
  ANY_ADDRESS,
  defaultExposure,
  isIPv4,
  isLoopback,
  parseExpose,
  presentOf,
  type EndpointKind,
} from './exposure.js';
import type { ClusterOptions, RawOptions } from './options.js';
import { PORT_RANGE_TEXT } from '../docker/ports.js';

/**
 * One check per option (or per pair of options that decide together), each taking what the
 * user typed and returning the option's value, or throwing the UsageError that says why not.
 * validateOptions (options.ts) runs them in order: the first wrong option is the one reported.
 */

// Compose's rule for project names (compose-spec): lowercase letters, digits, '-' and '_',
// starting with a letter or digit. The cluster name doubles as the project name.
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const RESTATE_VERSION = /^\d+\.\d+\.\d+$/;

const MIN_MEMORY = 2 ** 30;
/** 1 PiB: far beyond any host, and still exact in a number (a 99999999999T was rounded). */
const MAX_MEMORY = 2 ** 50;

function integer(flag: string, value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`--${flag} must be a whole number, got "${value}"`);
  return Number(text);
}

/**
 * Without --replication: the largest R this many nodes can fully back (N ≥ 2R−1 tolerates R−1
 * failures), capped at 3, beyond which more copies mostly cost write latency.
 */
export function defaultReplication(nodes: number): number {
  return Math.max(1, Math.min(3, largestFullyBackedReplication(nodes)));
}

/**
 * Without --metadata-nodes: a Raft group that tolerates as many failures as the log (R−1 needs
 * 2R−1 members, Restate's 2n+1 rule), never an even one (quorum 2 of 2 tolerates no more than
 * 1 of 1), and no bigger than needed (every member is in every metadata write's quorum path).
 */
export function defaultMetadataNodes(nodes: number, replication: number): number {
  const largestOdd = nodes % 2 === 1 ? nodes : nodes - 1;
  return Math.max(1, Math.min(largestOdd, 2 * replication - 1));
}

export function checkNodes(raw: RawOptions): number {
  const nodes = integer('nodes', raw.nodes, 3);
  if (nodes < 1) throw new UsageError(`--nodes must be at least 1, got ${nodes}`);
  if (nodes > MAX_NODES) {
    // The limit comes from the port scheme (ports.ts), which a stack's host-mode ports share.
    throw new UsageError(`--nodes ${nodes} is more than the ${MAX_NODES} nodes gen-compose supports`);
  }
  return nodes;
}

export function checkReplication(raw: RawOptions, nodes: number): number {
  const replication = integer('replication', raw.replication, defaultReplication(nodes));
  if (replication < 1) throw new UsageError(`--replication must be at least 1, got ${replication}`);
  if (!replicationFits(replication, nodes)) {
    throw new UsageError(`--replication ${replication} needs at least ${replication} nodes, but --nodes is ${nodes}`);
  }
  return replication;
}

export function checkMetadataNodes(raw: RawOptions, nodes: number, replication: number): number {
  const metadataNodes = integer('metadata-nodes', raw.metadataNodes, defaultMetadataNodes(nodes, replication));
  if (raw.metadataNodes === undefined) return metadataNodes;
  if (metadataNodes < 1 || metadataNodes > nodes) {
    throw new UsageError(`--metadata-nodes must be between 1 and --nodes (${nodes}), got ${metadataNodes}`);
  }
  if (metadataNodes % 2 === 0) {
    throw new UsageError(
      `--metadata-nodes must be odd (a Raft group of ${metadataNodes} tolerates no more failures than ${metadataNodes - 1}), got ${metadataNodes}`,
    );
  }
  return metadataNodes;
}

export function checkClusterName(raw: RawOptions): string {
  // A cluster beside another (--port-offset) is a project of its own: under the same name one
  // `docker compose up` would take over the other's containers and volumes.
  const offset = Number(raw.portOffset ?? 0);
  const fallback =
    Number.isInteger(offset) && offset !== 0 ? `${DEFAULT_CLUSTER_NAME}-${offset}` : DEFAULT_CLUSTER_NAME;
  const clusterName = raw.clusterName ?? fallback;
  if (!PROJECT_NAME.test(clusterName)) {
    throw new UsageError(
      `--cluster-name "${clusterName}" is not a valid compose project name (lowercase letters, digits, '-' and '_', starting with a letter or digit)`,
    );
  }
  return clusterName;
}

/** --restate-version, and --unverified, which lets through a version whose keys cannot be checked. */
export function checkRestateVersion(raw: RawOptions): { restateVersion: string; unverified: boolean } {
  const restateVersion = raw.restateVersion ?? DEFAULT_RESTATE_VERSION;
  if (!RESTATE_VERSION.test(restateVersion)) {
    throw new UsageError(`--restate-version must look like 1.7.12, got "${restateVersion}"`);
  }
  // A permission for a version no binary here can prove: a published version needs none (and
  // a remembered one no longer applies once the cluster moves to such a version).
  const unverified = raw.unverified === true && !isPublished(restateVersion);
  if (!isPublished(restateVersion) && !unverified) {
    throw new UsageError(
      isSupported(restateVersion)
        ? `Restate ${restateVersion} was never published to npm, so its keys cannot be proven: use one of ${PUBLISHED_VERSIONS.join(', ')}, or pass --unverified`
        : `Restate ${restateVersion} cannot be verified: gen-compose proves its keys against the restate-server npm carries (${OLDEST_SUPPORTED} to ${NEWEST_SUPPORTED}, 1.6.x and 1.7.x); pass --unverified to generate anyway`,
    );
  }
  return { restateVersion, unverified };
}

export function checkPortOffset(raw: RawOptions, nodes: number): number {
  const portOffset = integer('port-offset', raw.portOffset, 0);
  const allowed = portOffsetRange(nodes);
  if (portOffset < allowed.min || portOffset > allowed.max) {
    throw new UsageError(
      `--port-offset ${portOffset} is outside ${allowed.min}..${allowed.max}, the offsets that keep every port ${nodes} node(s) and any add-on may publish within ${PORT_RANGE_TEXT} (the lowest is Grafana's 3000)`,
    );
  }
  // The point of an offset is a second cluster beside one at 0: no port of one may be the other's.
  const atZero = new Set(allPublishedPorts(nodes, 0));
  const shared = portOffset === 0 ? undefined : allPublishedPorts(nodes, portOffset).find((p) => atZero.has(p));
  if (shared !== undefined) {
    const free = Array.from({ length: 1000 }, (_, i) => i + 1).find(
      (o) => !allPublishedPorts(nodes, o).some((p) => atZero.has(p)),
    );
    throw new UsageError(
      `--port-offset ${portOffset} puts a port of this cluster on ${shared}, which a ${nodes}-node cluster at offset 0 publishes too: pick an offset with no port in common${free === undefined ? '' : ` (${free} is the smallest)`}`,
    );
  }
  return portOffset;
}

export function checkSnapshotInterval(raw: RawOptions): number {
  const records = integer('snapshot-interval-records', raw.snapshotIntervalRecords, DEFAULT_SNAPSHOT_INTERVAL_RECORDS);
  if (records < 1 || !Number.isSafeInteger(records)) {
    throw new UsageError(
      `--snapshot-interval-records must be between 1 and ${Number.MAX_SAFE_INTEGER}, got ${raw.snapshotIntervalRecords}`,
    );
  }
  return records;
}

export function checkSnapshotsRetained(raw: RawOptions): number | undefined {
  if (raw.snapshotsRetained === undefined) return undefined;
  const retained = integer('snapshots-retained', raw.snapshotsRetained, 1);
  const { min, max } = SNAPSHOTS_RETAINED_RANGE;
  if (retained < min || retained > max)
    throw new UsageError(`--snapshots-retained must be between ${min} and ${max} (Restate's limit), got ${retained}`);
  return retained;
}

export function checkMemory(raw: RawOptions): number | undefined {
  if (raw.memory === undefined) return undefined;
  const bytes = /[kmgt]/i.test(raw.memory) ? parseDockerBytes(raw.memory) : undefined;
  if (bytes === undefined) throw new UsageError(`--memory must look like 4G, 512M or 2GiB, got "${raw.memory}"`);
  if (bytes < MIN_MEMORY) throw new UsageError(`--memory ${raw.memory} is below the 1G a Restate node needs`);
  if (bytes > MAX_MEMORY)
    throw new UsageError(`--memory ${raw.memory} is more than 1P (1024T), more than any host has`);
  return bytes;
}

/** The address as typed, before the exposure decides what it applies to (checkExposure). */
export function checkPublishAddressFormat(raw: RawOptions): void {
  if (raw.publishAddress !== undefined && !isIPv4(raw.publishAddress)) {
    throw new UsageError(
      `--publish-address must be an IPv4 address such as 0.0.0.0 or 192.168.1.10, got "${raw.publishAddress}"`,
    );
  }
}

export function checkTarget(raw: RawOptions): ClusterOptions['target'] {
  const target = raw.target ?? 'compose';
  if (target !== 'compose' && target !== 'swarm')
    throw new UsageError(`--target must be compose or swarm, got "${target}"`);
  if (target === 'swarm' && (raw.loadBalancer === true || raw.monitoring === true)) {
    throw new UsageError(
      '--load-balancer and --monitoring are not available with --target swarm yet (their config files would have to be on every host); leave them out, and add --no-load-balancer --no-monitoring where a preset or an earlier run set them',
    );
  }
  return target;
}

export function checkSnapshotsEndpoint(raw: RawOptions): string | undefined {
  const endpoint = raw.snapshotsEndpoint;
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  // Characters compose, .env or a shell would read otherwise ($, quotes, braces, spaces) have no
  // place in an endpoint's URL.
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname.length > 1 ||
    !/^[A-Za-z0-9._~:/?#[\]@!&()*+,;=%-]+$/.test(endpoint)
  ) {
    throw new UsageError(
      `--snapshots-endpoint must be an http(s) URL of an S3 endpoint, like https://s3.eu-central-1.amazonaws.com, got "${endpoint}"`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(
      `--snapshots-endpoint carries no credentials (the bucket's keys are RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID and …_SECRET_ACCESS_KEY in .env), got "${endpoint}"`,
    );
  }
  return endpoint;
}

/** --expose and --publish-address together: which kinds the network reaches, and on which address. */
export function checkExposure(
  raw: RawOptions,
  target: ClusterOptions['target'],
): { expose: EndpointKind[]; publishAddress: string } {
  const present = presentOf(raw);
  const expose =
    raw.expose !== undefined ? parseExpose(raw.expose, present) : defaultExposure(target, raw.publishAddress, present);
  // The address only matters for exposed kinds; "nothing exposed" is written one way.
  let publishAddress = raw.publishAddress ?? ANY_ADDRESS;
  if (expose.length === 0 && isLoopback(publishAddress)) publishAddress = ANY_ADDRESS;
  if (target === 'swarm') {
    if (raw.publishAddress !== undefined && raw.publishAddress !== ANY_ADDRESS) {
      throw new UsageError(
        `--publish-address ${publishAddress}: Swarm publishes a host-mode port on every interface of the host and cannot bind it to one address; leave it out and choose what to publish with --expose`,
      );
    }
    publishAddress = ANY_ADDRESS;
  } else if (isLoopback(publishAddress)) {
    throw new UsageError(
      `--expose ${expose.join(',')} on ${publishAddress} would reach this host only, as every unexposed port already does: give --publish-address a network address (default 0.0.0.0), or leave --expose out`,
    );
  }
  return { expose, publishAddress };
}
