// Broken files, one or more per rule: each case edits a generated cluster so that one rule
// trips, and names that rule first ("<rule id>: what is broken"). check.test.ts runs the
// compose cases, swarm.test.ts the stack cases, and rulebook.test.ts proves every rule of the
// rulebook has one.
import { inService } from './helpers.js';

type Edit = (text: string) => string;

const everywhere = (from: string, to: string) => (compose: string) => compose.replaceAll(from, to);

/** restate-3 on a network of its own, which no other service joins. */
const restate3OnItsOwnNetwork: Edit = (c) =>
  inService(
    'restate-3',
    'hostname: restate-3',
    'hostname: restate-3\n    networks: [apart]',
  )(c).replace(/^volumes:\n/m, 'networks:\n  apart: {}\n\nvolumes:\n');

/** The rule a case trips: the id its name starts with. */
export const ruleOfCase = (name: string): string => /^[a-z-]+/.exec(name)![0];

/** Edits of examples/ha: its compose file, its .env, and a line of the findings of that rule to expect. */
export const COMPOSE_CASES: [string, Edit, Edit, RegExp][] = [
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
    everywhere('RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "true"', 'RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "yes"'),
    (e) => e,
    /error fidelity restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "yes" stops restate-server 1\.7\.12 from starting/,
  ],
  [
    'fidelity: a log filter the server panics on (--dump-config does not read it)',
    (c) => c,
    (e) => e.replace(/^RESTATE_LOG_FILTER=.*$/m, 'RESTATE_LOG_FILTER=warn,restate=inf'),
    /error fidelity restate-1 RESTATE_LOG_FILTER: "warn,restate=inf" stops restate-server 1\.7\.12 from starting \(it panics configuring its log\): "inf" in "restate=inf" is no level/,
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
    'config-file: a TOML file that is not mounted from the compose directory',
    inService(
      'restate-2',
      'RESTATE_NODE_NAME: "restate-2"',
      'RESTATE_NODE_NAME: "restate-2"\n      RESTATE_CONFIG: "/etc/restate/restate.toml"',
    ),
    (e) => e,
    /warning config-file restate-2 -: \/etc\/restate\/restate\.toml is not mounted from this directory \(no bind mount or config holds it\), so check cannot read it: the settings it may hold are unknown, and no finding rests on them/,
  ],
  [
    'config-file: a TOML file mounted from a file that does not exist',
    (c) =>
      inService(
        'restate-2',
        'RESTATE_NODE_NAME: "restate-2"',
        'RESTATE_NODE_NAME: "restate-2"\n      RESTATE_CONFIG: "/etc/restate/restate.toml"',
      )(
        inService(
          'restate-2',
          '      - restate-2-data:/restate-data',
          '      - restate-2-data:/restate-data\n      - ./restate-2.toml:/etc/restate/restate.toml:ro',
        )(c),
      ),
    (e) => e,
    /error config-file restate-2 -: \/etc\/restate\/restate\.toml is mounted from .*restate-2\.toml, which is no file here/,
  ],
  [
    'data-volume: a node without a volume at its base directory',
    inService('restate-2', '    volumes:\n      - restate-2-data:/restate-data\n', ''),
    (e) => e,
    /error data-volume restate-2 RESTATE_BASE_DIR: no volume at \/restate-data, where its data \(\/restate-data\/restate-2\) lives: the next recreate starts it empty under a name the cluster knows/,
  ],
  [
    'data-volume: a node whose data is on an anonymous volume',
    inService('restate-3', '      - restate-3-data:/restate-data', '      - /restate-data'),
    (e) => e,
    /error data-volume restate-3 RESTATE_BASE_DIR: its data \(\/restate-data\/restate-3\) is on an anonymous volume/,
  ],
  [
    'data-volume: a node whose data is on a tmpfs',
    inService(
      'restate-1',
      '      - restate-1-data:/restate-data',
      '      - type: tmpfs\n        target: /restate-data',
    ),
    (e) => e,
    /error data-volume restate-1 RESTATE_BASE_DIR: its data \(\/restate-data\/restate-1\) is on a tmpfs, in memory, gone whenever the container stops/,
  ],
  [
    'image-reference: an image whose tag variable is unset',
    (c) => c.replace(/restate:\$\{RESTATE_VERSION:-[^}]+\}/g, 'restate:${RESTATE_IMAGE_TAG}'),
    (e) => e,
    /error image-reference restate-1 -: image "docker\.restate\.dev\/restatedev\/restate:" is no image reference/,
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
    'advertised-address: the admin port, not the fabric',
    inService(
      'restate-2',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-2:5122"',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-2:9070"',
    ),
    (e) => e,
    /error advertised-address restate-2 RESTATE_ADVERTISED_ADDRESS: http:\/\/restate-2:9070 is port 9070, but restate-2's fabric listens on 5122 \(RESTATE_BIND_ADDRESS\): peers would not reach it/,
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
    "metadata-addresses: a node's host-published port, not the one it listens on in the network",
    everywhere(',"http://restate-2:5122",', ',"http://restate-2:25122",'),
    (e) => e,
    /error metadata-addresses restate-1 RESTATE_METADATA_CLIENT__ADDRESSES: http:\/\/restate-2:25122 is port 25122, but restate-2's fabric listens on 5122/,
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
    'advertised-address: a node on a network of its own, which its peers cannot reach',
    restate3OnItsOwnNetwork,
    (e) => e,
    /error advertised-address restate-3 RESTATE_ADVERTISED_ADDRESS: restate-1, restate-2 share no network with restate-3, so restate-3 does not resolve there: they cannot reach it/,
  ],
  [
    'metadata-addresses: a metadata server on a network the node is not on',
    restate3OnItsOwnNetwork,
    (e) => e,
    /error metadata-addresses restate-1 RESTATE_METADATA_CLIENT__ADDRESSES: http:\/\/restate-3:5122 is restate-3, and restate-1 shares no network with restate-3, so restate-3 does not resolve there/,
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
      c.slice(0, c.indexOf('  # Once MinIO is healthy: creates the snapshot bucket')) +
      c.slice(c.indexOf('volumes:\n  restate-1-data')),
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
  [
    'no-restate-service: a file with MinIO alone',
    () => 'services:\n  minio:\n    image: quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z\n',
    (e) => e,
    /error no-restate-service - -: no Restate service found/,
  ],
  [
    'metadata-quorum: two metadata servers',
    inService(
      'restate-3',
      'RESTATE_AUTO_PROVISION: "false"',
      'RESTATE_AUTO_PROVISION: "false"\n      RESTATE_ROLES: \'["http-ingress","admin","worker","log-server"]\'',
    ),
    (e) => e,
    /warning metadata-quorum - -: 2 metadata servers tolerate no more failures than 1; use an odd number/,
  ],
  [
    'listen-ports: admin and ingress on one port',
    inService(
      'restate-1',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-1:5122"',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-1:5122"\n      RESTATE_ADMIN__BIND_ADDRESS: "0.0.0.0:8080"',
    ),
    (e) => e,
    /error listen-ports restate-1 RESTATE_ADMIN__BIND_ADDRESS, RESTATE_INGRESS__BIND_ADDRESS: the admin and ingress listeners are both bound to port 8080/,
  ],
  [
    'exposure: the admin API on every interface',
    (c) => c,
    (e) => e.replace('ADMIN_PUBLISH_ADDRESS=127.0.0.1', 'ADMIN_PUBLISH_ADDRESS=0.0.0.0'),
    /warning exposure restate-1 -: publishes its admin API and UI \(control plane\) on 0\.0\.0\.0/,
  ],
  [
    'restate-version: one node two minor versions behind the others',
    inService(
      'restate-3',
      'hostname: restate-3',
      'hostname: restate-3\n    image: "docker.restate.dev/restatedev/restate:1.5.3"',
    ),
    (e) => e,
    /error restate-version - -: the nodes run Restate versions more than one minor version apart \(1\.7\.12 on restate-1, restate-2; 1\.5\.3 on restate-3\)/,
  ],
  [
    'restate-version: one node on the next patch version, mid rolling upgrade',
    inService(
      'restate-3',
      'hostname: restate-3',
      'hostname: restate-3\n    image: "docker.restate.dev/restatedev/restate:1.7.10"',
    ),
    (e) => e,
    /warning restate-version - -: the nodes run different Restate versions \(1\.7\.12 on restate-1, restate-2; 1\.7\.10 on restate-3\): a rolling upgrade under way/,
  ],
];

/** Edits of a generated 3-node stack (--target swarm), and a line of the findings of that rule to expect. */
export const STACK_CASES: [string, Edit, RegExp][] = [
  [
    'swarm-env-string: a non-string environment value',
    (s) =>
      s.replace('RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: "true"', 'RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: true'),
    /error swarm-env-string restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: true is a boolean/,
  ],
  [
    'swarm-depends-on: relying on depends_on',
    (s) =>
      s.replace(
        '  restate-2:\n    <<: *restate-node\n',
        '  restate-2:\n    <<: *restate-node\n    depends_on: [minio]\n',
      ),
    /warning swarm-depends-on restate-2 -: depends_on \(minio\) is ignored by Swarm/,
  ],
  [
    'swarm-self-address: a node that cannot reach its own advertised address (VIP mode)',
    (s) => s.replace(/(  restate-1:[\s\S]*?)endpoint_mode: dnsrr\n/, '$1endpoint_mode: vip\n'),
    /error swarm-self-address restate-1 RESTATE_ADVERTISED_ADDRESS: http:\/\/restate-1:5122 resolves to restate-1's virtual IP/,
  ],
  [
    'swarm-placement: two nodes that could land on one host',
    (s) => s.replace('node.labels.restate-node == 3', 'node.labels.restate-node == 2'),
    /error swarm-placement restate-2, restate-3 -: restate-2 and restate-3 share the placement constraints/,
  ],
  [
    'swarm-update-order: two tasks of one node at once',
    (s) => s.replace(/(  restate-2:[\s\S]*?)order: stop-first/, '$1order: start-first'),
    /error swarm-update-order restate-2 -: update_config order start-first/,
  ],
  [
    'swarm-replicas: replicas above one',
    (s) => s.replace(/(  restate-3:[\s\S]*?)replicas: 1/, '$1replicas: 2'),
    /error swarm-replicas restate-3 -: replicas 2/,
  ],
  [
    'swarm-ports: dnsrr with ingress-mode ports',
    (s) => s.replace(/(  restate-1:[\s\S]*?)mode: host/, '$1mode: ingress'),
    /error swarm-ports restate-1 -: endpoint_mode dnsrr with ports not in host mode/,
  ],
];
