import { CONTAINER_PORTS } from './defaults.js';
import { metadataBootstrapCount } from '../restate/metadata-client.js';
import { ALL_ROLES } from '../restate/services.js';
import type { EnvEntry, RestateNode, Tunable } from './model.js';
import type { ClusterOptions } from './options.js';
import { nodePorts } from './ports.js';
import { publishAll, type Exposure, type PortSpec } from './published-ports.js';
import { parseReplacements, restateIdentity } from './replacements.js';
import { literal } from './tunables.js';

export function nodeName(id: number): string {
  return `restate-${id}`;
}

/** The node number a service name stands for (restate-3 → 3), or undefined for any other service. */
export function nodeNumberOf(service: string): number | undefined {
  const m = /^restate-([1-9]\d*)$/.exec(service);
  return m ? Number(m[1]) : undefined;
}

/** Node numbers first..last (none when last < first): the nodes a change adds or removes. */
export function nodeIds(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** Every node's service name, restate-1 to restate-N. */
export function allNodeNames(options: Pick<ClusterOptions, 'nodes'>): string[] {
  return nodeIds(1, options.nodes).map(nodeName);
}

/**
 * Whether node `id` auto-provisions. Exactly one node provisions the cluster. The server's
 * default is auto-provision = true, so every other node must say false explicitly or it would
 * form a cluster of its own. Node 1 does under a new identity too: its guard
 * (render/start-guard.ts) makes it join a cluster its peers hold, so a replacement joins,
 * and the whole cluster wiped (`down -v`) provisions again on its own.
 */
export function provisionsCluster(id: number): boolean {
  return id === 1;
}

/** The overlay network the stack's services share (the compose target uses its default network). */
export function clusterNetwork(clusterName: string): string {
  return `${clusterName}-net`;
}

export function fabricAddress(id: number): string {
  return `http://${nodeName(id)}:${CONTAINER_PORTS.fabric}`;
}

/** The node IDs that run the metadata server: the first --metadata-nodes. */
export function metadataNodeIds(options: ClusterOptions): number[] {
  return Array.from({ length: options.metadataNodes }, (_, i) => i + 1);
}

/**
 * The metadata servers every node's metadata client is given: the first few members, as many
 * as metadataBootstrapCount says. Growing or shrinking the group past them changes no file of
 * a running node, so no node restarts for it.
 */
export function metadataBootstrapIds(options: ClusterOptions): number[] {
  return metadataNodeIds(options).slice(0, metadataBootstrapCount(options.metadataNodes));
}

/** Whether the running nodes' files list other metadata servers to start from. */
export function bootstrapChanged(previous: ClusterOptions, next: ClusterOptions): boolean {
  return metadataBootstrapIds(previous).join() !== metadataBootstrapIds(next).join();
}

/**
 * The nodes both option sets have whose files a change of the metadata group rewrites: every
 * one when the list to start from changes, else those that gain or lose the metadata role.
 */
export function metadataRewrites(previous: ClusterOptions, next: ClusterOptions): string[] {
  const both = Array.from({ length: Math.min(previous.nodes, next.nodes) }, (_, i) => i + 1);
  const all = bootstrapChanged(previous, next);
  return both.filter((k) => all || k <= previous.metadataNodes !== k <= next.metadataNodes).map(nodeName);
}

/** Node k's three ports, each with its NODEk_*_PORT_OVERRIDE tunable. */
function nodePortSpecs(id: number, offset: number): Record<'ingress' | 'admin' | 'fabric', PortSpec> {
  const host = nodePorts(id, offset);
  const spec = (
    kind: PortSpec['kind'],
    variable: string,
    hostPort: number,
    containerPort: number,
    what: string,
  ): PortSpec => ({
    kind,
    tunable: `NODE${id}_${variable}_PORT_OVERRIDE`,
    hostPort,
    containerPort,
    description: `Host port of ${nodeName(id)}'s ${what}`,
  });
  return {
    ingress: spec('ingress', 'INGRESS', host.ingress, CONTAINER_PORTS.ingress, 'ingress (invocations)'),
    admin: spec('admin', 'ADMIN', host.admin, CONTAINER_PORTS.admin, 'admin API and UI'),
    fabric: spec(
      'fabric',
      'NODE',
      host.fabric,
      CONTAINER_PORTS.fabric,
      'fabric port (node-to-node, restatectl, /metrics)',
    ),
  };
}

/** Who node `id` is: its name, roles, whether it provisions, and the variables that say so. */
function nodeIdentity(id: number, options: ClusterOptions): Omit<RestateNode, 'ports'> {
  const name = nodeName(id);
  const restate = restateIdentity(id, parseReplacements(options.replacedNodes));
  const runsMetadata = id <= options.metadataNodes;
  const roles = runsMetadata ? [...ALL_ROLES] : ALL_ROLES.filter((r) => r !== 'metadata-server');
  const autoProvision = provisionsCluster(id);
  const environment: EnvEntry[] = [
    { name: 'RESTATE_NODE_NAME', value: literal(restate.name) },
    { name: 'RESTATE_FORCE_NODE_ID', value: literal(restate.id) },
    { name: 'RESTATE_ADVERTISED_ADDRESS', value: literal(fabricAddress(id)) },
    { name: 'RESTATE_AUTO_PROVISION', value: literal(autoProvision) },
  ];
  if (!runsMetadata) environment.push({ name: 'RESTATE_ROLES', value: literal(JSON.stringify(roles)) });
  // A replacement's own metadata server is empty until it has joined (it answers that the
  // cluster is not provisioned), so it asks the other members of the list. Not proven needed:
  // the join failure that led here turned out to be a metadata group that had lost its quorum.
  if (restate.id !== id && metadataBootstrapIds(options).includes(id)) {
    const others = metadataBootstrapIds(options).filter((k) => k !== id);
    environment.push({
      name: 'RESTATE_METADATA_CLIENT__ADDRESSES',
      value: literal(JSON.stringify(others.map(fabricAddress))),
    });
  }
  return {
    id,
    name,
    restateId: restate.id,
    restateName: restate.name,
    volume: `${name}-data`,
    autoProvision,
    startPeers: metadataBootstrapIds(options)
      .filter((k) => k !== id)
      .map(nodeName),
    roles,
    advertisedAddress: fabricAddress(id),
    environment,
  };
}

/** Every Restate node, and their port tunables, node by node. */
export function planNodes(options: ClusterOptions, exposure: Exposure): { nodes: RestateNode[]; tunables: Tunable[] } {
  const planned = nodeIds(1, options.nodes).map((id) => {
    const { ports, tunables } = publishAll(nodePortSpecs(id, options.portOffset), exposure);
    const { environment, ...identity } = nodeIdentity(id, options);
    // Fields in RestateNode's order: ports before the environment.
    return { node: { ...identity, ports, environment }, tunables };
  });
  return { nodes: planned.map((p) => p.node), tunables: planned.flatMap((p) => p.tunables) };
}
