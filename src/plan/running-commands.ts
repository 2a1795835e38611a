import { faultTolerance } from '../restate/tolerance.js';
import { CONTAINER_PORTS, RESTATE_IMAGE_REPOSITORY } from './defaults.js';
import { clusterNetwork, nodeNumberOf } from './nodes.js';
import type { ClusterOptions } from './options.js';
import { SWARM_UPDATE_SECONDS } from '../docker/swarm-update.js';
import { STACK_FILE, STACK_OVERRIDE_FILE } from '../output-files.js';

/**
 * Who runs the printed commands: gen-compose by its path from the output directory, and whether
 * the user keeps a docker-stack.override.yaml there (every printed stack deploy then adds it,
 * or a deploy of ours would undo the labels and settings it holds).
 */
export interface Operator {
  program: string;
  stackOverride?: boolean;
}

/** The commands a running cluster needs, per target. Compose: services of one project on this host. */
export function runningClusterCommands(o: ClusterOptions, { program, stackOverride = false }: Operator) {
  const canLoseOne = faultTolerance(o.nodes, o.replication, o.metadataNodes).clusterFailuresTolerated > 0;
  if (o.target === 'swarm') return swarmCommands(o, program, canLoseOne, stackOverride);
  const ready = `${program} ready .`;
  return {
    // -T: without it exec takes the terminal, and with it the lines pasted after it.
    restatectl: (node: string) => `docker compose exec -T ${node} restatectl`,
    recreate,
    ready,
    // The smaller files no longer name them: compose calls them orphans and leaves them running.
    removeNodes: (nodes: string[]) => [
      `docker rm -f ${nodes.map((n) => `${o.clusterName}-${n}-1`).join(' ')} &&`,
      `docker volume rm ${nodes.map((n) => `${o.clusterName}_${n}-data`).join(' ')}`,
    ],
    // By container name: `up -d --remove-orphans` would also recreate every changed node at once.
    removeServices: (services: string[]) => `docker rm -f ${services.map((s) => `${o.clusterName}-${s}-1`).join(' ')}`,
    volumeNote: (volume: string) => `docker volume rm ${o.clusterName}_${volume}`,
    startServices: (services: string[]) => `docker compose up -d ${services.join(' ')}`,
    allAtOnce: 'docker compose up -d',
    start: (nodes: string[]) => `docker compose up -d --wait ${nodes.join(' ')}`,
    recreateEach: (nodes: string[]) => rollingBlock(nodes, canLoseOne ? ready : undefined),
    startAll: ['docker compose up -d --wait &&', ready],
    oneAtATime: ' one at a time',
    recreateNote: rollingNote(canLoseOne),
    newHostHint: (): string => '',
    startNote: (): string => '',
    upgradeEach: (nodes: string[]) => rollingBlock(nodes, canLoseOne ? ready : undefined),
    rollingNote: rollingNote(canLoseOne),
  };
}

const rollingNote = (canLoseOne: boolean) =>
  canLoseOne
    ? '; paste it as one block: each node goes only once `ready` says the cluster can lose it, and the block stops at the first wait that fails'
    : '; this cluster cannot lose a node, so each restart interrupts it for a moment';

/**
 * Services other than nodes, under Swarm: a stack deploy (without --prune) leaves running one its
 * file no longer has, and each is started alone by its part of the stack file.
 */
const swarmServices = (stack: string, deployPart: (service: string) => string) => ({
  startServices: (services: string[]) => services.map(deployPart).join(' &&\n     '),
  removeServices: (services: string[]) => `docker service rm ${services.map((s) => `${stack}_${s}`).join(' ')}`,
  volumeNote: (volume: string) => `docker volume rm ${stack}_${volume} on the host that ran it`,
});

/**
 * Swarm: each node is a service of the stack, on the host labelled for it; a stack deploy
 * updates every changed service at once, so one-at-a-time changes go service by service. The
 * commands run on a manager: restatectl in a one-off container on the stack's (attachable)
 * network, so no line depends on which host runs which node.
 */
function swarmCommands(o: ClusterOptions, program: string, canLoseOne: boolean, stackOverride: boolean) {
  const stack = o.clusterName;
  // In a subshell joined by &&: one command, so `… && deploy` stops before it when a wait
  // failed (a `;` would end the chain), and the user's shell keeps its own variables.
  const deploy = `(set -a && . ./.env && set +a && docker stack deploy -c ${STACK_FILE}${stackOverride ? ` -c ${STACK_OVERRIDE_FILE}` : ''} ${stack})`;
  const image = `${RESTATE_IMAGE_REPOSITORY}:${o.restateVersion}`;
  const restatectl = (node: string) =>
    `docker run --rm --network ${stack}_${clusterNetwork(stack)} -e RESTATECTL_ADDRESS=http://${node}:${CONTAINER_PORTS.fabric} --entrypoint restatectl ${image}`;
  const ready = `${program} ready . --stack ${stack}`;
  // pipefail: a stack-part that fails stops the block with its own message, not docker's
  // "top-level object must be a mapping" about the empty file it was handed.
  const deployPart = (node: string) =>
    `(set -a && . ./.env && set +a && set -o pipefail && ${program} stack-part . --service ${node} | docker stack deploy -c - ${stack})`;
  // --detach=false: the line returns once the new task runs and is healthy (the CLI's default
  // since 17.10, said so it holds everywhere); --quiet: its progress bars, pasted, are pages.
  // `timeout` ends the wait on a task that never becomes healthy (one that fails after the
  // update's monitor window is restarted for ever, and the update never ends).
  const update = (node: string, change = ` --image ${image}`) =>
    `timeout ${SWARM_UPDATE_SECONDS} docker service update --detach=false --quiet${change} ${stack}_${node}`;
  // In a rolling block the wait is ready's (--updated): docker's exits 0 on Ctrl-C while the
  // update goes on, so a block waiting on it rolled every node on (two trials). The change is
  // submitted detached, and ready waits until Swarm's update of the node completed.
  const updateThenReady = (node: string) =>
    `docker service update --detach --quiet --image ${image} ${stack}_${node} && ${ready} --updated ${node}`;
  return {
    restatectl,
    // The stack deploy changes the node's service; the service update that changes nothing
    // then waits until its new task runs. (A stack deploy --detach=false waits for the bucket
    // job too, which never counts as converged once it has exited.)
    recreate: (node: string) => `${deploy} && ${update(node, '')}`,
    ready,
    // Each volume lives on the host that ran its node, and stays in use until the task that
    // `service rm` stops there is gone (a moment later: Swarm does not wait for it).
    removeNodes: (nodes: string[]) => [
      `docker service rm ${nodes.map((n) => `${stack}_${n}`).join(' ')}`,
      ...nodes.map(
        (n, i) =>
          `# ${i === 0 ? 'then, ' : ''}on ${n}'s host: until docker volume rm ${stack}_${n}-data; do sleep 2; done`,
      ),
    ],
    ...swarmServices(stack, deployPart),
    allAtOnce: 'docker stack deploy',
    start: (nodes: string[]) =>
      // HOST_k as in README.md: the host to run node k (left as it is, the line fails: no deploy).
      [
        ...nodes.map(
          (n) =>
            `docker node update --label-add restate-node=${n.replace('restate-', '')} HOST_${n.replace('restate-', '')} &&`,
        ),
        deploy,
      ].join('\n     '),
    // One node's part of the stack file at a time (stack-part), then the whole file, which then
    // changes nothing: a deploy of the whole file restarts every changed node at once (a trial's
    // --memory change on three nodes served no call for 26 s).
    recreateEach: (nodes: string[]) =>
      canLoseOne
        ? [`${ready} &&`, ...nodes.map((n) => `${deployPart(n)} && ${ready} --updated ${n} &&`), deploy].join('\n     ')
        : deploy,
    startAll: canLoseOne ? [`${deploy} &&`, ready] : [deploy],
    // A node's task goes only to the host labelled for it: a new host needs the label first.
    newHostHint: (id: number) =>
      `; if it runs on a new host now, label that host first: docker node update --label-add restate-node=${id} HOST_${id}`,
    // gen-compose cannot know the hosts' names: the block says what to fill in (a trial pasted it as it was).
    startNote: (nodes: string[]) => {
      const names = nodes.map((n) => `HOST_${n.replace('restate-', '')}`);
      return `; first replace ${names.join(' and ')} with the ${names.length === 1 ? 'host that is' : 'hosts that are'} to run ${names.length === 1 ? 'it' : 'them'}, as docker node ls names them (left as ${names.length === 1 ? 'it is' : 'they are'}, the block stops before the deploy)`;
    },
    oneAtATime: canLoseOne ? ' one at a time' : '',
    recreateNote: canLoseOne
      ? "; so each node's part of the stack file is deployed alone (gen-compose stack-part), then the whole file, which changes nothing more; paste it as one block"
      : '; a stack deploy restarts every changed node at once, and this cluster cannot lose a node, so it stops serving until they are back',
    // The stack deploy at the end changes nothing the updates did not: it brings the stack's
    // own record of the image up to date, so the next deploy restarts nothing.
    upgradeEach: (nodes: string[]) =>
      canLoseOne
        ? [`${ready} &&`, ...nodes.map((n) => `${updateThenReady(n)} &&`), deploy].join('\n     ')
        : [...nodes.map((n) => update(n)), deploy].join('\n     '),
    rollingNote: rollingNote(canLoseOne),
  };
}

/**
 * Compose recreates one node, waiting until it is healthy. Not with --no-deps: compose then
 * stamps the container with a config hash that leaves out depends_on, so the next plain
 * `docker compose up -d` recreated every node at once (an 18 s outage in a trial), and an
 * unchanged node was recreated anyway. A node depends on MinIO (started, not healthy): the line
 * starts a stopped MinIO again, and --wait waits for its health too.
 */
const recreate = (node: string) => `docker compose up -d --wait ${node}`;

/**
 * Compose's one-at-a-time restart, safe to paste as one block: `--wait` holds each line until
 * the node is healthy, `ready` until Restate could lose the next one (healthy comes seconds
 * earlier), and `&&` at each line's end makes the block one command that stops at the first
 * failure. Without a node to spare there is nothing to wait for.
 */
function rollingBlock(nodes: string[], ready: string | undefined): string {
  if (ready === undefined) return nodes.map(recreate).join('\n     ');
  return [`${ready} &&`, ...nodes.map((n, i) => `${recreate(n)} && ${ready}${i < nodes.length - 1 ? ' &&' : ''}`)].join(
    '\n     ',
  );
}

/**
 * After the node list changed: the add-ons whose config files list every node reload them.
 * SIGHUP is a reload for both (HAProxy's master starts new workers and the old ones finish their
 * connections; Prometheus rereads its file); a restart dropped every connection through the
 * balancer (a 0.9 s gap with no successful call while a grow ran under load). They see the new
 * file because their config directory is mounted, not the file: gen-compose replaces it by
 * rename, and a file mount keeps showing the old one.
 */
export function addOnReload(previous: ClusterOptions, next: ClusterOptions): string[] {
  const running = [
    ...(previous.loadBalancer && next.loadBalancer ? ['load-balancer'] : []),
    ...(previous.monitoring && next.monitoring ? ['prometheus'] : []),
  ];
  return running.length === 0
    ? []
    : [
        `Reload what reads the node list from its config file (a reload keeps the connections open):\n     docker compose kill -s HUP ${running.join(' ')}`,
      ];
}

/** The nodes whose files a metadata change rewrote, restarted so that they run what they say. */
export function recreateForMetadata(nodes: string[], run: ReturnType<typeof runningClusterCommands>): string[] {
  if (nodes.length === 0) return [];
  return [
    `Recreate ${nodes.join(', ')}${run.oneAtATime}, so they run with the new metadata group${run.recreateNote}:\n     ${run.recreateEach(nodes)}`,
  ];
}

/**
 * Running services the new files redefine for another reason than the steps above restart them
 * for (memory, ports, snapshot settings, an edit of .env; an add-on's mount from an older
 * gen-compose): nodes restarted one at a time, since a plain `docker compose up -d` recreates
 * every changed service at once; add-ons recreated after them.
 */
export function rewriteSteps(services: string[], run: ReturnType<typeof runningClusterCommands>): string[] {
  const nodes = services.filter((s) => nodeNumberOf(s) !== undefined);
  const addOns = services.filter((s) => !nodes.includes(s));
  // One node is simply recreated; several go one at a time, which a plain up would not do.
  const [oneAtATime, why] =
    nodes.length === 1
      ? ['', ', whose definition changed']
      : [
          run.oneAtATime,
          run.oneAtATime
            ? `; their definitions changed, so a plain \`${run.allAtOnce}\` would recreate them all at once`
            : '',
        ];
  return [
    ...(nodes.length === 0
      ? []
      : [`Recreate ${nodes.join(', ')}${oneAtATime}${why}${run.recreateNote}:\n     ${run.recreateEach(nodes)}`]),
    ...(addOns.length === 0
      ? []
      : [`Recreate ${addOns.join(', ')}, whose definitions changed:\n     docker compose up -d ${addOns.join(' ')}`]),
  ];
}
