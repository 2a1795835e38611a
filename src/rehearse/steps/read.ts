import { loadCompose } from '../../load/loader.js';
import { findBinary, type Binary } from '../../restate/binaries.js';
import type { HostPortOf } from '../addons.js';
import type { RehearsalContext } from '../context.js';
import { freePort, leftByEarlierRehearsals, portIsFree } from '../processes.js';
import { StepFailed, type Step } from '../runner.js';
import { translate, type LocalCluster } from '../translate.js';

/** The first step: the compose file read as compose reads it, and what it needs here checked before anything starts. */
export const readAndTranslate: Step<RehearsalContext> = {
  name: 'read the compose file and translate it for local processes',
  async run(context) {
    const { options, say } = context;
    const project = loadCompose(options.target, { shell: options.shell });
    context.project = project;
    if (project.override) say(`  note: ${project.override} merged in, as docker compose merges it`);
    // translate() wants ports synchronously; fetch a pool up front.
    const pool = await Promise.all(Array.from({ length: 3 * project.services.length + 4 }, freePort));
    const cluster = translate(project, { baseDir: context.baseDir, freePort: () => pool.pop()! });
    context.cluster = cluster;
    for (const w of cluster.warnings) say(`  warning: ${w}`);
    if (options.verbose || cluster.problems.length > 0) {
      for (const t of cluster.translations)
        say(`  ${t.service}: ${t.variable} ${t.from ?? '(unset)'} → ${t.to}  (${t.why})`);
    }
    if (cluster.problems.length > 0) throw new StepFailed(cluster.problems.join('; '));
    const server = findBinary('restate-server', {
      explicit: options.restateServer,
      version: cluster.restateVersions[0],
    });
    context.restateServer = server;
    context.restatectl = findBinary('restatectl', { explicit: options.restatectl });
    context.hostPortOf = hostPortsOf(cluster);
    const note = versionNote(cluster, server);
    if (note.startsWith('the file')) say(`  note: ${note}`);
    await refuseBusyPorts(cluster);
    return `${cluster.nodes.length} Restate node(s), ${cluster.translations.length} translations (--verbose lists them), ${note}`;
  },
};

/** Where a service's container port is on this machine: a node's translated port, else the published one. */
function hostPortsOf(cluster: LocalCluster): HostPortOf {
  return (service, containerPort) =>
    cluster.nodes.find((n) => n.service === service.name)?.containerPorts[containerPort] ??
    service.ports.find((port) => port.target === containerPort && port.published !== undefined)?.published;
}

/** The server rehearsed with; and when the file runs other Restate versions, which. */
function versionNote(cluster: LocalCluster, server: Binary): string {
  const versions = cluster.restateVersions;
  return versions.length === 0 || (versions.length === 1 && versions[0] === server.version)
    ? `restate-server ${server.version}`
    : `the file runs Restate ${versions.join(', ')}; rehearsed with restate-server ${server.version} (${server.source})`;
}

/** Fails when a port the cluster would listen on is taken, naming what earlier rehearsals left running. */
async function refuseBusyPorts(cluster: LocalCluster): Promise<void> {
  const busy: string[] = [];
  for (const node of cluster.nodes) {
    for (const [kind, port] of Object.entries(node.hostPorts))
      if (!(await portIsFree(port))) busy.push(`${port} (${node.service} ${kind})`);
  }
  if (cluster.s3 && !(await portIsFree(cluster.s3.port))) busy.push(`${cluster.s3.port} (S3 store)`);
  if (busy.length === 0) return;
  const left = leftByEarlierRehearsals();
  const hint =
    left.pids.length > 0
      ? `; ${left.pids.length} process(es) of earlier rehearsals (killed, or kept with --keep) still run and may hold them: kill -9 ${left.pids.join(' ')}; rm -rf ${left.dirs.join(' ')}`
      : '';
  throw new StepFailed(
    `host port(s) already in use: ${busy.join(', ')}; stop what uses them, or move the cluster's ports (the *_PORT_OVERRIDE variables in .env or the shell)${hint}`,
  );
}
