import type { ClusterPlan, EnvEntry, PublishedPort, Tunable } from '../plan/plan.js';
import { RESTATE_STOP_GRACE_PERIOD } from '../restate/services.js';
import { generatedBy, type Generator } from './header.js';
import { renderBuiltin, type Render } from './templates.js';

/**
 * A quoted YAML scalar. Double quotes (JSON strings are valid YAML) unless the text itself
 * holds double quotes, as JSON lists do: single quotes keep those readable.
 */
export const quote = (text: string): string =>
  text.includes('"') && !text.includes('\n') ? `'${text.replaceAll("'", "''")}'` : JSON.stringify(text);

/** Compose interpolates `$`; a literal dollar is written `$$`. */
const escapeDollars = (text: string): string => text.replaceAll('$', '$$$$');

/**
 * How the compose file reads a tunable: `${NAME:-value}`, so the file works (with the same
 * values) even without .env. Secrets get no fallback: `${NAME:?…}` makes compose refuse to
 * start when .env is missing instead of running with a value nobody chose.
 */
export function interpolation(t: Tunable): string {
  return t.secret ? `\${${t.name}:?${t.name} must be set in .env}` : `\${${t.name}:-${t.value}}`;
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
      restateHealthcheck: JSON.stringify(['CMD', 'curl', '--fail', '--silent', '--max-time', '2', `http://localhost:${adminPort}/health`]),
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
        volumeMount: quote(`${minio.volume}:/data`),
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
  // Short syntax, bound to the publish address: "127.0.0.1:8080:8080".
  const port = (p: PublishedPort) => {
    if (!p.addressTunable) throw new Error(`compose port ${p.tunable} has no address tunable`);
    return quote(`${ref(p.addressTunable)}:${ref(p.tunable)}:${p.containerPort}`);
  };
  const { minio } = plan;
  const view = {
    ...common,
    header: [...generatedBy(generator, plan.options), 'Start it with: docker compose up -d'],
    projectName: quote(plan.projectName),
    nodes: plan.nodes.map((node) => ({
      name: node.name,
      environment: env(node.environment),
      ports: [node.ports.ingress, node.ports.admin, node.ports.fabric].map(port),
      volumeMount: quote(`${node.volume}:${plan.dataDir}`),
    })),
    minio: common.minio && minio && { ...common.minio, ports: [minio.ports.api, minio.ports.console].map(port) },
    loadBalancer: plan.loadBalancer && {
      service: plan.loadBalancer.service,
      image: quote(plan.loadBalancer.image),
      configMount: quote(`./${plan.loadBalancer.configFile}:${plan.loadBalancer.containerConfigFile}:ro`),
      port: port(plan.loadBalancer.port),
    },
    monitoring: plan.monitoring && {
      prometheus: {
        service: plan.monitoring.prometheus.service,
        image: quote(plan.monitoring.prometheus.image),
        configMount: quote(`./${plan.monitoring.prometheus.configFile}:/etc/prometheus/prometheus.yml:ro`),
        dataMount: quote(`${plan.monitoring.prometheus.volume}:/prometheus`),
        port: port(plan.monitoring.prometheus.port),
      },
      grafana: {
        service: plan.monitoring.grafana.service,
        image: quote(plan.monitoring.grafana.image),
        adminPassword: quote(ref(plan.monitoring.grafana.adminPasswordTunable)),
        dataMount: quote(`${plan.monitoring.grafana.volume}:/var/lib/grafana`),
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
  const script = [
    `curl -fsS -m 2 http://localhost:${admin.containerPort}/health >/dev/null && touch ${marker} && exit 0`,
    `status=$$(curl -fsS -m 2 http://localhost:${fabric.containerPort}/health) || exit 1`,
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
  // Long syntax in host mode: published on the host that runs the task, on every interface.
  // So only exposed kinds are published at all (see exposure.ts).
  const ports = (list: PublishedPort[]) => list.filter((p) => p.exposed).map((p) => ({ target: p.containerPort, published: quote(ref(p.tunable)) }));
  const { minio } = plan;
  const view = {
    ...common,
    restateHealthcheck: swarmHealthcheck(plan),
    header: [
      ...generatedBy(generator, plan.options),
      'Deploy it with: set -a; . ./.env; set +a; docker stack deploy -c docker-stack.yaml ' + plan.projectName,
      '(docker stack deploy does not read .env itself; label the hosts first: see README.md)',
    ],
    nodes: plan.nodes.map((node) => ({
      name: node.name,
      id: node.id,
      environment: env(node.environment),
      ports: ports([node.ports.ingress, node.ports.admin, node.ports.fabric]),
      volumeMount: quote(`${node.volume}:${plan.dataDir}`),
    })),
    minio: common.minio && minio && { ...common.minio, ports: ports([minio.ports.api, minio.ports.console]) },
    network: `${plan.projectName}-net`,
  };
  return render('docker-stack.yaml.hbs', view);
}
