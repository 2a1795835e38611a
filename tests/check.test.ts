import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkProject, hasErrors, type CheckResult } from '../src/check/check.js';
import type { Finding } from '../src/check/rulebook.js';
import { loadCompose } from '../src/load/loader.js';
import { UsageError } from '../src/errors.js';
import { inService, ROOT, runCli, tempDir } from './helpers.js';
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
    expect(result.restateServer?.version).toBe('1.7.12');
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

  test('local-to-replicated: valid settings; warned that clients list one metadata peer', async () => {
    const r = await seed('local-to-replicated');
    expect(hasErrors(r)).toBe(false);
    expect(problems(r).map(brief)).toEqual([
      'warning metadata-addresses node1 RESTATE_METADATA_CLIENT__ADDRESSES',
      'warning metadata-addresses node2 RESTATE_METADATA_CLIENT__ADDRESSES',
      'warning metadata-addresses node3 RESTATE_METADATA_CLIENT__ADDRESSES',
    ]);
  });
});

describe('each rule has a fixture that trips it', () => {
  test.each<[string, (c: string) => string, (e: string) => string, RegExp]>([
    [
      'fidelity: a misspelled variable, with a suggestion',
      inService('restate-2', 'RESTATE_AUTO_PROVISION:', 'RESTATE_AUTO_PROVISONING:'),
      (e) => e,
      /error fidelity restate-2 RESTATE_AUTO_PROVISONING: ignored by restate-server 1\.7\.12: auto-provisoning is no configuration key; did you mean RESTATE_AUTO_PROVISION\?/,
    ],
    [
      'single-auto-provision (the misspelling leaves the default true)',
      inService('restate-2', 'RESTATE_AUTO_PROVISION:', 'RESTATE_AUTO_PROVISONING:'),
      (e) => e,
      /error single-auto-provision restate-2 RESTATE_AUTO_PROVISION: not set, so true \(Restate's default\): 2 nodes would auto-provision \(restate-1, restate-2\)/,
    ],
    [
      'fidelity: a value the server cannot read stops it',
      everywhere(
        'RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "true"',
        'RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "yes"',
      ),
      (e) => e,
      /error fidelity restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "yes" stops restate-server 1\.7\.12 from starting/,
    ],
    [
      'unique-node-identity: a duplicated node id',
      inService('restate-3', 'RESTATE_FORCE_NODE_ID: "3"', 'RESTATE_FORCE_NODE_ID: "2"'),
      (e) => e,
      /error unique-node-identity restate-2, restate-3 RESTATE_FORCE_NODE_ID: node id "2" is used by restate-2 and restate-3/,
    ],
    [
      'unique-node-identity: a duplicated node name',
      inService('restate-3', 'RESTATE_NODE_NAME: "restate-3"', 'RESTATE_NODE_NAME: "restate-2"'),
      (e) => e,
      /node name "restate-2" is used by restate-2 and restate-3/,
    ],
    [
      'same-cluster-name',
      inService(
        'restate-3',
        'RESTATE_FORCE_NODE_ID: "3"',
        'RESTATE_FORCE_NODE_ID: "3"\n      RESTATE_CLUSTER_NAME: "other"',
      ),
      (e) => e,
      /error same-cluster-name - RESTATE_CLUSTER_NAME: the nodes name different clusters/,
    ],
    [
      'advertised-address: another node',
      inService(
        'restate-3',
        'RESTATE_ADVERTISED_ADDRESS: "http://restate-3:5122"',
        'RESTATE_ADVERTISED_ADDRESS: "http://restate-2:5122"',
      ),
      (e) => e,
      /error advertised-address restate-3 RESTATE_ADVERTISED_ADDRESS: http:\/\/restate-2:5122 names restate-2, not restate-3 itself/,
    ],
    [
      'advertised-address: localhost',
      inService(
        'restate-3',
        'RESTATE_ADVERTISED_ADDRESS: "http://restate-3:5122"',
        'RESTATE_ADVERTISED_ADDRESS: "http://localhost:5122"',
      ),
      (e) => e,
      /is the container itself/,
    ],
    [
      'metadata-addresses: a service that does not exist',
      everywhere('"http://restate-3:5122"]', '"http://restate-9:5122"]'),
      (e) => e,
      /error metadata-addresses restate-1 RESTATE_METADATA_CLIENT__ADDRESSES: http:\/\/restate-9:5122 names no service/,
    ],
    [
      'metadata-addresses: a node without the metadata-server role',
      inService(
        'restate-3',
        'RESTATE_AUTO_PROVISION: "false"',
        'RESTATE_AUTO_PROVISION: "false"\n      RESTATE_ROLES: \'["http-ingress","admin","worker","log-server"]\'',
      ),
      (e) => e,
      /http:\/\/restate-3:5122 is restate-3, which does not run the metadata-server role/,
    ],
    [
      'metadata-addresses: a comma-separated string',
      everywhere(
        '\'["http://restate-1:5122","http://restate-2:5122","http://restate-3:5122"]\'',
        '"http://restate-1:5122,http://restate-2:5122"',
      ),
      (e) => e,
      /is not a list/,
    ],
    [
      'replication above the node count',
      (c) => c,
      (e) => e.replace('RESTATE_DEFAULT_REPLICATION=2', 'RESTATE_DEFAULT_REPLICATION=4'),
      /error replication - RESTATE_DEFAULT_REPLICATION: replication 4 needs 4 log servers; the file has 3/,
    ],
    [
      'fault-tolerance: N < 2R−1',
      (c) => c,
      (e) => e.replace('RESTATE_DEFAULT_REPLICATION=2', 'RESTATE_DEFAULT_REPLICATION=3'),
      /warning fault-tolerance - RESTATE_DEFAULT_REPLICATION: 3 log servers < 2×3−1/,
    ],
    [
      'snapshots: a file:// destination',
      (c) => c,
      (e) => e.replace('s3://restate/snapshots', 'file:///snapshots'),
      /error snapshots restate-1 RESTATE_WORKER__SNAPSHOTS__DESTINATION: "file:\/\/\/snapshots": release builds accept only s3:\/\//,
    ],
    [
      'snapshots: an interval without a destination',
      everywhere(
        '  RESTATE_WORKER__SNAPSHOTS__DESTINATION: "${RESTATE_WORKER__SNAPSHOTS__DESTINATION:-s3://restate/snapshots}"\n',
        '',
      ),
      (e) => e,
      /error snapshots restate-1 RESTATE_WORKER__SNAPSHOTS__SNAPSHOT_INTERVAL_NUM_RECORDS: a snapshot interval without a destination/,
    ],
    [
      'snapshots: no destination on a multi-node cluster',
      (c) => c.replace(/  RESTATE_WORKER__SNAPSHOTS__[A-Z_]+: .*\n/g, ''),
      (e) => e,
      /warning snapshots restate-2 RESTATE_WORKER__SNAPSHOTS__DESTINATION: no snapshot destination/,
    ],
    [
      'snapshots: http endpoint without AWS_ALLOW_HTTP',
      everywhere('  RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "true"\n', ''),
      (e) => e,
      /error snapshots restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: the endpoint http:\/\/minio:9000 is plain http/,
    ],
    [
      'snapshots: no region',
      everywhere('  RESTATE_WORKER__SNAPSHOTS__AWS_REGION: "${RESTATE_WORKER__SNAPSHOTS__AWS_REGION:-local}"\n', ''),
      (e) => e,
      /error snapshots restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_REGION: not set/,
    ],
    [
      'snapshots: no bucket job',
      (c) =>
        c.slice(0, c.indexOf('  # Before any node starts: creates the snapshot bucket')) +
        c
          .slice(c.indexOf('volumes:\n  restate-1-data'))
          .replace(/    minio-create-bucket:\n      condition: service_completed_successfully\n/, ''),
      (e) => e,
      /warning snapshots - -: no service creates the bucket/,
    ],
    [
      'ingress: no node runs http-ingress',
      everywhere(
        'RESTATE_AUTO_PROVISION:',
        'RESTATE_ROLES: \'["admin","worker","log-server","metadata-server"]\'\n      RESTATE_AUTO_PROVISION:',
      ),
      (e) => e,
      /error ingress - RESTATE_ROLES: no node runs the http-ingress role/,
    ],
    [
      'healthcheck: wget in the Restate image',
      everywhere(
        '["CMD","curl","--fail","--silent","--max-time","2","http://localhost:9070/health"]',
        '["CMD","wget","-q","--spider","http://localhost:9070/health"]',
      ),
      (e) => e,
      /error healthcheck restate-1 -: the healthcheck calls wget/,
    ],
    [
      'image-registry: minio/minio on Docker Hub',
      (c) => c,
      (e) =>
        e
          .replace('MINIO_IMAGE=quay.io/minio/minio', 'MINIO_IMAGE=minio/minio')
          .replace(/MINIO_VERSION=.*/, 'MINIO_VERSION=RELEASE.2025-09-07T16-13-09Z'),
      /error image-registry minio -: minio\/minio on Docker Hub was removed/,
    ],
    [
      'image-tag: latest',
      (c) => c,
      (e) => e.replace('RESTATE_VERSION=1.7.12', 'RESTATE_VERSION=latest'),
      /error image-tag restate-1 -: docker\.restate\.dev\/restatedev\/restate:latest floats on latest/,
    ],
    [
      'ports: a collision',
      (c) => c,
      (e) => e.replace('NODE2_ADMIN_PORT_OVERRIDE=29070', 'NODE2_ADMIN_PORT_OVERRIDE=9070'),
      /error ports restate-2 -: host port 9070 is already published by restate-1/,
    ],
    [
      'ports: above 65535',
      (c) => c,
      (e) => e.replace('NODE3_INGRESS_PORT_OVERRIDE=38080', 'NODE3_INGRESS_PORT_OVERRIDE=70000'),
      /error ports restate-3 -: host port 70000/,
    ],
    [
      'memory: configured above the limit',
      inService('restate-1', '    volumes:', '    mem_limit: 2g\n    volumes:'),
      (e) => e,
      /warning memory restate-1 RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: RocksDB \(2 GiB\) and the query engine \(1 GiB\) are configured for more than the 2 GiB memory limit/,
    ],
    [
      'credentials: a well-known password',
      (c) => c,
      (e) => e.replace(/MINIO_ROOT_PASSWORD=.*/, 'MINIO_ROOT_PASSWORD=minioadmin'),
      /warning credentials minio MINIO_ROOT_PASSWORD: "minioadmin" is a well-known default/,
    ],
  ])('%s', async (_name, edit, envEdit, expected) => {
    const r = await checkEdited(edit, envEdit);
    const lines = r.findings.map((f) => `${brief(f)}: ${f.message}`).join('\n');
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
    expect(r.restateServer).toBeUndefined();
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
        expect(result.restateServer.version).toBe(version);
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
