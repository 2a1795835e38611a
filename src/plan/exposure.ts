import { UsageError } from '../errors.js';
import { ENDPOINT_INFO, ENDPOINT_KINDS, type EndpointInfo, type EndpointKind } from '../restate/endpoints.js';

/**
 * Who can reach what. Every published port is of one kind, in the same words for both
 * targets; a kind is either exposed (reachable from the network) or not:
 * - compose: an unexposed kind is published on 127.0.0.1 (this host only), an exposed one on
 *   the publish address (0.0.0.0 unless given);
 * - swarm: an unexposed kind is not published at all (host-mode ports listen on every
 *   interface of the host, and Swarm cannot bind them to an address), an exposed one is.
 * Restate's admin API and fabric port have no authentication, so only the kinds a client
 * application uses are ever exposed by default: nothing on compose, the ingress on Swarm.
 */
export { ENDPOINT_KINDS, type EndpointKind } from '../restate/endpoints.js';

export interface EndpointKindInfo extends EndpointInfo {
  /** The .env variable holding its host address (compose). */
  addressTunable: string;
}

const addressTunables: Record<EndpointKind, string> = {
  ingress: 'INGRESS_PUBLISH_ADDRESS',
  admin: 'ADMIN_PUBLISH_ADDRESS',
  fabric: 'FABRIC_PUBLISH_ADDRESS',
  s3: 'S3_PUBLISH_ADDRESS',
  's3-console': 'S3_CONSOLE_PUBLISH_ADDRESS',
  'load-balancer': 'LOAD_BALANCER_PUBLISH_ADDRESS',
  prometheus: 'PROMETHEUS_PUBLISH_ADDRESS',
  grafana: 'GRAFANA_PUBLISH_ADDRESS',
};

export const ENDPOINTS = Object.fromEntries(
  ENDPOINT_KINDS.map((kind) => [kind, { ...ENDPOINT_INFO[kind], addressTunable: addressTunables[kind] }]),
) as Record<EndpointKind, EndpointKindInfo>;

/** The kinds a client application uses: opening them opens no control plane. */
export const DOOR_KINDS: readonly EndpointKind[] = ['ingress', 'load-balancer'];

export const LOCAL_ADDRESS = '127.0.0.1';
export const ANY_ADDRESS = '0.0.0.0';

export const isLoopback = (address: string): boolean => address.startsWith('127.');

/** A dotted IPv4 address, as compose accepts one in a port's host part. */
export const isIPv4 = (text: string): boolean => {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
};

/** What this cluster has: kinds that do not exist in it cannot be exposed. */
export interface PresentKinds {
  minio: boolean;
  loadBalancer: boolean;
  monitoring: boolean;
}

/** What a cluster has, from its options (raw or validated). */
export function presentOf(o: {
  snapshotsEndpoint?: string;
  loadBalancer?: boolean;
  monitoring?: boolean;
}): PresentKinds {
  return { minio: !o.snapshotsEndpoint, loadBalancer: o.loadBalancer === true, monitoring: o.monitoring === true };
}

/** The kinds of endpoint a cluster with these services publishes. */
export function kindsOf(present: PresentKinds): EndpointKind[] {
  return applicableKinds(ENDPOINT_KINDS, present) as EndpointKind[];
}

const needs: Partial<Record<EndpointKind, [keyof PresentKinds, string]>> = {
  s3: ['minio', 'MinIO in the cluster (no --snapshots-endpoint)'],
  's3-console': ['minio', 'MinIO in the cluster (no --snapshots-endpoint)'],
  'load-balancer': ['loadBalancer', '--load-balancer'],
  prometheus: ['monitoring', '--monitoring'],
  grafana: ['monitoring', '--monitoring'],
};

/** The kinds of a list that exist in this cluster: a kept list loses what the options dropped. */
export function applicableKinds(kinds: readonly string[], present: PresentKinds): string[] {
  return kinds.filter((kind) => {
    const requirement = needs[kind as EndpointKind];
    return !requirement || present[requirement[0]];
  });
}

/** `--expose ingress,admin` (or `none`) → the kinds, in a fixed order; unknown or absent kinds are errors. */
export function parseExpose(text: string, present: PresentKinds): EndpointKind[] {
  const words = text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  if (words.length === 1 && words[0] === 'none') return [];
  if (words.includes('none')) throw new UsageError(`--expose none cannot be combined with other kinds, got "${text}"`);
  const kinds = new Set<EndpointKind>();
  for (const word of words) {
    if (!(ENDPOINT_KINDS as readonly string[]).includes(word)) {
      throw new UsageError(
        `--expose takes a comma-separated list of ${ENDPOINT_KINDS.join(', ')} (or none), got "${word}"`,
      );
    }
    const kind = word as EndpointKind;
    const requirement = needs[kind];
    if (requirement && !present[requirement[0]])
      throw new UsageError(`--expose ${kind}: this cluster has no ${kind}; it needs ${requirement[1]}`);
    kinds.add(kind);
  }
  if (kinds.size === 0) throw new UsageError(`--expose needs at least one of ${ENDPOINT_KINDS.join(', ')} (or none)`);
  return ENDPOINT_KINDS.filter((k) => kinds.has(k));
}

/**
 * Without --expose: on Swarm the ingress (a stack is for serving other hosts); on compose
 * nothing, unless --publish-address names a non-loopback address, which has always meant "let
 * other machines in": then the application's doors, and nothing unauthenticated.
 */
export function defaultExposure(
  target: 'compose' | 'swarm',
  publishAddress: string | undefined,
  present: PresentKinds,
): EndpointKind[] {
  if (target === 'swarm') return ['ingress'];
  if (publishAddress === undefined || isLoopback(publishAddress)) return [];
  return DOOR_KINDS.filter((k) => k === 'ingress' || present.loadBalancer);
}
