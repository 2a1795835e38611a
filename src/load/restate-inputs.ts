import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { ComposeService } from './compose-file.js';

/** What is read here: the service as loaded, before its Restate inputs are. */
type ServiceFields = Omit<ComposeService, 'restate'>;
import { isRecord, scalarString } from './values.js';
import { keyPathOf, NOT_CONFIG_KEYS, variableOf } from '../restate/config-keys.js';

/**
 * Every way a Restate node takes its configuration, read from a compose service, in Restate's
 * own order of precedence (crates/types/src/config_loader.rs): defaults < the TOML file named
 * by --config-file / -c / RESTATE_CONFIG < RESTATE_* variables < command-line flags. Rules
 * judge the `settings` that result, named as RESTATE_* variables whatever set them, so a
 * cluster configured through TOML is judged like the same cluster written in variables.
 */
export interface RestateInputs {
  /** Each setting in RESTATE_* names, the winner of the three sources. */
  settings: Record<string, string>;
  /** One entry per key each source sets, shadowed ones included, for the proof and for messages. */
  inputs: ConfigInput[];
  /**
   * The TOML file: where the container reads it, where it is on this machine (a `configs:`
   * entry's inline content has no such path), and its text when it could be read.
   */
  configFile?: { containerPath: string; hostPath?: string; text?: string };
  /** The flags restate-server is started with, as written; undefined when they cannot be read. */
  flags: string[];
  /** `--production`: Restate's production defaults (auto-provision off). */
  production: boolean;
  /**
   * What could not be read (a finding of the config-file rule each): `stops` when restate-server
   * would not start on it either, otherwise check cannot know what it holds.
   */
  problems: { stops: boolean; message: string }[];
}

export type InputSource = 'toml' | 'environment' | 'flag';

export interface ConfigInput {
  source: InputSource;
  /** The RESTATE_* name the key has as a variable. */
  variable: string;
  /** The key path the server reads, exactly as the source spells it (a TOML key's own spelling). */
  path: string[];
  /** The value as a variable's text (lists as JSON). */
  value: string;
  /** A TOML key's value as the file types it. */
  tomlValue?: unknown;
  /** How a user finds it: `RESTATE_X`, `worker.snapshots.destination in ./restate.toml`, `--node-name`. */
  where: string;
}

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

/** Splits a command string as a shell would split plain words and quotes (no expansions). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

const listOf = (value: string[] | string | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : shellWords(value);

const SHELLS = /(^|\/)(ba|da)?sh$/;
const SERVER = /(^|\/)restate-server$/;

/**
 * The arguments restate-server gets. The image's entrypoint is restate-server, so `command:`
 * holds them; an entrypoint that is restate-server takes its own words first. A shell script
 * (`sh -c`) is read for the words after restate-server on the line that runs it; a word there
 * that the shell expands cannot be known from the file.
 */
function serverArguments(service: ServiceFields): { args: string[]; problem?: string } {
  const entrypoint = listOf(service.entrypoint);
  const command = listOf(service.command);
  if (entrypoint.length === 0) return { args: command };
  if (SERVER.test(entrypoint[0]!)) return { args: [...entrypoint.slice(1), ...command] };
  if (!SHELLS.test(entrypoint[0]!)) return { args: [] };
  const script = [...entrypoint.slice(1), ...command].find((word) => /restate-server/.test(word));
  if (!script) return { args: [] };
  const sites = script
    .split('\n')
    .flatMap((line) => [...line.matchAll(/restate-server\b([^;&|#)]*)/g)].map((m) => m[1]!.trim()));
  const words = [...new Set(sites)].flatMap((site) => shellWords(site)).filter((w) => !/^"?\$@"?$/.test(w));
  const expanded = words.filter((w) => w.includes('$'));
  if (expanded.length > 0)
    return {
      args: words.filter((w) => !w.includes('$')),
      problem: `its entrypoint script starts restate-server with ${expanded.join(' ')}, which the shell expands when it runs: check cannot know that value`,
    };
  return { args: words };
}

interface ParsedFlags {
  configFile?: string;
  production: boolean;
  overrides: ConfigInput[];
}

/** restate-server's command line as clap reads it: `--name value`, `--name=value`, `-c path`. */
function parseFlags(args: string[]): ParsedFlags {
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
    const value =
      name === 'roles' ? JSON.stringify(values.flatMap((v) => v.split(',')).filter(Boolean)) : (values[0] ?? '');
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

/** A TOML value as a variable's text: lists as JSON (as RESTATE_ROLES is written), the rest as text. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) || isRecord(value)) return JSON.stringify(value);
  return String(value);
}

/** Every leaf of a TOML document, with its key path as written. */
function leavesOf(table: Record<string, unknown>, prefix: string[] = []): { path: string[]; value: unknown }[] {
  return Object.entries(table).flatMap(([key, value]) =>
    isRecord(value) && !(value instanceof Date)
      ? leavesOf(value, [...prefix, key])
      : [{ path: [...prefix, key], value }],
  );
}

/**
 * Where a path inside the container comes from on this machine: a bind mount of the file or of
 * a directory above it, or a `configs:` entry backed by a file (or inline content).
 */
function hostSourceOf(
  service: ServiceFields,
  containerPath: string,
  projectDir: string,
  topConfigs: Record<string, unknown>,
): { hostPath?: string; content?: string; problem?: string } {
  for (const mount of service.mounts) {
    const target = posix.resolve('/', mount.target);
    if (containerPath !== target && !containerPath.startsWith(`${target}/`)) continue;
    if (mount.type !== 'bind' || !mount.source)
      return {
        problem: `${containerPath} is on ${mount.source ? `the volume ${mount.source}` : 'an anonymous volume'}, which check cannot read: its settings are not judged`,
      };
    const source = mount.source.replace(/^~(?=\/)/, process.env.HOME ?? '~');
    return { hostPath: resolve(projectDir, source, posix.relative(target, containerPath)) };
  }
  const configs = Array.isArray(service.raw.configs) ? service.raw.configs : [];
  for (const entry of configs) {
    const name = isRecord(entry) ? scalarString(entry.source) : scalarString(entry);
    if (!name) continue;
    const target = (isRecord(entry) && scalarString(entry.target)) || `/${name}`;
    if (posix.resolve('/', target) !== containerPath) continue;
    const config = topConfigs[name];
    if (isRecord(config) && typeof config.file === 'string') return { hostPath: resolve(projectDir, config.file) };
    if (isRecord(config) && typeof config.content === 'string') return { content: config.content };
    return {
      problem: `${containerPath} is the config ${name}, which is not a file or content of this project: its settings are not judged`,
    };
  }
  return {
    problem: `${containerPath} is not mounted from this directory (no bind mount or config holds it), so check cannot read it: its settings are not judged`,
  };
}

/** Reads a service's Restate configuration from its TOML file, environment and flags. */
export function restateInputsOf(
  service: ServiceFields,
  projectDir: string,
  topConfigs: Record<string, unknown>,
): RestateInputs {
  const problems: RestateInputs['problems'] = [];
  const { args, problem } = serverArguments(service);
  if (problem) problems.push({ stops: false, message: problem });
  const flags = parseFlags(args);

  const configPath = flags.configFile ?? service.environment.RESTATE_CONFIG;
  let configFile: RestateInputs['configFile'];
  const tomlInputs: ConfigInput[] = [];
  if (configPath) {
    const workingDir = scalarString(service.raw.working_dir) ?? '/';
    const containerPath = posix.resolve(workingDir, configPath);
    const source = hostSourceOf(service, containerPath, projectDir, topConfigs);
    configFile = { containerPath, hostPath: source.hostPath };
    let text = source.content;
    if (source.problem) problems.push({ stops: false, message: source.problem });
    else if (source.hostPath !== undefined) {
      if (!existsSync(source.hostPath) || !statSync(source.hostPath).isFile())
        problems.push({
          stops: true,
          message: `${containerPath} is mounted from ${source.hostPath}, which is no file here (compose would mount an empty directory there, and restate-server would not start)`,
        });
      else text = readFileSync(source.hostPath, 'utf8');
    }
    if (text !== undefined) {
      const shown = source.hostPath ?? containerPath;
      try {
        const document = parseToml(text) as Record<string, unknown>;
        configFile.text = text;
        for (const { path, value } of leavesOf(document))
          tomlInputs.push({
            source: 'toml',
            variable: variableOf(path),
            path,
            value: textOf(value),
            tomlValue: value,
            where: `${path.join('.')} in ${shown}`,
          });
      } catch (error) {
        problems.push({
          stops: true,
          message: `${shown} is not valid TOML, and restate-server would not start: ${(error as Error).message.split('\n')[0]}`,
        });
      }
    }
  }

  const envInputs: ConfigInput[] = Object.entries(service.environment)
    .filter(([name]) => name.startsWith('RESTATE_') && !NOT_CONFIG_KEYS.has(name))
    .map(([variable, value]) => ({
      source: 'environment',
      variable,
      path: keyPathOf(variable),
      value,
      where: variable,
    }));

  const inputs = [...tomlInputs, ...envInputs, ...flags.overrides];
  const settings: Record<string, string> = {};
  // A TOML key spelt otherwise than Restate's kebab-case (base_dir) is not read: the proof says so.
  const read = (input: ConfigInput) => input.path.join('.') === keyPathOf(input.variable).join('.');
  for (const input of inputs.filter(read)) settings[input.variable] = input.value;
  // --production turns auto-provisioning off unless a source turns it on (Restate's production profile).
  if (flags.production && settings.RESTATE_AUTO_PROVISION === undefined) settings.RESTATE_AUTO_PROVISION = 'false';
  return { settings, inputs, configFile, flags: args, production: flags.production, problems };
}

/** The input that decides a setting (the last of the three sources to set it), if any. */
export function winnerOf(restate: RestateInputs, variable: string): ConfigInput | undefined {
  return restate.inputs.filter((i) => i.variable === variable).at(-1);
}
