import type { ComposeService } from '../load/compose-file.js';
import { DEFAULT_REPLICATION, RESTATE_DEFAULT_CLUSTER_NAME } from './defaults.js';

/**
 * What a compose service means to Restate, read from the file alone (check and rehearse judge
 * files anyone wrote, so nothing here knows how gen-compose plans a cluster).
 */

const RESTATE_IMAGE = /(^|\/)restatedev\/restate([:@]|$)/;
/** Restate's roles; a node without RESTATE_ROLES runs all of them. */
export const ALL_ROLES = ['http-ingress', 'admin', 'worker', 'log-server', 'metadata-server'] as const;
export type Role = (typeof ALL_ROLES)[number];

/** Restate's default listen ports: the same inside every container (each has its own network). */
export const RESTATE_PORTS = { ingress: 8080, admin: 9070, fabric: 5122 } as const;

/** The variable that sets each listener's address (host:port); the port defaults to RESTATE_PORTS. */
export const BIND_VARIABLES = {
  fabric: 'RESTATE_BIND_ADDRESS',
  admin: 'RESTATE_ADMIN__BIND_ADDRESS',
  ingress: 'RESTATE_INGRESS__BIND_ADDRESS',
} as const;
export type Listener = keyof typeof BIND_VARIABLES;

/** The variable that sets only each listener's port, used when its bind address is unset. */
export const PORT_VARIABLES = {
  fabric: 'RESTATE_BIND_PORT',
  admin: 'RESTATE_ADMIN__BIND_PORT',
  ingress: 'RESTATE_INGRESS__BIND_PORT',
} as const satisfies Record<Listener, string>;

/**
 * The container port a node listens on for one kind of traffic: its bind address's, else its
 * bind port (common.rs, ListenerOptions::bind_address), else the default.
 */
export function listenPortOf(env: Record<string, string>, listener: Listener): number {
  const m = /:(\d+)\/?$/.exec(env[BIND_VARIABLES[listener]] ?? '');
  if (m) return Number(m[1]);
  const port = env[PORT_VARIABLES[listener]];
  return port !== undefined && /^\d+$/.test(port) ? Number(port) : RESTATE_PORTS[listener];
}

/** Which setting decides a listener's port, for messages: its bind address, its bind port, or none (the default). */
export function listenPortSetting(env: Record<string, string>, listener: Listener): string | undefined {
  if (/:(\d+)\/?$/.test(env[BIND_VARIABLES[listener]] ?? '')) return BIND_VARIABLES[listener];
  return env[PORT_VARIABLES[listener]] !== undefined ? PORT_VARIABLES[listener] : undefined;
}

/** Host names that, inside a container, mean the container itself. */
export const LOOPBACK = new Set(['localhost', '127.0.0.1', '0.0.0.0', '::1']);

/**
 * A Restate node: the Restate image running its server, or a service that names a node, a
 * Restate configuration file (RESTATE_CONFIG) or restate-server in its entrypoint. The
 * image with an entrypoint of its own that never mentions restate-server is something else on
 * that image (a restatectl or sleep container of the user's; a trial's was taken for a fourth
 * node, a fourth metadata server, by check and ready).
 */
export function isRestateService(service: ComposeService): boolean {
  if ('RESTATE_NODE_NAME' in service.restate.settings) return true;
  // Another image (a custom one with the TOML file baked in) named as Restate's configuration is.
  if (
    'RESTATE_CONFIG' in service.environment ||
    [service.entrypoint ?? []].flat().some((word) => /(^|\/)restate-server$/.test(word))
  )
    return true;
  if (!RESTATE_IMAGE.test(service.image ?? '')) return false;
  const entrypoint = [service.entrypoint ?? []].flat().join(' ');
  // A shell entrypoint may take its script from command: (entrypoint: [sh, -c]).
  return (
    entrypoint === '' || [entrypoint, [service.command ?? []].flat().join(' ')].join(' ').includes('restate-server')
  );
}

/** RESTATE_ROLES as the server reads it: a JSON-style list, or the default of all roles. */
export function rolesOf(env: Record<string, string>): string[] {
  const raw = env.RESTATE_ROLES;
  if (raw === undefined) return [...ALL_ROLES];
  try {
    const parsed = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // Not a list: the server refuses it at start-up (check's fidelity step reports that).
  }
  return [];
}

/** Restate's default is auto-provision = true: only an explicit "false" keeps a node from provisioning. */
export function autoProvisions(env: Record<string, string>): boolean {
  return (env.RESTATE_AUTO_PROVISION ?? 'true') !== 'false';
}

/** The cluster a node joins: RESTATE_CLUSTER_NAME, else Restate's default. */
export function clusterNameOf(env: Record<string, string>): string {
  return env.RESTATE_CLUSTER_NAME ?? RESTATE_DEFAULT_CLUSTER_NAME;
}

/** RESTATE_DEFAULT_REPLICATION as written, else Restate's default (a number only if the file wrote one). */
export function replicationTextOf(env: Record<string, string>): string {
  return env.RESTATE_DEFAULT_REPLICATION ?? String(DEFAULT_REPLICATION);
}

/**
 * What a cluster's fault tolerance is computed from: the replication its nodes are provisioned
 * with (the first node's; undefined when it is no number) and the nodes that carry the log and
 * the metadata store (a node without the role holds neither).
 */
export function replicationOf(nodes: Record<string, string>[]): {
  replication: number | undefined;
  logServers: number;
  metadataServers: number;
} {
  const text = replicationTextOf(nodes[0] ?? {});
  return {
    replication: /^\d+$/.test(text) ? Number(text) : undefined,
    logServers: nodes.filter((env) => rolesOf(env).includes('log-server')).length,
    metadataServers: nodes.filter((env) => rolesOf(env).includes('metadata-server')).length,
  };
}

/** The node name: RESTATE_NODE_NAME, else the container's hostname (Restate's default). */
export function nodeNameOf(service: ComposeService): string {
  return service.restate.settings.RESTATE_NODE_NAME ?? service.hostname ?? service.name;
}

/** The tag of an image reference, or undefined when it has none (which means latest). */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1);
}

/** Every name a container answers to on the compose network, mapped to its service. */
export function servicesByHost(services: ComposeService[]): Map<string, ComposeService> {
  const byHost = new Map<string, ComposeService>();
  for (const s of services) {
    byHost.set(s.name, s);
    if (s.hostname) byHost.set(s.hostname, s);
    if (s.containerName !== undefined) byHost.set(s.containerName, s);
    for (const { aliases } of Object.values(s.networks ?? {})) for (const alias of aliases) byHost.set(alias, s);
  }
  return byHost;
}

/**
 * The networks two services share: where one can reach the other by name. Undefined when either
 * runs under a network_mode (host networking, another container's), which this cannot judge.
 */
export function sharedNetworks(a: ComposeService, b: ComposeService): string[] | undefined {
  if (!a.networks || !b.networks) return undefined;
  return Object.keys(a.networks).filter((name) => name in b.networks!);
}

/** Why `from` cannot reach `to` by `name`, in words: no shared network, or an alias on one it is not on. */
export function unreachableBecause(from: ComposeService[], to: ComposeService, name: string): string {
  const them = from.map((s) => s.name).join(', ');
  const on = Object.entries(to.networks ?? {})
    .filter(([, { aliases }]) => aliases.includes(name))
    .map(([network]) => network);
  return on.length > 0 && ![to.name, to.hostname, to.containerName].includes(name)
    ? `${name} is ${to.name}'s alias on ${on.join(', ')}, which ${them} ${from.length === 1 ? 'is' : 'are'} not on`
    : `${them} ${from.length === 1 ? 'shares' : 'share'} no network with ${to.name}, so ${name} does not resolve there`;
}

/**
 * Whether `from` can reach `to` by `name`: the same container, or a network they share where
 * the name resolves (a service's name, hostname and container name on all its networks, an
 * alias only on the network that declares it); true where it cannot be judged (network_mode).
 */
export function reachesByName(from: ComposeService, to: ComposeService, name?: string): boolean {
  if (from === to) return true;
  const shared = sharedNetworks(from, to);
  if (shared === undefined) return true;
  const everywhere = name === undefined || [to.name, to.hostname, to.containerName].includes(name);
  return shared.some((network) => everywhere || to.networks![network]!.aliases.includes(name));
}

/**
 * Whether some service creates the snapshot bucket: Restate never does. Recognises MinIO's
 * client (`mc mb`) in a command or entrypoint; other ways are possible, so callers warn only.
 */
export function createsBucket(services: ComposeService[]): boolean {
  return services.some((s) => /\bmc\b[^\n]*\bmb\b/.test([s.entrypoint, s.command].flat().filter(Boolean).join(' ')));
}

/** The server binary in Restate's image (its ENTRYPOINT, docker/Dockerfile of restatedev/restate). */
export const RESTATE_SERVER_BINARY = '/usr/local/bin/restate-server';

/**
 * How long Docker waits after SIGTERM before it kills a node: Restate's own shutdown-timeout
 * (1m by default, as --dump-config of 1.7.12 shows) and a margin for the process to exit.
 */
export const RESTATE_STOP_GRACE_PERIOD = '75s';
