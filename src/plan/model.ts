import type { FaultTolerance } from '../restate/tolerance.js';
import type { Role } from '../restate/services.js';
import type { EndpointKind } from './exposure.js';
import type { ClusterOptions } from './options.js';

// The plan of a cluster (ClusterPlan, at the end): the one object between the options and the
// renderers. Each renderer reads what its file needs from it, and nothing else.

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
  /**
   * The value these options plan: the compose file's fallback (`${NAME:-value}`) unless secret,
   * and what the state file records as gen-compose's own.
   */
  planned: string;
  /**
   * The value in effect, which .env holds and the README and summary show: the planned one, or
   * the one kept from the existing .env (a hand edit, a secret; see kept-values.ts).
   */
  effective: string;
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
  /** The node's number k: its service restate-k, its ports, its volume, its Swarm host label. */
  id: number;
  /** Service name and container hostname (restate-k). */
  name: string;
  /** Who the node is to Restate: k and restate-k, until it is replaced (see replacements.ts). */
  restateId: number;
  restateName: string;
  volume: string;
  autoProvision: boolean;
  /**
   * The peers the node asks when it starts on an empty disk (render/start-guard.ts): whether
   * they hold a cluster that still lists it (a lost disk), and for the provisioning node whether
   * they hold a cluster at all. The other first members of the metadata group; empty for none.
   */
  startPeers: string[];
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
  /** Variables of the user's in the existing .env that gen-compose does not write: kept as they are. */
  userVariables: Record<string, string>;
  /**
   * Values kept from the existing .env, by variable, as their text was written there (quotes,
   * an inline comment, `${…}`): written back so, where the value alone would read the same
   * but look different. Absent for a variable whose value gen-compose writes itself.
   */
  envText?: Record<string, string>;
}
