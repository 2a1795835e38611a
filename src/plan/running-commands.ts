import { faultTolerance } from '../restate/tolerance.js';
import { RESTATE_IMAGE_REPOSITORY } from './defaults.js';
import type { ClusterOptions } from './options.js';

/**
 * The commands a running cluster needs, per target. Compose: services of one project on this
 * host. Swarm: each node is a service of the stack, on the host labelled for it; a stack
 * deploy updates every changed service at once, so one-at-a-time changes go service by service.
 */
export function runningClusterCommands(o: ClusterOptions, program: string) {
  const canLoseOne = faultTolerance(o.nodes, o.replication, o.metadataNodes).clusterFailuresTolerated > 0;
  if (o.target === 'swarm') {
    const stack = o.clusterName;
    const deploy = `set -a; . ./.env; set +a; docker stack deploy -c docker-stack.yaml ${stack}`;
    return {
      exec: `docker exec "$(docker ps -q -f name=${stack}_restate-1)"`,
      // Swarm's exec has no terminal unless asked (-t): the same command in a pasted block.
      execOn: (node: string) => `docker exec "$(docker ps -q -f name=${stack}_${node})"`,
      recreate: () => deploy,
      // Each volume lives on the host that ran its node.
      removeNodes: (nodes: string[]) => [
        `docker service rm ${nodes.map((n) => `${stack}_${n}`).join(' ')}`,
        `# then, on each of their hosts: docker volume rm ${nodes.map((n) => `${stack}_${n}-data`).join(' / ')}`,
      ],
      allAtOnce: 'docker stack deploy',
      start: (nodes: string[]) =>
        // HOST_k as in README.md: the host that is to run node k.
        `${nodes.map((n) => `docker node update --label-add restate-node=${n.replace('restate-', '')} HOST_${n.replace('restate-', '')}`).join('\n     ')}\n     ${deploy}`,
      recreateEach: () =>
        `${deploy}\n     (Swarm restarts every changed node at once; then check each: restatectl status)`,
      upgradeEach: (nodes: string[], version: string) =>
        `${nodes.map((n) => `docker service update --image ${RESTATE_IMAGE_REPOSITORY}:${version} ${stack}_${n}`).join('\n     ')}\n     ${deploy}`,
      rollingNote: '',
      ready: '',
    };
  }
  // -T: without it exec takes the terminal, and with it the lines pasted after it.
  const execOn = (node: string) => `docker compose exec -T ${node}`;
  const ready = `${program} ready .`;
  return {
    exec: execOn('restate-1'),
    execOn,
    recreate,
    ready,
    // The smaller files no longer name them: compose calls them orphans and leaves them running.
    removeNodes: (nodes: string[]) => [
      `docker rm -f ${nodes.map((n) => `${o.clusterName}-${n}-1`).join(' ')} &&`,
      `docker volume rm ${nodes.map((n) => `${o.clusterName}_${n}-data`).join(' ')}`,
    ],
    allAtOnce: 'docker compose up -d',
    start: (nodes: string[]) => `docker compose up -d ${nodes.join(' ')}`,
    recreateEach: (nodes: string[]) => rollingBlock(nodes, canLoseOne ? ready : undefined),
    upgradeEach: (nodes: string[]) => rollingBlock(nodes, canLoseOne ? ready : undefined),
    rollingNote: canLoseOne
      ? '; paste it as one block: each node goes only once `ready` says the cluster can lose it, and the block stops at the first wait that fails'
      : '; this cluster cannot lose a node, so each restart interrupts it for a moment',
  };
}

/**
 * Compose recreates one node, waiting until it is healthy. Not with --no-deps: compose then
 * stamps the container with a config hash that leaves out depends_on, so the next plain
 * `docker compose up -d` recreated every node at once (an 18 s outage in a trial), and an
 * unchanged node was recreated anyway. The cost: the bucket job runs again (it is idempotent).
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

/** After new nodes start: the add-ons whose config files list every node read them only at start. */
export function addOnRestart(previous: ClusterOptions, next: ClusterOptions): string[] {
  const running = [
    ...(previous.loadBalancer && next.loadBalancer ? ['load-balancer'] : []),
    ...(previous.monitoring && next.monitoring ? ['prometheus'] : []),
  ];
  return running.length === 0
    ? []
    : [`Restart what reads the node list from its config file:\n     docker compose restart ${running.join(' ')}`];
}
