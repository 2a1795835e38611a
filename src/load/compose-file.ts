import { deployOf, type Deploy } from './deploy.js';
import { isRecord, scalarString, stringOrList } from './values.js';
import { restateInputsOf, type RestateInputs } from './restate-inputs.js';

/**
 * A typed model of the parts of a compose file that check and rehearse judge, after YAML merge
 * keys and interpolation are applied, in the spirit of compose-go's types. Rules and the
 * rehearsal read only these types; `raw` (the document itself) is for the loader and tests.
 */
export interface PortMapping {
  hostIp?: string;
  /** Host port; undefined when compose picks an ephemeral one. */
  published?: number;
  target: number;
  protocol: string;
  /** Swarm's publishing mode: "host", or "ingress" (the default, and all the short syntax can say). */
  mode: string;
  /** The entry as written, for messages. */
  spec: string;
}

export interface Healthcheck {
  /** As written: a list (["CMD", …] / ["CMD-SHELL", …] / ["NONE"]) or a shell string. */
  test?: string[] | string;
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
  startInterval?: string;
}

export interface ComposeService {
  name: string;
  image?: string;
  hostname?: string;
  containerName?: string;
  /** The container's environment as compose hands it over: environment merged over env_file. */
  environment: Record<string, string>;
  /**
   * `environment:` values written as YAML numbers or booleans (unquoted): compose turns them
   * into strings, docker stack deploy refuses them.
   */
  nonStringEnvironment: Record<string, number | boolean>;
  ports: PortMapping[];
  healthcheck?: Healthcheck;
  dependsOn: Record<string, { condition: string }>;
  volumes: string[];
  /** `volumes:` read as mounts (both syntaxes), for what a path inside the container is backed by. */
  mounts: Mount[];
  /**
   * The networks it joins (Compose's `default` when it names none), each with the aliases it
   * answers to there; undefined under a `network_mode`, where Compose's networks do not apply.
   */
  networks?: Record<string, { aliases: string[] }>;
  entrypoint?: string[] | string;
  command?: string[] | string;
  memLimit?: string;
  /** The `deploy:` section, when the service has one. */
  deploy?: Deploy;
  /** Its Restate configuration from every source (TOML file, RESTATE_* variables, flags). */
  restate: RestateInputs;
  raw: Record<string, unknown>;
}

/**
 * One entry of a service's `volumes:`. A bind mount's source is a host path (relative ones from
 * the project directory); a named volume's is its name; an anonymous volume has none.
 */
export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
}

export interface ComposeNetwork {
  driver?: string;
}

export interface ComposeProject {
  /** The compose file read. */
  file: string;
  /** The override file Compose merges into it (found beside it in a directory), if any. */
  override?: string;
  /** The project directory (where .env is looked up). */
  dir: string;
  name?: string;
  services: ComposeService[];
  volumes: string[];
  networks: Record<string, ComposeNetwork>;
  /** Variables read from .env (empty when there is none). */
  dotenv: Record<string, string>;
  /** The whole document after merge keys, interpolation and the override file's merge. */
  raw: Record<string, unknown>;
}

export class LoadError extends Error {
  override name = 'LoadError';
}

export { isRecord, scalarString } from './values.js';

/** `environment:` as a mapping or as a list of KEY=VALUE; a bare KEY takes the shell's value. */
export function environmentOf(value: unknown, shell: (name: string) => string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq < 0) {
        const fromShell = shell(text);
        if (fromShell !== undefined) env[text] = fromShell;
      } else {
        env[text.slice(0, eq)] = text.slice(eq + 1);
      }
    }
  } else if (isRecord(value)) {
    for (const [key, v] of Object.entries(value)) {
      const text = scalarString(v) ?? shell(key);
      if (text !== undefined) env[key] = text;
    }
  }
  return env;
}

/** Short ("[IP:][HOST:]CONTAINER[/proto]") and long port syntax; a range expands to one entry per port. */
export function portsOf(value: unknown, service: string): PortMapping[] {
  if (!Array.isArray(value)) return [];
  const out: PortMapping[] = [];
  for (const entry of value) {
    if (isRecord(entry)) {
      const target = Number(entry.target);
      const published = entry.published === undefined ? undefined : Number(entry.published);
      out.push({
        target,
        published: Number.isFinite(published) ? published : undefined,
        hostIp: scalarString(entry.host_ip),
        protocol: scalarString(entry.protocol) ?? 'tcp',
        mode: scalarString(entry.mode) ?? 'ingress',
        // As a person would write it: published:target, and the mode when it is not ingress.
        spec: `${entry.published === undefined ? '' : `${String(entry.published)}:`}${target}${entry.mode === 'host' ? ' in host mode' : ''}`,
      });
      continue;
    }
    const spec = String(entry);
    const [body = '', protocol = 'tcp'] = spec.split('/');
    // An IPv6 host address is bracketed: [::1]:8080:80.
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(body);
    const parts = v6 ? [v6[1]!, ...v6[2]!.split(':')] : body.split(':');
    let hostIp: string | undefined;
    let host: string | undefined;
    let container: string;
    if (parts.length === 1) container = parts[0]!;
    else if (parts.length === 2) [host, container] = parts as [string, string];
    else if (parts.length === 3) [hostIp, host, container] = parts as [string, string, string];
    else throw new LoadError(`service ${service}: cannot read port "${spec}"`);
    const range = (text: string): number[] => {
      const m = /^(\d+)(?:-(\d+))?$/.exec(text);
      if (!m) throw new LoadError(`service ${service}: cannot read port "${spec}"`);
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    };
    const targets = range(container);
    const published = host ? range(host) : [];
    targets.forEach((target, i) =>
      out.push({ target, published: published[i], hostIp: hostIp || undefined, protocol, mode: 'ingress', spec }),
    );
  }
  return out;
}

function nonStringEnvironmentOf(value: unknown): Record<string, number | boolean> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number | boolean] =>
      ['number', 'boolean'].includes(typeof entry[1]),
    ),
  );
}

function healthcheckOf(value: unknown): Healthcheck | undefined {
  if (!isRecord(value)) return undefined;
  return {
    test: stringOrList(value.test),
    disable: value.disable === true,
    interval: scalarString(value.interval),
    timeout: scalarString(value.timeout),
    retries: typeof value.retries === 'number' ? value.retries : undefined,
    startPeriod: scalarString(value.start_period),
    startInterval: scalarString(value.start_interval),
  };
}

function dependsOnOf(value: unknown): Record<string, { condition: string }> {
  const out: Record<string, { condition: string }> = {};
  if (Array.isArray(value)) for (const name of value) out[String(name)] = { condition: 'service_started' };
  else if (isRecord(value)) {
    for (const [name, spec] of Object.entries(value)) {
      out[name] = { condition: (isRecord(spec) && scalarString(spec.condition)) || 'service_started' };
    }
  }
  return out;
}

function volumesOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) =>
    isRecord(v) ? `${scalarString(v.source) ?? ''}:${scalarString(v.target) ?? ''}` : String(v),
  );
}

/**
 * Compose's two syntaxes: `SOURCE:TARGET[:MODE]` or `TARGET`, where a source that starts with
 * `/`, `.` or `~` is a host path and any other is a volume's name; or a mapping with `type`.
 */
function mountsOf(value: unknown): Mount[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): Mount[] => {
    if (isRecord(entry)) {
      const target = scalarString(entry.target);
      if (!target) return [];
      const type = scalarString(entry.type) ?? 'volume';
      const source = scalarString(entry.source) || undefined;
      return [{ type: type === 'bind' ? 'bind' : type === 'tmpfs' ? 'tmpfs' : 'volume', source, target }];
    }
    const parts = String(entry).split(':');
    if (parts.length === 1) return [{ type: 'volume', target: parts[0]! }];
    const [source, target] = parts as [string, string];
    return [{ type: /^[/.~]/.test(source) ? 'bind' : 'volume', source, target }];
  });
}

function serviceNetworksOf(raw: Record<string, unknown>): ComposeService['networks'] {
  if (raw.network_mode !== undefined) return undefined;
  const value = raw.networks;
  if (Array.isArray(value)) return Object.fromEntries(value.map((name) => [String(name), { aliases: [] }]));
  if (isRecord(value))
    return Object.fromEntries(
      Object.entries(value).map(([name, spec]) => [
        name,
        { aliases: isRecord(spec) && Array.isArray(spec.aliases) ? spec.aliases.map(String) : [] },
      ]),
    );
  return { default: { aliases: [] } };
}

export function serviceOf(
  name: string,
  raw: Record<string, unknown>,
  shell: (name: string) => string | undefined,
  envFiles: Record<string, string>,
  project: { dir: string; configs: Record<string, unknown> },
): ComposeService {
  const deploy = deployOf(raw.deploy);
  const service: Omit<ComposeService, 'restate'> = {
    name,
    image: scalarString(raw.image),
    hostname: scalarString(raw.hostname),
    containerName: typeof raw.container_name === 'string' ? raw.container_name : undefined,
    environment: { ...envFiles, ...environmentOf(raw.environment, shell) },
    nonStringEnvironment: nonStringEnvironmentOf(raw.environment),
    ports: portsOf(raw.ports, name),
    healthcheck: healthcheckOf(raw.healthcheck),
    dependsOn: dependsOnOf(raw.depends_on),
    volumes: volumesOf(raw.volumes),
    mounts: mountsOf(raw.volumes),
    networks: serviceNetworksOf(raw),
    entrypoint: stringOrList(raw.entrypoint),
    command: stringOrList(raw.command),
    memLimit: scalarString(raw.mem_limit) ?? deploy?.memoryLimit,
    deploy,
    raw,
  };
  return { ...service, restate: restateInputsOf(service, project.dir, project.configs) };
}
