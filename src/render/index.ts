import type { ClusterPlan } from '../plan/plan.js';
import { COMPOSE_FILE, ENV_FILE, STATE_FILE, type GeneratorState } from '../write/existing.js';
import { renderCompose } from './compose.js';
import { renderEnv } from './env.js';

export interface RenderedFile {
  /** Path relative to the output directory. */
  path: string;
  content: string;
  /** File mode; .env holds secrets and is readable by its owner only. */
  mode: number;
}

/**
 * The state a later run reads back: the options, and the non-secret values gen-compose itself
 * chose for them (never a secret). A later .env value that differs from these was edited by
 * hand, however many runs ago, so it must be the plan's own values, not the kept ones.
 */
export function renderState(ownPlan: ClusterPlan, generatorVersion: string): string {
  const state: GeneratorState = {
    generator: 'gen-compose',
    version: generatorVersion,
    options: ownPlan.options,
    tunables: Object.fromEntries(ownPlan.tunables.filter((t) => !t.secret).map((t) => [t.name, t.value])),
  };
  return `${JSON.stringify(state, null, 2)}\n`;
}

export interface RenderExtras {
  /** The plan before hand-edited values were carried over (default: the plan itself). */
  ownPlan?: ClusterPlan;
  /** The user's own .env variables, kept at its end. */
  extraEnv?: Record<string, string>;
}

/**
 * The compose file follows from the options alone (its ${VAR:-fallback}s are gen-compose's own
 * values); hand edits live in .env, which compose reads first.
 */
export function renderCluster(plan: ClusterPlan, generatorVersion: string, extras: RenderExtras = {}): RenderedFile[] {
  return [
    { path: COMPOSE_FILE, content: renderCompose(extras.ownPlan ?? plan, generatorVersion), mode: 0o644 },
    { path: ENV_FILE, content: renderEnv(plan, generatorVersion, { extra: extras.extraEnv }), mode: 0o600 },
    { path: STATE_FILE, content: renderState(extras.ownPlan ?? plan, generatorVersion), mode: 0o644 },
  ];
}
