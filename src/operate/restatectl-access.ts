import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { isRecord, type ComposeProject, type ComposeService } from '../load/compose-file.js';
import { loadCompose } from '../load/loader.js';
import { hostOf } from '../check/rules/rule.js';
import { isRestateService, listenPortOf, servicesByHost } from '../restate/services.js';

/**
 * How an operation on a running cluster reaches restatectl, read from the cluster's files:
 * for a compose project, inside one of its node containers (`docker compose exec`); for a Swarm
 * stack, in a one-off container of the node's image on the stack's network, so it runs on any
 * manager whichever host runs which node (`docker exec` reaches local containers only).
 */
export interface RestatectlAccess {
  /** The Restate nodes of the file (service names), in file order. */
  nodes: string[];
  /** The node names the file gives Restate (RESTATE_NODE_NAME), where it gives one. */
  declaredNames: string[];
  /** `docker` arguments that run `sh -c script sh ...args` where restatectl reaches the cluster through `node`. */
  shell: (node: string, script: string, args: string[]) => string[];
  /** What runs the commands, for messages. */
  via: (node: string) => string;
  /**
   * Why no wait can help (no node running; on Compose, a node stopped), said at once; undefined if
   * none. `excused`: a node whose container may be down or gone (the one a replacement takes out).
   * Throws when no engine answers.
   */
  notRunning: (excused?: string[]) => string | undefined;
  /** The last lines `node`'s service logged (stdout and stderr), empty when docker cannot say. */
  recentLog: (node: string) => string;
  /**
   * Compose: the snapshot store's service when it is not running (it is started by no wait,
   * and a cluster without it cannot snapshot, trim its log or restore a lost disk), said as
   * "minio is exited"; undefined when it runs, or on Swarm.
   */
  storeDown: () => StoreDown | undefined;
  /** Swarm: the state of the last update of `node`'s service (`none` when it has none, and on compose). */
  updateOf: (node: string) => { service: string; state: string; message: string };
}

/** What ready says when Ctrl-C stops it: where that leaves a pasted block. */
export const READY_INTERRUPTED =
  'gen-compose ready: interrupted before the cluster was judged; run ready again (and the rest of the block after it)';

/**
 * Ctrl-C reaches the whole process group: a docker command this process waits for dies of it
 * before the SIGINT handler can run (spawnSync holds the event loop), and a look cut short must
 * not be read as an answer (a trial's interrupted ready said "ready" and exited 0).
 */
export function exitIfInterrupted(r: { signal: NodeJS.Signals | null }): void {
  if (r.signal !== 'SIGINT') return;
  process.stderr.write(`${READY_INTERRUPTED}\n`);
  process.exit(130);
}

/** A docker command in `dir`, its output as text; bounded, so a hung engine cannot hang ready. */
export function docker(dir: string, args: string[], timeoutMs = 20_000) {
  const r = spawnSync('docker', args, { cwd: dir, encoding: 'utf8', timeout: timeoutMs });
  exitIfInterrupted(r);
  return r;
}
/** spawnSync's own words for a command it ended at its timeout ("spawnSync docker ETIMEDOUT"), which say little. */
export const timedOut = (error: Error) => (error as NodeJS.ErrnoException).code === 'ETIMEDOUT';

/**
 * The first line a failed docker command printed, or why it did not run; with restatectl's
 * cause when it gives one (`Error: Failed to run query` alone says nothing: the next line says
 * `message: "svc is not ready yet"`, as a starting or never provisioned cluster answers).
 */
export const firstLine = (r: ReturnType<typeof docker>) => {
  if (r.error) return timedOut(r.error) ? 'docker did not answer in time' : r.error.message;
  const lines = (r.stderr || r.stdout).trim().split('\n');
  const cause = /message: "([^"]+)"/.exec(lines.slice(1, 4).join('\n'))?.[1];
  return `${lines[0] || `exit ${r.status}`}${cause ? ` (${cause})` : ''}`;
};

/** Enough of a crash-looping node's log to hold its last start's error. */
const LOG_LINES = 100;
const logText = (r: ReturnType<typeof docker>) => (r.status === 0 ? `${r.stdout}${r.stderr}` : '');

/** Refuses what no amount of waiting fixes: a file of the other kind, no Restate node. */
export function restatectlAccess(
  dir: string,
  shell: Record<string, string | undefined>,
  stack: string | undefined,
): RestatectlAccess {
  const project = loadCompose(dir, { shell });
  const isStack = basename(project.file).startsWith('docker-stack');
  const services = project.services.filter(isRestateService);
  if (services.length === 0) throw new UsageError(`${project.file} has no Restate node`);
  if (isStack && stack === undefined)
    throw new UsageError(
      `${project.file} is a Swarm stack: name it with --stack NAME (the name given to docker stack deploy; docker stack ls lists them)`,
    );
  if (!isStack && stack !== undefined)
    throw new UsageError(`--stack names a Swarm stack, and ${project.file} is a compose project`);
  const access =
    stack === undefined ? composeAccess(dir, project, services) : swarmAccess(dir, project, services, stack);
  return {
    ...access,
    nodes: services.map((s) => s.name),
    declaredNames: services.flatMap((s) => s.restate.settings.RESTATE_NODE_NAME ?? []),
  };
}

/** How restatectl is reached; which nodes there are is read from the file by the caller. */
type Reach = Omit<RestatectlAccess, 'nodes' | 'declaredNames'>;

function composeAccess(dir: string, project: ComposeProject, services: ComposeService[]): Reach {
  const nodes = services.map((s) => s.name);
  const stores = snapshotStoresOf(project, services);
  const ps = () => docker(dir, ['compose', 'ps', '--all', '--format', '{{.Service}}\t{{.State}}']);
  return {
    shell: (node, script, args) => ['compose', 'exec', '-T', node, 'sh', '-c', script, 'sh', ...args],
    via: (node) => `docker compose exec ${node}`,
    recentLog: (node) => logText(docker(dir, ['compose', 'logs', '--no-color', '--tail', String(LOG_LINES), node])),
    notRunning: (excused = []) => {
      const version = docker(dir, ['compose', 'version']);
      if (version.status !== 0)
        throw new UsageError(
          `ready runs \`docker compose exec\`, and \`docker compose version\` failed: ${firstLine(version)}`,
        );
      const listed = ps();
      const judged = nodes.filter((n) => !excused.includes(n));
      return listed.status === 0 ? stoppedNodes(dir, judged, listed.stdout) : undefined;
    },
    storeDown: () => {
      if (stores.length === 0) return undefined;
      const listed = ps();
      return listed.status === 0 ? storesDown(stores, listed.stdout) : undefined;
    },
    updateOf: (node) => ({ service: node, state: 'none', message: '' }),
  };
}

/** The services the nodes' snapshot endpoint (RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL) names. */
function snapshotStoresOf(project: ComposeProject, nodes: ComposeService[]): string[] {
  const byHost = servicesByHost(project.services);
  const named = nodes.flatMap((n) => {
    const endpoint = n.restate.settings.RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL;
    const target = endpoint === undefined ? undefined : hostOf(endpoint);
    const service = target && byHost.get(target.host);
    return service ? [service.name] : [];
  });
  return [...new Set(named)];
}

/** `docker compose ps` lines as each service's state: the running one of two containers counts. */
function statesOf(psLines: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const [service = '', state = ''] of psLines.split('\n').map((l) => l.trim().split('\t'))) {
    // Two containers of one service (one half made): the one that runs counts.
    if (states.get(service) !== 'running') states.set(service, state);
  }
  return states;
}

/** Snapshot store services that do not run: their names, and their states in words ("minio is exited"). */
export interface StoreDown {
  services: string[];
  said: string;
}

export function storesDown(stores: string[], psLines: string): StoreDown | undefined {
  const states = statesOf(psLines);
  const down = stores.filter((s) => states.get(s) !== 'running');
  if (down.length === 0) return undefined;
  return { services: down, said: down.map((s) => `${s} is ${states.get(s) || 'not created'}`).join(', ') };
}

/**
 * Compose: nodes whose container is not running (stopped, never created, or left half made by a
 * Ctrl-C during \`up\`), said at once: no wait starts them (a trial's re-pasted block waited
 * 300 s on a node its Ctrl-C had stopped). A container that is restarting may still come back.
 */
export function stoppedNodes(dir: string, nodes: string[], psLines: string): string | undefined {
  const states = statesOf(psLines);
  if (!nodes.some((n) => states.get(n) === 'running'))
    return `no Restate node of ${dir} is running (${nodes.join(', ')}); start them with docker compose up -d`;
  const stopped = nodes.filter((n) => !['running', 'restarting'].includes(states.get(n) ?? ''));
  if (stopped.length === 0) return undefined;
  const them = stopped.length === 1 ? 'it' : 'them';
  // A removed container has no log to read (trial 23b E6).
  const why = states.has(stopped[0]!)
    ? `docker compose logs ${stopped[0]} says why it stopped`
    : `${stopped[0]} has no container: it was removed, or never created`;
  return `${stopped.map((n) => `${n} is ${states.get(n) || 'not created'}`).join(', ')}, and no wait starts ${them}: docker compose up -d --wait ${stopped.join(' ')} starts ${them} (${why}), then run ready again, or the block it began`;
}

/** The stack's name for the network a service is on: its own `name:`, else STACK_KEY. */
function networkOf(project: ComposeProject, service: ComposeService, stack: string): string {
  const listed = service.raw.networks;
  const key =
    (Array.isArray(listed) ? listed.map(String) : isRecord(listed) ? Object.keys(listed) : [])[0] ?? 'default';
  const declared = isRecord(project.raw.networks) ? project.raw.networks[key] : undefined;
  if (key !== 'default' && !(isRecord(declared) && declared.attachable === true))
    throw new UsageError(
      `ready reaches a stack through its network, and ${service.name}'s network ${key} is not attachable (attachable: true in ${project.file})`,
    );
  return isRecord(declared) && typeof declared.name === 'string' ? declared.name : `${stack}_${key}`;
}

function swarmAccess(dir: string, project: ComposeProject, services: ComposeService[], stack: string): Reach {
  const byName = new Map(services.map((s) => [s.name, s]));
  // restatectl runs from the image the node's service runs now, not the file's: before an
  // upgrade the file names the new version, which the hosts may not hold yet (a trial's ready
  // waited 300 s on "Unable to find image" with a healthy cluster).
  const deployed = new Map<string, string>();
  const imageOf = (node: string): string => {
    if (!deployed.has(node)) {
      const r = docker(dir, [
        'service',
        'inspect',
        '-f',
        '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
        `${stack}_${node}`,
      ]);
      deployed.set(node, (r.status === 0 && r.stdout.trim()) || (byName.get(node)!.image ?? ''));
    }
    return deployed.get(node)!;
  };
  const run = (node: string) => {
    const service = byName.get(node)!;
    const address =
      service.restate.settings.RESTATE_ADVERTISED_ADDRESS ??
      `http://${service.hostname ?? node}:${listenPortOf(service.restate.settings, 'fabric')}`;
    return ['run', '--rm', '--network', networkOf(project, service, stack), '-e', `RESTATECTL_ADDRESS=${address}`];
  };
  return {
    shell: (node, script, args) => [...run(node), '--entrypoint', 'sh', imageOf(node), '-c', script, 'sh', ...args],
    via: (node) => `restatectl through ${node} (docker run on ${stack}'s network)`,
    recentLog: (node) =>
      logText(docker(dir, ['service', 'logs', '--no-task-ids', '--tail', String(LOG_LINES), `${stack}_${node}`])),
    notRunning: () => {
      const listed = docker(dir, ['stack', 'services', stack, '--format', '{{.Name}}']);
      if (listed.status !== 0)
        throw new UsageError(
          `ready asks \`docker stack services ${stack}\` (on a manager), which failed: ${firstLine(listed)}`,
        );
      const names = listed.stdout.split('\n');
      // A wrong name, not a cluster that is not ready: no amount of waiting fixes it.
      if (!services.some((s) => names.includes(`${stack}_${s.name}`)))
        throw new UsageError(
          `stack ${stack} has no service of ${project.file}'s Restate nodes (${services.map((s) => s.name).join(', ')}); is --stack right? docker stack ls lists the stacks`,
        );
      return undefined;
    },
    storeDown: () => undefined,
    updateOf: (node) => {
      if (!services.some((s) => s.name === node))
        throw new UsageError(
          `--updated names ${node}, and ${project.file} has no such Restate node (${services.map((s) => s.name).join(', ')})`,
        );
      const service = `${stack}_${node}`;
      // No UpdateStatus: the service was never updated, or a later update that changed nothing
      // cleared it (seen on Docker 26; why the printed blocks no longer run one).
      const format = '{{if .UpdateStatus}}{{.UpdateStatus.State}} {{.UpdateStatus.Message}}{{else}}none{{end}}';
      const r = docker(dir, ['service', 'inspect', '-f', format, service]);
      if (r.status !== 0)
        return { service, state: 'unknown', message: `docker service inspect ${service} failed: ${firstLine(r)}` };
      const [state = '', ...message] = r.stdout.trim().split(' ');
      return { service, state, message: message.join(' ') };
    },
  };
}
