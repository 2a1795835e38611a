import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from '../src/load/loader.js';
import { applyRulebook, RULES } from '../src/check/rulebook.js';
import { translate } from '../src/rehearse/translate.js';
import { inService, ROOT, runCli, tempDir } from './helpers.js';

let next = 40000;
const options = { baseDir: '/tmp/base', freePort: () => next++ };

/** A copy of the committed 3-node example with one edit applied to its compose file. */
function edited(edit: (compose: string) => string) {
  const dir = tempDir();
  cpSync(join(ROOT, 'examples', 'ha'), dir.path, { recursive: true });
  const file = join(dir.path, 'docker-compose.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  try {
    return translate(loadCompose(dir.path), options);
  } finally {
    dir.remove();
  }
}

test('the 3-node example: listen and service addresses move to 127.0.0.1 and the published ports', () => {
  const c = translate(loadCompose(join(ROOT, 'examples', 'ha')), options);
  expect(c.problems).toEqual([]);
  expect(c.warnings).toEqual([]);
  expect(c.nodes.map((n) => [n.service, n.hostPorts])).toEqual([
    ['restate-1', { fabric: 5122, admin: 9070, ingress: 8080 }],
    ['restate-2', { fabric: 25122, admin: 29070, ingress: 28080 }],
    ['restate-3', { fabric: 35122, admin: 39070, ingress: 38080 }],
  ]);
  const two = c.nodes[1]!.env;
  expect(two.RESTATE_BIND_ADDRESS).toBe('127.0.0.1:25122');
  expect(two.RESTATE_ADVERTISED_ADDRESS).toBe('http://127.0.0.1:25122');
  expect(two.RESTATE_METADATA_CLIENT__ADDRESSES).toBe(
    '["http://127.0.0.1:5122","http://127.0.0.1:25122","http://127.0.0.1:35122"]',
  );
  expect(two.RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL).toBe('http://127.0.0.1:9000');
  expect(two.RESTATE_BASE_DIR).toBe('/tmp/base/restate-2');
  // Everything else exactly as compose resolves it.
  expect(two.RESTATE_AUTO_PROVISION).toBe('false');
  expect(two.RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP).toBe('true');
  expect(two.TZ).toBe('UTC');
  expect(c.s3).toMatchObject({ service: 'minio', port: 9000, bucket: 'restate', prefix: 'snapshots' });
  expect(c.tolerance.clusterFailuresTolerated).toBe(1);
  expect(c.restateVersions).toEqual(['1.7.12']);
});

test('the shell overrides .env, as in compose', () => {
  const c = translate(
    loadCompose(join(ROOT, 'examples', 'ha'), { shell: { NODE2_INGRESS_PORT_OVERRIDE: '18888' } }),
    options,
  );
  expect(c.nodes[1]!.hostPorts.ingress).toBe(18888);
});

test("a misspelled RESTATE_AUTO_PROVISION leaves two provisioners: refused by check's single-auto-provision rule", () => {
  const c = edited(inService('restate-2', 'RESTATE_AUTO_PROVISION:', 'RESTATE_AUTO_PROVISONING:'));
  expect(c.nodes.filter((n) => n.autoProvision).map((n) => n.service)).toEqual(['restate-1', 'restate-2']);
  expect(c.problems).toEqual([
    'restate-1 RESTATE_AUTO_PROVISION: "true": 2 nodes would auto-provision (restate-1, restate-2); at most one may, or each forms a cluster of its own (check: single-auto-provision)',
    "restate-2 RESTATE_AUTO_PROVISION: not set, so true (Restate's default): 2 nodes would auto-provision (restate-1, restate-2); at most one may, or each forms a cluster of its own (check: single-auto-provision)",
  ]);
});

test.each([
  [
    'another node',
    'http://restate-2:5122',
    'restate-3 RESTATE_ADVERTISED_ADDRESS: http://restate-2:5122 names restate-2, not restate-3 itself (check: advertised-address)',
  ],
  [
    'localhost',
    'http://localhost:5122',
    'restate-3 RESTATE_ADVERTISED_ADDRESS: http://localhost:5122 is the container itself: other nodes cannot reach it there (check: advertised-address)',
  ],
  [
    'no such service',
    'http://restate-9:5122',
    'restate-3 RESTATE_ADVERTISED_ADDRESS: http://restate-9:5122 names "restate-9", which is no service in this file (check: advertised-address)',
  ],
])("a wrong advertised address (%s) is refused by check's advertised-address rule", (_what, address, refusal) => {
  const c = edited(
    inService('restate-3', 'http://restate-3:5122"\n      RESTATE_AUTO', `${address}"\n      RESTATE_AUTO`),
  );
  expect(c.problems).toEqual([refusal]);
});

test("the refusals are check's own errors, of the rules that refuse to boot a file", () => {
  const dir = tempDir();
  try {
    cpSync(join(ROOT, 'examples', 'ha'), dir.path, { recursive: true });
    const env = join(dir.path, '.env');
    writeFileSync(
      env,
      readFileSync(env, 'utf8').replace('NODE2_ADMIN_PORT_OVERRIDE=29070', 'NODE2_ADMIN_PORT_OVERRIDE=9070'),
    );
    const project = loadCompose(dir.path);
    const refusing = new Set(RULES.filter((r) => r.refusesRehearsal).map((r) => r.id));
    const errors = applyRulebook(project, false).filter((f) => f.severity === 'error' && refusing.has(f.rule));
    expect(errors.map((f) => f.rule)).toEqual(['ports']);
    expect(translate(project, options).problems).toEqual([
      'restate-2: host port 9070 is already published by restate-1 (check: ports)',
    ]);
  } finally {
    dir.remove();
  }
});

test('a node advertising localhost on its own (one node): its own port on this machine, not a refusal', () => {
  const dir = tempDir();
  try {
    expect(runCli(['--nodes', '1', '--out', dir.path]).status).toBe(0);
    const file = join(dir.path, 'docker-compose.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'RESTATE_ADVERTISED_ADDRESS: "http://restate-1:5122"',
        'RESTATE_ADVERTISED_ADDRESS: "http://localhost:5122"',
      ),
    );
    const c = translate(loadCompose(dir.path), options);
    expect(c.problems).toEqual([]);
    expect(c.nodes[0]!.env.RESTATE_ADVERTISED_ADDRESS).toBe(`http://127.0.0.1:${c.nodes[0]!.hostPorts.fabric}`);
  } finally {
    dir.remove();
  }
});

test("two listeners on one port: refused by check's listen-ports rule", () => {
  const c = edited(
    inService(
      'restate-1',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-1:5122"',
      'RESTATE_ADVERTISED_ADDRESS: "http://restate-1:5122"\n      RESTATE_ADMIN__BIND_ADDRESS: "0.0.0.0:8080"',
    ),
  );
  expect(c.problems).toEqual([
    'restate-1 RESTATE_ADMIN__BIND_ADDRESS, RESTATE_INGRESS__BIND_ADDRESS: the admin and ingress listeners are both bound to port 8080: restate-server cannot bind the second and stops (check: listen-ports)',
  ]);
});

test('a free port the file publishes elsewhere is passed over', () => {
  const dir = tempDir();
  try {
    cpSync(join(ROOT, 'examples', 'ha'), dir.path, { recursive: true });
    const file = join(dir.path, 'docker-compose.yaml');
    const unpublished = inService(
      'restate-1',
      "      - '${ADMIN_PUBLISH_ADDRESS:-127.0.0.1}:${NODE1_ADMIN_PORT_OVERRIDE:-9070}:9070'\n",
      '',
    );
    writeFileSync(file, unpublished(readFileSync(file, 'utf8')));
    const pool = [35122, 45000]; // 35122: restate-3's fabric port
    const c = translate(loadCompose(dir.path), { baseDir: '/tmp/base', freePort: () => pool.shift()! });
    expect(c.nodes[0]!.hostPorts.admin).toBe(45000);
    expect(c.problems).toEqual([]);
  } finally {
    dir.remove();
  }
});

test('an unpublished port gets a free one, and a missing bind address the default container port', () => {
  const c = edited((compose) =>
    inService(
      'restate-3',
      "      - '${FABRIC_PUBLISH_ADDRESS:-127.0.0.1}:${NODE3_NODE_PORT_OVERRIDE:-35122}:5122'\n",
      '',
    )(compose).replace('  RESTATE_BIND_ADDRESS: "0.0.0.0:5122"\n', ''),
  );
  const three = c.nodes[2]!;
  expect(three.hostPorts.fabric).toBeGreaterThanOrEqual(40000);
  expect(three.env.RESTATE_BIND_ADDRESS).toBe(`127.0.0.1:${three.hostPorts.fabric}`);
  expect(three.env.RESTATE_ADVERTISED_ADDRESS).toBe(`http://127.0.0.1:${three.hostPorts.fabric}`);
  expect(c.warnings.join()).toMatch(/restate-3 does not publish container port 5122/);
});

test("a file:// destination cannot run: refused by check's snapshots rule", () => {
  const project = loadCompose(join(ROOT, 'examples', 'ha'), {
    shell: { RESTATE_WORKER__SNAPSHOTS__DESTINATION: 'file:///snapshots' },
  });
  const c = translate(project, options);
  expect(c.s3).toBeUndefined();
  expect(c.problems[0]).toBe(
    'restate-1 RESTATE_WORKER__SNAPSHOTS__DESTINATION: "file:///snapshots": release builds accept only s3:// destinations (file:// fails at start-up with "Unsupported protocol") (check: snapshots)',
  );
});

test('a snapshot endpoint that is no URL: a stand-in and a warning, not a crash', () => {
  const project = loadCompose(join(ROOT, 'examples', 'ha'), {
    shell: { RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL: 'minio 9000' },
  });
  const c = translate(project, options);
  expect(c.s3?.service).toBeUndefined();
  expect(c.warnings.join()).toMatch(/snapshot endpoint minio 9000 is outside the compose file/);
});

test("a file whose bucket no service creates: rehearse warns with check's own snapshots finding", () => {
  const c = edited((s) => s.replace(/mc mb/g, 'mc ls'));
  expect(c.problems).toEqual([]);
  expect(c.warnings).toEqual([
    'no service creates the bucket of s3://restate/snapshots (no "mc mb" found); Restate never creates it, and snapshots fail until it exists (check: snapshots)',
  ]);
});

test("fault tolerance counts the log servers, as check's fault-tolerance rule does", () => {
  // restate-3 runs everything but the log: replication 2 on two log servers tolerates no loss.
  const c = edited((s) =>
    s.replace(
      'RESTATE_NODE_NAME: "restate-3"',
      'RESTATE_NODE_NAME: "restate-3"\n      RESTATE_ROLES: \'["worker","admin","http-ingress","metadata-server"]\'',
    ),
  );
  expect(c.problems).toEqual([]);
  expect(c.nodes[2]!.roles).not.toContain('log-server');
  expect(c.tolerance.logFailuresTolerated).toBe(0);
  expect(c.tolerance.clusterFailuresTolerated).toBe(0);
});

test('a node without RESTATE_NODE_NAME is named as its container would be, not after this machine', () => {
  const dir = tempDir();
  try {
    writeFileSync(
      join(dir.path, 'docker-compose.yaml'),
      [
        'services:',
        '  restate:',
        '    image: docker.restate.dev/restatedev/restate:1.7.12',
        '    ports: ["127.0.0.1:18380:8080", "127.0.0.1:18370:9070"]',
        '',
      ].join('\n'),
    );
    const c = translate(loadCompose(dir.path), options);
    expect(c.problems).toEqual([]);
    expect(c.nodes[0]!.env.RESTATE_NODE_NAME).toBe('restate');
    expect(c.nodes[0]!.nodeName).toBe('restate');
  } finally {
    dir.remove();
  }
});
