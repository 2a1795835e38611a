import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { loadCompose, overrideFileOf } from '../load/loader.js';
import { COMPOSE_FILE, OVERRIDE_FILE, STACK_FILE, STACK_OVERRIDE_FILE } from '../output-files.js';
import { allPorts, resolvedPorts } from '../plan/plan.js';
import type { ClusterPlan } from '../plan/model.js';

/**
 * The user's override file against the new files, read from the directory as Compose reads it:
 * a host port a service of theirs publishes already that these options give a node is refused
 * (`docker compose up` could not bind it; growing onto an app's port was found only by check).
 * An override that does not load is no reason to refuse gen-compose's own files, but every
 * `docker compose` command there fails until it is fixed, the printed steps too: a note says so.
 */
export function overrideNotes(plan: ClusterPlan, out: string): string[] {
  if (plan.options.target !== 'compose' || !existsSync(join(out, COMPOSE_FILE))) return [];
  let merged: ReturnType<typeof loadCompose>;
  let ours: Set<string>;
  try {
    ours = new Set(loadCompose(join(out, COMPOSE_FILE)).services.map((s) => s.name));
  } catch {
    return [];
  }
  try {
    merged = loadCompose(out);
  } catch (error) {
    if (!existsSync(join(out, OVERRIDE_FILE))) return [];
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return [
      `${OVERRIDE_FILE} does not load (${why}): docker compose refuses every command in ${out} until it is fixed, the steps gen-compose prints too`,
    ];
  }
  if (merged.override === undefined) return [];
  const { portOf } = resolvedPorts(plan);
  const planned = new Map(allPorts(plan).map((p) => [Number(portOf(p)), p.tunable]));
  for (const service of merged.services.filter((s) => !ours.has(s.name))) {
    for (const port of service.ports) {
      const tunable = port.published === undefined ? undefined : planned.get(port.published);
      if (tunable !== undefined)
        throw new UsageError(
          `${service.name} in ${basename(merged.override)} publishes port ${port.published}, which these options give to ${tunable}: docker compose up could not bind it; change one (--port-offset moves gen-compose's ports)`,
        );
    }
  }
  return [];
}

/**
 * A Restate setting of the user's in .env (RESTATE_…, not one of gen-compose's) that no file of
 * the cluster names: .env only fills in the `${…}` the compose files name, so no node ever sees
 * it (a trial's RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT=10s was kept in silence, and check
 * found nothing). Said, not refused: an override file that names it passes it on.
 */
export function unreadRestateLines(plan: ClusterPlan, out: string): string[] {
  const override = overrideFileOf(join(out, plan.options.target === 'swarm' ? STACK_FILE : COMPOSE_FILE));
  let overrideText = '';
  try {
    overrideText = override === undefined ? '' : readFileSync(override, 'utf8');
  } catch {
    // An override gen-compose cannot read names nothing it can see; overrideNotes says why.
  }
  const unread = Object.keys(plan.userVariables).filter(
    (name) => name.startsWith('RESTATE_') && !new RegExp(`\\b${name}\\b`).test(overrideText),
  );
  return unread.map(
    (name) =>
      `${name} in .env reaches no node: .env only fills in the \${…} the files name, and none names it; to set it on the nodes, put it under their environment in ${plan.options.target === 'swarm' ? STACK_OVERRIDE_FILE : OVERRIDE_FILE} (or delete the line)`,
  );
}

/**
 * Under Swarm the printed steps load .env with `. ./.env` (docker stack deploy reads no .env),
 * and sh reads some lines Compose takes differently: an unquoted value with a blank or one of
 * sh's operators (`MY_NOTE=hello world` ran `world` as a command in a trial, and stopped the
 * block). Said for each such line, with the fix: quote it.
 */
export function shellReadsOtherwise(plan: ClusterPlan): string[] {
  if (plan.options.target !== 'swarm') return [];
  return Object.entries(plan.envText ?? {})
    .filter(([, raw]) => !/^['"]/.test(raw) && /[\s;&|<>()`]/.test(raw.replace(/\s+#.*$/, '')))
    .map(
      ([name, raw]) =>
        `${name}=${raw} in .env: the printed Swarm steps load .env with sh (. ./.env), which reads it otherwise than docker compose does; quote the value ('…')`,
    );
}
