import { UsageError } from '../errors.js';
import { CLUSTER_OPTIONS } from './option-registry.js';
import { validateOptions, type RawOptions } from './options.js';
import { planCluster, type ClusterPlan } from './plan.js';

/** Stand-ins for the generated credentials, where only the names of a plan's variables matter. */
export const PLACEHOLDER_SECRETS = {
  minioRootUser: 'change-me',
  minioRootPassword: 'change-me',
  snapshotsAccessKey: 'change-me',
  snapshotsSecretKey: 'change-me',
  grafanaAdminPassword: 'change-me',
};

/** The variables a plan of these options writes (node k's counted as node 1's), and whether each is a secret. */
function variableNames(raw: RawOptions): Map<string, boolean> {
  const { tunables } = planCluster(validateOptions(raw), PLACEHOLDER_SECRETS);
  return new Map(tunables.map((t) => [t.name.replace(/^NODE\d+_/, 'NODE1_'), t.secret === true]));
}

/**
 * The remembered options whose sample (option-registry.ts), given alone, adds variables the
 * default cluster lacks, with those variables: .env.example shows them all at once, and a run
 * knows which option a line of .env belongs to when the files do not read it.
 */
export function optionsThatAddVariables() {
  const base = variableNames({});
  return CLUSTER_OPTIONS.filter((o) => o.state !== undefined).flatMap(({ key, sample, flag }) => {
    const written = variableNames({ [key]: sample });
    const added = [...written.keys()].filter((name) => !base.has(name));
    const words = sample === true ? `--${flag}` : `--${flag} ${sample}`;
    const settings = added.filter((name) => !written.get(name));
    return added.length === 0 ? [] : [{ key, sample, words, flag: `--${flag}`, settings }];
  });
}

/**
 * A line added to .env by hand (the last run wrote none) that gen-compose understands but these
 * files do not read has no effect, and a user who added it expects one (`NUM_RETAINED=256` on a
 * cluster made without --snapshots-retained was kept among "yours" and did nothing). Refused,
 * with what does take effect: the option that writes it, or the override file for a variable
 * the compose file sets on each node itself.
 */
export function refuseUnreadLines(plan: ClusterPlan, previousTunables: Record<string, string> | undefined): void {
  if (previousTunables === undefined) return;
  const added = Object.keys(plan.userVariables).filter((name) => previousTunables[name] === undefined);
  if (added.length === 0) return;
  const fixed = new Set([...plan.commonEnvironment, ...plan.nodes.flatMap((n) => n.environment)].map((e) => e.name));
  const line = (name: string) => `${name}=${plan.userVariables[name]} in .env`;
  for (const name of added.filter((n) => fixed.has(n)))
    throw new UsageError(
      `${line(name)} has no effect: the compose file sets ${name} on each node itself, where .env does not reach; a value of your own goes in docker-compose.override.yaml (or delete the line)`,
    );
  const options = optionsThatAddVariables();
  // Variables other options write, and Restate 1.6's names of renamed ones.
  const others = new Set(
    [...variableNames({}), ...variableNames({ restateVersion: '1.6.2', snapshotsRetained: '2' })].flatMap(
      ([name, secret]) => (secret ? [] : [name]),
    ),
  );
  const chosen = plan.options as unknown as Record<string, unknown>;
  // Secrets are never in the state's record, so a dropped add-on's password looks added: only settings are judged.
  for (const name of added) {
    const node = /^NODE(\d+)_/.exec(name)?.[1];
    if (node !== undefined && Number(node) > plan.options.nodes && others.has(name.replace(/^NODE\d+_/, 'NODE1_')))
      throw new UsageError(
        `${line(name)} has no effect: this cluster has no node ${node} (--nodes ${plan.options.nodes}); delete the line`,
      );
    const option = options.find((o) => o.settings.includes(name.replace(/^NODE\d+_/, 'NODE1_')));
    if (option && (chosen[option.key] === undefined || chosen[option.key] === false))
      throw new UsageError(
        `${line(name)} has no effect: these files read it only with ${option.flag}, which this cluster was not made with; give ${option.flag} instead (or delete the line)`,
      );
    if (option || others.has(name))
      throw new UsageError(
        `${line(name)} has no effect: these files do not read it with these options (Restate ${plan.options.restateVersion}); delete the line`,
      );
  }
}
