import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { loadCompose } from '../src/load/loader.js';
import { CLI, clusterDir, ROOT, runCli, schemaErrors, snapshotDir } from './helpers.js';

const envOf = (dir: string) => parseDotenv(readFileSync(join(dir, '.env')));
const SECRETS = ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD', 'RESTATE_S3_ACCESS_KEY', 'RESTATE_S3_SECRET_KEY'];

const { out, gen, ...cluster } = clusterDir();

test('regenerating keeps every secret, node identities, the cluster name and the volumes', () => {
  expect(gen('--nodes', '3', '--cluster-name', 'shop').status).toBe(0);
  const before = envOf(out());
  const again = gen('--restate-version', '1.7.10');
  expect(again.status).toBe(0);
  const after = envOf(out());
  for (const name of SECRETS) expect(after[name]).toBe(before[name]);
  expect(after.RESTATE_VERSION).toBe('1.7.10');
  expect(after.RESTATE_CLUSTER_NAME).toBe('shop');
  const project = loadCompose(out());
  expect(project.name).toBe('shop');
  expect(project.volumes).toEqual(['restate-1-data', 'restate-2-data', 'restate-3-data', 'minio-data']);
  expect(
    project.services
      .filter((s) => s.name.startsWith('restate-'))
      .map((s) => [s.name, s.environment.RESTATE_FORCE_NODE_ID]),
  ).toEqual([
    ['restate-1', '1'],
    ['restate-2', '2'],
    ['restate-3', '3'],
  ]);
  expect(again.stdout).toContain('note: Restate 1.7.12 → 1.7.10');
  expect(again.stdout).toContain('docker compose up -d --wait restate-1');
  expect(statSync(join(out(), '.env')).mode & 0o777).toBe(0o600);
});

test('hand edits to .env survive every later run; a conflicting flag gets a note; your own variables stay', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const envFile = join(out(), '.env');
  writeFileSync(
    envFile,
    `${readFileSync(envFile, 'utf8').replace('RESTATE_LOG_FILTER=warn,restate=info', 'RESTATE_LOG_FILTER=debug')}MY_TOKEN=abc\n`,
  );
  expect(gen().status).toBe(0);
  expect(gen().status).toBe(0);
  expect(envOf(out()).RESTATE_LOG_FILTER).toBe('debug');
  expect(envOf(out()).MY_TOKEN).toBe('abc');
  expect(loadCompose(out()).services[0]!.environment.RESTATE_LOG_FILTER).toBe('debug');

  const edited = readFileSync(envFile, 'utf8').replace(
    'NODE2_ADMIN_PORT_OVERRIDE=29070',
    'NODE2_ADMIN_PORT_OVERRIDE=19999',
  );
  writeFileSync(envFile, edited);
  const shifted = gen('--port-offset', '10');
  expect(shifted.status).toBe(0);
  expect(shifted.stdout).toContain(
    'note: kept NODE2_ADMIN_PORT_OVERRIDE=19999 from your .env; these options would write 29080',
  );
  expect(envOf(out()).NODE2_ADMIN_PORT_OVERRIDE).toBe('19999');
  // Values nobody edited follow the new offset.
  expect(envOf(out()).NODE2_INGRESS_PORT_OVERRIDE).toBe('28090');
  expect(gen('--check').status).toBe(0);
});

test('growing 3 → 5 adds non-provisioning nodes and prints what a running cluster needs', () => {
  expect(gen('--nodes', '3', '--replication', '2').status).toBe(0);
  const r = gen('--nodes', '5', '--replication', '3');
  expect(r.status).toBe(0);
  const project = loadCompose(out());
  expect(schemaErrors(project.raw)).toEqual([]);
  const nodes = project.services.filter((s) => s.name.startsWith('restate-'));
  expect(nodes.map((n) => n.environment.RESTATE_AUTO_PROVISION)).toEqual(['true', 'false', 'false', 'false', 'false']);
  expect(r.stdout).toContain(
    'note: growing from 3 to 5 nodes: restate-4, restate-5 join with RESTATE_AUTO_PROVISION=false',
  );
  expect(r.stdout).toContain('docker compose exec -T restate-1 restatectl snapshots create');
  expect(r.stdout).toContain('docker compose up -d --wait restate-4 restate-5');
  expect(r.stdout).toContain('docker compose exec -T restate-1 restatectl config set --replication 3 --yes');
  expect(r.stdout).not.toContain('Next: docker compose up -d');
});

test('a replication change restarts the nodes under the lower replication: a higher one is set after them, a lower one first', () => {
  expect(gen('--nodes', '3', '--replication', '2').status).toBe(0);
  const stepTitles = (stdout: string) => [...stdout.matchAll(/^ {2}\d+\. (\S+ \S+)/gm)].map((m) => m[1]);
  const up = gen('--replication', '3');
  // Replication 3 on 3 nodes can lose none; under 2 each restart waits for `ready`.
  expect(stepTitles(up.stdout)).toEqual(['Recreate restate-1,', 'RESTATE_DEFAULT_REPLICATION is']);
  expect(up.stdout).toContain('docker compose up -d --wait restate-2 && node ');
  // --yes: restatectl asks before it applies, and exec -T gives it no terminal to answer.
  expect(up.stdout).toContain('restatectl config set --replication 3 --yes\n');
  const down = gen('--replication', '2');
  expect(stepTitles(down.stdout)).toEqual(['RESTATE_DEFAULT_REPLICATION is', 'Recreate restate-1,']);
  expect(down.stdout).toContain('docker compose up -d --wait restate-2 && node ');
});

test('options not given keep their previous values, not the defaults', () => {
  expect(gen('--nodes', '5', '--replication', '2', '--port-offset', '3').status).toBe(0);
  expect(gen('--restate-version', '1.7.10').status).toBe(0);
  const state = JSON.parse(readFileSync(join(out(), '.gen-compose.json'), 'utf8'));
  expect(state.options).toMatchObject({ nodes: 5, replication: 2, portOffset: 3, restateVersion: '1.7.10' });
  expect(JSON.stringify(state)).not.toMatch(new RegExp(SECRETS.map((s) => envOf(out())[s]).join('|')));
});

test.each([
  [
    ['--nodes', '2'],
    /^gen-compose: shrinking from 3 to 2 nodes drops restate-3: pass --force to write the smaller files; the run then prints the steps that take N3 out of the running cluster \(Restate's removal procedure\) and remove its container and volume\n$/,
  ],
  [['--cluster-name', 'other'], /renaming it to "other" also renames the compose project/],
])('%j is refused, leaving the directory as it was; --force does it', (args, message) => {
  expect(gen('--nodes', '3').status).toBe(0);
  const before = snapshotDir(out());
  const refused = gen(...args);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(message);
  expect(snapshotDir(out())).toEqual(before);
  expect(gen(...args, '--force').status).toBe(0);
});

test('a directory holding compose files gen-compose did not write is refused; --force replaces them', () => {
  mkdirSync(out());
  writeFileSync(join(out(), 'docker-compose.yaml'), 'services: {}\n');
  const before = snapshotDir(out());
  const r = gen();
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/docker-compose\.yaml was not written by gen-compose/);
  expect(snapshotDir(out())).toEqual(before);
  expect(gen('--force').status).toBe(0);
});

test('--dry-run prints a diff with secrets masked and writes nothing', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const before = snapshotDir(out());
  const r = gen('--nodes', '4', '--dry-run');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`would change: ${join(out(), 'docker-compose.yaml')}`);
  expect(r.stdout).toContain('+  restate-4:');
  expect(r.stdout).toContain('+NODE4_INGRESS_PORT_OVERRIDE=48080');
  expect(r.stdout).toContain('Nothing was written (--dry-run)');
  for (const name of SECRETS) expect(r.stdout).not.toContain(envOf(out())[name]);
  expect(snapshotDir(out())).toEqual(before);
  // A new directory: everything would be created, and it is still not there afterwards.
  const fresh = runCli(['--dry-run', '--out', join(cluster.path(), 'new')]);
  expect(fresh.stdout).toContain('would create');
  expect(existsSync(join(cluster.path(), 'new'))).toBe(false);
});

test('--check: 0 when up to date, 1 on drift (for CI)', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  expect(gen('--check').status).toBe(0);
  const drift = gen('--check', '--nodes', '4');
  expect(drift.status).toBe(1);
  expect(drift.stdout).toMatch(
    /differs from what these options generate: docker-compose\.yaml, \.env, \.gen-compose\.json/,
  );
  writeFileSync(
    join(out(), 'docker-compose.yaml'),
    `${readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')}# hand edit\n`,
  );
  expect(gen('--check').status).toBe(1);
});

test('--stdout prints the compose file and writes nothing', () => {
  const r = gen('--stdout', '--nodes', '2');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^# dclint disable .*\n# Generated by gen-compose .*a 2-node Restate cluster/);
  expect(r.stdout).toContain('restate-2:');
  expect(existsSync(out())).toBe(false);
});

test("--publish-address 0.0.0.0 alone opens the application's door (the ingress), nothing unauthenticated", () => {
  const r = gen('--publish-address', '0.0.0.0');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/The network \(0\.0\.0\.0\): ingress/);
  expect(r.stdout).toMatch(
    /This host only \(127\.0\.0\.1\): admin API and UI .*; fabric port .*; S3 API .*; S3 console/,
  );
  expect(r.stdout).not.toMatch(/warning: the/);
  const byTarget = (target: number) =>
    new Set(
      loadCompose(out())
        .services.flatMap((s) => s.ports)
        .filter((p) => p.target === target)
        .map((p) => p.hostIp),
    );
  expect(byTarget(8080)).toEqual(new Set(['0.0.0.0']));
  for (const target of [9070, 5122, 9000, 9001]) expect(byTarget(target)).toEqual(new Set(['127.0.0.1']));
  expect(gen('--publish-address', 'everywhere').stderr).toMatch(/--publish-address must be an IPv4 address/);
});

test('--expose opens exactly the kinds named, the summary warns for each unauthenticated one, and check says the same', async () => {
  const r = gen('--expose', 'admin,s3-console');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(
    'warning: admin API and UI (control plane) is reachable from the network (no authentication',
  );
  expect(r.stdout).toContain(
    "warning: S3 console (MinIO) is reachable from the network (a login page for MinIO's root user).",
  );
  const env = envOf(out());
  expect([
    env.INGRESS_PUBLISH_ADDRESS,
    env.ADMIN_PUBLISH_ADDRESS,
    env.FABRIC_PUBLISH_ADDRESS,
    env.S3_PUBLISH_ADDRESS,
    env.S3_CONSOLE_PUBLISH_ADDRESS,
  ]).toEqual(['127.0.0.1', '0.0.0.0', '127.0.0.1', '127.0.0.1', '0.0.0.0']);
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toMatch(
    /^# Regenerate, in this directory: node \S+\/dist\/bundle\/gen-compose\.js --out \. --nodes 3 --replication 2 --metadata-nodes 3 --cluster-name restate-cluster --restate-version 1.7.12 --port-offset 0 --snapshot-interval-records 1000 --expose admin,s3-console$/m,
  );
  const { checkProject } = await import('../src/check/check.js');
  const findings = (await checkProject(loadCompose(out()), { fetch: false })).findings.filter(
    (f) => f.rule === 'exposure',
  );
  expect(findings.map((f) => f.service).sort()).toEqual(['minio', 'restate-1', 'restate-2', 'restate-3']);
  expect(findings[0]!.message).toMatch(
    /publishes its admin API and UI \(control plane\) on 0\.0\.0\.0 .*no authentication/,
  );
  // Remembered like every other option, until changed.
  expect(gen('--nodes', '3').status).toBe(0);
  expect(envOf(out()).ADMIN_PUBLISH_ADDRESS).toBe('0.0.0.0');
  expect(gen('--expose', 'none').status).toBe(0);
  expect(envOf(out()).ADMIN_PUBLISH_ADDRESS).toBe('127.0.0.1');
});

test.each([
  [
    ['--expose', 'bogus'],
    /--expose takes a comma-separated list of ingress, admin, fabric, s3, s3-console, load-balancer, prometheus, grafana \(or none\), got "bogus"/,
  ],
  [['--expose', 'grafana'], /--expose grafana: this cluster has no grafana; it needs --monitoring/],
  [['--expose', 's3', '--snapshots-endpoint', 'https://s3.example.com'], /--expose s3: this cluster has no s3/],
  [['--expose', 'ingress', '--publish-address', '127.0.0.1'], /would reach this host only/],
  [['--target', 'swarm', '--publish-address', '10.0.0.5'], /Swarm publishes a host-mode port on every interface/],
])('bad exposure %j: one line, exit 2, nothing written', (args, message) => {
  const r = gen(...args);
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(existsSync(out())).toBe(false);
});

test('a cluster from before --expose: an edited PUBLISH_ADDRESS carries over to the ingress only', () => {
  // Files gen-compose wrote before --expose existed (examples/ha as it was then).
  cpSync(join(ROOT, 'tests', 'fixtures', 'pre-expose-ha'), out(), { recursive: true });
  writeFileSync(
    join(out(), '.env'),
    readFileSync(join(out(), '.env'), 'utf8').replace(/^PUBLISH_ADDRESS=.*$/m, 'PUBLISH_ADDRESS=0.0.0.0'),
  );
  const r = gen();
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(
    'note: PUBLISH_ADDRESS=0.0.0.0 from your .env now applies to INGRESS_PUBLISH_ADDRESS only',
  );
  const env = envOf(out());
  expect(env.PUBLISH_ADDRESS).toBeUndefined();
  expect([env.INGRESS_PUBLISH_ADDRESS, env.ADMIN_PUBLISH_ADDRESS, env.FABRIC_PUBLISH_ADDRESS]).toEqual([
    '0.0.0.0',
    '127.0.0.1',
    '127.0.0.1',
  ]);
});

test('by default every published port, ingress included, listens on 127.0.0.1 only', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const ports = loadCompose(out()).services.flatMap((s) => s.ports);
  expect(ports).toHaveLength(11);
  expect(ports.every((p) => p.hostIp === '127.0.0.1')).toBe(true);
});

test('the metadata group keeps its size on regeneration; growing prints no recreation of the existing nodes', () => {
  expect(gen('--nodes', '3', '--replication', '2').status).toBe(0);
  const grown = gen('--nodes', '5');
  expect(grown.status).toBe(0);
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain('--metadata-nodes 3 ');
  expect(grown.stdout).toContain('docker compose up -d --wait restate-4 restate-5');
  expect(grown.stdout).not.toContain('up -d --wait restate-1');
  // A group chosen larger stays that large when the cluster grows.
  expect(gen('--nodes', '5', '--metadata-nodes', '5', '--force').status).toBe(0);
  expect(gen('--nodes', '7').status).toBe(0);
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain(
    '--nodes 7 --replication 2 --metadata-nodes 5 ',
  );
});

describe('exposure across regenerations (found by a new-user trial)', () => {
  test('switching --target and back restores the target default, and a note says what opened or closed', () => {
    expect(gen().status).toBe(0);
    const toSwarm = gen('--target', 'swarm');
    expect(toSwarm.status).toBe(0);
    expect(toSwarm.stdout).toContain('note: reachable from the network: now also ingress');
    const back = gen('--target', 'compose');
    expect(back.status).toBe(0);
    expect(back.stdout).toContain('note: reachable from the network: no longer ingress');
    expect(envOf(out()).INGRESS_PUBLISH_ADDRESS).toBe('127.0.0.1');
  });

  test('--expose replaces the list: closing kinds is said, and the README hints name the whole list', () => {
    expect(gen('--expose', 'admin,fabric').status).toBe(0);
    expect(readFileSync(join(out(), 'README.md'), 'utf8')).toContain('`--expose admin,fabric,ingress` opens it');
    const r = gen('--expose', 'ingress');
    expect(r.stdout).toContain(
      'note: reachable from the network: now also ingress; no longer admin, fabric (--expose names the whole list: ingress)',
    );
  });

  test('a kept kind whose service is dropped goes with it; an error never names a flag the user did not give', () => {
    expect(gen('--load-balancer', '--expose', 'load-balancer,admin').status).toBe(0);
    const r = gen('--no-load-balancer');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(envOf(out()).ADMIN_PUBLISH_ADDRESS).toBe('0.0.0.0');
    expect(gen('--preset', 'prod', '--target', 'swarm').stderr).toMatch(
      /add --no-load-balancer --no-monitoring where a preset or an earlier run set them/,
    );
    expect(gen('--expose', 'none,admin').stderr).toMatch(/--expose none cannot be combined with other kinds/);
    expect(gen('--target', 'swarm', '--publish-address', '127.0.0.1').stderr).toMatch(
      /Swarm publishes a host-mode port on every interface/,
    );
  });

  test('the README says what .env says: a hand-opened admin API is on the network there too', () => {
    expect(gen().status).toBe(0);
    writeFileSync(
      join(out(), '.env'),
      readFileSync(join(out(), '.env'), 'utf8').replace(
        'ADMIN_PUBLISH_ADDRESS=127.0.0.1',
        'ADMIN_PUBLISH_ADDRESS=0.0.0.0',
      ),
    );
    const r = gen('--nodes', '4');
    expect(r.stdout).toContain('warning: admin API and UI (control plane) is reachable from the network');
    expect(readFileSync(join(out(), 'README.md'), 'utf8')).toContain(
      'admin API and UI (control plane): the network, on `0.0.0.0`',
    );
  });

  test('a state file edited into another shape is damaged: refused in one line (no crash), --force regenerates', () => {
    expect(gen().status).toBe(0);
    const state = JSON.parse(readFileSync(join(out(), '.gen-compose.json'), 'utf8'));
    state.options.expose = 'admin';
    writeFileSync(join(out(), '.gen-compose.json'), JSON.stringify(state));
    const r = gen();
    expect(r.stderr).toMatch(
      /^gen-compose: \S+\.gen-compose\.json is damaged, so gen-compose cannot tell what it wrote before/,
    );
    expect(r.status).toBe(2);
    expect(gen('--force').status).toBe(0);
  });

  test.each([['deleted'], ['damaged']])(
    'a %s state file no longer lets a plain run shrink or rename the cluster',
    (how) => {
      expect(gen('--nodes', '5', '--cluster-name', 'kc', '--memory', '2G', '--load-balancer').status).toBe(0);
      const state = join(out(), '.gen-compose.json');
      if (how === 'deleted') rmSync(state);
      else writeFileSync(state, 'garbage');
      const before = snapshotDir(out());
      const r = gen();
      expect(r.stderr).toBe(
        `gen-compose: ${state} is ${how === 'deleted' ? 'missing' : 'damaged'}, so gen-compose cannot tell what it wrote before (the options, its own values from your edits): restore it, or run the "Regenerate" line at the top of docker-compose.yaml (every option) with --force\n`,
      );
      expect(r.status).toBe(2);
      expect(snapshotDir(out())).toEqual(before);
    },
  );

  test("Swarm with the ingress unpublished: the README invokes from a container on the stack's network", () => {
    expect(gen('--target', 'swarm', '--expose', 'admin').status).toBe(0);
    const readme = readFileSync(join(out(), 'README.md'), 'utf8');
    expect(readme).toContain(
      'docker run --rm --network restate-cluster_restate-cluster-net --entrypoint curl docker.restate.dev/restatedev/restate:1.7.12 -fsS http://restate-1:8080/Counter/my-key/add',
    );
    expect(readme).not.toMatch(/^curl .*:8080\/Counter/m);
  });
});

test('a hand edit that beats the options is named on every run, also when the flag is given again', () => {
  expect(gen('--expose', 'admin').status).toBe(0);
  writeFileSync(
    join(out(), '.env'),
    readFileSync(join(out(), '.env'), 'utf8').replace(
      'ADMIN_PUBLISH_ADDRESS=0.0.0.0',
      'ADMIN_PUBLISH_ADDRESS=127.0.0.1',
    ),
  );
  for (const args of [[], ['--expose', 'admin']]) {
    const r = gen(...args);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      'note: kept ADMIN_PUBLISH_ADDRESS=127.0.0.1 from your .env; these options would write 0.0.0.0 (edit or delete the line in .env to take it)',
    );
  }
});

test('the Regenerate line, run as printed in the output directory, regenerates exactly this cluster, templates included', () => {
  const templates = join(cluster.path(), 'my templates');
  expect(runCli(['templates', 'export', templates]).status).toBe(0);
  expect(gen('--nodes', '4', '--expose', 'ingress', '--templates', templates).status).toBe(0);
  const line = readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('# Regenerate, in this directory: '))!;
  const command = line.replace('# Regenerate, in this directory: ', '');
  expect(command).toMatch(
    /^node \S+gen-compose\.js --out \. --nodes 4 .* --expose ingress --templates '\.\.\/my templates'$/,
  );
  expect(readFileSync(join(out(), 'README.md'), 'utf8')).toContain(command);
  // Without the state file too: the line alone (with --force, as the refusal says) says everything.
  const before = snapshotDir(out());
  writeFileSync(join(out(), '.gen-compose.json'), 'damaged');
  const r = spawnSync('/bin/sh', ['-c', `${command} --force`], { cwd: out(), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(snapshotDir(out())).toEqual(before);
  expect(existsSync(join(out(), 'cluster'))).toBe(false);
  // --templates is remembered; one that is gone is named; --no-templates goes back.
  renameSync(templates, `${templates}-moved`);
  const gone = gen();
  expect(gone.stderr).toMatch(
    /generated with the templates in \S+my templates \(remembered from the last run\), which no longer exists: give --templates DIR, or --no-templates/,
  );
  expect(gen('--no-templates').status).toBe(0);
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).not.toContain('--templates');
});

test.each([
  [
    'RESTATE_VERSION',
    'latest',
    /^gen-compose: --restate-version must look like 1\.7\.12, got "latest" \(from RESTATE_VERSION=latest edited into \.env: fix or delete that line\)\n$/,
  ],
  [
    'RESTATE_VERSION',
    '1.7.99',
    /Restate 1\.7\.99 was never published to npm.* \(from RESTATE_VERSION=1\.7\.99 edited into \.env/,
  ],
  [
    'RESTATE_CLUSTER_NAME',
    'other',
    /renaming it to "other" also renames the compose project.* \(from RESTATE_CLUSTER_NAME=other edited into \.env/,
  ],
])('%s=%s edited into .env is judged as the flag would be', (variable, value, message) => {
  expect(gen().status).toBe(0);
  const envFile = join(out(), '.env');
  writeFileSync(
    envFile,
    readFileSync(envFile, 'utf8').replace(new RegExp(`^${variable}=.*$`, 'm'), `${variable}=${value}`),
  );
  const before = snapshotDir(out());
  const r = gen();
  expect(r.stderr).toMatch(message);
  expect(r.status).toBe(2);
  expect(snapshotDir(out())).toEqual(before);
});

test('an accepted .env edit of an option is that option: every file and the summary say it; a flag given now wins', () => {
  expect(gen().status).toBe(0);
  const envFile = join(out(), '.env');
  writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/^RESTATE_VERSION=.*$/m, 'RESTATE_VERSION=1.7.10'));
  const r = gen();
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('(Restate 1.7.10)');
  expect(r.stdout).toContain('note: RESTATE_VERSION=1.7.10 edited into .env: taken as --restate-version 1.7.10');
  expect(r.stdout).toContain('Downgrade one node at a time');
  expect(readFileSync(join(out(), 'docker-compose.yaml'), 'utf8')).toContain('restate:${RESTATE_VERSION:-1.7.10}');
  expect(readFileSync(join(out(), 'README.md'), 'utf8')).toContain('Restate 1.7.10');
  expect(JSON.parse(readFileSync(join(out(), '.gen-compose.json'), 'utf8')).options.restateVersion).toBe('1.7.10');
  writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/^RESTATE_VERSION=.*$/m, 'RESTATE_VERSION=1.7.8'));
  const flag = gen('--restate-version', '1.7.12');
  expect(flag.stdout).toContain('note: --restate-version 1.7.12 replaces RESTATE_VERSION=1.7.8 edited into .env');
  expect(flag.stdout).toContain('Upgrade one node at a time');
  expect(envOf(out()).RESTATE_VERSION).toBe('1.7.12');
});

test('steps for a running cluster: a smaller metadata group leaves through restatectl first; add-ons restart or start', () => {
  expect(gen('--nodes', '5', '--load-balancer').status).toBe(0);
  const smaller = gen('--metadata-nodes', '3');
  expect(smaller.status).toBe(0);
  expect(smaller.stdout).toMatch(
    /1\. Take restate-4, restate-5 out of the running metadata group before their files drop the role:\n\s+docker compose exec -T restate-1 restatectl metadata-server remove-node N4 N5\n\s+2\. Recreate restate-4, restate-5 one at a time/,
  );
  const grown = gen('--nodes', '7', '--monitoring');
  expect(grown.stdout).toMatch(
    /Reload what reads the node list from its config file \(a reload keeps the connections open\):\n\s+docker compose kill -s HUP load-balancer\n/,
  );
  expect(grown.stdout).toMatch(/Start the new services:\n\s+docker compose up -d prometheus grafana\n/);
  expect(gen('--no-load-balancer').stdout).toMatch(
    /Stop and remove the services these files no longer have \(by name: .*\):\n\s+docker rm -f restate-cluster-load-balancer-1\n/,
  );
});

test('add-ons switched with a node change: none is started or removed by a plain up, which would recreate every node at once', () => {
  expect(gen('--nodes', '3', '--load-balancer', '--monitoring').status).toBe(0);
  const off = gen('--no-load-balancer', '--no-monitoring', '--memory', '2G');
  expect(off.status).toBe(0);
  // One step for every add-on that goes, by container name; then the nodes one at a time.
  expect(off.stdout).not.toMatch(/^ {5}docker compose up -d(?! --wait)/m);
  expect(off.stdout).toMatch(
    /1\. Stop and remove the services these files no longer have .*\n\s+docker rm -f restate-cluster-load-balancer-1 restate-cluster-prometheus-1 restate-cluster-grafana-1\n\s+2\. Recreate restate-1, restate-2, restate-3 one at a time/,
  );
  const on = gen('--load-balancer', '--monitoring', '--memory', '3G');
  expect(on.status).toBe(0);
  // Started once, after the rolling block: nothing left for its `up` to recreate.
  expect(on.stdout.match(/Start the new services/g)).toHaveLength(1);
  expect(on.stdout).toMatch(
    /1\. Recreate restate-1, restate-2, restate-3 one at a time[^]*\n\s+2\. Start the new services:\n\s+docker compose up -d load-balancer prometheus grafana\n/,
  );
});

test('a forced rename stops the old project and starts the new, empty one: no rolling restart of a project that runs nothing', () => {
  expect(gen('--nodes', '3', '--load-balancer').status).toBe(0);
  const r = gen('--cluster-name', 'other', '--force', '--restate-version', '1.7.10');
  expect(r.status).toBe(0);
  const block = r.stdout.slice(r.stdout.indexOf('On a running cluster'));
  expect(block).toMatch(
    /1\. Stop the cluster that runs as "restate-cluster" .*\n\s+docker compose -p restate-cluster down --remove-orphans &&\n\s+docker compose up -d --wait &&\n\s+node \S+ ready \.\n$/,
  );
  // The version's rolling block, and the add-ons' recreation, are for the old cluster.
  expect(block).not.toContain('2.');
  expect(r.stdout).toContain('note: Restate 1.7.12 → 1.7.10');
  // After a replacement of node 1 it still provisions a new cluster (its peers hold none).
  expect(gen('--replace-node', '1').status).toBe(0);
  const again = gen('--cluster-name', 'third', '--force');
  expect(again.stdout).toMatch(/docker compose -p other down --remove-orphans &&\n\s+docker compose up -d --wait &&\n/);
});

test('a grow reloads the add-ons that list the nodes; one whose mount an older gen-compose wrote is recreated', () => {
  expect(gen('--nodes', '3', '--load-balancer').status).toBe(0);
  const compose = join(out(), 'docker-compose.yaml');
  // The balancer's config is mounted through its directory, so a reload sees the renamed file.
  expect(readFileSync(compose, 'utf8')).toContain('- ./haproxy:/usr/local/etc/haproxy:ro\n');
  const reload = /Reload what reads the node list[^\n]*\n\s+docker compose kill -s HUP load-balancer\n/;
  const grown = gen('--nodes', '4');
  expect(grown.stdout).toMatch(reload);
  expect(grown.stdout).not.toContain('Recreate load-balancer');
  // Files of an earlier gen-compose mounted the file itself: a reload would read the old one.
  const older = readFileSync(compose, 'utf8').replace(
    '- ./haproxy:/usr/local/etc/haproxy:ro',
    '- ./haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro',
  );
  writeFileSync(compose, older);
  // ... whose state file kept no digest of it (this one's would tell the change as a hand edit).
  const state = join(out(), '.gen-compose.json');
  writeFileSync(state, readFileSync(state, 'utf8').replace(/,\n\s*"composeSha256": "[0-9a-f]+"/, ''));
  const again = gen('--nodes', '5');
  expect(again.stdout).toMatch(reload);
  expect(again.stdout).toMatch(
    /Recreate load-balancer, whose definitions changed:\n\s+docker compose up -d load-balancer\n/,
  );
});

test('a Swarm stack gets Swarm commands for a running cluster: restatectl on the stack network, labels and stack deploy, one service update per node with ready between', () => {
  expect(gen('--target', 'swarm').status).toBe(0);
  const r = gen('--nodes', '5', '--restate-version', '1.7.10');
  expect(r.status).toBe(0);
  const steps = r.stdout.slice(r.stdout.indexOf('On a manager of the swarm'));
  expect(steps).not.toMatch(/docker compose/);
  expect(steps).toMatch(
    /1\. Downgrade one node at a time \(docker stack deploy would restart them all at once\)[^\n]*:\n\s+node \S+ ready \. --stack restate-cluster &&\n\s+docker service update --detach --quiet --image docker\.restate\.dev\/restatedev\/restate:1\.7\.10 restate-cluster_restate-1 && node \S+ ready \. --stack restate-cluster --updated restate-1 &&\n/,
  );
  expect(steps).not.toMatch(/service update [^\n]*restate-cluster_restate-4/);
  expect(steps).toMatch(
    /docker run --rm --network restate-cluster_restate-cluster-net -e RESTATECTL_ADDRESS=http:\/\/restate-1:5122 --entrypoint restatectl docker\.restate\.dev\/restatedev\/restate:1\.7\.10 snapshots create/,
  );
  expect(steps).toMatch(
    /docker node update --label-add restate-node=4 HOST_4 &&\n\s+docker node update --label-add restate-node=5 HOST_5 &&\n\s+\(set -a && \. \.\/\.env && set \+a && docker stack deploy -c docker-stack\.yaml restate-cluster\) &&\n\s+node \S+ ready \. --stack restate-cluster\n/,
  );
});

test.each([
  [
    'MINIO_ROOT_PASSWORD=',
    /\.env has MINIO_ROOT_PASSWORD=, an empty secret docker compose refuses to start with: fix or delete that line/,
  ],
  // The edited line is named, not the one whose default it collides with.
  [
    'NODE1_INGRESS_PORT_OVERRIDE=28080',
    /\.env has NODE1_INGRESS_PORT_OVERRIDE=28080, the same port as NODE2_INGRESS_PORT_OVERRIDE: fix or delete that line/,
  ],
  [
    'NODE3_ADMIN_PORT_OVERRIDE=9000',
    /\.env has NODE3_ADMIN_PORT_OVERRIDE=9000, the same port as MINIO_API_PORT_OVERRIDE/,
  ],
])('an edit of .env that compose could not run (%s) is refused, naming the edited line', (line, message) => {
  expect(gen().status).toBe(0);
  const envFile = join(out(), '.env');
  const name = line.slice(0, line.indexOf('='));
  writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(new RegExp(`^${name}=.*$`, 'm'), line));
  const before = snapshotDir(out());
  const r = gen();
  expect(r.stderr).toMatch(message);
  expect(r.status).toBe(2);
  expect(snapshotDir(out())).toEqual(before);
});

test('a symbolic link at a path gen-compose writes is refused, not replaced; the Regenerate line works through a linked --out', () => {
  expect(gen().status).toBe(0);
  const elsewhere = join(cluster.path(), 'cluster.env');
  renameSync(join(out(), '.env'), elsewhere);
  symlinkSync(elsewhere, join(out(), '.env'));
  const r = gen('--port-offset', '5');
  expect(r.stderr).toMatch(
    /\.env is a symbolic link; gen-compose writes whole files and would replace the link, not the file it points to/,
  );
  expect(r.status).toBe(2);
  expect(lstatSync(join(out(), '.env')).isSymbolicLink()).toBe(true);

  const deep = join(cluster.path(), 'deep', 'a', 'b');
  mkdirSync(deep, { recursive: true });
  symlinkSync(deep, join(cluster.path(), 'link'));
  expect(runCli(['--out', join(cluster.path(), 'link')]).status).toBe(0);
  const command = readFileSync(join(deep, 'docker-compose.yaml'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('# Regenerate, in this directory: '))!
    .replace('# Regenerate, in this directory: ', '');
  const again = spawnSync('/bin/sh', ['-c', command], { cwd: join(cluster.path(), 'link'), encoding: 'utf8' });
  expect(again.stderr).toBe('');
  expect(again.status).toBe(0);
});

test("lines of the user's in .env that are not variables are dropped with a note, and none of gen-compose's own is taken for one", () => {
  expect(
    gen('--nodes', '7', '--load-balancer', '--monitoring', '--memory', '4G', '--snapshots-retained', '2').status,
  ).toBe(0);
  expect(gen('--no-monitoring', '--port-offset', '3').stdout).not.toMatch(/of your own in \.env/);
  const envFile = join(out(), '.env');
  writeFileSync(
    envFile,
    `${readFileSync(envFile, 'utf8').replace(/^TZ=/m, '# we run in Berlin, see ticket 42\nTZ=')}lonely\nMYVAR=1\n`,
  );
  // A name alone sets nothing (Compose reads it so: from the shell, if anywhere).
  const r = gen();
  expect(r.stdout).toContain(
    'note: 2 line(s) of your own in .env were dropped (only variables are kept): "# we run in Berlin, see ticket 42", "lonely"; keep notes in a file beside it',
  );
  expect(envOf(out()).MYVAR).toBe('1');
  expect(gen().stdout).not.toMatch(/of your own in \.env/);
});

describe('found by the second trial', () => {
  test('a state file edited to contradict the compose file is not believed', () => {
    expect(gen('--nodes', '5', '--load-balancer').status).toBe(0);
    const state = join(out(), '.gen-compose.json');
    writeFileSync(
      state,
      readFileSync(state, 'utf8')
        .replace('"nodes": 5', '"nodes": 3')
        .replace('"metadataNodes": 5', '"metadataNodes": 3'),
    );
    const r = gen();
    expect(r.stderr).toMatch(
      /\.gen-compose\.json is edited \(it says 3 node\(s\); docker-compose\.yaml has 5\), so gen-compose cannot tell what it wrote before/,
    );
    expect(r.status).toBe(2);
  });

  test.each([
    [
      'NODE_MEMORY_LIMIT=abc',
      /--memory must look like 4G, 512M or 2GiB, got "abc" \(from NODE_MEMORY_LIMIT=abc edited into \.env/,
    ],
    [
      'NODE_MEMORY_LIMIT=512M',
      /--memory 512M is below the 1G a Restate node needs \(from NODE_MEMORY_LIMIT=512M edited into \.env/,
    ],
    ['MINIO_ROOT_PASSWORD=short', /\.env has MINIO_ROOT_PASSWORD=short, shorter than the 8 characters MinIO requires/],
    ['MINIO_ROOT_USER=ab', /\.env has MINIO_ROOT_USER=ab, shorter than the 3 characters MinIO requires/],
  ])('%s in .env is judged, not kept', (line, message) => {
    expect(gen('--memory', '2G').status).toBe(0);
    const envFile = join(out(), '.env');
    const name = line.slice(0, line.indexOf('='));
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(new RegExp(`^${name}=.*$`, 'm'), line));
    const r = gen();
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });

  test('a deleted secret line gets a new secret and a note; a memory edit that holds is the option everywhere', () => {
    expect(gen('--memory', '2G').status).toBe(0);
    const envFile = join(out(), '.env');
    writeFileSync(
      envFile,
      readFileSync(envFile, 'utf8')
        .replace(/^MINIO_ROOT_PASSWORD=.*\n/m, '')
        .replace(/^NODE_MEMORY_LIMIT=.*$/m, 'NODE_MEMORY_LIMIT=4096M'),
    );
    const r = gen();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      'note: MINIO_ROOT_PASSWORD was not in .env: a new one was generated (services take it when recreated)',
    );
    expect(r.stdout).toContain('note: NODE_MEMORY_LIMIT=4096M edited into .env: taken as --memory 4096M');
    expect(JSON.parse(readFileSync(join(out(), '.gen-compose.json'), 'utf8')).options.memoryBytes).toBe(4 * 2 ** 30);
  });

  test("FIFOs and devices are refused, not read; a directory of the user's named like gen-compose's scratch space stays", () => {
    expect(gen().status).toBe(0);
    rmSync(join(out(), '.env'));
    execFileSync('mkfifo', [join(out(), '.env')]);
    const fifo = gen('--port-offset', '5');
    expect(fifo.stderr).toMatch(
      /\.env is not a regular file \(a directory, a FIFO or a device\) where gen-compose keeps a file: move it away\n$/,
    );
    expect(fifo.status).toBe(2);
    expect(runCli(['check', '/dev/zero']).stderr).toBe(
      'gen-compose: /dev/zero is not a regular file (a directory, a FIFO or a device)\n',
    );
    rmSync(join(out(), '.env'));
    expect(gen('--force').status).toBe(0);
    mkdirSync(join(out(), '.gen-compose.staging'));
    writeFileSync(join(out(), '.gen-compose.staging', 'notes.txt'), 'precious\n');
    const scratch = gen('--port-offset', '4');
    expect(scratch.stderr).toMatch(
      /\.gen-compose\.staging is not gen-compose's \(it keeps unfinished writes under that name\): move it away/,
    );
    expect(readFileSync(join(out(), '.gen-compose.staging', 'notes.txt'), 'utf8')).toBe('precious\n');
  });

  test('output that cannot be written (a full disk behind >file) is one line, exit 2', () => {
    const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" --out "${out()}" --stdout >/dev/full`], {
      encoding: 'utf8',
    });
    expect(r.stderr).toMatch(/^gen-compose: cannot write the output: ENOSPC[^\n]*\n$/);
    expect(r.status).toBe(2);
  });
});

test('a run that changes nothing says the files are unchanged, not written, and leaves them alone', () => {
  expect(gen('--nodes', '3').status).toBe(0);
  const compose = join(out(), 'docker-compose.yaml');
  const before = statSync(compose).mtimeMs;
  const again = gen();
  expect(again.status).toBe(0);
  expect(again.stdout).not.toMatch(/^Wrote/m);
  expect(again.stdout).toMatch(
    /^Unchanged \S+docker-compose\.yaml, \S+\.env, \S+README\.md \(already as these options write them\)$/m,
  );
  expect(statSync(compose).mtimeMs).toBe(before);
  // One option changed: the files it changes are written again.
  const grown = gen('--nodes', '4');
  expect(grown.stdout).toMatch(/^Wrote \S+docker-compose\.yaml, \S+\.env, \S+README\.md$/m);
});

test('a rolling change is one block that waits for `ready` before each node and stops at the first failure', () => {
  expect(gen('--nodes', '3', '--replication', '2').status).toBe(0);
  const r = gen('--restate-version', '1.7.10');
  expect(r.status).toBe(0);
  const block = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('     '))
    .map((l) => l.trim());
  const ready = /^node \S+\/dist\/bundle\/gen-compose\.js ready \.$/;
  expect(block[0]).toMatch(/^node \S+ ready \. &&$/);
  expect(block.slice(1)).toEqual(
    ['restate-1', 'restate-2', 'restate-3'].map((n, i) =>
      expect.stringMatching(
        new RegExp(`^docker compose up -d --wait ${n} && node \\S+ ready \\.${i < 2 ? ' &&' : ''}$`),
      ),
    ),
  );
  expect(block[3]!.replace(/^.* && /, '')).toMatch(ready);
  // The block is one shell command: bash parses it whole (a syntax error would exit 2).
  expect(spawnSync('bash', ['-n'], { input: block.join('\n'), encoding: 'utf8' }).status).toBe(0);
});

test('a cluster that cannot lose a node restarts its nodes without waiting for what never comes', () => {
  expect(gen('--preset', 'dev').status).toBe(0);
  const r = gen('--restate-version', '1.7.10');
  expect(r.stdout).toContain('this cluster cannot lose a node');
  expect(r.stdout).toContain('docker compose up -d --wait restate-1');
  expect(r.stdout).not.toContain(' ready .');
});

test('a version jump that skips a minor is refused with the path, and nothing is written', () => {
  expect(gen('--restate-version', '1.5.3', '--unverified').status).toBe(0);
  const before = readFileSync(join(out(), '.env'), 'utf8');
  for (const extra of [[], ['--force']]) {
    const r = gen('--restate-version', '1.7.12', ...extra);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'gen-compose: Restate 1.5.3 → 1.7.12 skips a minor version: Restate moves one at a time (1.5 → 1.6 → 1.7); regenerate with --restate-version 1.6.2 first, roll it out, then go on to 1.7.12\n',
    );
  }
  expect(readFileSync(join(out(), '.env'), 'utf8')).toBe(before);
  // One minor at a time is the way through.
  expect(gen('--restate-version', '1.6.2').status).toBe(0);
  expect(gen('--restate-version', '1.7.12').status).toBe(0);
  // Back in one jump: the skip is said first, not the --unverified an old version also needs.
  for (const extra of [[], ['--unverified']]) {
    const r = gen('--restate-version', '1.5.3', ...extra);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'gen-compose: Restate 1.7.12 → 1.5.3 skips a minor version: Restate moves one at a time (1.7 → 1.6 → 1.5); regenerate with --restate-version 1.6.2 first, roll it out, then go on to 1.5.3\n',
    );
  }
});

test("a forced shrink prints Restate's removal procedure as one block that ends with the containers and volumes gone", () => {
  expect(gen('--nodes', '5', '--replication', '2', '--metadata-nodes', '5', '--cluster-name', 'shop').status).toBe(0);
  const r = gen('--nodes', '3', '--force');
  expect(r.status).toBe(0);
  const block = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('     '))
    .map((l) => l.trim().replace(/^node \S+ ready/, 'gen-compose ready'));
  const ctl = 'docker compose exec -T restate-1 restatectl';
  expect(block.slice(0, 8)).toEqual([
    `${ctl} metadata-server remove-node N4 N5 &&`,
    `${ctl} nodes set-worker-state --nodes N4,N5 --worker-state draining &&`,
    `${ctl} nodes set-storage-state --nodes N4,N5 --storage-state read-only &&`,
    `${ctl} logs reconfigure --log-id 0-23 --yes >/dev/null &&`,
    'gen-compose ready . --leaving N4,N5 &&',
    `${ctl} nodes remove --nodes N4,N5 &&`,
    'docker rm -f shop-restate-4-1 shop-restate-5-1 &&',
    'docker volume rm shop_restate-4-data shop_restate-5-data',
  ]);
  // The metadata group went from 5 to 3, but the nodes that stay start from the same three
  // (restate-1..3) and follow the group as the cluster lists it: none of them restarts.
  expect(r.stdout).toContain('note: metadata group 5 → 3 nodes');
  expect(r.stdout).not.toContain('Recreate');
  expect(block).toHaveLength(8);
  expect(spawnSync('bash', ['-n'], { input: block.slice(0, 8).join('\n'), encoding: 'utf8' }).status).toBe(0);
});

test("run without --out inside a cluster's own directory: refused, not a second cluster nested in it", () => {
  expect(gen('--nodes', '3').status).toBe(0);
  for (const args of [[], ['--nodes', '5'], ['--dry-run']]) {
    const r = runCli(args, out());
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'gen-compose: this directory holds a cluster gen-compose wrote (docker-compose.yaml): give --out . to regenerate it (its Regenerate line has every option), or --out DIR for another cluster; without --out, gen-compose would write a new one inside it, in ./restate-cluster\n',
    );
    expect(existsSync(join(out(), 'restate-cluster'))).toBe(false);
  }
  // --out . is the cluster itself; elsewhere the default stays.
  expect(runCli(['--out', '.'], out()).status).toBe(0);
  expect(runCli([], cluster.path()).status).toBe(0);
  expect(existsSync(join(cluster.path(), 'restate-cluster', 'docker-compose.yaml'))).toBe(true);
});
