import { optionsThatAddVariables, PLACEHOLDER_SECRETS } from '../plan/option-variables.js';
import { validateOptions, type RawOptions } from '../plan/options.js';
import { planCluster } from '../plan/plan.js';
import { renderEnv } from './env.js';

/**
 * The repository's .env.example: every variable a generated .env holds, with its comment, for
 * the default 3-node cluster. Rendered from the same plan as real output so it cannot drift;
 * secrets are placeholders, since the real ones are generated per cluster.
 */
export function envExample(): string {
  const added = optionsThatAddVariables();
  const flags = added.map((o) => o.words);
  const sampled = Object.fromEntries(added.map(({ key, sample }) => [key, sample])) as RawOptions;
  const plan = planCluster(validateOptions(sampled), PLACEHOLDER_SECRETS);
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

/**
 * Every comment line gen-compose writes into a .env, whatever its options: the example's, and
 * those only another store, target or a kept variable brings (a trial's switch from an S3
 * endpoint back to MinIO called "# Your S3 endpoint" a line of the user's, dropped).
 */
export function ownEnvLines(): string[] {
  const variants: RawOptions[] = [
    { snapshotsEndpoint: 'https://s3.eu-west-1.amazonaws.com', monitoring: true, loadBalancer: true },
    { target: 'swarm' },
  ];
  const rendered = variants.map((raw) =>
    renderEnv(
      { ...planCluster(validateOptions(raw), PLACEHOLDER_SECRETS), userVariables: { MINE: '1' } },
      { version: '', program: 'gen-compose' },
    ),
  );
  return [envExample(), ...rendered].flatMap((text) => text.split('\n'));
}
