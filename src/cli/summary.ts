import type { ClusterPlan } from '../plan/plan.js';
import { describeTolerance } from '../plan/tolerance.js';

/** What the user reads after a successful run: files, endpoints, and what the cluster survives. */
export function summary(plan: ClusterPlan, written: string[]): string {
  const { options: o, tolerance: t } = plan;
  const lines = [`Wrote ${written.join(', ')}`, ''];
  lines.push(`${o.nodes}-node Restate cluster "${o.clusterName}" (Restate ${o.restateVersion}), replication ${o.replication}:`);
  for (const node of plan.nodes) {
    const p = node.ports;
    const roles = node.roles.includes('metadata-server') ? '' : '  (no metadata server)';
    lines.push(
      `  ${node.name.padEnd(11)} ingress http://localhost:${p.ingress.hostPort}  admin http://localhost:${p.admin.hostPort}  fabric ${p.fabric.hostPort}${node.autoProvision ? '  (provisions the cluster)' : ''}${roles}`,
    );
  }
  lines.push(
    `  ${'minio'.padEnd(11)} S3 API http://localhost:${plan.minio.ports.api.hostPort}  console http://localhost:${plan.minio.ports.console.hostPort}`,
    '',
    'Fault tolerance:',
    ...describeTolerance(t, o.replication).map((l) => `  ${l}`),
  );
  if (t.belowRecommendedSize) {
    lines.push(
      `warning: ${o.nodes} node(s) < 2×${o.replication}−1: the cluster works but tolerates ${t.logFailuresTolerated} node failure(s), not ${o.replication - 1}. Use at least ${2 * o.replication - 1} nodes for that.`,
    );
  }
  lines.push('', 'Next: docker compose up -d   (in the output directory)');
  return lines.join('\n');
}
