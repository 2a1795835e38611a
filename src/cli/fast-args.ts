import { parseArgs } from 'node:util';
import { EXCLUSIVE_MODES, GENERATE_FLAGS, type FlagValues } from './generate-options.js';

/**
 * The generator's flags read with node:util's parseArgs, without loading yargs (which with its
 * help formatting made up most of the CLI's start-up, npm run bench). Undefined for anything it
 * cannot read exactly as yargs would (--help, --version, --no-X, an ambiguous value, two modes):
 * the yargs CLI then parses the same line and owns the error message. tests/parsers.test.ts
 * proves both give the same values wherever this one answers.
 */
export function fastGenerateArgs(argv: string[]): FlagValues | undefined {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  try {
    const options = Object.fromEntries(
      Object.entries(GENERATE_FLAGS).map(([name, spec]) => [
        name,
        {
          type: spec.type,
          ...(spec.alias ? { short: spec.alias } : {}),
          ...(spec.repeatable ? { multiple: true } : {}),
        },
      ]),
    );
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    if (EXCLUSIVE_MODES.filter((m) => values[m]).length > 1) return undefined;
    return values as FlagValues;
  } catch {
    return undefined; // not plain: yargs explains what is wrong
  }
}
