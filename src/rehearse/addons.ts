import { parse as parseYaml } from 'yaml';
import type { ComposeProject, ComposeService } from '../load/compose-file.js';
import { servicesByHost } from '../restate/services.js';

/**
 * The add-ons the rehearsal checks beyond the Restate nodes, read from the files (not the
 * planner): the HAProxy load balancer's config, Prometheus' scrape targets, and the README's
 * curl commands.
 */

/**
 * The host path of the file a service reads at `target`, relative to the project directory:
 * mounted itself, or through a mount of a directory it is in.
 */
export function mountedFile(service: ComposeService, target: string): string | undefined {
  for (const volume of service.volumes) {
    const [source, at] = volume.split(':');
    if (!source || !at || !(source.startsWith('./') || source.startsWith('/'))) continue;
    if (at === target) return source;
    const dir = at.replace(/\/+$/, '');
    if (target.startsWith(`${dir}/`)) return `${source.replace(/\/+$/, '')}${target.slice(dir.length)}`;
  }
  return undefined;
}

export const HAPROXY_CONFIG = '/usr/local/etc/haproxy/haproxy.cfg';
export const PROMETHEUS_CONFIG = '/etc/prometheus/prometheus.yml';

/** The add-on service running `image` with its config mounted at `configTarget`, if the file has one. */
export function findAddon(project: ComposeProject, image: RegExp, configTarget: string): ComposeService | undefined {
  return project.services.find((s) => image.test(s.image ?? '') && mountedFile(s, configTarget) !== undefined);
}

/** Maps a service's container port to where it is on this machine, or undefined. */
export type HostPortOf = (service: ComposeService, containerPort: number) => number | undefined;

/**
 * An HAProxy config for this machine: `bind :P` listens on 127.0.0.1 at the port the service
 * publishes for P, and `server NAME host:port` names 127.0.0.1 and that service's port. Every
 * change is returned for --verbose.
 */
export function translateHaproxy(
  config: string,
  project: ComposeProject,
  balancer: ComposeService,
  hostPortOf: HostPortOf,
): { config: string; changes: string[]; problems: string[] } {
  const byHost = servicesByHost(project.services);
  const changes: string[] = [];
  const problems: string[] = [];
  const lines = config.split('\n').map((line) => {
    const bind = /^(\s*bind\s+)(?:\*|0\.0\.0\.0)?:(\d+)(.*)$/.exec(line);
    if (bind) {
      const port = hostPortOf(balancer, Number(bind[2]));
      if (port === undefined) {
        problems.push(`the load balancer listens on ${bind[2]}, which it does not publish`);
        return line;
      }
      const next = `${bind[1]}127.0.0.1:${port}${bind[3]}`;
      changes.push(`${line.trim()} → ${next.trim()}`);
      return next;
    }
    const server = /^(\s*server\s+\S+\s+)([A-Za-z0-9._-]+):(\d+)(.*)$/.exec(line);
    if (server) {
      const target = byHost.get(server[2]!);
      const port = target && hostPortOf(target, Number(server[3]));
      if (!target || port === undefined) {
        problems.push(`the load balancer's "${line.trim()}" names no service port the rehearsal can reach`);
        return line;
      }
      const next = `${server[1]}127.0.0.1:${port}${server[4]}`;
      changes.push(`${line.trim()} → ${next.trim()}`);
      return next;
    }
    return line;
  });
  return { config: lines.join('\n'), changes, problems };
}

/** Prometheus' static scrape targets as URLs on this machine. */
export function prometheusTargets(
  config: string,
  project: ComposeProject,
  hostPortOf: HostPortOf,
): { urls: string[]; problems: string[] } {
  const byHost = servicesByHost(project.services);
  const urls: string[] = [];
  const problems: string[] = [];
  const document = parseYaml(config) as {
    scrape_configs?: { metrics_path?: string; static_configs?: { targets?: string[] }[] }[];
  };
  for (const job of document?.scrape_configs ?? []) {
    for (const group of job.static_configs ?? []) {
      for (const target of group.targets ?? []) {
        const [host, port] = target.split(':');
        const service = byHost.get(host!);
        const hostPort = service && hostPortOf(service, Number(port));
        if (hostPort === undefined)
          problems.push(`Prometheus target ${target} is no service port the rehearsal can reach`);
        else urls.push(`http://127.0.0.1:${hostPort}${job.metrics_path ?? '/metrics'}`);
      }
    }
  }
  return { urls, problems };
}

/** Problems with a Prometheus text exposition (format 0.0.4); empty when it reads cleanly. */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  const sample =
    /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (?:[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|NaN|[-+]?Inf)( -?\d+)?$/;
  let samples = 0;
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    if (!sample.test(line)) problems.push(`line ${i + 1} is no sample: ${line.slice(0, 80)}`);
    else samples++;
    if (problems.length >= 3) break;
  }
  if (samples === 0) problems.push('no samples');
  return problems;
}

/** The `curl` command lines of a README's ```sh blocks, as a user would paste them. */
export function readmeCurls(markdown: string): string[] {
  const commands: string[] = [];
  let inShell = false;
  for (const line of markdown.split('\n')) {
    if (/^```sh\s*$/.test(line)) inShell = true;
    else if (/^```/.test(line)) inShell = false;
    else if (inShell && line.startsWith('curl ')) commands.push(line);
  }
  return commands;
}
