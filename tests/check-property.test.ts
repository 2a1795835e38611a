// What gen-compose writes, check passes (issue 20): for every Restate version the project can
// generate, random valid options on both targets, judged by that version's own restate-server
// (fetched from npm when it is not at hand), with zero errors.
import { join } from 'node:path';
import fc from 'fast-check';
import { jest } from '@jest/globals';
import { PUBLISHED_VERSIONS } from '../src/restate/versions.js';
import { runCli, tempDir } from './helpers.js';
import type { CheckResult } from '../src/check/check.js';

jest.setTimeout(900_000);

/** Options a user may combine, each drawn among valid values (the refusals are property.test.ts's). */
const optionsArb = fc
  .record({
    nodes: fc.integer({ min: 1, max: 6 }),
    replication: fc.integer({ min: 1, max: 3 }),
    target: fc.constantFrom('compose', 'swarm'),
    retained: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    records: fc.option(fc.integer({ min: 100, max: 50_000 }), { nil: undefined }),
    memory: fc.constantFrom(undefined, '2G', '4G', '8G'),
  })
  .filter((o) => o.replication <= o.nodes && (o.nodes === 1 || o.nodes >= 2 * o.replication - 1));

type Options = typeof optionsArb extends fc.Arbitrary<infer T> ? T : never;

function argsOf(o: Options, version: string, out: string): string[] {
  return [
    '--restate-version',
    version,
    '--nodes',
    String(o.nodes),
    '--replication',
    String(o.replication),
    '--target',
    o.target,
    ...(o.retained === undefined ? [] : ['--snapshots-retained', String(o.retained)]),
    ...(o.records === undefined ? [] : ['--snapshot-interval-records', String(o.records)]),
    ...(o.memory === undefined ? [] : ['--memory', o.memory]),
    '--out',
    out,
  ];
}

test.each([...PUBLISHED_VERSIONS])(
  'generated clusters of Restate %s pass check with that version, 0 errors',
  (version) => {
    fc.assert(
      fc.property(optionsArb, (options) => {
        const dir = tempDir();
        try {
          const generated = runCli(argsOf(options, version, join(dir.path, 'cluster')));
          expect(generated.stderr).toBe('');
          expect(generated.status).toBe(0);
          const r = runCli(['check', join(dir.path, 'cluster'), '--fetch', '--json']);
          const result = JSON.parse(r.stdout) as CheckResult;
          expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
          expect(result.restateServers.map((s) => s.version)).toEqual([version]);
          expect(r.status).toBe(0);
        } finally {
          dir.remove();
        }
      }),
      { numRuns: 3 },
    );
  },
);
