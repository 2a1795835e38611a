import { validateOptions } from '../plan/options.js';
import { planCluster } from '../plan/plan.js';
import { renderEnv } from './env.js';

/**
 * The repository's .env.example: every variable a generated .env holds, with its comment, for
 * the default 3-node cluster. Rendered from the same plan as real output so it cannot drift;
 * secrets are placeholders, since the real ones are generated per cluster.
 */
export function envExample(): string {
  const placeholder = 'change-me';
  // Every option that adds variables, so every variable any run can write is documented
  // (tests/examples.test.ts holds it to that).
  const plan = planCluster(
    validateOptions({ loadBalancer: true, monitoring: true, memory: '4G', snapshotsRetained: '1' }),
    {
      minioRootUser: placeholder,
      minioRootPassword: placeholder,
      snapshotsAccessKey: placeholder,
      snapshotsSecretKey: placeholder,
      grafanaAdminPassword: placeholder,
    },
  );
  return renderEnv(
    plan,
    { version: '', program: 'gen-compose' },
    {
      redactSecrets: true,
      header: [
        'Every variable of a generated .env, documented: the default 3-node cluster, with --load-balancer,',
        '--monitoring, --memory 4G and --snapshots-retained 1 (their variables appear only with those flags;',
        'Restate 1.6 reads the retained-snapshots one as RESTATE_WORKER__SNAPSHOTS__EXPERIMENTAL_NUM_RETAINED).',
        'gen-compose writes a real .env next to each docker-compose.yaml, with credentials generated',
        'for that cluster. Clusters with more nodes have NODEk_* port variables for every node k;',
        'see "Published ports" in README.md for the scheme.',
      ],
    },
  );
}
