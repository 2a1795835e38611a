import { BROWSER_BLOCKED_PORTS } from '../docker/ports.js';
import { STACK_OVERRIDE_FILE } from '../output-files.js';
import { ENDPOINTS, isLoopback, type EndpointKind } from '../plan/exposure.js';
import { allPorts, resolvedPorts, type ClusterPlan, type PublishedPort } from '../plan/plan.js';
import { SNAPSHOT_KEYS } from '../plan/snapshots.js';
import { describeTolerance } from '../restate/tolerance.js';
import { variablesNewerThan } from '../restate/versions.js';

/** What the user reads after a successful run: files, endpoints, and what the cluster survives. */
/** What a run did to the output directory's files. */
export interface FileChanges {
  written: string[];
  /** Already as these options write them: left alone. */
  unchanged?: string[];
  removed?: string[];
}

/** --unverified: no binary checked the keys; those the version is known to lack are named. */
function unverifiedWarnings(plan: ClusterPlan): string[] {
  const version = plan.options.restateVersion;
  const names = [...plan.commonEnvironment, ...plan.nodes.flatMap((n) => n.environment)].map((e) => e.name);
  const missing = variablesNewerThan(version, names);
  return [
    `warning: Restate ${version} is unverified (--unverified): no restate-server of it checked these keys, and Restate ignores a key it does not know`,
    ...missing.map(
      ({ name, since }) => `warning: ${name} is read from Restate ${since} on: ${version} would ignore it`,
    ),
  ];
}

/** Past this many members a metadata group is unusual enough to be said (Restate's guides run 3 or 5). */
const LARGE_METADATA_GROUP = 7;

export function summary(plan: ClusterPlan, changes: FileChanges, fresh = true): string {
  const { written, unchanged = [], removed = [] } = changes;
  const { options: o, tolerance: t } = plan;
  // Values as written to .env, where kept hand edits may differ from the plan's own.
  const { portOf: port, addressOf, isOpen } = resolvedPorts(plan);
  const swarm = o.target === 'swarm';
  // Where a port answers: its kind's address under compose, the host that runs it under
  // Swarm, and nowhere outside the containers when Swarm does not publish it.
  const url = (p: PublishedPort) => {
    if (swarm && !p.exposed) return '(not published)';
    const address = addressOf(p);
    return `http://${swarm ? 'HOST' : address === '0.0.0.0' ? 'localhost' : address}:${port(p)}`;
  };
  const lines: string[] = [];
  if (written.length > 0) lines.push(`Wrote ${written.join(', ')}`);
  if (unchanged.length > 0) lines.push(`Unchanged ${unchanged.join(', ')} (already as these options write them)`);
  if (removed.length > 0)
    lines.push(`Removed ${removed.join(', ')} (written by gen-compose before; these options no longer use them)`);
  lines.push('');
  lines.push(
    `${o.nodes}-node Restate cluster "${o.clusterName}" (Restate ${o.restateVersion}), replication ${o.replication}:`,
  );
  for (const node of plan.nodes) {
    const p = node.ports;
    const roles = node.roles.includes('metadata-server') ? '' : '  (no metadata server)';
    const replaced = node.restateName === node.name ? '' : `  (Restate node ${node.restateName}, N${node.restateId})`;
    const fabric = swarm && !p.fabric.exposed ? url(p.fabric) : port(p.fabric);
    lines.push(
      `  ${node.name.padEnd(11)} ingress ${url(p.ingress)}  admin ${url(p.admin)}  fabric ${fabric}${node.autoProvision ? '  (provisions the cluster if its peers hold none)' : ''}${roles}${replaced}`,
    );
  }
  lines.push(
    plan.minio
      ? `  ${'minio'.padEnd(11)} S3 API ${url(plan.minio.ports.api)}  console ${url(plan.minio.ports.console)}`
      : `  snapshots   ${o.snapshotsEndpoint}${storeToDo(plan)}`,
    ...(plan.loadBalancer
      ? [`  ${'load-balancer'.padEnd(11)} ${url(plan.loadBalancer.port)} (every node's ingress behind one URL)`]
      : []),
    ...(plan.monitoring
      ? [
          `  ${'prometheus'.padEnd(11)} ${url(plan.monitoring.prometheus.port)}`,
          `  ${'grafana'.padEnd(11)} ${url(plan.monitoring.grafana.port)} (admin, GRAFANA_ADMIN_PASSWORD in .env)`,
        ]
      : []),
    'README.md in the output directory has the topology, every endpoint and the commands to run.',
    swarm
      ? `Your own services go in ${STACK_OVERRIDE_FILE} there: every stack deploy gen-compose prints adds it, gen-compose never touches it.`
      : 'Your own services go in docker-compose.override.yaml there: Compose merges it, gen-compose never touches it.',
    '',
    ...reachability(plan, addressOf, isOpen),
    '',
    'Fault tolerance:',
    ...describeTolerance(t, o.replication).map((l) => `  ${l}`),
  );
  if (t.belowRecommendedSize) {
    lines.push(
      `warning: ${o.nodes} node(s) < 2×${o.replication}−1: the cluster works but tolerates ${t.logFailuresTolerated} node failure(s), not ${o.replication - 1}. Use at least ${2 * o.replication - 1} nodes for that.`,
    );
  }
  lines.push(...fileWarnings(plan));
  // A quietly large result of the defaults (-n 100 -r 50: 99 members) is said, with why.
  if (o.metadataNodes > LARGE_METADATA_GROUP) {
    lines.push(
      `note: a metadata group of ${o.metadataNodes} members: every metadata write waits for ${Math.floor(o.metadataNodes / 2) + 1} of them (it tolerates as many failures as the log, ${Math.floor((o.metadataNodes - 1) / 2)}). Most clusters run 3 or 5 (--metadata-nodes 5 tolerates 2 failures).`,
    );
  }
  if (fresh) {
    lines.push(
      '',
      o.target === 'swarm'
        ? `Next: label the hosts, then: set -a; . ./.env; set +a; docker stack deploy -c docker-stack.yaml ${plan.projectName}`
        : 'Next: docker compose up -d   (in the output directory)',
    );
  }
  return lines.join('\n');
}

/** Warnings about the files themselves, which a --dry-run shows too (it prints no summary). */
export function fileWarnings(plan: ClusterPlan): string[] {
  return [
    ...(plan.options.unverified ? unverifiedWarnings(plan) : []),
    ...blockedPortWarnings(plan, resolvedPorts(plan).portOf),
  ];
}

/**
 * Published HTTP ports that browsers and fetch() refuse (docker/ports.ts): the cluster serves
 * there, and no browser or Node client reaches it. Fabric is gRPC for restatectl and the nodes.
 */
function blockedPortWarnings(plan: ClusterPlan, portOf: (p: PublishedPort) => string): string[] {
  const swarm = plan.options.target === 'swarm';
  const blocked = allPorts(plan).filter(
    (p) => p.kind !== 'fabric' && (!swarm || p.exposed) && BROWSER_BLOCKED_PORTS.has(Number(portOf(p))),
  );
  return blocked.map(
    (p) =>
      `warning: browsers and fetch() refuse port ${portOf(p)}, a "bad port" of the Fetch standard, so they cannot reach the ${ENDPOINTS[p.kind].title} there; another --port-offset avoids it`,
  );
}

/** Every published port of the plan, by kind. */
function portsByKind(plan: ClusterPlan): Map<EndpointKind, PublishedPort[]> {
  const byKind = new Map<EndpointKind, PublishedPort[]>();
  for (const p of allPorts(plan)) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p]);
  return byKind;
}

/**
 * What is reachable from where, kind by kind, as the files say it (kept .env edits included),
 * with a warning for every unauthenticated kind that the network can reach.
 */
function reachability(
  plan: ClusterPlan,
  addressOf: (p: PublishedPort) => string,
  isOpen: (p: PublishedPort) => boolean,
): string[] {
  const groups = new Map<string, string[]>();
  const warnings: string[] = [];
  for (const [kind, ports] of portsByKind(plan)) {
    const { title, risk } = ENDPOINTS[kind];
    const where =
      plan.options.target === 'swarm'
        ? ports[0]!.exposed
          ? 'Published in host mode on every interface of the host that runs it'
          : "Not published: reached from a one-off container on the stack's network (see README.md)"
        : [...new Set(ports.map(addressOf))]
            .map((a) => (isLoopback(a) ? `This host only (${a})` : `The network (${a})`))
            .join(' and ');
    groups.set(where, [...(groups.get(where) ?? []), title]);
    const open = ports.some(isOpen);
    if (open && risk) warnings.push(`warning: ${title} is reachable from the network (${risk}).`);
  }
  const hint =
    plan.options.target === 'compose' && ![...groups.keys()].some((where) => where.startsWith('The network'))
      ? [
          'Nothing is reachable from other machines; --expose ingress opens the ingress to them (and --expose admin, fabric, s3, … each kind on purpose).',
        ]
      : [];
  return [
    'Who can reach what:',
    ...[...groups].map(([where, titles]) => `  ${where}: ${titles.join('; ')}`),
    ...hint,
    ...warnings,
  ];
}

/** What an external snapshot store still needs from the user: its keys, while .env holds none. */
function storeToDo(plan: ClusterPlan): string {
  const empty = SNAPSHOT_KEYS.filter((name) => plan.tunables.find((t) => t.name === name)?.effective === '');
  const bucket = plan.tunables.find((t) => t.name === 'RESTATE_WORKER__SNAPSHOTS__DESTINATION')?.effective ?? '';
  return empty.length > 0
    ? `: fill in ${empty.join(' and ')} in .env, and create the bucket of ${bucket} (a bucket you own)`
    : ` (bucket of ${bucket}, keys in .env)`;
}
