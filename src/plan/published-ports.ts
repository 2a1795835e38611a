import { ENDPOINTS, kindsOf, LOCAL_ADDRESS, presentOf, type EndpointKind } from './exposure.js';
import type { PublishedPort, Tunable } from './model.js';
import type { ClusterOptions } from './options.js';
import { declare } from './tunables.js';

/**
 * Who reaches what: one host address per kind of endpoint under compose (127.0.0.1 unless
 * exposed); under Swarm an unexposed port is not published at all, and a published one
 * listens on every interface, so there is no address to set.
 */
export interface Exposure {
  swarm: boolean;
  exposed: ReadonlySet<EndpointKind>;
}

export function exposureOf(options: ClusterOptions): Exposure {
  return { swarm: options.target === 'swarm', exposed: new Set(options.expose) };
}

/** The host address tunable of every kind of endpoint the cluster has (compose only). */
export function addressTunables(options: ClusterOptions, exposure: Exposure): Tunable[] {
  if (exposure.swarm) return [];
  return kindsOf(presentOf(options)).map((kind) => {
    const { title, addressTunable, risk } = ENDPOINTS[kind];
    return declare({
      name: addressTunable,
      value: exposure.exposed.has(kind) ? options.publishAddress : LOCAL_ADDRESS,
      group: 'ports',
      description: `Host address of the ${title}: ${LOCAL_ADDRESS} keeps it on this host${risk ? ` (${risk})` : '; 0.0.0.0 opens it to the network'}`,
    });
  });
}

/** A port a service may publish, before exposure decides how. */
export interface PortSpec {
  kind: EndpointKind;
  /** The tunable holding the host port. */
  tunable: string;
  hostPort: number;
  containerPort: number;
  /** The port tunable's comment in .env. */
  description: string;
}

function publish(spec: PortSpec, exposure: Exposure): PublishedPort {
  return {
    kind: spec.kind,
    exposed: exposure.exposed.has(spec.kind),
    addressTunable: exposure.swarm ? undefined : ENDPOINTS[spec.kind].addressTunable,
    tunable: spec.tunable,
    hostPort: spec.hostPort,
    containerPort: spec.containerPort,
  };
}

/** A port's tunable exists wherever the port is published: always under compose. */
function portTunable(spec: PortSpec, exposure: Exposure): Tunable[] {
  if (exposure.swarm && !exposure.exposed.has(spec.kind)) return [];
  return [declare({ name: spec.tunable, value: String(spec.hostPort), group: 'ports', description: spec.description })];
}

/** A service's ports, published as exposure says, and their tunables in the same order. */
export function publishAll<K extends string>(
  specs: Record<K, PortSpec>,
  exposure: Exposure,
): { ports: Record<K, PublishedPort>; tunables: Tunable[] } {
  const entries = Object.entries(specs) as [K, PortSpec][];
  return {
    ports: Object.fromEntries(entries.map(([key, spec]) => [key, publish(spec, exposure)])) as Record<K, PublishedPort>,
    tunables: entries.flatMap(([, spec]) => portTunable(spec, exposure)),
  };
}
