/**
 * A typed model of the parts of a compose file that check and rehearse judge, after YAML merge
 * keys and interpolation are applied, in the spirit of compose-go's types. Anything else stays
 * reachable through `raw`.
 */
export interface PortMapping {
  hostIp?: string;
  /** Host port; undefined when compose picks an ephemeral one. */
  published?: number;
  target: number;
  protocol: string;
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
  /** The container's environment as compose hands it over: environment merged over env_file. */
  environment: Record<string, string>;
  ports: PortMapping[];
  healthcheck?: Healthcheck;
  dependsOn: Record<string, { condition: string }>;
  volumes: string[];
  entrypoint?: string[] | string;
  command?: string[] | string;
  memLimit?: string;
  raw: Record<string, unknown>;
}

export interface ComposeProject {
  /** The compose file read. */
  file: string;
  /** The project directory (where .env is looked up). */
  dir: string;
  name?: string;
  services: ComposeService[];
  volumes: string[];
  /** Variables read from .env (empty when there is none). */
  dotenv: Record<string, string>;
  /** The whole document after merge keys and interpolation. */
  raw: Record<string, unknown>;
}

export class LoadError extends Error {
  override name = 'LoadError';
}

/** A YAML mapping (not a list, not a scalar). */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function scalarString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function stringOrList(v: unknown): string[] | string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => String(x));
  return undefined;
}

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
      out.push({ target, published: published[i], hostIp: hostIp || undefined, protocol, spec }),
    );
  }
  return out;
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

export function serviceOf(
  name: string,
  raw: Record<string, unknown>,
  shell: (name: string) => string | undefined,
  envFiles: Record<string, string>,
): ComposeService {
  const deploy = isRecord(raw.deploy) ? raw.deploy : {};
  const limits = isRecord(deploy.resources) && isRecord(deploy.resources.limits) ? deploy.resources.limits : {};
  return {
    name,
    image: scalarString(raw.image),
    hostname: scalarString(raw.hostname),
    environment: { ...envFiles, ...environmentOf(raw.environment, shell) },
    ports: portsOf(raw.ports, name),
    healthcheck: healthcheckOf(raw.healthcheck),
    dependsOn: dependsOnOf(raw.depends_on),
    volumes: volumesOf(raw.volumes),
    entrypoint: stringOrList(raw.entrypoint),
    command: stringOrList(raw.command),
    memLimit: scalarString(raw.mem_limit) ?? scalarString(limits.memory),
    raw,
  };
}
