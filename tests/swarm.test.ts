// --target swarm: the same plan rendered as a stack for docker stack deploy, checked and rehearsed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { checkProject } from '../src/check/check.js';
import { COMPOSE_YAML_OPTIONS, loadCompose } from '../src/load/loader.js';
import { STACK_CASES, ruleOfCase } from './broken-files.js';
import { CLI, ROOT, runCli, schemaErrors, tempDir } from './helpers.js';

/** The parts of a stack service's deploy section these tests read. */
interface SwarmDeploy {
  replicas: number;
  placement: { constraints: string[] };
  update_config: Record<string, unknown>;
  restart_policy: { condition: string };
}

jest.setTimeout(240_000);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

describe.each([3, 5])('%i-node stack', (nodes) => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  beforeAll(() => {
    expect(
      runCli([
        ...['--target', 'swarm', '--nodes', String(nodes), '--port-offset', String(1900 + nodes)],
        ...['--cluster-name', 'restate-cluster', '--out', dir.path],
      ]).status,
    ).toBe(0);
  });

  test("stack-part prints one node's service as a stack file of its own: the same service, its network and volume", () => {
    const r = runCli(['stack-part', dir.path, '--service', 'restate-2']);
    expect(r.status).toBe(0);
    const part = parseYaml(r.stdout) as Record<string, Record<string, unknown>>;
    const whole = parseYaml(readFileSync(join(dir.path, 'docker-stack.yaml'), 'utf8'), COMPOSE_YAML_OPTIONS) as Record<
      string,
      Record<string, unknown>
    >;
    expect(schemaErrors(part)).toEqual([]);
    expect(Object.keys(part.services!)).toEqual(['restate-2']);
    // Merges resolved, values left for the deploy to interpolate (a $$ of the healthcheck stays).
    expect(part.services!['restate-2']).toEqual(whole.services!['restate-2']);
    expect(r.stdout).toContain('status=$$(curl');
    expect(part.networks).toEqual(whole.networks);
    expect(part.volumes).toEqual({ 'restate-2-data': whole.volumes!['restate-2-data'] ?? null });
    const missing = runCli(['stack-part', dir.path, '--service', 'restate-9']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^gen-compose: \S+docker-stack\.yaml has no service restate-9 \(it has restate-1, /);
    // Swarm's name for it, with the stack's in front: named as the file names it.
    const prefixed = runCli(['stack-part', dir.path, '--service', 'restate-cluster_restate-2']);
    expect(prefixed.status).toBe(2);
    expect(prefixed.stderr).toMatch(/; give it as the file names it: restate-2\n$/);
    // Given twice, the last counts.
    const twice = runCli(['stack-part', dir.path, '--service', 'restate-1', '--service', 'restate-2']);
    expect(twice.status).toBe(0);
    expect(twice.stdout).toBe(r.stdout);
  });

  test('validates against the Compose Specification and passes check with zero findings', async () => {
    const project = loadCompose(dir.path);
    expect(project.file).toMatch(/docker-stack\.yaml$/);
    expect(schemaErrors(project.raw)).toEqual([]);
    const result = await checkProject(project, { fetch: false });
    expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('what Swarm needs: string env, one pinned replica per node, dnsrr, host-mode ports, stop-first, overlay, no depends_on', () => {
    const raw = parseYaml(readFileSync(join(dir.path, 'docker-stack.yaml'), 'utf8'), COMPOSE_YAML_OPTIONS) as {
      services: Record<string, Record<string, unknown>>;
      networks: Record<string, { driver: string }>;
    };
    const restate = Object.entries(raw.services).filter(([name]) => name.startsWith('restate-'));
    expect(restate).toHaveLength(nodes);
    for (const [name, service] of Object.entries(raw.services)) {
      expect(service.depends_on).toBeUndefined();
      for (const value of Object.values(service.environment as Record<string, unknown>))
        expect(typeof value).toBe('string');
      if (isRecord(service.deploy) && service.deploy.endpoint_mode !== undefined)
        expect(service.deploy.endpoint_mode).toBe('dnsrr');
      for (const port of (service.ports as Record<string, unknown>[] | undefined) ?? []) expect(port.mode).toBe('host');
      if (!name.startsWith('restate-')) continue;
      const deploy = service.deploy as SwarmDeploy;
      expect(deploy.replicas).toBe(1);
      expect(deploy.placement.constraints).toEqual([`node.labels.restate-node == ${name.split('-')[1]}`]);
      expect(deploy.update_config).toMatchObject({ parallelism: 1, order: 'stop-first' });
      expect(deploy.restart_policy.condition).toBe('any');
    }
    expect((raw.services.minio!.deploy as SwarmDeploy).placement.constraints).toEqual([
      'node.labels.restate-minio == true',
    ]);
    expect(Object.values(raw.networks).map((n) => n.driver)).toEqual(['overlay']);
  });

  test("the nodes' healthcheck: the admin API; the fabric port for a node that never served or has not found the cluster for 15 s", () => {
    const raw = parseYaml(readFileSync(join(dir.path, 'docker-stack.yaml'), 'utf8'), COMPOSE_YAML_OPTIONS) as {
      services: Record<string, { healthcheck: { test: string[]; start_interval: string } }>;
    };
    const { test: probe, start_interval } = raw.services['restate-1']!.healthcheck;
    expect(probe[0]).toBe('CMD-SHELL');
    expect(start_interval).toBe('1s');
    // The script as the image's /bin/sh runs it after stack deploy's interpolation ($$ → $),
    // with curl replaced by a stand-in answering the endpoints in $UP (the fabric's /health
    // with $STATUS), and the volume by a temporary directory. jq is the machine's, as in the image.
    const sandbox = tempDir();
    try {
      writeFileSync(
        join(sandbox.path, 'curl'),
        '#!/bin/sh\nfor a; do url=$a; done\ncase " $UP " in *" $url "*) echo "$STATUS"; exit 0;; esac\nexit 22\n',
        { mode: 0o755 },
      );
      const script = probe[1]!.replaceAll('$$', '$').replaceAll('/restate-data/', `${sandbox.path}/`);
      const healthy = (up: string[], status = { node_id: 'N1:1', age: '3s 2ms' }) =>
        spawnSync('/bin/sh', ['-c', script], {
          env: { PATH: `${sandbox.path}:/usr/bin:/bin`, UP: up.join(' '), STATUS: JSON.stringify(status) },
        }).status === 0;
      const admin = 'http://localhost:9070/health';
      const fabric = 'http://localhost:5122/health';
      expect(healthy([])).toBe(false);
      expect(healthy([fabric])).toBe(true); // never served: reachable is enough, so it can join
      // Without a node ID the admin API is not asked (its bound but silent port held each probe 2 s).
      expect(healthy([admin, fabric], { node_id: null as unknown as string, age: '3s 2ms' })).toBe(true);
      expect(existsSync(join(sandbox.path, '.served-once'))).toBe(false);
      expect(healthy([admin])).toBe(false); // the fabric port answers first, always
      expect(healthy([admin, fabric])).toBe(true); // serves: and now it is marked
      expect(healthy([fabric])).toBe(false); // served once, in the cluster: only the admin API counts
      expect(healthy([fabric], { node_id: null as unknown as string, age: '9s 1ms' })).toBe(false); // not found the cluster yet
      expect(healthy([fabric], { node_id: null as unknown as string, age: '15s 1ms' })).toBe(true); // for 15 s: let the peers reach it
      expect(healthy([fabric], { node_id: null as unknown as string, age: '2m 3s' })).toBe(true);
      expect(healthy([fabric], { node_id: null as unknown as string, age: '950ms 2µs' })).toBe(false);
      expect(healthy([admin, fabric])).toBe(true);
    } finally {
      sandbox.remove();
    }
  });

  test('only the ingress is published; the admin API, fabric port and MinIO are not, and the README reaches them from a container on the stack network', () => {
    const raw = parseYaml(readFileSync(join(dir.path, 'docker-stack.yaml'), 'utf8'), COMPOSE_YAML_OPTIONS) as {
      services: Record<string, { ports?: { target: number }[] }>;
    };
    for (const [name, service] of Object.entries(raw.services)) {
      expect({ name, targets: (service.ports ?? []).map((p) => p.target) }).toEqual({
        name,
        targets: name.startsWith('restate-') ? [8080] : [],
      });
    }
    const readme = readFileSync(join(dir.path, 'README.md'), 'utf8');
    expect(readme).toContain(
      'docker run --rm --network restate-cluster_restate-cluster-net --entrypoint curl docker.restate.dev/restatedev/restate:1.7.12 -fsS http://restate-1:9070/health',
    );
    expect(readme).toMatch(/admin API and UI \(control plane\): not published \(no authentication/);
    // The Topology diagram's boxes list what the stack publishes: the ingress, no MinIO port.
    const diagram = readme.slice(readme.indexOf('```mermaid'), readme.indexOf('```', readme.indexOf('```mermaid') + 3));
    expect(diagram).toMatch(/restate2\["restate-2 \(N2\)<br\/>[^"]*<br\/>:\d+"\]/);
    expect(diagram).toContain('minio[("MinIO<br/>snapshots")]');
    expect(readFileSync(join(dir.path, '.env'), 'utf8')).not.toMatch(
      /PUBLISH_ADDRESS|ADMIN_PORT_OVERRIDE|NODE_PORT_OVERRIDE/,
    );
  });

  test('the README explains labels, deploy, check and host loss', () => {
    const readme = readFileSync(join(dir.path, 'README.md'), 'utf8');
    expect(readme).toContain('docker node update --label-add restate-node=1 HOST_1');
    expect(readme).toContain('docker node update --label-add restate-minio=true HOST_1');
    expect(readme).toContain('set -a; . ./.env; set +a');
    expect(readme).toContain('docker stack deploy -c docker-stack.yaml restate-cluster');
    expect(readme).toContain('When a host is lost, the node pinned to it stays down until the host returns');
  });

  test('rehearses green (the same translation to local processes)', () => {
    const r = spawnSync(process.execPath, [CLI, 'rehearse', dir.path], { encoding: 'utf8', timeout: 230_000 });
    const output = `${r.stdout}${r.stderr}`;
    expect(output).toMatch(/Rehearsal of .*: PASS/);
    expect(r.status).toBe(0);
    expect(output).toMatch(new RegExp(`${nodes} restate-server process\\(es\\)`));
    expect(output).toMatch(/curl command\(s\) from README\.md succeeded/);
    expect(output).toMatch(/killed; invocations through .* succeeded/);
  });
});

describe('check flags what breaks Swarm', () => {
  /** A 3-node stack with its file edited. */
  async function checkEdited(edit: (stack: string) => string) {
    const dir = tempDir();
    try {
      expect(runCli(['--target', 'swarm', '--nodes', '3', '--out', dir.path]).status).toBe(0);
      const file = join(dir.path, 'docker-stack.yaml');
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      const result = await checkProject(loadCompose(dir.path), { fetch: false });
      return result.findings
        .map((f) => `${f.severity} ${f.rule} ${f.service ?? '-'} ${f.variable ?? '-'}: ${f.message}`)
        .join('\n');
    } finally {
      dir.remove();
    }
  }

  test.each(STACK_CASES)('%s', async (name, edit, expected) => {
    const lines = (await checkEdited(edit)).split('\n').filter((l) => l.split(' ')[1] === ruleOfCase(name));
    expect(lines.join('\n')).toMatch(expected);
  });

  test("a plain compose file judged as a stack (check --target swarm): what broke the reporter's deploy", () => {
    const r = runCli(['check', join(ROOT, 'tests', 'fixtures', 'seeds', 'readme-stack'), '--target', 'swarm']);
    expect(r.stdout).toMatch(/error {3}restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP: true is a boolean/);
    expect(r.stdout).toMatch(/error {3}restate-2 RESTATE_FORCE_NODE_ID: 2 is a number/);
    expect(r.stdout).toMatch(/resolves to restate-1's virtual IP/);
    expect(r.stdout).toMatch(/have no placement constraints/);
  });
});

describe('--snapshots-endpoint', () => {
  test('external S3: no MinIO, keys left for the user, and compose refuses to start until they are set', async () => {
    const dir = tempDir();
    try {
      const r = runCli(['--snapshots-endpoint', 'https://s3.eu-central-1.amazonaws.com', '--out', dir.path]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('fill in RESTATE_S3_ACCESS_KEY and RESTATE_S3_SECRET_KEY in .env');
      expect(() => loadCompose(dir.path)).toThrow(/RESTATE_S3_ACCESS_KEY is missing a value/);
      const envFile = join(dir.path, '.env');
      writeFileSync(
        envFile,
        readFileSync(envFile, 'utf8')
          .replace('RESTATE_S3_ACCESS_KEY=', 'RESTATE_S3_ACCESS_KEY=AKIAEXAMPLE')
          .replace('RESTATE_S3_SECRET_KEY=', 'RESTATE_S3_SECRET_KEY=secret'),
      );
      const project = loadCompose(dir.path);
      expect(project.services.map((s) => s.name)).not.toContain('minio');
      expect(schemaErrors(project.raw)).toEqual([]);
      const node = project.services.find((s) => s.name === 'restate-1')!;
      expect(node.environment.RESTATE_WORKER__SNAPSHOTS__AWS_ENDPOINT_URL).toBe(
        'https://s3.eu-central-1.amazonaws.com',
      );
      expect(node.environment.RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP).toBeUndefined();
      expect(node.dependsOn).toEqual({});
      const result = await checkProject(project, { fetch: false });
      expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  test('an endpoint with a query is quoted in the Regenerate line, so a shell reads it back whole', () => {
    const r = runCli(['--snapshots-endpoint', 'https://s3.example.com?a=1&b=2', '--stdout']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^# Regenerate, in this directory: .* --snapshots-endpoint 'https:\/\/s3\.example\.com\?a=1&b=2'$/m,
    );
  });

  test('bad values and Swarm with a balancer are refused on one line', () => {
    expect(runCli(['--snapshots-endpoint', 'minio:9000', '--out', '/tmp/never']).stderr).toMatch(
      /--snapshots-endpoint must be an http\(s\) URL/,
    );
    expect(runCli(['--target', 'swarm', '--load-balancer', '--out', '/tmp/never']).stderr).toMatch(
      /not available with --target swarm yet/,
    );
    // A $ or a quote would be read by compose (in the file's defaults), dotenv or a shell.
    for (const endpoint of [
      'https://s3.example.com?k=$x',
      "https://s3.example.com?k='x'",
      'https://s3.example.com?a={b}',
    ])
      expect(runCli(['--snapshots-endpoint', endpoint, '--out', '/tmp/never']).stderr).toBe(
        `gen-compose: --snapshots-endpoint must be an http(s) URL of an S3 endpoint, like https://s3.eu-central-1.amazonaws.com, got "${endpoint}"\n`,
      );
    // The flag's own value is named, not .env (it said ".env holds a quote" before).
    expect(runCli(['--snapshots-endpoint', 'https://u:p@s3.example.com', '--out', '/tmp/never']).stderr).toBe(
      'gen-compose: --snapshots-endpoint carries no credentials (the bucket\'s keys are RESTATE_WORKER__SNAPSHOTS__AWS_ACCESS_KEY_ID and …_SECRET_ACCESS_KEY in .env), got "https://u:p@s3.example.com"\n',
    );
    expect(runCli(['--target', 'kubernetes', '--out', '/tmp/never']).stderr).toMatch(
      /--target must be compose or swarm/,
    );
  });
});

test('--expose admin publishes the admin API under Swarm, and check warns that every interface of the host reaches it', async () => {
  const dir = tempDir();
  try {
    expect(runCli(['--target', 'swarm', '--nodes', '3', '--expose', 'ingress,admin', '--out', dir.path]).status).toBe(
      0,
    );
    const project = loadCompose(dir.path);
    expect(project.services.find((s) => s.name === 'restate-2')!.ports.map((p) => p.target)).toEqual([8080, 9070]);
    const findings = (await checkProject(project, { fetch: false })).findings.filter((f) => f.severity !== 'info');
    expect(findings.map((f) => `${f.rule} ${f.service}`)).toEqual([
      'exposure restate-1',
      'exposure restate-2',
      'exposure restate-3',
    ]);
    expect(findings[0]!.message).toMatch(/under Swarm it listens on every interface of the host \(no authentication/);
  } finally {
    dir.remove();
  }
});
