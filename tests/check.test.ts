import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkProject, type CheckResult } from '../src/check/check.js';
import type { Finding } from '../src/check/rulebook.js';
import { loadCompose } from '../src/load/loader.js';
import { UsageError } from '../src/errors.js';
import { COMPOSE_CASES, ruleOfCase } from './broken-files.js';
import { ROOT, runCli, tempDir } from './helpers.js';
import { jest } from '@jest/globals';

jest.setTimeout(180_000);

const check = (dir: string, shell: Record<string, string> = {}) =>
  checkProject(loadCompose(dir, { shell }), { fetch: false });
const problems = (r: CheckResult) => r.findings.filter((f) => f.severity !== 'info');
const brief = (f: Finding) => `${f.severity} ${f.rule} ${f.service ?? '-'} ${f.variable ?? '-'}`;

/** A copy of the committed 3-node example with its compose file edited: one fixture per rule. */
async function checkEdited(
  edit: (compose: string) => string,
  envEdit: (env: string) => string = (e) => e,
): Promise<CheckResult> {
  const dir = tempDir();
  try {
    cpSync(join(ROOT, 'examples', 'ha'), dir.path, { recursive: true });
    const file = join(dir.path, 'docker-compose.yaml');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    writeFileSync(join(dir.path, '.env'), envEdit(readFileSync(join(dir.path, '.env'), 'utf8')));
    return await check(dir.path);
  } finally {
    dir.remove();
  }
}

const everywhere = (from: string, to: string) => (compose: string) => compose.replaceAll(from, to);

describe.each(['dev', 'ha', 'prod'])('examples/%s', (dir) => {
  test('passes check with zero findings, proven with the real server', async () => {
    const result = await check(join(ROOT, 'examples', dir));
    expect(problems(result)).toEqual([]);
    expect(result.restateServers.map((s) => s.version)).toEqual(['1.7.12']);
  });
});

describe('the seeds, reproduced (tests/fixtures/seeds)', () => {
  const seed = (name: string) => check(join(ROOT, 'tests', 'fixtures', 'seeds', name));

  test('readme-stack: region, wget and curl healthchecks, MinIO on latest from Docker Hub, minioadmin, 1.5.3', async () => {
    const r = await seed('readme-stack');
    expect(
      r.findings
        .filter((f) => f.severity === 'error')
        .map(brief)
        .sort(),
    ).toEqual(
      [
        'error healthcheck minio -',
        'error healthcheck restate-1 -',
        'error healthcheck restate-2 -',
        'error healthcheck restate-3 -',
        'error image-registry minio -',
        'error image-tag minio -',
        'error snapshots restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
        'error snapshots restate-2 RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
        'error snapshots restate-3 RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
      ].sort(),
    );
    const warnings = r.findings
      .filter((f) => f.severity === 'warning')
      .map((f) => f.message)
      .join('\n');
    expect(warnings).toMatch(/"minioadmin" is a well-known default/);
    expect(warnings).toMatch(/Restate 1\.5\.3 cannot be verified here/);
    // Its ports are published on every interface: every unauthenticated one is named.
    expect(
      r.findings
        .filter((f) => f.rule === 'exposure')
        .map((f) => `${f.service} ${/publishes its (\S+ \S+)/.exec(f.message)![1]}`),
    ).toEqual([
      'restate-1 admin API',
      'restate-1 fabric port',
      'restate-2 admin API',
      'restate-2 fabric port',
      'restate-3 admin API',
      'restate-3 fabric port',
      'minio S3 API',
      'minio S3 console',
    ]);
    expect(warnings).toMatch(/no service creates the bucket of s3:\/\/restate\/snapshots/);
  });

  test('cluster-docs: three stale keys ignored by 1.7.12, and no node runs the ingress', async () => {
    const r = await seed('cluster-docs');
    const node1 = r.findings
      .filter((f) => f.service === 'node1' && f.rule === 'fidelity')
      .map((f) => `${f.variable}: ${f.message}`);
    expect(node1).toEqual([
      'RESTATE_BIFROST__REPLICATED_LOGLET__DEFAULT_LOG_REPLICATION: ignored by restate-server 1.7.12: bifrost.replicated-loglet.default-log-replication is no configuration key; use RESTATE_DEFAULT_REPLICATION (one setting for logs and partitions since 1.4)',
      'RESTATE_METADATA_SERVER__TYPE: ignored by restate-server 1.7.12: metadata-server.type is no configuration key; removed in 1.4; the replicated metadata server is the default',
      'RESTATE_ADMIN__QUERY_ENGINE__PGSQL_BIND_ADDRESS: ignored by restate-server 1.7.12: admin.query-engine.pgsql-bind-address is no configuration key; removed in 1.5 with the PostgreSQL endpoint (port 9071)',
    ]);
    expect(r.findings.filter((f) => f.rule === 'ingress').map(brief)).toEqual(['error ingress - RESTATE_ROLES']);
    // The replication it meant to set never arrived: the statement says what the cluster really has.
    expect(r.findings.find((f) => f.rule === 'fault-tolerance')?.message).toMatch(
      /log \(replication 1\): tolerates 0 node failures/,
    );
  });

  test('cluster-docs-older: metadata-store-client and default-replication-property ignored, so no metadata addresses at all', async () => {
    const r = await seed('cluster-docs-older');
    const node2 = r.findings.filter((f) => f.service === 'node2').map((f) => f.variable);
    expect(node2).toEqual(
      expect.arrayContaining([
        'RESTATE_METADATA_CLIENT__ADDRESSES',
        'RESTATE_BIFROST__REPLICATED_LOGLET__DEFAULT_REPLICATION_PROPERTY',
        'RESTATE_METADATA_SERVER__TYPE',
        'RESTATE_METADATA_STORE_CLIENT__TYPE',
        'RESTATE_METADATA_STORE_CLIENT__ADDRESSES',
        'RESTATE_ADMIN__QUERY_ENGINE__PGSQL_BIND_ADDRESS',
      ]),
    );
    expect(r.findings.find((f) => f.variable === 'RESTATE_METADATA_STORE_CLIENT__ADDRESSES')?.message).toMatch(
      /use RESTATE_METADATA_CLIENT__ADDRESSES \(metadata-store-client was renamed metadata-client in 1\.4\)/,
    );
  });

  test('local-to-replicated: valid settings; warned that clients list one metadata peer; no node keeps its data', async () => {
    const r = await seed('local-to-replicated');
    // The guide's nodes mount nothing at /restate-data: a recreate would lose each one.
    expect(problems(r).map(brief)).toEqual([
      'warning metadata-addresses node1 RESTATE_METADATA_CLIENT__ADDRESSES',
      'warning metadata-addresses node2 RESTATE_METADATA_CLIENT__ADDRESSES',
      'warning metadata-addresses node3 RESTATE_METADATA_CLIENT__ADDRESSES',
      'error data-volume node1 -',
      'error data-volume node2 -',
      'error data-volume node3 -',
    ]);
  });
});

describe('each rule has a broken file that trips it (tests/broken-files.ts)', () => {
  test.each(COMPOSE_CASES)('%s', async (name, edit, envEdit, expected) => {
    const r = await checkEdited(edit, envEdit);
    const lines = r.findings
      .filter((f) => f.rule === ruleOfCase(name))
      .map((f) => `${brief(f)}: ${f.message}`)
      .join('\n');
    expect(lines).toMatch(expected);
  });

  test('healthcheck: curl in the MinIO image', async () => {
    const r = await checkEdited(
      everywhere(
        'test: ["CMD", "mc", "ready", "local"]',
        'test: ["CMD", "curl", "-f", "http://localhost:9000/minio/health/live"]',
      ),
    );
    expect(r.findings.filter((f) => f.rule === 'healthcheck').map((f) => `${brief(f)}: ${f.message}`)).toEqual([
      'error healthcheck minio -: the healthcheck calls curl, which MinIO images have not shipped since late 2023: use ["CMD", "mc", "ready", "local"]',
    ]);
  });
});

describe('binaries and versions', () => {
  test('no restate-server at hand: a clear warning, not silence', async () => {
    const r = await checkProject(loadCompose(join(ROOT, 'examples', 'ha')), {
      fetch: false,
      locate: () => {
        throw new UsageError('restate-server not found (looked in node_modules and PATH)');
      },
    });
    expect(r.restateServers).toEqual([]);
    expect(r.unproven).toEqual(['restate-1', 'restate-2', 'restate-3']);
    expect(r.findings.map(brief)).toContain('warning fidelity-skipped - -');
    expect(r.findings.find((f) => f.rule === 'fidelity-skipped')?.message).toMatch(
      /settings not proven against a real server: restate-server not found/,
    );
  });

  test.each([
    ['1.6.1', 'RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED'],
    ['1.7.12', 'RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED'],
  ])(
    "the output for %s (oldest and newest) passes check with that version's own binary, fetched from npm",
    (version, retained) => {
      const dir = tempDir();
      try {
        expect(
          runCli(['--restate-version', version, '--snapshots-retained', '3', '--memory', '4G', '--out', dir.path])
            .status,
        ).toBe(0);
        expect(readFileSync(join(dir.path, 'docker-compose.yaml'), 'utf8')).toContain(`${retained}:`);
        const r = runCli(['check', dir.path, '--fetch', '--json']);
        const result = JSON.parse(r.stdout);
        expect(result.restateServers.map((s: { version: string }) => s.version)).toEqual([version]);
        expect(result.findings.filter((f: Finding) => f.severity !== 'info')).toEqual([]);
        expect(r.status).toBe(0);
      } finally {
        dir.remove();
      }
    },
  );

  test("1.7's key in a 1.6.1 file is caught by 1.6.1's binary, with the 1.6 spelling suggested", () => {
    const dir = tempDir();
    try {
      expect(runCli(['--restate-version', '1.7.12', '--snapshots-retained', '3', '--out', dir.path]).status).toBe(0);
      const env = join(dir.path, '.env');
      writeFileSync(env, readFileSync(env, 'utf8').replace('RESTATE_VERSION=1.7.12', 'RESTATE_VERSION=1.6.1'));
      const r = runCli(['check', dir.path, '--fetch']);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(
        /error {3}restate-1 RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED: ignored by restate-server 1\.6\.1: worker\.snapshots\.num-retained is no configuration key; use RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED: RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED is read from 1\.7\.0 on/,
      );
    } finally {
      dir.remove();
    }
  });

  test("--fetch for a version npm does not have: judged by the binary at hand, with npm's own reason", () => {
    const dir = tempDir();
    try {
      expect(runCli(['--restate-version', '1.6.1', '--out', dir.path]).status).toBe(0);
      const env = join(dir.path, '.env');
      writeFileSync(env, readFileSync(env, 'utf8').replace('RESTATE_VERSION=1.6.1', 'RESTATE_VERSION=1.6.0'));
      const r = runCli(['check', dir.path, '--fetch']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(
        /^warning the file runs Restate 1\.6\.0, but the settings were checked with restate-server 1\.\d+\.\d+ \(\w+\); keys differ between versions \(--fetch: npm error notarget No matching version found for @restatedev\/restate-server-linux-x64@1\.6\.0/m,
      );
    } finally {
      dir.remove();
    }
  });

  test('the CLI: text summary, exit 1 on errors, exit 2 on a missing target', () => {
    const ok = runCli(['check', join(ROOT, 'examples', 'ha')]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(
      /0 error\(s\), 0 warning\(s\); settings proven with restate-server 1\.7\.12 --dump-config/,
    );
    const seed = runCli(['check', join(ROOT, 'tests', 'fixtures', 'seeds', 'cluster-docs')]);
    expect(seed.status).toBe(1);
    const missing = runCli(['check', '/nonexistent/dir']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('gen-compose: /nonexistent/dir does not exist');
  });
});

test('exposure: an address compose refuses is an error; Prometheus and Grafana on the network are warnings', async () => {
  const bad = await checkEdited(
    (c) => c,
    (env) => env.replace('ADMIN_PUBLISH_ADDRESS=127.0.0.1', 'ADMIN_PUBLISH_ADDRESS=bogus'),
  );
  expect(bad.findings.filter((f) => f.rule === 'ports' && f.severity === 'error').map((f) => f.service)).toEqual([
    'restate-1',
    'restate-2',
    'restate-3',
  ]);
  expect(bad.findings.filter((f) => f.rule === 'exposure')).toEqual([]);
  const dir = tempDir();
  try {
    expect(runCli(['--monitoring', '--expose', 'prometheus,grafana', '--out', dir.path]).status).toBe(0);
    const r = await check(dir.path);
    expect(r.findings.filter((f) => f.rule === 'exposure').map((f) => f.service)).toEqual(['prometheus', 'grafana']);
  } finally {
    dir.remove();
  }
});
