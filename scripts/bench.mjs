// npm run bench: figures, never a pass/fail on time (the tests do not time anything).
//   node scripts/bench.mjs [--runs N] [--rehearsals N] [--cli-only]
// 1. The CLI as a whole process (the bin, dist/bundle/gen-compose.js), against `node -e 0`
//    measured in the same run, interleaved so that machine noise hits both alike.
// 2. The cluster: `rehearse` on the committed 3-node example, several times, medians of its
//    own timings (all admin APIs healthy, one cluster, first invocation).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'bundle', 'gen-compose.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const runs = arg('--runs', 15);
const rehearsals = arg('--rehearsals', 3);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(9);

function time(command, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
  return elapsed;
}

const work = mkdtempSync(join(tmpdir(), 'gen-compose-bench-'));
try {
  const cases = {
    'node -e 0': () => time(process.execPath, ['-e', '0']),
    'gen-compose --nodes 3 --replication 2': (i) =>
      time(process.execPath, [cli, '--nodes', '3', '--replication', '2', '--out', join(work, `n3-${i}`)]),
    'gen-compose --nodes 100 --replication 3': (i) =>
      time(process.execPath, [cli, '--nodes', '100', '--replication', '3', '--out', join(work, `n100-${i}`)]),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const fn of Object.values(cases)) fn('warm');
  for (let i = 0; i < runs; i++) for (const [name, fn] of Object.entries(cases)) samples[name].push(fn(i));

  const floor = stats(samples['node -e 0']).median;
  const three = stats(samples['gen-compose --nodes 3 --replication 2']).median;
  console.log(`CLI, whole process, ${runs} interleaved runs each (node ${process.version}):`);
  console.log(`  ${'command'.padEnd(42)} ${'min'.padStart(9)} ${'median'.padStart(9)} ${'max'.padStart(9)}   ratio`);
  for (const [name, xs] of Object.entries(samples)) {
    const s = stats(xs);
    const ratio = name === 'node -e 0' ? '1.00× (floor)' : `${(s.median / floor).toFixed(2)}× node`;
    console.log(`  ${name.padEnd(42)} ${ms(s.min)} ${ms(s.median)} ${ms(s.max)}   ${ratio}`);
  }
  const hundred = stats(samples['gen-compose --nodes 100 --replication 3']).median;
  console.log(`  3 nodes / node -e 0 = ${(three / floor).toFixed(2)}× (target ≤ 2.0×)`);
  console.log(`  100 nodes / 3 nodes = ${(hundred / three).toFixed(2)}× (target ≤ 1.5×)`);

  if (!process.argv.includes('--cli-only') && rehearsals > 0) {
    const example = join(root, 'examples', 'ha');
    // Shift every published port, as compose lets the shell override .env, so nothing else on
    // the machine is in the way.
    const env = { ...process.env };
    for (const line of readFileSync(join(example, '.env'), 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+_PORT_OVERRIDE)=(\d+)$/.exec(line);
      if (m) env[m[1]] = String(Number(m[2]) + 2711);
    }
    const timings = {
      'all admin APIs healthy': [],
      'one cluster, all members alive': [],
      'first successful invocation': [],
    };
    console.log(
      `\nCluster: rehearse examples/ha, ${rehearsals} run(s) (seconds after the restate-server processes start):`,
    );
    for (let i = 0; i < rehearsals; i++) {
      const r = spawnSync(process.execPath, [cli, 'rehearse', example], { env, encoding: 'utf8' });
      if (r.status !== 0) {
        console.log(`  run ${i + 1} failed:\n${r.stdout.split('\n').slice(-15).join('\n')}`);
        continue;
      }
      for (const key of Object.keys(timings)) {
        const m = new RegExp(`${key}: ([\\d.]+)s`).exec(r.stdout);
        if (m) timings[key].push(Number(m[1]));
      }
    }
    for (const [key, xs] of Object.entries(timings)) {
      if (xs.length === 0) continue;
      const s = stats(xs);
      console.log(
        `  ${key.padEnd(32)} median ${s.median.toFixed(1)}s  (min ${s.min.toFixed(1)}s, max ${s.max.toFixed(1)}s)`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
