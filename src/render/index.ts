import type { ClusterPlan } from '../plan/plan.js';
import { renderCompose } from './compose.js';
import { renderEnv } from './env.js';

export interface RenderedFile {
  /** Path relative to the output directory. */
  path: string;
  content: string;
  /** File mode; .env holds secrets and is readable by its owner only. */
  mode: number;
}

export function renderCluster(plan: ClusterPlan, generatorVersion: string): RenderedFile[] {
  return [
    { path: 'docker-compose.yaml', content: renderCompose(plan, generatorVersion), mode: 0o644 },
    { path: '.env', content: renderEnv(plan, generatorVersion), mode: 0o600 },
  ];
}
