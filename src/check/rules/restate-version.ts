import { imageTag } from '../../restate/services.js';
import { isSupported, NEWEST_SUPPORTED, OLDEST_SUPPORTED } from '../../restate/versions.js';
import type { Finding, ProjectRule, RuleContext } from './rule.js';

/** The Restate versions the nodes' images pin, in file order (latest and digests aside). */
export function restateVersionsOf({ nodes }: Pick<RuleContext, 'nodes'>): string[] {
  // A tag that is no x.y.z (a custom image's 2025.11) says nothing of the Restate inside.
  const versions = nodes.map((n) => imageTag(n.image)).filter((v): v is string => /^\d+\.\d+\.\d+/.test(v ?? ''));
  return [...new Set(versions)];
}

/** Which nodes run each version, in file order: "1.6.2 on restate-1, 1.7.12 on restate-2, restate-3". */
function whoRunsWhat({ nodes }: Pick<RuleContext, 'nodes'>, versions: string[]): string {
  return versions
    .map(
      (v) =>
        `${v} on ${nodes
          .filter((n) => imageTag(n.image) === v)
          .map((n) => n.name)
          .join(', ')}`,
    )
    .join('; ');
}

/**
 * Restate upgrades from x.y to x.(y+1), and a skipped minor may bypass a data migration
 * (docs.restate.dev/operate/upgrading): versions one minor apart are a rolling upgrade under
 * way; further apart, the newer nodes may not read what the older ones wrote.
 */
function apartByMinors(versions: string[]): number {
  const minors = versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v)).map((v) => v.split('.').map(Number));
  if (minors.length < 2) return 0;
  if (new Set(minors.map(([major]) => major)).size > 1) return Infinity;
  const ys = minors.map(([, minor]) => minor!);
  return Math.max(...ys) - Math.min(...ys);
}

export const restateVersion: ProjectRule = {
  id: 'restate-version',
  summary:
    'every node runs one Restate version (two one minor apart only mid rolling upgrade), one npm carries so its settings can be proven',
  fix: 'give every node the same image tag (RESTATE_VERSION in .env); upgrade one minor version at a time',
  appliesTo: 'cluster',
  check: (c) => {
    const versions = restateVersionsOf(c);
    const findings: Finding[] = [];
    if (versions.length > 1) {
      const apart = apartByMinors(versions);
      findings.push(
        apart > 1
          ? {
              severity: 'error',
              rule: 'restate-version',
              message: `the nodes run Restate versions more than one minor version apart (${whoRunsWhat(c, versions)}): Restate upgrades one minor version at a time, and a skipped one may bypass a data migration`,
            }
          : {
              severity: 'warning',
              rule: 'restate-version',
              message: `the nodes run different Restate versions (${whoRunsWhat(c, versions)}): a rolling upgrade under way, each node judged by its own version; finish it`,
            },
      );
    }
    for (const version of versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && !isSupported(v))) {
      findings.push({
        severity: 'warning',
        rule: 'restate-version',
        message: `Restate ${version} cannot be verified here: npm carries restate-server ${OLDEST_SUPPORTED} to ${NEWEST_SUPPORTED} (1.6.x and 1.7.x)`,
      });
    }
    return findings;
  },
};
