#!/usr/bin/env node
/**
 * The entry point. Most runs generate a cluster from plain flags; those are parsed with
 * node:util's parseArgs, without loading yargs, which with its help formatting made up most of
 * the CLI's start-up (npm run bench). Everything else, --help, --version, check, rehearse, and
 * any flag parseArgs cannot read as given, goes to the full yargs CLI, which owns help and
 * error messages. Both read the same option table (generate-options.ts).
 */
import { parseArgs } from 'node:util';
import { EXCLUSIVE_MODES, GENERATE_FLAGS, runGenerate } from './generate-options.js';

function plainGenerate(argv: string[]) {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  try {
    const options = Object.fromEntries(
      Object.entries(GENERATE_FLAGS).map(([name, spec]) => [name, { type: spec.type, ...(spec.alias ? { short: spec.alias } : {}) }]),
    );
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    if (EXCLUSIVE_MODES.filter((m) => values[m]).length > 1) return undefined;
    return values;
  } catch {
    return undefined; // not plain: yargs explains what is wrong
  }
}

const argv = process.argv.slice(2);
const values = plainGenerate(argv);
if (values) {
  await runGenerate(values);
} else {
  const { main } = await import('./yargs-cli.js');
  await main(argv);
}
