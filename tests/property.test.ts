// Random flag combinations and hand-edited .env files thrown at the CLI. Every run must either
// succeed with output that passes the Compose schema and the planner's invariants, or fail with
// exit code 2, one line on stderr, and the output directory exactly as it was.
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { jest } from '@jest/globals';
import { parse as parseDotenv } from 'dotenv';
import { loadCompose } from '../src/load/loader.js';
import { CLUSTER_OPTIONS } from '../src/plan/option-registry.js';
import { runCli, schemaErrors, snapshotDir, tempDir } from './helpers.js';

jest.setTimeout(300_000);

const FLAGS: Record<string, fc.Arbitrary<string>> = {
  '--nodes': fc.oneof(fc.integer({ min: -1, max: 104 }).map(String), fc.constantFrom('x', '2.5', '', '007')),
  '--replication': fc.oneof(fc.integer({ min: -1, max: 6 }).map(String), fc.constantFrom('two', '')),
  '--metadata-nodes': fc.oneof(fc.integer({ min: 0, max: 8 }).map(String), fc.constant('all')),
  '--port-offset': fc.oneof(fc.integer({ min: -6000, max: 70000 }).map(String), fc.constantFrom('1e3', '-0')),
  '--cluster-name': fc.oneof(
    fc.constantFrom('restate-cluster', 'shop', 'Bad Name', '-x', 'a_b', ''),
    fc.string({ maxLength: 6 }),
  ),
  '--restate-version': fc.constantFrom('1.7.12', '1.7.10', '1.6.1', '1.5.3', 'latest', '1.7'),
  '--publish-address': fc.constantFrom('127.0.0.1', '0.0.0.0', '::1', '300.1.1.1', 'localhost'),
  '--expose': fc.constantFrom('ingress', 'admin,fabric', 'none', 's3-console,ingress', 'grafana', 'bogus', ''),
  '--memory': fc.constantFrom('4G', '1G', '512M', 'lots', '2GiB'),
  '--snapshots-retained': fc.oneof(fc.integer({ min: -1, max: 5 }).map(String), fc.constant('x')),
  '--snapshot-interval-records': fc.oneof(fc.integer({ min: -1, max: 100000 }).map(String), fc.constant('')),
};
const BOOLEANS = ['--force', '--unverified', '--dry-run', '--check'];
/** Options of the registry these properties leave to other tests, and why. */
const ELSEWHERE: Record<string, string> = {
  '--target': 'a stack has its own invariants (tests/swarm.test.ts), and the fuzz mixes targets',
  '--snapshots-endpoint': 'no MinIO to judge: tests/extras.test.ts and the fuzz',
  '--load-balancer': 'an add-on: tests/extras.test.ts and the fuzz',
  '--monitoring': 'an add-on: tests/extras.test.ts and the fuzz',
  '--templates': "the user's templates: tests/extras.test.ts and the fuzz",
  '--replaced-nodes': 'identities: tests/replace-node.test.ts',
  '--replace-node': 'a step on a running cluster: tests/replace-node.test.ts',
  '--preset': 'sets the others: tests/cli.test.ts and the fuzz',
};

test('every option of the registry is thrown at the CLI here, or named with the tests that cover it', () => {
  const here = new Set([...Object.keys(FLAGS), ...BOOLEANS, ...Object.keys(ELSEWHERE)]);
  expect(CLUSTER_OPTIONS.map((o) => `--${o.flag}`).filter((flag) => !here.has(flag))).toEqual([]);
});

const flagsArb = fc
  .tuple(
    fc
      .subarray(Object.keys(FLAGS), { maxLength: 4 })
      .chain((names) => fc.tuple(...names.map((n) => FLAGS[n]!.map((v) => [n, v] as const)))),
    fc.subarray(BOOLEANS, { maxLength: 2 }),
  )
  .map(([pairs, booleans]) => [...pairs.flatMap(([n, v]) => [n, v]), ...booleans]);

type Edit =
  { kind: 'set'; line: number; value: string } | { kind: 'delete'; line: number } | { kind: 'append'; text: string };
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    line: fc.nat(80),
    value: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer({ min: -5, max: 70000 }).map(String),
      fc.constantFrom('0.0.0.0', "it's", 'a b', '${X}', 'x}'),
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat(80) }),
  fc.record({
    kind: fc.constant('append' as const),
    text: fc.constantFrom('MY_VAR=1', 'garbage line', '# note', 'EMPTY=', 'QUOTED="a b"'),
  }),
);

function applyEdits(env: string, edits: Edit[]): string {
  let lines = env.split('\n');
  for (const e of edits) {
    const assignments = lines.map((l, i) => [l, i] as const).filter(([l]) => /^[A-Z_0-9]+=/.test(l));
    if (e.kind === 'append') lines.push(e.text);
    else if (assignments.length > 0) {
      const [line, index] = assignments[e.line % assignments.length]!;
      if (e.kind === 'delete') lines = lines.filter((_, i) => i !== index);
      else lines[index] = `${line.slice(0, line.indexOf('='))}=${e.value}`;
    }
  }
  return lines.join('\n');
}

/** What must hold for any cluster gen-compose writes, judged from the files as compose reads them. */
function assertInvariants(dir: string): void {
  const project = loadCompose(dir);
  expect(schemaErrors(project.raw)).toEqual([]);
  const nodes = project.services.filter((s) => s.name.startsWith('restate-'));
  expect(nodes.filter((n) => n.environment.RESTATE_AUTO_PROVISION === 'true')).toHaveLength(1);
  expect(
    nodes.every(
      (n) => n.environment.RESTATE_AUTO_PROVISION === 'true' || n.environment.RESTATE_AUTO_PROVISION === 'false',
    ),
  ).toBe(true);
  const ids = nodes.map((n) => n.environment.RESTATE_FORCE_NODE_ID);
  expect(new Set(ids).size).toBe(nodes.length);
  const ports = project.services.flatMap((s) => s.ports.map((p) => p.published!));
  expect(new Set(ports).size).toBe(ports.length);
  expect(ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)).toBe(true);
  const replication = Number(nodes[0]!.environment.RESTATE_DEFAULT_REPLICATION);
  expect(replication).toBeGreaterThanOrEqual(1);
  expect(replication).toBeLessThanOrEqual(nodes.length);
  expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
}

test('random flags over a hand-edited cluster: valid output, or exit 2 with one line and nothing touched', () => {
  const base = tempDir();
  try {
    const seedCluster = join(base.path, 'seed');
    expect(runCli(['--nodes', '3', '--out', seedCluster]).status).toBe(0);
    const secrets = parseDotenv(readFileSync(join(seedCluster, '.env')));
    let successes = 0;
    let refusals = 0;
    // Regenerations that carried the seed cluster's own password through: the kept-secret branch ran.
    let keptSeedPassword = 0;
    fc.assert(
      fc.property(flagsArb, fc.array(editArb, { maxLength: 4 }), fc.boolean(), (flags, edits, fresh) => {
        const work = tempDir();
        try {
          const out = join(work.path, 'cluster');
          if (!fresh) {
            cpSync(seedCluster, out, { recursive: true });
            writeFileSync(join(out, '.env'), applyEdits(readFileSync(join(out, '.env'), 'utf8'), edits), {
              mode: 0o600,
            });
          }
          const before = snapshotDir(out);
          const r = runCli([...flags, '--out', out]);
          if (r.status === 2) {
            refusals++;
            expect(r.stderr.trim().split('\n')).toHaveLength(1);
            expect(r.stderr).toMatch(/^gen-compose: /);
            expect(snapshotDir(out)).toEqual(before);
            return;
          }
          expect({ status: r.status, stderr: r.stderr }).toEqual({ status: expect.any(Number), stderr: '' });
          if (flags.includes('--dry-run') || flags.includes('--check')) {
            expect(snapshotDir(out)).toEqual(before);
            expect([0, 1]).toContain(r.status);
            return;
          }
          expect(r.status).toBe(0);
          successes++;
          assertInvariants(out);
          // Regenerating our own cluster never loses a credential that was there.
          if (!fresh && !flags.includes('--force')) {
            const after = parseDotenv(readFileSync(join(out, '.env')));
            const edited = parseDotenv(Buffer.from(before['.env']!.slice(4)));
            for (const name of ['MINIO_ROOT_PASSWORD', 'RESTATE_S3_SECRET_KEY']) {
              if (edited[name]) expect(after[name]).toBe(edited[name]);
              else expect(after[name]).toMatch(/^[A-Za-z0-9]{32}$/);
            }
            if (after.MINIO_ROOT_PASSWORD === secrets.MINIO_ROOT_PASSWORD) keptSeedPassword++;
          }
        } finally {
          work.remove();
        }
      }),
      // Fixed for CI (reproducible); PROPERTY_SEED and PROPERTY_RUNS explore further by hand.
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60), seed: Number(process.env.PROPERTY_SEED ?? 20261121) },
    );
    // The run means something only if both outcomes happened.
    expect(successes).toBeGreaterThan(5);
    expect(refusals).toBeGreaterThan(5);
    expect(keptSeedPassword).toBeGreaterThan(0);
  } finally {
    base.remove();
  }
});
