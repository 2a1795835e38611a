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
export function shellWords(text: string): string[] {
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
    } else if (c === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '\n' || c === ';' || c === '(' || c === ')') {
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

const listOf = (value: string[] | string | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : shellWords(value);

const SHELLS = /(^|\/)(ba|da)?sh$/;
const SERVER = /(^|\/)restate-server$/;
/** Words that may stand before a command's name in a script. */
const PREFIXES = new Set(['exec', 'then', 'do', 'else', '!', 'time']);

/**
 * The arguments of each command of a shell script that runs restate-server: a word in command
 * position (first of a simple command, after `exec`, `then`, …) whose name is restate-server,
 * up to the operator that ends it. `"$@"` stands for the script's positional arguments (`sh -c
 * SCRIPT NAME ARG…`). An echo that mentions restate-server runs nothing.
 */
function scriptRuns(script: string, positional: string[]): string[][] {
  const words = shellWords(script);
  const runs: string[][] = [];
  let atStart = true;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (OPERATOR.test(word)) {
      atStart = true;
      continue;
    }
    if (!atStart) continue;
    if (PREFIXES.has(word) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    atStart = false;
    if (!SERVER.test(word)) continue;
    const args: string[] = [];
    for (i++; i < words.length && !OPERATOR.test(words[i]!); i++) {
      if (words[i] === '$@' || words[i] === '$*') args.push(...positional);
      else args.push(words[i]!);
    }
    i--;
    runs.push(args);
  }
  return runs;
}

/**
 * The arguments restate-server gets, as written. The image's entrypoint is restate-server, so
 * `command:` holds them; an entrypoint that is restate-server takes its own words first. A
 * shell script (`sh -c`) is read for the command that runs restate-server; a word there that
 * the shell expands cannot be known from the file.
 */
export function serverArguments(service: ServiceFields): { args: string[]; problem?: string } {
  const entrypoint = listOf(service.entrypoint);
  const command = listOf(service.command);
  if (entrypoint.length === 0) return { args: command };
  if (SERVER.test(entrypoint[0]!)) return { args: [...entrypoint.slice(1), ...command] };
  if (!SHELLS.test(entrypoint[0]!)) return { args: [] };
  const words = [...entrypoint.slice(1), ...command];
  const dashC = words.indexOf('-c');
  if (dashC < 0 || dashC + 1 >= words.length) return { args: [] };
  // sh -c SCRIPT NAME ARG…: NAME is $0, the ARGs are "$@".
  const runs = scriptRuns(words[dashC + 1]!, words.slice(dashC + 3));
  const distinct = [...new Set(runs.map((run) => JSON.stringify(run)))].map((run) => JSON.parse(run) as string[]);
  const args = distinct[0] ?? [];
  const expanded = args.filter((w) => w.includes('$'));
  if (distinct.length > 1)
    return {
      args,
      problem: `its entrypoint script starts restate-server in ${distinct.length} ways, with different flags: check judges the first (${args.join(' ') || 'no flags'})`,
    };
  if (expanded.length > 0)
    return {
      args: args.filter((w) => !w.includes('$')),
      problem: `its entrypoint script starts restate-server with ${expanded.join(' ')}, which the shell expands when it runs: check cannot know that value`,
    };
  return { args };
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
