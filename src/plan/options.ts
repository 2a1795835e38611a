import { UsageError } from '../errors.js';
import type { EndpointKind } from './exposure.js';
import {
  checkClusterName,
  checkExposure,
  checkMemory,
  checkMetadataNodes,
  checkNodes,
  checkPortOffset,
  checkPublishAddressFormat,
  checkReplication,
  checkRestateVersion,
  checkSnapshotInterval,
  checkSnapshotsEndpoint,
  checkSnapshotsRetained,
  checkTarget,
} from './option-checks.js';
import { formatReplacements, parseReplacements } from './replacements.js';
import { UNSETTABLE_KEYS, type RawOptions } from './option-registry.js';

export type { RawOptions } from './option-registry.js';

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
  /** Nodes given a new identity after losing their disk, "K:G,…" (see replacements.ts). */
  replacedNodes?: string;
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

/**
 * Options that may be absent (Restate's default, MinIO in the cluster; `unsettable` in
 * option-registry.ts): the value "none" (--memory none, or --no-memory) removes one an earlier
 * run or a preset set.
 */
export const UNSET = 'none';

/** The options with every "none" removed: read after the previous run's values are merged. */
export function withoutUnset(raw: RawOptions): RawOptions {
  const out = { ...raw };
  for (const key of UNSETTABLE_KEYS) if (out[key] === UNSET) delete out[key];
  return out;
}

/** The flags with the preset's values beneath them. */
export function applyPreset(raw: RawOptions): RawOptions {
  if (raw.preset === undefined) return raw;
  const preset = PRESETS[raw.preset];
  if (!preset) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got "${raw.preset}"`);
  const given = Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== undefined && k !== 'preset'));
  // A preset's count that the nodes given cannot hold is the preset's, not a flag the user gave.
  const nodes = Number(given.nodes);
  for (const [key, flag] of [
    ['replication', '--replication'],
    ['metadataNodes', '--metadata-nodes'],
  ] as const) {
    const value = Number(preset[key]);
    if (given.nodes !== undefined && given[key] === undefined && value > nodes)
      throw new UsageError(
        `--preset ${raw.preset} sets ${flag} ${value}, more than --nodes ${given.nodes}: give ${flag} (at most ${given.nodes}) too, or another preset`,
      );
  }
  return { ...preset, ...given };
}

/**
 * The options the rest of gen-compose may rely on: each checked by its rule in option-checks.ts,
 * in this order (an option's default may depend on those before it).
 */
export function validateOptions(given: RawOptions): ClusterOptions {
  const raw = withoutUnset(applyPreset(given));
  const nodes = checkNodes(raw);
  const replication = checkReplication(raw, nodes);
  const metadataNodes = checkMetadataNodes(raw, nodes, replication);
  const clusterName = checkClusterName(raw);
  const { restateVersion, unverified } = checkRestateVersion(raw);
  const portOffset = checkPortOffset(raw, nodes);
  const snapshotIntervalRecords = checkSnapshotInterval(raw);
  const snapshotsRetained = checkSnapshotsRetained(raw);
  const memoryBytes = checkMemory(raw);
  checkPublishAddressFormat(raw);
  const target = checkTarget(raw);
  const snapshotsEndpoint = checkSnapshotsEndpoint(raw);
  const { expose, publishAddress } = checkExposure(raw, target);
  const replacedNodes = formatReplacements(parseReplacements(raw.replacedNodes));
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
    ...(replacedNodes === undefined ? {} : { replacedNodes }),
  };
}
