// The generated stack on a real three-host Docker Swarm: three engines, each in its own network
// namespace with its own address (swarm-hosts.sh), joined into one swarm, the stack deployed
// with the commands of its own README (one minor version back), then, under steady load (the
// load harness of the day-two drills): a host cut off the network, the printed rolling upgrade
// and the printed replacement of a node that lost its disk, each block pasted on the manager.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { parse as parseDotenv } from 'dotenv';
import { CLI } from '../helpers.js';
import {
  aliveNodes,
  counterClient,
  describeWithEngine,
  http,
  pasteBlock,
  printedSteps,
  regenerateAndPaste,
  run,
  runAsync,
  sleep,
  waitFor,
  type Engine,
} from './harness.js';
import { drill } from './load.js';
import { LOST_DISK_LOG } from '../../src/render/start-guard.js';

jest.setTimeout(900_000);

interface Host {
  name: string;
  socket: string;
  address: string;
}

/** The shell lines of the README's ```sh blocks that contain `marker`. */
function readmeBlock(readme: string, marker: string): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.split('\n').filter(Boolean));
  const block = blocks.find((lines) => lines.some((l) => l.includes(marker)));
  if (!block) throw new Error(`the README has no command block with ${marker}`);
  return block;
}

describeWithEngine('docker stack deploy on a three-host swarm (3 nodes, replication 2)', (engine: Engine) => {
  const stack = 'restate-cluster';
  const from = engine.images.restatePreviousVersion!;
  const to = engine.images.restate!.split(':').pop()!;
  /** The Restate node names, as the cluster lists them (a replaced node gets a new one). */
  const names = ['restate-1', 'restate-2', 'restate-3'];
  let dir = '';
  let hosts: Host[] = [];
  const keys = ['a', 'b', 'c', 'd'];
  const counter = counterClient(keys);
  const on = (host: Host, args: string[], allowFailure = false) =>
    run({ ...engine.env, DOCKER_HOST: host.socket }, 'docker', args, { cwd: dir, allowFailure });
  const manager = () => hosts[0]!;
  const env = () => parseDotenv(readFileSync(join(dir, '.env')));
  const hostPort = (k: number, kind: 'INGRESS' | 'ADMIN') => env()[`NODE${k}_${kind}_PORT_OVERRIDE`];
  const ingress = (k: number) => `http://${hosts[k - 1]!.address}:${hostPort(k, 'INGRESS')}`;
  const container = (k: number) =>
    on(hosts[k - 1]!, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_restate-${k}`])
      .stdout.trim()
      .split('\n')[0] ?? '';
  /** Asked through restate-k's own restatectl, every node is alive in one cluster. */
  const oneCluster = (k: number, expected: string[]) => (): true | string => {
    const id = container(k);
    if (!id) return `no running restate-${k} task on ${hosts[k - 1]!.name}`;
    const r = on(hosts[k - 1]!, ['exec', id, 'restatectl', 'sql', '--json', 'select name, state from nodes'], true);
    if (r.status !== 0) return `restatectl via restate-${k}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
    const alive = aliveNodes(r.stdout);
    return JSON.stringify(alive) === JSON.stringify(expected) ? true : `alive: ${alive.join(', ') || 'none'}`;
  };
  /** A README command line as a user runs it: on the host of the node it names (docker exec), with RESTATE_k_HOST set. */
  const readmeCommand = (line: string, extraEnv: Record<string, string> = {}) => {
    const node = /_restate-(\d+)\)/.exec(line);
    const host = hosts[node ? Number(node[1]) - 1 : 0]!;
    const hostVars = Object.fromEntries(hosts.map((h, i) => [`RESTATE_${i + 1}_HOST`, h.address]));
    return run({ ...engine.env, DOCKER_HOST: host.socket, ...hostVars, ...extraEnv }, 'bash', ['-euc', line], {
      cwd: dir,
      allowFailure: true,
    });
  };
  /** HTTP status of a URL inside restate-k's task (its admin API is not published). */
  const inTask = (k: number, url: string) => {
    const r = on(
      hosts[k - 1]!,
      ['exec', container(k), 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '3', url],
      true,
    );
    return Number(r.stdout.trim() || 0);
  };
  const scripts = (args: string[]) => run({ ...engine.env }, 'bash', [join(engine.scripts, 'swarm-hosts.sh'), ...args]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gce-test-swarm-'));
    // Five hosts: the stack runs on three, and grows onto the other two.
    hosts = scripts(['up', '5'])
      .stdout.trim()
      .split('\n')
      .map((line) => {
        const [name, socket, address] = line.split(' ');
        return { name: name!, socket: socket!, address: address! };
      });
    on(manager(), ['swarm', 'init', '--advertise-addr', manager().address]);
    const token = on(manager(), ['swarm', 'join-token', '-q', 'worker']).stdout.trim();
    for (const host of hosts.slice(1)) on(host, ['swarm', 'join', '--token', token, `${manager().address}:2377`]);
    // No registry here: every host gets the images from the machine's engine.
    const archive = join(dir, 'images.tar');
    run(engine.env, 'docker', [
      'save',
      '-o',
      archive,
      engine.images.restate,
      engine.images.restatePrevious!,
      engine.images.minio,
      engine.images.counter,
    ]);
    for (const host of hosts) on(host, ['load', '-q', '-i', archive]);
    rmSync(archive);
    run(engine.env, process.execPath, [
      CLI,
      '--target',
      'swarm',
      '--nodes',
      '3',
      '--replication',
      '2',
      '--restate-version',
      from,
      '--out',
      dir,
    ]);
  });

  afterAll(() => {
    if (hosts.length > 0) on(manager(), ['stack', 'rm', stack], true);
    scripts(['down']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('labelled and deployed exactly as the stack README says, the nodes form one cluster, every host serving', async () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const labels = readmeBlock(readme, '--label-add').map((line) =>
      line.replace(/HOST_(\d+)/, (_, k: string) => hosts[Number(k) - 1]!.name),
    );
    const deploy = readmeBlock(readme, 'docker stack deploy').filter(
      (line) => !line.startsWith('docker service ps') && !line.startsWith('docker stack services'),
    );
    const shellEnv = { ...engine.env, DOCKER_HOST: manager().socket };
    run(shellEnv, 'bash', ['-euc', labels.join('\n')], { cwd: dir });
    run(shellEnv, 'bash', ['-euc', deploy.join('\n')], { cwd: dir });
    const started = Date.now();
    await waitFor('restate-1..3 in one cluster', 180, oneCluster(1, ['restate-1', 'restate-2', 'restate-3']), 1000);
    const formedAfter = (Date.now() - started) / 1000;
    // The README's own health commands: ingress checks pointed at each host's address, admin
    // checks (docker exec into the node's task) run on the host that runs the node.
    await waitFor(
      "the README's health commands",
      60,
      () => {
        for (const line of readmeBlock(readme, '/restate/health')) {
          const r = readmeCommand(line);
          if (r.status !== 0) return `${line}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]}`;
        }
        return true;
      },
      1000,
    );
    // The README's cluster status, on the manager (a one-off container on the stack's network).
    const status = readmeBlock(readme, 'RESTATECTL_ADDRESS');
    expect(status).toHaveLength(1);
    const r = run(shellEnv, 'bash', ['-euc', status[0]!], { cwd: dir });
    for (const name of ['restate-1', 'restate-2', 'restate-3']) expect(r.stdout).toContain(name);
    expect(formedAfter).toBeGreaterThan(0);
  });

  test("an SDK service on the swarm's network is registered and invoked through every host's ingress", async () => {
    // dnsrr like the stack's own services: the virtual IP answered "host unreachable" here.
    on(manager(), [
      'service',
      'create',
      '--detach',
      '--name',
      'gce-test-counter',
      '--network',
      `${stack}_${stack}-net`,
      '--endpoint-mode',
      'dnsrr',
      '--constraint',
      'node.labels.restate-node == 1',
      engine.images.counter,
    ]);
    // Registered with the README's own command: the admin API is not published under Swarm.
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const registerLine = readmeBlock(readme, '/deployments').find((l) => l.includes('/deployments'))!;
    await waitFor(
      'the deployment registered as the README says',
      90,
      () => {
        const r = readmeCommand(registerLine, { SERVICE_URL: 'http://gce-test-counter:9080' });
        return r.status === 0 ? true : (r.stderr || r.stdout).trim().slice(0, 300);
      },
      1000,
    );
    for (let k = 1; k <= 3; k += 1)
      await waitFor(`invocations through ${hosts[k - 1]!.name}`, 90, () => counter.addThrough(ingress(k)), 1000);
    expect(await counter.verifyThrough(ingress(3))).toBe(true);
  });

  const ingresses = () => names.map((_, i) => ingress(i + 1));
  let drills = 0;
  const underLoad = (name: string, operation: () => Promise<void>) =>
    drill(name, { ingresses: ingresses(), keyPrefix: `${name}-${(drills += 1)}` }, operation, oneCluster(1, names));
  /** A block pasted into one shell on `host` (the manager unless said), as a user pastes it there. */
  const paste = (block: string, host = manager()) =>
    pasteBlock({ ...engine.env, DOCKER_HOST: host.socket }, dir, block);
  /** restatectl sql through restate-1's task (asked without blocking: the clients run in this process). */
  const sql = async <T>(query: string): Promise<T[]> => {
    const r = await runAsync({ ...engine.env, DOCKER_HOST: manager().socket }, 'docker', [
      'exec',
      container(1),
      'restatectl',
      'sql',
      '--json',
      query,
    ]);
    if (r.status !== 0) throw new Error(`restatectl sql: ${r.stderr}`);
    return JSON.parse(r.stdout) as T[];
  };

  test('one host cut off the network under load: nothing lost, the others serve; back, its node rejoins', async () => {
    await underLoad('swarm-host-loss', async () => {
      scripts(['cut', '3']);
      try {
        // The cut is real: host 3 no longer answers, and the cluster sees its node gone.
        expect((await http('GET', `${ingress(3)}/restate/health`, undefined, {}, 2000)).status).toBe(0);
        await waitFor('restate-1 to see restate-3 gone', 120, oneCluster(1, ['restate-1', 'restate-2']), 1000);
        await sleep(5000);
      } finally {
        scripts(['heal', '3']);
      }
      await waitFor('restate-3 alive again, seen from restate-1', 180, oneCluster(1, names), 1000);
    });
    await waitFor('invocations through host 3 again', 120, () => counter.addThrough(ingress(3)), 1000);
    expect(await counter.verifyThrough(ingress(3))).toBe(true);
  });

  /** Every container start and death of the stack's Restate nodes, on every host, while `during` runs. */
  async function watchStarts(
    during: () => Promise<void>,
  ): Promise<Record<string, { starts: number; mostAtOnce: number }>> {
    const seen = hosts.map((host) => {
      const events = spawn(
        'docker',
        [
          'events',
          '--format',
          '{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "com.docker.swarm.service.name"}}',
          '--filter',
          'type=container',
          '--filter',
          `label=com.docker.stack.namespace=${stack}`,
        ],
        { env: { ...process.env, ...engine.env, DOCKER_HOST: host.socket } },
      );
      const running = on(host, [
        'ps',
        '--no-trunc',
        '--filter',
        `label=com.docker.stack.namespace=${stack}`,
        '--format',
        '{{.ID}} {{.Label "com.docker.swarm.service.name"}}',
      ]).stdout;
      let log = '';
      events.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
      return { events, running, log: () => log };
    });
    await sleep(1000);
    try {
      await during();
      await sleep(1000);
    } finally {
      for (const s of seen) s.events.kill();
    }
    // Replay each host's events from the tasks running before: never two of one node at once.
    const result: Record<string, { starts: number; mostAtOnce: number }> = {};
    for (const s of seen) {
      const running = new Map<string, Set<string>>();
      const tasksOf = (service: string) => running.get(service) ?? running.set(service, new Set()).get(service)!;
      for (const line of s.running.trim().split('\n').filter(Boolean)) {
        const [id, service] = line.split(' ');
        tasksOf(service!).add(id!);
      }
      for (const line of s.log().trim().split('\n').filter(Boolean)) {
        const [action, id, service] = line.split(' ');
        if (!service?.startsWith(`${stack}_restate-`) || (action !== 'start' && action !== 'die')) continue;
        const entry = (result[service] ??= { starts: 0, mostAtOnce: tasksOf(service).size });
        if (action === 'start') {
          tasksOf(service).add(id!);
          entry.starts += 1;
        }
        if (action === 'die') tasksOf(service).delete(id!);
        entry.mostAtOnce = Math.max(entry.mostAtOnce, tasksOf(service).size);
      }
    }
    return result;
  }

  test(`the printed rolling upgrade ${from} → ${to}, pasted on the manager under load: one task per node at a time, each node once, nothing lost`, async () => {
    const output = run(engine.env, process.execPath, [CLI, '--out', '.', '--restate-version', to], { cwd: dir }).stdout;
    const step = printedSteps(output).find((s) => s.title.startsWith('Upgrade one node at a time'));
    expect(step?.block).toContain(`ready . --stack ${stack}`);
    const starts = await watchStarts(async () => {
      await underLoad('swarm-rolling-upgrade', () => paste(step!.block));
    });
    // The stack deploy that ends the block restarts nothing: each node was started once.
    expect(starts).toEqual(
      Object.fromEntries([1, 2, 3].map((k) => [`${stack}_restate-${k}`, { starts: 1, mostAtOnce: 1 }])),
    );
    const versions = await sql<{ name: string; binary_version: string }>('select name, binary_version from nodes');
    expect(Object.fromEntries(versions.map((n) => [n.name, n.binary_version]))).toEqual(
      Object.fromEntries(names.map((n) => [n, to])),
    );
    expect(await counter.verifyThrough(ingress(2))).toBe(true);
  });

  test('restate-3 loses its disk; --replace-node 3 and the printed block, pasted on the manager under load, give it a new identity that catches up', async () => {
    // Two drills, so each figure is its own: the loss is a crash (its target is a crash's), the
    // replacement a planned procedure.
    const othersAlive = async (): Promise<true | string> => {
      const alive = (await sql<{ name: string; state: string }>('select name, state from nodes'))
        .filter((n) => n.state === 'alive')
        .map((n) => n.name);
      return alive.includes('restate-1') && alive.includes('restate-2') ? true : `alive: ${alive.join(', ')}`;
    };
    await drill(
      'swarm-lose-disk-3',
      { ingresses: ingresses(), keyPrefix: `swarm-lose-disk-3-${(drills += 1)}` },
      async () => {
        // The disk lost: on host 3, the node's containers (task history too: each holds the
        // volume) and its volume removed within Swarm's 5 s restart delay.
        await paste(
          `docker rm -f $(docker ps -aq --filter label=com.docker.swarm.service.name=${stack}_restate-3) >/dev/null\ndocker volume rm ${stack}_restate-3-data\n`,
          hosts[2],
        );
        // Started again by Swarm as it was, its entrypoint finds its disk empty and the cluster
        // still listing restate-3: it says so and waits, and Restate never starts under that
        // name (it would mark its storage data-loss, and each start interrupted the cluster).
        await waitFor(
          "restate-3's guard to refuse its lost disk",
          120,
          async () => {
            const id = container(3);
            const logs = id ? on(hosts[2]!, ['logs', id], true) : undefined;
            return logs?.stderr.includes(LOST_DISK_LOG) ? true : `not yet: ${logs?.stderr.slice(-200) ?? 'no task'}`;
          },
          1000,
        );
        const marked = "select plain_node_id from nodes where plain_node_id = 'N3' and storage_state = 'data-loss'";
        expect(await sql(marked)).toEqual([]);
      },
      othersAlive,
    );
    await underLoad('swarm-replace-node-3', async () => {
      const r = await runAsync(engine.env, process.execPath, [CLI, '--out', '.', '--replace-node', '3'], { cwd: dir });
      expect(r.status).toBe(0);
      const step = printedSteps(r.stdout).find((s) => s.title.startsWith('Start restate-3-r1'));
      expect(step?.block).toContain('nodes remove --nodes N3');
      names[2] = 'restate-3-r1';
      await paste(step!.block);
    });
    const rows = await sql<{ plain_node_id: string; name: string; state: string }>(
      'select plain_node_id, name, state from nodes',
    );
    expect(rows.find((n) => n.plain_node_id === 'N3')).toBeUndefined();
    expect(rows.find((n) => n.plain_node_id === 'N1003')).toEqual({
      plain_node_id: 'N1003',
      name: 'restate-3-r1',
      state: 'alive',
    });
    expect(
      (await sql("select partition_id from partition_state where plain_node_id = 'N1003'")).length,
    ).toBeGreaterThan(0);
    expect(await counter.verifyThrough(ingress(3))).toBe(true);
  });

  test('a rolling docker service update never runs two tasks of a node at once, and ends only once the node serves', async () => {
    const starts = await watchStarts(async () => {
      on(manager(), ['service', 'update', '--force', '--detach=false', '--quiet', `${stack}_restate-2`]);
      // Swarm called the new task up: it must serve now, not later.
      expect(inTask(2, 'http://localhost:9070/health')).toBe(200);
    });
    expect(starts).toEqual({ [`${stack}_restate-2`]: { starts: 1, mostAtOnce: 1 } });
    await waitFor('all three alive after the update', 120, oneCluster(1, names), 1000);
    expect(await counter.verifyThrough(ingress(2))).toBe(true);
  });

  /** gen-compose with `args`, then its printed steps pasted on the manager, HOST_k replaced by host k's name as the README says. */
  const regenerateAndPasteOnManager = (args: string[]) =>
    regenerateAndPaste(
      engine.env,
      dir,
      args,
      (block) => paste(block),
      (block) => block.replace(/HOST_(\d+)/g, (_, k: string) => hosts[Number(k) - 1]!.name),
    );
  const members = async () =>
    (await sql<{ name: string }>("select name from nodes where metadata_server_state = 'member' and state = 'alive'"))
      .map((n) => n.name)
      .sort();

  test('growing to 5 nodes and a metadata group of 5, the printed steps pasted on the manager under load: no running node restarts', async () => {
    const starts = await watchStarts(async () => {
      await underLoad('swarm-grow-3-to-5', async () => {
        names.push('restate-4', 'restate-5');
        await regenerateAndPasteOnManager(['--nodes', '5', '--metadata-nodes', '5']);
      });
    });
    // Only the new nodes started: the three that ran were not touched.
    expect(starts).toEqual({
      [`${stack}_restate-4`]: { starts: 1, mostAtOnce: 1 },
      [`${stack}_restate-5`]: { starts: 1, mostAtOnce: 1 },
    });
    await waitFor(
      '5 metadata members',
      90,
      async () => ((await members()).length === 5 ? true : (await members()).join(', ')),
      1000,
    );
  });

  let printed = '';
  test("shrinking back to 3 by Restate's removal procedure, as printed, on the manager under load: the dropped services gone", async () => {
    await underLoad('swarm-shrink-5-to-3', async () => {
      names.splice(3);
      printed = await regenerateAndPasteOnManager(['--nodes', '3', '--force']);
    });
    expect(await members()).toHaveLength(3);
    const services = on(manager(), ['service', 'ls', '--format', '{{.Name}}', '--filter', `name=${stack}_restate-`]);
    expect(services.stdout.split('\n').filter(Boolean).sort()).toEqual([1, 2, 3].map((k) => `${stack}_restate-${k}`));
    // The printed comments say where the volumes are, on each dropped node's own host, and how
    // to remove them there: run as printed (on a host of its own, each).
    for (const k of [4, 5]) {
      const line = printed.split('\n').find((l) => l.includes(`on restate-${k}'s host: `));
      const command = line?.split(`on restate-${k}'s host: `)[1];
      expect(command).toContain(`docker volume rm ${stack}_restate-${k}-data`);
      run({ ...engine.env, DOCKER_HOST: hosts[k - 1]!.socket }, 'timeout', ['120', 'bash', '-c', command!], {
        cwd: dir,
      });
    }
  });

  test("a memory limit for every node, as printed, pasted on the manager under load: one node part at a time, each node restarted once, the last deploy restarts nothing, the user's override kept", async () => {
    // The user's own label on a node, in the override file the printed deploys are to add.
    writeFileSync(
      join(dir, 'docker-stack.override.yaml'),
      'services:\n  restate-2:\n    deploy:\n      labels:\n        com.example.team: payments\n',
    );
    let block = '';
    const starts = await watchStarts(async () => {
      await underLoad('swarm-memory-rolling', async () => {
        block = await regenerateAndPasteOnManager(['--memory', '1G']);
      });
    });
    expect(block).toContain(`stack-part . --service restate-1 | docker stack deploy -c - ${stack}`);
    expect(block).toContain(`docker stack deploy -c docker-stack.yaml -c docker-stack.override.yaml ${stack}`);
    const team = on(manager(), [
      'service',
      'inspect',
      '--format',
      '{{index .Spec.Labels "com.example.team"}}',
      `${stack}_restate-2`,
    ]);
    expect(team.stdout.trim()).toBe('payments');
    // Services by their own names (names holds Restate's: restate-3 runs restate-3-r1 by now).
    const services = ['restate-1', 'restate-2', 'restate-3'];
    expect(starts).toEqual(Object.fromEntries(services.map((n) => [`${stack}_${n}`, { starts: 1, mostAtOnce: 1 }])));
    for (const n of services) {
      const limit = on(manager(), [
        'service',
        'inspect',
        '--format',
        '{{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}',
        `${stack}_${n}`,
      ]);
      expect(limit.stdout.trim()).toBe(String(1024 ** 3));
    }
  });

  test('Ctrl-C while a rolling block waits on restate-1 stops the block (restate-2 and restate-3 untouched); the block pasted again finishes the change', async () => {
    const limit = (n: string) =>
      on(manager(), [
        'service',
        'inspect',
        '--format',
        // Empty where no limit is set yet (this test run alone).
        '{{with .Spec.TaskTemplate.Resources}}{{with .Limits}}{{.MemoryBytes}}{{end}}{{end}}',
        `${stack}_${n}`,
      ]).stdout.trim();
    const before = limit('restate-2');
    const wanted = String(2 * 1024 ** 3);
    let interrupted: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const output = await regenerateAndPaste(engine.env, dir, ['--memory', '2G'], async (block) => {
      // As a terminal runs a pasted block: one process group, which Ctrl-C signals whole.
      const shell = spawn('bash', [], {
        cwd: dir,
        detached: true,
        env: { ...process.env, ...engine.env, DOCKER_HOST: manager().socket },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const closed = new Promise<void>((resolve) =>
        shell.on('close', (code, signal) => {
          interrupted = { code, signal };
          resolve();
        }),
      );
      shell.stdin.end(block);
      // Ctrl-C while Swarm's update of restate-1 runs (its new spec deployed) and the block
      // waits on it. (The block that waited in docker service update never got here: its
      // update that changed nothing cleared UpdateStatus, and Ctrl-C rolled every node on.)
      const updating = () =>
        on(manager(), [
          'service',
          'inspect',
          '-f',
          '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}',
          `${stack}_restate-1`,
        ]).stdout.trim() === 'updating';
      await waitFor(
        'the block waiting on the update of restate-1',
        240,
        () =>
          limit('restate-1') === wanted &&
          updating() &&
          run({}, 'pgrep', ['-f', '--', '--updated restate-1'], { allowFailure: true }).status === 0
            ? true
            : 'not yet',
        200,
      );
      process.kill(-shell.pid!, 'SIGINT');
      await closed;
    });
    expect(interrupted?.code === 0).toBe(false);
    expect([limit('restate-2'), limit('restate-3')]).toEqual([before, before]);
    // The same block again, as printed: restate-1 has nothing left to change, the others roll.
    for (const step of printedSteps(output)) await paste(step.block);
    expect(['restate-1', 'restate-2', 'restate-3'].map(limit)).toEqual([wanted, wanted, wanted]);
  });

  test('from outside the swarm only the ingress answers; --expose admin, redeployed, publishes exactly the admin API', async () => {
    // This test runs in the machine's own namespace: another host as far as the swarm goes.
    const answers = async (address: string, port: number, path: string) =>
      (await http('GET', `http://${address}:${port}${path}`, undefined, {}, 2000)).status !== 0;
    const kinds = async (k: number) => {
      const address = hosts[k - 1]!.address;
      const scheme = (base: number) => (k === 1 ? base : k * 10000 + base);
      return {
        ingress: await answers(address, scheme(8080), '/restate/health'),
        admin: await answers(address, scheme(9070), '/health'),
        fabric: await answers(address, scheme(5122), '/health'),
        s3: await answers(address, 9000, '/'),
        's3-console': await answers(address, 9001, '/'),
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
    for (let k = 1; k <= 3; k += 1) expect(await kinds(k)).toEqual(only('ingress'));
    run(engine.env, process.execPath, [CLI, '--expose', 'ingress,admin', '--out', dir]);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const deploy = readmeBlock(readme, 'docker stack deploy').filter(
      (line) => !line.startsWith('docker service ps') && !line.startsWith('docker stack services'),
    );
    run({ ...engine.env, DOCKER_HOST: manager().socket }, 'bash', ['-euc', deploy.join('\n')], { cwd: dir });
    for (let k = 1; k <= 3; k += 1) {
      await waitFor(
        `exactly the ingress and the admin API answering on ${hosts[k - 1]!.name}`,
        180,
        async () => {
          const seen = await kinds(k);
          return JSON.stringify(seen) === JSON.stringify(only('ingress', 'admin')) ? true : JSON.stringify(seen);
        },
        2000,
      );
    }
    await waitFor('all three alive after the redeploy', 180, oneCluster(1, names), 1000);
    await waitFor('the counts read back after the redeploy', 120, () => counter.verifyThrough(ingress(1)), 1000);
  });
});
