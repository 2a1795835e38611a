// A fixed-seed slice of npm run fuzz (scripts/fuzz.mjs): random flags, hand-edited and foreign
// directories, the user's templates, interruptions at random instants and faults injected into
// the writer. Every count must be zero; a failure prints the seeds to replay.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { ROOT } from './helpers.js';

jest.setTimeout(300_000);

test("300 random invocations: no stack, no stray exit code, no touched directory, no mixed state, no disagreement, nothing of the user's lost", () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'fuzz.mjs'), '--runs', '300', '--seed', '20261121'], {
    encoding: 'utf8',
    timeout: 290_000,
  });
  expect(r.stdout).toMatch(/^300 invocations/);
  for (const label of [
    'stack traces',
    'exit codes other than 0/1/2',
    'not byte-identical',
    'not on one line',
    'mixed states',
    'disagree',
    "lost what was the user's",
  ]) {
    expect(r.stdout).toMatch(new RegExp(`^ +0  [^\\n]*${label}`, 'm'));
  }
  expect(r.status).toBe(0);
});
