// The load balancer, monitoring, presets, the generated README and the user's own templates.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { loadCompose } from '../src/load/loader.js';
import { validateOptions } from '../src/plan/options.js';
import { expositionProblems, readmeCurls } from '../src/rehearse/addons.js';
import { CLI, haveTool, runCli, schemaErrors, tempDir } from './helpers.js';

const haveHaproxy = haveTool('haproxy', 'apt-get install haproxy, as .ci/run does');
import { spawnSync } from 'node:child_process';

jest.setTimeout(240_000);

describe('presets', () => {
  test.each([
    ['dev', { nodes: 1, replication: 1, memoryBytes: 2 * 2 ** 30, monitoring: false, loadBalancer: false }],
    ['ha', { nodes: 3, replication: 2, metadataNodes: 3, monitoring: false, loadBalancer: false }],
    [
      'prod',
      { nodes: 5, replication: 3, metadataNodes: 3, memoryBytes: 8 * 2 ** 30, monitoring: true, loadBalancer: true },
    ],
  ])('%s', (preset, expected) => {
    expect(validateOptions({ preset })).toMatchObject(expected);
  });

  test('every flag still wins over the preset', () => {
    expect(validateOptions({ preset: 'prod', nodes: '7', monitoring: false })).toMatchObject({
      nodes: 7,
      replication: 3,
      monitoring: false,
      loadBalancer: true,
    });
    expect(() => validateOptions({ preset: 'huge' })).toThrow(/--preset must be one of dev, ha, prod, got "huge"/);
  });
});

describe('--load-balancer and --monitoring', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const out = join(dir.path, 'c');
  beforeAll(() => {
    expect(runCli(['--nodes', '3', '--load-balancer', '--monitoring', '--out', out]).status).toBe(0);
  });

  test('the compose file validates, with the balancer, Prometheus and Grafana published like everything else', () => {
    const project = loadCompose(out);
    expect(schemaErrors(project.raw)).toEqual([]);
    const service = (name: string) => project.services.find((s) => s.name === name)!;
    expect(service('load-balancer').image).toBe('haproxy:3.2.24-alpine');
    expect(service('load-balancer').ports.map((p) => `${p.hostIp}:${p.published}:${p.target}`)).toEqual([
      '127.0.0.1:7080:7080',
    ]);
    expect(service('prometheus').image).toBe('prom/prometheus:v3.5.0');
    expect(service('grafana').image).toBe('grafana/grafana:12.2.0');
    expect(service('grafana').environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(readFileSync(join(out, 'docker-compose.yaml'), 'utf8')).not.toContain(
      service('grafana').environment.GF_SECURITY_ADMIN_PASSWORD,
    );
  });

  (haveHaproxy ? test : test.skip)(
    'haproxy.cfg health-checks and balances every ingress, and real haproxy accepts it',
    () => {
      const cfg = readFileSync(join(out, 'haproxy', 'haproxy.cfg'), 'utf8');
      expect(cfg).toContain('option httpchk GET /restate/health');
      expect(cfg).toContain('retry-on conn-failure');
      expect(cfg.match(/^\s+server restate-\d restate-\d:8080$/gm)).toHaveLength(3);
      const check = spawnSync('haproxy', ['-c', '-f', join(out, 'haproxy', 'haproxy.cfg')], { encoding: 'utf8' });
      // The names resolve only inside compose; init-addr none lets haproxy start without them.
      expect(`${check.stdout}${check.stderr}`).toMatch(/Configuration file is valid/);
    },
  );

  test('Prometheus scrapes every node on the fabric port; Grafana is provisioned with it and a dashboard', () => {
    const prometheus = parseYaml(readFileSync(join(out, 'prometheus', 'prometheus.yml'), 'utf8'));
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual([
      'restate-1:5122',
      'restate-2:5122',
      'restate-3:5122',
    ]);
    const datasource = parseYaml(
      readFileSync(join(out, 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8'),
    );
    expect(datasource.datasources[0]).toMatchObject({
      type: 'prometheus',
      url: 'http://prometheus:9090',
      uid: 'prometheus',
    });
    const dashboard = JSON.parse(readFileSync(join(out, 'grafana', 'dashboards', 'restate.json'), 'utf8'));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(4);
    expect(dashboard.panels[0].targets[0]).toMatchObject({
      expr: 'restate_num_active_partition_leaders',
      legendFormat: '{{node_name}}',
    });
  });

  test('gen-compose check finds nothing wrong', () => {
    const r = runCli(['check', out]);
    expect(r.stdout).toMatch(/0 error\(s\), 0 warning\(s\)/);
  });
});

describe('the generated README', () => {
  test('has the topology, every endpoint, the fault tolerance in words, and commands for this cluster', () => {
    const dir = tempDir();
    try {
      expect(runCli(['--nodes', '3', '--port-offset', '5', '--out', dir.path]).status).toBe(0);
      const readme = readFileSync(join(dir.path, 'README.md'), 'utf8');
      expect(readme).toContain('```mermaid\nflowchart LR');
      expect(readme).toContain('| restate-2 | http://127.0.0.1:28085 | http://127.0.0.1:29075 | 25127 |');
      expect(readme).toContain('keeps serving after losing 1 node');
      expect(readmeCurls(readme)).toContain('curl -fsS http://127.0.0.1:29075/health && echo "restate-2 admin ok"');
      expect(readme).toContain('docker compose kill restate-3');
      expect(readme).toContain('docker compose down -v');
    } finally {
      dir.remove();
    }
  });
});

describe('your own templates', () => {
  test('templates export, an edited template renders, the rest fall back, and check is satisfied', () => {
    const dir = tempDir();
    try {
      const templates = join(dir.path, 'templates');
      const exported = runCli(['templates', 'export', templates]);
      expect(exported.status).toBe(0);
      // Add a label and a file-descriptor limit to every Restate node: a typical customisation.
      const file = join(templates, 'docker-compose.yaml.hbs');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          'x-restate-node: &restate-node\n',
          'x-restate-node: &restate-node\n  labels:\n    com.example.team: "payments"\n  ulimits:\n    nofile: 65536\n',
        ),
      );
      const out = join(dir.path, 'c');
      const r = runCli(['--nodes', '3', '--templates', templates, '--out', out]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const project = loadCompose(out);
      expect(schemaErrors(project.raw)).toEqual([]);
      expect(project.services.find((s) => s.name === 'restate-2')!.raw.labels).toEqual({
        'com.example.team': 'payments',
      });
      const checked = runCli(['check', out]);
      expect(checked.stdout).toMatch(/0 error\(s\), 0 warning\(s\)/);
      expect(runCli(['templates', 'export', templates]).stderr).toMatch(
        /already exists; refusing to replace your templates/,
      );
    } finally {
      dir.remove();
    }
  });

  test('a template error names the file and the line', () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 't'));
      writeFileSync(join(dir.path, 't', 'env.hbs'), '# ok\n{{#each groups}}\n{{title}\n{{/each}}\n');
      const broken = runCli(['--templates', join(dir.path, 't'), '--out', join(dir.path, 'c')]);
      expect(broken.status).toBe(2);
      // The whole message on its one line: where, and what Handlebars expected.
      expect(broken.stderr).toMatch(
        /^gen-compose: \S+t\/env\.hbs: Parse error on line 3: Expecting .+, got 'INVALID'\n$/,
      );
      writeFileSync(join(dir.path, 't', 'env.hbs'), '# ok\n{{noSuchValue}}\n');
      const unknown = runCli(['--templates', join(dir.path, 't'), '--out', join(dir.path, 'c')]);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toMatch(
        /t\/env\.hbs: "noSuchValue" not defined in the values gen-compose hands this template \(line 2, column 2\)\n$/,
      );
      expect(unknown.stderr).not.toMatch(/object Object/);
      expect(existsSync(join(dir.path, 'c'))).toBe(false);
    } finally {
      dir.remove();
    }
  });

  test('template output gen-compose could not read back is refused before anything is written', () => {
    const dir = tempDir();
    try {
      const t = join(dir.path, 't');
      const out = join(dir.path, 'c');
      mkdirSync(t);
      const attempt = (name: string, content: string) => {
        rmSync(t, { recursive: true, force: true });
        mkdirSync(t);
        writeFileSync(join(t, name), content);
        return runCli(['--templates', t, '--out', out, '--monitoring']);
      };
      const noStamp = attempt('prometheus.yml.hbs', 'global: {}\n');
      expect(noStamp.status).toBe(2);
      expect(noStamp.stderr).toMatch(
        /prometheus\/prometheus\.yml it renders lacks the "Generated by gen-compose" line/,
      );
      const notYaml = attempt('docker-compose.yaml.hbs', '# Generated by gen-compose\nservices: [\n');
      expect(notYaml.status).toBe(2);
      expect(notYaml.stderr).toMatch(/docker-compose\.yaml it renders is not valid YAML: .+\n$/);
      const notJson = attempt('grafana-dashboard.json.hbs', '{"description": "Generated by gen-compose",\n');
      expect(notJson.status).toBe(2);
      expect(notJson.stderr).toMatch(/grafana\/dashboards\/restate\.json it renders is not valid JSON/);
      expect(existsSync(out)).toBe(false);
      // A file where a directory belongs.
      const file = runCli(['--templates', join(t, 'grafana-dashboard.json.hbs'), '--out', out]);
      expect(file.stderr).toMatch(/^gen-compose: --templates \S+ is a file; it must be a directory of templates/);
      expect(file.status).toBe(2);
    } finally {
      dir.remove();
    }
  });
});

describe('the exposition format check (control)', () => {
  test('accepts samples, rejects other text', () => {
    expect(expositionProblems('# TYPE x gauge\nx{a="b"} 1\ny 2.5e3 1700000000\nz NaN\n')).toEqual([]);
    expect(expositionProblems('<html>nope</html>')).toEqual(['line 1 is no sample: <html>nope</html>', 'no samples']);
  });
});

(haveHaproxy ? test : test.skip)(
  'rehearse: prod preset with the real haproxy, README commands, Prometheus targets, and a failover clients do not see',
  () => {
    const dir = tempDir();
    try {
      expect(runCli(['--preset', 'prod', '--port-offset', '1711', '--out', dir.path]).status).toBe(0);
      const r = spawnSync(process.execPath, [CLI, 'rehearse', dir.path], { encoding: 'utf8', timeout: 230_000 });
      const output = `${r.stdout}${r.stderr}`;
      expect(output).toMatch(/Rehearsal of .*: PASS/);
      expect(r.status).toBe(0);
      expect(output).toMatch(/load-balancer: the generated haproxy\.cfg on HAProxy version [\d.]+/);
      expect(output).toMatch(
        /\d+ curl command\(s\) from README\.md succeeded; all 5 Prometheus targets answer in the text exposition format/,
      );
      expect(output).toMatch(/killed; invocations through load-balancer \(5 rounds, right after the kill\)/);
    } finally {
      dir.remove();
    }
  },
);
