import { RESTATE_DATA_DIR, RESTATE_IMAGE_REPOSITORY } from './defaults.js';
import { faultTolerance } from '../restate/tolerance.js';
import { planLoadBalancer, planMonitoring } from './add-ons.js';
import { clusterSettings, memorySettings } from './cluster-settings.js';
import { ANY_ADDRESS, isLoopback, LOCAL_ADDRESS } from './exposure.js';
import type { ClusterPlan, PublishedPort } from './model.js';
import { planNodes } from './nodes.js';
import type { ClusterOptions } from './options.js';
import { addressTunables, exposureOf } from './published-ports.js';
import type { Secrets } from './secrets.js';
import { planSnapshots } from './snapshots.js';

export type {
  ClusterPlan,
  EnvEntry,
  EnvValue,
  LoadBalancerPlan,
  MinioPlan,
  MonitoringPlan,
  PublishedPort,
  RestateNode,
  Tunable,
  TunableGroup,
} from './model.js';
export { fabricAddress, nodeName } from './nodes.js';
export { awsRegionOf } from './snapshots.js';

/**
 * Options → plan. Each part plans one concern and returns the tunables it declares, in the
 * order .env and the state file list them: cluster, host addresses, node ports, snapshots
 * (and MinIO), memory, load balancer, monitoring.
 */
export function planCluster(options: ClusterOptions, secrets: Secrets): ClusterPlan {
  const exposure = exposureOf(options);
  const cluster = clusterSettings(options);
  const { nodes, tunables: nodePortTunables } = planNodes(options, exposure);
  const snapshots = planSnapshots(options, secrets, exposure);
  const memory = memorySettings(options);
  const { loadBalancer, tunables: loadBalancerTunables } = planLoadBalancer(options, exposure, nodes);
  const { monitoring, tunables: monitoringTunables } = planMonitoring(options, secrets, exposure, nodes);
  return {
    options,
    loadBalancer,
    monitoring,
    memoryLimitTunable: memory.limitTunable,
    projectName: options.clusterName,
    restateImage: { repository: RESTATE_IMAGE_REPOSITORY, versionTunable: 'RESTATE_VERSION' },
    dataDir: RESTATE_DATA_DIR,
    commonEnvironment: [...cluster.environment, ...snapshots.environment, ...memory.environment],
    nodes,
    minio: snapshots.minio,
    tunables: [
      ...cluster.tunables,
      ...addressTunables(options, exposure),
      ...nodePortTunables,
      ...snapshots.tunables,
      ...memory.tunables,
      ...loadBalancerTunables,
      ...monitoringTunables,
    ],
    tolerance: faultTolerance(options.nodes, options.replication, options.metadataNodes),
    userVariables: {},
  };
}

/** Every port the plan publishes (or, under Swarm, could publish), nodes first. */
export function allPorts(plan: ClusterPlan): PublishedPort[] {
  return [
    ...plan.nodes.flatMap((n) => [n.ports.ingress, n.ports.admin, n.ports.fabric]),
    ...(plan.minio ? [plan.minio.ports.api, plan.minio.ports.console] : []),
    ...(plan.loadBalancer ? [plan.loadBalancer.port] : []),
    ...(plan.monitoring ? [plan.monitoring.prometheus.port, plan.monitoring.grafana.port] : []),
  ];
}

/**
 * Ports and addresses as the rendered files resolve them: the tunables' effective values, which
 * include those kept from .env, so the README says what the summary and the compose file say.
 */
export function resolvedPorts(plan: ClusterPlan) {
  const value = new Map(plan.tunables.map((t) => [t.name, t.effective]));
  const portOf = (p: PublishedPort) => value.get(p.tunable) ?? String(p.hostPort);
  const addressOf = (p: PublishedPort) =>
    p.addressTunable ? (value.get(p.addressTunable) ?? LOCAL_ADDRESS) : ANY_ADDRESS;
  // Under compose a kind is open when .env gives it a network address; under Swarm, when published.
  const isOpen = (p: PublishedPort) => (p.addressTunable ? !isLoopback(addressOf(p)) : p.exposed);
  return { portOf, addressOf, isOpen };
}
