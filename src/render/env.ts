import type { ClusterPlan, Tunable, TunableGroup } from '../plan/plan.js';
import { generatedBy } from './header.js';
import { template } from './templates.js';

const GROUP_TITLES: Record<TunableGroup, string> = {
  cluster: 'Cluster',
  ports: 'Published host ports',
  snapshots: 'Partition snapshots (S3-compatible store)',
  minio: 'MinIO',
};

/**
 * A value as .env writes it. Plain values stay bare; anything with characters that Compose's
 * .env parser treats specially (spaces, quotes, #, $) is single-quoted, which Compose and
 * dotenv both take literally.
 */
export function envValue(value: string): string {
  if (/^[A-Za-z0-9_.,:\/=@+-]*$/.test(value)) return value;
  if (value.includes("'") || value.includes('\n')) {
    throw new Error(`cannot write ${JSON.stringify(value)} to .env safely`);
  }
  return `'${value}'`;
}

export interface EnvRenderOptions {
  /** Replace secret values (for .env.example, which documents but must not carry secrets). */
  redactSecrets?: boolean;
  header?: string[];
}

export function renderEnv(plan: ClusterPlan, generatorVersion: string, opts: EnvRenderOptions = {}): string {
  const groups = (Object.keys(GROUP_TITLES) as TunableGroup[]).map((group) => ({
    title: GROUP_TITLES[group],
    tunables: plan.tunables
      .filter((t: Tunable) => t.group === group)
      .map((t) => ({
        name: t.name,
        description: t.description,
        value: opts.redactSecrets && t.secret ? 'change-me' : envValue(t.value),
      })),
  }));
  const header = opts.header ?? [
    ...generatedBy(generatorVersion, plan.options),
    'docker compose reads this file when it interpolates docker-compose.yaml; keep it beside that file.',
    'It holds this cluster\'s credentials: keep it private and out of version control.',
  ];
  return template('env.hbs')({ header, groups });
}
