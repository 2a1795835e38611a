import type { ComposeService } from '../load/compose-file.js';
import { isRestateService, listenPortOf } from './services.js';

/**
 * The kinds of endpoint a Restate cluster publishes, and which of them answer without any
 * authentication: what the generator exposes on purpose and what check warns about.
 */
export const ENDPOINT_KINDS = [
  'ingress',
  'admin',
  'fabric',
  's3',
  's3-console',
  'load-balancer',
  'prometheus',
  'grafana',
] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export interface EndpointInfo {
  title: string;
  /** Why the network reaching it is a risk; absent for the application's doors. */
  risk?: string;
}

export const ENDPOINT_INFO: Record<EndpointKind, EndpointInfo> = {
  ingress: { title: "ingress (invocations: the application's door)" },
  admin: {
    title: 'admin API and UI (control plane)',
    risk: 'no authentication: whoever reaches it can register deployments, cancel or purge invocations and read state',
  },
  fabric: {
    title: 'fabric port (node-to-node, restatectl, /metrics)',
    risk: 'no authentication: restatectl can reconfigure the cluster through it',
  },
  s3: { title: 'S3 API (MinIO: the snapshots)', risk: 'it holds every partition snapshot, guarded only by keys' },
  's3-console': { title: 'S3 console (MinIO)', risk: "a login page for MinIO's root user" },
  'load-balancer': { title: "load balancer (invocations: the application's door)" },
  prometheus: { title: 'Prometheus', risk: "no authentication: it shows every node's metrics" },
  grafana: { title: 'Grafana', risk: 'a login page for the admin user' },
};

const MINIO_IMAGE = /(^|\/)minio\/minio([:@]|$)/;
const PROMETHEUS_IMAGE = /(^|\/)prom\/prometheus([:@]|$)/;
const GRAFANA_IMAGE = /(^|\/)grafana\/grafana(-oss|-enterprise)?([:@]|$)/;

/** What a service's container port is, read from the file alone (for files anyone wrote). */
export function endpointKindOf(service: ComposeService, containerPort: number): EndpointKind | undefined {
  if (isRestateService(service)) {
    const env = service.restate.settings;
    if (containerPort === listenPortOf(env, 'admin')) return 'admin';
    if (containerPort === listenPortOf(env, 'fabric')) return 'fabric';
    if (containerPort === listenPortOf(env, 'ingress')) return 'ingress';
    return undefined;
  }
  if (MINIO_IMAGE.test(service.image ?? '')) {
    const command = [service.command].flat().filter(Boolean).join(' ');
    const console = /--console-address\s+\S*:(\d+)/.exec(command);
    if (containerPort === (console ? Number(console[1]) : 9001)) return 's3-console';
    if (containerPort === 9000) return 's3';
  }
  if (PROMETHEUS_IMAGE.test(service.image ?? '') && containerPort === 9090) return 'prometheus';
  if (GRAFANA_IMAGE.test(service.image ?? '') && containerPort === 3000) return 'grafana';
  return undefined;
}
