// The generated compose files on a real Docker Engine with `docker compose`: the images carry
// the real restate-server and restatectl (see images.sh), the SDK service runs in a container,
// and every step is what a user runs. Ports are shifted with --port-offset so nothing else on
// the machine (the rehearsal tests, a user's cluster) collides.
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { parse as parseDotenv } from 'dotenv';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from '../helpers.js';
import {
  aliveNodes,
  counterClient,
  describeWithEngine,
  http,
  pasteBlock,
  regenerateAndPaste,
  startCounter,
  run,
  snapshotResult,
  waitFor,
  type Engine,
} from './harness.js';

jest.setTimeout(600_000);

interface ClusterCase {
  name: string;
  args: string[];
  nodes: number;
  portOffset: number;
  /** A node can be lost: kill one and keep counting through the others. */
  survivesLoss: boolean;
  loadBalancer?: boolean;
  monitoring?: boolean;
  /** Grow the running cluster to this many nodes by following the printed steps. */
  growTo?: number;
  /** Run the SDK service on the Docker host, registered as the README says (host.docker.internal). */
  serviceOnHost?: boolean;
}

interface PsEntry {
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
  Name: string;
}

function composeCluster(engine: Engine, c: ClusterCase) {
  const project = `gce-test-${c.name}`;
  let dir = '';
  let hostService: ChildProcess | undefined;
  let nodes = c.nodes;
  const keys = ['a', 'b', 'c', 'd'];
  const counter = counterClient(keys);
  const env = () => parseDotenv(readFileSync(join(dir, '.env')));
  const port = (name: string) => Number(env()[name]);
  const ingress = (k: number) => `http://127.0.0.1:${port(`NODE${k}_INGRESS_PORT_OVERRIDE`)}`;
  const admin = (k: number) => `http://127.0.0.1:${port(`NODE${k}_ADMIN_PORT_OVERRIDE`)}`;
  const nodeNames = () => Array.from({ length: nodes }, (_, i) => `restate-${i + 1}`);
  const docker = (args: string[], allowFailure = false) => run(engine.env, 'docker', args, { cwd: dir, allowFailure });
  const compose = (args: string[], allowFailure = false) => docker(['compose', ...args], allowFailure);
  const ps = (): PsEntry[] =>
    compose(['ps', '-a', '--format', 'json'])
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => JSON.parse(line) as PsEntry | PsEntry[]);
  /** Every long-running service up and healthy (where it has a healthcheck); the bucket job exited 0. */
  const allHealthy = (): true | string => {
    const entries = ps();
    const services = new Set(entries.map((e) => e.Service));
    for (const n of nodeNames()) if (!services.has(n)) return `${n} has no container`;
    for (const e of entries) {
      if (e.Service.endsWith('create-bucket')) {
        if (e.State !== 'exited' || e.ExitCode !== 0) return `${e.Service} is ${e.State} (exit ${e.ExitCode})`;
      } else if (e.State !== 'running' || (e.Health !== '' && e.Health !== 'healthy')) {
        return `${e.Service} is ${e.State}${e.Health ? ` (${e.Health})` : ''}`;
      }
    }
    return true;
  };
  const ctl = (args: string[], allowFailure = false) =>
    compose(['exec', '-T', 'restate-1', 'restatectl', ...args], allowFailure);
  const oneCluster = (): true | string => {
    const r = ctl(['sql', '--json', 'select name, state from nodes'], true);
    if (r.status !== 0) return `restatectl sql: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
    const alive = aliveNodes(r.stdout);
    return JSON.stringify(alive) === JSON.stringify(nodeNames().sort()) ? true : `alive: ${alive.join(', ') || 'none'}`;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `${project}-`));
    run(engine.env, process.execPath, [
      CLI,
      ...c.args,
      '--cluster-name',
      project,
      '--port-offset',
      String(c.portOffset),
      '--out',
      dir,
    ]);
  });

  afterAll(() => {
    hostService?.kill();
    if (!dir) return;
    docker(['rm', '-f', `${project}-counter`], true);
    compose(['down', '-v', '--remove-orphans', '--timeout', '30'], true);
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${c.name}: docker compose up -d brings every service to healthy and the nodes form one cluster`, async () => {
    compose(['up', '-d']);
    await waitFor('every service healthy', 120, allHealthy);
    await waitFor(`${nodes} members alive in one cluster`, 120, oneCluster, 1000);
  });

  test(`${c.name}: an SDK service ${c.serviceOnHost ? "on the Docker host, registered with the README's command," : 'in a container'} is invoked through every ingress${c.loadBalancer ? ' and the load balancer' : ''}`, async () => {
    if (c.serviceOnHost) {
      // The README's own registration, with host.docker.internal: the Docker host, on Linux too.
      const port = 19000 + c.portOffset;
      hostService = spawn(process.execPath, [join(ROOT, 'dist', 'bundle', 'counter-service.js'), String(port)], {
        stdio: 'ignore',
      });
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      const line = readme.split('\n').find((l) => l.startsWith('curl') && l.includes('/deployments'))!;
      await waitFor(
        "the README's registration of a service on the host",
        90,
        () => {
          const r = run(engine.env, 'bash', ['-c', line], {
            cwd: dir,
            allowFailure: true,
            env: { SERVICE_URL: `http://host.docker.internal:${port}` },
          });
          return r.status === 0 ? true : (r.stderr || r.stdout).trim().slice(0, 300);
        },
        1000,
      );
    } else {
      await startCounter(engine, project, admin(1));
    }
    for (let k = 1; k <= nodes; k += 1) {
      await waitFor(`invocations through restate-${k}`, 90, () => counter.addThrough(ingress(k)), 1000);
    }
    if (c.loadBalancer) {
      const balancer = `http://127.0.0.1:${port('LOAD_BALANCER_PORT_OVERRIDE')}`;
      for (let round = 0; round < 3; round += 1)
        await waitFor('invocations through the load balancer', 60, () => counter.addThrough(balancer));
    }
    expect(await counter.verifyThrough(ingress(nodes))).toBe(true);
  });

  test(`${c.name}: restatectl snapshots create writes every partition to the bucket`, async () => {
    let created = new Set<string>();
    await waitFor(
      'a snapshot of every partition',
      120,
      () => {
        const r = ctl(['snapshots', 'create'], true);
        const result = snapshotResult(`${r.stdout}\n${r.stderr}`);
        created = result.created;
        if (r.status !== 0) return `exit ${r.status}: ${r.stderr.trim().split('\n').slice(-1)[0]}`;
        if (created.size === 0) return 'no partition snapshotted';
        return result.failures.length === 0 ? true : `${result.failures.length} failed, e.g. ${result.failures[0]}`;
      },
      2000,
    );
    const listing = compose(['exec', '-T', 'minio', 'mc', 'ls', '--recursive', 'local/restate/snapshots']).stdout;
    const stored = new Set(
      listing
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('/')[0]),
    );
    const missing = [...created].filter((p) => !stored.has(p));
    expect(missing).toEqual([]);
    expect(created.size).toBeGreaterThan(0);
  });

  if (c.monitoring) {
    test(`${c.name}: Prometheus scrapes every node and Grafana answers`, async () => {
      const prometheus = `http://127.0.0.1:${port('PROMETHEUS_PORT_OVERRIDE')}`;
      await waitFor(
        'every Prometheus target up',
        90,
        async () => {
          const r = await http('GET', `${prometheus}/api/v1/targets`);
          if (r.status !== 200) return `HTTP ${r.status}`;
          const targets = JSON.parse(r.text).data.activeTargets as { labels: { instance: string }; health: string }[];
          const up = targets
            .filter((t) => t.health === 'up')
            .map((t) => t.labels.instance)
            .sort();
          return up.length === nodes ? true : `up: ${up.join(', ') || 'none'} of ${targets.length}`;
        },
        2000,
      );
      const grafana = await http('GET', `http://127.0.0.1:${port('GRAFANA_PORT_OVERRIDE')}/api/health`);
      expect(grafana.status).toBe(200);
    });
  }

  if (c.survivesLoss) {
    test(`${c.name}: docker kill of a node: invocations through the survivors keep every count exact, and it rejoins`, async () => {
      const victim = nodes; // never restate-1, the node that provisioned the cluster
      docker(['kill', `${project}-restate-${victim}-1`]);
      for (let k = 1; k < victim; k += 1) {
        await waitFor(
          `invocations through restate-${k} with restate-${victim} down`,
          90,
          () => counter.addThrough(ingress(k)),
          1000,
        );
      }
      expect(await counter.verifyThrough(ingress(1))).toBe(true);
      compose(['start', `restate-${victim}`]);
      await waitFor('every service healthy again', 120, allHealthy);
      await waitFor(`restate-${victim} alive again`, 120, oneCluster, 1000);
      await waitFor(
        `invocations through the rejoined restate-${victim}`,
        90,
        () => counter.addThrough(ingress(victim)),
        1000,
      );
      expect(await counter.verifyThrough(ingress(victim))).toBe(true);
    });
  }

  test(`${c.name}: docker compose stop: every Restate node exits on its own within its grace period; up -d keeps all state`, async () => {
    compose(['stop']);
    for (const n of nodeNames()) {
      const state = JSON.parse(docker(['inspect', '-f', '{{json .State}}', `${project}-${n}-1`]).stdout) as {
        ExitCode: number;
        OOMKilled: boolean;
        Status: string;
      };
      // 137 is SIGKILL: Docker killed the node when its grace period ran out.
      expect({ node: n, status: state.Status, exitCode: state.ExitCode }).toEqual({
        node: n,
        status: 'exited',
        exitCode: 0,
      });
    }
    compose(['up', '-d']);
    await waitFor('every service healthy after up -d', 120, allHealthy);
    await waitFor(`${nodes} members alive after the restart`, 120, oneCluster, 1000);
    await waitFor('the counts read back after the restart', 90, () => counter.verifyThrough(ingress(1)), 1000);
    await waitFor('invocations after the restart', 90, () => counter.addThrough(ingress(nodes)), 1000);
  });

  if (c.growTo) {
    const target = c.growTo;
    test(`${c.name}: growing the running cluster to ${target} nodes by the steps gen-compose prints`, async () => {
      // Every printed step pasted as one block, as a user copies them; the grow block ends with
      // `gen-compose ready`, so it is done only when the new nodes have joined.
      nodes = target;
      const out = await regenerateAndPaste(engine.env, dir, ['--nodes', String(target)], (block) =>
        pasteBlock(engine.env, dir, block),
      );
      expect(out).toContain('snapshots create');
      // The snapshot the block made (or one made moments before, which restatectl reports as
      // "in progress") is in the bucket.
      const listing = compose(['exec', '-T', 'minio', 'mc', 'ls', '--recursive', 'local/restate/snapshots']).stdout;
      expect(listing.split('\n').filter(Boolean).length).toBeGreaterThan(0);
      await waitFor('every service healthy', 120, allHealthy);
      await waitFor(`${target} members alive in one cluster`, 120, oneCluster, 1000);
      for (let k = 1; k <= target; k += 1)
        await waitFor(`invocations through restate-${k}`, 90, () => counter.addThrough(ingress(k)), 1000);
      expect(await counter.verifyThrough(ingress(target))).toBe(true);
    });
  }
}

describeWithEngine('docker compose, 1 node (dev preset)', (engine) =>
  composeCluster(engine, {
    name: 'dev',
    args: ['--preset', 'dev'],
    nodes: 1,
    portOffset: 2001,
    survivesLoss: false,
    serviceOnHost: true,
  }),
);

describeWithEngine('docker compose, 3 nodes, replication 2, grown to 5', (engine) =>
  composeCluster(engine, {
    name: 'ha',
    args: ['--nodes', '3', '--replication', '2'],
    nodes: 3,
    portOffset: 2002,
    survivesLoss: true,
    growTo: 5,
  }),
);

describeWithEngine('docker compose, 5 nodes, replication 3 (prod preset: load balancer, monitoring)', (engine) =>
  composeCluster(engine, {
    name: 'prod',
    args: ['--preset', 'prod'],
    nodes: 5,
    portOffset: 2003,
    survivesLoss: true,
    loadBalancer: true,
    monitoring: true,
  }),
);

describeWithEngine('docker compose: who can reach what, from another host', (engine) => {
  const project = 'gce-test-expose';
  let dir = '';
  let client = { namespace: '', gateway: '' };
  const compose = (args: string[]) => run(engine.env, 'docker', ['compose', ...args], { cwd: dir });
  const env = () => parseDotenv(readFileSync(join(dir, '.env')));
  /** Whether a port of this machine answers HTTP from the client host (another namespace). */
  const answersFromClient = (port: string, path: string): boolean => {
    const r = run(
      engine.env,
      'nsenter',
      [
        `--net=/var/run/netns/${client.namespace}`,
        'curl',
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-m',
        '3',
        `http://${client.gateway}:${port}${path}`,
      ],
      { allowFailure: true },
    );
    return r.stdout.trim() !== '000' && r.stdout.trim() !== '';
  };
  const reachable = () => {
    const e = env();
    return {
      ingress: answersFromClient(e.NODE1_INGRESS_PORT_OVERRIDE!, '/restate/health'),
      admin: answersFromClient(e.NODE1_ADMIN_PORT_OVERRIDE!, '/health'),
      fabric: answersFromClient(e.NODE1_NODE_PORT_OVERRIDE!, '/health'),
      s3: answersFromClient(e.MINIO_API_PORT_OVERRIDE!, '/'),
      's3-console': answersFromClient(e.MINIO_CONSOLE_PORT_OVERRIDE!, '/'),
    };
  };
  const only = (...open: string[]) => ({
    ingress: false,
    admin: false,
    fabric: false,
    s3: false,
    's3-console': false,
    ...Object.fromEntries(open.map((k) => [k, true])),
  });
  const generateAndStart = async (args: string[]) => {
    run(engine.env, process.execPath, [
      CLI,
      '--nodes',
      '1',
      '--cluster-name',
      project,
      '--port-offset',
      '2005',
      ...args,
      '--out',
      dir,
    ]);
    compose(['up', '-d']);
    const e = env();
    // Every kind answers on this host, exposed or not.
    await waitFor(
      'every endpoint answering on 127.0.0.1',
      120,
      async () => {
        for (const [port, path] of [
          [e.NODE1_ADMIN_PORT_OVERRIDE, '/health'],
          [e.NODE1_INGRESS_PORT_OVERRIDE, '/restate/health'],
          [e.NODE1_NODE_PORT_OVERRIDE, '/health'],
        ] as const) {
          const r = await http('GET', `http://127.0.0.1:${port}${path}`, undefined, {}, 2000);
          if (r.status !== 200) return `127.0.0.1:${port}${path}: ${r.status}`;
        }
        return true;
      },
      1000,
    );
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `${project}-`));
    const [namespace, , gateway] = run(engine.env, 'bash', [join(engine.scripts, 'swarm-hosts.sh'), 'client'])
      .stdout.trim()
      .split(' ');
    client = { namespace: namespace!, gateway: gateway! };
  });

  afterAll(() => {
    if (dir) {
      run(engine.env, 'docker', ['compose', 'down', '-v', '--timeout', '30'], { cwd: dir, allowFailure: true });
      rmSync(dir, { recursive: true, force: true });
    }
    run(engine.env, 'bash', [join(engine.scripts, 'swarm-hosts.sh'), 'down'], { allowFailure: true });
  });

  test('by default nothing answers from another host', async () => {
    await generateAndStart([]);
    expect(reachable()).toEqual(only());
  });

  test('--publish-address 0.0.0.0 alone: the ingress answers from another host, nothing else does', async () => {
    await generateAndStart(['--publish-address', '0.0.0.0']);
    expect(reachable()).toEqual(only('ingress'));
  });

  test.each(['admin', 'fabric', 's3', 's3-console'])(
    '--expose %s: exactly that kind answers from another host',
    async (kind) => {
      await generateAndStart(['--expose', kind]);
      await waitFor(
        `only ${kind} reachable`,
        30,
        () => (JSON.stringify(reachable()) === JSON.stringify(only(kind)) ? true : JSON.stringify(reachable())),
        1000,
      );
    },
  );
});
