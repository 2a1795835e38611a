import { spawnSync } from 'node:child_process';
import { SWARM_UPDATE_SECONDS } from '../docker/swarm-update.js';
import { UsageError } from '../errors.js';
import {
  READINESS_QUERIES,
  awaitsTrim,
  leftBehind,
  notReady,
  spareAtSize,
  summarize,
  unknownNodes,
  type ClusterView,
  type ReadinessTable,
} from '../restate/readiness.js';
import { serviceOfId } from '../plan/replacements.js';
import type { Operator } from '../plan/running-commands.js';
import { leftBehindMessage } from './left-behind.js';
import { lostDiskCheck } from './lost-disk.js';
import {
  docker,
  exitIfInterrupted,
  firstLine,
  restatectlAccess,
  timedOut,
  type RestatectlAccess,
  type StoreDown,
} from './restatectl-access.js';

/**
 * `gen-compose ready DIR`: waits until the running cluster of DIR can lose one more node (see
 * restate/readiness.ts), asking Restate through `restatectl sql` (restatectl-access.ts says
 * where it runs). The printed rolling steps run it between two nodes, so a block pasted at
 * once never stops a node while the last one is still catching up.
 */

export interface ReadyOptions {
  dir: string;
  /** The Swarm stack's name, for a docker-stack.yaml. */
  stack?: string;
  timeoutSeconds: number;
  /** Nodes being removed (N4,N5): ready also means nothing is left on them. */
  leaving: string[];
  /** The identity a replacement takes out (N3): it must be gone already, and that is all ready asks. */
  replacing?: string;
  /** A Swarm node whose service update just returned: it must have completed. */
  updated?: string;
  shell: Record<string, string | undefined>;
  /** Who runs the commands ready prints (for an identity left behind). */
  operator: Operator;
}

const MARK = '--gen-compose-table--';
// One command per look: the queries run in the container, each answer after a marker line.
// Each is bounded: with a node gone, a table read from every node (partition_state) waited on
// it for the whole look (a trial's ready said only "spawnSync docker ETIMEDOUT"), while the
// nodes table, asked first, already said which node is gone.
const QUERY_SECONDS = 8;
/** How a look that got no answer in time reads (waitUntilReady tells it from a reason about the cluster). */
const NO_ANSWER = 'no answer within';
const SCRIPT = `for q in "$@"; do echo '${MARK}'; timeout ${QUERY_SECONDS} restatectl sql --json "$q" || exit $?; echo; done`;

/** Why a look that read the nodes table but not the rest failed: the nodes not alive, if any. */
export function partialView(node: string, answers: string[], status: number | null): string | undefined {
  let nodes: { name?: string; plain_node_id?: string; state?: string }[];
  try {
    nodes = JSON.parse(answers[0]?.trim() || 'null');
  } catch {
    return undefined;
  }
  if (!Array.isArray(nodes)) return undefined;
  const gone = nodes
    .filter((n) => n.state !== 'alive')
    .map((n) => `${n.name ?? '?'} (${n.plain_node_id ?? '?'}) is ${n.state ?? 'not listed as alive'}`);
  const why = status === 124 ? `did not answer within ${QUERY_SECONDS}s` : 'failed';
  return `${gone.length > 0 ? `${gone.join(', ')}; ` : ''}restatectl sql through ${node} ${why} for the partitions and logs`;
}

/** One look through `node`'s restatectl: the tables, or why they could not be read. */
function look(dir: string, access: RestatectlAccess, node: string, timeoutMs: number): ClusterView | string {
  const tables = Object.keys(READINESS_QUERIES) as ReadinessTable[];
  const r = docker(
    dir,
    access.shell(
      node,
      SCRIPT,
      tables.map((t) => READINESS_QUERIES[t]),
    ),
    timeoutMs,
  );
  const answers = (r.stdout ?? '').split(MARK).slice(1);
  if (r.error)
    return (
      (answers.length > 1 && partialView(node, answers, 124)) ||
      `${access.via(node)}: ${timedOut(r.error) ? `${NO_ANSWER} ${Math.round(timeoutMs / 1000)}s` : r.error.message}`
    );
  // restatectl's own words for a name the network does not know (seen when a host was cut off).
  if (r.status !== 0 && /dns error/.test(`${r.stderr}${r.stdout}`))
    return `${node} does not resolve on the cluster's network (not running; under Swarm, or not healthy yet)`;
  if (r.status !== 0 && /Unable to find image|pull access denied|manifest unknown/.test(`${r.stderr}${r.stdout}`))
    throw new UsageError(`restatectl's image is not on this host and cannot be pulled: ${firstLine(r)}`);
  if (r.status !== 0) return (answers.length > 1 && partialView(node, answers, r.status)) || `${node}: ${firstLine(r)}`;
  if (answers.length !== tables.length)
    return `${node}: restatectl answered ${answers.length} of ${tables.length} queries`;
  try {
    return Object.fromEntries(tables.map((t, i) => [t, JSON.parse(answers[i]!.trim() || '[]')])) as ClusterView;
  } catch {
    return `${node}: restatectl printed no JSON`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A snapshot of every partition, the log trimmed behind it: how old segments that name a
 * leaving node go (Restate trims the chain a moment after the log), so `nodes remove` can run.
 */
function trimBehindSnapshot(dir: string, access: RestatectlAccess, node: string): void {
  exitIfInterrupted(
    spawnSync('docker', access.shell(node, 'restatectl snapshots create --trim-log', []), {
      cwd: dir,
      stdio: 'ignore',
      timeout: 60_000,
    }),
  );
}

/**
 * Swarm: waits while the update of `node` (just submitted, detached) runs, so that a Ctrl-C
 * during the wait reaches this process and stops the pasted block (`docker service update`
 * waiting in the foreground exits 0 on Ctrl-C, and the block went on). Why the update did not
 * complete (paused, rolled back, still running after SWARM_UPDATE_SECONDS), or undefined.
 */
async function awaitUpdate(access: RestatectlAccess, node: string): Promise<string | undefined> {
  const started = Date.now();
  for (;;) {
    const { service, state, message } = access.updateOf(node);
    if (state === 'none' || state === 'completed') return undefined;
    if (state === 'unknown') return message;
    const now = `${state}${message ? ` (${message})` : ''}`;
    if (state !== 'updating')
      return `Swarm's update of ${service} is ${now}, not completed: docker service ps ${service} says why; once that is fixed, run gen-compose again for the steps`;
    if (Date.now() - started > SWARM_UPDATE_SECONDS * 1000)
      return `after ${SWARM_UPDATE_SECONDS}s Swarm's update of ${service} is still ${now}: its new task is not running and healthy; docker service ps ${service} says why`;
    await sleep(1000);
  }
}

/** Polls until the cluster can lose a node; not ok, with the last reasons, when time runs out. */
export async function waitUntilReady(options: ReadyOptions): Promise<{ ok: boolean; message: string }> {
  // The timeout counts from here: the first questions to docker take seconds of their own (a
  // trial's --timeout 10 returned after 16 s).
  const started = Date.now();
  const access = restatectlAccess(options.dir, options.shell, options.stack);
  const nodes = access.nodes;
  // A cluster that is not running at all does not start by waiting. The node a replacement takes
  // out may be stopped or removed: that is the state its block begins in (trial 23 D5).
  const replaced = options.replacing === undefined ? [] : [serviceOfId(Number(options.replacing.slice(1)))];
  const notRunning = access.notRunning(replaced);
  if (notRunning !== undefined) return { ok: false, message: `gen-compose ready: ${notRunning}` };
  const unfinished = options.updated === undefined ? undefined : await awaitUpdate(access, options.updated);
  if (unfinished !== undefined) return { ok: false, message: `gen-compose ready: ${unfinished}` };
  // Swarm's update has its own bound: the cluster's wait starts once it completed.
  const waitFrom = options.updated === undefined ? started : Date.now();
  let last = 'not asked yet';
  let down: string[] = [];
  let stuck: string[] = [];
  let lastTrim = 0;
  const lostDisk = lostDiskCheck(access, options.dir, options.operator.program);
  const left = () => options.timeoutSeconds * 1000 - (Date.now() - waitFrom);
  for (let round = 0; left() > 0; round += 1) {
    // Any node can answer for the cluster; the one just restarted may not be up yet.
    const node = nodes[round % nodes.length]!;
    // No look outlasts the timeout by more than a second (one to a cut-off host can hang).
    const bound = Math.min(20_000, Math.max(1000, left()));
    const view = look(options.dir, access, node, bound);
    if (typeof view !== 'string') {
      // A wrong name, as a wrong --stack: no amount of waiting fixes it (exit 2).
      for (const [flag, named] of [
        ['--leaving', options.leaving],
        ['--replacing', options.replacing ? [options.replacing] : []],
      ] as const) {
        const unknown = unknownNodes(view, [...named]);
        if (unknown.length > 0)
          throw new UsageError(
            `${flag} names ${unknown.join(', ')}, and the cluster has no such node (its nodes: ${view.nodes.map((n) => String(n.plain_node_id)).join(', ')})${flag === '--replacing' ? `: if this replacement's block ran before, ${unknown[0]} is out of the cluster already and nothing of it is left to do` : ''}`,
          );
      }
      if (options.replacing !== undefined) return replacingVerdict(view, options.replacing);
      // What no wait fixes is said at once.
      const stale = leftBehind(view, options.leaving, access.declaredNames, nodes);
      const hopeless =
        stale.length > 0 ? leftBehindMessage(options.dir, stale, view, access, options.operator) : lostDisk(view);
      if (hopeless !== undefined) return { ok: false, message: `gen-compose ready: ${hopeless}` };
      if (awaitsTrim(view, options.leaving) && Date.now() - lastTrim > 5000) {
        trimBehindSnapshot(options.dir, access, node);
        lastTrim = Date.now();
      }
      const reasons = notReady(view, options.leaving, access.declaredNames);
      if (reasons.length === 0) {
        const seconds = ((Date.now() - waitFrom) / 1000).toFixed(1);
        return {
          ok: true,
          message: `ready after ${seconds}s: every node alive, every partition led and its replicas caught up, ${spareAtSize(view, options.leaving) ? 'every log writable without any one node' : 'every log writable (at its size the cluster cannot lose a node: nothing more to wait for)'}${options.leaving.length > 0 ? `; nothing left on ${options.leaving.join(', ')}` : ''}${storeWarning(access.storeDown())}`,
        };
      }
      last = summarize(reasons);
      // A node on its way out is down on purpose (a lost disk): the hint is about the others.
      const staying = view.nodes.filter((n) => !options.leaving.includes(String(n.plain_node_id)));
      down = staying.filter((n) => String(n.state) !== 'alive').map((n) => String(n.name));
      stuck = stuckReplicas(view, staying);
    } else if (!(bound < 20_000 && view.includes(`: ${NO_ANSWER} `) && last !== 'not asked yet')) last = view;
    // (A look cut short by the deadline that got no answer in time says nothing about the
    // cluster: the reason before it stands; a trial's timeouts all blamed a healthy node.)
    await sleep(Math.min(1000, Math.max(0, left())));
  }
  // A replica that waits for a snapshot waits for ever while the store is down (trial 23 D1).
  const store = stuck.length > 0 ? access.storeDown() : undefined;
  return {
    ok: false,
    message: `gen-compose ready: after ${options.timeoutSeconds}s the cluster still cannot lose a node: ${last}${down.length > 0 ? downHint(down, options.stack) : store ? storeHint(store) : stuckHint(stuck, options.stack)}`,
  };
}

/**
 * Ready, with the snapshot store down: nothing waits for it (no node depends on its health),
 * and losing the next node is safe, but the cluster cannot snapshot or trim its log, and a node
 * that lost its disk cannot be restored (trial 23 D2).
 */
function storeWarning(store: StoreDown | undefined): string {
  if (store === undefined) return '';
  return `; but ${store.said}: the snapshot store, without which the cluster cannot snapshot, trim its log or restore a node that lost its disk (docker compose up -d --wait ${store.services.join(' ')} starts it)`;
}

function storeHint(store: StoreDown): string {
  return ` (${store.said}: the snapshot store, which a replica that starts without local state restores from; docker compose up -d --wait ${store.services.join(' ')} starts it)`;
}

/**
 * `--replacing NK`, first in a replacement's block: the identity it takes out must be down
 * already (its disk is gone). A live one is refused at once: recreating its service takes it
 * down, and a trial's --replace-node 2 of a healthy node, with restate-3's disk gone, cost the
 * metadata group its quorum (112 s with no call served).
 */
function replacingVerdict(view: ClusterView, id: string): { ok: boolean; message: string } {
  const node = view.nodes.find((n) => String(n.plain_node_id) === id)!;
  if (node.state !== 'alive')
    return { ok: true, message: `ready: ${node.name} (${id}) is ${node.state}: its replacement takes nothing down` };
  const down = view.nodes.filter((n) => n.state !== 'alive').map((n) => `${n.name} (${n.plain_node_id})`);
  return {
    ok: false,
    message: `gen-compose ready: ${node.name} (${id}) is alive and serving, and this block would take it down to replace it${down.length > 0 ? `, with ${down.join(', ')} already down` : ''}: --replace-node is for a node whose disk is gone; if this one was named by mistake, undo it before anything runs (gen-compose --out . --replaced-nodes VALUE --force, VALUE the one its Regenerate line had before, or none if no node had been replaced; docs/operations.md)`,
  };
}

/** Alive nodes with a partition replica that is not active: what keeps the wait going when no node is down. */
function stuckReplicas(view: ClusterView, staying: ClusterView['nodes']): string[] {
  const alive = new Map(
    staying.filter((n) => n.state === 'alive').map((n) => [String(n.plain_node_id), String(n.name)]),
  );
  const ids = view.replicas
    .filter((r) => String(r.replay_status).toLowerCase() !== 'active' && alive.has(String(r.plain_node_id)))
    .map((r) => alive.get(String(r.plain_node_id))!);
  return [...new Set(ids)];
}

/**
 * Where to look when every node is alive but a replica never starts. Restate 1.6 can leave one
 * failing for ever with "Column family already exists" after a peer lost its disk (Restate issue
 * 4534, fixed in 1.7.0; a trial's replacement on 1.6.2 waited 300 s on it): a restart clears it.
 */
function stuckHint(stuck: string[], stack: string | undefined): string {
  const name = stuck[0];
  if (name === undefined) return '';
  const service = name.replace(/-r\d+$/, '');
  const [logs, restart] =
    stack === undefined
      ? [`docker compose logs ${service}`, `docker compose restart ${service}`]
      : [`docker service logs ${stack}_${service}`, `docker service update --force ${stack}_${service}`];
  return ` (${logs} says why ${name}'s replicas do not start; on Restate 1.6 "Column family already exists" there is Restate issue 4534, fixed in 1.7.0, and ${restart} clears it)`;
}

/**
 * What to look at for a node that is down, since no later step of a block brings it back (a
 * trial's node crash-looped on a bad value, and the block printed again began with a ready that
 * could not pass): its log, how to start it, and, for a lost disk, the replacement.
 */
function downHint(down: string[], stack: string | undefined): string {
  const name = down[0];
  if (name === undefined) return '';
  // A replaced node's Restate name (restate-3-r1) runs in its slot's service (restate-3).
  const service = name.replace(/-r\d+$/, '');
  const replace = `if its disk was lost, its log says so, and gen-compose --replace-node ${service.replace(/^restate-/, '')} gives it a new identity`;
  return stack === undefined
    ? ` (for ${name}: docker compose logs ${service} says why it is down, docker compose up -d --wait ${service} starts it again; ${replace})`
    : ` (for ${name}: docker service ps ${stack}_${service} and docker service logs ${stack}_${service} say why it is down; ${replace})`;
}
