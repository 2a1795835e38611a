import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { LoadError, type ComposeProject } from '../load/compose-file.js';
import { loadCompose } from '../load/loader.js';
import {
  expositionProblems,
  findAddon,
  HAPROXY_CONFIG,
  mountedFile,
  prometheusTargets,
  PROMETHEUS_CONFIG,
  readmeCurls,
  translateHaproxy,
  type HostPortOf,
} from './addons.js';
import { findBinary, findOnPath, type Binary } from '../restate/binaries.js';
import { COUNTER_ADD, COUNTER_GET, COUNTER_SERVICE } from './counter.js';
import { guardExit } from './exit-guard.js';
import { freePort, leftByEarlierRehearsals, portIsFree, ProcessGroup, type Started } from './processes.js';
import { translate, type LocalCluster, type LocalNode } from './translate.js';

export interface RehearseOptions {
  target: string;
  verbose: boolean;
  keep: boolean;
  restateServer?: string;
  restatectl?: string;
  /** The shell environment, which compose lets override .env. */
  shell: Record<string, string | undefined>;
  /** Where progress and the report go, a line at a time. */
  print: (line: string) => void;
  /** How long one wait (health, membership, an invocation) may take. */
  waitSeconds: number;
}

type Status = 'pass' | 'fail' | 'skip';
interface StepResult {
  name: string;
  status: Status;
  seconds: number;
  detail: string;
}

/** A step that cannot go on: the rehearsal stops there and reports why. */
class StepFailed extends Error {}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

/** Polls until `attempt` returns true; on time-out throws with the last reason it gave. */
async function waitFor(
  what: string,
  seconds: number,
  attempt: () => Promise<true | string>,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let reason = 'no attempt finished';
  while (Date.now() < deadline) {
    try {
      const result = await attempt();
      if (result === true) return;
      reason = result;
    } catch (error) {
      if (error instanceof StepFailed) throw error;
      const e = error as Error & { cause?: { code?: string } };
      reason =
        e.name === 'TimeoutError'
          ? 'no answer within the request time-out'
          : e.cause?.code
            ? `${e.message} (${e.cause.code})`
            : e.message;
    }
    await sleep(intervalMs);
  }
  throw new StepFailed(`${what}: not within ${seconds}s (last: ${reason})`);
}

function run(
  binary: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { timeout: timeoutMs, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => `      | ${l}`)
      .join('\n');
  } catch {
    return '      | (no log)';
  }
}

/** For waitFor: true once a started process accepts connections on its port; its log if it died. */
function listening(proc: Started, port: number): () => Promise<true | string> {
  return async () =>
    proc.child.exitCode !== null ? `exited:\n${tail(proc.log)}` : (await portIsFree(port)) ? 'not yet' : true;
}

/** Objects s3rver stored under the bucket/prefix (its files end in ._S3rver_object). */
function storedObjects(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('._S3rver_object')) found.push(relative(dir, path).replace(/\._S3rver_object$/, ''));
    }
  };
  walk(dir);
  return found;
}

export async function rehearse(options: RehearseOptions): Promise<boolean> {
  const { print } = options;
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  const say = (line: string) => print(`[${elapsed().padStart(5)}s] ${line}`);
  const steps: StepResult[] = [];
  const timings: string[] = [];
  // Released on every way out (exit-guard.ts): registered the moment each is created.
  const guard = guardExit(print);
  const baseDir = mkdtempSync(join(tmpdir(), 'gen-compose-rehearse-'));
  const forgetBaseDir = guard.onExit(() => rmSync(baseDir, { recursive: true, force: true }));
  const group = new ProcessGroup(baseDir);
  const forgetProcesses = guard.onExit(() => group.killAllNow());
  const nodeProcesses = new Map<string, Started>();
  let cluster: LocalCluster | undefined;
  let project: ComposeProject | undefined;
  let kept = false;

  const step = async (name: string, body: () => Promise<string | { skip: string }>): Promise<boolean> => {
    const t0 = Date.now();
    say(`${name} …`);
    try {
      const result = await body();
      const seconds = (Date.now() - t0) / 1000;
      if (typeof result === 'object') {
        steps.push({ name, status: 'skip', seconds, detail: result.skip });
        say(`  skipped: ${result.skip}`);
      } else {
        steps.push({ name, status: 'pass', seconds, detail: result });
        say(`  ok: ${result}`);
      }
      return true;
    } catch (error) {
      // Bad input (no such file, unreadable YAML, no binary) is the user's to fix: one line, exit 2.
      if (error instanceof UsageError || error instanceof LoadError) throw error;
      const detail =
        error instanceof StepFailed ? error.message : `unexpected error: ${(error as Error).stack ?? error}`;
      steps.push({ name, status: 'fail', seconds: (Date.now() - t0) / 1000, detail });
      say(`  FAILED: ${detail}`);
      return false;
    }
  };

  try {
    let server!: Binary;
    let ctl!: Binary;
    let counterPort = 0;
    let s3Dir = '';

    const preflight = await step('read the compose file and translate it for local processes', async () => {
      project = loadCompose(options.target, { shell: options.shell });
      // translate() wants ports synchronously; fetch a pool up front.
      const pool = await Promise.all(Array.from({ length: 3 * project.services.length + 4 }, freePort));
      cluster = translate(project, { baseDir, freePort: () => pool.pop()! });
      for (const w of cluster.warnings) say(`  warning: ${w}`);
      if (options.verbose || cluster.problems.length > 0) {
        for (const t of cluster.translations)
          say(`  ${t.service}: ${t.variable} ${t.from ?? '(unset)'} → ${t.to}  (${t.why})`);
      }
      if (cluster.problems.length > 0) throw new StepFailed(cluster.problems.join('; '));
      server = findBinary('restate-server', { explicit: options.restateServer, version: cluster.restateVersions[0] });
      ctl = findBinary('restatectl', { explicit: options.restatectl });
      const versions = cluster.restateVersions;
      const versionNote =
        versions.length === 0 || (versions.length === 1 && versions[0] === server.version)
          ? `restate-server ${server.version}`
          : `the file runs Restate ${versions.join(', ')}; rehearsed with restate-server ${server.version} (${server.source})`;
      if (versionNote.startsWith('the file')) say(`  note: ${versionNote}`);
      const busy: string[] = [];
      for (const node of cluster.nodes) {
        for (const [kind, port] of Object.entries(node.hostPorts))
          if (!(await portIsFree(port))) busy.push(`${port} (${node.service} ${kind})`);
      }
      if (cluster.s3 && !(await portIsFree(cluster.s3.port))) busy.push(`${cluster.s3.port} (S3 store)`);
      if (busy.length > 0) {
        const left = leftByEarlierRehearsals();
        const hint =
          left.pids.length > 0
            ? `; an earlier rehearsal that was killed left ${left.pids.length} process(es) running: kill -9 ${left.pids.join(' ')}; rm -rf ${left.dirs.join(' ')}`
            : '';
        throw new StepFailed(
          `host port(s) already in use: ${busy.join(', ')}; stop what uses them, or move the cluster's ports (the *_PORT_OVERRIDE variables in .env or the shell)${hint}`,
        );
      }
      return `${cluster.nodes.length} Restate node(s), ${cluster.translations.length} translations (--verbose lists them), ${versionNote}`;
    });
    if (!preflight || !cluster || !project) return report();
    const c = cluster;
    const p = project;
    /** Where a service's container port is on this machine: a node's translated port, else the published one. */
    const hostPortOf: HostPortOf = (service, containerPort) =>
      c.nodes.find((n) => n.service === service.name)?.containerPorts[containerPort] ??
      service.ports.find((port) => port.target === containerPort && port.published !== undefined)?.published;
    const balancer = findAddon(p, /(^|\/)haproxy[:@]/, HAPROXY_CONFIG);
    let balancerPort: number | undefined;

    const supporting = await step('start the S3 stand-in and the counter service', async () => {
      const parts: string[] = [];
      if (c.s3) {
        s3Dir = join(baseDir, 's3');
        const s3 = c.s3;
        // The keys go in the environment: a command line is visible to every user in ps.
        const keys = { S3_ACCESS_KEY_ID: s3.accessKeyId ?? '', S3_SECRET_ACCESS_KEY: s3.secretAccessKey ?? '' };
        const proc = group.start(
          's3',
          process.execPath,
          [here('./s3-server.js'), String(s3.port), s3Dir, s3.bucket],
          { PATH: process.env.PATH ?? '', ...keys },
          join(baseDir, 's3.log'),
        );
        await waitFor('S3 stand-in listening', options.waitSeconds, listening(proc, s3.port));
        parts.push(
          `S3 on 127.0.0.1:${s3.port} with bucket "${s3.bucket}"${s3.service ? ` (standing in for ${s3.service})` : ''}`,
        );
      }
      counterPort = await freePort();
      const svc = group.start(
        'counter',
        process.execPath,
        [here('./counter-service.js'), String(counterPort)],
        { PATH: process.env.PATH ?? '' },
        join(baseDir, 'counter.log'),
      );
      await waitFor('counter service listening', options.waitSeconds, listening(svc, counterPort));
      parts.push(`counter service on 127.0.0.1:${counterPort}`);
      if (balancer) {
        const haproxy = findOnPath('haproxy', ['/usr/sbin', '/usr/local/sbin']);
        if (!haproxy) {
          say(
            `  note: ${balancer.name} is HAProxy, but no haproxy binary is installed here (apt-get install haproxy): the load balancer is not rehearsed`,
          );
        } else {
          const source = readFileSync(join(p.dir, mountedFile(balancer, HAPROXY_CONFIG)!), 'utf8');
          const translated = translateHaproxy(source, p, balancer, hostPortOf);
          if (translated.problems.length > 0) throw new StepFailed(translated.problems.join('; '));
          if (options.verbose) for (const change of translated.changes) say(`  ${balancer.name}: ${change}`);
          const config = join(baseDir, 'haproxy.cfg');
          writeFileSync(config, translated.config);
          const check = await run(haproxy, ['-c', '-f', config], 10_000);
          if (check.code !== 0)
            throw new StepFailed(
              `haproxy rejects the generated config: ${(check.stdout + check.stderr).trim().split('\n').slice(-2).join(' / ')}`,
            );
          balancerPort = hostPortOf(balancer, Number(/bind\s+(?:\*|0\.0\.0\.0)?:(\d+)/.exec(source)?.[1]));
          const proc = group.start(
            balancer.name,
            haproxy,
            ['-db', '-f', config],
            { PATH: process.env.PATH ?? '' },
            join(baseDir, 'haproxy.log'),
          );
          await waitFor('load balancer listening', options.waitSeconds, listening(proc, balancerPort!));
          const version = (await run(haproxy, ['-v'])).stdout.split('\n')[0]?.trim();
          parts.push(
            `${balancer.name}: the generated haproxy.cfg on ${version} at 127.0.0.1:${balancerPort} (the image runs ${balancer.image})`,
          );
        }
      }
      return parts.join(', ');
    });
    if (!supporting) return report();

    const startNode = (node: LocalNode) => {
      // TMPDIR too: what a node puts in the temporary directory goes when the rehearsal does.
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: baseDir, TMPDIR: baseDir, ...node.env };
      const proc = group.start(node.service, server.path, [], env, join(baseDir, `${node.service}.log`));
      nodeProcesses.set(node.service, proc);
      return proc;
    };
    const healthy = (node: LocalNode) => async (): Promise<true | string> => {
      const proc = nodeProcesses.get(node.service)!;
      if (proc.child.exitCode !== null)
        throw new StepFailed(`${node.service} exited with code ${proc.child.exitCode}:\n${tail(proc.log)}`);
      const r = await http('GET', `http://127.0.0.1:${node.hostPorts.admin}/health`, undefined, {}, 2000);
      return r.status === 200 ? true : `${node.service} admin /health answered ${r.status}`;
    };
    /** Every node, asked for its view of the cluster, sees every node alive. */
    const membership = (expected: LocalNode[]) => async (): Promise<true | string> => {
      const names = expected.map((n) => n.nodeName).sort();
      for (const node of expected) {
        const r = await run(
          ctl.path,
          ['-s', `http://127.0.0.1:${node.hostPorts.fabric}`, 'sql', '--json', 'select name, state from nodes'],
          10_000,
        );
        if (r.code !== 0) return `restatectl via ${node.service}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
        const rows: { name: string; state: string }[] = JSON.parse(r.stdout);
        const alive = rows
          .filter((row) => row.state === 'alive')
          .map((row) => row.name)
          .sort();
        if (JSON.stringify(alive) !== JSON.stringify(names)) {
          return `${node.service} sees ${rows.map((row) => `${row.name} (${row.state})`).join(', ') || 'no nodes'}; expected ${names.join(', ')} alive`;
        }
      }
      return true;
    };

    const clusterStart = Date.now();
    const formed = await step(
      `start ${c.nodes.length} restate-server process(es) and wait for one healthy cluster`,
      async () => {
        const withLog = (error: unknown, node?: LocalNode) =>
          new StepFailed(
            `${(error as Error).message}${node ? `\n      last lines of ${node.service}'s log:\n${tail(nodeProcesses.get(node.service)!.log, 6)}` : ''}`,
          );
        for (const node of c.nodes) startNode(node);
        for (const node of c.nodes) {
          try {
            await waitFor(`${node.service} admin API healthy`, options.waitSeconds, healthy(node));
          } catch (error) {
            throw withLog(error, node);
          }
        }
        const toHealthy = (Date.now() - clusterStart) / 1000;
        timings.push(`all admin APIs healthy: ${toHealthy.toFixed(1)}s after start`);
        try {
          await waitFor(
            'every node sees every node alive in one cluster',
            options.waitSeconds,
            membership(c.nodes),
            500,
          );
        } catch (error) {
          throw withLog(error);
        }
        timings.push(`one cluster, all members alive: ${((Date.now() - clusterStart) / 1000).toFixed(1)}s`);
        return `admin APIs healthy after ${toHealthy.toFixed(1)}s; ${c.nodes.map((n) => n.nodeName).join(', ')} alive in one cluster`;
      },
    );
    if (!formed) return report();

    // Several keys, so that a round of invocations touches partitions led by every node (with
    // 24 partitions over 3 nodes, 8 keys miss a given node's partitions ~4% of the time): a
    // node loss is then felt, not sidestepped. Every key must count exactly.
    const keys = Array.from({ length: 8 }, (_, i) => `rehearsal-${process.pid}-${i}`);
    let expected = 0;
    let call = 0;
    /** One add to every key through an ingress (a node's, or the balancer's); each retried under one idempotency key, so it counts once. */
    const add = async (node: { service: string; hostPorts: { ingress: number } }, { once = false } = {}) => {
      expected += 1;
      await Promise.all(
        keys.map(async (key) => {
          const idempotencyKey = `${key}-${++call}`;
          let value = NaN;
          const attempt = async (): Promise<true | string> => {
            const r = await http(
              'POST',
              `http://127.0.0.1:${node.hostPorts.ingress}/${COUNTER_SERVICE}/${key}/${COUNTER_ADD}`,
              1,
              { 'idempotency-key': idempotencyKey },
              10_000,
            );
            if (r.status !== 200) return `HTTP ${r.status} ${r.text.slice(0, 200)}`;
            value = JSON.parse(r.text);
            return true;
          };
          if (once) {
            // A single attempt, as a client would make it: a failure here is a failure.
            const result = await attempt().catch((error: Error) => error.message);
            if (result !== true) throw new StepFailed(`invocation through ${node.service} failed: ${result}`);
          } else {
            await waitFor(`invocation through ${node.service}'s ingress`, options.waitSeconds, attempt);
          }
          if (value !== expected)
            throw new StepFailed(
              `counter ${key} through ${node.service} is ${value}, expected ${expected} (an increment was lost or doubled)`,
            );
        }),
      );
    };
    /** Every key's value read through a node; all must equal the number of rounds. */
    const checkCounters = async (node: LocalNode): Promise<void> => {
      for (const key of keys) {
        const r = await http(
          'POST',
          `http://127.0.0.1:${node.hostPorts.ingress}/${COUNTER_SERVICE}/${key}/${COUNTER_GET}`,
          undefined,
          {},
          5000,
        );
        if (r.status !== 200)
          throw new StepFailed(
            `reading counter ${key} through ${node.service}: HTTP ${r.status} ${r.text.slice(0, 200)}`,
          );
        if (JSON.parse(r.text) !== expected)
          throw new StepFailed(`counter ${key} reads ${r.text} through ${node.service}, expected ${expected}`);
      }
    };

    const admin = c.nodes.find((n) => n.roles.includes('admin')) ?? c.nodes[0]!;
    const ingresses = c.nodes.filter((n) => n.roles.includes('http-ingress'));
    const frontDoor =
      balancer && balancerPort !== undefined
        ? { service: balancer.name, hostPorts: { ingress: balancerPort } }
        : undefined;
    const invoked = await step('register the counter service and invoke it through every ingress', async () => {
      await waitFor('deployment registered', options.waitSeconds, async () => {
        const r = await http('POST', `http://127.0.0.1:${admin.hostPorts.admin}/deployments`, {
          uri: `http://127.0.0.1:${counterPort}`,
        });
        return r.status === 201 || r.status === 200 ? true : `HTTP ${r.status} ${r.text.slice(0, 200)}`;
      });
      for (const node of ingresses) {
        await add(node);
        if (expected === 1)
          timings.push(`first successful invocation: ${((Date.now() - clusterStart) / 1000).toFixed(1)}s after start`);
      }
      if (frontDoor) await add(frontDoor);
      return `registered through ${admin.service}; invoked through ${frontDoor ? `${frontDoor.service} and ` : ''}every ingress (${ingresses.map((n) => n.hostPorts.ingress).join(', ')}), ${keys.length} keys each; every counter = ${expected}`;
    });
    if (!invoked) return report();

    await step("run the README's commands and scrape every metrics target", async () => {
      const parts: string[] = [];
      const readme = join(p.dir, 'README.md');
      const overridden = Object.keys(options.shell).some(
        (k) => k.endsWith('_PORT_OVERRIDE') || k.endsWith('PUBLISH_ADDRESS'),
      );
      if (!existsSync(readme)) parts.push('no README.md');
      else if (overridden)
        parts.push('README commands skipped: the environment overrides the ports they were written for');
      else {
        const commands = readmeCurls(readFileSync(readme, 'utf8'));
        for (const command of commands) {
          const r = await new Promise<{ code: number; output: string }>((resolve) =>
            execFile(
              '/bin/sh',
              ['-c', command],
              {
                env: { PATH: process.env.PATH ?? '', SERVICE_URL: `http://127.0.0.1:${counterPort}` },
                timeout: 20_000,
              },
              (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}`.trim() }),
            ),
          );
          if (r.code !== 0)
            throw new StepFailed(`README command failed: ${command}${r.output ? ` (${r.output.split('\n')[0]})` : ''}`);
        }
        parts.push(`${commands.length} curl command(s) from README.md succeeded`);
      }
      const prometheus = findAddon(p, /(^|\/)prometheus[:@]/, PROMETHEUS_CONFIG);
      if (prometheus) {
        const config = readFileSync(join(p.dir, mountedFile(prometheus, PROMETHEUS_CONFIG)!), 'utf8');
        const targets = prometheusTargets(config, p, hostPortOf);
        if (targets.problems.length > 0) throw new StepFailed(targets.problems.join('; '));
        for (const url of targets.urls) {
          const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
          const body = await response.text();
          const type = response.headers.get('content-type') ?? '';
          const problems = [
            ...(response.status === 200 ? [] : [`HTTP ${response.status}`]),
            ...(type.startsWith('text/plain') ? [] : [`content-type ${type}`]),
            ...expositionProblems(body),
          ];
          if (problems.length > 0) throw new StepFailed(`${url} (a Prometheus target): ${problems.join('; ')}`);
        }
        parts.push(`all ${targets.urls.length} Prometheus targets answer in the text exposition format`);
      }
      return parts.join('; ');
    });

    await step('create snapshots and find them in the bucket', async () => {
      if (!c.s3) return { skip: 'the file sets no snapshot destination' };
      const s3 = c.s3;
      // restatectl exits 0 even when partitions fail ("Can not find a suitable node to take
      // snapshot", common in the first seconds after start), so read its per-partition lines
      // and repeat until every partition has a snapshot.
      let created = new Set<string>();
      let failures: string[] = [];
      await waitFor(
        'a snapshot of every partition',
        options.waitSeconds,
        async () => {
          const r = await run(
            ctl.path,
            ['-s', `http://127.0.0.1:${admin.hostPorts.fabric}`, 'snapshots', 'create'],
            60_000,
          );
          const output = `${r.stdout}\n${r.stderr}`;
          created = new Set([...output.matchAll(/Snapshot created for partition (\d+)/g)].map((m) => m[1]!));
          failures = [...output.matchAll(/Failed to create snapshot for partition (\d+): (.*)/g)].map(
            (m) => `partition ${m[1]}: ${m[2]!.trim()}`,
          );
          if (r.code !== 0)
            return `restatectl snapshots create exited ${r.code}: ${output.trim().split('\n').slice(-2).join(' / ')}`;
          if (created.size === 0) return `no partition snapshotted${failures.length ? ` (${failures[0]})` : ''}`;
          return failures.length === 0 ? true : `${failures.length} partition(s) failed, e.g. ${failures[0]}`;
        },
        1000,
      );
      const where = join(s3Dir, s3.bucket, s3.prefix);
      const objects = storedObjects(where);
      const stored = new Set(objects.map((o) => o.split('/')[0]!));
      const missing = [...created].filter((p) => !stored.has(p));
      if (missing.length > 0)
        throw new StepFailed(
          `restatectl reported snapshots for partition(s) ${missing.join(', ')}, but s3://${s3.bucket}/${s3.prefix} has no object for them`,
        );
      return `all ${created.size} partitions snapshotted; ${objects.length} object(s) under s3://${s3.bucket}/${s3.prefix}`;
    });

    const t = c.tolerance;
    const victim = [...c.nodes].reverse().find((n) => !n.autoProvision);
    let killed: LocalNode | undefined;
    await step('kill one node (SIGKILL) and keep serving through the others', async () => {
      if (t.clusterFailuresTolerated < 1 || !victim) {
        const why =
          c.nodes.length === 1
            ? ['a single node has no peer to fail over to']
            : [
                t.logFailuresTolerated < 1
                  ? c.replication === 1
                    ? 'log replication 1 keeps one copy of each record, so losing its node loses the log'
                    : `log replication ${c.replication} on ${c.nodes.length} nodes tolerates no node failure (tolerating ${c.replication - 1} needs ${2 * c.replication - 1} nodes)`
                  : '',
                t.metadataFailuresTolerated < 1
                  ? `the metadata store has ${t.metadataMembers} member(s), quorum ${t.metadataQuorum}: losing one stops it`
                  : '',
              ].filter(Boolean);
        return { skip: `this topology does not survive a node loss: ${why.join('; ')}` };
      }
      killed = victim;
      const killedAt = Date.now();
      await group.kill(nodeProcesses.get(victim.service)!);
      say(`  killed ${victim.service}`);
      const survivors = ingresses.filter((n) => n !== victim);
      // Through the balancer first, straight after the kill, each call a single attempt: a
      // client of the front door must not notice the node is gone.
      if (frontDoor) for (let i = 0; i < 5; i++) await add(frontDoor, { once: true });
      for (const node of survivors) await add(node);
      const failover = (Date.now() - killedAt) / 1000;
      timings.push(`serving again after a node loss: ${failover.toFixed(1)}s`);
      await checkCounters(survivors[0]!);
      return `${victim.service} killed; invocations through ${frontDoor ? `${frontDoor.service} (5 rounds, right after the kill), ` : ''}${survivors.map((n) => n.service).join(', ')} succeeded within ${failover.toFixed(1)}s; all ${keys.length} counters = ${expected}, exactly as expected`;
    });

    await step('restart the killed node and see it rejoin', async () => {
      if (!killed) return { skip: 'no node was killed' };
      const node = killed;
      const restartedAt = Date.now();
      startNode(node);
      await waitFor(`${node.service} admin API healthy`, options.waitSeconds, healthy(node));
      await waitFor('every node sees every node alive again', options.waitSeconds, membership(c.nodes), 500);
      if (node.roles.includes('http-ingress')) await add(node);
      await checkCounters(node.roles.includes('http-ingress') ? node : ingresses[0]!);
      timings.push(`killed node back in the cluster: ${((Date.now() - restartedAt) / 1000).toFixed(1)}s after restart`);
      return `${node.service} rejoined after ${((Date.now() - restartedAt) / 1000).toFixed(1)}s and serves; every counter = ${expected}`;
    });

    return report();
  } finally {
    if (kept) {
      forgetProcesses();
      forgetBaseDir();
    } else {
      await group.stopAll();
    }
    guard.dispose();
  }

  function report(): boolean {
    const ok = steps.every((s) => s.status !== 'fail');
    print('');
    print(`Rehearsal of ${options.target}: ${ok ? 'PASS' : 'FAIL'} (${elapsed()}s)`);
    for (const s of steps)
      print(
        `  ${s.status.toUpperCase().padEnd(4)}  ${s.name} (${s.seconds.toFixed(1)}s)${s.status === 'pass' ? '' : `\n        ${s.detail}`}`,
      );
    if (timings.length) {
      print('Timings:');
      for (const line of timings) print(`  ${line}`);
    }
    if (!ok) {
      const failedNode = [...nodeProcesses.values()].find(
        (p) => p.child.exitCode !== null && p.child.signalCode === null,
      );
      if (failedNode) print(`Last lines of ${failedNode.name}'s log:\n${tail(failedNode.log)}`);
    }
    if (options.keep && cluster) {
      kept = true;
      const left = group.detach();
      print('');
      print(`--keep: the cluster is still running (data in ${baseDir}).`);
      for (const node of cluster.nodes) {
        print(
          `  ${node.service}: ingress http://127.0.0.1:${node.hostPorts.ingress}  admin http://127.0.0.1:${node.hostPorts.admin}  fabric ${node.hostPorts.fabric}`,
        );
      }
      // A node can take many seconds to exit on SIGTERM: remove its data only once it has.
      const pids = left.map((s) => s.child.pid).join(' ');
      print(`Stop it with: kill ${pids}; while kill -0 ${pids} 2>/dev/null; do sleep 1; done; rm -rf ${baseDir}`);
    }
    return ok;
  }
}
