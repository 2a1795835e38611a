import { OPERATOR, shellWords } from './shell-words.js';

/**
 * What an `sh -c` script does with restate-server, read without running it: the commands that
 * run it, with their arguments and the variables they get.
 */

export const SHELLS = /(^|\/)(ba|da)?sh$/;
export const SERVER = /(^|\/)restate-server$/;
/** Words that may stand before a command's name in a script. */
const PREFIXES = new Set(['exec', 'then', 'do', '!', 'time']);
export const ENV = /(^|\/)env$/;
/** Words that open and close a compound command, whose variables hold only on some paths. */
const OPENERS = new Set(['if', 'while', 'until', 'for', 'case', '{']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);
/** A shell's options that include -c (`-c`, `-ec`, `-lc`). */
export const DASH_C = /^-[a-z]*c[a-z]*$/;
export const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
/** What a script gives restate-server: each run's arguments, and the variables it sets for it. */
export interface ScriptRun {
  args: string[];
  env: Record<string, string>;
}

/**
 * The variables a script has exported, one frame per open compound command (`if`, a loop, a
 * `case`). A variable exported in a compound that closed holds on some paths only: uncertain,
 * unless that branch ran restate-server (exec never falls through).
 */
function exportFrames(runCount: () => number) {
  const frames: Record<string, string>[] = [{}];
  const runsAtOpen: number[] = [0];
  const uncertain = new Set<string>();
  const openFrame = () => {
    frames.push({});
    runsAtOpen.push(runCount());
  };
  return {
    frames,
    uncertain,
    openFrame,
    exportOne: (name: string, value: string) => {
      frames.at(-1)![name] = value;
      uncertain.delete(name);
    },
    closeFrame: () => {
      const frame = frames.pop() ?? {};
      if ((runsAtOpen.pop() ?? 0) === runCount()) for (const name of Object.keys(frame)) uncertain.add(name);
      if (frames.length === 0) openFrame();
    },
  };
}

/**
 * `env [-i] [-u NAME] [NAME=value…] COMMAND` from `words[at]` (env): its assignments into
 * `assigned`, what cannot be known into `unread`; the index of COMMAND (or of what ends it).
 */
function envPrefix(words: string[], at: number, assigned: Record<string, string>, unread: string[]): number {
  let i = at + 1;
  for (; i < words.length && !OPERATOR.test(words[i]!); i++) {
    const w = words[i]!;
    const assignment = ASSIGNMENT.exec(w);
    if (w === '-u' || w === '--unset') unread.push(`env -u ${words[++i] ?? ''}`);
    else if (w === '-i' || w === '-' || w === '--ignore-environment') unread.push('env -i');
    else if (assignment) assigned[assignment[1]!] = assignment[2]!;
    else if (!w.startsWith('-')) break;
  }
  return i;
}

/**
 * The arguments of restate-server when `word` (at `at`) runs it, with the index after them;
 * `exec "$@"` runs the words the script was given. Undefined when it runs something else.
 */
function commandArgs(
  words: string[],
  at: number,
  word: string,
  positional: string[],
): { args: string[]; end: number } | undefined {
  const command = word === '$@' || word === '$*' ? positional : [word];
  if (!SERVER.test(command[0] ?? '')) return undefined;
  const args = command.slice(1);
  let i = at + 1;
  for (; i < words.length && !OPERATOR.test(words[i]!); i++) {
    if (words[i] === '$@' || words[i] === '$*') args.push(...positional);
    else args.push(words[i]!);
  }
  return { args, end: i };
}

/** A here-document's body is text for a command's input, not commands: left out. */
function withoutHereDocs(script: string): string {
  const lines = script.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    kept.push(lines[i]!);
    const m = /<<(-?)\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(lines[i]!);
    if (!m) continue;
    const end = (line: string) => (m[1] ? line.replace(/^\t+/, '') : line) === m[2];
    while (i + 1 < lines.length && !end(lines[i + 1]!)) i++;
    i++;
  }
  return kept.join('\n');
}

/**
 * The commands of a shell script that run restate-server: a word in command position (first of
 * a simple command, after `exec`, `then`, `env`, …) whose name is restate-server, up to the
 * operator that ends it; with the variables the script exports before it (or assigns to a name
 * the container's environment has, which is exported already) and those assigned in front of
 * it (`RESTATE_X=1 exec restate-server`, `exec env RESTATE_X=1 restate-server`). A variable set
 * inside an `if`, a loop or a `case` that has closed by then holds on some paths only: it is
 * `uncertain`. `"$@"` stands for the script's positional arguments (`sh -c SCRIPT NAME ARG…`),
 * and a script that runs `"$@"` runs them. An echo that mentions restate-server runs nothing.
 */
export function scriptRuns(
  script: string,
  positional: string[],
  inherited: Set<string>,
): { runs: ScriptRun[]; uncertain: Set<string>; unread: string[] } {
  const words = shellWords(withoutHereDocs(script));
  const runs: ScriptRun[] = [];
  const unread: string[] = [];
  const { frames, uncertain, exportOne, openFrame, closeFrame } = exportFrames(() => runs.length);
  const shellVars: Record<string, string> = {};
  let allExport = false;
  let atStart = true;
  let assigned: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    let word = words[i]!;
    if (OPERATOR.test(word)) {
      // A lone assignment: exported when set -a is on or the name is exported already.
      for (const [name, value] of Object.entries(assigned)) {
        shellVars[name] = value;
        if (allExport || inherited.has(name) || frames.some((f) => name in f)) exportOne(name, value);
      }
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
    if (OPENERS.has(word)) {
      openFrame();
      continue;
    }
    if (CLOSERS.has(word)) {
      closeFrame();
      atStart = false;
      continue;
    }
    if (word === 'else' || word === 'elif') {
      closeFrame();
      openFrame();
      continue;
    }
    if (PREFIXES.has(word)) continue;
    if (ENV.test(word)) {
      i = envPrefix(words, i, assigned, unread);
      if (i >= words.length || OPERATOR.test(words[i]!)) {
        i--;
        atStart = false;
        continue;
      }
      word = words[i]!;
    }
    atStart = false;
    if (word === 'set' && words[i + 1] === '-a') allExport = true;
    if (word === 'export') {
      for (i++; i < words.length && !OPERATOR.test(words[i]!); i++) {
        const one = ASSIGNMENT.exec(words[i]!);
        if (one) exportOne(one[1]!, one[2]!);
        else if (words[i]! in shellVars) exportOne(words[i]!, shellVars[words[i]!]!);
      }
      i--;
      continue;
    }
    const args = commandArgs(words, i, word, positional);
    if (args === undefined) continue;

    const env = Object.assign({}, ...frames, assigned) as Record<string, string>;
    runs.push({ args: args.args, env });
    i = args.end - 1;
  }
  return { runs, uncertain, unread };
}
