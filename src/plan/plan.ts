import {
  CONTAINER_PORTS,
  GRAFANA_IMAGE,
  GRAFANA_PORT,
  LOAD_BALANCER_IMAGE,
  LOAD_BALANCER_PORT,
  PROMETHEUS_IMAGE,
  PROMETHEUS_PORT,
  DEFAULT_LOG_FILTER,
  DEFAULT_MINIO_IMAGE,
  DEFAULT_MINIO_VERSION,
  DEFAULT_SNAPSHOT_DESTINATION,
  MINIO_CONTAINER_PORTS,
  RESTATE_DATA_DIR,
  RESTATE_IMAGE_REPOSITORY,
} from './defaults.js';
import { LOAD_BALANCER_CONFIG, PROMETHEUS_CONFIG } from '../output-files.js';
import { ALL_ROLES, type Role } from '../restate/services.js';
import type { ClusterOptions } from './options.js';
import {
  ANY_ADDRESS,
  ENDPOINTS,
  isLoopback,
  kindsOf,
  LOCAL_ADDRESS,
  presentOf,
  type EndpointKind,
} from './exposure.js';
import { extraPorts, minioPorts, nodePorts } from './ports.js';
import type { Secrets } from './secrets.js';
import { snapshotsRetainedVariable } from '../restate/versions.js';
import { faultTolerance, type FaultTolerance } from '../restate/tolerance.js';

/**
 * A value in a container's environment: either fixed by the plan, or read from a tunable
 * (a variable in .env that the compose file interpolates, so users change it in one place).
 */
export type EnvValue = { literal: string } | { tunable: string };
export interface EnvEntry {
  name: string;
  value: EnvValue;
}

export type TunableGroup = 'cluster' | 'ports' | 'snapshots' | 'minio' | 'monitoring';
export interface Tunable {
  name: string;
  /** Written to .env, and the compose file's fallback (`${NAME:-value}`) unless secret. */
  value: string;
  /** Secrets have no fallback in the compose file: `${NAME:?…}` fails loudly without .env. */
  secret: boolean;
  group: TunableGroup;
  description: string;
}

export interface PublishedPort {
  kind: EndpointKind;
  /** Reachable from the network (see exposure.ts); otherwise local (compose) or unpublished (Swarm). */
  exposed: boolean;
  /** The tunable holding the host address it is published on (compose only). */
  addressTunable?: string;
  /** The tunable holding the host port. */
  tunable: string;
  hostPort: number;
  containerPort: number;
}

export interface RestateNode {
  id: number;
  /** Service name, container hostname and Restate node name at once. */
  name: string;
  volume: string;
  autoProvision: boolean;
  roles: Role[];
  advertisedAddress: string;
  ports: { ingress: PublishedPort; admin: PublishedPort; fabric: PublishedPort };
  /** Node-specific variables; the shared ones are in ClusterPlan.commonEnvironment. */
  environment: EnvEntry[];
}

export interface MinioPlan {
  service: string;
  bucketService: string;
  /** Image repository and tag, both tunables. */
  imageTunable: string;
  versionTunable: string;
  volume: string;
  ports: { api: PublishedPort; console: PublishedPort };
  environment: EnvEntry[];
  /** The tunable holding the snapshot destination, from which the bucket job takes its bucket. */
  destinationTunable: string;
  rootUserTunable: string;
  rootPasswordTunable: string;
  /** Restate's own key, which the bucket job creates and limits to the snapshot bucket. */
  snapshotsAccessKeyTunable: string;
  snapshotsSecretKeyTunable: string;
}

/** The HAProxy front door (--load-balancer). */
export interface LoadBalancerPlan {
  service: string;
  image: string;
  port: PublishedPort;
  /** Config file, relative to the output directory, and where the container reads it. */
  configFile: string;
  containerConfigFile: string;
  /** Every node's ingress as the balancer reaches it on the compose network. */
  backends: { name: string; address: string }[];
  healthPath: string;
}

/** Prometheus scraping every node's fabric port, and Grafana on top (--monitoring). */
export interface MonitoringPlan {
  prometheus: {
    service: string;
    image: string;
    port: PublishedPort;
    configFile: string;
    volume: string;
    targets: string[];
  };
  grafana: { service: string; image: string; port: PublishedPort; adminPasswordTunable: string; volume: string };
}

export interface ClusterPlan {
  options: ClusterOptions;
  loadBalancer?: LoadBalancerPlan;
  monitoring?: MonitoringPlan;
  /** The tunable holding each Restate container's memory limit, when --memory is given. */
  memoryLimitTunable?: string;
  /** Compose project name (`name:`). */
  projectName: string;
  restateImage: { repository: string; versionTunable: string };
  dataDir: string;
  commonEnvironment: EnvEntry[];
  nodes: RestateNode[];
  /** MinIO in the cluster, unless snapshots go to an external S3 endpoint. */
  minio?: MinioPlan;
  tunables: Tunable[];
  tolerance: FaultTolerance;
}

const literal = (value: string | number | boolean): EnvValue => ({ literal: String(value) });
const tunable = (name: string): EnvValue => ({ tunable: name });

/** Every port the plan publishes (or, under Swarm, could publish), nodes first. */
export function allPorts(plan: ClusterPlan): PublishedPort[] {
  return [
    ...plan.nodes.flatMap((n) => [n.ports.ingress, n.ports.admin, n.ports.fabric]),
    ...(plan.minio ? [plan.minio.ports.api, plan.minio.ports.console] : []),
    ...(plan.loadBalancer ? [plan.loadBalancer.port] : []),
    ...(plan.monitoring ? [plan.monitoring.prometheus.port, plan.monitoring.grafana.port] : []),
  ];
}

/** The region an AWS S3 endpoint names (s3.eu-west-1.amazonaws.com, s3-eu-west-1…, s3.dualstack.…). */
export function awsRegionOf(endpoint: string): string | undefined {
  const host = new URL(endpoint).hostname;
  if (host === 's3.amazonaws.com') return 'us-east-1';
  return /^s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/**
 * Ports and addresses as the rendered files resolve them: the plan's tunables, which hold the
 * values kept from .env, so the README says what the summary and the compose file say.
 */
export function resolvedPorts(plan: ClusterPlan) {
  const value = new Map(plan.tunables.map((t) => [t.name, t.value]));
  const portOf = (p: PublishedPort) => value.get(p.tunable) ?? String(p.hostPort);
  const addressOf = (p: PublishedPort) =>
    p.addressTunable ? (value.get(p.addressTunable) ?? LOCAL_ADDRESS) : ANY_ADDRESS;
  // Under compose a kind is open when .env gives it a network address; under Swarm, when published.
  const isOpen = (p: PublishedPort) => (p.addressTunable ? !isLoopback(addressOf(p)) : p.exposed);
  return { portOf, addressOf, isOpen };
}

export function nodeName(id: number): string {
  return `restate-${id}`;
}

export function fabricAddress(id: number): string {
  return `http://${nodeName(id)}:${CONTAINER_PORTS.fabric}`;
}

export function planCluster(options: ClusterOptions, secrets: Secrets): ClusterPlan {
  const tunables: Tunable[] = [];
  const define = (t: Omit<Tunable, 'secret'> & { secret?: boolean }): EnvValue => {
    tunables.push({ secret: false, ...t });
    return tunable(t.name);
  };

  define({
    name: 'RESTATE_VERSION',
    value: options.restateVersion,
    group: 'cluster',
    description: 'Restate server image tag',
  });
  const clusterName = define({
    name: 'RESTATE_CLUSTER_NAME',
    value: options.clusterName,
    group: 'cluster',
    description: 'Cluster name, the same on every node; keep it once the cluster holds data',
  });
  const replication = define({
    name: 'RESTATE_DEFAULT_REPLICATION',
    value: String(options.replication),
    group: 'cluster',
    description:
      'Copies of every log record and partition; read once, when the cluster is provisioned (later: restatectl config set)',
  });
  const logFilter = define({
    name: 'RESTATE_LOG_FILTER',
    value: DEFAULT_LOG_FILTER,
    group: 'cluster',
    description: 'Restate log filter (tracing syntax)',
  });
  const timeZone = define({ name: 'TZ', value: 'UTC', group: 'cluster', description: 'Time zone of every container' });

  // Who reaches what: one host address per kind of endpoint under compose (127.0.0.1 unless
  // exposed); under Swarm an unexposed port is not published at all, and a published one
  // listens on every interface, so there is no address to set.
  const swarm = options.target === 'swarm';
  const exposed = new Set(options.expose);
  if (!swarm) {
    for (const kind of kindsOf(presentOf(options))) {
      const { title, addressTunable, risk } = ENDPOINTS[kind];
      const open = exposed.has(kind);
      define({
        name: addressTunable,
        value: open ? options.publishAddress : LOCAL_ADDRESS,
        group: 'ports',
        description: `Host address of the ${title}: ${LOCAL_ADDRESS} keeps it on this host${risk ? ` (${risk})` : '; 0.0.0.0 opens it to the network'}`,
      });
    }
  }
  /** A published port of a kind; its port tunable exists wherever the port is published. */
  const published = (
    kind: EndpointKind,
    name: string,
    hostPort: number,
    containerPort: number,
    description: string,
  ): PublishedPort => {
    const open = exposed.has(kind);
    if (!swarm || open) define({ name, value: String(hostPort), group: 'ports', description });
    return {
      kind,
      exposed: open,
      addressTunable: swarm ? undefined : ENDPOINTS[kind].addressTunable,
      tunable: name,
      hostPort,
      containerPort,
    };
  };

  const metadataIds = Array.from({ length: options.metadataNodes }, (_, i) => i + 1);
  const commonEnvironment: EnvEntry[] = [
    { name: 'RESTATE_CLUSTER_NAME', value: clusterName },
    { name: 'RESTATE_DEFAULT_REPLICATION', value: replication },
    // Lists are JSON-style arrays in one variable; a comma-separated string is a startup error.
    { name: 'RESTATE_METADATA_CLIENT__ADDRESSES', value: literal(JSON.stringify(metadataIds.map(fabricAddress))) },
    { name: 'RESTATE_BASE_DIR', value: literal(RESTATE_DATA_DIR) },
    { name: 'RESTATE_BIND_ADDRESS', value: literal(`0.0.0.0:${CONTAINER_PORTS.fabric}`) },
    { name: 'RESTATE_ADMIN__BIND_ADDRESS', value: literal(`0.0.0.0:${CONTAINER_PORTS.admin}`) },
    { name: 'RESTATE_INGRESS__BIND_ADDRESS', value: literal(`0.0.0.0:${CONTAINER_PORTS.ingress}`) },
    { name: 'RESTATE_LOG_FILTER', value: logFilter },
    { name: 'TZ', value: timeZone },
  ];

  const nodes: RestateNode[] = [];
  for (let id = 1; id <= options.nodes; id++) {
    const name = nodeName(id);
    const host = nodePorts(id, options.portOffset);
    const publish = (
      kind: EndpointKind,
      variable: 'INGRESS' | 'ADMIN' | 'NODE',
      hostPort: number,
      containerPort: number,
      what: string,
    ): PublishedPort =>
      published(
        kind,
        `NODE${id}_${variable}_PORT_OVERRIDE`,
        hostPort,
        containerPort,
        `Host port of ${nodeName(id)}'s ${what}`,
      );
    const ports = {
      ingress: publish('ingress', 'INGRESS', host.ingress, CONTAINER_PORTS.ingress, 'ingress (invocations)'),
      admin: publish('admin', 'ADMIN', host.admin, CONTAINER_PORTS.admin, 'admin API and UI'),
      fabric: publish(
        'fabric',
        'NODE',
        host.fabric,
        CONTAINER_PORTS.fabric,
        'fabric port (node-to-node, restatectl, /metrics)',
      ),
    };
    const runsMetadata = id <= options.metadataNodes;
    const roles = runsMetadata ? [...ALL_ROLES] : ALL_ROLES.filter((r) => r !== 'metadata-server');
    // Exactly one node provisions the cluster. The server's default is auto-provision = true,
    // so every other node must say false explicitly or it would form a cluster of its own.
    const autoProvision = id === 1;
    const environment: EnvEntry[] = [
      { name: 'RESTATE_NODE_NAME', value: literal(name) },
      { name: 'RESTATE_FORCE_NODE_ID', value: literal(id) },
      { name: 'RESTATE_ADVERTISED_ADDRESS', value: literal(fabricAddress(id)) },
      { name: 'RESTATE_AUTO_PROVISION', value: literal(autoProvision) },
    ];
    if (!runsMetadata) environment.push({ name: 'RESTATE_ROLES', value: literal(JSON.stringify(roles)) });
    nodes.push({
      id,
      name,
      volume: `${name}-data`,
      autoProvision,
      roles,
      advertisedAddress: fabricAddress(id),
      ports,
      environment,
    });
  }

  const destination = define({
    name: 'RESTATE_WORKER__SNAPSHOTS__DESTINATION',
    value: DEFAULT_SNAPSHOT_DESTINATION,
    group: 'snapshots',
    description: 'Where partition snapshots go: s3://BUCKET/PREFIX (the bucket is created at start-up)',
  });
  const interval = define({
    name: 'RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL_NUM_RECORDS',
    value: String(options.snapshotIntervalRecords),
    group: 'snapshots',
    description: 'Take a partition snapshot every this many log records',
  });
  const external = options.snapshotsEndpoint;
  const endpoint = define({
    name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL',
    value: external ?? `http://minio:${MINIO_CONTAINER_PORTS.api}`,
    group: 'snapshots',
    description: external ? 'Your S3 endpoint' : 'S3 endpoint, as the Restate containers reach it',
  });
  const region = define({
    name: 'RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
    value: external ? (awsRegionOf(external) ?? 'us-east-1') : 'local',
    group: 'snapshots',
    description: external
      ? awsRegionOf(external)
        ? "Your bucket's region (from the endpoint's host name)"
        : "Your bucket's region: check it (us-east-1 is only a placeholder)"
      : 'S3 region; MinIO accepts any, but Restate fails to start without one',
  });

  let minio: MinioPlan | undefined;
  if (!external) {
    define({
      name: 'MINIO_IMAGE',
      value: DEFAULT_MINIO_IMAGE,
      group: 'minio',
      description: 'MinIO image repository (point it at a mirror if yours cannot pull from quay.io)',
    });
    define({
      name: 'MINIO_VERSION',
      value: DEFAULT_MINIO_VERSION,
      group: 'minio',
      description: 'MinIO release tag (pinned: never latest)',
    });
    const rootUser = define({
      name: 'MINIO_ROOT_USER',
      value: secrets.minioRootUser,
      secret: true,
      group: 'minio',
      description: 'MinIO root user, generated for this cluster',
    });
    const rootPassword = define({
      name: 'MINIO_ROOT_PASSWORD',
      value: secrets.minioRootPassword,
      secret: true,
      group: 'minio',
      description: 'MinIO root password, generated for this cluster',
    });
    const minioHost = minioPorts(options.portOffset);
    const minioPort = (
      kind: EndpointKind,
      name: string,
      hostPort: number,
      containerPort: number,
      what: string,
    ): PublishedPort => published(kind, name, hostPort, containerPort, `Host port of MinIO's ${what}`);
    minio = {
      service: 'minio',
      bucketService: 'minio-create-bucket',
      imageTunable: 'MINIO_IMAGE',
      versionTunable: 'MINIO_VERSION',
      volume: 'minio-data',
      ports: {
        api: minioPort('s3', 'MINIO_API_PORT_OVERRIDE', minioHost.api, MINIO_CONTAINER_PORTS.api, 'S3 API'),
        console: minioPort(
          's3-console',
          'MINIO_CONSOLE_PORT_OVERRIDE',
          minioHost.console,
          MINIO_CONTAINER_PORTS.console,
          'web console',
        ),
      },
      environment: [
        { name: 'MINIO_ROOT_USER', value: rootUser },
        { name: 'MINIO_ROOT_PASSWORD', value: rootPassword },
        { name: 'TZ', value: timeZone },
      ],
      destinationTunable: 'RESTATE_WORKER__SNAPSHOTS__DESTINATION',
      rootUserTunable: 'MINIO_ROOT_USER',
      rootPasswordTunable: 'MINIO_ROOT_PASSWORD',
      snapshotsAccessKeyTunable: 'RESTATE_S3_ACCESS_KEY',
      snapshotsSecretKeyTunable: 'RESTATE_S3_SECRET_KEY',
    };
  }
  // Restate does not get MinIO's root credentials: the bucket job gives it a key of its own
  // that can touch the snapshot bucket and nothing else. With an external store the keys are
  // the user's to fill in (compose refuses to start while they are empty).
  const snapshotsKey = define({
    name: 'RESTATE_S3_ACCESS_KEY',
    value: external ? '' : secrets.snapshotsAccessKey,
    secret: true,
    group: external ? 'snapshots' : 'minio',
    description: external
      ? 'Access key for your snapshot bucket: fill in'
      : "Restate's MinIO access key, limited to the snapshot bucket",
  });
  const snapshotsSecret = define({
    name: 'RESTATE_S3_SECRET_KEY',
    value: external ? '' : secrets.snapshotsSecretKey,
    secret: true,
    group: external ? 'snapshots' : 'minio',
    description: external ? 'Secret key for your snapshot bucket: fill in' : "Restate's MinIO secret key",
  });

  commonEnvironment.push(
    { name: 'RESTATE_WORKER__SNAPSHOTS__DESTINATION', value: destination },
    { name: 'RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL_NUM_RECORDS', value: interval },
    { name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL', value: endpoint },
    { name: 'RESTATE_WORKER__SNAPSHOTS__AWS_REGION', value: region },
  );
  // A plain-http endpoint (MinIO in the cluster) is refused unless allowed; only lowercase
  // true/false parse.
  if (!external || external.startsWith('http://')) {
    commonEnvironment.push({ name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP', value: literal(true) });
  }
  commonEnvironment.push(
    { name: 'RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID', value: snapshotsKey },
    { name: 'RESTATE_WORKER__SNAPSHOTS__AWS_SECRET_ACCESS_KEY', value: snapshotsSecret },
  );

  if (options.snapshotsRetained !== undefined) {
    // 1.6 and 1.7 spell this key differently, and each ignores the other's spelling.
    const name = snapshotsRetainedVariable(options.restateVersion);
    commonEnvironment.push({
      name,
      value: define({
        name,
        value: String(options.snapshotsRetained),
        group: 'snapshots',
        description: 'Snapshots kept per partition in the store',
      }),
    });
  }

  let memoryLimitTunable: string | undefined;
  if (options.memoryBytes !== undefined) {
    // Restate's Helm chart gives RocksDB 3 GiB of an 8 GiB limit ("less than 50%"); the query
    // engine gets 1/8. The rest is for everything else a node holds in memory.
    const mib = (bytes: number) => `${Math.floor(bytes / 2 ** 20)}MiB`;
    memoryLimitTunable = 'NODE_MEMORY_LIMIT';
    define({
      name: memoryLimitTunable,
      value: `${Math.floor(options.memoryBytes / 2 ** 20)}M`,
      group: 'cluster',
      description: 'Memory limit of each Restate container (keep the two sizes below within it)',
    });
    for (const [name, share, what] of [
      ['RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE', 3 / 8, 'RocksDB memory per node (3/8 of the limit)'],
      ['RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE', 1 / 8, 'Query engine memory per node (1/8 of the limit)'],
    ] as const) {
      commonEnvironment.push({
        name,
        value: define({ name, value: mib(options.memoryBytes * share), group: 'cluster', description: what }),
      });
    }
  }

  const extra = extraPorts(options.portOffset);
  const servicePort = (
    kind: EndpointKind,
    name: string,
    hostPort: number,
    containerPort: number,
    what: string,
  ): PublishedPort => published(kind, name, hostPort, containerPort, `Host port of ${what}`);
  const loadBalancer: LoadBalancerPlan | undefined = options.loadBalancer
    ? {
        service: 'load-balancer',
        image: LOAD_BALANCER_IMAGE,
        port: servicePort(
          'load-balancer',
          'LOAD_BALANCER_PORT_OVERRIDE',
          extra.loadBalancer,
          LOAD_BALANCER_PORT,
          'the load balancer (one URL for invocations)',
        ),
        configFile: LOAD_BALANCER_CONFIG,
        containerConfigFile: '/usr/local/etc/haproxy/haproxy.cfg',
        backends: nodes
          .filter((n) => n.roles.includes('http-ingress'))
          .map((n) => ({ name: n.name, address: `${n.name}:${CONTAINER_PORTS.ingress}` })),
        healthPath: '/restate/health',
      }
    : undefined;
  let monitoring: MonitoringPlan | undefined;
  if (options.monitoring) {
    const adminPassword = 'GRAFANA_ADMIN_PASSWORD';
    define({
      name: adminPassword,
      value: secrets.grafanaAdminPassword,
      secret: true,
      group: 'monitoring',
      description: "Grafana's admin password, generated for this cluster (user: admin)",
    });
    monitoring = {
      prometheus: {
        service: 'prometheus',
        image: PROMETHEUS_IMAGE,
        port: servicePort('prometheus', 'PROMETHEUS_PORT_OVERRIDE', extra.prometheus, PROMETHEUS_PORT, 'Prometheus'),
        configFile: PROMETHEUS_CONFIG,
        volume: 'prometheus-data',
        // Restate serves Prometheus metrics on the fabric port.
        targets: nodes.map((n) => `${n.name}:${CONTAINER_PORTS.fabric}`),
      },
      grafana: {
        service: 'grafana',
        image: GRAFANA_IMAGE,
        port: servicePort('grafana', 'GRAFANA_PORT_OVERRIDE', extra.grafana, GRAFANA_PORT, 'Grafana'),
        adminPasswordTunable: adminPassword,
        volume: 'grafana-data',
      },
    };
  }

  return {
    options,
    loadBalancer,
    monitoring,
    memoryLimitTunable,
    projectName: options.clusterName,
    restateImage: { repository: RESTATE_IMAGE_REPOSITORY, versionTunable: 'RESTATE_VERSION' },
    dataDir: RESTATE_DATA_DIR,
    commonEnvironment,
    nodes,
    minio,
    tunables,
    tolerance: faultTolerance(options.nodes, options.replication, options.metadataNodes),
  };
}
