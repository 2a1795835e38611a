import { createHash } from 'node:crypto';
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
import type { GeneratorState, RememberedSteps } from '../write/existing.js';
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
  /** The owner and group of the file it replaces (the writer keeps them; a new file has the process's). */
  owner?: { uid: number; gid: number };
}

/**
 * The compose (or stack) file's digest, kept in the state: a later run tells a file edited by
 * hand from its own at once, whatever version of gen-compose wrote it. The Regenerate line is
 * left out: it names gen-compose by its path from where it ran, which the next run may not share.
 */
export function composeDigest(text: string): string {
  const kept = text
    .split('\n')
    .filter((line) => !line.startsWith('# Regenerate'))
    .join('\n');
  return fileDigest(kept);
}

/** A file's digest as written, kept in the state: one that differs later was edited by hand. */
export function fileDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The digest of the options as the state file holds them: options edited there by hand differ. */
export const optionsDigest = (options: object) => fileDigest(JSON.stringify(options));

/**
 * The state a later run reads back: the options, and the non-secret values gen-compose itself
 * chose for them (never a secret). A later .env value that differs from these was edited by
 * hand, however many runs ago, so it must be the planned values, not the effective (kept) ones.
 */
export function renderState(
  plan: ClusterPlan,
  generator: Generator,
  composeText: string,
  otherFiles: RenderedFile[],
): string {
  const state: GeneratorState = {
    generator: 'gen-compose',
    version: generator.version,
    options: plan.options,
    optionsSha256: optionsDigest(plan.options),
    tunables: Object.fromEntries(plan.tunables.filter((t) => !t.secret).map((t) => [t.name, t.planned])),
    composeSha256: composeDigest(composeText),
    fileSha256: Object.fromEntries(otherFiles.map((f) => [f.path, fileDigest(f.content)])),
  };
  const keptEdits = plan.tunables.filter((t) => !t.secret && t.effective !== t.planned);
  if (keptEdits.length > 0) state.keptEdits = Object.fromEntries(keptEdits.map((t) => [t.name, t.effective]));
  return `${JSON.stringify(state, null, 2)}\n`;
}

/**
 * The files with the state file remembering `lastSteps` (known only once the files are
 * rendered: which running nodes they redefine is one of the steps).
 */
export function withRememberedSteps(files: RenderedFile[], lastSteps: RememberedSteps | undefined): RenderedFile[] {
  if (lastSteps === undefined) return files;
  return files.map((file) => {
    if (file.path !== STATE_FILE) return file;
    const state = JSON.parse(file.content) as GeneratorState;
    return { ...file, content: `${JSON.stringify({ ...state, lastSteps }, null, 2)}\n` };
  });
}

export interface RenderOptions {
  /** Templates to render with (--templates); the built-in ones by default. */
  render?: Render;
}

/** The compose file, or the stack file for --target swarm: the first file of a cluster. */
export function renderComposeFile(
  plan: ClusterPlan,
  generator: Generator,
  render: Render = renderBuiltin,
): RenderedFile {
  return plan.options.target === 'swarm'
    ? { path: STACK_FILE, content: renderStack(plan, generator, render), mode: 0o644 }
    : { path: COMPOSE_FILE, content: renderCompose(plan, generator, render), mode: 0o644 };
}

/**
 * Every file of the cluster, from one resolved plan. The compose (or stack) file and the state
 * file follow from the options alone (each tunable's planned value); .env and the README say
 * what is in effect (each tunable's effective value, hand edits kept, and the user's variables).
 */
export function renderCluster(plan: ClusterPlan, generator: Generator, options: RenderOptions = {}): RenderedFile[] {
  const render = options.render ?? renderBuiltin;
  const composeFile = renderComposeFile(plan, generator, render);
  const files: RenderedFile[] = [
    composeFile,
    { path: ENV_FILE, content: renderEnv(plan, generator, { render }), mode: 0o600 },
    { path: README_FILE, content: renderReadme(plan, generator, render), mode: 0o644 },
  ];
  const common = { generatorVersion: generator.version, projectName: plan.projectName };
  if (plan.loadBalancer) {
    const lb = plan.loadBalancer;
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
  if (plan.monitoring) {
    const m = plan.monitoring;
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
  // The state, third as before, records the digest of every file but itself, .env and compose's.
  const state = renderState(plan, generator, composeFile.content, files.slice(2));
  files.splice(2, 0, { path: STATE_FILE, content: state, mode: 0o644 });
  return files;
}
