// Fresh Swarm deploys, timed: a new stack name (so new volumes and a new network) each time, on
// three hosts, until one cluster has formed: every node alive in restatectl's table and every
// host's published ingress answering /restate/health. A deploy that has not formed within the
// limit is a failure: what each node's task and log said is kept in a file, and the bench goes
// on, since the point of many deploys is to see the rare one.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

const LIMIT_SECONDS = 120;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function ingressAnswers(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.text();
    return r.status === 200;
  } catch {
    return false;
  }
}

/**
 * `count` fresh deploys of the stack in `stackDir` on `hosts` (a swarm already formed, images
 * loaded, hosts labelled). `on(host, args, options)` runs docker against a host. Returns the
 * seconds each deploy took to form (null for one that did not) and the failure files.
 */
export async function freshSwarmDeploys({ hosts, on, stackDir, count, failureDir }) {
  const env = parseDotenv(readFileSync(join(stackDir, '.env')));
  const ingress = hosts.map(
    (h, i) => `http://${h.address}:${env[`NODE${i + 1}_INGRESS_PORT_OVERRIDE`]}/restate/health`,
  );
  const results = [];
  const failures = [];
  for (let run = 1; run <= count; run++) {
    const stack = `bench-${Date.now().toString(36)}`;
    const start = Date.now();
    on(hosts[0], ['stack', 'deploy', '-c', 'docker-stack.yaml', stack], { cwd: stackDir, env });
    const formed = await formedWithin(LIMIT_SECONDS, () => allAlive(hosts[0], on, stack), ingress);
    const seconds = formed ? (Date.now() - start) / 1000 : null;
    results.push(seconds);
    if (!formed) failures.push(keepFailure(hosts, on, stack, failureDir, run));
    console.log(
      `  deploy ${String(run).padStart(2)}: ${seconds === null ? `NOT FORMED within ${LIMIT_SECONDS} s (${failures.at(-1)})` : `${seconds.toFixed(1)} s`}`,
    );
    await removeStack(hosts, on, stack);
  }
  return { results, failures };
}

async function formedWithin(limit, alive, ingress) {
  const deadline = Date.now() + limit * 1000;
  while (Date.now() < deadline) {
    if (alive() && (await Promise.all(ingress.map(ingressAnswers))).every(Boolean)) return true;
    await sleep(250);
  }
  return false;
}

/** Asked through restate-1's own restatectl: three nodes alive in one cluster. */
function allAlive(manager, on, stack) {
  const id = on(manager, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_restate-1`], {
    allowFailure: true,
  }).stdout.trim();
  if (!id) return false;
  const r = on(manager, ['exec', id.split('\n')[0], 'restatectl', 'sql', '--json', 'select name, state from nodes'], {
    allowFailure: true,
  });
  if (r.status !== 0) return false;
  try {
    return JSON.parse(r.stdout).filter((n) => n.state === 'alive').length === 3;
  } catch {
    return false;
  }
}

/** What each node's tasks and logs said, in a file; returns its path. */
function keepFailure(hosts, on, stack, failureDir, run) {
  mkdirSync(failureDir, { recursive: true });
  const file = join(failureDir, `deploy-${run}-${stack}.txt`);
  const parts = [];
  const services = on(hosts[0], ['stack', 'services', stack, '--format', '{{.Name}}'], { allowFailure: true })
    .stdout.trim()
    .split('\n')
    .filter(Boolean);
  for (const service of services) {
    parts.push(
      `### docker service ps ${service}`,
      on(hosts[0], ['service', 'ps', '--no-trunc', service], { allowFailure: true }).stdout,
    );
    parts.push(
      `### docker service logs ${service}`,
      on(hosts[0], ['service', 'logs', '--no-task-ids', '--tail', '200', service], { allowFailure: true }).stdout,
    );
  }
  hosts.forEach((host, i) => {
    const id = on(host, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_restate-${i + 1}`], {
      allowFailure: true,
    }).stdout.trim();
    if (!id) return parts.push(`### restate-${i + 1}: no running task on ${host.name}`);
    const inTask = (args) => on(host, ['exec', id.split('\n')[0], ...args], { allowFailure: true });
    parts.push(`### restate-${i + 1} on ${host.name}: its view`);
    parts.push(inTask(['curl', '-sS', '-m', '2', 'http://localhost:5122/health']).stdout);
    parts.push(inTask(['restatectl', 'sql', 'select name, state from nodes']).stdout);
    for (const peer of [1, 2, 3])
      parts.push(`getent hosts restate-${peer}: ${inTask(['getent', 'hosts', `restate-${peer}`]).stdout.trim()}`);
  });
  writeFileSync(file, parts.join('\n'));
  return file;
}

/**
 * The stack removed with its volumes, its containers killed (a graceful stop of a whole cluster
 * at once took Restate about a minute here, and only the next deploy's start is timed), so the
 * next deploy starts fresh.
 */
async function removeStack(hosts, on, stack) {
  on(hosts[0], ['stack', 'rm', stack], { allowFailure: true });
  const label = `label=com.docker.stack.namespace=${stack}`;
  for (const host of hosts) {
    const deadline = Date.now() + 120_000;
    let containers;
    while ((containers = on(host, ['ps', '-aq', '--filter', label], { allowFailure: true }).stdout.trim())) {
      if (Date.now() > deadline) break;
      on(host, ['rm', '-f', ...containers.split('\n')], { allowFailure: true });
      await sleep(500);
    }
    const volumes = on(host, ['volume', 'ls', '-q', '--filter', label], { allowFailure: true }).stdout.trim();
    if (volumes) on(host, ['volume', 'rm', '-f', ...volumes.split('\n')], { allowFailure: true });
  }
}
