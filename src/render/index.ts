import type { ClusterPlan } from '../plan/plan.js';
import {
  COMPOSE_FILE,
  ENV_FILE,
  GRAFANA_DASHBOARD,
  GRAFANA_DASHBOARD_PROVIDER,
  GRAFANA_DATASOURCE,
  README_FILE,
  STACK_FILE,
  STATE_FILE,
} from '../output-files.js';
import type { GeneratorState } from '../write/existing.js';
import type { Generator } from './header.js';
import { renderCompose, renderStack } from './compose.js';
import { renderEnv } from './env.js';
import { renderReadme } from './readme.js';
import { renderBuiltin, type Render } from './templates.js';

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
export function renderState(ownPlan: ClusterPlan, generator: Generator): string {
  const state: GeneratorState = {
    generator: 'gen-compose',
    version: generator.version,
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
  /** Templates to render with (--templates); the built-in ones by default. */
  render?: Render;
}

/**
 * The compose file follows from the options alone (its ${VAR:-fallback}s are gen-compose's own
 * values); hand edits live in .env, which compose reads first.
 */
export function renderCluster(plan: ClusterPlan, generator: Generator, extras: RenderExtras = {}): RenderedFile[] {
  const render = extras.render ?? renderBuiltin;
  const own = extras.ownPlan ?? plan;
  const files: RenderedFile[] = [
    own.options.target === 'swarm'
      ? { path: STACK_FILE, content: renderStack(own, generator, render), mode: 0o644 }
      : { path: COMPOSE_FILE, content: renderCompose(own, generator, render), mode: 0o644 },
    { path: ENV_FILE, content: renderEnv(plan, generator, { extra: extras.extraEnv, render }), mode: 0o600 },
    { path: STATE_FILE, content: renderState(own, generator), mode: 0o644 },
    { path: README_FILE, content: renderReadme(plan, generator, render), mode: 0o644 },
  ];
  const common = { generatorVersion: generator.version, projectName: plan.projectName };
  if (own.loadBalancer) {
    const lb = own.loadBalancer;
    files.push({
      path: lb.configFile,
      content: render('haproxy.cfg.hbs', {
        ...common,
        listenPort: lb.port.containerPort,
        healthPath: lb.healthPath,
        backends: lb.backends,
      }),
      mode: 0o644,
    });
  }
  if (own.monitoring) {
    const m = own.monitoring;
    files.push(
      {
        path: m.prometheus.configFile,
        content: render('prometheus.yml.hbs', { ...common, targets: m.prometheus.targets }),
        mode: 0o644,
      },
      {
        path: GRAFANA_DATASOURCE,
        content: render('grafana-datasource.yaml.hbs', {
          ...common,
          prometheusUrl: `http://${m.prometheus.service}:${m.prometheus.port.containerPort}`,
        }),
        mode: 0o644,
      },
      { path: GRAFANA_DASHBOARD_PROVIDER, content: render('grafana-dashboards.yaml.hbs', common), mode: 0o644 },
      { path: GRAFANA_DASHBOARD, content: render('grafana-dashboard.json.hbs', common), mode: 0o644 },
    );
  }
  return files;
}
