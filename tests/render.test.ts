import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { COMPOSE_YAML_OPTIONS, loadCompose } from '../src/load/loader.js';
import { validateOptions } from '../src/plan/options.js';
import { planCluster } from '../src/plan/plan.js';
import { generateSecrets, seededSource } from '../src/plan/secrets.js';
import { renderCluster } from '../src/render/index.js';
import { interpolation } from '../src/render/compose.js';
import { writeFiles } from '../src/write/writer.js';
import { schemaErrors, tempDir } from './helpers.js';

function generated(raw: Parameters<typeof validateOptions>[0]) {
  const plan = planCluster(validateOptions(raw), generateSecrets(seededSource('render-test')));
  const dir = tempDir();
  const files = renderCluster(plan, { version: '0.0.0-test', program: 'gen-compose' });
  writeFiles(dir.path, files);
  return { plan, dir, files, compose: files[0]!.content, env: files[1]!.content };
}

describe.each([
  { nodes: 1 },
  { nodes: 3, replication: 2 },
  { nodes: 5, replication: 3 },
  { nodes: 5, replication: 3, metadataNodes: 3, portOffset: 7 },
  { nodes: 7, replication: 3 },
  { nodes: 100, replication: 3, metadataNodes: 5 },
  { nodes: 3, memory: '4G', snapshotsRetained: 2, restateVersion: '1.6.2' },
])('rendered cluster %j', (raw) => {
  const g = generated(raw);
  afterAll(() => g.dir.remove());

  test('parses, and validates against the Compose Specification once interpolated', () => {
    expect(() => parseYaml(g.compose, COMPOSE_YAML_OPTIONS)).not.toThrow();
    const project = loadCompose(g.dir.path);
    expect(schemaErrors(project.raw)).toEqual([]);
  });

  test('compose resolves each node to the planned identity, ports and settings', () => {
    const project = loadCompose(g.dir.path);
    const restate = project.services.filter((s) => s.name.startsWith('restate-'));
    expect(restate).toHaveLength(g.plan.nodes.length);
    for (const node of g.plan.nodes) {
      const service = project.services.find((s) => s.name === node.name)!;
      expect(service.environment.RESTATE_NODE_NAME).toBe(node.name);
      expect(service.environment.RESTATE_FORCE_NODE_ID).toBe(String(node.id));
      expect(service.environment.RESTATE_AUTO_PROVISION).toBe(node.id === 1 ? 'true' : 'false');
      expect(service.environment.RESTATE_CLUSTER_NAME).toBe(g.plan.options.clusterName);
      expect(service.environment.RESTATE_DEFAULT_REPLICATION).toBe(String(g.plan.options.replication));
      expect(service.environment.RESTATE_WORKER__SNAPSHOTS__AWS_SECRET_ACCESS_KEY).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(service.ports.map((p) => p.published)).toEqual([
        node.ports.ingress.hostPort,
        node.ports.admin.hostPort,
        node.ports.fabric.hostPort,
      ]);
      expect(service.image).toBe(`docker.restate.dev/restatedev/restate:${g.plan.options.restateVersion}`);
      expect(service.healthcheck?.test).toEqual([
        'CMD',
        'curl',
        '--fail',
        '--silent',
        '--max-time',
        '2',
        'http://localhost:9070/health',
      ]);
      // Nodes start MinIO, but do not wait for it (tests/engine/start-order.test.ts).
      expect(service.dependsOn).toEqual({ minio: { condition: 'service_started' } });
    }
    const minio = project.services.find((s) => s.name === 'minio')!;
    expect(minio.image).toMatch(/^quay\.io\/minio\/minio:RELEASE\.\d{4}-/);
    expect(minio.ports.map((p) => p.published)).toEqual([
      g.plan.minio!.ports.api.hostPort,
      g.plan.minio!.ports.console.hostPort,
    ]);
  });

  test('.env holds every tunable; the compose file holds no secret literal', () => {
    const env = parseDotenv(Buffer.from(g.env));
    expect(Object.keys(env).sort()).toEqual(g.plan.tunables.map((t) => t.name).sort());
    for (const t of g.plan.tunables) expect(env[t.name]).toBe(t.effective);
    for (const t of g.plan.tunables.filter((x) => x.secret)) expect(g.compose).not.toContain(t.effective);
  });
});

test('without .env the compose file fails loudly on the missing credentials', () => {
  const g = generated({ nodes: 3 });
  try {
    writeFileSync(join(g.dir.path, '.env'), '# emptied by hand\n');
    expect(() => loadCompose(g.dir.path)).toThrow(/required variable (\w+) is missing a value: \1 must be set in .env/);
  } finally {
    g.dir.remove();
  }
});

test('.env is written readable by its owner only', () => {
  const g = generated({ nodes: 1 });
  try {
    expect(readFileSync(join(g.dir.path, '.env'), 'utf8')).toContain('MINIO_ROOT_PASSWORD=');
    expect(statSync(join(g.dir.path, '.env')).mode & 0o777).toBe(0o600);
  } finally {
    g.dir.remove();
  }
});

test('the bucket job creates the bucket and a user limited to it, and can run again', () => {
  // Runs the job's real shell script under /bin/sh. MinIO's `mc` cannot be installed here, so a
  // stand-in records what the script asks of it and behaves as mc is documented to: `policy
  // attach` fails with "already in effect" when the policy is attached already (minio/mc#4670).
  const g = generated({ nodes: 1 });
  try {
    const project = loadCompose(g.dir.path, {
      shell: { RESTATE_WORKER__SNAPSHOTS__DESTINATION: 's3://my-bucket/some/prefix' },
    });
    const job = project.services.find((s) => s.name === 'minio-create-bucket')!;
    expect(job.entrypoint).toEqual(['/bin/sh', '-c']);
    const script = (job.command as string[])[0]!;
    const log = join(g.dir.path, 'mc.log');
    const attached = join(g.dir.path, 'attached');
    const mc = join(g.dir.path, 'mc');
    writeFileSync(
      mc,
      `#!/bin/sh
echo "$*" >> ${log}
case "$*" in
  "admin policy create"*) cat "$6" >> ${log} ;;
  "admin policy attach"*)
    if [ -e ${attached} ]; then echo "mc: <ERROR> Unable to make user/group policy association. The specified policy change is already in effect." >&2; exit 1; fi
    touch ${attached} ;;
esac
`,
    );
    chmodSync(mc, 0o755);
    const runJob = () =>
      spawnSync('/bin/sh', ['-c', script], {
        env: { ...job.environment, PATH: `${g.dir.path}:/usr/bin:/bin` },
        encoding: 'utf8',
      });
    const first = runJob();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const calls = readFileSync(log, 'utf8');
    const env = job.environment;
    expect(calls).toContain(`alias set cluster http://minio:9000 ${env.MINIO_ROOT_USER} ${env.MINIO_ROOT_PASSWORD}\n`);
    expect(calls).toContain('mb --ignore-existing cluster/my-bucket\n');
    expect(calls).toContain(`admin user add cluster ${env.RESTATE_S3_ACCESS_KEY} ${env.RESTATE_S3_SECRET_KEY}\n`);
    expect(calls).toContain(`admin policy attach cluster restate-snapshots --user ${env.RESTATE_S3_ACCESS_KEY}\n`);
    const policy = JSON.parse(calls.slice(calls.indexOf('{"Version"'), calls.lastIndexOf(']}') + 2));
    expect(policy.Statement.map((st: { Resource: string[] }) => st.Resource)).toEqual([
      ['arn:aws:s3:::my-bucket'],
      ['arn:aws:s3:::my-bucket/*'],
    ]);
    // The key Restate uses is the limited one, never MinIO's root.
    const node = project.services.find((s) => s.name === 'restate-1')!;
    expect(node.environment.RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID).toBe(env.RESTATE_S3_ACCESS_KEY);
    expect(node.environment.RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID).not.toBe(env.MINIO_ROOT_USER);

    const again = runJob();
    expect(again.status).toBe(0);
  } finally {
    g.dir.remove();
  }
});

test('a real mc failure in the job is not swallowed', () => {
  const g = generated({ nodes: 1 });
  try {
    const job = loadCompose(g.dir.path).services.find((s) => s.name === 'minio-create-bucket')!;
    const mc = join(g.dir.path, 'mc');
    writeFileSync(
      mc,
      `#!/bin/sh\ncase "$*" in "admin policy attach"*) echo "mc: <ERROR> Access Denied." >&2; exit 1 ;; esac\n`,
    );
    chmodSync(mc, 0o755);
    const run = spawnSync('/bin/sh', ['-c', (job.command as string[])[0]!], {
      env: { ...job.environment, PATH: `${g.dir.path}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Access Denied');
  } finally {
    g.dir.remove();
  }
});

test('the schema check rejects what Compose rejects (control)', () => {
  expect(schemaErrors({ services: { a: { image: 'x', healthchek: {} } } }).join()).toMatch(/additional properties/);
  expect(schemaErrors({ services: { a: { image: 'x', ports: '8080:8080' } } })).not.toEqual([]);
  expect(schemaErrors({ services: { a: { image: 'x' } } })).toEqual([]);
});

test("what an operator expects: a grace period longer than Restate's shutdown-timeout, rotated logs, host.docker.internal", () => {
  const { dir } = generated({ nodes: 3, loadBalancer: true, monitoring: true });
  try {
    const project = loadCompose(dir.path);
    for (const s of project.services) {
      // Every service's logs rotate.
      expect({ service: s.name, logging: s.raw.logging }).toEqual({
        service: s.name,
        logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
      });
      if (!s.name.startsWith('restate-')) continue;
      // restate-server --dump-config: shutdown-timeout = "1m"; Docker's default would be 10 s.
      expect(s.raw.stop_grace_period).toBe('75s');
      expect(s.raw.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
    }
  } finally {
    dir.remove();
  }
});

test('the cluster README and .env say only what applies: no failover drill for 1 node, no empty sections, "copies"', () => {
  const one = generated({ nodes: 1 });
  const three = generated({ nodes: 3, replication: 2 });
  try {
    const readme = (g: typeof one) => g.files.find((f) => f.path === 'README.md')!.content;
    expect(readme(one)).not.toContain('docker compose kill');
    expect(readme(one)).toContain('there is no\nfailover to test');
    expect(readme(three)).toContain('docker compose kill restate-3');
    expect(readme(three)).toContain('keeps 2 copies of every record');
    expect(readme(one)).toContain('keeps 1 copy of every record');
    expect(readme(one)).toContain('docker compose ps -a');
    expect(one.env).not.toMatch(/# --- [^\n]+ ---\n\n/);
    expect(one.env).not.toContain('Monitoring');
  } finally {
    one.dir.remove();
    three.dir.remove();
  }
});

test("a planned value with a $ is written $$ in the compose file's default, so compose keeps the $", () => {
  const tunable = {
    name: 'X',
    planned: 'a$b',
    effective: 'a$b',
    secret: false,
    group: 'cluster',
    description: 'x',
  } as const;
  expect(interpolation(tunable)).toBe('${X:-a$$b}');
});
