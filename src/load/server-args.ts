import type { ComposeService } from './compose-file.js';
import type { ConfigInput } from './restate-inputs.js';
import { variableOf } from '../restate/config-keys.js';

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
/** Other names clap accepts for a flag (cli_option_overrides.rs). */
const FLAG_ALIASES: Record<string, string> = {
  'allow-bootstrap': 'auto-provision',
  role: 'roles',
  'node-location': 'location',
  'bootstrap-num-partitions': 'default-num-partitions',
};

/** A shell operator that ends a simple command. */
const OPERATOR = /^(;|&&|\|\||\||&|\n|\(|\)|\{|\})$/;

/**
 * A command string split as a POSIX shell splits it (go-shellwords, which Compose uses for a
 * string `command:`, does the same): quotes removed wherever they stand in a word (`--a='b'`
 * is `--a=b`), backslash escapes, and, unquoted, the operators that end a command (`;`, `&&`,
 * `|`, a newline, …) as words of their own; a comment runs to the end of its line. A word that
 * the shell would expand keeps its `$` (its value is not in the file).
 */
export function shellWords(text: string, { script = true } = {}): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let body = '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) i++;
        body += text[i];
      }
      word = (word ?? '') + body;
    } else if (c === '\\') {
      if (i + 1 < text.length && text[i + 1] !== '\n') word = (word ?? '') + text[i + 1];
      i++;
    } else if (c === '$' && text[i + 1] === '(') {
      // A command substitution is one word whatever it holds; its value is not in the file.
      let depth = 0;
      const from = i;
      for (; i < text.length; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) break;
      }
      word = (word ?? '') + text.slice(from, i + 1);
    } else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      const end = close < 0 ? text.length : close;
      const body = text.slice(i + 1, end);
      // `# a note` is the shell idiom for a comment inside a command line: it expands to nothing.
      if (!body.trimStart().startsWith('#')) word = (word ?? '') + `\`${body}\``;
      i = end;
    } else if (c === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '\n' && !script) push();
    else if (c === '\n' || c === ';' || c === '(' || c === ')') {
      push();
      words.push(c);
    } else if (c === '&' || c === '|') {
      push();
      const double = text[i + 1] === c;
      words.push(double ? c + c : c);
      if (double) i++;
    } else if (c === ' ' || c === '\t') push();
    else word = (word ?? '') + c;
  }
  push();
  return words;
}

/** `command:`/`entrypoint:` as Compose splits a string (go-shellwords: a newline is a space). */
const listOf = (value: string[] | string | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : shellWords(value, { script: false });

const SHELLS = /(^|\/)(ba|da)?sh$/;
const SERVER = /(^|\/)restate-server$/;
/** Words that may stand before a command's name in a script. */
const PREFIXES = new Set(['exec', 'then', 'do', 'else', '!', 'time', 'env']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
/** What a script gives restate-server: each run's arguments, and the variables it sets for it. */
interface ScriptRun {
  args: string[];
  env: Record<string, string>;
}

/**
 * The commands of a shell script that run restate-server: a word in command position (first of
 * a simple command, after `exec`, `then`, `env`, …) whose name is restate-server, up to the
 * operator that ends it; with the variables the script exports before it and those assigned in
 * front of it (`RESTATE_X=1 exec restate-server`, `exec env RESTATE_X=1 restate-server`).
 * `"$@"` stands for the script's positional arguments (`sh -c SCRIPT NAME ARG…`). An echo that
 * mentions restate-server runs nothing.
 */
function scriptRuns(script: string, positional: string[]): ScriptRun[] {
  const words = shellWords(script);
  const runs: ScriptRun[] = [];
  const exported: Record<string, string> = {};
  let atStart = true;
  let assigned: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (OPERATOR.test(word)) {
      atStart = true;
      assigned = {};
      continue;
    }
    if (!atStart) continue;
    const assignment = ASSIGNMENT.exec(word);
    if (assignment) {
      assigned[assignment[1]!] = assignment[2]!;
      continue;
    }
    if (PREFIXES.has(word)) continue;
    atStart = false;
    if (word === 'export') {
      for (i++; i < words.length && !OPERATOR.test(words[i]!); i++) {
        const exportedOne = ASSIGNMENT.exec(words[i]!);
        if (exportedOne) exported[exportedOne[1]!] = exportedOne[2]!;
      }
      i--;
      continue;
    }
    if (!SERVER.test(word)) continue;
    const args: string[] = [];
    for (i++; i < words.length && !OPERATOR.test(words[i]!); i++) {
      if (words[i] === '$@' || words[i] === '$*') args.push(...positional);
      else args.push(words[i]!);
    }
    i--;
    runs.push({ args, env: { ...exported, ...assigned } });
  }
  return runs;
}

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
  problem?: string;
}

/**
 * The arguments restate-server gets, as written. The image's entrypoint is restate-server, so
 * `command:` holds them; an entrypoint that runs restate-server (itself, or through an init
 * such as tini: its words after restate-server) takes its own words first. A shell script
 * (`sh -c`) is read for the command that runs restate-server; a word there that the shell
 * expands cannot be known from the file.
 */
export function serverArguments(service: ServiceFields): ServerArguments {
  const entrypoint = listOf(service.entrypoint);
  const command = listOf(service.command);
  if (entrypoint.length === 0) return { args: command, env: {} };
  if (!SHELLS.test(entrypoint[0]!)) {
    const at = entrypoint.findIndex((word) => SERVER.test(word));
    return { args: at < 0 ? [] : [...entrypoint.slice(at + 1), ...command], env: {} };
  }
  const words = [...entrypoint.slice(1), ...command];
  const dashC = words.indexOf('-c');
  if (dashC < 0 || dashC + 1 >= words.length) return { args: [], env: {} };
  // sh -c SCRIPT NAME ARG…: NAME is $0, the ARGs are "$@".
  const runs = scriptRuns(words[dashC + 1]!, words.slice(dashC + 3));
  // Runs that differ only in what the script exports on one branch (the generated start guard
  // turns auto-provisioning off when it finds a cluster) are one way to start: the variables
  // every run gets are read, the others are the script's decision when it runs.
  const distinct = [...new Set(runs.map((run) => JSON.stringify(run.args)))].map(
    (args) => JSON.parse(args) as string[],
  );
  const everywhere = Object.fromEntries(
    Object.entries(runs[0]?.env ?? {}).filter(([name, value]) => runs.every((r) => r.env[name] === value)),
  );
  const run: ScriptRun = { args: distinct[0] ?? [], env: everywhere };
  const { known, unknown } = knownWords(run.args);
  const env = Object.fromEntries(Object.entries(run.env).filter(([, value]) => !expands(value)));
  const unknownEnv = Object.keys(run.env).filter((name) => !(name in env));
  if (distinct.length > 1)
    return {
      args: known,
      env,
      problem: `its entrypoint script starts restate-server in ${distinct.length} ways, with different flags: check judges the first (${run.args.join(' ') || 'no flags'})`,
    };
  if (unknown.length + unknownEnv.length > 0)
    return {
      args: known,
      env,
      problem: `its entrypoint script starts restate-server with ${[...unknown, ...unknownEnv.map((n) => `${n}=${run.env[n]}`)].join(', ')}, which the shell makes when it runs: check cannot know that value`,
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
