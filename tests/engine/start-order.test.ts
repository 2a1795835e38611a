// The Restate nodes do not wait for MinIO or its bucket job (they only start MinIO: see the
// compose template and docs/speed.md). What that rests on, on a real Docker Engine: nodes started
// with no snapshot store at all (--no-deps) form their cluster, serve once the store comes, and
// snapshot into it. (A lost disk restored from those snapshots: the day-two drills.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { parse as parseDotenv } from 'dotenv';
import { CLI } from '../helpers.js';
import {
  aliveNodes,
  counterClient,
  describeWithEngine,
  startCounter,
  run,
  sleep,
  snapshotResult,
  waitFor,
} from './harness.js';

jest.setTimeout(600_000);

describeWithEngine('docker compose: the nodes need not wait for the snapshot store', (engine) => {
  const project = 'gce-test-start-order';
  const nodes = ['restate-1', 'restate-2', 'restate-3'];
  let dir = '';
  const counter = counterClient(['a', 'b', 'c']);
  const docker = (args: string[], allowFailure = false) => run(engine.env, 'docker', args, { cwd: dir, allowFailure });
  const compose = (args: string[], allowFailure = false) => docker(['compose', ...args], allowFailure);
  const published = (name: string) => `http://127.0.0.1:${parseDotenv(readFileSync(join(dir, '.env')))[name]}`;
  const ingress = (k: number) => published(`NODE${k}_INGRESS_PORT_OVERRIDE`);
  const ctl = (args: string[], allowFailure = false) =>
    compose(['exec', '-T', 'restate-1', 'restatectl', ...args], allowFailure);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `${project}-`));
    run(engine.env, process.execPath, [
      CLI,
      ...['--nodes', '3', '--replication', '2', '--cluster-name', project, '--port-offset', '2006', '--out', dir],
    ]);
  });

  afterAll(() => {
    if (!dir) return;
    docker(['rm', '-f', `${project}-counter`], true);
    compose(['down', '-v', '--remove-orphans', '--timeout', '30'], true);
    rmSync(dir, { recursive: true, force: true });
  });

  test('started without MinIO, the nodes form one cluster; with MinIO and its bucket 20 s later they serve and snapshot', async () => {
    compose(['up', '-d', '--no-deps', ...nodes]);
    // Nothing else runs: no snapshot store at all.
    const running = compose(['ps', '--format', '{{.Service}}']).stdout.trim().split('\n').sort();
    expect(running).toEqual(nodes);
    await waitFor(
      'three members alive in one cluster, no snapshot store anywhere',
      120,
      () => {
        const r = ctl(['sql', '--json', 'select name, state from nodes'], true);
        return r.status === 0 && aliveNodes(r.stdout).length === 3 ? true : (r.stderr || r.stdout).slice(0, 200);
      },
      1000,
    );
    // Long enough for every partition's first start to have met the missing store.
    await sleep(20_000);
    compose(['up', '-d', '--wait', 'minio', 'minio-create-bucket']);
    await startCounter(engine, project, published('NODE1_ADMIN_PORT_OVERRIDE'));
    for (let k = 1; k <= 3; k += 1)
      await waitFor(`invocations through restate-${k}`, 120, () => counter.addThrough(ingress(k)), 1000);
    expect(await counter.verifyThrough(ingress(3))).toBe(true);
    await waitFor(
      'a snapshot of every partition in the bucket made after the nodes started',
      120,
      () => {
        const r = ctl(['snapshots', 'create'], true);
        const result = snapshotResult(`${r.stdout}\n${r.stderr}`);
        if (r.status !== 0 || result.created.size === 0) return `exit ${r.status}: ${r.stderr.trim().slice(-200)}`;
        return result.failures.length === 0 ? true : `${result.failures.length} failed, e.g. ${result.failures[0]}`;
      },
      2000,
    );
    const listing = compose(['exec', '-T', 'minio', 'mc', 'ls', '--recursive', 'local/restate/snapshots']).stdout;
    expect(listing).toContain('latest.json');
  });

  test("a node's restart as the printed blocks do it starts a stopped MinIO too (a replacement restores from it)", () => {
    compose(['stop', 'minio']);
    compose(['up', '-d', '--wait', 'restate-2']);
    const running = compose(['ps', '--format', '{{.Service}}']).stdout.trim().split('\n');
    expect(running).toContain('minio');
  });
});
