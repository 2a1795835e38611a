import { memoryFitProblem } from '../restate/settings.js';
import { keptTexts } from './kept-text.js';
import type { RawOptions } from './options.js';
import { OPTION_VARIABLES } from './option-registry.js';
import type { ClusterPlan } from './plan.js';

/**
 * What a regeneration keeps from the .env it finds: edits of option variables (taken as the
 * flags), secrets and hand-edited values (kept, with a note where the options disagree), the
 * user's own variables; and whether the kept values make sense together. Pure functions.
 *
 * .env variables that are options under another name (`variable` in option-registry.ts): an
 * edit of one is judged as that option given on the command line would be (a version that was
 * never published, a rename of a cluster that holds data), and, once accepted, is the option:
 * every file and the summary say it.
 */

export interface OptionEdits {
  /** The flags, with each edit taken as the flag (unless the flag was given now: it wins). */
  flags: RawOptions;
  /** The .env without those variables: the options decide them now. */
  env: Record<string, string>;
  /** The edits taken, as `RESTATE_VERSION=latest`, for messages. */
  taken: string[];
  notes: string[];
}

export function optionEdits(
  previousTunables: Record<string, string> | undefined,
  env: Record<string, string>,
  flags: RawOptions,
): OptionEdits {
  const result: OptionEdits = { flags: { ...flags }, env: { ...env }, taken: [], notes: [] };
  for (const { variable, key: option, flag } of OPTION_VARIABLES) {
    const value = env[variable];
    const written = previousTunables?.[variable];
    delete result.env[variable];
    // Not edited (or no record of any run before): the options decide, as before. A line added
    // where the last run wrote none (NODE_MEMORY_LIMIT without --memory) is an edit too.
    if (value === undefined || previousTunables === undefined || value === written) continue;
    if (flags[option] !== undefined) {
      if (flags[option] !== value)
        result.notes.push(`${flag} ${String(flags[option])} replaces ${variable}=${value} edited into .env`);
      continue;
    }
    (result.flags as Record<string, unknown>)[option] = value;
    result.taken.push(`${variable}=${value}`);
    result.notes.push(`${variable}=${value} edited into .env: taken as ${flag} ${value}`);
  }
  return result;
}

export interface KeptValues {
  /** The plan resolved against .env: each tunable's effective value, and the user's variables. */
  plan: ClusterPlan;
  notes: string[];
  /** The variables whose value came from a hand edit of .env (the ones to blame in a conflict). */
  edited: Set<string>;
}

/**
 * Variables that earlier versions wrote under another name. PUBLISH_ADDRESS was the address of
 * every port; an edit of it (other machines were meant to reach the cluster) now carries over
 * to the application's doors only, never to the unauthenticated endpoints.
 */
const RENAMED: Record<string, string[]> = {
  PUBLISH_ADDRESS: ['INGRESS_PUBLISH_ADDRESS', 'LOAD_BALANCER_PUBLISH_ADDRESS'],
};

function carryRenamedEdits(
  plan: ClusterPlan,
  previousTunables: Record<string, string> | undefined,
  env: Record<string, string>,
  notes: string[],
): Record<string, string> {
  const result = { ...env };
  const known = new Set(plan.tunables.map((t) => t.name));
  for (const [old, successors] of Object.entries(RENAMED)) {
    const value = env[old];
    if (value === undefined || known.has(old) || value === previousTunables?.[old]) continue;
    const targets = successors.filter((name) => known.has(name) && env[name] === undefined);
    for (const name of targets) result[name] = value;
    delete result[old];
    if (targets.length > 0) {
      notes.push(
        `${old}=${value} from your .env now applies to ${targets.join(' and ')} only; the admin API, fabric port and MinIO stay on 127.0.0.1 (--expose opens them one kind at a time)`,
      );
    }
  }
  return result;
}

/**
 * Resolves the plan against the existing .env. Carried over, as a tunable's effective value:
 * every secret (credentials must survive regeneration), and every value the user edited by hand,
 * that is, one that differs from what the previous run wrote; and the user's own variables, as
 * the plan's userVariables. A value nobody edited follows the new options. Where an edited value
 * and the options disagree, the edit wins and a note says so, on every run: a flag given again
 * (--expose admin after ADMIN_PUBLISH_ADDRESS was closed by hand) cannot be told from a kept
 * one, so the note is the only way the user learns which value is in effect.
 */
export function keepExistingValues(
  plan: ClusterPlan,
  previousTunables: Record<string, string> | undefined,
  existing: Record<string, string>,
  texts: Record<string, string> = {},
  /** The secrets the last run's options wrote, where known: only those can have been deleted. */
  previousSecrets?: ReadonlySet<string>,
): KeptValues {
  const notes: string[] = [];
  const editedNames = new Set<string>();
  const keptNames: string[] = [];
  const env = carryRenamedEdits(plan, previousTunables, existing, notes);
  const tunables = plan.tunables.map((t) => {
    const current = env[t.name];
    // A secret whose line is gone gets a new value: said, since the running services hold the old.
    const hadIt = previousSecrets === undefined || previousSecrets.has(t.name);
    if (current === undefined && t.secret && t.planned !== '' && previousTunables !== undefined && hadIt) {
      notes.push(`${t.name} was not in .env: a new one was generated (services take it when recreated)`);
    }
    if (current === undefined) return t;
    if (t.secret) {
      // A generated secret emptied by hand (external S3 keys start empty, for the user to fill).
      if (current === '' && t.planned !== '') editedNames.add(t.name);
      keptNames.push(t.name);
      return { ...t, effective: current };
    }
    const written = previousTunables?.[t.name];
    const edited = written === undefined || current !== written;
    if (!edited) {
      // The same value, perhaps written otherwise (quoted, an inline comment): kept as written.
      if (current === t.effective) keptNames.push(t.name);
      return t;
    }
    editedNames.add(t.name);
    keptNames.push(t.name);
    if (current !== t.planned && written !== undefined) {
      notes.push(
        `kept ${t.name}=${current} from your .env; these options would write ${t.planned} (edit or delete the line in .env to take it)`,
      );
    }
    return { ...t, effective: current };
  });
  const known = new Set(plan.tunables.map((t) => t.name));
  // A variable gen-compose wrote last time and no longer writes (PUBLISH_ADDRESS, say) is its
  // own leftover, not the user's: dropped, unless the user changed its value.
  const leftover = (name: string) => previousTunables?.[name] !== undefined && previousTunables[name] === env[name];
  const userVariables = Object.fromEntries(Object.entries(env).filter(([name]) => !known.has(name) && !leftover(name)));
  for (const name of Object.keys(userVariables)) {
    if (previousTunables?.[name] !== undefined)
      notes.push(
        `${name}=${userVariables[name]} in .env is no longer read by these files; kept as yours (delete the line if it was not)`,
      );
  }
  const resolved = { ...plan, tunables, userVariables };
  const envText = keptTexts(resolved, [...keptNames, ...Object.keys(userVariables)], texts, notes);
  notes.push(...memoryNote(tunables, editedNames));
  return { plan: { ...resolved, envText }, notes, edited: editedNames };
}

const MEMORY_VARIABLES = [
  'NODE_MEMORY_LIMIT',
  'RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE',
  'RESTATE_ADMIN__QUERY_ENGINE__MEMORY_SIZE',
];

/**
 * Sizes edited by hand that no longer fit the memory limit: said (check's memory rule warns the
 * same), not refused, since a node may run with them until its load grows.
 */
function memoryNote(tunables: ClusterPlan['tunables'], edited: Set<string>): string[] {
  if (!MEMORY_VARIABLES.some((name) => edited.has(name))) return [];
  const value = (name: string) => tunables.find((t) => t.name === name)?.effective;
  const [limit, rocksdb, queryEngine] = MEMORY_VARIABLES.map(value);
  const problem = memoryFitProblem(limit, rocksdb, queryEngine);
  return problem === undefined ? [] : [`the sizes kept from your .env: ${problem}`];
}

/**
 * A directory taken over with --force (its files not gen-compose's, or no longer stamped): only
 * the secrets its .env holds are kept. Credentials are never regenerated while .env holds them,
 * since the running MinIO and every node authenticate with the values they started with.
 */
export function keepSecrets(
  plan: ClusterPlan,
  env: Record<string, string>,
  texts: Record<string, string> = {},
): KeptValues {
  const keptNames: string[] = [];
  const tunables = plan.tunables.map((t) => {
    const current = env[t.name];
    if (!t.secret || current === undefined || current === '') return t;
    keptNames.push(t.name);
    return { ...t, effective: current };
  });
  // The rest of that .env (a database password, an app's port) is the user's too: kept, said.
  const known = new Set(plan.tunables.map((t) => t.name));
  const userVariables = Object.fromEntries(Object.entries(env).filter(([name]) => !known.has(name)));
  const notes = [
    ...(keptNames.length === 0
      ? []
      : [`kept ${keptNames.join(', ')} from the .env there: credentials are never replaced`]),
    ...(Object.keys(userVariables).length === 0
      ? []
      : [`kept ${Object.keys(userVariables).join(', ')} from the .env there, as yours`]),
    // A setting of that .env these options write otherwise: replaced, and said (a trial's
    // RESTATE_VERSION=1.7.10 and a port of its own became 1.7.12 and 8080 without a word).
    ...plan.tunables
      .filter((t) => !t.secret && env[t.name] !== undefined && env[t.name] !== t.planned)
      .map(
        (t) =>
          `${t.name}=${env[t.name]} in the .env there is now ${t.planned}, as these options write it (--force starts from the options given)`,
      ),
  ];
  const resolved = { ...plan, tunables, userVariables };
  const envText = keptTexts(resolved, [...keptNames, ...Object.keys(userVariables)], texts, notes);
  return { plan: { ...resolved, envText }, notes, edited: new Set() };
}
