import { allPorts, resolvedPorts, type ClusterPlan, type PublishedPort } from '../plan/plan.js';
import { ENDPOINTS, type EndpointKind } from '../plan/exposure.js';
import { regenerateCommand, type Generator } from './header.js';
import { renderBuiltin, type Render } from './templates.js';

/**
 * The generated cluster's README: topology, endpoints, fault tolerance in words, and commands
 * that are right for this cluster's names and ports (the rehearsal runs its curl lines).
 */
export function readmeView(plan: ClusterPlan, generator: Generator) {
  const { options: o, tolerance: t } = plan;
  const swarm = o.target === 'swarm';
  // Ports and addresses as .env holds them (kept hand edits included), like the summary.
  const { portOf, addressOf } = resolvedPorts(plan);
  // Under compose a port answers on its kind's address (a command uses 127.0.0.1 for 0.0.0.0).
  // Under Swarm a node's ports are published on the host that runs it: the commands name that
  // host through a variable, which defaults to this machine.
  const hostOf = (p: PublishedPort, node?: { id: number }) => {
    if (swarm) return node ? `\${RESTATE_${node.id}_HOST:-127.0.0.1}` : '${MINIO_HOST:-127.0.0.1}';
    const address = addressOf(p);
    return address === '0.0.0.0' ? '127.0.0.1' : address;
  };
  const url = (p: PublishedPort, path = '', node?: { id: number }) => `http://${hostOf(p, node)}:${portOf(p)}${path}`;
  // An unpublished port (Swarm) is reached from inside the node's task, on the host running it.
  const inTask = (node: { name: string }) => `docker exec "$(docker ps -q -f name=${plan.projectName}_${node.name})"`;
  const curlTo = (p: PublishedPort, node: { id: number; name: string }, path: string) =>
    swarm && !p.exposed
      ? `${inTask(node)} curl -fsS http://localhost:${p.containerPort}${path}`
      : `curl -fsS ${url(p, path, node)}`;
  const node1 = plan.nodes[0]!;
  const lastNonProvisioner = [...plan.nodes].reverse().find((n) => !n.autoProvision);
  const survivor = plan.nodes.find((n) => n !== lastNonProvisioner && n.roles.includes('http-ingress')) ?? node1;
  const lb = plan.loadBalancer;
  /** For the endpoint table: under Swarm, the host labelled for the node, by name. */
  const tableUrl = (p: PublishedPort, node: { id: number }) =>
    swarm ? (p.exposed ? `http://HOST_${node.id}:${portOf(p)}` : 'not published') : url(p);
  const invokeUrl = lb ? url(lb.port) : url(node1.ports.ingress, '', node1);
  const add = `/Counter/my-key/add -X POST -H 'content-type: application/json' -d 1`;
  const invokeCommand = lb ? `curl -fsS ${url(lb.port)}${add}` : `${curlTo(node1.ports.ingress, node1, '')}${add}`;

  const roleNames: Record<string, string> = {
    'metadata-server': 'metadata',
    'log-server': 'log',
    worker: 'worker',
    admin: 'admin',
    'http-ingress': 'ingress',
  };
  const mermaid = ['flowchart LR', '  clients([clients])'];
  if (lb) mermaid.push(`  lb["load-balancer<br/>HAProxy :${portOf(lb.port)}"]`, '  clients --> lb');
  mermaid.push(`  subgraph cluster["${plan.projectName}"]`);
  for (const n of plan.nodes) {
    const roles = n.roles.map((r) => roleNames[r] ?? r).join(' · ');
    mermaid.push(
      `    ${n.name.replace('-', '')}["${n.name} (N${n.id})${n.autoProvision ? ' provisions' : ''}<br/>${roles}<br/>:${portOf(n.ports.ingress)} :${portOf(n.ports.admin)} :${portOf(n.ports.fabric)}"]`,
    );
  }
  mermaid.push(
    '  end',
    plan.minio
      ? `  minio[("MinIO<br/>snapshots<br/>:${portOf(plan.minio.ports.api)} :${portOf(plan.minio.ports.console)}")]`
      : `  minio[("S3<br/>${o.snapshotsEndpoint}")]`,
  );
  for (const n of plan.nodes) {
    const id = n.name.replace('-', '');
    if (n.roles.includes('http-ingress')) mermaid.push(lb ? `  lb --> ${id}` : `  clients --> ${id}`);
    mermaid.push(`  ${id} -. snapshots .-> minio`);
  }
  if (plan.monitoring) {
    mermaid.push(
      `  prometheus["Prometheus :${portOf(plan.monitoring.prometheus.port)}"]`,
      `  grafana["Grafana :${portOf(plan.monitoring.grafana.port)}"]`,
      '  grafana --> prometheus',
    );
    for (const n of plan.nodes) mermaid.push(`  prometheus -. /metrics .-> ${n.name.replace('-', '')}`);
  }

  const count = (n: number, what: string, plural = `${what}s`) => `${n} ${n === 1 ? what : plural}`;
  const tolerance = [
    `The log keeps ${count(o.replication, 'copy', 'copies')} of every record (replication ${o.replication}) on ${o.nodes} log servers: it keeps accepting writes with up to ${count(t.logFailuresTolerated, 'node')} down.`,
    `The metadata store is a Raft group of ${t.metadataMembers} member(s) with a quorum of ${t.metadataQuorum}: it keeps working with up to ${count(t.metadataFailuresTolerated, 'member')} down.`,
    t.clusterFailuresTolerated > 0
      ? `So the cluster keeps serving after losing ${count(t.clusterFailuresTolerated, 'node')}. Losing one more makes it unavailable until enough nodes are back; data on their volumes is kept.`
      : `So losing any node makes the cluster unavailable until it is back; data on its volume is kept.${o.nodes > 1 && t.belowRecommendedSize ? ` Tolerating ${o.replication - 1} failure(s) needs at least ${2 * o.replication - 1} nodes.` : ''}`,
  ];

  const minioUrl = (p: PublishedPort) => (swarm && !p.exposed ? 'not published' : url(p));
  const otherEndpoints = [
    plan.minio
      ? `MinIO S3 API ${minioUrl(plan.minio.ports.api)}, console ${minioUrl(plan.minio.ports.console)} (root user and password in \`.env\`; Restate uses its own key, limited to the snapshot bucket)`
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
    generatorVersion: generator.version,
    regenerateCommand: regenerateCommand(o, generator),
    loadBalancer: !!lb,
    monitoring: !!plan.monitoring,
    exposure: exposureLines(plan),
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
      fabric: swarm && !n.ports.fabric.exposed ? 'not published' : portOf(n.ports.fabric),
    })),
    otherEndpoints,
    tolerance,
    healthChecks: plan.nodes.flatMap((n) => [
      `${curlTo(n.ports.admin, n, '/health')} && echo "${n.name} admin ok"`,
      ...(n.roles.includes('http-ingress')
        ? [`${curlTo(n.ports.ingress, n, '/restate/health')} && echo " ${n.name} ingress ok"`]
        : []),
    ]),
    adminInTask: swarm && !node1.ports.admin.exposed,
    registerCommand: `${curlTo(node1.ports.admin, node1, '/deployments')} -X POST -H 'content-type: application/json' -d "{\\"uri\\": \\"$SERVICE_URL\\"}"`,
    firstNode: node1.name,
    adminUrl: url(node1.ports.admin, '', node1),
    invokeUrl,
    invokeCommand,
    survivesNodeLoss: t.clusterFailuresTolerated > 0,
    failoverNode: lastNonProvisioner?.name ?? node1.name,
    failoverNodeId: lastNonProvisioner?.id ?? node1.id,
    failoverInvokeUrl: lb ? url(lb.port) : url(survivor.ports.ingress, '', survivor),
    failoverInvokeCommand: lb
      ? `curl -fsS ${url(lb.port)}${add}`
      : `${curlTo(survivor.ports.ingress, survivor, '')}${add}`,
  };
}

export function renderReadme(plan: ClusterPlan, generator: Generator, render: Render = renderBuiltin): string {
  return render('README.md.hbs', readmeView(plan, generator));
}

/** Who reaches what, kind by kind, in the words the summary uses. */
function exposureLines(plan: ClusterPlan): string[] {
  const { options: o } = plan;
  const { addressOf, isOpen } = resolvedPorts(plan);
  const kinds = new Map<EndpointKind, PublishedPort>();
  for (const p of allPorts(plan)) kinds.set(p.kind, p);
  const open = [...kinds].filter(([, p]) => isOpen(p)).map(([kind]) => kind);
  // --expose names the whole list: a hint to open one more kind keeps the open ones.
  const opening = (kind: EndpointKind) => `\`--expose ${[...open, kind].join(',')}\``;
  return [...kinds].map(([kind, p]) => {
    const { title, risk, addressTunable } = ENDPOINTS[kind];
    const why = risk ? ` (${risk})` : '';
    if (o.target === 'swarm') {
      if (isOpen(p)) return `${title}: published in host mode on every interface of the host that runs it${why}`;
      const how =
        kind === 's3-console'
          ? 'reach it through an SSH tunnel to the host'
          : 'use it from inside a task with `docker exec` (below)';
      return `${title}: not published${why}; ${how}, or publish it with ${opening(kind)}`;
    }
    return isOpen(p)
      ? `${title}: the network, on \`${addressOf(p)}\` (\`${addressTunable}\` in \`.env\`)${why}`
      : `${title}: this host only, on \`${addressOf(p)}\` (\`${addressTunable}\`; ${opening(kind)} opens it)`;
  });
}
