import type { ClusterPlan, PublishedPort } from '../plan/plan.js';
import { describeTolerance } from '../plan/tolerance.js';

/** What the user reads after a successful run: files, endpoints, and what the cluster survives. */
export function summary(plan: ClusterPlan, written: string[], fresh = true): string {
  const { options: o, tolerance: t } = plan;
  // Values as written to .env, where kept hand edits may differ from the plan's own.
  const value = new Map(plan.tunables.map((x) => [x.name, x.value]));
  const port = (p: PublishedPort) => value.get(p.tunable) ?? String(p.hostPort);
  const address = value.get('PUBLISH_ADDRESS') ?? o.publishAddress;
  const host = address === '0.0.0.0' ? 'localhost' : address;
  const lines = [`Wrote ${written.join(', ')}`, ''];
  lines.push(`${o.nodes}-node Restate cluster "${o.clusterName}" (Restate ${o.restateVersion}), replication ${o.replication}:`);
  for (const node of plan.nodes) {
    const p = node.ports;
    const roles = node.roles.includes('metadata-server') ? '' : '  (no metadata server)';
    lines.push(
      `  ${node.name.padEnd(11)} ingress http://${host}:${port(p.ingress)}  admin http://${host}:${port(p.admin)}  fabric ${port(p.fabric)}${node.autoProvision ? '  (provisions the cluster)' : ''}${roles}`,
    );
  }
  lines.push(
    plan.minio
      ? `  ${'minio'.padEnd(11)} S3 API http://${host}:${port(plan.minio.ports.api)}  console http://${host}:${port(plan.minio.ports.console)}`
      : `  snapshots   ${o.snapshotsEndpoint}: fill in RESTATE_S3_ACCESS_KEY and RESTATE_S3_SECRET_KEY in .env, and create the bucket`,
    ...(plan.loadBalancer ? [`  ${'load-balancer'.padEnd(11)} http://${host}:${port(plan.loadBalancer.port)} (every node's ingress behind one URL)`] : []),
    ...(plan.monitoring
      ? [
          `  ${'prometheus'.padEnd(11)} http://${host}:${port(plan.monitoring.prometheus.port)}`,
          `  ${'grafana'.padEnd(11)} http://${host}:${port(plan.monitoring.grafana.port)} (admin, GRAFANA_ADMIN_PASSWORD in .env)`,
        ]
      : []),
    'README.md in the output directory has the topology, every endpoint and the commands to run.',
    o.target === 'swarm'
      ? 'Swarm publishes each port on every interface of the host that runs the service: firewall them. Label the hosts and deploy as README.md says.'
      : address === '127.0.0.1'
      ? 'Every port is published on 127.0.0.1: reachable from this host only (--publish-address 0.0.0.0 exposes them).'
      : `warning: every port is published on ${address}, reachable from the network: the admin API and the fabric port have no authentication, and MinIO's console takes the root password.`,
    '',
    'Fault tolerance:',
    ...describeTolerance(t, o.replication).map((l) => `  ${l}`),
  );
  if (t.belowRecommendedSize) {
    lines.push(
      `warning: ${o.nodes} node(s) < 2×${o.replication}−1: the cluster works but tolerates ${t.logFailuresTolerated} node failure(s), not ${o.replication - 1}. Use at least ${2 * o.replication - 1} nodes for that.`,
    );
  }
  if (fresh) {
    lines.push(
      '',
      o.target === 'swarm'
        ? `Next: label the hosts, then: set -a; . ./.env; set +a; docker stack deploy -c docker-stack.yaml ${plan.projectName}`
        : 'Next: docker compose up -d   (in the output directory)',
    );
  }
  return lines.join('\n');
}
