import { join } from 'node:path';
import { rehearsalFindings } from '../check/refusals.js';
import { hostOf } from '../check/rules/rule.js';
import type { ComposeProject, ComposeService } from '../load/compose-file.js';
import { faultTolerance, type FaultTolerance } from '../restate/tolerance.js';
import {
  autoProvisions,
  BIND_VARIABLES,
  imageTag,
  isRestateService,
  listenPortOf,
  LOOPBACK,
  nodeNameOf,
  replicationOf,
  rolesOf,
  servicesByHost,
  type Listener,
} from '../restate/services.js';

/**
 * Turns the Restate services of a compose file into host processes, changing only what differs
 * between a container and a process on this machine:
 * - listen addresses (every container has its own 0.0.0.0:5122) become 127.0.0.1:<published port>;
 * - a URL naming a service (http://restate-2:5122, http://minio:9000) names 127.0.0.1 and that
 *   service's published port instead, and a node's own address on localhost its own port;
 * - each node's base dir becomes its own directory under a temporary base.
 * Everything else is passed on exactly as compose resolves it. Whether the file can be
 * rehearsed at all is not judged here: check's rules that refuse a rehearsal do that
 * (src/check/refusals.ts): their errors are handed on as `problems`, their warnings first among `warnings`.
 */

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
  hostPorts: Record<Listener, number>;
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

export interface TranslateOptions {
  /** Where node data directories go. */
  baseDir: string;
  /** A free host port, for a container port the file does not publish. */
  freePort: () => number;
}

/** What every part of a translation shares: the file's host names, ports, and what it notes. */
interface Translator {
  byHost: Map<string, ComposeService>;
  translations: Translation[];
  warnings: string[];
  /** A free port the file does not publish. */
  freePort: () => number;
  /** Host port for a service's container port: the published one, or a free one (said so). */
  hostPort: (service: ComposeService, containerPort: number) => number;
}

function translator(project: ComposeProject, freePort: () => number): Translator {
  const warnings: string[] = [];
  // A free port that some service publishes would collide once that service listens there.
  const published = new Set(project.services.flatMap((s) => s.ports.flatMap((p) => p.published ?? [])));
  const freeUnpublished = () => {
    let port = freePort();
    while (published.has(port)) port = freePort();
    return port;
  };
  const allocated = new Map<string, number>();
  const hostPort = (service: ComposeService, containerPort: number): number => {
    const mapping = service.ports.find(
      (p) => p.target === containerPort && p.published !== undefined && p.protocol === 'tcp',
    );
    if (mapping) return mapping.published!;
    const key = `${service.name}:${containerPort}`;
    let port = allocated.get(key);
    if (port === undefined) {
      port = freeUnpublished();
      allocated.set(key, port);
      warnings.push(
        `${service.name} does not publish container port ${containerPort}; the rehearsal uses free port ${port} for it`,
      );
    }
    return port;
  };
  return { byHost: servicesByHost(project.services), translations: [], warnings, freePort: freeUnpublished, hostPort };
}

/** The snapshot store the nodes use, stood in for locally; none without an s3:// destination. */
function snapshotStore(project: ComposeProject, env: Record<string, string>, t: Translator): LocalS3 | undefined {
  // Another scheme is check's snapshots rule's to refuse.
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(env.RESTATE_WORKER__SNAPSHOTS__DESTINATION ?? '');
  if (!m) return undefined;
  const endpoint = env.RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL;
  const target = endpoint === undefined ? undefined : hostOf(endpoint);
  const service = target && t.byHost.get(target.host);
  const port = service ? t.hostPort(service, Number(target.port || 80)) : t.freePort();
  if (!service) {
    t.warnings.push(
      endpoint === undefined
        ? `no AWS_ENDPOINT_URL: the nodes would use AWS S3; the rehearsal points them at a local S3 stand-in on port ${port}`
        : `snapshot endpoint ${endpoint} is outside the compose file; the rehearsal points the nodes at a local S3 stand-in on port ${port}`,
    );
  }
  const s3: LocalS3 = {
    service: service?.name,
    port,
    bucket: m[1]!,
    prefix: m[2]!.replace(/\/$/, ''),
    accessKeyId: env.RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID,
    secretAccessKey: env.RESTATE_WORKER__SNAPSHOTS__AWS_SECRET_ACCESS_KEY,
  };
  return s3;
}

/**
 * A variable's value with every URL that names a service of the file (or, in a node's own
 * addresses, the container itself) pointed at this machine; undefined when nothing changes.
 */
function rewriteUrls(
  service: ComposeService,
  variable: string,
  value: string,
  t: Translator,
  s3: LocalS3 | undefined,
): string | undefined {
  const addressing = variable === 'RESTATE_ADVERTISED_ADDRESS' || variable === 'RESTATE_METADATA_CLIENT__ADDRESSES';
  const isSnapshotEndpoint = variable === 'RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL';
  let changed = false;
  const rewritten = value.replace(URL_HOST, (match, scheme: string, host: string, port: string | undefined) => {
    const target = byHostOrSelf(service, host, addressing, t);
    const containerPort = port ? Number(port) : scheme === 'https' ? 443 : 80;
    if (isSnapshotEndpoint && s3) {
      changed = true;
      return `${target ? scheme : 'http'}://127.0.0.1:${s3.port}`;
    }
    if (!target) return match;
    changed = true;
    return `${scheme}://127.0.0.1:${t.hostPort(target, containerPort)}`;
  });
  return changed ? rewritten : undefined;
}

/** The service a URL's host names; in a node's own addresses, localhost is the container itself. */
function byHostOrSelf(service: ComposeService, host: string, addressing: boolean, t: Translator) {
  return t.byHost.get(host) ?? (addressing && LOOPBACK.has(host) ? service : undefined);
}

/** One Restate service as a process: its listeners, data directory and addresses on this machine. */
function localNode(service: ComposeService, t: Translator, s3: LocalS3 | undefined, baseDir: string): LocalNode {
  // Its TOML file's and flags' settings too, as variables: a process here starts with neither.
  const source = { ...service.environment, ...service.restate.settings };
  // Variables for the server only: the container's other variables (TZ, …) pass unchanged.
  const env: Record<string, string> = { ...source };
  const note = (variable: string, to: string, why: string) => {
    t.translations.push({ service: service.name, variable, from: source[variable], to, why });
    env[variable] = to;
  };

  const hostPorts = {} as Record<Listener, number>;
  const containerPorts: Record<number, number> = {};
  for (const listener of Object.keys(BIND_VARIABLES) as Listener[]) {
    const containerPort = listenPortOf(source, listener);
    hostPorts[listener] = t.hostPort(service, containerPort);
    containerPorts[containerPort] = hostPorts[listener];
    const why = `listen on the host port published for container port ${containerPort}`;
    note(BIND_VARIABLES[listener], `127.0.0.1:${hostPorts[listener]}`, why);
  }
  note('RESTATE_BASE_DIR', join(baseDir, service.name), 'each node gets its own data directory');

  const bindVariables: string[] = Object.values(BIND_VARIABLES);
  for (const [variable, value] of Object.entries(source)) {
    if (!variable.startsWith('RESTATE_') || bindVariables.includes(variable)) continue;
    const rewritten = rewriteUrls(service, variable, value, t, s3);
    if (rewritten !== undefined)
      note(variable, rewritten, 'service names resolve to this machine, at the published ports');
  }
  if (source.RESTATE_NODE_NAME === undefined) {
    // Restate names a node after its hostname: a container's under compose, this machine's here.
    note('RESTATE_NODE_NAME', nodeNameOf(service), "unset in the file; the node takes its container's name");
  }
  if (source.RESTATE_ADVERTISED_ADDRESS === undefined) {
    const own = `http://127.0.0.1:${hostPorts.fabric}`;
    note('RESTATE_ADVERTISED_ADDRESS', own, 'unset in the file; the node advertises its own fabric port');
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
}

export function translate(project: ComposeProject, { baseDir, freePort }: TranslateOptions): LocalCluster {
  const services = project.services.filter(isRestateService);
  const t = translator(project, freePort);
  // The snapshot store: the first node's settings decide (a difference between nodes is check's business).
  const firstEnv = services[0]?.restate.settings ?? {};
  const s3 = snapshotStore(project, firstEnv, t);
  const nodes = services.map((service) => localNode(service, t, s3, baseDir));
  const images = new Set(services.map((s) => imageTag(s.image)).filter((v): v is string => !!v));
  const checked = rehearsalFindings(project);
  // As check's fault-tolerance rule counts: only nodes with the role carry the log or the metadata.
  const counted = replicationOf(services.map((s) => s.restate.settings));
  // Not a number: the server refuses it at start-up, which the rehearsal then reports.
  const replication = counted.replication ?? Number.NaN;
  return {
    nodes,
    s3,
    translations: t.translations,
    problems: checked.refusals,
    warnings: [...checked.warnings, ...t.warnings],
    restateVersions: [...images],
    replication,
    tolerance: faultTolerance(counted.logServers, replication, Math.max(1, counted.metadataServers)),
  };
}
