import { UsageError } from '../errors.js';
import type { ClusterPlan, Tunable, TunableGroup } from '../plan/plan.js';
import { generatedBy, type Generator } from './header.js';
import { renderBuiltin, type Render } from './templates.js';

const GROUP_TITLES: Record<TunableGroup, string> = {
  cluster: 'Cluster',
  ports: 'Published host ports',
  snapshots: 'Partition snapshots (S3-compatible store)',
  minio: 'MinIO',
  monitoring: 'Monitoring (Grafana)',
};

/**
 * A value as .env writes it. Plain values stay bare; anything with characters that Compose's
 * .env parser treats specially (spaces, quotes, #, $) is single-quoted, which Compose and
 * dotenv both take literally.
 */
export function envValue(value: string, name = 'a value'): string {
  if (/^[A-Za-z0-9_.,:/=@+-]*$/.test(value)) return value;
  // Single quotes are literal to compose and dotenv alike, but cannot hold a single quote.
  if (value.includes("'") || value.includes('\n')) {
    throw new UsageError(
      `${name} in .env holds a quote or line break gen-compose cannot write back safely; change it by hand and run again`,
    );
  }
  return `'${value}'`;
}

export interface EnvRenderOptions {
  /** Replace secret values (for .env.example, which documents but must not carry secrets). */
  redactSecrets?: boolean;
  header?: string[];
  render?: Render;
}

export function renderEnv(plan: ClusterPlan, generator: Generator, opts: EnvRenderOptions = {}): string {
  const groups = (Object.keys(GROUP_TITLES) as TunableGroup[])
    .map((group) => ({
      title: GROUP_TITLES[group],
      tunables: plan.tunables
        .filter((t: Tunable) => t.group === group)
        .map((t) => ({
          name: t.name,
          description: t.description,
          value:
            opts.redactSecrets && t.secret ? 'change-me' : (plan.envText?.[t.name] ?? envValue(t.effective, t.name)),
        })),
    }))
    // A section with nothing in it (Grafana without --monitoring) says nothing.
    .filter((g) => g.tunables.length > 0);
  // Variables of the user's that gen-compose does not write: kept at the end, as they were.
  const userVariables = Object.entries(plan.userVariables);
  if (userVariables.length > 0) {
    groups.push({
      title:
        'Kept from the previous .env, unused by these files: yours, or credentials of an add-on switched off (kept for its data)',
      tunables: userVariables.map(([name, value]) => ({
        name,
        description: '',
        value: plan.envText?.[name] ?? envValue(value, name),
      })),
    });
  }
  const header = opts.header ?? [
    ...generatedBy(generator, plan.options),
    plan.options.target === 'swarm'
      ? 'docker stack deploy does not read this file: the README deploys with set -a; . ./.env; set +a first.'
      : 'docker compose reads this file when it interpolates docker-compose.yaml; keep it beside that file.',
    "It holds this cluster's credentials: keep it private and out of version control.",
  ];
  return (opts.render ?? renderBuiltin)('env.hbs', { header, groups });
}
