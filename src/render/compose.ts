import type { ClusterPlan, EnvEntry, PublishedPort, Tunable } from '../plan/plan.js';
import { generatedBy } from './header.js';
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

export function renderCompose(plan: ClusterPlan, generatorVersion: string, render: Render = renderBuiltin): string {
  const tunables = new Map(plan.tunables.map((t) => [t.name, t]));
  const ref = (name: string): string => {
    const t = tunables.get(name);
    if (!t) throw new Error(`plan refers to tunable ${name} but does not define it`);
    return interpolation(t);
  };
  const env = (entries: EnvEntry[]) =>
    entries.map(({ name, value }) => ({
      name,
      value: quote('literal' in value ? escapeDollars(value.literal) : ref(value.tunable)),
    }));
  const port = (p: PublishedPort) => quote(`${ref(p.addressTunable)}:${ref(p.tunable)}:${p.containerPort}`);

  const adminPort = plan.nodes[0]!.ports.admin.containerPort;
  const { minio } = plan;
  const view = {
    header: [...generatedBy(generatorVersion, plan.options), 'Start it with: docker compose up -d'],
    projectName: quote(plan.projectName),
    restateImage: quote(`${plan.restateImage.repository}:${ref(plan.restateImage.versionTunable)}`),
    memoryLimit: plan.memoryLimitTunable ? quote(ref(plan.memoryLimitTunable)) : undefined,
    restateHealthcheck: JSON.stringify(['CMD', 'curl', '--fail', '--silent', '--max-time', '2', `http://localhost:${adminPort}/health`]),
    commonEnvironment: env(plan.commonEnvironment),
    nodes: plan.nodes.map((node) => ({
      name: node.name,
      environment: env(node.environment),
      ports: [node.ports.ingress, node.ports.admin, node.ports.fabric].map(port),
      volumeMount: quote(`${node.volume}:${plan.dataDir}`),
    })),
    minio: {
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
      ports: [minio.ports.api, minio.ports.console].map(port),
      volumeMount: quote(`${minio.volume}:/data`),
    },
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
    volumes: [
      ...plan.nodes.map((n) => n.volume),
      minio.volume,
      ...(plan.monitoring ? [plan.monitoring.prometheus.volume, plan.monitoring.grafana.volume] : []),
    ],
  };
  return render('docker-compose.yaml.hbs', view);
}
