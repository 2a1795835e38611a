import { allPorts, resolvedPorts, type ClusterPlan, type PublishedPort, type RestateNode } from '../plan/plan.js';
import { ENDPOINTS, type EndpointKind } from '../plan/exposure.js';
import { runningClusterCommands } from '../plan/running-commands.js';
import { clusterNetwork } from '../plan/nodes.js';
import { regenerateCommand, type Generator } from './header.js';
import { renderBuiltin, type Render } from './templates.js';
import { PROVISION_GUARD_WAIT_SECONDS } from './start-guard.js';

/*
 * The generated cluster's README: topology, endpoints, fault tolerance in words, and commands
 * that are right for this cluster's names and ports (the rehearsal runs its curl lines). The
 * templates (README.md.hbs and a readme-*.hbs partial per section) hold the words and the
 * layout; the functions here hand them ready values: URLs, ports, counted nouns, commands.
 */

type Node = Pick<RestateNode, 'id' | 'name'>;

/** How this cluster's ports are reached, in the README's commands and tables. */
function addresses(plan: ClusterPlan) {
  const swarm = plan.options.target === 'swarm';
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
  // An unpublished port (Swarm) is reached from a one-off container on the stack's attachable
  // network, as restatectl is: a line runs on any manager (a docker exec into the node's task
  // ran only on the host that ran it, and a trial's user ran them all on the manager).
  const network = `${plan.projectName}_${clusterNetwork(plan.projectName)}`;
  const onNetwork = `docker run --rm --network ${network} --entrypoint curl ${plan.restateImage.repository}:${plan.options.restateVersion}`;
  const curlTo = (p: PublishedPort, node: Node, path: string) =>
    swarm && !p.exposed
      ? `${onNetwork} -fsS http://${node.name}:${p.containerPort}${path}`
      : `curl -fsS ${url(p, path, node)}`;
  /** For the endpoint table: under Swarm, the host labelled for the node, by name. */
  const tableUrl = (p: PublishedPort, node: { id: number }) =>
    swarm ? (p.exposed ? `http://HOST_${node.id}:${portOf(p)}` : 'not published') : url(p);
  /** For the endpoints outside the nodes: under Swarm, an unpublished one is said so. */
  const serviceUrl = (p: PublishedPort) => (swarm && !p.exposed ? 'not published' : url(p));
  return { swarm, portOf, url, curlTo, tableUrl, serviceUrl };
}
type Addresses = ReturnType<typeof addresses>;

const ROLE_NAMES: Record<string, string> = {
  'metadata-server': 'metadata',
  'log-server': 'log',
  worker: 'worker',
  admin: 'admin',
  'http-ingress': 'ingress',
};

/**
 * The values of the Topology diagram (readme-topology.hbs): each box's id, label and ports. A
 * box lists the ports its service publishes, which on Swarm are the exposed kinds only (the
 * others are reached on the stack's network); `ingressPort` and the like stay for templates
 * exported before (their boxes list every port).
 */
function diagramView(plan: ClusterPlan, { portOf, swarm }: Addresses) {
  const shown = (...ports: PublishedPort[]) =>
    ports
      .filter((p) => !swarm || p.exposed)
      .map((p) => `:${portOf(p)}`)
      .join(' ');
  return {
    loadBalancerPort: plan.loadBalancer ? portOf(plan.loadBalancer.port) : '',
    loadBalancerPorts: plan.loadBalancer ? shown(plan.loadBalancer.port) : '',
    nodes: plan.nodes.map((n) => ({
      // A Mermaid id: the node's name without its dash.
      id: n.name.replace('-', ''),
      // Restate's name and ID for the node (another after --replace-node).
      name: n.restateName,
      number: n.restateId,
      provisions: n.autoProvision,
      roles: n.roles.map((r) => ROLE_NAMES[r] ?? r).join(' · '),
      ingress: n.roles.includes('http-ingress'),
      ports: shown(n.ports.ingress, n.ports.admin, n.ports.fabric),
      ingressPort: portOf(n.ports.ingress),
      adminPort: portOf(n.ports.admin),
      fabricPort: portOf(n.ports.fabric),
    })),
    minioPorts: plan.minio ? shown(plan.minio.ports.api, plan.minio.ports.console) : '',
    minioApiPort: plan.minio ? portOf(plan.minio.ports.api) : '',
    minioConsolePort: plan.minio ? portOf(plan.minio.ports.console) : '',
    prometheusPorts: plan.monitoring ? shown(plan.monitoring.prometheus.port) : '',
    grafanaPorts: plan.monitoring ? shown(plan.monitoring.grafana.port) : '',
    prometheusPort: plan.monitoring ? portOf(plan.monitoring.prometheus.port) : '',
    grafanaPort: plan.monitoring ? portOf(plan.monitoring.grafana.port) : '',
  };
}

/** Who reaches what, kind by kind (readme-endpoints.hbs words it as the summary does). */
function exposureView(plan: ClusterPlan) {
  const { addressOf, isOpen } = resolvedPorts(plan);
  const kinds = new Map<EndpointKind, PublishedPort>();
  for (const p of allPorts(plan)) kinds.set(p.kind, p);
  const open = [...kinds].filter(([, p]) => isOpen(p)).map(([kind]) => kind);
  return [...kinds].map(([kind, p]) => {
    const { title, risk, addressTunable } = ENDPOINTS[kind];
    return {
      title,
      risk: risk ?? '',
      open: isOpen(p),
      address: addressOf(p),
      addressTunable: addressTunable ?? '',
      // --expose names the whole list: a hint to open one more kind keeps the open ones.
      opening: [...open, kind].join(','),
      // The MinIO console is a browser's: from elsewhere, through a tunnel, not docker exec.
      tunnel: kind === 's3-console',
    };
  });
}

/** The Endpoints section's values: every node's URLs, and the URLs of the other services. */
function endpointsView(plan: ClusterPlan, { swarm, portOf, url, tableUrl, serviceUrl }: Addresses) {
  return {
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      provisions: n.autoProvision,
      ingress: n.roles.includes('http-ingress') ? tableUrl(n.ports.ingress, n) : '(no ingress role)',
      admin: tableUrl(n.ports.admin, n),
      fabric: swarm && !n.ports.fabric.exposed ? 'not published' : portOf(n.ports.fabric),
    })),
    endpoints: {
      loadBalancerUrl: plan.loadBalancer ? url(plan.loadBalancer.port) : '',
      minioApiUrl: plan.minio ? serviceUrl(plan.minio.ports.api) : '',
      minioConsoleUrl: plan.minio ? serviceUrl(plan.minio.ports.console) : '',
      prometheusUrl: plan.monitoring ? url(plan.monitoring.prometheus.port) : '',
      grafanaUrl: plan.monitoring ? url(plan.monitoring.grafana.port) : '',
    },
  };
}

const count = (n: number, what: string, plural = `${what}s`) => `${n} ${n === 1 ? what : plural}`;

/** The Fault tolerance section's numbers (readme-fault-tolerance.hbs), nouns counted. */
function toleranceView(plan: ClusterPlan) {
  const { options: o, tolerance: t } = plan;
  return {
    copies: count(o.replication, 'copy', 'copies'),
    logFailures: count(t.logFailuresTolerated, 'node'),
    metadataMembers: t.metadataMembers,
    metadataQuorum: t.metadataQuorum,
    metadataFailures: count(t.metadataFailuresTolerated, 'member'),
    clusterFailures: count(t.clusterFailuresTolerated, 'node'),
    // A single node tolerates nothing by design: no advice to grow it is given.
    belowRecommendedSize: o.nodes > 1 && t.belowRecommendedSize,
    failuresWanted: o.replication - 1,
    nodesNeeded: 2 * o.replication - 1,
  };
}

/** The commands of readme-compose.hbs and readme-swarm.hbs, right for this cluster's names and ports. */
function commandsView(plan: ClusterPlan, { swarm, url, curlTo }: Addresses, program: string) {
  const node1 = plan.nodes[0]!;
  const running = runningClusterCommands(plan.options, { program });
  const lastNonProvisioner = [...plan.nodes].reverse().find((n) => !n.autoProvision);
  const provisioner = plan.nodes.find((n) => n.autoProvision && n.startPeers.length > 0);
  const survivor = plan.nodes.find((n) => n !== lastNonProvisioner && n.roles.includes('http-ingress')) ?? node1;
  const lb = plan.loadBalancer;
  const add = `/Counter/my-key/add -X POST -H 'content-type: application/json' -d 1`;
  return {
    labels: plan.nodes.map((n) => `docker node update --label-add restate-node=${n.id} HOST_${n.id}`),
    healthChecks: plan.nodes.flatMap((n) => [
      `${curlTo(n.ports.admin, n, '/health')} && echo "${n.name} admin ok"`,
      ...(n.roles.includes('http-ingress')
        ? [`${curlTo(n.ports.ingress, n, '/restate/health')} && echo " ${n.name} ingress ok"`]
        : []),
    ]),
    adminInTask: swarm && !node1.ports.admin.exposed,
    registerCommand: `${curlTo(node1.ports.admin, node1, '/deployments')} -X POST -H 'content-type: application/json' -d "{\\"uri\\": \\"$SERVICE_URL\\"}"`,
    firstNode: node1.name,
    statusCommand: `${running.restatectl(node1.name)} status`,
    readyCommand: running.ready,
    adminUrl: url(node1.ports.admin, '', node1),
    invokeUrl: lb ? url(lb.port) : url(node1.ports.ingress, '', node1),
    invokeCommand: lb ? `curl -fsS ${url(lb.port)}${add}` : `${curlTo(node1.ports.ingress, node1, '')}${add}`,
    // The provisioning node's guard, said where the README tells what a lost disk means.
    provisioner: provisioner?.name,
    provisionerWaitSeconds: PROVISION_GUARD_WAIT_SECONDS,
    failoverNode: lastNonProvisioner?.name ?? node1.name,
    startPeers: (lastNonProvisioner ?? node1).startPeers.join(' and '),
    failoverNodeId: lastNonProvisioner?.id ?? node1.id,
    failoverInvokeUrl: lb ? url(lb.port) : url(survivor.ports.ingress, '', survivor),
    failoverInvokeCommand: lb
      ? `curl -fsS ${url(lb.port)}${add}`
      : `${curlTo(survivor.ports.ingress, survivor, '')}${add}`,
  };
}

/** Every value README.md.hbs and its partials use. */
export function readmeView(plan: ClusterPlan, generator: Generator) {
  const { options: o } = plan;
  const at = addresses(plan);
  return withRetiredValues({
    projectName: plan.projectName,
    nodeCount: o.nodes,
    replication: o.replication,
    restateVersion: o.restateVersion,
    generatorVersion: generator.version,
    regenerateCommand: regenerateCommand(o, generator),
    // gen-compose as run from this directory, for its day-two commands.
    program: generator.program,
    loadBalancer: !!plan.loadBalancer,
    monitoring: !!plan.monitoring,
    swarm: at.swarm,
    stackName: plan.projectName,
    minio: !!plan.minio,
    bucketService: plan.minio?.bucketService ?? '',
    snapshotsEndpoint: o.snapshotsEndpoint ?? '',
    survivesNodeLoss: plan.tolerance.clusterFailuresTolerated > 0,
    diagram: diagramView(plan, at),
    endpointKinds: exposureView(plan),
    ...endpointsView(plan, at),
    faultTolerance: toleranceView(plan),
    ...commandsView(plan, at, generator.program),
  });
}

/**
 * Values README.md.hbs used before its sections became partials, each a list of finished lines.
 * A user's README.md.hbs exported then would render them empty ({{#each}} of a missing value is
 * no error, even in strict mode): reading one is an error that says what to do instead.
 */
const RETIRED_VALUES = ['mermaid', 'exposure', 'otherEndpoints', 'tolerance'];
function withRetiredValues<T extends object>(view: T): T {
  for (const name of RETIRED_VALUES) {
    Object.defineProperty(view, name, {
      enumerable: false,
      get() {
        throw new Error(
          `"${name}" is no longer handed to README.md.hbs: its sections are partials now (readme-topology.hbs, readme-endpoints.hbs, readme-fault-tolerance.hbs); export the built-in templates afresh (gen-compose templates export DIR) and carry your edits over`,
        );
      },
    });
  }
  return view;
}

export function renderReadme(plan: ClusterPlan, generator: Generator, render: Render = renderBuiltin): string {
  return render('README.md.hbs', readmeView(plan, generator));
}
