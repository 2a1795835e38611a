import {
  CONTAINER_PORTS,
  GRAFANA_PORT,
  LOAD_BALANCER_PORT,
  MINIO_CONTAINER_PORTS,
  PROMETHEUS_PORT,
} from './defaults.js';
import { PORT_RANGE } from '../docker/ports.js';

/**
 * Published host ports.
 *
 * Nodes 1–5 follow the scheme Restate's documentation and most hand-written stacks use:
 * node 1 publishes 8080 / 9070 / 5122, node k ≥ 2 publishes k·10000 + 8080 / 9070 / 5122
 * (28080, 29070, 25122 for node 2). Node 6 would need 68080 > 65535, so nodes 6 and up take
 * the 1xxxx decade that node 1 leaves unused: ingress 18000+k, admin 19000+k, fabric 15000+k
 * (node 6: 18006 / 19006 / 15006; node 100: 18100 / 19100 / 15100). Those three bands never
 * meet each other, the classic ports, MinIO's 9000/9001, or the optional load balancer (7080),
 * Prometheus (9090) and Grafana (3000), so no two ports collide for any N up to MAX_NODES. A
 * port offset shifts every published port.
 */
export const MAX_NODES = 100;
export const CLASSIC_SCHEME_NODES = 5;

export interface NodePorts {
  ingress: number;
  admin: number;
  fabric: number;
}

export function nodePorts(nodeId: number, offset = 0): NodePorts {
  if (!Number.isInteger(nodeId) || nodeId < 1 || nodeId > MAX_NODES) {
    throw new RangeError(`node id ${nodeId} is outside 1..${MAX_NODES}`);
  }
  let base: NodePorts;
  if (nodeId === 1) {
    base = { ...CONTAINER_PORTS };
  } else if (nodeId <= CLASSIC_SCHEME_NODES) {
    base = {
      ingress: nodeId * 10000 + CONTAINER_PORTS.ingress,
      admin: nodeId * 10000 + CONTAINER_PORTS.admin,
      fabric: nodeId * 10000 + CONTAINER_PORTS.fabric,
    };
  } else {
    base = { ingress: 18000 + nodeId, admin: 19000 + nodeId, fabric: 15000 + nodeId };
  }
  return { ingress: base.ingress + offset, admin: base.admin + offset, fabric: base.fabric + offset };
}

export function minioPorts(offset = 0): { api: number; console: number } {
  return { api: MINIO_CONTAINER_PORTS.api + offset, console: MINIO_CONTAINER_PORTS.console + offset };
}

/** The optional services' host ports (load balancer, Prometheus, Grafana), reserved whether used or not. */
export function addOnPorts(offset = 0): { loadBalancer: number; prometheus: number; grafana: number } {
  return {
    loadBalancer: LOAD_BALANCER_PORT + offset,
    prometheus: PROMETHEUS_PORT + offset,
    grafana: GRAFANA_PORT + offset,
  };
}

/** Every host port a cluster of `nodes` may publish, in a fixed order (for range and collision checks). */
export function allPublishedPorts(nodes: number, offset = 0): number[] {
  const ports: number[] = [];
  for (let id = 1; id <= nodes; id++) {
    const p = nodePorts(id, offset);
    ports.push(p.ingress, p.admin, p.fabric);
  }
  const m = minioPorts(offset);
  ports.push(m.api, m.console, ...Object.values(addOnPorts(offset)));
  return ports;
}

/** The offsets that keep every port of an N-node cluster inside PORT_RANGE. */
export function portOffsetRange(nodes: number): { min: number; max: number } {
  const ports = allPublishedPorts(nodes, 0);
  return { min: PORT_RANGE.min - Math.min(...ports), max: PORT_RANGE.max - Math.max(...ports) };
}
