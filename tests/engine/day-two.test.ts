// Day two on a real Docker Engine, under steady load: four clients call the counter service (real
// SDK, in a container) through every published ingress while an operation runs, and each
// operation is what gen-compose prints, taken from its output and pasted into one shell as one
// block. The tests assert exactness (no call lost, none applied twice, every reply its own
// sequence number) and that every node ends alive and serving; the gaps and latencies they
// measure are figures for the bench (GEN_COMPOSE_DRILL_REPORT), never a pass/fail.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { parse as parseDotenv } from 'dotenv';
import { CLI } from '../helpers.js';
import {
  aliveNodes,
  describeWithEngine,
  http,
  pasteBlock,
  printedSteps,
  regenerateAndPaste,
  register,
  run,
  runAsync,
  sleep,
  waitFor,
} from './harness.js';
import { drill, startLoad, type LoadReport } from './load.js';
import { LOST_DISK_LOG } from '../../src/render/start-guard.js';

jest.setTimeout(900_000);

describeWithEngine('day two under load: 3 nodes, replication 2', (engine) => {
  const project = 'gce-test-day-two';
  const from = engine.images.restatePreviousVersion!;
  const to = engine.images.restate!.split(':').pop()!;
  let dir = '';
  const nodes = ['restate-1', 'restate-2', 'restate-3'];
  const env = () => parseDotenv(readFileSync(join(dir, '.env')));
  /** Every node's published ingress, and the load balancer's, which fronts them all. */
  const ingresses = () => [
    ...nodes.map((_, i) => `http://127.0.0.1:${env()[`NODE${i + 1}_INGRESS_PORT_OVERRIDE`]}`),
    `http://127.0.0.1:${env().LOAD_BALANCER_PORT_OVERRIDE}`,
  ];
  const docker = (args: string[], allowFailure = false) => run(engine.env, 'docker', args, { cwd: dir, allowFailure });
  const compose = (args: string[], allowFailure = false) => docker(['compose', ...args], allowFailure);
  const gen = (args: string[]) => run(engine.env, process.execPath, [CLI, ...args], { cwd: dir });
  const paste = (block: string) => pasteBlock(engine.env, dir, block);
  /** A query of Restate's system tables through restatectl in a node (restate-2 stays throughout). */
  const sql = <T>(query: string): T[] =>
    JSON.parse(compose(['exec', '-T', 'restate-2', 'restatectl', 'sql', '--json', query]).stdout) as T[];
  const versions = () =>
    Object.fromEntries(
      sql<{ name: string; binary_version: string }>('select name, binary_version from nodes').map((n) => [
        n.name,
        n.binary_version,
      ]),
    );
  const everyNodeAlive = (): true | string => {
    const r = compose(
      ['exec', '-T', 'restate-1', 'restatectl', 'sql', '--json', 'select name, state from nodes'],
      true,
    );
    if (r.status !== 0) return r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`;
    const alive = aliveNodes(r.stdout);
    return alive.length === nodes.length ? true : `alive: ${alive.join(', ')}`;
  };
  let drills = 0;

  /** Runs `operation` under load and checks exactness; returns the figures. */
  const underLoad = (name: string, operation: () => Promise<void>): Promise<LoadReport> =>
    drill(name, { ingresses: ingresses(), keyPrefix: `${name}-${(drills += 1)}` }, operation, everyNodeAlive);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `${project}-`));
    gen([
      ...['--restate-version', from, '--cluster-name', project, '--port-offset', '2004', '--load-balancer'],
      ...['--out', dir],
    ]);
    // The user's own service, where its README says such services go: Compose merges the
    // override file by itself, gen-compose never writes it, and `down` stops it with the rest.
    writeFileSync(
      join(dir, 'docker-compose.override.yaml'),
      `services:\n  counter:\n    image: ${engine.images.counter}\n    restart: unless-stopped\n    # Node as PID 1 ignores SIGTERM: an init passes it on, so a down need not wait it out.\n    init: true\n`,
    );
    compose(['up', '-d', '--wait']);
    await waitFor('3 members alive in one cluster', 120, everyNodeAlive, 1000);
    const admin = `http://127.0.0.1:${env().NODE1_ADMIN_PORT_OVERRIDE}`;
    await register(admin, 'http://counter:9080');
    // Every ingress serves before the drills start.
    const warm = startLoad({ ingresses: ingresses(), keyPrefix: 'warm-up' });
    await sleep(3000);
    await warm.stop();
  });

  afterAll(() => {
    if (!dir) return;
    compose(['down', '-v', '--remove-orphans', '--timeout', '30'], true);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a. docker kill of one node: ready says at once how to start it, and that brings it back: nothing lost under load', async () => {
    await underLoad('kill', async () => {
      await paste(`docker kill ${project}-restate-3-1\n`);
      // While it is stopped, ready says so at once (no wait starts it), and how to start it;
      // what it says is what is pasted next.
      const down = await runAsync(engine.env, process.execPath, [CLI, 'ready', '.', '--timeout', '60'], { cwd: dir });
      expect(down.status).toBe(1);
      expect(down.stderr).toMatch(/^gen-compose ready: restate-3 is exited, and no wait starts it: /);
      const start = /docker compose up -d --wait restate-3/.exec(down.stderr)![0];
      await paste(`${start} && node ${CLI} ready .\n`);
    });
  });

  test(`b. the printed rolling upgrade ${from} → ${to}, pasted as one block under load: every node runs ${to}, nothing lost`, async () => {
    const output = gen(['--out', '.', '--restate-version', to]).stdout;
    const step = printedSteps(output).find((s) => s.title.startsWith('Upgrade one node at a time'));
    expect(step?.block).toContain('ready .');
    await underLoad('rolling-upgrade', () => paste(step!.block));
    expect(versions()).toEqual(Object.fromEntries(nodes.map((n) => [n, to])));
  });

  test('g. restate-3 cut off from the others under load, then healed: the cut side acknowledges no new call, the node rejoins', async () => {
    const network = `${project}_default`;
    const container = `${project}-restate-3-1`;
    // A network of its own keeps the cut node callable from here (the host reaches every
    // bridge), so the clients go on asking it: it must not acknowledge what it cannot replicate.
    const probe = `${project}-probe`;
    docker(['network', 'create', probe]);
    docker(['network', 'connect', probe, container]);
    const address = docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${probe}").IPAddress}}`, container]);
    const cutIngress = `http://${address.stdout.trim()}:8080`;
    let cutAt = Infinity;
    let healedAt = Infinity;
    const acknowledgedWhileCut: string[] = [];
    await drill(
      'partition',
      {
        ingresses: [...ingresses().filter((url) => !url.endsWith(`:${env().NODE3_INGRESS_PORT_OVERRIDE}`)), cutIngress],
        keyPrefix: `partition-${(drills += 1)}`,
        // A call first sent after the cut (every earlier attempt has timed out by then).
        onSuccess: (ingress, at, attempt) => {
          if (ingress === cutIngress && attempt === 0 && at > cutAt + 2000 && at < healedAt)
            acknowledgedWhileCut.push(new Date(at).toISOString());
        },
      },
      async () => {
        await paste(`docker network disconnect ${network} ${container}\n`);
        cutAt = Date.now();
        // The cut is real: restate-3 no longer reaches restate-1.
        const reach = await runAsync(engine.env, 'docker', [
          ...['exec', container, 'curl', '-s', '-o', '/dev/null', '-m', '2', 'http://restate-1:9070/health'],
        ]);
        expect(reach.status).not.toBe(0);
        await sleep(10_000);
        healedAt = Date.now();
        // Compose's own alias, so the others find restate-3 by name again.
        await paste(`docker network connect --alias restate-3 ${network} ${container}\n`);
      },
      everyNodeAlive,
    );
    expect(acknowledgedWhileCut).toEqual([]);
    docker(['network', 'disconnect', probe, container]);
    docker(['network', 'rm', probe]);
    // Its published ingress serves again.
    await waitFor('restate-3 serving through its published port', 60, async () => {
      const r = await http('GET', `${ingresses()[2]}/restate/health`);
      return r.status === 200 ? true : `HTTP ${r.status} ${r.text.slice(0, 100)}`;
    });
  });

  // A joining node, then the node that provisioned the cluster: its replacement must join, never
  // provision a second cluster of its own.
  for (const k of [3, 1]) {
    test(`e. restate-${k} loses its disk; --replace-node ${k} and the printed block give it a new identity that catches up, under load`, async () => {
      let block = '';
      const report = await underLoad(`replace-node-${k}`, async () => {
        // The disk lost: the container and its volume gone, as when a host's disk dies.
        await paste(`docker compose rm -sf restate-${k}\ndocker volume rm ${project}_restate-${k}-data\n`);
        // Started again as it was, its entrypoint finds its disk empty and the cluster still
        // listing it: it says so and waits (what a user sees first), and Restate never starts
        // under that name, which would mark its storage data-loss and, at each start of its
        // crash loop, interrupt the cluster. Node 1, which provisions, never provisions either.
        await paste(`docker compose up -d restate-${k}\n`);
        // Asked without blocking: the clients run in this process.
        const logsOf = async () =>
          (await runAsync(engine.env, 'docker', ['compose', 'logs', '--no-color', `restate-${k}`], { cwd: dir }))
            .stdout;
        await waitFor(
          `restate-${k}'s guard to refuse its lost disk`,
          90,
          async () => {
            const logs = await logsOf();
            return logs.includes(LOST_DISK_LOG) ? true : `not yet: ${logs.slice(-200)}`;
          },
          1000,
        );
        const marked = `select plain_node_id from nodes where plain_node_id = 'N${k}' and storage_state = 'data-loss'`;
        const r0 = await runAsync(
          engine.env,
          'docker',
          ['compose', 'exec', '-T', 'restate-2', 'restatectl', 'sql', '--json', marked],
          { cwd: dir },
        );
        expect(r0.status).toBe(0);
        expect(r0.stdout).not.toContain(`N${k}`);
        expect(await logsOf()).not.toMatch(/has been automatically provisioned/);
        const r = await runAsync(engine.env, process.execPath, [CLI, '--out', '.', '--replace-node', String(k)], {
          cwd: dir,
        });
        expect(r.status).toBe(0);
        const step = printedSteps(r.stdout).find((s) => s.title.startsWith(`Start restate-${k}-r1`));
        block = step?.block ?? '';
        expect(block).toContain(`nodes remove --nodes N${k}`);
        await paste(block);
      });
      expect(report.acknowledged).toBeGreaterThan(0);
      // One cluster of three, the old identity gone, the new one holding partition replicas.
      const rows = sql<{ plain_node_id: string; name: string; state: string }>(
        'select plain_node_id, name, state from nodes',
      );
      expect(rows.find((n) => n.plain_node_id === `N${k}`)).toBeUndefined();
      expect(rows.find((n) => n.plain_node_id === `N${1000 + k}`)).toEqual({
        plain_node_id: `N${1000 + k}`,
        name: `restate-${k}-r1`,
        state: 'alive',
      });
      const replicas = sql(`select partition_id from partition_state where plain_node_id = 'N${1000 + k}'`);
      expect(replicas.length).toBeGreaterThan(0);
    });
  }

  test('e. restate-2 loses its disk and another change comes before its replacement block ran: the later block stops at its first ready with the block that finishes the replacement; both pasted under load', async () => {
    await underLoad('replace-then-change', async () => {
      await paste(
        `docker compose rm -sf restate-2\ndocker volume rm ${project}_restate-2-data\ndocker compose up -d restate-2\n`,
      );
      const logsOf = async () =>
        (await runAsync(engine.env, 'docker', ['compose', 'logs', '--no-color', 'restate-2'], { cwd: dir })).stdout;
      await waitFor(
        "restate-2's guard to refuse its lost disk",
        90,
        async () => ((await logsOf()).includes(LOST_DISK_LOG) ? true : 'not yet'),
        1000,
      );
      const replaced = await runAsync(engine.env, process.execPath, [CLI, '--out', '.', '--replace-node', '2'], {
        cwd: dir,
      });
      expect(replaced.status).toBe(0);
      // Its block is not run: another change first, whose output says where the replacement went.
      const changed = await runAsync(engine.env, process.execPath, [CLI, '--out', '.', '--memory', '2g'], { cwd: dir });
      expect(changed.stdout).toMatch(/for restate-2's replacement are not printed again after this change/);
      const rolling = printedSteps(changed.stdout).find((s) =>
        s.title.startsWith('Recreate restate-1, restate-2, restate-3'),
      );
      expect(rolling?.block).toMatch(/^.* ready \. &&\n/);
      // Pasted as it is: its first ready stops it before any node goes, and says how to finish.
      const stopped = await runAsync(engine.env, 'bash', [], { cwd: dir, input: rolling!.block });
      expect(stopped.status).toBe(1);
      expect(stopped.stderr).toMatch(
        /^gen-compose ready: restate-2 \(N2\) is (dead|suspect), and no node of the files in \. runs it \(restate-2 runs restate-2-r1 now\)/,
      );
      const finish = stopped.stderr
        .split('\n')
        .filter((l) => l.startsWith('     '))
        .map((l) => l.trim())
        .join('\n');
      expect(finish).toMatch(/^docker compose up -d --wait restate-2 &&\n/);
      expect(finish).toContain('nodes remove --nodes N2');
      await paste(`${finish}\n`);
      // Then the change's own block, pasted again: it now passes its readies.
      await paste(rolling!.block);
    });
    const rows = sql<{ plain_node_id: string; state: string }>('select plain_node_id, state from nodes');
    expect(rows.find((n) => n.plain_node_id === 'N2')).toBeUndefined();
    expect(rows.find((n) => n.plain_node_id === 'N1002')?.state).toBe('alive');
  });

  const members = () =>
    sql<{ name: string }>("select name from nodes where metadata_server_state = 'member' and state = 'alive'")
      .map((n) => n.name)
      .sort();

  test('c. growing to 5 nodes with a metadata group of 5, the printed steps pasted under load', async () => {
    await underLoad('grow-3-to-5', async () => {
      nodes.push('restate-4', 'restate-5');
      await regenerateAndPaste(engine.env, dir, ['--nodes', '5', '--metadata-nodes', '5'], paste);
    });
    await waitFor('5 metadata members', 60, () => (members().length === 5 ? true : members().join(', ')), 1000);
  });

  test("d. shrinking to 3 nodes by Restate's removal procedure, as printed, under load: no orphan container or volume", async () => {
    await underLoad('shrink-5-to-3', async () => {
      nodes.splice(3);
      await regenerateAndPaste(engine.env, dir, ['--nodes', '3', '--force'], paste);
    });
    expect(members()).toHaveLength(3);
    const left = docker(['ps', '-a', '--format', '{{.Names}}', '--filter', `name=${project}-restate-`])
      .stdout.split('\n')
      .filter(Boolean);
    expect(left.sort()).toEqual(nodes.map((n) => `${project}-${n}-1`).sort());
    const volumes = docker(['volume', 'ls', '-q', '--filter', `name=${project}_restate-`])
      .stdout.split('\n')
      .filter(Boolean);
    expect(volumes.sort()).toEqual(nodes.map((n) => `${project}_${n}-data`).sort());
  });

  test('c. growing again to 4 after the shrink: the dropped slot comes back as a new Restate node that joins', async () => {
    await underLoad('regrow-3-to-4', async () => {
      nodes.push('restate-4');
      const out = await regenerateAndPaste(engine.env, dir, ['--nodes', '4'], paste);
      // Restate keeps N4's tombstone and the others its last generation: N4 itself never rejoins.
      expect(out).toContain('restate-4 joins as restate-4-r1 (N1004)');
    });
    expect(sql<{ name: string }>("select name from nodes where state = 'alive'").map((n) => n.name)).toContain(
      'restate-4-r1',
    );
  });

  test('f. docker compose down, then up -d: every count kept, the cluster serves again', async () => {
    await underLoad('down-up', () =>
      paste(`docker compose down --timeout 75\ndocker compose up -d --wait\nnode ${CLI} ready .\n`),
    );
  });

  // As `systemctl restart docker` does: the daemon stops every container in its grace period
  // and starts again those whose restart policy says so (every generated service says so).
  test('f. a restart of the Docker daemon under load: every count kept, the cluster serves again', async () => {
    const startedAt = () =>
      docker(['inspect', '-f', '{{.State.StartedAt}}', ...nodes.map((n) => `${project}-${n}-1`)]).stdout;
    const before = startedAt();
    await underLoad('daemon-restart', () =>
      paste(`bash ${join(engine.scripts, 'engine.sh')} restart\nnode ${CLI} ready .\n`),
    );
    // Every node was stopped and started again by the daemon, none by hand.
    const after = startedAt().split('\n').filter(Boolean);
    expect(after).toHaveLength(nodes.length);
    after.forEach((time, i) => expect(time).not.toBe(before.split('\n')[i]));
  });
});
