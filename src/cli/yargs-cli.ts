import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { MAX_NODES } from '../plan/ports.js';
import { EXCLUSIVE_MODES, GENERATE_FLAGS, runGenerate, type FlagValues } from './generate-options.js';
import { readyCommand, stackPartCommand } from './operate-commands.js';
import { fail, runCommand } from './run-command.js';
import { GENERATOR_VERSION } from './version.js';

const PORT_SCHEME = `Published ports: node 1 uses ingress 8080, admin 9070, fabric 5122; node k = 2..5 uses
k·10000 + those (node 2: 28080 / 29070 / 25122). Nodes 6..${MAX_NODES} use ingress 18000+k, admin 19000+k,
fabric 15000+k (node 6: 18006 / 19006 / 15006). MinIO: API 9000, console 9001. --port-offset adds
the same amount to every one of them. At most ${MAX_NODES} nodes.`;

/** The default command: generate a cluster from the option table both parsers read. */
function generateCommand(cli: Argv, generate: (values: FlagValues) => Promise<void>): void {
  cli.command(
    '$0',
    'generate a cluster (or regenerate one gen-compose wrote: options not given keep their previous values)',
    (y) => {
      for (const [name, { repeatable, ...spec }] of Object.entries(GENERATE_FLAGS)) {
        // A string flag always takes the next word as its value, as parseArgs does: "--memory
        // -1G" is a bad size, not the flags -1 and -G.
        y.option(name, { ...spec, ...(spec.type === 'string' ? { requiresArg: true } : {}) });
      }
      for (const [i, mode] of EXCLUSIVE_MODES.entries()) y.conflicts(mode, EXCLUSIVE_MODES.slice(i + 1));
      return y.epilog(PORT_SCHEME);
    },
    (argv) => {
      // Words that are no option (after --, say) would be ignored: said instead.
      const extra = argv._.map(String);
      if (extra.length > 0) fail(`unexpected argument(s): ${extra.join(' ')} (every option is a --flag; see --help)`);
      return generate(argv as FlagValues);
    },
  );
}

/** `templates export DIR`: the built-in templates, as a starting point for --templates DIR. */
function templatesCommand(cli: Argv): void {
  cli.command(
    'templates <action> <dir>',
    'templates export DIR: write the built-in templates to DIR, as a starting point for --templates DIR',
    (y) =>
      y
        .positional('action', { type: 'string', choices: ['export'], demandOption: true })
        .positional('dir', { type: 'string', demandOption: true })
        .option('force', { type: 'boolean', default: false, describe: 'replace template files already in DIR' }),
    (argv) =>
      runCommand(async () => {
        const { exportTemplates } = await import('../render/export.js');
        process.stdout.write(`${exportTemplates(argv.dir, argv.force)}\n`);
      }),
  );
}

/** The refusal of a subcommand given no directory. */
const needsDirectory = (command: string) => `${command} needs a directory: gen-compose ${command} DIR (see --help)`;

/** `check [PATH]`: judge any Restate compose file; exit 1 when a finding is an error. */
function checkCommand(cli: Argv): void {
  cli.command(
    'check [path]',
    'judge a Restate compose file (any, not only ours): settings proven with restate-server --dump-config, cluster and container rules',
    (y) =>
      y
        .positional('path', {
          type: 'string',
          describe: 'directory with a compose (or stack) file and .env, or the file itself (default: .)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'print the findings as JSON' })
        .option('rules', {
          type: 'boolean',
          default: false,
          describe: 'list the rules check applies (id, what it checks, its fix) instead of checking a file',
        })
        .option('fetch', {
          type: 'boolean',
          default: false,
          describe: "fetch the file's own restate-server version from npm if it is not installed",
        })
        .option('restate-server', { type: 'string', describe: 'restate-server binary to prove settings with' })
        .option('target', {
          type: 'string',
          choices: ['compose', 'swarm'],
          describe: 'judge as a Swarm stack too (automatic for docker-stack.yaml and files with Swarm settings)',
        })
        .epilog(
          'Exit code 1 when any finding is an error, 2 for bad input. The shell environment overrides .env, as with docker compose.',
        ),
    (argv) =>
      runCommand(async () => {
        if (argv.rules && argv.path !== undefined)
          throw new UsageError(`check --rules lists every rule and takes no path (got ${argv.path})`);
        if (argv.rules) {
          const { formatRulebook, rulebookListing } = await import('../check/check.js');
          process.stdout.write(argv.json ? `${JSON.stringify(rulebookListing(), null, 2)}\n` : `${formatRulebook()}\n`);
          return;
        }
        // As docker compose itself: the current directory's compose file when none is named.
        const path = argv.path ?? '.';
        if (path.trim() === '') throw new UsageError('check needs a directory or a compose file (the path was empty)');
        const { check, formatText, hasErrors } = await import('../check/check.js');
        const result = await check(path, {
          restateServer: argv['restate-server'],
          fetch: argv.fetch,
          shell: process.env,
          swarm: argv.target === 'swarm',
        });
        process.stdout.write(argv.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatText(result)}\n`);
        process.exitCode = hasErrors(result) ? 1 : 0;
      }),
  );
}

/** The flags of `rehearse DIR`. */
const rehearseOptions = (y: Argv) =>
  y
    .positional('dir', {
      type: 'string',
      demandOption: true,
      describe: 'directory with docker-compose.yaml and .env (or a compose file)',
    })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'print every translation from container to local process',
    })
    .option('keep', { type: 'boolean', default: false, describe: 'leave the cluster running afterwards' })
    .option('restate-server', {
      type: 'string',
      describe: 'restate-server binary (default: node_modules, then PATH)',
    })
    .option('restatectl', { type: 'string', describe: 'restatectl binary (default: node_modules, then PATH)' })
    .option('wait', {
      type: 'string',
      requiresArg: true,
      default: '60',
      describe: 'seconds any one wait (health, membership, an invocation) may take',
    })
    .epilog(
      'Needs @restatedev/restate-server, @restatedev/restatectl, @restatedev/restate-sdk and s3rver from npm (dev dependencies of gen-compose). The shell environment overrides .env, as with docker compose.',
    );

/** `rehearse DIR`: boot the cluster as local processes; exit 1 when the proof fails. */
function rehearseCommand(cli: Argv): void {
  cli.command(
    'rehearse <dir>',
    'boot the cluster in DIR as local processes (restate-server, restatectl, an S3 stand-in) and prove it works',
    rehearseOptions,
    (argv) =>
      runCommand(async () => {
        if (argv.dir.trim() === '')
          throw new UsageError('rehearse needs a directory or a compose file (the path was empty)');
        const waitSeconds = Number(argv.wait);
        if (argv.wait.trim() === '' || !Number.isFinite(waitSeconds) || waitSeconds <= 0) {
          throw new UsageError(`--wait must be a number of seconds above 0, got "${argv.wait}"`);
        }
        const { rehearse } = await import('../rehearse/rehearse.js');
        const ok = await rehearse({
          target: argv.dir,
          verbose: argv.verbose,
          keep: argv.keep,
          restateServer: argv['restate-server'],
          restatectl: argv.restatectl,
          shell: process.env,
          print: (line) => process.stdout.write(`${line}\n`),
          waitSeconds,
        });
        process.exitCode = ok ? 0 : 1;
      }),
  );
}

/** Parse errors (unknown flags, missing values) from yargs itself, as one line and exit 2. */
function parseFailure(argv: string[]) {
  return (message: string | undefined, error: Error | undefined): never => {
    // A subcommand without its one argument: say which, the way its usage line does (check's
    // path is optional, for --rules: its handler says so itself).
    if (/^Not enough non-option arguments/.test(message ?? '') && ['rehearse', 'templates'].includes(argv[0] ?? '')) {
      fail(needsDirectory(argv[0] === 'templates' ? 'templates export' : argv[0]!));
    }
    // yargs' own words for a wrong choice ("Invalid values: Argument: action, Given: …").
    const choice = /Argument: (\w+), Given: "([^"]*)", Choices: (.*)$/.exec(message ?? '');
    if (choice && argv[0] === 'templates')
      fail(`templates has one action, export, got "${choice[2]}" (gen-compose templates export DIR)`);
    fail(unknownFlags(message, argv) ?? message ?? error?.message ?? 'invalid arguments');
  };
}

/**
 * yargs names an unknown flag twice, as given and camel-cased (`bogus-flag, bogusFlag`), and a
 * stray word the same way: each once, as typed.
 */
function unknownFlags(message: string | undefined, argv: string[]): string | undefined {
  const listed = /^Unknown arguments?: (.*)$/.exec(message ?? '')?.[1]?.split(', ');
  if (!listed) return undefined;
  const camel = (name: string) => name.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const once = listed.filter((name) => !listed.some((other) => other !== name && camel(other) === name));
  // As typed: `--no-x` reaches yargs as x, negated.
  const typedFlag = (name: string) =>
    (name.length === 1 ? [`-${name}`] : [`--${name}`, `--no-${name}`]).find((flag) =>
      argv.some((a) => a === flag || a.startsWith(`${flag}=`)),
    );
  const flags = once.map(typedFlag).filter((flag) => flag !== undefined);
  const words = once.filter((name) => typedFlag(name) === undefined);
  const plural = (n: number) => (n > 1 ? 's' : '');
  const command = words[0] === argv[0] ? closeSubcommand(words[0]!) : undefined;
  if (command) return `unknown command: ${words[0]} (did you mean ${command}? gen-compose --help lists the commands)`;
  // One mistyped flag of the generator (--nodse): the flag it most likely meant.
  const meant =
    flags.length === 1 && flags[0]!.startsWith('--')
      ? closest(flags[0]!.slice(2), Object.keys(GENERATE_FLAGS))
      : undefined;
  return [
    ...(flags.length > 0
      ? [`unknown option${plural(flags.length)}: ${flags.join(', ')}${meant ? ` (did you mean --${meant}?)` : ''}`]
      : []),
    ...(words.length > 0 ? [`unexpected argument${plural(words.length)}: ${words.join(' ')}`] : []),
  ]
    .join('; ')
    .concat(' (gen-compose --help lists what it takes)');
}

/**
 * The subcommands by name, in --help's order: main adds each, and a mistyped first word is
 * matched against the same names.
 */
const SUBCOMMANDS: Record<string, (cli: Argv) => void> = {
  templates: templatesCommand,
  check: checkCommand,
  rehearse: rehearseCommand,
  ready: readyCommand,
  'stack-part': stackPartCommand,
};

/** The subcommand a mistyped first word was meant to be: at most two letters off (chekc, rehears). */
function closeSubcommand(word: string): string | undefined {
  return closest(word.toLowerCase(), Object.keys(SUBCOMMANDS));
}

/** The first of `names` within two edits of `word` (Levenshtein), if any. */
function closest(word: string, names: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  return names.find((name) => distance(word, name) <= 2);
}

/**
 * The full command line: help, version, subcommands, and every error message. `generate` runs
 * the generator with the parsed flags (tests/parsers.test.ts hands in one that prints them).
 * Help lists the subcommands in the order they are added here.
 */
export async function main(
  argv: string[],
  generate: (values: FlagValues) => Promise<void> = runGenerate,
): Promise<void> {
  const cli = yargs(argv)
    .scriptName('gen-compose')
    .usage(
      '$0 [options]\n\nWrite docker-compose.yaml and .env for an N-node Restate cluster with MinIO for snapshots.',
    );
  generateCommand(cli, generate);
  for (const addCommand of Object.values(SUBCOMMANDS)) addCommand(cli);
  await cli
    .strict()
    .version(GENERATOR_VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail(parseFailure(argv))
    // After --help or --version the process ends on its own, once the output is out: an exit of
    // yargs' own came before a failed write (>/dev/full) could be told, and exited 0.
    .exitProcess(false)
    .parseAsync();
}
