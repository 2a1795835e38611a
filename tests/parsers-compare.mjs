// Proves the two argument parsers agree (run by tests/parsers.test.ts, outside Jest, whose
// module loader cannot load yargs): for random command lines over every generate flag, the
// fast path (fast-args.ts) and yargs give the same options to generate() wherever the fast path
// answers; and a line the fast path hands over because of a --no-X means exactly the line
// without it plus X=false. Usage: node tests/parsers-compare.mjs RUNS SEED
import fc from 'fast-check';
import { fastGenerateArgs } from '../dist/cli/fast-args.js';
import { GENERATE_FLAGS, generateArgs } from '../dist/cli/generate-options.js';
import { main } from '../dist/cli/yargs-cli.js';

const [runs = '300', seed = '1'] = process.argv.slice(2);

/** What yargs hands the generator for a line, or 'refused' (it would print an error and exit). */
async function viaYargs(argv) {
  let values = 'refused';
  const exit = process.exit;
  const write = process.stderr.write;
  process.exit = (code) => {
    throw Object.assign(new Error('exit'), { exitCode: code });
  };
  process.stderr.write = () => true;
  try {
    await main(argv, async (v) => {
      values = v;
    });
  } catch (error) {
    if (error.exitCode === undefined) throw error;
  } finally {
    process.exit = exit;
    process.stderr.write = write;
  }
  return values === 'refused' ? values : generateArgs(values);
}

const VALUES = ['3', '5', '1', 'x', '0', 'ingress', 'admin,fabric', 'none', '4G', 'swarm', 'c1', 'a b', '-1G', ''];
const stringFlags = Object.entries(GENERATE_FLAGS).filter(([, s]) => s.type === 'string');
const booleanFlags = Object.entries(GENERATE_FLAGS).filter(([, s]) => s.type === 'boolean');
const token = fc.oneof(
  fc
    .tuple(fc.constantFrom(...stringFlags), fc.constantFrom(...VALUES), fc.constantFrom('space', 'equals', 'alias'))
    .map(([[name, spec], value, form]) =>
      form === 'equals'
        ? [`--${name}=${value}`]
        : form === 'alias' && spec.alias
          ? [`-${spec.alias}`, value]
          : [`--${name}`, value],
    ),
  fc.constantFrom(...booleanFlags).map(([name]) => [`--${name}`]),
);
const line = fc.array(token, { maxLength: 6 }).map((tokens) => tokens.flat());

let compared = 0;
let negations = 0;
const failures = [];
for (const argv of fc.sample(line, { numRuns: Number(runs), seed: Number(seed) })) {
  const fast = fastGenerateArgs(argv);
  const slow = await viaYargs(argv);
  if (fast !== undefined) {
    compared++;
    if (JSON.stringify(generateArgs(fast)) !== JSON.stringify(slow))
      failures.push({ argv, fast: generateArgs(fast), yargs: slow });
  }
  // The same line with --no-X for a boolean X it does not name: the fast path hands it over.
  const free = booleanFlags
    .map(([name]) => name)
    .filter((name) => !argv.includes(`--${name}`) && ['load-balancer', 'monitoring'].includes(name));
  if (slow !== 'refused' && free.length > 0) {
    const name = free[compared % free.length];
    const negated = await viaYargs([...argv, `--no-${name}`]);
    const expected = { ...slow, flags: { ...slow.flags, [name === 'load-balancer' ? 'loadBalancer' : name]: false } };
    negations++;
    if (JSON.stringify(negated) !== JSON.stringify(expected))
      failures.push({ argv: [...argv, `--no-${name}`], expected, yargs: negated });
  }
}
for (const f of failures.slice(0, 5)) console.log(JSON.stringify(f));
console.log(`${compared} lines compared, ${negations} with --no-X, ${failures.length} disagreements`);
process.exitCode = failures.length === 0 && compared > 0 ? 0 : 1;
