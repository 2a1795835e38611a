#!/usr/bin/env node
/**
 * The entry point. Most runs generate a cluster from plain flags, read by the fast path
 * (fast-args.ts) without loading yargs; everything else (--help, --version, check, rehearse,
 * and any line the fast path cannot read as given) goes to the full yargs CLI, which owns help
 * and error messages. Both read the same option table (generate-options.ts).
 */
import { fastGenerateArgs } from './fast-args.js';
import { runGenerate } from './generate-options.js';

const argv = process.argv.slice(2);
const values = fastGenerateArgs(argv);
if (values) {
  await runGenerate(values);
} else {
  const { main } = await import('./yargs-cli.js');
  await main(argv);
}
