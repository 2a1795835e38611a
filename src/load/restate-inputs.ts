import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { isRecord, scalarString } from './values.js';
import { keyPathOf, NOT_CONFIG_KEYS, variableOf } from '../restate/config-keys.js';
import { parseFlags, serverArguments, type ServiceFields } from './server-args.js';

/**
 * Every way a Restate node takes its configuration, read from a compose service, in Restate's
 * own order of precedence (crates/types/src/config_loader.rs): defaults < the TOML file named
 * by --config-file / -c / RESTATE_CONFIG < RESTATE_* variables < MEMORY_LIMIT, RUST_LOG and
 * their kin (RAW_VARIABLES) < command-line flags. Rules
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
  configFile?: { containerPath: string; hostPath?: string; shown: string; text?: string; shared?: boolean };
  /** The words restate-server is started with, as written (those the shell makes left out). */
  flags: string[];
  /** `--production`: Restate's production defaults (auto-provision off). */
  production: boolean;
  /**
   * Some of its configuration cannot be read from the files (a TOML file check cannot read, a
   * flag the shell expands): a setting no readable source sets may be set there.
   */
  partlyUnknown: boolean;
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
  /** A variable's name in the environment (MEMORY_LIMIT sets RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE's key). */
  envName?: string;
  /** How a user finds it: `RESTATE_X`, `worker.snapshots.destination in ./restate.toml`, `--node-name`. */
  where: string;
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

type HostSource = {
  hostPath?: string;
  content?: string;
  problem?: string;
  directory?: { source: string; target: string };
};

/**
 * Where a path inside the container comes from on this machine: a bind mount of the file or of
 * a directory above it, or a `configs:` entry backed by a file (or inline content). Of several
 * that hold it, the deepest: Docker mounts parents first, so a file mounted into a mounted
 * directory is the one the container sees.
 */
function hostSourceOf(
  service: ServiceFields,
  containerPath: string,
  projectDir: string,
  topConfigs: Record<string, unknown>,
): HostSource {
  const candidates: { target: string; source: () => HostSource }[] = [];
  for (const mount of service.mounts) {
    const target = posix.resolve('/', mount.target);
    if (containerPath !== target && !containerPath.startsWith(`${target}/`)) continue;
    candidates.push({
      target,
      source: () => {
        if (mount.type !== 'bind' || !mount.source)
          return {
            problem: `${containerPath} is on ${mount.source ? `the volume ${mount.source}` : 'an anonymous volume'}, which check cannot read: the settings it may hold are unknown, and no finding rests on them`,
          };
        const source = mount.source.replace(/^~(?=\/)/, process.env.HOME ?? '~');
        return {
          hostPath: resolve(projectDir, source, posix.relative(target, containerPath)),
          ...(target === containerPath ? {} : { directory: { source: resolve(projectDir, source), target } }),
        };
      },
    });
  }
  const configs = Array.isArray(service.raw.configs) ? service.raw.configs : [];
  for (const entry of configs) {
    const name = isRecord(entry) ? scalarString(entry.source) : scalarString(entry);
    if (!name) continue;
    const target = posix.resolve('/', (isRecord(entry) && scalarString(entry.target)) || `/${name}`);
    if (target !== containerPath) continue;
    candidates.push({
      target,
      source: () => {
        const config = topConfigs[name];
        if (isRecord(config) && typeof config.file === 'string') return { hostPath: resolve(projectDir, config.file) };
        if (isRecord(config) && typeof config.content === 'string') return { content: config.content };
        return {
          problem: `${containerPath} is the config ${name}, which is not a file or content of this project: the settings it may hold are unknown, and no finding rests on them`,
        };
      },
    });
  }
  const deepest = candidates.sort((a, b) => b.target.length - a.target.length)[0];
  return (
    deepest?.source() ?? {
      problem: `${containerPath} is not mounted from this directory (no bind mount or config holds it), so check cannot read it: the settings it may hold are unknown, and no finding rests on them`,
    }
  );
}

/**
 * Variables without the RESTATE_ prefix that Restate reads after the RESTATE_* ones, so over
 * them (config_loader.rs, merge_with_env): MEMORY_LIMIT sets RocksDB's memory, RUST_LOG the
 * log filter, and so on.
 */
export const RAW_VARIABLES: Record<string, { variable: string; value?: (text: string) => string | undefined }> = {
  RUST_LOG: { variable: 'RESTATE_LOG_FILTER' },
  HTTP_PROXY: { variable: 'RESTATE_HTTP_PROXY' },
  NO_PROXY: { variable: 'RESTATE_NO_PROXY' },
  AWS_EXTERNAL_ID: { variable: 'RESTATE_AWS_ASSUME_ROLE_EXTERNAL_ID' },
  MEMORY_LIMIT: { variable: 'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE' },
  DO_NOT_TRACK: {
    variable: 'RESTATE_DISABLE_TELEMETRY',
    value: (text) =>
      ['yes', '1', 'true'].includes(text) ? 'true' : ['no', '0', 'false'].includes(text) ? 'false' : undefined,
  },
};

function rawInputsOf(environment: Record<string, string>): ConfigInput[] {
  return Object.entries(RAW_VARIABLES).flatMap(([name, { variable, value }]): ConfigInput[] => {
    const text = environment[name];
    const read = text === undefined ? undefined : value ? value(text) : text;
    if (read === undefined) return [];
    return [{ source: 'environment', variable, path: keyPathOf(variable), value: read, where: name, envName: name }];
  });
}

/** A file of the project as its compose file names it (./restate-1.toml); one elsewhere in full. */
function shownPath(projectDir: string, path: string): string {
  const inside = relative(projectDir, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : `./${inside}`;
}

/** Reads a service's Restate configuration from its TOML file, environment and flags. */
export function restateInputsOf(
  service: ServiceFields,
  projectDir: string,
  topConfigs: Record<string, unknown>,
): RestateInputs {
  const problems: RestateInputs['problems'] = [];
  const { args, env: scriptEnv, problem } = serverArguments(service);
  if (problem) problems.push({ stops: false, message: problem });
  const flags = parseFlags(args);

  const configPath = flags.configFile ?? service.environment.RESTATE_CONFIG ?? scriptEnv.RESTATE_CONFIG;
  let configFile: RestateInputs['configFile'];
  const tomlInputs: ConfigInput[] = [];
  if (configPath) {
    const workingDir = scalarString(service.raw.working_dir) ?? '/';
    const containerPath = posix.resolve(workingDir, configPath);
    const source = hostSourceOf(service, containerPath, projectDir, topConfigs);
    const shown = source.hostPath === undefined ? containerPath : shownPath(projectDir, source.hostPath);
    configFile = { containerPath, hostPath: source.hostPath, shown };
    let text = source.content;
    if (source.problem) problems.push({ stops: false, message: source.problem });
    else if (source.hostPath !== undefined) {
      if (!existsSync(source.hostPath) || !statSync(source.hostPath).isFile())
        problems.push({
          stops: true,
          message: source.directory
            ? `${containerPath} is not in ${shownPath(projectDir, source.directory.source)} (mounted at ${source.directory.target}): no file ${shownPath(projectDir, source.hostPath)}, and restate-server would not start`
            : `${containerPath} is mounted from ${shownPath(projectDir, source.hostPath)}, which is no file here (compose would mount an empty directory there, and restate-server would not start)`,
        });
      else text = readFileSync(source.hostPath, 'utf8');
    }
    if (text !== undefined) {
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

  // A variable the entrypoint script sets reaches restate-server over the container's own.
  const environment = { ...service.environment, ...scriptEnv };
  const envInputs: ConfigInput[] = Object.entries(environment)
    .filter(([name]) => name.startsWith('RESTATE_') && !NOT_CONFIG_KEYS.has(name))
    .map(([variable, value]) => ({
      source: 'environment',
      variable,
      path: keyPathOf(variable),
      value,
      where: variable in scriptEnv ? `${variable} in its entrypoint script` : variable,
      envName: variable,
    }));

  const inputs = [...tomlInputs, ...envInputs, ...rawInputsOf(environment), ...flags.overrides];
  const settings: Record<string, string> = {};
  // A TOML key spelt otherwise than Restate's kebab-case (base_dir) is not read: the proof says so.
  const read = (input: ConfigInput) => input.path.join('.') === keyPathOf(input.variable).join('.');
  for (const input of inputs.filter(read)) settings[input.variable] = input.value;
  // --production turns auto-provisioning off unless a source turns it on (Restate's production profile).
  if (flags.production && settings.RESTATE_AUTO_PROVISION === undefined) settings.RESTATE_AUTO_PROVISION = 'false';
  // A file that is missing or no TOML holds something all the same: unknown too.
  const partlyUnknown = problems.length > 0;
  return { settings, inputs, configFile, flags: args, production: flags.production, problems, partlyUnknown };
}

/** The input that decides a setting (the last of the three sources to set it), if any. */
export function winnerOf(restate: RestateInputs, variable: string): ConfigInput | undefined {
  return restate.inputs.filter((i) => i.variable === variable).at(-1);
}
