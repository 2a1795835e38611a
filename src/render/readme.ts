import type { ClusterPlan, PublishedPort } from '../plan/plan.js';
import { regenerateCommand } from './header.js';
import { renderBuiltin, type Render } from './templates.js';

/**
 * The generated cluster's README: topology, endpoints, fault tolerance in words, and commands
 * that are right for this cluster's names and ports (the rehearsal runs its curl lines).
 */
export function readmeView(plan: ClusterPlan, generatorVersion: string) {
  const { options: o, tolerance: t } = plan;
  const swarm = o.target === 'swarm';
  const address = o.publishAddress === '0.0.0.0' ? '127.0.0.1' : o.publishAddress;
  // Under Swarm a node's ports are published on the host that runs it: the commands name that
  // host through a variable, which defaults to this machine.
  const hostOf = (node?: { id: number }) => (swarm ? (node ? `\${RESTATE_${node.id}_HOST:-127.0.0.1}` : '\${MINIO_HOST:-127.0.0.1}') : address);
  const url = (p: PublishedPort, path = '', node?: { id: number }) => `http://${hostOf(node)}:${p.hostPort}${path}`;
  const node1 = plan.nodes[0]!;
  const lastNonProvisioner = [...plan.nodes].reverse().find((n) => !n.autoProvision);
  const survivor = plan.nodes.find((n) => n !== lastNonProvisioner && n.roles.includes('http-ingress')) ?? node1;
  const lb = plan.loadBalancer;
  /** For the endpoint table: under Swarm, the host labelled for the node, by name. */
  const tableUrl = (p: PublishedPort, node: { id: number }) => (swarm ? `http://HOST_${node.id}:${p.hostPort}` : url(p));
  const invokeUrl = lb ? url(lb.port) : url(node1.ports.ingress, '', node1);

  const roleNames: Record<string, string> = { 'metadata-server': 'metadata', 'log-server': 'log', worker: 'worker', admin: 'admin', 'http-ingress': 'ingress' };
  const mermaid = ['flowchart LR', '  clients([clients])'];
  if (lb) mermaid.push(`  lb["load-balancer<br/>HAProxy :${lb.port.hostPort}"]`, '  clients --> lb');
  mermaid.push(`  subgraph cluster["${plan.projectName}"]`);
  for (const n of plan.nodes) {
    const roles = n.roles.map((r) => roleNames[r] ?? r).join(' · ');
    mermaid.push(`    ${n.name.replace('-', '')}["${n.name} (N${n.id})${n.autoProvision ? ' provisions' : ''}<br/>${roles}<br/>:${n.ports.ingress.hostPort} :${n.ports.admin.hostPort} :${n.ports.fabric.hostPort}"]`);
  }
  mermaid.push(
    '  end',
    plan.minio
      ? `  minio[("MinIO<br/>snapshots<br/>:${plan.minio.ports.api.hostPort} :${plan.minio.ports.console.hostPort}")]`
      : `  minio[("S3<br/>${o.snapshotsEndpoint}")]`,
  );
  for (const n of plan.nodes) {
    const id = n.name.replace('-', '');
    if (n.roles.includes('http-ingress')) mermaid.push(lb ? `  lb --> ${id}` : `  clients --> ${id}`);
    mermaid.push(`  ${id} -. snapshots .-> minio`);
  }
  if (plan.monitoring) {
    mermaid.push(`  prometheus["Prometheus :${plan.monitoring.prometheus.port.hostPort}"]`, `  grafana["Grafana :${plan.monitoring.grafana.port.hostPort}"]`, '  grafana --> prometheus');
    for (const n of plan.nodes) mermaid.push(`  prometheus -. /metrics .-> ${n.name.replace('-', '')}`);
  }

  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const tolerance = [
    `The log keeps ${count(o.replication, 'copy')} of every record (replication ${o.replication}) on ${o.nodes} log servers: it keeps accepting writes with up to ${count(t.logFailuresTolerated, 'node')} down.`,
    `The metadata store is a Raft group of ${t.metadataMembers} member(s) with a quorum of ${t.metadataQuorum}: it keeps working with up to ${count(t.metadataFailuresTolerated, 'member')} down.`,
    t.clusterFailuresTolerated > 0
      ? `So the cluster keeps serving after losing ${count(t.clusterFailuresTolerated, 'node')}. Losing one more makes it unavailable until enough nodes are back; data on their volumes is kept.`
      : `So losing any node makes the cluster unavailable until it is back; data on its volume is kept.${o.nodes > 1 && t.belowRecommendedSize ? ` Tolerating ${o.replication - 1} failure(s) needs at least ${2 * o.replication - 1} nodes.` : ''}`,
  ];

  const otherEndpoints = [
    plan.minio
      ? `MinIO S3 API ${url(plan.minio.ports.api)}, console ${url(plan.minio.ports.console)} (root user and password in \`.env\`; Restate uses its own key, limited to the snapshot bucket)`
      : `Snapshots go to ${o.snapshotsEndpoint}: put the bucket's keys in \`.env\` (RESTATE_S3_ACCESS_KEY, RESTATE_S3_SECRET_KEY) and create the bucket of RESTATE_WORKER__SNAPSHOTS__DESTINATION yourself`,
  ];
  if (lb) otherEndpoints.unshift(`Load balancer (every node's ingress behind one URL): ${url(lb.port)}`);
  if (plan.monitoring) {
    otherEndpoints.push(
      `Prometheus ${url(plan.monitoring.prometheus.port)}, scraping every node's \`/metrics\``,
      `Grafana ${url(plan.monitoring.grafana.port)} (user \`admin\`, password \`GRAFANA_ADMIN_PASSWORD\` in \`.env\`), dashboard "Restate cluster ${plan.projectName}"`,
    );
  }

  return {
    projectName: plan.projectName,
    nodeCount: o.nodes,
    replication: o.replication,
    restateVersion: o.restateVersion,
    generatorVersion,
    regenerateCommand: regenerateCommand(o),
    loadBalancer: !!lb,
    monitoring: !!plan.monitoring,
    publishAddress: swarm ? 'every interface of the host that runs each service (Swarm host mode)' : `\`${o.publishAddress}\``,
    localOnly: !swarm && o.publishAddress === '127.0.0.1',
    swarm,
    stackName: plan.projectName,
    minio: !!plan.minio,
    labels: plan.nodes.map((n) => `docker node update --label-add restate-node=${n.id} HOST_${n.id}`),
    mermaid,
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      provisions: n.autoProvision,
      ingress: n.roles.includes('http-ingress') ? tableUrl(n.ports.ingress, n) : '(no ingress role)',
      admin: tableUrl(n.ports.admin, n),
      fabric: n.ports.fabric.hostPort,
    })),
    otherEndpoints,
    tolerance,
    healthChecks: plan.nodes.flatMap((n) => [
      `curl -fsS ${url(n.ports.admin, '/health', n)} && echo "${n.name} admin ok"`,
      ...(n.roles.includes('http-ingress') ? [`curl -fsS ${url(n.ports.ingress, '/restate/health', n)} && echo " ${n.name} ingress ok"`] : []),
    ]),
    firstNode: node1.name,
    adminUrl: url(node1.ports.admin, '', node1),
    invokeUrl,
    failoverNode: lastNonProvisioner?.name ?? node1.name,
    failoverNodeId: lastNonProvisioner?.id ?? node1.id,
    failoverInvokeUrl: lb ? url(lb.port) : url(survivor.ports.ingress, '', survivor),
  };
}

export function renderReadme(plan: ClusterPlan, generatorVersion: string, render: Render = renderBuiltin): string {
  return render('README.md.hbs', readmeView(plan, generatorVersion));
}
