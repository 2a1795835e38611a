import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from '../src/load/loader.js';
import { translate } from '../src/rehearse/translate.js';
import { inService, ROOT, tempDir } from './helpers.js';

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

test('a misspelled RESTATE_AUTO_PROVISION leaves two provisioners: a problem before anything starts', () => {
  const c = edited(inService('restate-2', 'RESTATE_AUTO_PROVISION:', 'RESTATE_AUTO_PROVISONING:'));
  expect(c.nodes.filter((n) => n.autoProvision).map((n) => n.service)).toEqual(['restate-1', 'restate-2']);
  expect(c.problems.join()).toMatch(/restate-1, restate-2 would all auto-provision .* depending on which starts first/);
});

test.each([
  [
    'another node',
    'http://restate-3:5122"\n      RESTATE_AUTO',
    'http://restate-2:5122"\n      RESTATE_AUTO',
    /restate-3: RESTATE_ADVERTISED_ADDRESS http:\/\/restate-2:5122 names restate-2, not restate-3 itself/,
  ],
  [
    'localhost',
    'http://restate-3:5122"\n      RESTATE_AUTO',
    'http://localhost:5122"\n      RESTATE_AUTO',
    /names localhost, which inside a container is the container itself/,
  ],
  [
    'no such service',
    'http://restate-3:5122"\n      RESTATE_AUTO',
    'http://restate-9:5122"\n      RESTATE_AUTO',
    /names "restate-9", which is no service in this compose file/,
  ],
])('a wrong advertised address (%s) is a problem before anything starts', (_what, from, to, message) => {
  const c = edited(inService('restate-3', from, to));
  expect(c.problems.join('\n')).toMatch(message);
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

test('a file:// destination cannot run', () => {
  const project = loadCompose(join(ROOT, 'examples', 'ha'), {
    shell: { RESTATE_WORKER__SNAPSHOTS__DESTINATION: 'file:///snapshots' },
  });
  expect(translate(project, options).problems.join()).toMatch(
    /"file:\/\/\/snapshots" is not an s3:\/\/bucket\/prefix URL/,
  );
});
