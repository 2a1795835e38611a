// Real rehearsals: real restate-server and restatectl processes, the s3rver stand-in and the
// counter service written with the Restate SDK, driven through the CLI as a user runs it.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { parse as parseDotenv } from 'dotenv';
import { findBinary } from '../src/restate/binaries.js';
import { CLI, ROOT, runCli, tempDir } from './helpers.js';

import { jest } from '@jest/globals';

jest.setTimeout(240_000);

/**
 * Every *_PORT_OVERRIDE of a cluster's .env shifted by `offset`, as shell variables: compose
 * (and rehearse) let the shell override .env, so the committed example runs unchanged on
 * ports nothing else on the machine uses.
 */
function shiftedPorts(dir: string, offset: number): Record<string, string> {
  const env = parseDotenv(readFileSync(join(dir, '.env')));
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name]) => name.endsWith('_PORT_OVERRIDE'))
      .map(([name, value]) => [name, String(Number(value) + offset)]),
  );
}

/**
 * Every rehearsal here gets its temporary directory inside this one (TMPDIR), and rehearse
 * marks each process it starts with GEN_COMPOSE_REHEARSAL=<its temporary directory>: so
 * leftovers are this file's own, never another checkout's rehearsal running beside it.
 */
let scratch: ReturnType<typeof tempDir>;
beforeAll(() => {
  scratch = tempDir('gen-compose-rehearse-test-');
});
afterAll(() => scratch.remove());

function rehearse(dir: string, shell: Record<string, string>, extra: string[] = []) {
  const r = spawnSync(process.execPath, [CLI, 'rehearse', dir, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, ...shell, TMPDIR: scratch.path },
    timeout: 230_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Processes a rehearsal of this file started that still run, and what is left in its temporary directories. */
function leftovers(): string {
  const marker = `GEN_COMPOSE_REHEARSAL=${scratch.path}/`;
  const running = readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1')
          .split('\0')
          .some((v) => v.startsWith(marker));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim()}`);
  return [...running, ...readdirSync(scratch.path)].join('\n');
}
const noRestateServerLeft = leftovers;

/** What leftovers() found, stopped first: a defect's kept cluster must not outlive the test. */
function stopLeftovers(): string {
  const left = leftovers();
  for (const pid of left.split('\n').map((l) => Number(l.split(' ')[0])))
    if (pid > 0) spawnSync('kill', ['-9', String(pid)]);
  return left;
}

/** examples/ha copied into `dir`, restate-3 advertising restate-2's address (a refusing error). */
function copyWithWrongAdvertisedAddress(dir: string): void {
  cpSync(join(ROOT, 'examples', 'ha'), dir, { recursive: true });
  const file = join(dir, 'docker-compose.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-3:5122"',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-2:5122"',
    ),
  );
}

test('the committed 3-node example forms one cluster, serves through every ingress, snapshots, and survives a node loss', () => {
  const dir = join(ROOT, 'examples', 'ha');
  // A running restate-server makes invoker-<id> directories in its TMPDIR (thousands piled up in
  // /tmp): rehearse gives its nodes their own, removed with the rest.
  const invokerDirs = () => readdirSync('/tmp').filter((name) => name.startsWith('invoker-'));
  const before = new Set(invokerDirs());
  const r = rehearse(dir, shiftedPorts(dir, 1311), ['--verbose']);
  expect(invokerDirs().filter((name) => !before.has(name))).toEqual([]);
  expect(r.output).toMatch(/Rehearsal of .*: PASS/);
  expect(r.status).toBe(0);
  expect(r.output).toMatch(/PASS {2}start 3 restate-server process\(es\) and wait for one healthy cluster/);
  expect(r.output).toMatch(/restate-1, restate-2, restate-3 alive in one cluster/);
  expect(r.output).toMatch(/invoked through every ingress \(9391, 29391, 39391\)/);
  expect(r.output).toMatch(/all 24 partitions snapshotted; \d+ object\(s\) under s3:\/\/restate\/snapshots/);
  expect(r.output).toMatch(
    /restate-3 killed; invocations through restate-1, restate-2 succeeded .* all 8 counters = 5, exactly as expected/,
  );
  expect(r.output).toMatch(/restate-3 rejoined after .* every counter = 6/);
  expect(r.output).toMatch(
    /restate-2: RESTATE_ADVERTISED_ADDRESS http:\/\/restate-2:5122 → http:\/\/127\.0\.0\.1:26433/,
  );
  expect(r.output).toMatch(/first successful invocation: [\d.]+s after start/);
  expect(noRestateServerLeft()).toBe('');
});

test('a 1-node cluster passes, and the report says it cannot survive a node loss instead of pretending', () => {
  const dir = tempDir();
  try {
    expect(runCli(['--nodes', '1', '--out', dir.path, '--port-offset', '1422']).status).toBe(0);
    const r = rehearse(dir.path, {});
    expect(r.output).toMatch(/PASS/);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(
      /SKIP {2}kill one node \(SIGKILL\)[^\n]*\n\s+this topology does not survive a node loss: a single node has no peer to fail over to/,
    );
    expect(noRestateServerLeft()).toBe('');
  } finally {
    dir.remove();
  }
});

test('a misspelled RESTATE_AUTO_PROVISION fails the rehearsal, naming the cause', () => {
  // Not booted: two auto-provisioning nodes form one cluster or two depending on timing (both
  // seen here), so only refusing the file is a dependable verdict.
  const dir = tempDir();
  try {
    cpSync(join(ROOT, 'examples', 'ha'), dir.path, { recursive: true });
    const file = join(dir.path, 'docker-compose.yaml');
    const compose = readFileSync(file, 'utf8');
    const two = compose.indexOf('\n  restate-2:\n');
    const at = compose.indexOf('RESTATE_AUTO_PROVISION:', two);
    writeFileSync(
      file,
      `${compose.slice(0, at)}RESTATE_AUTO_PROVISONING:${compose.slice(at + 'RESTATE_AUTO_PROVISION:'.length)}`,
    );
    const r = rehearse(dir.path, shiftedPorts(dir.path, 1533));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/Rehearsal of .*: FAIL/);
    expect(r.output).toMatch(
      /restate-2 RESTATE_AUTO_PROVISION: not set, so true \(Restate's default\): 2 nodes would auto-provision \(restate-1, restate-2\); at most one may, or each forms a cluster of its own \(check: single-auto-provision\)/,
    );
    expect(r.output).not.toMatch(/start 3 restate-server/);
    expect(noRestateServerLeft()).toBe('');
  } finally {
    dir.remove();
  }
});

test('a wrong advertised address stops the rehearsal before anything starts, naming the variable', () => {
  const dir = tempDir();
  try {
    copyWithWrongAdvertisedAddress(dir.path);
    const r = rehearse(dir.path, shiftedPorts(dir.path, 1644));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(
      /restate-3 RESTATE_ADVERTISED_ADDRESS: http:\/\/restate-2:5122 names restate-2, not restate-3 itself \(check: advertised-address\)/,
    );
    expect(r.output).not.toMatch(/start 3 restate-server/);
  } finally {
    dir.remove();
  }
});

/**
 * Starts a rehearsal of examples/ha, waits until its restate-server processes run, then ends it
 * the way `how` says; resolves with its exit once it has exited.
 */
/** Whether nothing listens on 127.0.0.1:port (a bind, as rehearse's own check does). */
const portFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

/**
 * The first offset from `start` at which every port of examples/ha is free. Node 3's ports are
 * in Linux's ephemeral range (32768–60999): any process's outgoing connection may hold one (CI
 * saw restate-3's admin port taken at one fixed offset, three tests in a row).
 */
async function freeOffset(dir: string, start: number): Promise<number> {
  for (let offset = start; offset < start + 3000; offset += 97) {
    const ports = Object.values(shiftedPorts(dir, offset)).map(Number);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return offset;
  }
  throw new Error(`no free port offset for ${dir} from ${start}`);
}

async function endMidway(
  how: 'SIGTERM' | 'SIGHUP' | 'SIGINT' | 'pipe',
  start: number,
): Promise<{ code: number | null; output: string }> {
  const dir = join(ROOT, 'examples', 'ha');
  const env = { ...process.env, ...shiftedPorts(dir, await freeOffset(dir, start)), TMPDIR: scratch.path };
  // The pipe case is the user's own line: a reader that stops after six lines.
  const child =
    how === 'pipe'
      ? spawn('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" rehearse "${dir}" | head -6`], { env })
      : spawn(process.execPath, [CLI, 'rehearse', dir], { env });
  let output = '';
  let scheduled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (how !== 'pipe' && !scheduled && /start 3 restate-server process\(es\)/.test(output)) {
      scheduled = true;
      setTimeout(() => child.kill(how), 1500);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** Leftovers, given a moment: the kernel frees a killed process's entry asynchronously. */
async function settledLeftovers(): Promise<string> {
  for (let i = 0; i < 20 && leftovers() !== ''; i++) await new Promise((r) => setTimeout(r, 250));
  return leftovers();
}

describe('however a rehearsal ends, everything it started stops and its temporary directory goes', () => {
  test('its reader closes the pipe (rehearse DIR | head -6)', async () => {
    const r = await endMidway('pipe', 1755);
    expect(r.output.trim().split('\n')).toHaveLength(6);
    expect(r.output).not.toMatch(/EPIPE|unexpected error/);
    expect(await settledLeftovers()).toBe('');
  });

  test.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)('%s', async (signal, code) => {
    const r = await endMidway(signal, 1866);
    expect(r.output).toContain(`${signal}: stopping every process the rehearsal started`);
    expect(r.code).toBe(code);
    expect(await settledLeftovers()).toBe('');
  });
});

test.each([['abc'], ['0'], ['-5'], ['']])('rehearse --wait %j is refused in one line', (wait) => {
  const r = rehearse(join(ROOT, 'examples', 'ha'), {}, ['--wait', wait]);
  expect(r.output).toBe(`gen-compose: --wait must be a number of seconds above 0, got "${wait}"\n`);
  expect(r.status).toBe(2);
});

test('bad input to rehearse is one line and exit 2, with nothing left behind', () => {
  const missing = rehearse('/nonexistent/cluster', {});
  expect(missing.status).toBe(2);
  expect(missing.output).toMatch(/gen-compose: \/nonexistent\/cluster does not exist\n$/);
  const noBinary = rehearse(join(ROOT, 'examples', 'ha'), {}, ['--restate-server', '/no/such/binary']);
  expect(noBinary.status).toBe(2);
  expect(noBinary.output).toMatch(/gen-compose: --restate-server \/no\/such\/binary is not an executable file\n$/);
});

test('--keep on a rehearsal that stopped before starting anything keeps nothing and says so', () => {
  const dir = tempDir();
  try {
    copyWithWrongAdvertisedAddress(dir.path);
    const r = rehearse(dir.path, shiftedPorts(dir.path, 1655), ['--keep']);
    const left = stopLeftovers();
    expect(r.output).toMatch(/\(check: advertised-address\)/);
    expect(r.status).toBe(1);
    expect(r.output).not.toMatch(/still running/);
    expect(r.output).toMatch(/--keep: no node is running \(none was started\), so nothing is kept\n/);
    expect(left).toBe('');
  } finally {
    dir.remove();
  }
});

test('--keep after every node exited keeps nothing: it lists no node as running', () => {
  const dir = tempDir();
  try {
    cpSync(join(ROOT, 'examples', 'ha'), dir.path, { recursive: true });
    // A restate-server that answers --version but exits at once as a node.
    const real = findBinary('restate-server', {}).path;
    const fake = join(dir.path, 'exits.sh');
    writeFileSync(
      fake,
      `#!/bin/sh\nif [ -n "$RESTATE_NODE_NAME" ]; then echo "boom $RESTATE_NODE_NAME" >&2; exit 3; fi\nexec ${real} "$@"\n`,
      { mode: 0o755 },
    );
    const r = rehearse(dir.path, shiftedPorts(dir.path, 1666), ['--keep', '--wait', '5', '--restate-server', fake]);
    const left = stopLeftovers();
    expect(r.status).toBe(1);
    expect(r.output).not.toMatch(/still running/);
    expect(r.output).toMatch(/--keep: no node is running, so nothing is kept\n/);
    expect(left).toBe('');
  } finally {
    dir.remove();
  }
});
