import { DEFAULT_CLUSTER_NAME, DEFAULT_RESTATE_VERSION, DEFAULT_SNAPSHOT_INTERVAL_RECORDS } from './defaults.js';
import { UsageError } from '../errors.js';
import { parseDockerBytes } from '../docker/bytes.js';
import {
  isPublished,
  isSupported,
  NEWEST_SUPPORTED,
  OLDEST_SUPPORTED,
  PUBLISHED_VERSIONS,
} from '../restate/versions.js';
import { MAX_NODES, portOffsetRange } from './ports.js';
import {
  ANY_ADDRESS,
  defaultExposure,
  isIPv4,
  isLoopback,
  parseExpose,
  presentOf,
  type EndpointKind,
} from './exposure.js';

/** Options after validation: every field present, every rule below already holds. */
export interface ClusterOptions {
  nodes: number;
  replication: number;
  metadataNodes: number;
  clusterName: string;
  restateVersion: string;
  portOffset: number;
  snapshotIntervalRecords: number;
  /** Generate for a Restate version whose keys cannot be checked here (the user said so). */
  unverified: boolean;
  /** Snapshots kept per partition; undefined leaves Restate's default. */
  snapshotsRetained?: number;
  /** Memory limit per Restate container in bytes; undefined sets none. */
  memoryBytes?: number;
  /** The kinds of endpoint reachable from the network (see exposure.ts); the rest stay local. */
  expose: EndpointKind[];
  /** Host address the exposed kinds are published on under compose (0.0.0.0 unless given). */
  publishAddress: string;
  /** An HAProxy front door spreading ingress traffic over every node. */
  loadBalancer: boolean;
  /** Prometheus scraping every node, and Grafana with a starter dashboard. */
  monitoring: boolean;
  /** What runs the files: Docker Compose on one host, or Docker Swarm across hosts. */
  target: 'compose' | 'swarm';
  /** An external S3 endpoint for snapshots instead of MinIO in the cluster. */
  snapshotsEndpoint?: string;
  /** The user's templates (--templates), relative to the output directory, so the two move together. */
  templates?: string;
}

/** What the command line hands over: strings as typed, or nothing. */
export interface RawOptions {
  nodes?: string | number;
  replication?: string | number;
  metadataNodes?: string | number;
  clusterName?: string;
  restateVersion?: string;
  portOffset?: string | number;
  snapshotIntervalRecords?: string | number;
  unverified?: boolean;
  snapshotsRetained?: string | number;
  memory?: string;
  publishAddress?: string;
  /** Comma-separated endpoint kinds, or "none". */
  expose?: string;
  loadBalancer?: boolean;
  monitoring?: boolean;
  preset?: string;
  target?: string;
  snapshotsEndpoint?: string;
  /** Relative to the output directory (the CLI converts what was typed). */
  templates?: string;
}

/**
 * Named starting points: each sets several options, and every flag given still wins.
 * dev: one small node; ha: 3 nodes that survive losing one; prod: 5 nodes that survive losing
 * two, metadata on 3, memory limits, monitoring and a load balancer.
 */
export const PRESETS: Record<string, RawOptions> = {
  dev: { nodes: 1, replication: 1, memory: '2G' },
  ha: { nodes: 3, replication: 2 },
  prod: { nodes: 5, replication: 3, metadataNodes: 3, memory: '8G', monitoring: true, loadBalancer: true },
};

/** The flags with the preset's values beneath them. */
/**
 * Options that may be absent (Restate's default, MinIO in the cluster): the value "none"
 * (--memory none, or --no-memory) removes one an earlier run or a preset set.
 */
export const UNSETTABLE = ['memory', 'snapshotsRetained', 'snapshotsEndpoint', 'templates'] as const;
export const UNSET = 'none';

/** The options with every "none" removed: read after the previous run's values are merged. */
export function withoutUnset(raw: RawOptions): RawOptions {
  const out = { ...raw };
  for (const key of UNSETTABLE) if (out[key] === UNSET) delete out[key];
  return out;
}

export function applyPreset(raw: RawOptions): RawOptions {
  if (raw.preset === undefined) return raw;
  const preset = PRESETS[raw.preset];
  if (!preset) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got "${raw.preset}"`);
  const given = Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== undefined && k !== 'preset'));
  return { ...preset, ...given };
}

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
  return Math.max(1, Math.min(3, Math.floor((nodes + 1) / 2)));
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

export function validateOptions(given: RawOptions): ClusterOptions {
  const raw = withoutUnset(applyPreset(given));
  const nodes = integer('nodes', raw.nodes, 3);
  if (nodes < 1) throw new UsageError(`--nodes must be at least 1, got ${nodes}`);
  if (nodes > MAX_NODES) {
    throw new UsageError(`--nodes ${nodes} is more than the ${MAX_NODES} nodes gen-compose supports on one host`);
  }

  const replication = integer('replication', raw.replication, defaultReplication(nodes));
  if (replication < 1) throw new UsageError(`--replication must be at least 1, got ${replication}`);
  if (replication > nodes) {
    throw new UsageError(`--replication ${replication} needs at least ${replication} nodes, but --nodes is ${nodes}`);
  }

  const metadataNodes = integer('metadata-nodes', raw.metadataNodes, defaultMetadataNodes(nodes, replication));
  if (raw.metadataNodes !== undefined) {
    if (metadataNodes < 1 || metadataNodes > nodes) {
      throw new UsageError(`--metadata-nodes must be between 1 and --nodes (${nodes}), got ${metadataNodes}`);
    }
    if (metadataNodes % 2 === 0) {
      throw new UsageError(
        `--metadata-nodes must be odd (a Raft group of ${metadataNodes} tolerates no more failures than ${metadataNodes - 1}), got ${metadataNodes}`,
      );
    }
  }

  const clusterName = raw.clusterName ?? DEFAULT_CLUSTER_NAME;
  if (!PROJECT_NAME.test(clusterName)) {
    throw new UsageError(
      `--cluster-name "${clusterName}" is not a valid compose project name (lowercase letters, digits, '-' and '_', starting with a letter or digit)`,
    );
  }

  const restateVersion = raw.restateVersion ?? DEFAULT_RESTATE_VERSION;
  if (!RESTATE_VERSION.test(restateVersion)) {
    throw new UsageError(`--restate-version must look like 1.7.12, got "${restateVersion}"`);
  }
  const unverified = raw.unverified === true;
  if (!isPublished(restateVersion) && !unverified) {
    throw new UsageError(
      isSupported(restateVersion)
        ? `Restate ${restateVersion} was never published to npm, so its keys cannot be proven: use one of ${PUBLISHED_VERSIONS.join(', ')}, or pass --unverified`
        : `Restate ${restateVersion} cannot be verified: gen-compose proves its keys against the restate-server npm carries (${OLDEST_SUPPORTED} to ${NEWEST_SUPPORTED}, 1.6.x and 1.7.x); pass --unverified to generate anyway`,
    );
  }

  const portOffset = integer('port-offset', raw.portOffset, 0);
  const allowed = portOffsetRange(nodes);
  if (portOffset < allowed.min || portOffset > allowed.max) {
    throw new UsageError(
      `--port-offset ${portOffset} is outside ${allowed.min}..${allowed.max}, the offsets that keep every port ${nodes} node(s) and any add-on may publish within 1..65535 (the lowest is Grafana's 3000)`,
    );
  }

  const snapshotIntervalRecords = integer(
    'snapshot-interval-records',
    raw.snapshotIntervalRecords,
    DEFAULT_SNAPSHOT_INTERVAL_RECORDS,
  );
  if (snapshotIntervalRecords < 1 || !Number.isSafeInteger(snapshotIntervalRecords)) {
    throw new UsageError(
      `--snapshot-interval-records must be between 1 and ${Number.MAX_SAFE_INTEGER}, got ${raw.snapshotIntervalRecords}`,
    );
  }

  const snapshotsRetained =
    raw.snapshotsRetained === undefined ? undefined : integer('snapshots-retained', raw.snapshotsRetained, 1);
  if (snapshotsRetained !== undefined && snapshotsRetained < 1) {
    throw new UsageError(`--snapshots-retained must be at least 1, got ${snapshotsRetained}`);
  }

  let memoryBytes: number | undefined;
  if (raw.memory !== undefined) {
    memoryBytes = /[kmgt]/i.test(raw.memory) ? parseDockerBytes(raw.memory) : undefined;
    if (memoryBytes === undefined)
      throw new UsageError(`--memory must look like 4G, 512M or 2GiB, got "${raw.memory}"`);
    if (memoryBytes < MIN_MEMORY) throw new UsageError(`--memory ${raw.memory} is below the 1G a Restate node needs`);
    if (memoryBytes > MAX_MEMORY)
      throw new UsageError(`--memory ${raw.memory} is more than 1P (1024T), more than any host has`);
  }

  if (raw.publishAddress !== undefined && !isIPv4(raw.publishAddress)) {
    throw new UsageError(
      `--publish-address must be an IPv4 address such as 0.0.0.0 or 192.168.1.10, got "${raw.publishAddress}"`,
    );
  }

  const target = raw.target ?? 'compose';
  if (target !== 'compose' && target !== 'swarm')
    throw new UsageError(`--target must be compose or swarm, got "${target}"`);
  if (target === 'swarm' && (raw.loadBalancer === true || raw.monitoring === true)) {
    throw new UsageError(
      '--load-balancer and --monitoring are not available with --target swarm yet (their config files would have to be on every host); leave them out, and add --no-load-balancer --no-monitoring where a preset or an earlier run set them',
    );
  }
  const snapshotsEndpoint = raw.snapshotsEndpoint;
  if (snapshotsEndpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(snapshotsEndpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname.length > 1) {
      throw new UsageError(
        `--snapshots-endpoint must be an http(s) URL of an S3 endpoint, like https://s3.eu-central-1.amazonaws.com, got "${snapshotsEndpoint}"`,
      );
    }
  }

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

  return {
    nodes,
    replication,
    metadataNodes,
    clusterName,
    restateVersion,
    portOffset,
    snapshotIntervalRecords,
    unverified,
    snapshotsRetained,
    memoryBytes,
    expose,
    publishAddress,
    loadBalancer: raw.loadBalancer === true,
    monitoring: raw.monitoring === true,
    target,
    snapshotsEndpoint,
    ...(raw.templates === undefined ? {} : { templates: raw.templates }),
  };
}
