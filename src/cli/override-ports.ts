import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { loadCompose } from '../load/loader.js';
import { COMPOSE_FILE } from '../output-files.js';
import { allPorts, resolvedPorts } from '../plan/plan.js';
import type { ClusterPlan } from '../plan/model.js';

/**
 * A host port the new files publish that a service of the user's own (in the override file)
 * publishes already: `docker compose up` would fail to bind it, so the run is refused, as a
 * clash among gen-compose's own ports is (growing onto an app's port was found only by check).
 * Read from the directory as Compose reads it; a file that does not load is left to check.
 */
export function refuseOverridePortClash(plan: ClusterPlan, out: string): void {
  if (plan.options.target !== 'compose' || !existsSync(join(out, COMPOSE_FILE))) return;
  let merged: ReturnType<typeof loadCompose>;
  let ours: Set<string>;
  try {
    merged = loadCompose(out);
    if (merged.override === undefined) return;
    ours = new Set(loadCompose(join(out, COMPOSE_FILE)).services.map((s) => s.name));
  } catch {
    return;
  }
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
}
