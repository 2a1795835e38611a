import { UsageError } from '../errors.js';
import { CLUSTER_OPTIONS } from '../plan/option-registry.js';
import { UNSET, type RawOptions } from '../plan/options.js';
import { generate, type GenerateArgs } from './generate.js';
import { runCommand } from './run-command.js';
import { GENERATOR_VERSION } from './version.js';

/**
 * The generator's flags, once: the yargs CLI builds its options (and --help) from this table,
 * and the fast path in main.ts parses the same flags with node:util.
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  alias?: string;
  describe: string;
  hidden?: boolean;
  /** Given more than once, the values add up (a list); any other flag given twice: the last wins. */
  repeatable?: boolean;
}

/** Flags of the run itself, not of the cluster: where it writes, and how. */
const RUN_FLAGS: Record<string, FlagSpec> = {
  out: { type: 'string', alias: 'o', describe: 'output directory (default: ./restate-cluster)' },
  force: { type: 'boolean', describe: 'replace files gen-compose did not write, shrink the cluster, or rename it' },
  'dry-run': { type: 'boolean', describe: 'print what would change, as a unified diff, and write nothing' },
  check: { type: 'boolean', describe: 'exit 1 when the files on disk differ from what the options generate' },
  stdout: { type: 'boolean', describe: 'print the compose file instead of writing anything' },
  'secrets-seed': {
    type: 'string',
    hidden: true,
    describe: 'derive credentials from this seed (reproducible examples only)',
  },
};

/** Every flag of the generator: the cluster's options (option-registry.ts), then the run's. */
export const GENERATE_FLAGS: Record<string, FlagSpec> = {
  ...Object.fromEntries(
    CLUSTER_OPTIONS.map(({ flag, type, alias, describe, repeatable }) => [
      flag,
      { type, describe, ...(alias ? { alias } : {}), ...(repeatable ? { repeatable } : {}) },
    ]),
  ),
  ...RUN_FLAGS,
};

/**
 * A switch given a value: `--load-balancer=yes` read as false by yargs (it knows only true and
 * false), which turned an add-on off. Both parsers see the same line, so it is refused first.
 */
export function badSwitchValue(argv: string[]): string | undefined {
  const switches = new Set(
    Object.entries(GENERATE_FLAGS)
      .filter(([, spec]) => spec.type === 'boolean')
      .map(([name]) => name),
  );
  for (const arg of argv) {
    const m = /^--(no-)?([a-z-]+)=(.*)$/.exec(arg);
    if (m && switches.has(m[2]!) && (m[1] !== undefined || !['true', 'false'].includes(m[3]!))) {
      return m[1] !== undefined
        ? `--no-${m[2]} is a switch: give it alone, without "=${m[3]}"`
        : `--${m[2]} is a switch: give it alone (or =true / =false), not "${m[3]}"`;
    }
  }
  return undefined;
}

/** At most one of these: the yargs CLI enforces it, the fast path hands such a call over. */
export const EXCLUSIVE_MODES = ['dry-run', 'check', 'stdout'] as const;

/** Parsed flags by their kebab-case names; a flag given twice may arrive as a list of values. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
type Values = FlagValues;
/** The last value given (a flag given twice: the last wins, as with most command lines). */
const last = (v: Values[string]) => (Array.isArray(v) ? v[v.length - 1] : v);
const text = (v: Values[string]) => {
  const value = last(v);
  return typeof value === 'string' ? value : undefined;
};
const flag = (v: Values[string]) => {
  const value = last(v);
  return typeof value === 'boolean' ? value : undefined;
};
/**
 * An optional value: yargs reads --no-memory as memory=false, which removes a limit set
 * before; other string flags have no such form.
 */
function optional(v: Values[string]): string | undefined {
  const value = last(v);
  if (value !== false) return text(v);
  return UNSET;
}

/** --no-X for a flag that takes a value and cannot be absent: yargs accepts it, we do not. */
function refuseNegated(values: Values): void {
  const unsettable = new Set(CLUSTER_OPTIONS.filter((o) => o.unsettable).map((o) => o.flag));
  for (const [name, spec] of Object.entries(GENERATE_FLAGS)) {
    // In any position: `--no-out --out o` is the same mistake as `--out o --no-out`.
    if (spec.type === 'string' && !unsettable.has(name) && [values[name]].flat().includes(false)) {
      throw new UsageError(
        `--no-${name} is not an option: --${name} takes a value${spec.describe.includes('default') ? ' (leave it out for the default)' : ''}`,
      );
    }
  }
}

/** A repeatable flag's values as one comma-separated list. */
const list = (v: Values[string]) =>
  v === undefined
    ? undefined
    : [v]
        .flat()
        .filter((x) => typeof x === 'string')
        .join(',');

const DEFAULT_OUT = './restate-cluster';

/** Each cluster option's value as its registry entry reads it. */
function clusterFlags(values: Values): RawOptions {
  const flags: Record<string, string | boolean | undefined> = {};
  for (const option of CLUSTER_OPTIONS) {
    const value = values[option.flag];
    flags[option.key] =
      option.type === 'boolean'
        ? option.onlyTrue
          ? flag(value) === true || undefined
          : flag(value)
        : option.repeatable
          ? list(value)
          : option.unsettable
            ? optional(value)
            : text(value);
  }
  return flags as RawOptions;
}

/** Parsed flags (kebab-case names, as in the table) → what generate() takes. */
export function generateArgs(values: Values): GenerateArgs {
  refuseNegated(values);
  return {
    flags: clusterFlags(values),
    out: text(values.out) ?? DEFAULT_OUT,
    defaultOut: text(values.out) === undefined,
    force: flag(values.force) === true,
    secretsSeed: text(values['secrets-seed']),
    mode: flag(values['dry-run']) ? 'dry-run' : flag(values.check) ? 'check' : flag(values.stdout) ? 'stdout' : 'write',
  };
}

/** The generate command, from parsed flags to printed result and exit code. */
export function runGenerate(values: Values): Promise<void> {
  return runCommand(async () => {
    const result = await generate(generateArgs(values), GENERATOR_VERSION);
    process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
    process.exitCode = result.exitCode;
  });
}
