// The rules of src/restate/settings.ts that say which .env values stop restate-server, held
// against the real binaries (the oldest and newest version gen-compose writes): every sample is
// given to restate-server, and the rule must agree with what the server does with it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBinary, findBinary, type Binary } from '../src/restate/binaries.js';
import { RESTATE_VALUE_KINDS, restateValueProblem } from '../src/restate/settings.js';
import { compareVersions, VERSIONED_RENAMES } from '../src/restate/versions.js';

const SAMPLES: Record<string, string[]> = {
  RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: [
    '768MiB',
    '768MB-typo',
    '0',
    '0MiB',
    '0.0001KiB',
    '1e3',
    '-1',
    '1,5GiB',
    ' 768MiB ',
    '768P',
    '768e',
    '0.5',
    '0.5GiB',
    '.5GiB',
    '1.GiB',
    '768MIB',
    '768MiBs',
    '768 m',
    '768 Ki',
    '768bytes',
    '+768',
    '2048',
    '',
    '768i',
  ],
  RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE: ['256MiB', '0', '256 mb', '256MBB'],
  RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL_NUM_RECORDS: [
    '1000',
    '0',
    '+5',
    ' 5 ',
    '1e3',
    '1_000',
    '5.0',
    '',
    '9223372036854775807',
    '18446744073709551616',
    '-3',
  ],
  RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED: ['1', '255', '256', '0', ' 3 ', '+3', '003', '3.0', '1e2', '', '-1'],
  RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED: ['1', '255', '256', '0', '+3', '3.0', ''],
  RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: ['true', 'false', 'True', '1', 'yes', ''],
  RESTATE_LOG_FILTER: [
    'warn,restate=info',
    'warn,restate=bogus',
    'warn, restate=info',
    'warn,,restate=INFO',
    'restate',
    'bogus',
    '%',
    'restate%',
    '=info',
    'x=',
    'x=5',
    'x=6',
    'restate=info=warn',
    'restate= info',
    'restate=warn ',
    'restate =info',
    'é=info',
    'warn ,restate=info',
    'restate[',
    '[',
    'warn,[',
    'restate[x]=info',
    '',
  ],
};

const LOG_PANIC = 'failed to configure logging';

/**
 * What the server does with one value: a config key is read by --dump-config (which exits at
 * once); the log filter only when the server starts, so that one is started for a moment and
 * its output searched for the panic.
 */
function serverRefuses(binary: Binary, variable: string, value: string): Promise<boolean> {
  const root = mkdtempSync(join(tmpdir(), 'gen-compose-values-'));
  const startsServer = RESTATE_VALUE_KINDS[variable] === 'log filter';
  return new Promise((resolve) => {
    const child = spawn(binary.path, startsServer ? [] : ['--dump-config'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: root,
        TMPDIR: root,
        RESTATE_BASE_DIR: join(root, 'data'),
        // Ports of its own, so samples started side by side do not fight over 8080.
        RESTATE_BIND_ADDRESS: '127.0.0.1:0',
        RESTATE_ADMIN__BIND_ADDRESS: '127.0.0.1:0',
        RESTATE_INGRESS__BIND_ADDRESS: '127.0.0.1:0',
        [variable]: value,
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // The panic comes within milliseconds of the start; 8 s leaves room for a loaded machine
    // (at 1.2 s a loaded run took a slow start for an accepted filter). Ended at the panic.
    const timer = startsServer ? setTimeout(() => child.kill('SIGKILL'), 8000) : undefined;
    const panicked = (d: Buffer) => {
      if (startsServer && `${output}${d.toString()}`.includes(LOG_PANIC)) child.kill('SIGKILL');
    };
    child.stdout.on('data', panicked);
    child.stderr.on('data', panicked);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(root, { recursive: true, force: true });
      resolve(startsServer ? output.includes(LOG_PANIC) : code !== 0);
    });
  });
}

/** A renamed variable is read only by the versions on its side of the rename; any value passes the others. */
const readBy = (variable: string, version: string) =>
  VERSIONED_RENAMES.every(
    ({ before, after, since }) =>
      (variable !== before || compareVersions(version, since) < 0) &&
      (variable !== after || compareVersions(version, since) >= 0),
  );

const binaries = (): Binary[] => [fetchBinary('restate-server', '1.6.2'), findBinary('restate-server')];

describe('which .env values stop restate-server', () => {
  test('every kind has samples, and every sample of every kind is judged as both versions judge it', async () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(RESTATE_VALUE_KINDS).sort());
    const disagreements: string[] = [];
    for (const binary of binaries()) {
      const cases = Object.entries(SAMPLES)
        .filter(([variable]) => readBy(variable, binary.version))
        .flatMap(([variable, values]) => values.map((value) => ({ variable, value })));
      // A few at a time: the log filter samples each hold a starting server for up to 8 s.
      for (let i = 0; i < cases.length; i += 12) {
        await Promise.all(
          cases.slice(i, i + 12).map(async ({ variable, value }) => {
            const refused = await serverRefuses(binary, variable, value);
            const judged = restateValueProblem(variable, value) !== undefined;
            if (refused !== judged)
              disagreements.push(`${binary.version} ${variable}="${value}": server ${refused ? 'refuses' : 'accepts'}`);
          }),
        );
      }
    }
    expect(disagreements).toEqual([]);
  }, 300_000);

  test('a refusal names what is wrong', () => {
    expect(restateValueProblem('RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE', '768MB-typo')).toBe(
      'not a byte count such as 768MiB or 2GiB',
    );
    expect(restateValueProblem('RESTATE_LOG_FILTER', 'warn,restate=inf')).toBe(
      '"inf" in "restate=inf" is no level (trace, debug, info, warn, error, off)',
    );
    expect(restateValueProblem('RESTATE_CLUSTER_NAME', '%%%')).toBeUndefined();
  });
});
