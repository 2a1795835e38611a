import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { composeDotenvValues, DotenvError } from './dotenv.js';
import { parse as parseYaml } from 'yaml';
import {
  isRecord,
  LoadError,
  scalarString,
  serviceOf,
  type ComposeNetwork,
  type ComposeProject,
} from './compose-file.js';
import { interpolate, InterpolationError, type Lookup } from './interpolate.js';
import { COMPOSE_TAGS, mergeCompose, withoutMergeTags } from './merge.js';
import { OVERRIDE_FILES, STACK_OVERRIDE_FILE } from '../output-files.js';

const COMPOSE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
  'docker-stack.yaml',
  'docker-stack.yml',
];

/** A directory (looked up as compose does) or a compose file. */
export function findComposeFile(target: string): string {
  if (!existsSync(target)) throw new LoadError(`${target} does not exist`);
  if (!statSync(target).isDirectory()) return target;
  for (const name of COMPOSE_NAMES) {
    const candidate = join(target, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new LoadError(`no compose file in ${target} (looked for ${COMPOSE_NAMES.join(', ')})`);
}

/** A file compose would read; a FIFO or a device would block or never end, so only regular files. */
function readRegular(path: string): Buffer {
  if (!statSync(path).isFile()) throw new LoadError(`${path} is not a regular file (a directory, a FIFO or a device)`);
  return readFileSync(path);
}

/** A .env (or env_file) as Compose reads it; `${VAR}` in it looks in the shell first. */
function readDotenv(path: string, shell: Record<string, string | undefined> = {}): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return composeDotenvValues(readRegular(path).toString('utf8'), (name) => shell[name]);
  } catch (error) {
    if (error instanceof DotenvError || error instanceof InterpolationError)
      throw new LoadError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * YAML options as compose reads its files: merge keys (`<<: *anchor`) on. The yaml library
 * stops at 100 aliases by default; a 100-node cluster merges two anchors per node, so allow
 * more while still refusing an alias bomb.
 */
export const COMPOSE_YAML_OPTIONS = { merge: true, maxAliasCount: 10_000 } as const;

/** Interpolates every string value (keys stay as written, as in compose). */
function interpolateTree(node: unknown, lookup: Lookup, path: string): unknown {
  if (typeof node === 'string') {
    try {
      return interpolate(node, lookup);
    } catch (error) {
      if (error instanceof InterpolationError) throw new LoadError(`${path}: ${error.message}`);
      throw error;
    }
  }
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, lookup, `${path}[${i}]`));
  if (isRecord(node)) {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, interpolateTree(v, lookup, path ? `${path}.${k}` : k)]),
    );
  }
  return node;
}

/** Top-level `networks:`, each with its driver (a network declared without settings has none). */
function networksOf(value: unknown): Record<string, ComposeNetwork> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([name, spec]) => [
      name,
      { driver: isRecord(spec) ? scalarString(spec.driver) : undefined },
    ]),
  );
}

/**
 * Each service of a compose file as Compose resolves it from `.env` (merge keys applied, every
 * value interpolated), keyed by name: what its config hash covers, so two of them differ where
 * `docker compose up -d` would recreate the service. Undefined when either text does not read
 * as a compose file (there is then nothing to compare). `overrides` stand in for .env's values
 * of the same names.
 */
export function resolvedServices(
  composeText: string,
  dotenvText: string,
  overrides: Record<string, string> = {},
): Record<string, unknown> | undefined {
  try {
    const dotenv = { ...composeDotenvValues(dotenvText), ...overrides };
    const document: unknown = parseYaml(composeText, COMPOSE_YAML_OPTIONS);
    if (!isRecord(document)) return undefined;
    const services = interpolateTree(document.services, (name) => dotenv[name], 'services');
    return isRecord(services) ? services : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The override file Compose merges into a compose file it finds in a directory (not one named
 * with -f): the first of OVERRIDE_FILES beside it. A stack file's is STACK_OVERRIDE_FILE, which
 * docker stack deploy reads only when given (the printed deploys give it when it exists).
 */
export function overrideFileOf(file: string): string | undefined {
  const names = basename(file).startsWith('docker-stack') ? [STACK_OVERRIDE_FILE] : OVERRIDE_FILES;
  return names.map((name) => join(dirname(file), name)).find((path) => existsSync(path));
}

/** One compose file: YAML with merge keys, every value interpolated. */
function readComposeDocument(file: string, lookup: Lookup): Record<string, unknown> {
  let document: unknown;
  try {
    document = parseYaml(readRegular(file).toString('utf8'), {
      ...COMPOSE_YAML_OPTIONS,
      prettyErrors: true,
      customTags: COMPOSE_TAGS,
    });
  } catch (error) {
    if (error instanceof LoadError) throw error;
    throw new LoadError(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
  }
  if (!isRecord(document)) throw new LoadError(`${file} is not a compose file (no top-level mapping)`);
  try {
    return interpolateTree(document, lookup, '') as Record<string, unknown>;
  } catch (error) {
    // A YAML alias inside the node it names (a: &a {b: *a}) makes an endless tree.
    if (error instanceof RangeError)
      throw new LoadError(`${file} is not a compose file: a YAML alias refers to a node that contains it`);
    throw error;
  }
}

export interface LoadOptions {
  /** The shell environment, which wins over .env as in compose. Default: none (reproducible). */
  shell?: Record<string, string | undefined>;
}

/**
 * Reads a compose file the way `docker compose` does: YAML with merge keys, `.env` from the
 * project directory, the shell's variables over .env's, every value interpolated, and each
 * service's `env_file`s under its `environment`; for a directory, the override file merged in
 * (as `docker compose` merges it when no -f is given). Judges files anyone wrote: nothing here
 * knows how gen-compose plans a cluster.
 */
export function loadCompose(target: string, options: LoadOptions = {}): ComposeProject {
  const file = resolve(findComposeFile(target));
  const dir = dirname(file);
  const shell = options.shell ?? {};
  const dotenv = readDotenv(join(dir, '.env'), shell);
  const lookup: Lookup = (name) => shell[name] ?? dotenv[name];
  const override = statSync(target).isDirectory() ? overrideFileOf(file) : undefined;
  const raw = withoutMergeTags(
    override
      ? mergeCompose(readComposeDocument(file, lookup), readComposeDocument(override, lookup))
      : readComposeDocument(file, lookup),
  ) as Record<string, unknown>;
  if (!isRecord(raw.services)) throw new LoadError(`${file} has no services`);

  const services = Object.entries(raw.services).map(([name, spec]) => {
    if (!isRecord(spec)) throw new LoadError(`service ${name} is not a mapping`);
    const envFiles: Record<string, string> = {};
    const list = spec.env_file === undefined ? [] : Array.isArray(spec.env_file) ? spec.env_file : [spec.env_file];
    for (const entry of list) {
      const path = isRecord(entry) ? String(entry.path) : String(entry);
      const required = isRecord(entry) ? entry.required !== false : true;
      const full = resolve(dir, path);
      if (!existsSync(full)) {
        if (required) throw new LoadError(`service ${name}: env_file ${path} does not exist`);
        continue;
      }
      Object.assign(envFiles, readDotenv(full, shell));
    }
    return serviceOf(name, spec, lookup, envFiles, { dir, configs: isRecord(raw.configs) ? raw.configs : {} });
  });

  // A TOML file several nodes read is shared: a node's own variable or flag over it is the intent.
  const readers = new Map<string, number>();
  for (const { restate } of services) {
    const path = restate.configFile?.hostPath;
    if (path !== undefined) readers.set(path, (readers.get(path) ?? 0) + 1);
  }
  for (const { restate } of services)
    if (restate.configFile?.hostPath !== undefined)
      restate.configFile.shared = readers.get(restate.configFile.hostPath)! > 1;

  return {
    file,
    override,
    dir,
    name: typeof raw.name === 'string' ? raw.name : undefined,
    services,
    volumes: isRecord(raw.volumes) ? Object.keys(raw.volumes) : [],
    networks: networksOf(raw.networks),
    dotenv,
    raw,
  };
}
