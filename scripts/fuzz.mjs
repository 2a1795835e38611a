// npm run fuzz: random invocations of the built CLI and of its writer, counting every broken
// promise. Not a test (it takes minutes); tests/fuzz.test.ts runs a fixed-seed slice.
//   node scripts/fuzz.mjs [--runs 10000] [--seed N] [--jobs N]
// Cases, each from its own seed (printed with any failure, to replay with --seed S --runs 1):
//   generate   random flags over a random directory (empty, a cluster, its .env hand-edited, a
//              file of the user's, the user's templates, valid or broken, the user's own
//              service in an override file or added to the compose file, a .env made 0640)
//   interrupt  the same, killed (SIGKILL, SIGINT, SIGTERM) at a random instant, then recovered
//              the way the next run starts
//   fault      the writer with one file operation failing, or the process dying, at a random step
// Counted: stack traces, exit codes other than 0/1/2, a directory not byte-identical after a
// refusal, a mixed state after an interruption or a fault, outputs that disagree with each other,
// and what was the user's lost: an override file touched, a secret replaced, a .env mode
// narrowed, a service added to the compose file dropped without --force or without a word.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { CLUSTER_OPTIONS } from '../dist/plan/option-registry.js';
import { realFileOps, recoverInterruptedWrite, writeFiles, WriteFailed } from '../dist/write/writer.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'bundle', 'gen-compose.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const runs = arg('--runs', 10_000);
const firstSeed = arg('--seed', 1);
const jobs = arg('--jobs', Math.max(2, availableParallelism()));

/** A small seeded generator (mulberry32): a case is reproducible from its seed alone. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  return { next, int, pick, chance: (p) => next() < p };
}

const VALUES = {
  '--nodes': ['1', '2', '3', '4', '5', '7', '0', '101', 'x', '2.5', ''],
  '--replication': ['1', '2', '3', '4', '0', 'two'],
  '--metadata-nodes': ['1', '3', '5', '4', 'all'],
  '--port-offset': ['0', '10', '1000', '-5', '70000', '1e3'],
  '--cluster-name': ['restate-cluster', 'shop', 'Bad Name', '-x', ''],
  '--restate-version': ['1.7.12', '1.7.10', '1.6.2', '1.7.99', 'latest'],
  '--publish-address': ['0.0.0.0', '127.0.0.1', '10.1.2.3', '300.1.1.1'],
  '--expose': ['ingress', 'admin,fabric', 'none', 's3-console,ingress', 'grafana', 'bogus', ''],
  '--memory': ['4G', '1G', '512M', 'lots', '-1G', 'none'],
  '--snapshots-retained': ['1', '3', '0', 'x', 'none'],
  '--snapshot-interval-records': ['1', '1000', '0', '18446744073709551616'],
  '--snapshots-endpoint': [
    'https://s3.eu-west-1.amazonaws.com',
    'ftp://x',
    'none',
    'https://u:p@s3.example.com',
    'https://s3.example.com?k=$x',
  ],
  '--target': ['compose', 'swarm', 'k8s'],
  '--templates': ['none', './no-such-templates'],
  '--replace-node': ['1', '3', '9', 'x'],
  '--replaced-nodes': ['3:1', '1:2,2:1', 'bad'],
  '--preset': ['dev', 'ha', 'prod', 'huge'],
};
const BOOLEANS = [
  '--force',
  '--unverified',
  '--load-balancer',
  '--no-load-balancer',
  '--monitoring',
  '--no-monitoring',
  '--no-memory',
];
const MODES = ['--dry-run', '--check', '--stdout'];
// Every option of the registry gets thrown: a new one without sample values stops the fuzz.
const unsampled = CLUSTER_OPTIONS.map((o) => `--${o.flag}`).filter((f) => !(f in VALUES) && !BOOLEANS.includes(f));
if (unsampled.length > 0)
  throw new Error(`fuzz: no sample values for ${unsampled.join(', ')}: add them to VALUES or BOOLEANS`);

function randomFlags(r) {
  const flags = [];
  for (let i = r.int(0, 4); i > 0; i--) {
    const name = r.pick(Object.keys(VALUES));
    const value = r.pick(VALUES[name]);
    if (r.chance(0.2)) flags.push(`${name}=${value}`);
    else flags.push(name, value);
  }
  for (let i = r.int(0, 2); i > 0; i--) flags.push(r.pick(BOOLEANS));
  if (r.chance(0.15)) flags.push(r.pick(MODES));
  return flags;
}

function run(args, { cwd = root, kill } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (kill) setTimeout(() => child.kill(kill.signal), kill.afterMs);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every file below a directory with its mode and bytes; directories as entries of their own. */
function snapshot(dir, prefix = '') {
  if (!existsSync(dir)) return {};
  const out = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      Object.assign(out, { [`${prefix}${name}/`]: '' }, snapshot(path, `${prefix}${name}/`));
    else
      out[`${prefix}${name}`] =
        `${(statSync(path).mode & 0o777).toString(8)} ${withoutClock(name, readFileSync(path, 'utf8'))}`;
  }
  return out;
}
/**
 * The state file remembers when the last steps were printed: a clock reading, which differs
 * between an interrupted run and its reference made moments apart, though both wrote the same.
 */
const withoutClock = (name, text) =>
  name === '.gen-compose.json' ? text.replace(/("at": ")[^"]*(")/g, '$1…$2') : text;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Starting points, made once: a directory is copied from one of these. */
function baseDirectories(work) {
  const make = async (name, args) => {
    const dir = join(work, 'bases', name);
    const r = await run([...args, '--out', dir, '--secrets-seed', name]);
    if (r.code !== 0) throw new Error(`base ${name}: ${r.stderr}`);
    return dir;
  };
  return Promise.all([
    make('plain', []),
    make('prod', ['--preset', 'prod']),
    make('swarm', ['--target', 'swarm', '--nodes', '5']),
  ]);
}

const TEMPLATE_EDITS = [
  ['haproxy.cfg.hbs', (t) => t.replace('timeout client', '# a comment\n    timeout client')],
  ['env.hbs', (t) => `${t}\nEXTRA_FROM_TEMPLATE=1\n`],
  ['prometheus.yml.hbs', () => 'scrape_configs: [\n'],
  ['docker-compose.yaml.hbs', (t) => t.replace('{{#each header}}', '{{#each header}')],
  ['grafana-dashboard.json.hbs', (t) => t.replace('"uid"', '"uid": {{nope}}, "x"')],
  ['README.md.hbs', (t) => t.replace(/^.*Generated by gen-compose.*$/m, 'no stamp')],
];

/** A directory to run in, as a user might have left it. */
function prepare(r, dir, bases) {
  const kind = r.pick([
    ...['empty', 'none', 'cluster', 'cluster', 'cluster', 'edited', 'foreign', 'templates'],
    ...['override', 'added'],
  ]);
  if (kind === 'none') return { kind, templates: undefined };
  if (kind === 'empty') {
    mkdirSync(dir, { recursive: true });
    return { kind, templates: undefined };
  }
  cpSync(r.pick(bases), dir, { recursive: true });
  if (kind === 'edited' && existsSync(join(dir, '.env'))) {
    const lines = readFileSync(join(dir, '.env'), 'utf8').split('\n');
    const at = r.int(0, lines.length - 1);
    if (/^[A-Z0-9_]+=/.test(lines[at])) {
      const name = lines[at].slice(0, lines[at].indexOf('='));
      lines[at] = `${name}=${r.pick(['19999', '0.0.0.0', 'latest', 'other', '1.7.10', "it's", 'x', ''])}`;
    }
    if (r.chance(0.3)) lines.push('MY_OWN=1');
    writeFileSync(join(dir, '.env'), lines.join('\n'), { mode: 0o600 });
  }
  // The user's own service: where it belongs (Compose merges it; gen-compose never touches it),
  // or added to the generated file, which a regeneration must not drop without --force.
  if (kind === 'override') writeFileSync(join(dir, 'docker-compose.override.yaml'), USER_SERVICE);
  if (kind === 'added') {
    const file = ['docker-compose.yaml', 'docker-stack.yaml'].find((f) => existsSync(join(dir, f)));
    const text = readFileSync(join(dir, file), 'utf8');
    writeFileSync(
      join(dir, file),
      text.replace(/^services:\n/m, `services:\n${USER_SERVICE.split('\n').slice(1).join('\n')}`),
    );
  }
  if (r.chance(0.2) && existsSync(join(dir, '.env'))) chmodSync(join(dir, '.env'), 0o640);
  if (kind === 'foreign') {
    const file = join(dir, r.pick(['README.md', 'compose.yaml', 'haproxy/haproxy.cfg', 'docker-compose.yml']));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'mine\n');
  }
  let templates;
  if (kind === 'templates') {
    templates = join(dir, '..', 'templates');
    mkdirSync(templates, { recursive: true });
    const [name, edit] = r.pick(TEMPLATE_EDITS);
    writeFileSync(join(templates, name), edit(readFileSync(join(root, 'compose-templates', name), 'utf8')));
  }
  return { kind, templates };
}

const USER_SERVICE = 'services:\n  my-greeter:\n    image: my-greeter:1\n';
const SECRETS = ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD', 'RESTATE_S3_ACCESS_KEY', 'RESTATE_S3_SECRET_KEY'];

/** What was the user's and must outlive any run: the override file, the secrets, the .env mode, an added service. */
function userLosses(kind, dir, before, flags, result) {
  const found = [];
  const now = snapshot(dir);
  const override = 'docker-compose.override.yaml';
  if (before[override] !== undefined && now[override] !== before[override]) found.push(`${override} changed`);
  if (before['.env'] !== undefined && now['.env'] !== undefined) {
    if (now['.env'].split(' ')[0] !== before['.env'].split(' ')[0]) found.push('.env changed its mode');
    const [was, is] = [before['.env'], now['.env']].map((t) => parseDotenv(t.slice(t.indexOf(' ') + 1)));
    for (const name of SECRETS)
      if (was[name] && is[name] !== undefined && is[name] !== was[name]) found.push(`${name} replaced`);
  }
  const kept = ['docker-compose.yaml', 'docker-stack.yaml'].some((f) => now[f]?.includes('my-greeter:'));
  if (kind === 'added' && result.code === 0 && !kept) {
    if (!flags.includes('--force')) found.push('an added service dropped without --force');
    else if (!`${result.stdout}${result.stderr}`.includes('my-greeter'))
      found.push('an added service dropped without a word');
  }
  return found;
}

const looksLikeStack = (text) => /unexpected error|\n\s+at .+:\d+:\d+/.test(text);

/** Outputs that must agree: every published port in .env is in README.md; the state names the nodes the file has. */
function disagreements(dir, stdout) {
  const found = [];
  const composeFile = ['docker-compose.yaml', 'docker-stack.yaml'].find((f) => existsSync(join(dir, f)));
  if (!composeFile) return ['no compose or stack file after a successful write'];
  const compose = parseYaml(readFileSync(join(dir, composeFile), 'utf8'), { merge: true });
  const env = parseDotenv(readFileSync(join(dir, '.env')));
  const state = JSON.parse(readFileSync(join(dir, '.gen-compose.json'), 'utf8'));
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const nodes = Object.keys(compose.services).filter((s) => /^restate-\d+$/.test(s));
  if (nodes.length !== state.options.nodes)
    found.push(`${composeFile} has ${nodes.length} nodes, .gen-compose.json ${state.options.nodes}`);
  for (const [name, value] of Object.entries(env)) {
    if (!/^NODE\d+_ADMIN_PORT_OVERRIDE$/.test(name)) continue;
    if (!readme.includes(value)) found.push(`.env ${name}=${value} is not in README.md`);
    if (composeFile === 'docker-compose.yaml' && !stdout.includes(`:${value}`))
      found.push(`.env ${name}=${value} is not in the summary`);
  }
  if (env.RESTATE_VERSION !== state.options.restateVersion)
    found.push(`.env RESTATE_VERSION=${env.RESTATE_VERSION}, state ${state.options.restateVersion}`);
  if (!stdout.includes(`(Restate ${env.RESTATE_VERSION})`))
    found.push(`the summary does not name Restate ${env.RESTATE_VERSION}`);
  if (existsSync(join(dir, '.gen-compose.staging'))) found.push('a staging directory was left');
  return found;
}

async function generateCase(r, dir, bases, problems) {
  const { kind, templates } = prepare(r, dir, bases);
  const flags = randomFlags(r);
  if (templates && r.chance(0.8)) flags.push('--templates', templates);
  const before = snapshot(dir);
  const result = await run([...flags, '--out', dir]);
  outcomes[`exit ${result.code ?? result.signal}`] = (outcomes[`exit ${result.code ?? result.signal}`] ?? 0) + 1;
  const output = `${result.stdout}${result.stderr}`;
  if (looksLikeStack(output)) problems.stack.push({ flags, output: output.slice(0, 600) });
  if (![0, 1, 2].includes(result.code)) problems.exitCode.push({ flags, code: result.code, signal: result.signal });
  const losses = userLosses(kind, dir, before, flags, result);
  if (losses.length > 0) problems.lost.push({ kind, flags, losses });
  if (result.code !== 0 || flags.some((f) => MODES.includes(f))) {
    if (!same(snapshot(dir), before)) problems.notIdentical.push({ flags, code: result.code });
    if (result.code === 2 && result.stderr.trim().split('\n').length !== 1)
      problems.notOneLine.push({ flags, stderr: result.stderr });
    return;
  }
  const found = disagreements(dir, result.stdout);
  if (found.length > 0) problems.disagree.push({ flags, found });
}

async function interruptCase(r, dir, bases, problems, work, seed) {
  const write = await changingWrite(r, dir, bases, work, seed);
  if (!write) return;
  const { before } = write;
  const signal = r.pick(['SIGKILL', 'SIGINT', 'SIGTERM']);
  await run([...write.flags, '--out', dir], { kill: { signal, afterMs: r.int(0, 160) } });
  // The next run starts by completing or undoing what it finds.
  if (existsSync(dir)) recoverInterruptedWrite(dir);
  const now = snapshot(dir);
  // A directory the interrupted run created, still empty, holds nothing either way.
  const empty = Object.keys(now).length === 0 && Object.keys(before).length === 0;
  if (same(now, write.after)) counts.endedNew++;
  else if (same(now, before) || empty) counts.endedOld++;
  else
    problems.mixed.push({
      flags: write.flags,
      signal,
      files: Object.keys(now).filter((f) => now[f] !== before[f] && now[f] !== write.after[f]),
    });
}

/**
 * A directory as a user might have left it, and a write that changes it, for the interruption
 * and fault cases (a write that changes nothing cannot show a mixed state): the random flags
 * plus a new port offset, or, if those are refused, the offset alone; run to completion in a
 * copy at the same depth, the reference. The directory before and after; none if every write
 * was refused (counted).
 */
async function changingWrite(r, dir, bases, work, seed) {
  prepare(r, dir, bases);
  const before = snapshot(dir);
  const offset = ['--port-offset', String(r.int(1, 500)), '--secrets-seed', `s${seed}`];
  const reference = join(work, `ref-${seed}`, 'out');
  try {
    for (const flags of [[...randomFlags(r).filter((f) => !MODES.includes(f)), ...offset], offset]) {
      rmSync(join(work, `ref-${seed}`), { recursive: true, force: true });
      if (existsSync(dir)) cpSync(dir, reference, { recursive: true });
      if ((await run([...flags, '--out', reference])).code === 0) return { flags, before, after: snapshot(reference) };
    }
    counts.unchanged++;
    return undefined;
  } finally {
    rmSync(join(work, `ref-${seed}`), { recursive: true, force: true });
  }
}

class InjectedFault extends Error {}

async function faultCase(r, dir, bases, problems, work, seed) {
  const write = await changingWrite(r, dir, bases, work, seed);
  if (!write) return;
  const { before } = write;
  const { after } = write;
  // The same write the CLI made, through the writer with a fault at a random operation.
  const files = Object.keys(after)
    .filter((p) => !p.endsWith('/'))
    .map((p) => ({ path: p, content: after[p].slice(4), mode: Number.parseInt(after[p].slice(0, 3), 8) }));
  const stale = Object.keys(before).filter(
    (p) => !p.endsWith('/') && after[p] === undefined && before[p].includes('Generated by gen-compose'),
  );
  // Spread over every step: staging (mkdir and write per file, keep per replaced file), the
  // commit, applying (mkdir and rename per file, unlink per stale one) and finishing.
  const estimate = 4 * files.length + 2 * Object.keys(before).length + stale.length + 8;
  const failAt = r.int(1, estimate);
  const crash = r.chance(0.5);
  let n = 0;
  const ops = Object.fromEntries(
    Object.entries(realFileOps).map(([name, op]) => [
      name,
      (...a) => {
        n += 1;
        if (n === failAt || (crash && n > failAt)) throw new InjectedFault(`fault at ${n}`);
        return op(...a);
      },
    ]),
  );
  let failed = false;
  try {
    writeFiles(dir, files, stale, ops);
  } catch (error) {
    // The writer reports a failed write as WriteFailed, with the operation's error as its cause.
    const cause = error instanceof WriteFailed ? error.cause : error;
    if (!(cause instanceof InjectedFault))
      problems.stack.push({ flags: write.flags, output: String(error?.stack ?? error).slice(0, 600) });
    // Claiming the old files are back must be true without the next run's help (a crash claims
    // nothing: the process is gone; the scratch directories are the next run's to delete).
    const scratch = (p) => p.startsWith('.gen-compose.staging') || p.startsWith('.gen-compose.trash');
    const withoutScratch = (snap) => Object.fromEntries(Object.entries(snap).filter(([p]) => !scratch(p)));
    if (
      !crash &&
      error instanceof WriteFailed &&
      error.restored &&
      !same(withoutScratch(snapshot(dir)), withoutScratch(before))
    )
      problems.mixed.push({ flags: write.flags, failAt, claimed: 'restored' });
    failed = true;
  }
  if (existsSync(dir)) recoverInterruptedWrite(dir);
  const now = snapshot(dir);
  const empty = Object.keys(now).length === 0 && Object.keys(before).length === 0;
  const old = same(now, before) || empty;
  if (same(now, after) && !(failed && !crash)) counts.endedNew++;
  else if (old) counts.endedOld++;
  // Anything else is a mix; and a failure the writer reported must have left the old directory.
  else problems.mixed.push({ flags: write.flags, failAt, crash, failed });
}

const work = mkdtempSync(join(tmpdir(), 'gen-compose-fuzz-'));
const problems = { stack: [], exitCode: [], notIdentical: [], notOneLine: [], mixed: [], disagree: [], lost: [] };
const counts = { generate: 0, interrupt: 0, fault: 0, unchanged: 0, endedOld: 0, endedNew: 0 };
/** How the generate cases ended, so a run that refused everything shows as such. */
const outcomes = {};
const started = Date.now();
try {
  const bases = await baseDirectories(work);
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      const seed = firstSeed + next++;
      const r = random(seed);
      const dir = join(work, `case-${seed}`, 'out');
      mkdirSync(join(work, `case-${seed}`));
      const kind = r.pick(['generate', 'generate', 'generate', 'interrupt', 'fault']);
      counts[kind]++;
      const before = Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, v.length]));
      if (kind === 'generate') await generateCase(r, dir, bases, problems);
      else if (kind === 'interrupt') await interruptCase(r, dir, bases, problems, work, seed);
      else await faultCase(r, dir, bases, problems, work, seed);
      for (const [k, v] of Object.entries(problems)) for (const p of v.slice(before[k])) p.seed ??= seed;
      rmSync(join(work, `case-${seed}`), { recursive: true, force: true });
      if (next % 500 === 0)
        process.stderr.write(`  ${next}/${runs} (${((Date.now() - started) / 1000).toFixed(0)}s)\n`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const total = counts.generate + counts.interrupt + counts.fault;
console.log(
  `${total} invocations (seeds ${firstSeed}..${firstSeed + runs - 1}, ${jobs} at a time, ${((Date.now() - started) / 1000).toFixed(0)}s): ${counts.generate} generate, ${counts.interrupt} interrupted, ${counts.fault} with a file fault`,
);
const labels = {
  stack: 'stack traces',
  exitCode: 'exit codes other than 0/1/2',
  notIdentical: 'directories not byte-identical after a refusal or a dry run',
  notOneLine: 'refusals not on one line',
  mixed: 'mixed states after an interruption or a fault',
  disagree: 'outputs that disagree with each other',
  lost: "runs that lost what was the user's",
};
console.log(
  `  interrupted and faulty writes ended old: ${counts.endedOld}, new: ${counts.endedNew} (no changing write found: ${counts.unchanged})`,
);
console.log(
  `  generate cases: ${Object.entries(outcomes)
    .sort()
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}`,
);
for (const [key, label] of Object.entries(labels))
  console.log(`  ${String(problems[key].length).padStart(5)}  ${label}`);
for (const [key, list] of Object.entries(problems))
  for (const p of list.slice(0, 3))
    console.log(`  ${key} (replay: --seed ${p.seed} --runs 1): ${JSON.stringify(p).slice(0, 400)}`);
process.exitCode = Object.values(problems).some((v) => v.length > 0) ? 1 : 0;
