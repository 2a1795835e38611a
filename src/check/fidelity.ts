import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import type { ComposeService } from '../load/compose-file.js';
import { RAW_VARIABLES, winnerOf, type ConfigInput } from '../load/restate-inputs.js';
import type { Binary } from '../restate/binaries.js';
import { displayValue, keyPathOf, knownVariables, lookup, sameValue, suggestionFor } from '../restate/config-keys.js';
import { RESTATE_VALUE_KINDS, restateValueProblem } from '../restate/settings.js';
import type { Finding } from './rules/rule.js';

interface Dump {
  ok: boolean;
  config?: Record<string, unknown>;
  error?: string;
}

/**
 * Variables that name a path inside the container. On this machine they point into a private
 * directory instead: the same path on the host may hold another cluster's data, which the
 * server would read (a false "multiple nodes" error was seen with /restate-data).
 */
const PATH_VARIABLES = new Set(['RESTATE_BASE_DIR']);
/** A path the service gives the server, moved into `root`. */
const privatePath = (root: string, path: string) => (path.startsWith('/') ? join(root, path) : path);

// restate-server colours its messages on a terminal; the report wants the words only.
// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;

/**
 * restate-server --dump-config prints the effective configuration (its TOML file, environment
 * overrides and flags applied) and exits without starting a server. Run with the service's
 * environment only (plus PATH), so nothing from this shell leaks in, in `root`, a private
 * directory that also holds the service's paths.
 */
function dumpConfig(binary: Binary, env: Record<string, string>, root: string, args: string[] = []): Promise<Dump> {
  const privateEnv = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, PATH_VARIABLES.has(name) ? privatePath(root, value) : value]),
  );
  return new Promise((resolve) => {
    // TMPDIR too: a server makes invoker-<id> directories there (rehearse's nodes left thousands in /tmp).
    const options = {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, TMPDIR: root, ...privateEnv },
      cwd: root,
      timeout: 20_000,
      maxBuffer: 8 << 20,
    };
    execFile(binary.path, ['--dump-config', ...args], options, (error, stdout, stderr) => {
      if (error) {
        const line =
          `${stderr}\n${stdout}`.split('\n').find((l) => /error/i.test(l)) ??
          `${stderr}`.trim().split('\n')[0] ??
          error.message;
        resolve({ ok: false, error: line.replace(ANSI_COLOUR, '').trim() });
        return;
      }
      try {
        resolve({ ok: true, config: parseToml(stdout) as Record<string, unknown> });
      } catch (e) {
        resolve({ ok: false, error: `unreadable --dump-config output: ${(e as Error).message}` });
      }
    });
  });
}

/** A TOML document of these keys alone (to find which of a file's keys stops the server). */
function tomlOf(inputs: ConfigInput[]): string {
  const document: Record<string, unknown> = {};
  for (const { path, tomlValue } of inputs) {
    let table = document;
    for (const key of path.slice(0, -1)) table = (table[key] ??= {}) as Record<string, unknown>;
    table[path.at(-1)!] = tomlValue;
  }
  return stringifyToml(document);
}

/**
 * The service's command line as written, its paths moved: the TOML file to `file`, a base
 * directory into `root`. Every word reaches the server, so one it refuses (a stray
 * `restate-server`, `-c` without a path) is found.
 */
function writtenArgs(args: string[], root: string, file: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const takesPath = word === '-c' || word === '--config-file' || word === '--base-dir';
    if (takesPath && i + 1 < args.length) {
      out.push(word, word === '--base-dir' ? privatePath(root, args[++i]!) : (i++, file));
      continue;
    }
    const joined = /^(--config-file=|-c=?)(.+)$/.exec(word) ?? /^(--base-dir=)(.+)$/.exec(word);
    if (joined) out.push(`${joined[1]}${joined[1] === '--base-dir=' ? privatePath(root, joined[2]!) : file}`);
    else out.push(word);
  }
  return out;
}

/**
 * The command line that gives the server these inputs: when they are all of the service's, its
 * own command line and TOML file; otherwise (one input alone) the TOML keys among them in a file
 * of their own and the flags among them. A base directory set by a flag or the TOML file moves
 * into `root`, as PATH_VARIABLES do for variables.
 */
function serverArgs(service: ComposeService, root: string, inputs: ConfigInput[]): string[] {
  const { restate } = service;
  const file = join(root, 'restate.toml');
  const toml = inputs.filter((i) => i.source === 'toml');
  const base = inputs.filter((i) => i.variable === 'RESTATE_BASE_DIR').at(-1);
  const tomlBase =
    base?.source === 'toml' && base.value.startsWith('/') ? [`--base-dir=${join(root, base.value)}`] : [];
  if (inputs === restate.inputs) {
    writeFileSync(file, restate.configFile?.text ?? tomlOf(toml));
    const args = writtenArgs(restate.flags, root, file);
    const named = restate.flags.some((w) => /^(-c|--config-file)/.test(w));
    return [...(restate.configFile && !named ? ['--config-file', file] : []), ...args, ...tomlBase];
  }
  const args: string[] = [];
  if (toml.length > 0) {
    writeFileSync(file, tomlOf(toml));
    args.push('--config-file', file);
  }
  for (const input of inputs.filter((i) => i.source === 'flag')) {
    const value = PATH_VARIABLES.has(input.variable) ? privatePath(root, input.value) : input.value;
    args.push(
      `--${input.path[0]}=${input.variable === 'RESTATE_ROLES' ? (JSON.parse(value) as string[]).join(',') : value}`,
    );
  }
  if (restate.production) args.push('--production');
  return [...args, ...tomlBase];
}

/**
 * Proves, for one Restate service, that every setting it is given (each RESTATE_* variable,
 * each key of its TOML file, each flag) took effect with the value it asks for. A key missing
 * from the effective configuration was ignored (Restate does that silently); one with another
 * value was overridden or misread. An input that stops the server from starting is found by
 * trying the inputs one at a time.
 */
export async function fidelity(service: ComposeService, binary: Binary): Promise<Finding[]> {
  const root = mkdtempSync(join(tmpdir(), 'gen-compose-check-'));
  try {
    return await proveInputs(service, binary, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The service's environment with only these inputs' RESTATE_* variables. Never RESTATE_CONFIG:
 * it names a path inside the container, and the file's path here is given as --config-file.
 */
function environmentOf(service: ComposeService, inputs: ConfigInput[]): Record<string, string> {
  const others = Object.entries(service.environment).filter(
    ([name]) => !(name.startsWith('RESTATE_') || name in RAW_VARIABLES),
  );
  const given = inputs.filter((i) => i.source === 'environment' && i.envName).map((i) => [i.envName!, i.value]);
  return Object.fromEntries([...others, ...given]);
}

async function proveInputs(service: ComposeService, binary: Binary, root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const who = `restate-server ${binary.version}`;
  const say = (input: ConfigInput | undefined, message: string, severity: Finding['severity'] = 'error') =>
    findings.push({
      severity,
      rule: 'fidelity',
      service: service.name,
      ...(input ? { variable: input.variable, ...(input.where === input.variable ? {} : { where: input.where }) } : {}),
      message,
    });
  const run = (inputs: ConfigInput[]) =>
    dumpConfig(binary, environmentOf(service, inputs), root, serverArgs(service, root, inputs));
  let inputs = service.restate.inputs;

  let dump = await run(inputs);
  if (!dump.ok) {
    // One input at a time (a TOML key alone in a file of its own) names the one that stops it.
    const culprits: ConfigInput[] = [];
    for (const input of inputs) {
      const alone = await run([input]);
      if (alone.ok) continue;
      culprits.push(input);
      say(input, `${input.source === 'flag' ? '' : `"${input.value}" `}stops ${who} from starting: ${alone.error}`);
    }
    if (culprits.length === 0) {
      say(undefined, `${who} refuses this configuration: ${dump.error}`);
      return findings;
    }
    inputs = inputs.filter((i) => !culprits.includes(i));
    dump = await run(inputs);
    if (!dump.ok) {
      say(undefined, `${who} refuses this configuration: ${dump.error}`);
      return findings;
    }
  }

  const config = dump.config!;
  const known = knownVariables(config);
  for (const input of inputs) {
    const winner = winnerOf(service.restate, input.variable);
    if (winner !== input) {
      // Shadowed: a later source sets the same key; only a different value is worth a word, and
      // not over a TOML file other nodes share (the per-node override is what it is for).
      const sharedFile = input.source === 'toml' && service.restate.configFile?.shared === true;
      if (winner && winner.value !== input.value && !sharedFile)
        say(
          input,
          `sets "${input.value}", but ${winner.where} sets "${winner.value}", which wins (Restate reads the TOML file, then RESTATE_* variables, then MEMORY_LIMIT, RUST_LOG and their kin, then flags)`,
          'warning',
        );
      continue;
    }
    const message = misreading(input, { config, known, root, who, version: binary.version });
    if (message) say(input, message);
  }
  return findings;
}

interface EffectiveConfig {
  config: Record<string, unknown>;
  known: string[];
  root: string;
  who: string;
  version: string;
}

/** A suggestion in the terms of the input's source: a TOML key or a flag rather than a variable. */
function inTermsOf(input: ConfigInput, text: string): string {
  if (input.source === 'environment') return text;
  return text.replace(/RESTATE_[A-Z0-9_]+/g, (variable) =>
    input.source === 'flag' ? `--${keyPathOf(variable).join('-')}` : keyPathOf(variable).join('.'),
  );
}

/** How the server's effective configuration misreads one input, or undefined. */
function misreading(input: ConfigInput, { config, known, root, who, version }: EffectiveConfig) {
  const { variable, path, value: intended } = input;
  const found = lookup(config, path);
  // A base directory was moved into the private directory: judged as the service asked for it.
  const effective =
    PATH_VARIABLES.has(variable) && typeof found.value === 'string' && found.value.startsWith(root)
      ? { ...found, value: found.value.slice(root.length) }
      : found;
  if (!effective.found) {
    const canonical = keyPathOf(variable);
    // Restate's keys are kebab-case, in TOML as everywhere: a snake_case key is never read.
    if (
      input.source === 'toml' &&
      canonical.join('.') !== path.join('.') &&
      (known.includes(variable) || lookup(config, canonical).found)
    )
      return `ignored by ${who}: its TOML keys are written in kebab-case; write ${canonical.join('.')}`;
    const suggestion = suggestionFor(
      variable,
      known.filter((k) => k !== variable),
      version,
    );
    return `ignored by ${who}: ${path.join('.')} is no configuration key${suggestion ? `; ${inTermsOf(input, suggestion)}` : ''}`;
  }
  // --dump-config does not parse the log filter; the server panics on a bad one when it starts.
  const problem = RESTATE_VALUE_KINDS[variable] === 'log filter' ? restateValueProblem(variable, intended) : undefined;
  if (problem) return `"${intended}" stops ${who} from starting (it panics configuring its log): ${problem}`;
  if (!sameValue(intended, effective.value))
    return `set to "${intended}", but ${who} reads ${path.join('.')} as ${displayValue(effective.value)}`;
  return undefined;
}
