// check reads what Restate reads (issue 20): a TOML file named by RESTATE_CONFIG or
// --config-file, flags in command:, every node's own version. The same cluster written in TOML
// must be judged as it is in variables, fault for fault; each proof runs the real restate-server.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { check, type CheckResult } from '../src/check/check.js';
import type { Finding } from '../src/check/rulebook.js';
import { writeAsToml } from './as-toml.js';
import { COMPOSE_CASES } from './broken-files.js';
import { ROOT, runCli, tempDir } from './helpers.js';

jest.setTimeout(300_000);

/** A finding as the equality of the two files compares it: not its words, which name the source. */
const judged = (f: Finding) => `${f.severity} ${f.rule} ${f.service ?? '-'} ${f.variable ?? '-'}`;
const judgement = (r: CheckResult) => r.findings.map(judged).sort();
const problems = (r: CheckResult) => r.findings.filter((f) => f.severity !== 'info');

/** examples/ha edited, checked as written and as the same cluster configured through TOML files. */
async function bothWays(edit: (c: string) => string = (c) => c, envEdit: (e: string) => string = (e) => e) {
  const dir = tempDir();
  try {
    const env = join(dir.path, 'env');
    const toml = join(dir.path, 'toml');
    cpSync(join(ROOT, 'examples', 'ha'), env, { recursive: true });
    mkdirSync(toml);
    writeFileSync(join(env, 'docker-compose.yaml'), edit(readFileSync(join(env, 'docker-compose.yaml'), 'utf8')));
    writeFileSync(join(env, '.env'), envEdit(readFileSync(join(env, '.env'), 'utf8')));
    writeAsToml(env, toml);
    return { env: await check(env, { fetch: false }), toml: await check(toml, { fetch: false }) };
  } finally {
    dir.remove();
  }
}

describe('the same cluster through TOML files is judged as through variables', () => {
  test('examples/ha: no finding either way, every TOML key proven', async () => {
    const { env, toml } = await bothWays();
    expect(problems(toml)).toEqual([]);
    expect(judgement(toml)).toEqual(judgement(env));
    expect(toml.restateServers.map((s) => s.version)).toEqual(['1.7.12']);
  });

  // Every broken-file case of the rules that read settings, in TOML: the same findings.
  const settingsCases = COMPOSE_CASES.filter(([name]) =>
    /^(fidelity|single-auto-provision|unique-node-identity|same-cluster-name|advertised-address|metadata|ingress|replication|fault-tolerance|snapshots|data-volume|listen-ports|memory|credentials)/.test(
      name,
    ),
  );
  test('there are such cases', () => expect(settingsCases.length).toBeGreaterThan(10));
  test.each(settingsCases)('%s', async (_name, edit, envEdit) => {
    const { env, toml } = await bothWays(edit, envEdit);
    expect(judgement(toml)).toEqual(judgement(env));
  });

  test('a finding names the TOML key and file, not the variable', async () => {
    const { toml } = await bothWays((c) =>
      c.replace('RESTATE_AUTO_PROVISION: "false"', 'RESTATE_AUTO_PROVISONING: "false"'),
    );
    const line = toml.findings.find((f) => f.rule === 'fidelity');
    expect(line?.where).toMatch(/^auto-provisoning in .*restate-restate-2\.toml$/);
    expect(line?.message).toMatch(/auto-provisoning is no configuration key; did you mean auto-provision\?/);
  });
});

/** A three-node cluster written by hand: flags in command:, TOML through configs: and bind mounts. */
function handWritten(dir: string, nodeFlags: (n: number) => string[], toml: (n: number) => string) {
  const node = (n: number) => `
  restate-${n}:
    image: docker.restate.dev/restatedev/restate:1.7.12
    command: ${JSON.stringify(nodeFlags(n))}
    volumes:
      - restate-${n}-data:/restate-data
${n === 3 ? '    configs:\n      - source: restate-3-toml\n        target: /etc/restate/restate.toml\n' : `      - ./restate-${n}.toml:/etc/restate/restate.toml:ro\n`}`;
  writeFileSync(
    join(dir, 'docker-compose.yaml'),
    `services:${[1, 2, 3].map(node).join('')}
volumes:
  restate-1-data:
  restate-2-data:
  restate-3-data:
configs:
  restate-3-toml:
    file: ./restate-3.toml
`,
  );
  for (const n of [1, 2, 3]) writeFileSync(join(dir, `restate-${n}.toml`), toml(n));
}

const CLUSTER_TOML = `
cluster-name = "shop"
default-replication = 2
roles = ["worker", "admin", "metadata-server", "log-server", "http-ingress"]

[metadata-client]
addresses = ["http://restate-1:5122", "http://restate-2:5122", "http://restate-3:5122"]
`;

describe('flags and TOML files, as people write them', () => {
  test('flags name the node and turn provisioning off on all but one: no error, every input proven', async () => {
    const dir = tempDir();
    try {
      handWritten(
        dir.path,
        (n) => [
          '--config-file',
          '/etc/restate/restate.toml',
          `--node-name=restate-${n}`,
          '--advertised-address',
          `http://restate-${n}:5122`,
          `--auto-provision=${n === 1}`,
        ],
        () => CLUSTER_TOML,
      );
      const r = await check(dir.path, { fetch: false });
      // Warned only of what the file lacks (no healthcheck, no snapshot destination).
      expect(
        r.findings
          .filter((f) => f.severity === 'error' || f.rule === 'fidelity')
          .map((f) => `${judged(f)}: ${f.message}`),
      ).toEqual([]);
      expect(new Set(problems(r).map((f) => f.rule))).toEqual(new Set(['healthcheck', 'snapshots']));
      expect(r.restateServers.map((s) => s.version)).toEqual(['1.7.12']);
    } finally {
      dir.remove();
    }
  });

  test('--production turns auto-provisioning off; a node without it, or with it on in its TOML file, provisions', async () => {
    const dir = tempDir();
    try {
      handWritten(
        dir.path,
        (n) => ['-c', '/etc/restate/restate.toml', '--node-name', `restate-${n}`, ...(n === 3 ? [] : ['--production'])],
        (n) => (n === 1 ? 'auto-provision = true\n' : '') + CLUSTER_TOML,
      );
      const r = await check(dir.path, { fetch: false });
      const provisioning = r.findings.filter((f) => f.rule === 'single-auto-provision');
      expect(provisioning.map((f) => f.service).sort()).toEqual(['restate-1', 'restate-3']);
      expect(provisioning.find((f) => f.service === 'restate-1')?.where).toMatch(
        /^auto-provision in .*restate-1\.toml$/,
      );
    } finally {
      dir.remove();
    }
  });

  test('a flag over a variable over the TOML file, as Restate orders them; a shadowed value is said', async () => {
    const dir = tempDir();
    try {
      handWritten(
        dir.path,
        (n) => ['--config-file=/etc/restate/restate.toml', `--node-name=restate-${n}`, `--auto-provision=${n === 1}`],
        (n) => CLUSTER_TOML.replace('cluster-name = "shop"', `cluster-name = "${n === 3 ? 'other' : 'shop'}"`),
      );
      const compose = join(dir.path, 'docker-compose.yaml');
      writeFileSync(
        compose,
        readFileSync(compose, 'utf8').replace(
          '  restate-3:\n',
          '  restate-3:\n    environment:\n      RESTATE_CLUSTER_NAME: shop\n',
        ),
      );
      const r = await check(dir.path, { fetch: false });
      expect(r.findings.filter((f) => f.rule === 'same-cluster-name')).toEqual([]);
      const shadowed = r.findings.find((f) => f.rule === 'fidelity' && f.service === 'restate-3');
      expect(shadowed?.severity).toBe('warning');
      expect(shadowed?.where).toMatch(/^cluster-name in .*restate-3\.toml$/);
      expect(shadowed?.message).toMatch(/sets "other", but RESTATE_CLUSTER_NAME sets "shop", which wins/);
    } finally {
      dir.remove();
    }
  });

  test('a TOML file check cannot read is said, and a missing or broken one is an error', async () => {
    const dir = tempDir();
    try {
      handWritten(
        dir.path,
        (n) => ['--config-file', n === 1 ? '/etc/restate/elsewhere.toml' : '/etc/restate/restate.toml'],
        (n) => (n === 2 ? 'default-replication = [' : CLUSTER_TOML),
      );
      const compose = join(dir.path, 'docker-compose.yaml');
      writeFileSync(compose, readFileSync(compose, 'utf8').replace('file: ./restate-3.toml', 'file: ./gone.toml'));
      const r = await check(dir.path, { fetch: false });
      const said = r.findings.filter((f) => f.rule === 'config-file').map((f) => `${judged(f)}: ${f.message}`);
      expect(said).toEqual([
        expect.stringMatching(
          /^warning config-file restate-1 -: \/etc\/restate\/elsewhere\.toml is not mounted from this directory .* the settings it may hold are unknown, and no finding rests on them$/,
        ),
        expect.stringMatching(
          /^error config-file restate-2 -: .*restate-2\.toml is not valid TOML, and restate-server would not start/,
        ),
        expect.stringMatching(
          /^error config-file restate-3 -: \/etc\/restate\/restate\.toml is mounted from .*gone\.toml, which is no file here/,
        ),
      ]);
    } finally {
      dir.remove();
    }
  });

  test('a TOML key in snake_case is ignored by Restate, and said so', async () => {
    const dir = tempDir();
    try {
      handWritten(
        dir.path,
        (n) => [
          '--config-file',
          '/etc/restate/restate.toml',
          `--node-name=restate-${n}`,
          `--auto-provision=${n === 1}`,
        ],
        (n) => CLUSTER_TOML.replace('default-replication', n === 2 ? 'default_replication' : 'default-replication'),
      );
      const r = await check(dir.path, { fetch: false });
      expect(r.findings.filter((f) => f.rule === 'fidelity').map((f) => `${judged(f)}: ${f.message}`)).toEqual([
        expect.stringMatching(
          /^error fidelity restate-2 RESTATE_DEFAULT_REPLICATION: ignored by restate-server 1\.7\.12: its TOML keys are written in kebab-case; write default-replication$/,
        ),
      ]);
    } finally {
      dir.remove();
    }
  });
});

describe('every node by its own version', () => {
  test('mid rolling upgrade (restate-1 on 1.6.2): a warning, each node proven by its own binary, advice for its version', () => {
    const dir = tempDir();
    try {
      expect(runCli(['--snapshots-retained', '2', '--out', dir.path]).status).toBe(0);
      const compose = join(dir.path, 'docker-compose.yaml');
      const text = readFileSync(compose, 'utf8');
      // restate-1 back on 1.6.2, with its 1.6 key; the others keep 1.7's.
      const at = text.indexOf('\n  restate-1:\n');
      const edited =
        text.slice(0, at) +
        text
          .slice(at)
          .replace(
            'hostname: restate-1',
            'hostname: restate-1\n    image: docker.restate.dev/restatedev/restate:1.6.2',
          );
      writeFileSync(compose, edited);
      const r = runCli(['check', dir.path, '--fetch', '--json']);
      const result = JSON.parse(r.stdout) as CheckResult;
      expect(result.restateServers.map((s) => [s.version, s.nodes])).toEqual([
        ['1.6.2', ['restate-1']],
        ['1.7.12', ['restate-2', 'restate-3']],
      ]);
      const lines = problems(result).map((f) => `${judged(f)}: ${f.message}`);
      // The anchor gives restate-1 1.7's key, which its 1.6 binary does not read: advice for 1.6.
      expect(lines).toEqual([
        expect.stringMatching(
          /^warning restate-version - -: the nodes run different Restate versions \(1\.6\.2 on restate-1; 1\.7\.12 on restate-2, restate-3\)/,
        ),
        expect.stringMatching(
          /^error fidelity restate-1 RESTATE_WORKER__SNAPSHOTS__NUM_RETAINED: ignored by restate-server 1\.6\.2: .*use RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED/,
        ),
      ]);
      const text2 = runCli(['check', dir.path, '--fetch']).stdout;
      expect(text2).toMatch(
        /settings proven with restate-server 1\.6\.2 \(restate-1\) and 1\.7\.12 \(restate-2, restate-3\) --dump-config/,
      );
    } finally {
      dir.remove();
    }
  });
});

/** Three nodes written by hand: `node(n)` is each service's body (indented four spaces). */
async function checkCluster(node: (n: number) => string, files: Record<string, string> = {}, extra = '') {
  const dir = tempDir();
  try {
    writeFileSync(
      join(dir.path, 'docker-compose.yaml'),
      `services:\n${[1, 2, 3].map((n) => `  restate-${n}:\n${node(n)}`).join('')}${extra}volumes:\n  restate-1-data:\n  restate-2-data:\n  restate-3-data:\n`,
    );
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
    return await check(dir.path, { fetch: false });
  } finally {
    dir.remove();
  }
}

const IMAGE = '    image: docker.restate.dev/restatedev/restate:1.7.12\n';
const DATA = (n: number) => `    volumes:\n      - restate-${n}-data:/restate-data\n`;
/** The flags of a correct cluster's node n. */
const FLAGS = (n: number) =>
  `--node-name=restate-${n} --cluster-name=shop --advertised-address=http://restate-${n}:5122 --auto-provision=${n === 1}`;
const errorsOf = (r: CheckResult) =>
  r.findings.filter((f) => f.severity === 'error').map((f) => `${judged(f)}: ${f.message}`);
const said = (r: CheckResult) => problems(r).map((f) => `${judged(f)}: ${f.message}`);

describe('command lines and files as Compose and Restate read them (issue 20 trial)', () => {
  test('a string command: is split as a shell splits it, quotes inside words removed', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ${FLAGS(n).replace('--cluster-name=shop', `--cluster-name='shop'`)} --roles "worker,admin,log-server,metadata-server,http-ingress"\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
  });

  test('a file mounted into a mounted directory is the one the container reads', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ["--config-file", "/etc/restate/restate.toml"]\n    volumes:\n      - restate-${n}-data:/restate-data\n      - ./conf:/etc/restate:ro\n      - ./node${n}.toml:/etc/restate/restate.toml:ro\n`,
      Object.fromEntries(
        [1, 2, 3].map((n) => [
          `node${n}.toml`,
          `node-name = "restate-${n}"\nauto-provision = ${n === 1}\nadvertised-address = "http://restate-${n}:5122"\n${CLUSTER_TOML}`,
        ]),
      ),
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'config-file')).toEqual([]);
  });

  test('a TOML file check cannot read: said once a node, and no finding rests on what it may hold', async () => {
    const r = await checkCluster(
      (n) =>
        `    image: registry.example.com/acme/restate-node:1.7.12\n    environment:\n      RESTATE_CONFIG: /etc/restate/restate.toml\n${DATA(n)}`,
    );
    // (Its healthcheck is missing too: a warning of its own.)
    expect(said(r).filter((line) => !line.startsWith('warning healthcheck'))).toEqual(
      [1, 2, 3].map((n) =>
        expect.stringMatching(
          new RegExp(
            `^warning config-file restate-${n} -: /etc/restate/restate\\.toml is not mounted from this directory`,
          ),
        ),
      ),
    );
  });

  test("working_dir moves Restate's default base directory: data outside the volume is found", async () => {
    const r = await checkCluster((n) => `${IMAGE}    working_dir: /etc/restate\n    command: ${FLAGS(n)}\n${DATA(n)}`);
    expect(errorsOf(r)).toEqual(
      [1, 2, 3].map((n) =>
        expect.stringMatching(new RegExp(`^error data-volume restate-${n} -: no volume at /etc/restate/restate-data`)),
      ),
    );
  });

  test('bind-port sets the fabric port when no bind address does; advertised-host the address', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: --node-name=restate-${n} --auto-provision=${n === 1}\n    environment:\n      RESTATE_BIND_PORT: "6122"\n      RESTATE_ADVERTISED_HOST: restate-${n}\n      RESTATE_METADATA_CLIENT__ADDRESSES: '["http://restate-1:6122","http://restate-2:6122","http://restate-3:6122"]'\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'advertised-address' || f.rule === 'metadata-addresses')).toEqual([]);
  });

  test('sh -c with "$@": the flags command: passes through reach restate-server; an echo runs nothing', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    entrypoint: ["/bin/sh", "-c", "echo \\"launching restate-server on $$HOSTNAME\\"; exec restate-server \\"$$@\\"", "restate-server"]\n    command: ${JSON.stringify(FLAGS(n).split(' '))}\n${DATA(n)}`,
    );
    expect(said(r).filter((line) => !/^warning (healthcheck|snapshots|metadata-addresses)/.test(line))).toEqual([]);
  });

  test('repeated --role flags add up, as clap reads them', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ${FLAGS(n)} --role worker --role admin --role log-server --role metadata-server${n === 3 ? ' --role http-ingress' : ''}\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
  });

  test('every word reaches the proof: the binary named again in command: stops the server', async () => {
    const r = await checkCluster(
      (n) => `${IMAGE}    command: ${n === 1 ? 'restate-server ' : ''}${FLAGS(n)}\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^error fidelity restate-1 -: restate-server 1\.7\.12 refuses this configuration: error: unexpected argument 'restate-server' found/,
      ),
    ]);
  });

  test('MEMORY_LIMIT is read after the RESTATE_* variables, as Restate reads it', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ${FLAGS(n)}\n    mem_limit: 2g\n    environment:\n      RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: 512MB\n      MEMORY_LIMIT: 3GB\n${DATA(n)}`,
    );
    const memory = r.findings.filter((f) => f.rule === 'memory');
    expect(memory.map((f) => `${f.service} ${f.where}`)).toEqual([
      'restate-1 MEMORY_LIMIT',
      'restate-2 MEMORY_LIMIT',
      'restate-3 MEMORY_LIMIT',
    ]);
    expect(r.findings.find((f) => f.rule === 'fidelity')?.message).toMatch(
      /^sets "512MB", but MEMORY_LIMIT sets "3GB", which wins/,
    );
  });

  test('a TOML file the nodes share: a node overriding it with its own variable is the intent, no warning', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ["-c", "/etc/restate/restate.toml", "--node-name=restate-${n}", "--advertised-address=http://restate-${n}:5122"]\n    environment:\n      RESTATE_AUTO_PROVISION: "${n === 1}"\n    volumes:\n      - restate-${n}-data:/restate-data\n      - ./shared.toml:/etc/restate/restate.toml:ro\n`,
      { 'shared.toml': `auto-provision = false\n${CLUSTER_TOML}` },
    );
    expect(r.findings.filter((f) => f.rule === 'fidelity')).toEqual([]);
    expect(errorsOf(r)).toEqual([]);
  });

  test("the S3 client's AWS_* fallbacks count: a region and http allowed through them is no fault, none anywhere is", async () => {
    const minio = `  minio:\n    image: quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z\n    command: server /data\n`;
    const snapshots = (aws: string) => (n: number) =>
      `${IMAGE}    command: ${FLAGS(n)}\n    environment:\n      RESTATE_WORKER__SNAPSHOTS__DESTINATION: s3://restate/snapshots\n      AWS_ENDPOINT_URL: http://minio:9000\n${aws}${DATA(n)}`;
    const covered = await checkCluster(snapshots('      AWS_REGION: local\n      AWS_ALLOW_HTTP: "true"\n'), {}, minio);
    expect(covered.findings.filter((f) => f.rule === 'snapshots' && f.severity === 'error')).toEqual([]);
    const bare = await checkCluster(snapshots(''), {}, minio);
    expect(
      bare.findings
        .filter((f) => f.rule === 'snapshots' && f.severity === 'error')
        .map((f) => `${f.service} ${f.variable}`),
    ).toEqual([
      'restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP',
      'restate-1 RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
      'restate-2 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP',
      'restate-2 RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
      'restate-3 RESTATE_WORKER__SNAPSHOTS__AWS_ALLOW_HTTP',
      'restate-3 RESTATE_WORKER__SNAPSHOTS__AWS_REGION',
    ]);
  });
});

describe('shell scripts and files as the shell and Compose read them (issue 20 re-trial)', () => {
  const sh = (script: string) => `${IMAGE}    entrypoint: ["/bin/sh", "-c", ${JSON.stringify(script)}]\n`;

  test('variables a script sets for restate-server count: exported, assigned in front, through env', async () => {
    const r = await checkCluster(
      (n) =>
        `${
          n === 1
            ? sh(
                `export RESTATE_CLUSTER_NAME=shop\nexec restate-server ${FLAGS(1).replace(' --cluster-name=shop', '')}`,
              )
            : n === 2
              ? sh(`RESTATE_CLUSTER_NAME=shop exec restate-server ${FLAGS(2).replace(' --cluster-name=shop', '')}`)
              : sh(`exec env RESTATE_CLUSTER_NAME=other restate-server ${FLAGS(3).replace(' --cluster-name=shop', '')}`)
        }${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^error same-cluster-name - RESTATE_CLUSTER_NAME: the nodes name different clusters \(shop, other\)/,
      ),
    ]);
  });

  test('$(…) and backquotes are one word the shell makes (said, and its flag left out); `# a note` is nothing', async () => {
    const r = await checkCluster(
      (n) =>
        `${sh(
          n === 2
            ? `exec restate-server --node-name $$(hostname) --cluster-name=shop --advertised-address=http://restate-2:5122 \`# not here\` --auto-provision=false`
            : `exec restate-server ${FLAGS(n)}`,
        )}    hostname: restate-${n}\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'config-file').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'restate-2: its entrypoint script starts restate-server with --node-name $(hostname), which the shell makes when it runs: check cannot know that value',
    ]);
  });

  test('a folded command: is one line of words to Compose; tini in front of restate-server is still restate-server', async () => {
    const r = await checkCluster((n) =>
      n === 3
        ? `    image: registry.example.com/acme/restate-tini:1.7.12\n    entrypoint: ["/sbin/tini", "--", "/usr/local/bin/restate-server"]\n    command: ${JSON.stringify(FLAGS(3).split(' '))}\n${DATA(3)}`
        : `${IMAGE}    command: >\n      ${FLAGS(n).replace(' --advertised', '\n      --advertised')}\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.findings.find((f) => f.rule === 'fault-tolerance')?.message ?? '').not.toMatch(/^2 node/);
    expect(r.findings.filter((f) => f.rule === 'metadata-quorum')).toEqual([]);
  });

  test('an alias resolves only on the network that declares it', async () => {
    const networks = (n: number) =>
      n === 1
        ? '    networks: [cluster]\n'
        : n === 2
          ? '    networks: [cluster, storage]\n'
          : '    networks:\n      cluster: {}\n      storage:\n        aliases: [node-c]\n';
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ${FLAGS(n).replace('http://restate-3:5122', 'http://node-c:5122')}\n${networks(n)}${DATA(n)}`,
      {},
      'networks:\n  cluster: {}\n  storage: {}\n',
    );
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^error advertised-address restate-3 RESTATE_ADVERTISED_ADDRESS: node-c is restate-3's alias on storage, which restate-1 is not on: they cannot reach it/,
      ),
    ]);
  });

  test('AWS_ALLOW_HTTP that is not "true" is false, not a refusal; a TOML file that is missing leaves nothing resting on it', async () => {
    const r = await checkCluster(
      (n) =>
        `${IMAGE}    command: ${FLAGS(n)}${n === 3 ? ' -c /etc/restate/restate.toml' : ''}\n    environment:\n      RESTATE_WORKER__SNAPSHOTS__DESTINATION: s3://restate/snapshots\n      AWS_ENDPOINT_URL: https://s3.eu-central-1.amazonaws.com\n      AWS_REGION: eu-central-1\n      AWS_ALLOW_HTTP: "yes"\n    volumes:\n      - restate-${n}-data:/restate-data\n      - ./restate-${n}.toml:/etc/restate/restate.toml:ro\n`,
    );
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^error config-file restate-3 -: \/etc\/restate\/restate\.toml is mounted from \.\/restate-3\.toml, which is no file here/,
      ),
    ]);
  });
});

describe('how a node starts, when a script decides (issue 20, third trial)', () => {
  const shell = (script: string, command: string[] = []) =>
    `${IMAGE}    entrypoint: ["/bin/sh", "-ec", ${JSON.stringify(script)}, "sh", ${command.map((w) => JSON.stringify(w)).join(', ')}]\n`.replace(
      ', ]',
      ']',
    );

  test('sh -ec and an exec "$@" wrapper are read; the script in command: keeps the node in the cluster', async () => {
    const r = await checkCluster((n) =>
      n === 1
        ? `${shell('exec restate-server "$$@"', FLAGS(1).split(' '))}${DATA(1)}`
        : n === 2
          ? `${IMAGE}    entrypoint: ["/bin/sh", "-c"]\n    command: ["exec restate-server --node-name $$(hostname) ${FLAGS(2).replace('--node-name=restate-2 ', '')}"]\n    hostname: restate-2\n${DATA(2)}`
          : `${shell(`set -x\nexec restate-server ${FLAGS(3).replace('--cluster-name=shop', '--cluster-name=other')}`)}${DATA(3)}`,
    );
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^error same-cluster-name - RESTATE_CLUSTER_NAME: the nodes name different clusters \(shop, other\)/,
      ),
    ]);
    expect(r.findings.find((f) => f.severity === 'info')?.message).toMatch(/^3 node\(s\)/);
  });

  test('a variable exported on one branch only is said to be unknown, not taken as set', async () => {
    const r = await checkCluster((n) =>
      n === 2
        ? `${shell(`if [ -e /x ]; then export RESTATE_AUTO_PROVISION=true; else export RESTATE_AUTO_PROVISION=false; fi\nexec restate-server ${FLAGS(2).replace(' --auto-provision=false', '')}`)}${DATA(2)}`
        : `${IMAGE}    command: ${FLAGS(n)}\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'config-file').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'restate-2: its entrypoint script starts restate-server with RESTATE_AUTO_PROVISION (set on some paths only), which the shell makes when it runs: check cannot know that value',
    ]);
  });

  test('a here-document is text, and an entrypoint check cannot follow is said', async () => {
    const r = await checkCluster((n) =>
      n === 2
        ? `${shell(`cat > /tmp/note <<EOF\nrestate-server --cluster-name=other\nEOF\nexec restate-server ${FLAGS(2)}`)}${DATA(2)}`
        : n === 3
          ? `${IMAGE}    entrypoint: ["/opt/start-node"]\n    environment:\n      RESTATE_NODE_NAME: restate-3\n      RESTATE_CLUSTER_NAME: shop\n      RESTATE_AUTO_PROVISION: "false"\n      RESTATE_ADVERTISED_ADDRESS: http://restate-3:5122\n${DATA(3)}`
          : `${IMAGE}    command: ${FLAGS(n)}\n${DATA(n)}`,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'config-file').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'restate-3: check cannot read how it starts restate-server (entrypoint ["/opt/start-node"]): the flags and variables it is started with are unknown',
    ]);
  });
});

test('a flag restate-server does not have sets nothing: refused by the proof, not counted by the rules', async () => {
  const r = await checkCluster((n) => `${IMAGE}    command: ${FLAGS(n)} --default-replication 3\n${DATA(n)}`);
  expect(r.findings.find((f) => f.severity === 'info')?.message).not.toMatch(/replication 3/);
  expect(errorsOf(r)).toEqual(
    [1, 2, 3].map((n) =>
      expect.stringMatching(
        new RegExp(
          `^error fidelity restate-${n} -: restate-server 1\\.7\\.12 refuses this configuration: error: unexpected argument '--default-replication'`,
        ),
      ),
    ),
  );
});
