import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli, tempDir } from './helpers.js';

// `gen-compose ready` refuses what no amount of waiting fixes, at once, in one line (exit 2).
// Its waiting itself is proven on real Docker (tests/engine/day-two.test.ts).
let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
  expect(runCli(['--out', join(dir.path, 'compose')]).status).toBe(0);
  expect(runCli(['--target', 'swarm', '--out', join(dir.path, 'swarm')]).status).toBe(0);
});
afterAll(() => dir.remove());

test.each<[string, (d: string) => string[], string]>([
  ['a directory that does not exist', (d) => ['ready', join(d, 'none')], 'DIR/none does not exist'],
  [
    'a time-out that is no number',
    (d) => ['ready', join(d, 'compose'), '--timeout', 'x'],
    '--timeout must be a number of seconds above 0, got "x"',
  ],
  [
    'a time-out of 0',
    (d) => ['ready', join(d, 'compose'), '--timeout', '0'],
    '--timeout must be a number of seconds above 0, got "0"',
  ],
  [
    'leaving nodes that are no node IDs',
    (d) => ['ready', join(d, 'compose'), '--leaving', '4,5'],
    '--leaving takes Restate node IDs such as N4,N5, got "4,5"',
  ],
  [
    'a Swarm stack without its name',
    (d) => ['ready', join(d, 'swarm')],
    'DIR/swarm/docker-stack.yaml is a Swarm stack: name it with --stack NAME (the name given to docker stack deploy; docker stack ls lists them)',
  ],
  [
    'a stack name for a compose project',
    (d) => ['ready', join(d, 'compose'), '--stack', 'restate-cluster'],
    '--stack names a Swarm stack, and DIR/compose/docker-compose.yaml is a compose project',
  ],
  [
    'a file named for its directory',
    (d) => ['ready', join(d, 'compose', 'docker-compose.yaml')],
    "ready takes the cluster's directory, the one that holds its compose file; DIR/compose/docker-compose.yaml is a file (give DIR/compose)",
  ],
  [
    'a stack name no stack can have',
    (d) => ['ready', join(d, 'swarm'), '--stack', 'a b'],
    '--stack takes a stack name (letters, digits, _ . -), got "a b"',
  ],
])('ready refuses %s', (_, args, message) => {
  const r = runCli(args(dir.path));
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 2,
    stderr: `gen-compose: ${message.replaceAll('DIR', dir.path)}\n`,
  });
});

test("a failed look says restatectl's cause, not only its first line", async () => {
  const { firstLine } = await import('../src/operate/restatectl-access.js');
  const failed = (stderr: string) => ({ status: 1, stderr, stdout: '', error: undefined }) as never;
  expect(
    firstLine(
      failed(
        `Error: Failed to run query\n  ├─ code: 'The service is currently unavailable', message: "svc is not ready yet"\n`,
      ),
    ),
  ).toBe('Error: Failed to run query (svc is not ready yet)');
  expect(firstLine(failed('no such container\n'))).toBe('no such container');
});

test('a look that read the nodes table but timed out on the rest names the nodes that are gone', async () => {
  const { partialView } = await import('../src/operate/ready.js');
  const nodes = JSON.stringify([
    { name: 'restate-1', plain_node_id: 'N1', state: 'alive' },
    { name: 'restate-3', plain_node_id: 'N3', state: 'dead' },
  ]);
  expect(partialView('restate-1', [nodes, '[]'], 124)).toBe(
    'restate-3 (N3) is dead; restatectl sql through restate-1 did not answer within 8s for the partitions and logs',
  );
  expect(partialView('restate-2', ['not json', ''], 1)).toBeUndefined();
});

/** A directory holding a stand-in docker: `script` answers every docker call. */
function standInDocker(script: string): string {
  const bin = join(dir.path, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return bin;
}

/** `ready` with a stand-in docker on PATH. */
function readyWithDocker(script: string, args: string[]) {
  const bin = standInDocker(script);
  return spawnSync(process.execPath, [CLI, 'ready', join(dir.path, 'swarm'), '--stack', 'restate-cluster', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
}
const SERVICES = 'printf "restate-cluster_restate-1\\nrestate-cluster_restate-2\\nrestate-cluster_restate-3\\n"';

test('--updated: a Swarm update that was paused or rolled back stops the block in one line', () => {
  const r = readyWithDocker(
    `case "$1 $2" in "stack services") ${SERVICES} ;; "service inspect") echo "paused update paused due to failure" ;; *) exit 1 ;; esac`,
    ['--updated', 'restate-2'],
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    "gen-compose ready: Swarm's update of restate-cluster_restate-2 is paused (update paused due to failure), not completed: docker service ps restate-cluster_restate-2 says why; once that is fixed, run gen-compose again for the steps\n",
  );
  const wrong = readyWithDocker(`${SERVICES}`, ['--updated', 'restate-9']);
  expect(wrong.status).toBe(2);
  expect(wrong.stderr).toMatch(/--updated names restate-9, and \S+ has no such Restate node/);
});

test('--updated waits while the update runs, and a Ctrl-C during that wait ends ready with 130 (the block stops)', () => {
  // The update is still running at every look: ready waits on it, and the Ctrl-C reaches ready.
  const child = spawn(
    process.execPath,
    [CLI, 'ready', join(dir.path, 'swarm'), '--stack', 'restate-cluster', '--updated', 'restate-2'],
    {
      env: {
        ...process.env,
        PATH: `${standInDocker(`case "$1 $2" in "stack services") ${SERVICES} ;; "service inspect") echo "updating update in progress" ;; *) exit 1 ;; esac`)}:${process.env.PATH}`,
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<void>((resolve) => {
    setTimeout(() => child.kill('SIGINT'), 2500);
    child.on('close', (code, signal) => {
      // Dead of SIGINT or exit 130: either way bash stops the rest of the pasted block.
      expect(code === 130 || signal === 'SIGINT').toBe(true);
      expect(stderr).not.toMatch(/ready after/);
      resolve();
    });
  });
});

test("restatectl runs from the image the node's service runs now; one it cannot find stops ready at once, not after 300 s", () => {
  const log = join(dir.path, 'docker-calls');
  const r = readyWithDocker(
    `echo "$*" >> ${log}; case "$1 $2" in "stack services") ${SERVICES} ;; "service inspect") echo "docker.restate.dev/restatedev/restate:1.6.2" ;; "run --rm") echo "Unable to find image '$(echo "$*" | grep -o "restate:[0-9.]*")' locally" >&2; echo "docker: Error response from daemon: pull access denied" >&2; exit 125 ;; *) exit 1 ;; esac`,
    ['--timeout', '60'],
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(
    "gen-compose: restatectl's image is not on this host and cannot be pulled: Unable to find image 'restate:1.6.2' locally\n",
  );
  expect(readFileSync(log, 'utf8')).toMatch(/ docker\.restate\.dev\/restatedev\/restate:1\.6\.2 -c /);
});

test('Ctrl-C that kills the docker command ready waits for ends ready with 130 and says so, never "ready"', () => {
  const r = readyWithDocker('kill -INT $$', ['--timeout', '5']);
  expect(r.status).toBe(130);
  expect(r.stderr).toBe(
    'gen-compose ready: interrupted before the cluster was judged; run ready again (and the rest of the block after it)\n',
  );
});

test('Ctrl-C that reaches ready and a docker command that exits 255 on it (the docker CLI does) ends ready with 130 too', () => {
  const r = readyWithDocker('kill -INT $PPID; exit 255', ['--timeout', '5']);
  expect(r.status).toBe(130);
  expect(r.stderr).toBe(
    'gen-compose ready: interrupted before the cluster was judged; run ready again (and the rest of the block after it)\n',
  );
});

test('a node whose container is stopped or half made is named at once with the command that starts it; a restarting one is waited for', async () => {
  const { stoppedNodes } = await import('../src/operate/restatectl-access.js');
  const nodes = ['restate-1', 'restate-2', 'restate-3'];
  const ps = (lines: string[]) => lines.join('\n');
  expect(stoppedNodes('.', nodes, ps(['restate-1\trunning', 'restate-2\trestarting', 'restate-3\trunning']))).toBe(
    undefined,
  );
  // A Ctrl-C during `up -d --wait restate-2` left it stopped beside a half-made container of it.
  expect(
    stoppedNodes(
      '.',
      nodes,
      ps(['restate-1\trunning', 'restate-2\texited', 'restate-2\tcreated', 'restate-3\trunning']),
    ),
  ).toBe(
    'restate-2 is created, and no wait starts it: docker compose up -d --wait restate-2 starts it (docker compose logs restate-2 says why it stopped), then run ready again, or the block it began',
  );
  expect(
    stoppedNodes('.', nodes, ps(['restate-1\trunning', 'restate-2\texited', 'restate-2\trunning', 'minio\trunning'])),
  ).toBe(
    'restate-3 is not created, and no wait starts it: docker compose up -d --wait restate-3 starts it (restate-3 has no container: it was removed, or never created), then run ready again, or the block it began',
  );
  expect(stoppedNodes('DIR', nodes, ps(['restate-1\texited', 'minio\trunning']))).toBe(
    'no Restate node of DIR is running (restate-1, restate-2, restate-3); start them with docker compose up -d',
  );
});

test('a snapshot store that does not run is named, with the command that starts it', async () => {
  const { storesDown } = await import('../src/operate/restatectl-access.js');
  const ps = (lines: string[]) => lines.join('\n');
  expect(storesDown(['minio'], ps(['restate-1\trunning', 'minio\trunning']))).toBeUndefined();
  expect(storesDown(['minio'], ps(['restate-1\trunning', 'minio\texited']))).toEqual({
    services: ['minio'],
    said: 'minio is exited',
  });
  expect(storesDown(['minio'], ps(['restate-1\trunning']))?.said).toBe('minio is not created');
});
