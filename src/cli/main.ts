#!/usr/bin/env node
/**
 * The entry point. Most runs generate a cluster from plain flags, read by the fast path
 * (fast-args.ts) without loading yargs; everything else (--help, --version, check, rehearse,
 * and any line the fast path cannot read as given) goes to the full yargs CLI, which owns help
 * and error messages. Both read the same option table (generate-options.ts).
 */
import { fastGenerateArgs } from './fast-args.js';
import { badSwitchValue, runGenerate } from './generate-options.js';
import { committed } from './run-command.js';

// A reader that stopped reading (gen-compose --dry-run | head): the rest of the output has
// nobody to go to. Quietly done, rather than Node's stack for an unhandled EPIPE (rehearse puts
// its own handler first: it stops its processes and exits 1, its proof unfinished).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // Any other failure to print (a full disk behind >file): one line where it can still go,
    // true about the files (steps a run printed are printed again by the next plain run).
    const written =
      committed.out === undefined
        ? ''
        : `; the files in ${committed.out} were written: run gen-compose --out ${committed.out} again to print the summary and any steps`;
    try {
      process.stderr.write(`gen-compose: cannot write the output: ${error.message}${written}\n`);
    } catch {
      // stderr is what failed
    }
    process.exit(2);
  });
}

const argv = process.argv.slice(2);
const badSwitch = badSwitchValue(argv);
if (badSwitch) {
  process.stderr.write(`gen-compose: ${badSwitch}\n`);
  process.exit(2);
}
const values = fastGenerateArgs(argv);
if (values) {
  await runGenerate(values);
} else {
  const { main } = await import('./yargs-cli.js');
  await main(argv);
}
