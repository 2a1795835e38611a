import type { ComposeService } from './compose-file.js';
import type { ConfigInput } from './restate-inputs.js';
import { variableOf } from '../restate/config-keys.js';
import { shellWords } from './shell-words.js';
import { ASSIGNMENT, DASH_C, ENV, scriptRuns, SERVER, SHELLS } from './shell-script.js';

/**
 * restate-server's command line as a compose service gives it: from `command:`, an
 * `entrypoint:` that is restate-server, or the command of an `sh -c` script that runs it; and
 * its flags as clap reads them.
 */

/** What is read here: the service as loaded, before its Restate inputs are. */
export type ServiceFields = Omit<ComposeService, 'restate'>;

/** Flags that are not configuration keys (server/src/main.rs). */
const SERVER_FLAGS = new Set(['--dump-config', '--production', '--no-logo', '--metadata-migration-mode']);
/** Flags that take no value. */
const SWITCHES = SERVER_FLAGS;
/** The flags that set configuration keys (CommonOptionCliOverride, cli_option_overrides.rs). */
const OVERRIDE_FLAGS = new Set([
  'listen-mode',
  'use-random-ports',
  'advertised-host',
  'bind-ip',
  'bind-port',
  'roles',
  'node-name',
  'location',
  'force-node-id',
  'cluster-name',
  'auto-provision',
  'base-dir',
  'metadata-store-address',
  'bind-address',
  'advertised-address',
  'default-num-partitions',
  'shutdown-timeout',
  'tracing-endpoint',
  'tracing-runtime-endpoint',
  'tracing-services-endpoint',
  'tracing-json-path',
  'tracing-filter',
  'log-filter',
  'log-format',
  'log-disable-ansi-codes',
]);
/** Other names clap accepts for a flag (cli_option_overrides.rs). */
const FLAG_ALIASES: Record<string, string> = {
  'allow-bootstrap': 'auto-provision',
  role: 'roles',
  'node-location': 'location',
  'bootstrap-num-partitions': 'default-num-partitions',
};

/** `command:`/`entrypoint:` as Compose splits a string (go-shellwords: a newline is a space). */
const listOf = (value: string[] | string | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : shellWords(value, { script: false });

/** A word whose value the shell makes when it runs: a variable, a command substitution. */
const expands = (word: string) => word.includes('$') || word.includes('`');

/**
 * The words that can be known: an expanded word is dropped, with the flag it is the value of
 * (`--node-name $(hostname)`), so the next flag is not read as that value.
 */
function knownWords(args: string[]): { known: string[]; unknown: string[] } {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const word of args) {
    if (!expands(word)) {
      known.push(word);
      continue;
    }
    const flag = known.at(-1);
    if (!word.startsWith('-') && flag?.startsWith('--') && !flag.includes('=') && !SWITCHES.has(flag)) {
      known.pop();
      unknown.push(`${flag} ${word}`);
    } else unknown.push(word);
  }
  return { known, unknown };
}

export interface ServerArguments {
  /** The arguments, as written (words the shell expands left out). */
  args: string[];
  /** Variables a script sets for restate-server (exported, or assigned in front of it). */
  env: Record<string, string>;
  /** What of it cannot be known from the file, in a line. */
  problem?: string;
}

/** Where restate-server starts in an entrypoint and command: after an init or env, or in a shell's -c script. */
function startOf(words: string[]): { server?: number; shell?: number; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (let k = 0; k < words.length; k++) {
    const word = words[k]!;
    if (SERVER.test(word)) return { server: k, env };
    if (SHELLS.test(word)) return { shell: k, env };
    const assignment = ASSIGNMENT.exec(word);
    if (assignment && words.slice(0, k).some((w) => ENV.test(w))) env[assignment[1]!] = assignment[2]!;
  }
  return { env };
}

/**
 * The arguments restate-server gets, as written. The image's entrypoint is restate-server, so
 * `command:` holds them; an entrypoint that runs restate-server (itself, or through an init
 * such as tini, or env: its words after restate-server) takes its own words first. A shell
 * script (`sh -c`, `bash -lc`) is read for the command that runs restate-server; a word there
 * that the shell expands cannot be known from the file, nor a script check cannot follow.
 */
export function serverArguments(service: ServiceFields): ServerArguments {
  const entrypoint = listOf(service.entrypoint);
  const command = listOf(service.command);
  if (entrypoint.length === 0) return { args: command, env: {} };
  const words = [...entrypoint, ...command];
  const start = startOf(words);
  if (start.server !== undefined) return { args: words.slice(start.server + 1), env: start.env };
  const cannot = {
    args: [],
    env: {},
    problem: `check cannot read how it starts restate-server (entrypoint ${JSON.stringify(entrypoint)}): the flags and variables it is started with are unknown`,
  };
  if (start.shell === undefined) return cannot;
  const dashC = words.findIndex((w, k) => k > start.shell! && DASH_C.test(w));
  if (dashC < 0 || dashC + 1 >= words.length) return cannot;
  // sh -c SCRIPT NAME ARG…: NAME is $0, the ARGs are "$@".
  const read = scriptRuns(words[dashC + 1]!, words.slice(dashC + 3), new Set(Object.keys(service.environment)));
  const { runs } = read;
  if (runs.length === 0) return cannot;
  // Runs that differ only in what the script exports on one branch (the generated start guard
  // turns auto-provisioning off when it finds a cluster) are one way to start: the variables
  // every run gets are read, the others are the script's decision when it runs.
  const distinct = [...new Set(runs.map((run) => JSON.stringify(run.args)))].map(
    (args) => JSON.parse(args) as string[],
  );
  const everywhere = Object.fromEntries(
    Object.entries(runs[0]!.env).filter(([name, value]) => runs.every((r) => r.env[name] === value)),
  );
  const { known, unknown } = knownWords(distinct[0]!);
  const env = Object.fromEntries(Object.entries(everywhere).filter(([, value]) => !expands(value)));
  const unknowable = [
    ...unknown,
    ...Object.keys(everywhere)
      .filter((name) => !(name in env))
      .map((n) => `${n}=${everywhere[n]}`),
    ...[...read.uncertain]
      .filter((name) => name.startsWith('RESTATE_') && !(name in env))
      .map((n) => `${n} (set on some paths only)`),
    ...read.unread,
  ];
  if (distinct.length > 1)
    return {
      args: known,
      env,
      problem: `its entrypoint script starts restate-server in ${distinct.length} ways, with different flags: check judges the first (${distinct[0]!.join(' ') || 'no flags'})`,
    };
  if (unknowable.length > 0)
    return {
      args: known,
      env,
      problem: `its entrypoint script starts restate-server with ${unknowable.join(', ')}, which the shell makes when it runs: check cannot know that value`,
    };
  return { args: known, env };
}

export interface ParsedFlags {
  configFile?: string;
  production: boolean;
  overrides: ConfigInput[];
}

/** restate-server's command line as clap reads it: `--name value`, `--name=value`, `-c path`. */
export function parseFlags(args: string[]): ParsedFlags {
  const parsed: ParsedFlags = { production: false, overrides: [] };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (SWITCHES.has(word)) {
      if (word === '--production') parsed.production = true;
      continue;
    }
    const short = /^-c(.*)$/.exec(word);
    if (short) {
      parsed.configFile = short[1] ? short[1].replace(/^=/, '') : args[++i];
      continue;
    }
    const long = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(word);
    if (!long) continue; // a stray word: clap refuses it, and the proof says so
    const name = FLAG_ALIASES[long[1]!] ?? long[1]!;
    let values: string[];
    if (long[2] !== undefined) values = [long[2]];
    else if (name === 'roles') {
      values = [];
      while (i + 1 < args.length && !args[i + 1]!.startsWith('-')) values.push(args[++i]!);
    } else values = i + 1 < args.length ? [args[++i]!] : [];
    // A flag restate-server does not have sets nothing (clap refuses it, and the proof says so).
    if (name !== 'config-file' && !OVERRIDE_FLAGS.has(name)) continue;
    if (name === 'config-file') {
      parsed.configFile = values[0];
      continue;
    }
    if (name === 'roles') {
      // Every --role/--roles adds to the list (clap appends a repeated Vec option).
      const earlier = parsed.overrides.find((o) => o.variable === 'RESTATE_ROLES');
      const roles = [
        ...(earlier ? (JSON.parse(earlier.value) as string[]) : []),
        ...values.flatMap((v) => v.split(',')).filter(Boolean),
      ];
      if (earlier) {
        earlier.value = JSON.stringify(roles);
        continue;
      }
      values = [JSON.stringify(roles)];
    }
    const value = values[0] ?? '';
    parsed.overrides.push({
      source: 'flag',
      variable: variableOf([name]),
      path: [name],
      value,
      where: `--${long[1]}`,
    });
  }
  return parsed;
}
