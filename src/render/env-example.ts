import { CLUSTER_OPTIONS } from '../plan/option-registry.js';
import { validateOptions, type RawOptions } from '../plan/options.js';
import { planCluster } from '../plan/plan.js';
import { renderEnv } from './env.js';

const placeholder = 'change-me';
const SECRETS = {
  minioRootUser: placeholder,
  minioRootPassword: placeholder,
  snapshotsAccessKey: placeholder,
  snapshotsSecretKey: placeholder,
  grafanaAdminPassword: placeholder,
};

/** The variable names a plan of these options writes, node k's counted as node 1's. */
function variableNames(raw: RawOptions): Set<string> {
  return new Set(planCluster(validateOptions(raw), SECRETS).tunables.map((t) => t.name.replace(/^NODE\d+_/, 'NODE1_')));
}

/**
 * The remembered options whose sample (option-registry.ts), given alone, adds variables the
 * default cluster lacks: .env.example shows them all at once, so every variable any run can
 * write is documented (tests/examples.test.ts plans every sample against it).
 */
export function optionsThatAddVariables(): { key: keyof RawOptions; sample: string | true; words: string }[] {
  const base = variableNames({});
  return CLUSTER_OPTIONS.filter(
    (o) => o.state !== undefined && [...variableNames({ [o.key]: o.sample })].some((name) => !base.has(name)),
  ).map(({ key, sample, flag }) => ({ key, sample, words: sample === true ? `--${flag}` : `--${flag} ${sample}` }));
}

/**
 * The repository's .env.example: every variable a generated .env holds, with its comment, for
 * the default 3-node cluster. Rendered from the same plan as real output so it cannot drift;
 * secrets are placeholders, since the real ones are generated per cluster.
 */
export function envExample(): string {
  const added = optionsThatAddVariables();
  const flags = added.map((o) => o.words);
  const sampled = Object.fromEntries(added.map(({ key, sample }) => [key, sample])) as RawOptions;
  const plan = planCluster(validateOptions(sampled), SECRETS);
  return renderEnv(
    plan,
    { version: '', program: 'gen-compose' },
    {
      redactSecrets: true,
      header: [
        'Every variable of a generated .env, documented: the default 3-node cluster, with the flags',
        `${flags.join(' ')} (their variables appear only with them;`,
        'Restate 1.6 reads the retained-snapshots one as RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED).',
        'gen-compose writes a real .env next to each docker-compose.yaml, with credentials generated',
        'for that cluster. Clusters with more nodes have NODEk_* port variables for every node k;',
        'see "Published ports" in README.md for the scheme.',
      ],
    },
  );
}
