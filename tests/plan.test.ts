import { validateOptions } from '../src/plan/options.js';
import { defaultMetadataNodes, defaultReplication } from '../src/plan/option-checks.js';
import { allPublishedPorts, MAX_NODES, nodePorts, portOffsetRange } from '../src/plan/ports.js';
import { awsRegionOf, planCluster, type ClusterPlan, type EnvEntry } from '../src/plan/plan.js';
import { generateSecrets, seededSource } from '../src/plan/secrets.js';
import { faultTolerance } from '../src/restate/tolerance.js';
import { UsageError } from '../src/errors.js';

const secrets = generateSecrets(seededSource('test'));
const plan = (raw: Parameters<typeof validateOptions>[0]): ClusterPlan => planCluster(validateOptions(raw), secrets);
const envOf = (entries: EnvEntry[]) => Object.fromEntries(entries.map((e) => [e.name, e.value]));

describe('nodes', () => {
  test.each([1, 2, 3, 5, 7, 100])('%i nodes: names, ids, volumes', (n) => {
    const p = plan({ nodes: n, replication: 1 });
    expect(p.nodes.map((x) => x.name)).toEqual(Array.from({ length: n }, (_, i) => `restate-${i + 1}`));
    expect(p.nodes.map((x) => envOf(x.environment).RESTATE_FORCE_NODE_ID)).toEqual(
      Array.from({ length: n }, (_, i) => ({ literal: String(i + 1) })),
    );
    expect(new Set(p.nodes.map((x) => x.volume)).size).toBe(n);
  });

  test.each([1, 3, 5, 100])('exactly one node auto-provisions, every other says false explicitly (%i nodes)', (n) => {
    const p = plan({ nodes: n, replication: 1 });
    const values = p.nodes.map((x) => envOf(x.environment).RESTATE_AUTO_PROVISION);
    expect(values[0]).toEqual({ literal: 'true' });
    expect(values.slice(1)).toEqual(Array(n - 1).fill({ literal: 'false' }));
  });

  test.each([
    [{ nodes: 1, replication: 1 }, [[]]],
    [
      { nodes: 3, replication: 2 },
      [
        ['restate-2', 'restate-3'],
        ['restate-1', 'restate-3'],
        ['restate-1', 'restate-2'],
      ],
    ],
    // A group of 7: the first 4 are a majority of it, and the peers do not change when it grows.
    [
      { nodes: 7, replication: 2, metadataNodes: 7 },
      [
        ['restate-2', 'restate-3', 'restate-4'],
        ['restate-1', 'restate-3', 'restate-4'],
        ['restate-1', 'restate-2', 'restate-4'],
        ['restate-1', 'restate-2', 'restate-3'],
        ...Array(3).fill(['restate-1', 'restate-2', 'restate-3', 'restate-4']),
      ],
    ],
    // Under a new identity too: the peers are services, which a replacement keeps.
    [
      { nodes: 3, replication: 2, replacedNodes: '1:1' },
      [
        ['restate-2', 'restate-3'],
        ['restate-1', 'restate-3'],
        ['restate-1', 'restate-2'],
      ],
    ],
  ])('on an empty disk a node asks the other members of a majority of the metadata group (%j)', (raw, peers) => {
    const p = plan(raw);
    expect(p.nodes.map((n) => n.startPeers)).toEqual(peers);
  });

  test('the default metadata group is odd and tolerates what the log does: 2R−1, at most the largest odd ≤ N', () => {
    // N=2, 4 and 100 used to get an even group (quorum 2 of 2, 3 of 4, 51 of 100).
    expect(
      [
        [1, 1],
        [2, 1],
        [2, 2],
        [3, 2],
        [4, 2],
        [5, 3],
        [6, 3],
        [7, 3],
        [100, 3],
        [3, 1],
      ].map(([n, r]) => defaultMetadataNodes(n!, r!)),
    ).toEqual([1, 1, 1, 3, 3, 5, 5, 5, 5, 1]);
    expect(plan({ nodes: 4 }).tolerance.metadataMembers).toBe(3);
  });

  test('metadata servers: on all of 3 nodes with R=2, no RESTATE_ROLES needed', () => {
    const p = plan({ nodes: 3, replication: 2 });
    expect(p.nodes.every((x) => x.roles.includes('metadata-server'))).toBe(true);
    expect(p.nodes.every((x) => !('RESTATE_ROLES' in envOf(x.environment)))).toBe(true);
    const addresses = envOf(p.commonEnvironment).RESTATE_METADATA_CLIENT__ADDRESSES;
    expect(addresses).toEqual({ literal: '["http://restate-1:5122","http://restate-2:5122","http://restate-3:5122"]' });
  });

  test('--metadata-nodes 3 of 5: the rest get explicit roles without metadata-server', () => {
    const p = plan({ nodes: 5, replication: 3, metadataNodes: 3 });
    const addresses = envOf(p.commonEnvironment).RESTATE_METADATA_CLIENT__ADDRESSES;
    expect(addresses).toEqual({ literal: '["http://restate-1:5122","http://restate-2:5122","http://restate-3:5122"]' });
    for (const node of p.nodes.slice(3)) {
      expect(envOf(node.environment).RESTATE_ROLES).toEqual({
        literal: '["http-ingress","admin","worker","log-server"]',
      });
    }
    expect(p.tolerance.metadataQuorum).toBe(2);
  });
});

describe('published ports', () => {
  test('nodes 1–5 follow the documented scheme exactly', () => {
    expect(nodePorts(1)).toEqual({ ingress: 8080, admin: 9070, fabric: 5122 });
    expect(nodePorts(2)).toEqual({ ingress: 28080, admin: 29070, fabric: 25122 });
    expect(nodePorts(3)).toEqual({ ingress: 38080, admin: 39070, fabric: 35122 });
    expect(nodePorts(5)).toEqual({ ingress: 58080, admin: 59070, fabric: 55122 });
  });

  test('nodes 6+ use the 1xxxx bands', () => {
    expect(nodePorts(6)).toEqual({ ingress: 18006, admin: 19006, fabric: 15006 });
    expect(nodePorts(100)).toEqual({ ingress: 18100, admin: 19100, fabric: 15100 });
  });

  test('unique and within 1..65535 for every accepted N, at both ends of the offset range', () => {
    for (let n = 1; n <= MAX_NODES; n++) {
      const range = portOffsetRange(n);
      for (const offset of [0, range.min, range.max]) {
        const ports = allPublishedPorts(n, offset);
        expect(new Set(ports).size).toBe(ports.length);
        expect(Math.min(...ports)).toBeGreaterThanOrEqual(1);
        expect(Math.max(...ports)).toBeLessThanOrEqual(65535);
      }
    }
  });

  test('MinIO keeps 9000/9001 and shifts with the offset', () => {
    const p = plan({ nodes: 3, replication: 2, portOffset: 100 });
    expect(p.minio!.ports.api.hostPort).toBe(9100);
    expect(p.minio!.ports.console.hostPort).toBe(9101);
    expect(p.nodes[1]!.ports.ingress.hostPort).toBe(28180);
  });
});

describe('fault tolerance', () => {
  test.each([
    // nodes, replication, metadata, log tolerated, metadata quorum, cluster tolerated, below 2R-1
    [1, 1, 1, 0, 1, 0, false],
    [2, 2, 2, 0, 2, 0, true],
    [3, 2, 3, 1, 2, 1, false],
    [3, 3, 3, 0, 2, 0, true],
    [4, 3, 3, 1, 2, 1, true],
    [5, 3, 5, 2, 3, 2, false],
    [5, 3, 3, 2, 2, 1, false],
  ])('N=%i R=%i M=%i', (n, r, m, log, quorum, cluster, below) => {
    const t = faultTolerance(n, r, m);
    expect(t.logFailuresTolerated).toBe(log);
    expect(t.metadataQuorum).toBe(quorum);
    expect(t.clusterFailuresTolerated).toBe(cluster);
    expect(t.belowRecommendedSize).toBe(below);
  });

  test('default replication is the largest R with N ≥ 2R−1, at most 3', () => {
    expect([1, 2, 3, 4, 5, 7, 100].map(defaultReplication)).toEqual([1, 1, 2, 2, 3, 3, 3]);
  });
});

describe('rejections', () => {
  test.each([
    [{ nodes: '0' }, /--nodes must be at least 1/],
    [{ nodes: '-2' }, /--nodes must be at least 1/],
    [{ nodes: '2.5' }, /--nodes must be a whole number/],
    [{ nodes: 'three' }, /--nodes must be a whole number/],
    [{ nodes: '101' }, /more than the 100 nodes/],
    [{ nodes: '3', replication: '0' }, /--replication must be at least 1/],
    [{ nodes: '3', replication: '4' }, /needs at least 4 nodes/],
    [{ nodes: '5', metadataNodes: '2' }, /must be odd/],
    [{ nodes: '3', metadataNodes: '5' }, /between 1 and --nodes/],
    [{ nodes: '3', metadataNodes: '0' }, /between 1 and --nodes/],
    [{ clusterName: 'My Cluster' }, /not a valid compose project name/],
    [{ clusterName: '-x' }, /not a valid compose project name/],
    [{ restateVersion: 'latest' }, /--restate-version must look like/],
    [
      { nodes: '5', portOffset: '6466' },
      /is outside -2999\.\.6465, the offsets that keep every port 5 node\(s\) and any add-on may publish within 1\.\.65535/,
    ],
    [{ portOffset: '-5122' }, /is outside -2999\.\.26465/],
    [{ snapshotIntervalRecords: '0' }, /between 1 and/],
    [{ restateVersion: '1.5.3' }, /Restate 1\.5\.3 cannot be verified: .* pass --unverified to generate anyway/],
    [{ restateVersion: '1.8.0' }, /cannot be verified/],
    [{ memory: 'lots' }, /--memory must look like 4G/],
    [{ memory: '4096' }, /--memory must look like 4G/],
    [{ memory: '512M' }, /below the 1G a Restate node needs/],
    [{ snapshotsRetained: '0' }, /--snapshots-retained must be between 1 and 255 \(Restate's limit\), got 0/],
    [{ snapshotsRetained: '256' }, /--snapshots-retained must be between 1 and 255 \(Restate's limit\), got 256/],
  ])('%j', (raw, message) => {
    expect(() => validateOptions(raw)).toThrow(UsageError);
    expect(() => validateOptions(raw)).toThrow(message);
  });

  test('the edges of the offset range are accepted', () => {
    expect(validateOptions({ nodes: '5', portOffset: '6465' }).portOffset).toBe(6465);
    expect(validateOptions({ nodes: '5', portOffset: '-2999' }).portOffset).toBe(-2999);
  });
});

describe('secrets', () => {
  test('random per cluster, never minioadmin, reproducible with a seed', () => {
    const a = generateSecrets();
    const b = generateSecrets();
    expect(a.minioRootPassword).not.toBe(b.minioRootPassword);
    expect(a.minioRootPassword).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(a.minioRootUser).not.toBe('minioadmin');
    expect(generateSecrets(seededSource('x'))).toEqual(generateSecrets(seededSource('x')));
    expect(generateSecrets(seededSource('x'))).not.toEqual(generateSecrets(seededSource('y')));
  });

  test('the plan marks credentials as secrets and uses them for Restate snapshots', () => {
    const p = plan({});
    expect(p.tunables.filter((t) => t.secret).map((t) => t.name)).toEqual([
      'MINIO_ROOT_USER',
      'MINIO_ROOT_PASSWORD',
      'RESTATE_S3_ACCESS_KEY',
      'RESTATE_S3_SECRET_KEY',
    ]);
    const env = envOf(p.commonEnvironment);
    // Restate gets a key of its own, limited to the bucket: never MinIO's root credentials.
    expect(env.RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID).toEqual({ tunable: 'RESTATE_S3_ACCESS_KEY' });
    expect(env.RESTATE_WORKER__SNAPSHOTS__AWS_SECRET_ACCESS_KEY).toEqual({ tunable: 'RESTATE_S3_SECRET_KEY' });
    expect(env.RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP).toEqual({ literal: 'true' });
  });
});

describe('version-aware and sized output', () => {
  test('an unverifiable version needs --unverified', () => {
    expect(validateOptions({ restateVersion: '1.5.3', unverified: true }).restateVersion).toBe('1.5.3');
    expect(validateOptions({ restateVersion: '1.6.2' }).unverified).toBe(false);
  });

  test.each([
    ['1.6.1', 'RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED'],
    ['1.6.2', 'RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED'],
    ['1.7.2', 'RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED'],
    ['1.7.12', 'RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED'],
  ])('--snapshots-retained on %s is %s', (version, variable) => {
    const env = envOf(plan({ restateVersion: version, snapshotsRetained: '3' }).commonEnvironment);
    expect(env[variable]).toEqual({ tunable: variable });
    expect(Object.keys(env).filter((k) => k.includes('RETAINED'))).toEqual([variable]);
  });

  test('no retained setting unless asked (Restate keeps its default)', () => {
    expect(Object.keys(envOf(plan({}).commonEnvironment)).some((k) => k.includes('RETAINED'))).toBe(false);
  });

  test('--memory 4G: limit 4096M, RocksDB 3/8 and query engine 1/8 of it, as tunables', () => {
    const p = plan({ memory: '4G' });
    expect(p.memoryLimitTunable).toBe('NODE_MEMORY_LIMIT');
    const values = Object.fromEntries(p.tunables.map((t) => [t.name, t.planned]));
    expect(values.NODE_MEMORY_LIMIT).toBe('4096M');
    expect(values.RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE).toBe('1536MiB');
    expect(values.RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE).toBe('512MiB');
    expect(validateOptions({ memory: '2GiB' }).memoryBytes).toBe(2 * 2 ** 30);
    expect(validateOptions({ memory: '1536m' }).memoryBytes).toBe(1536 * 2 ** 20);
  });
});

test('an AWS endpoint names its region; others get a placeholder the description says to check', () => {
  expect(
    [
      'https://s3.eu-west-1.amazonaws.com',
      'https://s3-ap-southeast-2.amazonaws.com',
      'https://s3.dualstack.us-west-2.amazonaws.com',
      'https://s3.amazonaws.com',
      'https://minio.example.com',
    ].map(awsRegionOf),
  ).toEqual(['eu-west-1', 'ap-southeast-2', 'us-west-2', 'us-east-1', undefined]);
  const region = (endpoint: string) =>
    plan({ nodes: 3, snapshotsEndpoint: endpoint }).tunables.find(
      (t) => t.name === 'RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
    )!;
  expect(region('https://s3.eu-west-1.amazonaws.com').planned).toBe('eu-west-1');
  expect(region('https://storage.example.com').description).toMatch(/check it/);
});

test.each([
  [{ restateVersion: '1.7.99' }, /Restate 1\.7\.99 was never published to npm.*1\.6\.1, 1\.6\.2, 1\.7\.2/],
  [{ restateVersion: '1.7.0' }, /was never published/],
  [{ restateVersion: '1.6.0' }, /was never published/],
  [
    { snapshotIntervalRecords: '18446744073709551616' },
    /--snapshot-interval-records must be between 1 and 9007199254740991/,
  ],
  [{ snapshotIntervalRecords: '9007199254740993' }, /must be between 1 and/],
])('refused: %j', (raw, message) => {
  expect(() => validateOptions(raw)).toThrow(message);
});
