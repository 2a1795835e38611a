import type { ClusterPlan, EnvEntry, PublishedPort, RestateNode, Tunable } from '../plan/plan.js';
import { clusterNetwork } from '../plan/nodes.js';
import { RESTATE_STOP_GRACE_PERIOD } from '../restate/services.js';
import { generatedBy, type Generator } from './header.js';
import { startGuardScript } from './start-guard.js';
import { renderBuiltin, type Render } from './templates.js';

/**
 * A quoted YAML scalar. Double quotes (JSON strings are valid YAML) unless the text itself
 * holds double quotes, as JSON lists do: single quotes keep those readable.
 */
export const quote = (text: string): string =>
  text.includes('"') && !text.includes('\n') ? `'${text.replaceAll("'", "''")}'` : JSON.stringify(text);

/**
 * The two scalars dclint (the compose linter) asks for: a port in single quotes (a YAML parser
 * would read 80:80 as a number in base 60), a volume plain (every mount here is a plain word).
 */
export const portScalar = (text: string): string => `'${text.replaceAll("'", "''")}'`;
export const volumeScalar = (text: string): string => (/^[A-Za-z0-9_./:-]+$/.test(text) ? text : quote(text));

/**
 * An add-on's config file mounted through its directory: gen-compose replaces the file by
 * rename, and a mount of the file itself keeps showing the old one to a reload.
 */
const directoryMount = (configFile: string, containerFile: string): string =>
  `./${configFile.slice(0, configFile.lastIndexOf('/'))}:${containerFile.slice(0, containerFile.lastIndexOf('/'))}:ro`;

/**
 * dclint's rules a file breaks on purpose: turned off by its first line (the only place dclint
 * reads them), each for the reason a header line below gives.
 */
const LINT_REASONS = {
  'no-unbound-port-interfaces':
    'every port is bound to ${<KIND>_PUBLISH_ADDRESS:-127.0.0.1}, an interface the linter cannot read through the variable',
  'swarm:no-unbound-port-interfaces':
    'Swarm publishes a host-mode port on every interface of its host and cannot bind one (only --expose kinds are published)',
  'require-project-name-field': 'the stack is named on the command line, docker stack deploy -c docker-stack.yaml NAME',
  'service-keys-order':
    'each node starts with <<: *restate-node, the settings all nodes share, which the rule would put last',
  'services-alphabetical-order': 'the nodes come first, in the order of their IDs',
  'service-ports-alphabetical-order': 'a node lists ingress, admin, fabric, in the order of README.md',
} as const;

function lintExceptions(rules: (keyof typeof LINT_REASONS)[]): { lintDirective: string; lintReasons: string[] } {
  const name = (rule: string) => rule.replace(/^swarm:/, '');
  return {
    lintDirective: `# dclint disable ${rules.map(name).join(' ')}`,
    lintReasons: rules.map((rule) => `dclint: ${name(rule)} is off: ${LINT_REASONS[rule]}.`),
  };
}

/** Compose interpolates `$`; a literal dollar is written `$$`. */
const escapeDollars = (text: string): string => text.replaceAll('$', '$$$$');

/** A node with peers starts through its guard (render/start-guard.ts): the script's lines. */
const entrypoint = (node: RestateNode): string[] | undefined =>
  node.startPeers.length > 0 ? startGuardScript(node).map(escapeDollars) : undefined;

/**
 * How the compose file reads a tunable: `${NAME:-value}` with the planned value, so the file
 * follows from the options alone and works (with their values) even without .env; hand edits
 * live in .env, which compose reads first. Secrets get no fallback: `${NAME:?…}` makes compose refuse to
 * start when .env is missing instead of running with a value nobody chose.
 */
export function interpolation(t: Tunable): string {
  // Compose interpolates a default too: a $ in it is written $$ so it stays a $.
  return t.secret
    ? `\${${t.name}:?${t.name} must be set in .env}`
    : `\${${t.name}:-${t.planned.replaceAll('$', '$$$$')}}`;
}

/** What both targets' views are built from: the plan's values, quoted for YAML. */
function viewParts(plan: ClusterPlan) {
  const tunables = new Map(plan.tunables.map((t) => [t.name, t]));
  const ref = (name: string): string => {
    const t = tunables.get(name);
    if (!t) throw new Error(`plan refers to tunable ${name} but does not define it`);
    return interpolation(t);
  };
  // Every value a quoted string: Swarm rejects anything else in `environment`.
  const env = (entries: EnvEntry[]) =>
    entries.map(({ name, value }) => ({
      name,
      value: quote('literal' in value ? escapeDollars(value.literal) : ref(value.tunable)),
    }));
  const adminPort = plan.nodes[0]!.ports.admin.containerPort;
  const { minio } = plan;
  return {
    ref,
    env,
    minioImage: minio && quote(`${ref(minio.imageTunable)}:${ref(minio.versionTunable)}`),
    common: {
      restateImage: quote(`${plan.restateImage.repository}:${ref(plan.restateImage.versionTunable)}`),
      memoryLimit: plan.memoryLimitTunable ? quote(ref(plan.memoryLimitTunable)) : undefined,
      restateHealthcheck: JSON.stringify([
        'CMD',
        'curl',
        '--fail',
        '--silent',
        '--max-time',
        '2',
        `http://localhost:${adminPort}/health`,
      ]),
      stopGracePeriod: RESTATE_STOP_GRACE_PERIOD,
      commonEnvironment: env(plan.commonEnvironment),
      minio: minio && {
        service: minio.service,
        bucketService: minio.bucketService,
        image: quote(`${ref(minio.imageTunable)}:${ref(minio.versionTunable)}`),
        command: JSON.stringify(['server', '/data', '--console-address', `:${minio.ports.console.containerPort}`]),
        environment: env(minio.environment),
        bucketEnvironment: env([
          { name: 'MINIO_ROOT_USER', value: { tunable: minio.rootUserTunable } },
          { name: 'MINIO_ROOT_PASSWORD', value: { tunable: minio.rootPasswordTunable } },
          { name: 'SNAPSHOT_DESTINATION', value: { tunable: minio.destinationTunable } },
          { name: 'RESTATE_S3_ACCESS_KEY', value: { tunable: minio.snapshotsAccessKeyTunable } },
          { name: 'RESTATE_S3_SECRET_KEY', value: { tunable: minio.snapshotsSecretKeyTunable } },
        ]),
        internalEndpoint: `http://${minio.service}:${minio.ports.api.containerPort}`,
        volumeMount: volumeScalar(`${minio.volume}:/data`),
      },
      volumes: [
        ...plan.nodes.map((n) => n.volume),
        ...(minio ? [minio.volume] : []),
        ...(plan.monitoring ? [plan.monitoring.prometheus.volume, plan.monitoring.grafana.volume] : []),
      ],
    },
  };
}

export function renderCompose(plan: ClusterPlan, generator: Generator, render: Render = renderBuiltin): string {
  const { ref, env, common } = viewParts(plan);
  const lint = lintExceptions([
    'no-unbound-port-interfaces',
    'service-keys-order',
    'services-alphabetical-order',
    'service-ports-alphabetical-order',
  ]);
  // Short syntax, bound to the publish address: "127.0.0.1:8080:8080".
  const port = (p: PublishedPort) => {
    if (!p.addressTunable) throw new Error(`compose port ${p.tunable} has no address tunable`);
    return portScalar(`${ref(p.addressTunable)}:${ref(p.tunable)}:${p.containerPort}`);
  };
  const { minio } = plan;
  const view = {
    ...common,
    lintDirective: lint.lintDirective,
    header: [...generatedBy(generator, plan.options), 'Start it with: docker compose up -d', ...lint.lintReasons],
    projectName: quote(plan.projectName),
    nodes: plan.nodes.map((node) => ({
      name: node.name,
      entrypoint: entrypoint(node),
      environment: env(node.environment),
      ports: [node.ports.ingress, node.ports.admin, node.ports.fabric].map(port),
      volumeMount: volumeScalar(`${node.volume}:${plan.dataDir}`),
    })),
    minio: common.minio && minio && { ...common.minio, ports: [minio.ports.api, minio.ports.console].map(port) },
    loadBalancer: plan.loadBalancer && {
      service: plan.loadBalancer.service,
      image: quote(plan.loadBalancer.image),
      configMount: volumeScalar(directoryMount(plan.loadBalancer.configFile, plan.loadBalancer.containerConfigFile)),
      port: port(plan.loadBalancer.port),
    },
    monitoring: plan.monitoring && {
      prometheus: {
        service: plan.monitoring.prometheus.service,
        image: quote(plan.monitoring.prometheus.image),
        configMount: volumeScalar(
          directoryMount(plan.monitoring.prometheus.configFile, '/etc/prometheus/prometheus.yml'),
        ),
        dataMount: volumeScalar(`${plan.monitoring.prometheus.volume}:/prometheus`),
        port: port(plan.monitoring.prometheus.port),
      },
      grafana: {
        service: plan.monitoring.grafana.service,
        image: quote(plan.monitoring.grafana.image),
        adminPassword: quote(ref(plan.monitoring.grafana.adminPasswordTunable)),
        dataMount: volumeScalar(`${plan.monitoring.grafana.volume}:/var/lib/grafana`),
        port: port(plan.monitoring.grafana.port),
      },
    },
  };
  return render('docker-compose.yaml.hbs', view);
}

/**
 * Swarm's healthcheck. Swarm keeps a task out of its service's DNS until the task is healthy,
 * while a Restate node cannot start serving until its peers reach it by name: a joining node
 * becomes a metadata member the others must reach, and a node restarting with a majority of
 * the cluster (a redeploy that changes every node, hosts rebooting) needs the metadata quorum,
 * which needs the others in DNS. Both deadlocked on a real three-host swarm with a plain
 * "admin API answers" check. So a node is healthy when:
 * 1. its admin API answers (it serves); it then marks its volume as having served; or
 * 2. it has never served (new, or its volume lost) and its fabric port answers; or
 * 3. its fabric port answers but it has not found the cluster (no node ID yet) for 15 s.
 * A node replaced in a running cluster gets its node ID from the others at once, so only (1)
 * applies to it: Swarm does not call it up before it serves.
 */
function swarmHealthcheck(plan: ClusterPlan): string {
  const { admin, fabric } = plan.nodes[0]!.ports;
  const marker = `${plan.dataDir}/.served-once`;
  // `$$` is a literal `$` in a compose or stack file; the image has curl and jq.
  // The fabric port first: a node without a node ID has no admin API yet, and its bound but
  // silent admin port held each probe for the whole 2 s (a fresh deploy's peers entered DNS
  // 2 s late, and so did the cluster).
  const script = [
    `status=$$(curl -fsS -m 2 http://localhost:${fabric.containerPort}/health) || exit 1`,
    `echo "$$status" | jq -e '.node_id != null' >/dev/null && curl -fsS -m 2 http://localhost:${admin.containerPort}/health >/dev/null && touch ${marker} && exit 0`,
    `test ! -e ${marker} && exit 0`,
    `echo "$$status" | jq -e '.node_id == null and (.age | test("^([0-9]+[dhm] |(1[5-9]|[2-9][0-9]|[0-9]{3,})s)"))' >/dev/null`,
  ].join('; ');
  return JSON.stringify(['CMD-SHELL', script]);
}

/**
 * The same plan for `docker stack deploy` (Docker Swarm across hosts). What differs, and why:
 * - each node is pinned to the host labelled restate-node=k, so nodes land on separate hosts
 *   and a node's volume stays with it; MinIO to the host labelled restate-minio=true;
 * - endpoint_mode dnsrr: a service name resolves to its task's own address, so a node can
 *   reach its advertised address (through the default virtual IP it cannot, and the first node
 *   fails to provision); dnsrr allows published ports only in host mode;
 * - no depends_on (Swarm ignores it): the bucket job restarts until MinIO answers, and nodes
 *   open their partitions once the store does;
 * - rollouts stop a node's task before starting its replacement, one at a time, so two tasks
 *   of one Restate node never run at once.
 */
export function renderStack(plan: ClusterPlan, generator: Generator, render: Render = renderBuiltin): string {
  const { ref, env, common } = viewParts(plan);
  const lint = lintExceptions([
    'swarm:no-unbound-port-interfaces',
    'require-project-name-field',
    'service-keys-order',
    'services-alphabetical-order',
    'service-ports-alphabetical-order',
  ]);
  // Long syntax in host mode: published on the host that runs the task, on every interface.
  // So only exposed kinds are published at all (see exposure.ts).
  const ports = (list: PublishedPort[]) =>
    list.filter((p) => p.exposed).map((p) => ({ target: p.containerPort, published: quote(ref(p.tunable)) }));
  const { minio } = plan;
  const view = {
    ...common,
    restateHealthcheck: swarmHealthcheck(plan),
    lintDirective: lint.lintDirective,
    header: [
      ...generatedBy(generator, plan.options),
      'Deploy it with: set -a; . ./.env; set +a; docker stack deploy -c docker-stack.yaml ' + plan.projectName,
      '(docker stack deploy does not read .env itself; label the hosts first: see README.md)',
      ...lint.lintReasons,
    ],
    nodes: plan.nodes.map((node) => ({
      name: node.name,
      id: node.id,
      entrypoint: entrypoint(node),
      environment: env(node.environment),
      ports: ports([node.ports.ingress, node.ports.admin, node.ports.fabric]),
      volumeMount: volumeScalar(`${node.volume}:${plan.dataDir}`),
    })),
    minio: common.minio && minio && { ...common.minio, ports: ports([minio.ports.api, minio.ports.console]) },
    network: clusterNetwork(plan.projectName),
  };
  return render('docker-stack.yaml.hbs', view);
}
