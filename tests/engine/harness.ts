// What the engine tests share: finding the engine that tests/engine/with-engine.sh prepared,
// the docker CLI as a subprocess, waiting, and the counter service's calls over HTTP.
// Nothing here starts an engine: with-engine.sh does that (and removes it afterwards), so a
// test run never leaves an engine behind that it did not find.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { CLI } from '../helpers.js';

/** Written by with-engine.sh: the variables that point the docker CLI at the prepared engine. */
const ENGINE_FILE = process.env.GEN_COMPOSE_ENGINE;

export interface Engine {
  env: NodeJS.ProcessEnv;
  /** Names of the images the generated files use, built locally by images.sh. */
  images: Record<
    | 'restate'
    | 'restatePrevious'
    | 'restatePreviousVersion'
    | 'minio'
    | 'counter'
    | 'haproxy'
    | 'prometheus'
    | 'grafana',
    string
  >;
  /** The scripts directory (swarm-hosts.sh). */
  scripts: string;
}

function loadEngine(): Engine | undefined {
  if (!ENGINE_FILE || !existsSync(ENGINE_FILE)) return undefined;
  return JSON.parse(readFileSync(ENGINE_FILE, 'utf8')) as Engine;
}

export const engine = loadEngine();

const HOW_TO_RUN =
  'run them with `npm run test:engine` (as root: it installs and starts Docker Engine 26 when none answers and builds the images)';

/**
 * A describe block that runs only where with-engine.sh prepared an engine. Elsewhere it is
 * skipped with one line saying how to run it; under CI (CI=true) a missing engine fails.
 */
let skipSaid = false;

export function describeWithEngine(name: string, body: (engine: Engine) => void): void {
  if (engine) {
    describe(name, () => body(engine));
    return;
  }
  if (process.env.CI === 'true' || process.env.CI === '1') {
    test(name, () => {
      throw new Error(
        `no Docker engine prepared (GEN_COMPOSE_ENGINE is not set): CI must run the engine tests; ${HOW_TO_RUN}`,
      );
    });
    return;
  }
  // One line per test run, not per file: tests/global-setup.cjs names the run.
  const said = join(tmpdir(), 'gen-compose-engine-skip-said');
  const run = process.env.GEN_COMPOSE_TEST_RUN ?? String(process.pid);
  if (!skipSaid && !(existsSync(said) && readFileSync(said, 'utf8') === run)) {
    process.stderr.write(`engine tests skipped: no Docker engine prepared; ${HOW_TO_RUN}\n`);
    writeFileSync(said, run);
  }
  skipSaid = true;
  describe.skip(name, () => test('needs a Docker engine', () => undefined));
}

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with the engine's environment; throws with its output unless it exits 0. */
export function run(
  engineEnv: NodeJS.ProcessEnv,
  program: string,
  args: string[],
  options: SpawnSyncOptions & { allowFailure?: boolean } = {},
): Result {
  const r = spawnSync(program, args, {
    encoding: 'utf8',
    timeout: 300_000,
    ...options,
    env: { ...process.env, ...engineEnv, ...options.env },
  });
  const result = { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  if (!options.allowFailure && result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} exited ${result.status}${r.error ? ` (${r.error.message})` : ''}:\n${result.stderr}${result.stdout}`.slice(
        0,
        4000,
      ),
    );
  }
  return result;
}

/**
 * The same, without blocking: what runs while clients load the cluster from this process (a
 * synchronous child would stop every client for as long as it runs). Never throws.
 */
export function runAsync(
  engineEnv: NodeJS.ProcessEnv,
  program: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd: options.cwd, env: { ...process.env, ...engineEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => resolve({ status: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; its last other answer is the failure message. */
export async function waitFor(
  what: string,
  seconds: number,
  check: () => Promise<true | string> | true | string,
  everyMs = 500,
): Promise<number> {
  const start = Date.now();
  let last = 'not checked yet';
  while (Date.now() - start < seconds * 1000) {
    try {
      const answer = await check();
      if (answer === true) return (Date.now() - start) / 1000;
      last = answer;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${seconds}s waiting for ${what}: ${last}`);
}

export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; text: string }> {
  try {
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return {
      status: 0,
      text: `${(error as Error).message} ${String((error as { cause?: { code?: string } }).cause?.code ?? '')}`.trim(),
    };
  }
}

/**
 * The counter service (the project's own, written with the real Restate SDK) as the cluster
 * sees it: keyed `add` calls through a given ingress, each under an idempotency key so a retry
 * never counts twice, and the exact totals every key must have.
 */
export function counterClient(keys: string[]) {
  const expected = new Map(keys.map((k) => [k, 0]));
  let call = 0;
  // An add that did not answer 200 may still have run (a cut link loses the answer, not the
  // call): its retry, by whoever calls addThrough again, reuses its idempotency key, so Restate
  // runs it at most once. A new key for the retry counted one add twice (seen in CI).
  const unanswered = new Map<string, string>();
  return {
    expected,
    /** One `add` per key through `ingressUrl`; returns an error text or true. */
    async addThrough(ingressUrl: string): Promise<true | string> {
      for (const key of keys) {
        const idempotencyKey = unanswered.get(key) ?? `${key}-${++call}`;
        unanswered.set(key, idempotencyKey);
        const r = await http(
          'POST',
          `${ingressUrl}/Counter/${key}/add`,
          1,
          { 'idempotency-key': idempotencyKey },
          30_000,
        );
        if (r.status !== 200) return `add on ${key} through ${ingressUrl}: HTTP ${r.status} ${r.text.slice(0, 200)}`;
        unanswered.delete(key);
        expected.set(key, expected.get(key)! + 1);
      }
      return true;
    },
    /** Every key's value read through `ingressUrl` equals what was added. */
    async verifyThrough(ingressUrl: string): Promise<true | string> {
      for (const key of keys) {
        // A read is safe to ask again: one that meets a partition changing leaders (a node just
        // back moves leadership; seen in CI: "lost leadership", HTTP 500) asks again, a few times.
        let r = await http('POST', `${ingressUrl}/Counter/${key}/get`, undefined, {}, 30_000);
        for (let retry = 0; r.status >= 500 && retry < 5; retry += 1) {
          await sleep(1000);
          r = await http('POST', `${ingressUrl}/Counter/${key}/get`, undefined, {}, 30_000);
        }
        if (r.status !== 200) return `get on ${key} through ${ingressUrl}: HTTP ${r.status} ${r.text.slice(0, 200)}`;
        if (Number(r.text) !== expected.get(key))
          return `${key} = ${r.text} through ${ingressUrl}, expected ${expected.get(key)}`;
      }
      return true;
    },
  };
}

/**
 * The counter service in a container named `<project>-counter` on a compose project's default
 * network, reachable from the nodes as http://counter:9080, and registered through `adminUrl`.
 */
export async function startCounter(engine: Engine, project: string, adminUrl: string): Promise<void> {
  run(engine.env, 'docker', [
    'run',
    '-d',
    '--name',
    `${project}-counter`,
    '--network',
    `${project}_default`,
    '--network-alias',
    'counter',
    engine.images.counter,
  ]);
  await register(adminUrl, 'http://counter:9080');
}

/** Registers a deployment through an admin API, retrying while the cluster is still settling. */
export async function register(adminUrl: string, serviceUrl: string): Promise<void> {
  await waitFor(
    `deployment ${serviceUrl} registered through ${adminUrl}`,
    90,
    async () => {
      const r = await http('POST', `${adminUrl}/deployments`, { uri: serviceUrl, force: true }, {}, 30_000);
      return r.status === 200 || r.status === 201 ? true : `HTTP ${r.status} ${r.text.slice(0, 300)}`;
    },
    1000,
  );
}

/** The partitions `restatectl snapshots create` output says it snapshotted, and its failures. */
export function snapshotResult(output: string): { created: Set<string>; failures: string[] } {
  return {
    created: new Set([...output.matchAll(/Snapshot created for partition (\d+)/g)].map((m) => m[1]!)),
    failures: [...output.matchAll(/Failed to create snapshot for partition (\d+): (.*)/g)].map(
      (m) => `partition ${m[1]}: ${m[2]!.trim()}`,
    ),
  };
}

/** Names of the nodes a `restatectl sql` answer lists as alive. */
export function aliveNodes(sqlJson: string): string[] {
  const rows = JSON.parse(sqlJson) as { name: string; state: string }[];
  return rows
    .filter((r) => r.state === 'alive')
    .map((r) => r.name)
    .sort();
}

/** The commands of each printed step: its indented lines, as a user copies them. */
export function printedSteps(output: string): { title: string; block: string }[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^On a (running cluster|manager of the swarm),/.test(l));
  if (start < 0) return [];
  const steps: { title: string; block: string }[] = [];
  for (const line of lines.slice(start + 1)) {
    const numbered = /^ {2}\d+\. (.*)$/.exec(line);
    if (numbered) steps.push({ title: numbered[1]!, block: '' });
    else if (line.startsWith('     ') && steps.length > 0) steps[steps.length - 1]!.block += `${line.trim()}\n`;
  }
  return steps;
}

/**
 * gen-compose run on the cluster in `dir` with `args`, without blocking the clients that load it,
 * then every step it printed pasted in order, each block as one (as a user copies them);
 * `adapt` fills in what the output asks the user to fill in (Swarm's HOST_k). Returns the output.
 */
export async function regenerateAndPaste(
  env: NodeJS.ProcessEnv,
  dir: string,
  args: string[],
  paste: (block: string) => Promise<void>,
  adapt: (block: string) => string = (block) => block,
): Promise<string> {
  const r = await runAsync(env, process.execPath, [CLI, '--out', '.', ...args], { cwd: dir });
  expect({ args, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ args, status: 0, stderr: '' });
  const steps = printedSteps(r.stdout);
  expect(steps.length).toBeGreaterThan(0);
  for (const step of steps) await paste(adapt(step.block));
  return r.stdout;
}

/** A long command by its ends (a restatectl line says what it does at its end). */
const shorten = (command: string) =>
  command.length <= 160 ? command : `${command.slice(0, 40)} … ${command.slice(-110)}`;

/** Every command pasted so far, with the time (ms) it began: what a drill's gap happened in. */
export const pasted: { at: number; command: string }[] = [];

/**
 * A block pasted into one shell: bash reads it from standard input, line by line, as from a
 * terminal (in `dir`, against the engine `env` names). It must succeed; its output is shown
 * when it does not.
 */
export async function pasteBlock(env: NodeJS.ProcessEnv, dir: string, block: string): Promise<void> {
  // Traced with the time of each command, so a drill can say which one its longest gap began in.
  // (Set in the shell: bash run as root does not take PS4 from the environment.)
  const traced = `PS4='+\${EPOCHREALTIME} '; set -x\n${block}`;
  const r = await runAsync(env, 'bash', [], { cwd: dir, input: traced });
  for (const match of r.stderr.matchAll(/^\++(\d+)\.(\d+) (.*)$/gm))
    pasted.push({ at: Number(match[1]) * 1000 + Number(match[2]!.slice(0, 3)), command: shorten(match[3]!) });
  const output = `${r.stderr.replace(/^\++\d+\.\d+ .*\n/gm, '')}${r.stdout}`;
  expect({ block, status: r.status, output: r.status === 0 ? '' : output }).toEqual({
    block,
    status: 0,
    output: '',
  });
}
