import { join } from 'node:path';
import type { ComposeProject, ComposeService } from '../load/compose-file.js';
import { faultTolerance, type FaultTolerance } from '../restate/tolerance.js';
import {
  autoProvisions,
  createsBucket,
  imageTag,
  isRestateService,
  LOOPBACK,
  nodeNameOf,
  RESTATE_PORTS,
  rolesOf,
  servicesByHost,
} from '../restate/services.js';

/**
 * Turns the Restate services of a compose file into host processes, changing only what differs
 * between a container and a process on this machine:
 * - listen addresses (every container has its own 0.0.0.0:5122) become 127.0.0.1:<published port>;
 * - a URL naming a service (http://restate-2:5122, http://minio:9000) names 127.0.0.1 and that
 *   service's published port instead;
 * - each node's base dir becomes its own directory under a temporary base.
 * Everything else is passed on exactly as compose resolves it. What cannot be translated
 * without changing the meaning of the file is a problem, reported before anything starts.
 */

/** Restate's container ports when a file does not set them (its defaults). */
const DEFAULT_CONTAINER_PORTS = RESTATE_PORTS;
const BIND_VARIABLES = {
  fabric: 'RESTATE_BIND_ADDRESS',
  admin: 'RESTATE_ADMIN__BIND_ADDRESS',
  ingress: 'RESTATE_INGRESS__BIND_ADDRESS',
} as const;
type PortKind = keyof typeof DEFAULT_CONTAINER_PORTS;

const URL_HOST = /\b(https?):\/\/([A-Za-z0-9._-]+)(?::(\d+))?/g;

export interface Translation {
  service: string;
  variable: string;
  from: string | undefined;
  to: string;
  why: string;
}

export interface LocalNode {
  service: string;
  nodeName: string;
  env: Record<string, string>;
  hostPorts: Record<PortKind, number>;
  /** Container port → port on this machine, for anything that names the node by port (a balancer). */
  containerPorts: Record<number, number>;
  autoProvision: boolean;
  roles: string[];
  dataDir: string;
}

export interface LocalS3 {
  /** The compose service the stand-in replaces, when the endpoint names one. */
  service?: string;
  port: number;
  bucket: string;
  prefix: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface LocalCluster {
  nodes: LocalNode[];
  s3?: LocalS3;
  translations: Translation[];
  /** Reasons the file cannot be rehearsed (or would certainly fail); nothing starts when any. */
  problems: string[];
  warnings: string[];
  /** The image tags of the Restate services (normally one). */
  restateVersions: string[];
  replication: number;
  tolerance: FaultTolerance;
}

function portOf(address: string | undefined): number | undefined {
  const m = address === undefined ? null : /:(\d+)\/?$/.exec(address);
  return m ? Number(m[1]) : undefined;
}

export interface TranslateOptions {
  /** Where node data directories go. */
  baseDir: string;
  /** A free host port, for a container port the file does not publish. */
  freePort: () => number;
}

export function translate(project: ComposeProject, { baseDir, freePort }: TranslateOptions): LocalCluster {
  const problems: string[] = [];
  const warnings: string[] = [];
  const translations: Translation[] = [];
  const restateServices = project.services.filter(isRestateService);
  if (restateServices.length === 0)
    problems.push(`${project.file} has no Restate service (no restatedev/restate image, no RESTATE_NODE_NAME)`);

  const byHost = servicesByHost(project.services);

  // Host port for a service's container port: the published one, or a free one (said so).
  const allocated = new Map<string, number>();
  const hostPort = (service: ComposeService, containerPort: number): number => {
    const published = service.ports.find(
      (p) => p.target === containerPort && p.published !== undefined && p.protocol === 'tcp',
    );
    if (published) return published.published!;
    const key = `${service.name}:${containerPort}`;
    let port = allocated.get(key);
    if (port === undefined) {
      port = freePort();
      allocated.set(key, port);
      warnings.push(
        `${service.name} does not publish container port ${containerPort}; the rehearsal uses free port ${port} for it`,
      );
    }
    return port;
  };

  // The snapshot store: the first node's settings decide (a difference between nodes is check's business).
  const firstEnv = restateServices[0]?.environment ?? {};
  let s3: LocalS3 | undefined;
  const destination = firstEnv.RESTATE_WORKER__SNAPSHOTS__DESTINATION;
  if (destination !== undefined) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(destination);
    if (!m) {
      problems.push(
        `RESTATE_WORKER__SNAPSHOTS__DESTINATION "${destination}" is not an s3://bucket/prefix URL (restate-server rejects other schemes at start-up)`,
      );
    } else {
      const endpoint = firstEnv.RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL;
      const host = endpoint === undefined ? undefined : new URL(endpoint).hostname;
      const service = host === undefined ? undefined : byHost.get(host);
      const port = service ? hostPort(service, Number(new URL(endpoint!).port || 80)) : freePort();
      if (!service) {
        warnings.push(
          endpoint === undefined
            ? `no AWS_ENDPOINT_URL: the nodes would use AWS S3; the rehearsal points them at a local S3 stand-in on port ${port}`
            : `snapshot endpoint ${endpoint} is outside the compose file; the rehearsal points the nodes at a local S3 stand-in on port ${port}`,
        );
      }
      s3 = {
        service: service?.name,
        port,
        bucket: m[1]!,
        prefix: m[2]!.replace(/\/$/, ''),
        accessKeyId: firstEnv.RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID,
        secretAccessKey: firstEnv.RESTATE_WORKER__SNAPSHOTS__AWS_SECRET_ACCESS_KEY,
      };
      if (!createsBucket(project.services)) {
        warnings.push(
          `no service creates bucket "${s3.bucket}" (no "mc mb" command found); Restate never creates it, so snapshots would fail under compose`,
        );
      }
    }
  }

  const nodes: LocalNode[] = restateServices.map((service) => {
    const source = service.environment;
    const env: Record<string, string> = {};
    const note = (variable: string, to: string, why: string) => {
      translations.push({ service: service.name, variable, from: source[variable], to, why });
      env[variable] = to;
    };

    // Variables for the server only: the container's other variables (TZ, …) pass unchanged.
    for (const [name, value] of Object.entries(source)) env[name] = value;

    const hostPorts = {} as Record<PortKind, number>;
    const containerPorts: Record<number, number> = {};
    for (const kind of Object.keys(BIND_VARIABLES) as PortKind[]) {
      const variable = BIND_VARIABLES[kind];
      const containerPort = portOf(source[variable]) ?? DEFAULT_CONTAINER_PORTS[kind];
      hostPorts[kind] = hostPort(service, containerPort);
      containerPorts[containerPort] = hostPorts[kind];
      note(
        variable,
        `127.0.0.1:${hostPorts[kind]}`,
        `listen on the host port published for container port ${containerPort}`,
      );
    }
    note('RESTATE_BASE_DIR', join(baseDir, service.name), 'each node gets its own data directory');

    for (const [variable, value] of Object.entries(source)) {
      if (!variable.startsWith('RESTATE_') || Object.values(BIND_VARIABLES).includes(variable as never)) continue;
      const addressing = variable === 'RESTATE_ADVERTISED_ADDRESS' || variable === 'RESTATE_METADATA_CLIENT__ADDRESSES';
      const isSnapshotEndpoint = variable === 'RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL';
      let changed = false;
      const rewritten = value.replace(URL_HOST, (match, scheme: string, host: string, port: string | undefined) => {
        const target = byHost.get(host);
        const containerPort = port ? Number(port) : scheme === 'https' ? 443 : 80;
        if (target) {
          changed = true;
          if (isSnapshotEndpoint && s3) return `${scheme}://127.0.0.1:${s3.port}`;
          return `${scheme}://127.0.0.1:${hostPort(target, containerPort)}`;
        }
        if (isSnapshotEndpoint && s3) {
          changed = true;
          return `http://127.0.0.1:${s3.port}`;
        }
        if (addressing && LOOPBACK.has(host)) {
          problems.push(
            `${service.name}: ${variable} names ${host}, which inside a container is the container itself; other nodes cannot reach it there (use the service name, e.g. http://${service.name}:${containerPort})`,
          );
        } else if (addressing) {
          problems.push(`${service.name}: ${variable} names "${host}", which is no service in this compose file`);
        }
        return match;
      });
      if (changed) note(variable, rewritten, 'service names resolve to this machine, at the published ports');
    }

    // The node's own advertised address must lead back to itself.
    const advertised = source.RESTATE_ADVERTISED_ADDRESS;
    if (advertised === undefined) {
      note(
        'RESTATE_ADVERTISED_ADDRESS',
        `http://127.0.0.1:${hostPorts.fabric}`,
        'unset in the file; the node advertises its own fabric port',
      );
    } else {
      try {
        const target = byHost.get(new URL(advertised).hostname);
        if (target && target !== service) {
          problems.push(
            `${service.name}: RESTATE_ADVERTISED_ADDRESS ${advertised} names ${target.name}, not ${service.name} itself; peers would reach the wrong node`,
          );
        }
      } catch {
        problems.push(`${service.name}: RESTATE_ADVERTISED_ADDRESS "${advertised}" is not a URL`);
      }
    }

    return {
      service: service.name,
      nodeName: nodeNameOf(service),
      env,
      hostPorts,
      containerPorts,
      autoProvision: autoProvisions(source),
      roles: rolesOf(source),
      dataDir: join(baseDir, service.name),
    };
  });

  // Two processes cannot listen on one host port; compose would refuse that file too.
  const owners = new Map<number, string>();
  for (const node of nodes) {
    for (const [kind, port] of Object.entries(node.hostPorts)) {
      const other = owners.get(port);
      if (other) problems.push(`host port ${port} is published twice (${other} and ${node.service} ${kind})`);
      owners.set(port, `${node.service} ${kind}`);
    }
  }
  if (s3 && owners.has(s3.port))
    problems.push(`host port ${s3.port} is published twice (${owners.get(s3.port)} and the S3 store)`);

  const provisioners = nodes.filter((n) => n.autoProvision).map((n) => n.service);
  // Refused before anything starts: booting would prove nothing either way, since whether such
  // nodes form one cluster or two is a race (seen both ways here: usually two, but under load
  // the second node sometimes finds the first one's cluster and joins it).
  if (provisioners.length > 1) {
    problems.push(
      `${provisioners.join(', ')} would all auto-provision (RESTATE_AUTO_PROVISION is not "false", and Restate's default is true): each may form a cluster of its own, depending on which starts first; set RESTATE_AUTO_PROVISION: "false" on all but one`,
    );
  }

  const images = new Set(restateServices.map((s) => imageTag(s.image)).filter((v): v is string => !!v));
  const replication = Number(firstEnv.RESTATE_DEFAULT_REPLICATION ?? '1');
  const metadataMembers = nodes.filter((n) => n.roles.includes('metadata-server')).length;
  return {
    nodes,
    s3,
    translations,
    problems,
    warnings,
    restateVersions: [...images],
    replication,
    tolerance: faultTolerance(nodes.length, replication, Math.max(1, metadataMembers)),
  };
}
