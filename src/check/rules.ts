import { isIP } from 'node:net';
import { parseDockerBytes } from '../docker/bytes.js';
import { isRecord, type ComposeProject, type ComposeService } from '../load/compose-file.js';
import { faultTolerance, describeTolerance } from '../restate/tolerance.js';
import { parseByteSize } from '../restate/config-keys.js';
import { ENDPOINT_INFO, endpointKindOf } from '../restate/endpoints.js';
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

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** A short stable name for the rule, for --json consumers and tests. */
  rule: string;
  service?: string;
  variable?: string;
  message: string;
}

const DEFAULT_ROCKSDB_MEMORY = 2 * 2 ** 30;
const DEFAULT_QUERY_ENGINE_MEMORY = 2 ** 30;

function hostOf(url: string): { host: string; port: string } | undefined {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port };
  } catch {
    return undefined;
  }
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 2)} GiB`;

/** Cluster rules: Restate's documented requirements for nodes that are meant to form one cluster. */
export function clusterRules(project: ComposeProject): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const nodes = project.services.filter(isRestateService);
  if (nodes.length === 0) {
    add({
      severity: 'error',
      rule: 'no-restate-service',
      message: 'no Restate service found (no restatedev/restate image, no RESTATE_NODE_NAME)',
    });
    return findings;
  }
  const byHost = servicesByHost(project.services);
  const multiNode = nodes.length > 1;

  // Provisioning: the default is true, so every node but one must say false.
  const provisioners = nodes.filter((n) => autoProvisions(n.environment));
  if (provisioners.length > 1) {
    for (const n of provisioners) {
      add({
        severity: 'error',
        rule: 'single-auto-provision',
        service: n.name,
        variable: 'RESTATE_AUTO_PROVISION',
        message: `${n.environment.RESTATE_AUTO_PROVISION === undefined ? "not set, so true (Restate's default)" : `"${n.environment.RESTATE_AUTO_PROVISION}"`}: ${provisioners.length} nodes would auto-provision (${provisioners.map((p) => p.name).join(', ')}); at most one may, or each forms a cluster of its own`,
      });
    }
  } else if (provisioners.length === 0) {
    add({
      severity: 'warning',
      rule: 'single-auto-provision',
      message: 'no node auto-provisions: the cluster does nothing until someone runs "restatectl provision"',
    });
  }

  // Identity.
  const seen = (label: string, value: (s: ComposeService) => string | undefined, variable: string) => {
    const owners = new Map<string, string[]>();
    for (const n of nodes) {
      const v = value(n);
      if (v !== undefined) owners.set(v, [...(owners.get(v) ?? []), n.name]);
    }
    for (const [v, services] of owners) {
      if (services.length > 1)
        add({
          severity: 'error',
          rule: 'unique-node-identity',
          variable,
          service: services.join(', '),
          message: `${label} "${v}" is used by ${services.join(' and ')}; every node needs its own`,
        });
    }
  };
  seen('node name', nodeNameOf, 'RESTATE_NODE_NAME');
  seen('node id', (s) => s.environment.RESTATE_FORCE_NODE_ID, 'RESTATE_FORCE_NODE_ID');
  const clusterNames = new Set(nodes.map((n) => n.environment.RESTATE_CLUSTER_NAME ?? 'localcluster'));
  if (clusterNames.size > 1) {
    add({
      severity: 'error',
      rule: 'same-cluster-name',
      variable: 'RESTATE_CLUSTER_NAME',
      message: `the nodes name different clusters (${[...clusterNames].join(', ')}); all must share one`,
    });
  }

  // Addresses: a node must be reachable by its peers at the address it advertises.
  for (const n of nodes) {
    const advertised = n.environment.RESTATE_ADVERTISED_ADDRESS;
    if (advertised === undefined) {
      if (multiNode)
        add({
          severity: 'warning',
          rule: 'advertised-address',
          service: n.name,
          variable: 'RESTATE_ADVERTISED_ADDRESS',
          message:
            'not set: the node advertises an address derived from its hostname; set it explicitly (http://<service>:5122)',
        });
      continue;
    }
    const target = hostOf(advertised);
    if (!target) {
      add({
        severity: 'error',
        rule: 'advertised-address',
        service: n.name,
        variable: 'RESTATE_ADVERTISED_ADDRESS',
        message: `"${advertised}" is not a URL (include the scheme: http://${n.name}:5122)`,
      });
    } else if (LOOPBACK.has(target.host)) {
      if (multiNode)
        add({
          severity: 'error',
          rule: 'advertised-address',
          service: n.name,
          variable: 'RESTATE_ADVERTISED_ADDRESS',
          message: `${advertised} is the container itself: other nodes cannot reach it there`,
        });
    } else if (!byHost.has(target.host)) {
      add({
        severity: 'error',
        rule: 'advertised-address',
        service: n.name,
        variable: 'RESTATE_ADVERTISED_ADDRESS',
        message: `${advertised} names "${target.host}", which is no service in this file`,
      });
    } else if (byHost.get(target.host) !== n) {
      add({
        severity: 'error',
        rule: 'advertised-address',
        service: n.name,
        variable: 'RESTATE_ADVERTISED_ADDRESS',
        message: `${advertised} names ${byHost.get(target.host)!.name}, not ${n.name} itself`,
      });
    }
  }

  // Metadata: the client must list exactly the nodes that run the metadata server.
  const metadataNodes = nodes.filter((n) => rolesOf(n.environment).includes('metadata-server'));
  for (const n of nodes) {
    const raw = n.environment.RESTATE_METADATA_CLIENT__ADDRESSES;
    // A node that runs the metadata server includes itself in its client on its own.
    const self = rolesOf(n.environment).includes('metadata-server');
    if (raw === undefined) {
      if (multiNode) {
        add(
          self
            ? {
                severity: 'warning',
                rule: 'metadata-addresses',
                service: n.name,
                variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
                message:
                  'not set: the node knows only its own metadata server; list every metadata server so it survives losing one',
              }
            : {
                severity: 'error',
                rule: 'metadata-addresses',
                service: n.name,
                variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
                message: 'not set: the node cannot find the metadata store of the other nodes',
              },
        );
      }
      continue;
    }
    let list: unknown;
    try {
      list = JSON.parse(raw);
    } catch {
      list = undefined;
    }
    if (!Array.isArray(list)) {
      add({
        severity: 'error',
        rule: 'metadata-addresses',
        service: n.name,
        variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
        message: `"${raw}" is not a list; write it as ["http://restate-1:5122", …] (a comma-separated string fails at start-up)`,
      });
      continue;
    }
    const listed = new Set<ComposeService>();
    for (const address of list.map(String)) {
      const target = hostOf(address);
      const service = target && byHost.get(target.host);
      if (!service) {
        add({
          severity: 'error',
          rule: 'metadata-addresses',
          service: n.name,
          variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
          message: `${address} names no service in this file`,
        });
      } else if (!rolesOf(service.environment).includes('metadata-server')) {
        add({
          severity: 'error',
          rule: 'metadata-addresses',
          service: n.name,
          variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
          message: `${address} is ${service.name}, which does not run the metadata-server role`,
        });
      } else {
        listed.add(service);
      }
    }
    const unlisted = metadataNodes.filter((m) => !listed.has(m) && !(self && m === n)).map((m) => m.name);
    if (unlisted.length > 0 && listed.size > 0) {
      add({
        severity: 'warning',
        rule: 'metadata-addresses',
        service: n.name,
        variable: 'RESTATE_METADATA_CLIENT__ADDRESSES',
        message: `does not list ${unlisted.join(', ')}, which ${unlisted.length === 1 ? 'runs' : 'run'} the metadata server; list all of them so the client survives losing one`,
      });
    }
  }
  if (metadataNodes.length > 1 && metadataNodes.length % 2 === 0) {
    add({
      severity: 'warning',
      rule: 'metadata-quorum',
      message: `${metadataNodes.length} metadata servers tolerate no more failures than ${metadataNodes.length - 1}; use an odd number`,
    });
  }

  // Ingress: since 1.4 the http-ingress role is its own; a node without it opens no ingress
  // port (checked with 1.7.12: admin answers, 8080 refuses), as in older guides' role lists.
  const ingressNodes = nodes.filter((n) => rolesOf(n.environment).includes('http-ingress'));
  if (ingressNodes.length === 0) {
    add({
      severity: 'error',
      rule: 'ingress',
      variable: 'RESTATE_ROLES',
      message:
        'no node runs the http-ingress role, so nothing accepts invocations (the worker role no longer includes it)',
    });
  } else {
    for (const n of nodes) {
      if (!ingressNodes.includes(n) && n.ports.some((p) => p.target === RESTATE_PORTS.ingress)) {
        add({
          severity: 'warning',
          rule: 'ingress',
          service: n.name,
          variable: 'RESTATE_ROLES',
          message: `publishes the ingress port ${RESTATE_PORTS.ingress} but does not run the http-ingress role: nothing listens there`,
        });
      }
    }
  }

  // Replication.
  const replicationText = nodes[0]!.environment.RESTATE_DEFAULT_REPLICATION ?? '1';
  const replication = /^\d+$/.test(replicationText) ? Number(replicationText) : undefined;
  const logServers = nodes.filter((n) => rolesOf(n.environment).includes('log-server')).length;
  if (replication !== undefined) {
    if (replication > logServers) {
      add({
        severity: 'error',
        rule: 'replication',
        variable: 'RESTATE_DEFAULT_REPLICATION',
        message: `replication ${replication} needs ${replication} log servers; the file has ${logServers}, so nothing can be written`,
      });
    } else {
      const t = faultTolerance(logServers, replication, Math.max(1, metadataNodes.length));
      add({
        severity: 'info',
        rule: 'fault-tolerance',
        message: `${nodes.length} node(s): ${describeTolerance(t, replication).join('; ')}`,
      });
      if (t.belowRecommendedSize && replication > 1) {
        add({
          severity: 'warning',
          rule: 'fault-tolerance',
          variable: 'RESTATE_DEFAULT_REPLICATION',
          message: `${logServers} log servers < 2×${replication}−1: the cluster works but tolerates ${t.logFailuresTolerated} node failure(s), not ${replication - 1}`,
        });
      }
    }
  }

  // Snapshots.
  for (const n of nodes) {
    const env = n.environment;
    const destination = env.RESTATE_WORKER__SNAPSHOTS__DESTINATION;
    const v = (name: string) => `RESTATE_WORKER__SNAPSHOTS__${name}`;
    if (destination === undefined) {
      const interval = ['SNAPSHOT_INTERVAL', 'SNAPSHOT_INTERVAL_NUM_RECORDS'].find((k) => env[v(k)] !== undefined);
      if (interval)
        add({
          severity: 'error',
          rule: 'snapshots',
          service: n.name,
          variable: v(interval),
          message: 'a snapshot interval without a destination: restate-server refuses to start',
        });
      if (multiNode)
        add({
          severity: 'warning',
          rule: 'snapshots',
          service: n.name,
          variable: v('DESTINATION'),
          message:
            'no snapshot destination: a node that joins later or loses its disk cannot catch up once logs are trimmed',
        });
      continue;
    }
    if (!destination.startsWith('s3://')) {
      add({
        severity: 'error',
        rule: 'snapshots',
        service: n.name,
        variable: v('DESTINATION'),
        message: `"${destination}": release builds accept only s3:// destinations (file:// fails at start-up with "Unsupported protocol")`,
      });
      continue;
    }
    const endpoint = env[v('AWS_ENDPOINT_URL')];
    const allowHttp = env[v('AWS_ALLOW_HTTP')];
    if (allowHttp !== undefined && allowHttp !== 'true' && allowHttp !== 'false') {
      add({
        severity: 'error',
        rule: 'snapshots',
        service: n.name,
        variable: v('AWS_ALLOW_HTTP'),
        message: `"${allowHttp}" is not true or false (lowercase): restate-server refuses to start`,
      });
    } else if (endpoint?.startsWith('http://') && allowHttp !== 'true') {
      add({
        severity: 'error',
        rule: 'snapshots',
        service: n.name,
        variable: v('AWS_ALLOW_HTTP'),
        message: `the endpoint ${endpoint} is plain http, which Restate refuses unless AWS_ALLOW_HTTP is "true"`,
      });
    }
    if (endpoint !== undefined && env[v('AWS_REGION')] === undefined && env[v('AWS_PROFILE')] === undefined) {
      add({
        severity: 'error',
        rule: 'snapshots',
        service: n.name,
        variable: v('AWS_REGION'),
        message: 'not set: with a custom endpoint the node fails to resolve a region; set any value (e.g. local)',
      });
    }
    const target = endpoint ? hostOf(endpoint) : undefined;
    if (target && !LOOPBACK.has(target.host) && /^[a-z0-9_-]+$/i.test(target.host) && !byHost.has(target.host)) {
      add({
        severity: 'error',
        rule: 'snapshots',
        service: n.name,
        variable: v('AWS_ENDPOINT_URL'),
        message: `${endpoint} names "${target.host}", which is no service in this file`,
      });
    }
  }
  const destination = nodes
    .map((n) => n.environment.RESTATE_WORKER__SNAPSHOTS__DESTINATION)
    .find((d) => d?.startsWith('s3://'));
  const endpoint = nodes[0]!.environment.RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL;
  if (destination && endpoint && byHost.has(hostOf(endpoint)?.host ?? '') && !createsBucket(project.services)) {
    add({
      severity: 'warning',
      rule: 'snapshots',
      message: `no service creates the bucket of ${destination} (no "mc mb" found); Restate never creates it, and snapshots fail until it exists`,
    });
  }
  const snapshotSettings = new Set(
    nodes.map((n) =>
      JSON.stringify(
        Object.entries(n.environment)
          .filter(([k]) => k.startsWith('RESTATE_WORKER__SNAPSHOTS__'))
          .sort(),
      ),
    ),
  );
  if (snapshotSettings.size > 1)
    add({
      severity: 'warning',
      rule: 'snapshots',
      message: 'the nodes have different snapshot settings; every node writes and reads the same snapshots',
    });
  return findings;
}

/** Container rules: what Docker would run, whatever Restate thinks of it. */
export function containerRules(project: ComposeProject): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  for (const s of project.services) {
    const restate = isRestateService(s);
    const minio = /(^|\/)minio\/(minio|mc)([:@]|$)/.test(s.image ?? '') || /(^|\/)minio([:@]|$)/.test(s.image ?? '');
    const test = s.healthcheck?.test;
    const testText = Array.isArray(test) ? test.join(' ') : (test ?? '');
    if (restate && /\bwget\b/.test(testText)) {
      add({
        severity: 'error',
        rule: 'healthcheck',
        service: s.name,
        message: `the healthcheck calls wget, which the Restate image does not have (it has curl): it never passes`,
      });
    }
    if (/(^|\/)minio\/minio([:@]|$)/.test(s.image ?? '') && /\bcurl\b/.test(testText)) {
      add({
        severity: 'error',
        rule: 'healthcheck',
        service: s.name,
        message:
          'the healthcheck calls curl, which MinIO images have not shipped since late 2023: use ["CMD", "mc", "ready", "local"]',
      });
    }
    if (restate && !s.healthcheck) {
      add({
        severity: 'warning',
        rule: 'healthcheck',
        service: s.name,
        message:
          'no healthcheck: nothing can wait for this node to be ready (curl http://localhost:9070/health works in the image)',
      });
    }
    if (s.image) {
      const image = s.image.split('@')[0]!;
      const repository = image.replace(/:[^:/]+$/, '');
      const tag = imageTag(s.image);
      if (!s.image.includes('@') && (tag === undefined || tag === 'latest')) {
        add({
          severity: restate || minio ? 'error' : 'warning',
          rule: 'image-tag',
          service: s.name,
          message: `${s.image} floats on latest: pin a release so the cluster does not change under you`,
        });
      }
      if (/^(docker\.io\/)?minio\/(minio|mc)$/.test(repository)) {
        add({
          severity: 'error',
          rule: 'image-registry',
          service: s.name,
          message: `${repository} on Docker Hub was removed in September 2026: use quay.io/${repository.replace(/^docker\.io\//, '')} with a pinned RELEASE tag, or a mirror`,
        });
      }
    }
  }

  // Well-known credentials.
  for (const s of project.services) {
    for (const [name, value] of Object.entries(s.environment)) {
      if (
        /(PASSWORD|SECRET_ACCESS_KEY)$/.test(name) &&
        ['minioadmin', 'password', 'admin', 'changeme', 'change-me'].includes(value)
      ) {
        add({
          severity: 'warning',
          rule: 'credentials',
          service: s.name,
          variable: name,
          message: `"${value}" is a well-known default: anyone who reaches the port can use it`,
        });
      }
    }
  }

  // Published host ports.
  const owners = new Map<string, string>();
  for (const s of project.services) {
    for (const p of s.ports) {
      if (p.published === undefined) continue;
      if (p.hostIp !== undefined && !isIP(p.hostIp)) {
        add({
          severity: 'error',
          rule: 'ports',
          service: s.name,
          message: `"${p.hostIp}" (${p.spec}) is no IP address: compose refuses the file ("Invalid ip address")`,
        });
        continue;
      }
      if (p.published < 1 || p.published > 65535) {
        add({
          severity: 'error',
          rule: 'ports',
          service: s.name,
          message: `host port ${p.published} (${p.spec}) is outside 1..65535`,
        });
        continue;
      }
      const key = `${p.protocol}/${p.published}`;
      const owner = owners.get(key);
      if (owner)
        add({
          severity: 'error',
          rule: 'ports',
          service: s.name,
          message: `host port ${p.published} is already published by ${owner}`,
        });
      else owners.set(key, s.name);
    }
  }

  // Memory: what Restate is configured to use must fit the container's limit.
  for (const s of project.services.filter(isRestateService)) {
    if (!s.memLimit) continue;
    const limit = parseDockerBytes(s.memLimit);
    if (limit === undefined) continue;
    const rocksdb = parseByteSize(s.environment.RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE ?? '') ?? DEFAULT_ROCKSDB_MEMORY;
    const queryEngine =
      parseByteSize(s.environment.RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE ?? '') ?? DEFAULT_QUERY_ENGINE_MEMORY;
    if (rocksdb + queryEngine > limit) {
      add({
        severity: 'warning',
        rule: 'memory',
        service: s.name,
        variable: 'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE',
        message: `RocksDB (${gib(rocksdb)}) and the query engine (${gib(queryEngine)}) are configured for more than the ${gib(limit)} memory limit: the container will be OOM-killed under load`,
      });
    } else if (rocksdb > limit / 2) {
      add({
        severity: 'warning',
        rule: 'memory',
        service: s.name,
        variable: 'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE',
        message: `RocksDB (${gib(rocksdb)}) takes more than half the ${gib(limit)} limit; Restate's Helm chart keeps it under 50%`,
      });
    }
  }
  return findings;
}

/** A file meant for `docker stack deploy`: by its name, or by what only Swarm reads. */
export function looksLikeStack(project: ComposeProject): boolean {
  if (/docker-stack\.ya?ml$/.test(project.file)) return true;
  const networks = isRecord(project.raw.networks) ? Object.values(project.raw.networks) : [];
  if (networks.some((n) => isRecord(n) && n.driver === 'overlay')) return true;
  return project.services.some(
    (s) => isRecord(s.raw.deploy) && (s.raw.deploy.placement !== undefined || s.raw.deploy.endpoint_mode !== undefined),
  );
}

/** What breaks, or quietly weakens, a cluster under Docker Swarm (docker stack deploy). */
export function swarmRules(project: ComposeProject): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const byHost = servicesByHost(project.services);
  const deployOf = (s: ComposeService): Record<string, unknown> => (isRecord(s.raw.deploy) ? s.raw.deploy : {});
  const nodes = project.services.filter(isRestateService);

  for (const s of project.services) {
    const env = s.raw.environment;
    if (isRecord(env)) {
      for (const [name, value] of Object.entries(env)) {
        if (typeof value === 'boolean' || typeof value === 'number') {
          add({
            severity: 'error',
            rule: 'swarm-env-string',
            service: s.name,
            variable: name,
            message: `${JSON.stringify(value)} is a ${typeof value}: docker stack deploy accepts only strings here; quote it ("${value}")`,
          });
        }
      }
    }
    if (Object.keys(s.dependsOn).length > 0) {
      add({
        severity: 'warning',
        rule: 'swarm-depends-on',
        service: s.name,
        message: `depends_on (${Object.keys(s.dependsOn).join(', ')}) is ignored by Swarm: nothing waits for it, so the service must cope on its own`,
      });
    }
    const dnsrr = deployOf(s).endpoint_mode === 'dnsrr';
    const ingressPorts = Array.isArray(s.raw.ports) && s.raw.ports.some((p) => !isRecord(p) || p.mode !== 'host');
    if (dnsrr && ingressPorts) {
      add({
        severity: 'error',
        rule: 'swarm-ports',
        service: s.name,
        message:
          'endpoint_mode dnsrr with ports not in host mode: Swarm refuses the service (publish them with mode: host)',
      });
    }
  }

  const placements = new Map<string, string[]>();
  for (const n of nodes) {
    const deploy = deployOf(n);
    const advertised = n.environment.RESTATE_ADVERTISED_ADDRESS;
    let host: string | undefined;
    try {
      host = advertised ? new URL(advertised).hostname : undefined;
    } catch {
      host = undefined;
    }
    const target = host ? byHost.get(host) : undefined;
    if (target && (isRecord(target.raw.deploy) ? target.raw.deploy.endpoint_mode : undefined) !== 'dnsrr') {
      add({
        severity: 'error',
        rule: 'swarm-self-address',
        service: n.name,
        variable: 'RESTATE_ADVERTISED_ADDRESS',
        message: `${advertised} resolves to ${target.name}'s virtual IP, through which a task cannot reach itself (the first node then fails to provision): set deploy.endpoint_mode: dnsrr`,
      });
    }
    const replicas = deploy.replicas;
    if (typeof replicas === 'number' && replicas > 1) {
      add({
        severity: 'error',
        rule: 'swarm-replicas',
        service: n.name,
        message: `replicas ${replicas}: every task would be the same Restate node; run one replica per node service`,
      });
    }
    const update = isRecord(deploy.update_config) ? deploy.update_config : {};
    if (update.order === 'start-first') {
      add({
        severity: 'error',
        rule: 'swarm-update-order',
        service: n.name,
        message:
          'update_config order start-first runs two tasks of one Restate node at once during a rollout: use stop-first',
      });
    }
    const placement =
      isRecord(deploy.placement) && Array.isArray(deploy.placement.constraints)
        ? deploy.placement.constraints.map(String).sort()
        : [];
    const key = JSON.stringify(placement);
    placements.set(key, [...(placements.get(key) ?? []), n.name]);
  }
  if (nodes.length > 1) {
    for (const [key, services] of placements) {
      if (services.length < 2) continue;
      add({
        severity: 'error',
        rule: 'swarm-placement',
        service: services.join(', '),
        message: `${services.join(' and ')} ${key === '[]' ? 'have no placement constraints' : `share the placement constraints ${key}`}, so Swarm may run them on one host, and losing that host loses them all: pin each node to its own host (e.g. node.labels.restate-node == k)`,
      });
    }
  }
  return findings;
}

/**
 * Endpoints with no authentication (Restate's admin API and fabric port, MinIO's API and
 * console) published where the network reaches them. Under compose that is any host address
 * but loopback; in a stack file, publishing them at all, since Swarm's host-mode ports listen
 * on every interface and cannot be bound to one address.
 */
export function exposureRules(project: ComposeProject, swarm: boolean): Finding[] {
  const findings: Finding[] = [];
  for (const s of project.services) {
    for (const p of s.ports) {
      const kind = endpointKindOf(s, p.target);
      const risk = kind && ENDPOINT_INFO[kind].risk;
      if (!kind || !risk || p.published === undefined) continue;
      const { title } = ENDPOINT_INFO[kind];
      if (swarm) {
        findings.push({
          severity: 'warning',
          rule: 'exposure',
          service: s.name,
          message: `publishes its ${title} (${p.spec}): under Swarm it listens on every interface of the host (${risk}); leave it unpublished and use it from inside a task (docker exec)`,
        });
      } else if (p.hostIp !== undefined && !isIP(p.hostIp)) {
        continue; // not an address at all: the ports rule reports it
      } else if (!p.hostIp || !(p.hostIp.startsWith('127.') || p.hostIp === '::1')) {
        findings.push({
          severity: 'warning',
          rule: 'exposure',
          service: s.name,
          message: `publishes its ${title} on ${p.hostIp ?? 'every interface'} (${p.spec}), where the network reaches it (${risk}); publish it on 127.0.0.1 unless other machines must reach it`,
        });
      }
    }
  }
  return findings;
}
