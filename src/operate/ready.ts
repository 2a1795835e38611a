import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { loadCompose } from '../load/loader.js';
import {
  READINESS_QUERIES,
  awaitsTrim,
  notReady,
  summarize,
  unknownNodes,
  type ClusterView,
  type ReadinessTable,
} from '../restate/readiness.js';
import { isRestateService } from '../restate/services.js';

/**
 * `gen-compose ready DIR`: waits until the running cluster of DIR can lose one more node (see
 * restate/readiness.ts), asking Restate through `restatectl sql` inside one of its containers
 * (the image ships restatectl). The printed rolling steps run it between two nodes, so a block
 * pasted at once never stops a node while the last one is still catching up.
 */

export interface ReadyOptions {
  dir: string;
  timeoutSeconds: number;
  /** Nodes being removed (N4,N5): ready also means nothing is left on them. */
  leaving: string[];
  shell: Record<string, string | undefined>;
}

const MARK = '--gen-compose-table--';
// One exec per look: the queries run in the container, each answer after a marker line.
const SCRIPT = `for q in "$@"; do echo '${MARK}'; restatectl sql --json "$q" || exit 1; echo; done`;

/** The Restate nodes of DIR's compose project, in file order. */
function restateNodes(dir: string, shell: ReadyOptions['shell']): string[] {
  const project = loadCompose(dir, { shell });
  if (basename(project.file).startsWith('docker-stack'))
    throw new UsageError(
      `ready works on a compose project; ${project.file} is a Swarm stack (follow its README's steps)`,
    );
  const nodes = project.services.filter(isRestateService).map((s) => s.name);
  if (nodes.length === 0) throw new UsageError(`${project.file} has no Restate node`);
  return nodes;
}

/** One look through `node`'s restatectl: the tables, or why they could not be read. */
function look(dir: string, node: string): ClusterView | string {
  const tables = Object.keys(READINESS_QUERIES) as ReadinessTable[];
  const r = spawnSync(
    'docker',
    ['compose', 'exec', '-T', node, 'sh', '-c', SCRIPT, 'sh', ...tables.map((t) => READINESS_QUERIES[t])],
    { cwd: dir, encoding: 'utf8', timeout: 20_000 },
  );
  if (r.error) return `docker compose exec ${node}: ${r.error.message}`;
  if (r.status !== 0) return `${node}: ${(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.status}`}`;
  const answers = r.stdout.split(MARK).slice(1);
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
function trimBehindSnapshot(dir: string, node: string): void {
  spawnSync('docker', ['compose', 'exec', '-T', node, 'restatectl', 'snapshots', 'create', '--trim-log'], {
    cwd: dir,
    stdio: 'ignore',
    timeout: 60_000,
  });
}

/** No Docker Compose at all is not something waiting fixes: said at once. */
function requireCompose(dir: string): void {
  const r = spawnSync('docker', ['compose', 'version'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  if (r.status === 0) return;
  const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split('\n')[0];
  throw new UsageError(`ready runs \`docker compose exec\`, and \`docker compose version\` failed: ${why}`);
}

/** Polls until the cluster can lose a node; not ok, with the last reasons, when time runs out. */
export async function waitUntilReady(options: ReadyOptions): Promise<{ ok: boolean; message: string }> {
  const nodes = restateNodes(options.dir, options.shell);
  requireCompose(options.dir);
  // A cluster that is not running at all does not start by waiting.
  const running = spawnSync('docker', ['compose', 'ps', '--status', 'running', '--services'], {
    cwd: options.dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (running.status === 0 && !nodes.some((n) => running.stdout.split('\n').includes(n)))
    return {
      ok: false,
      message: `gen-compose ready: no Restate node of ${options.dir} is running (${nodes.join(', ')}); start them with docker compose up -d`,
    };
  const started = Date.now();
  let last = 'not asked yet';
  let lastTrim = 0;
  for (let round = 0; Date.now() - started < options.timeoutSeconds * 1000; round += 1) {
    // Any node can answer for the cluster; the one just restarted may not be up yet.
    const node = nodes[round % nodes.length]!;
    const view = look(options.dir, node);
    if (typeof view !== 'string') {
      const unknown = unknownNodes(view, options.leaving);
      if (unknown.length > 0)
        return {
          ok: false,
          message: `gen-compose ready: --leaving names ${unknown.join(', ')}, and the cluster has no such node (its nodes: ${view.nodes.map((n) => String(n.plain_node_id)).join(', ')})`,
        };
      if (awaitsTrim(view, options.leaving) && Date.now() - lastTrim > 5000) {
        trimBehindSnapshot(options.dir, node);
        lastTrim = Date.now();
      }
      const reasons = notReady(view, options.leaving);
      if (reasons.length === 0) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        return {
          ok: true,
          message: `ready after ${seconds}s: every node alive, every partition led and its replicas caught up, every log writable without any one node${options.leaving.length > 0 ? `; nothing left on ${options.leaving.join(', ')}` : ''}`,
        };
      }
      last = summarize(reasons);
    } else last = view;
    await sleep(1000);
  }
  return {
    ok: false,
    message: `gen-compose ready: after ${options.timeoutSeconds}s the cluster still cannot lose a node: ${last}`,
  };
}
