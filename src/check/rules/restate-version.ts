import { imageTag } from '../../restate/services.js';
import { isSupported, NEWEST_SUPPORTED, OLDEST_SUPPORTED } from '../../restate/versions.js';
import type { Finding, ProjectRule, RuleContext } from './rule.js';

/** The Restate versions the nodes' images pin, in file order (latest and digests aside). */
export function restateVersionsOf({ nodes }: Pick<RuleContext, 'nodes'>): string[] {
  return [
    ...new Set(nodes.map((n) => imageTag(n.image)).filter((v): v is string => v !== undefined && v !== 'latest')),
  ];
}

export const restateVersion: ProjectRule = {
  id: 'restate-version',
  summary: 'every node runs one Restate version, one npm carries so its settings can be proven',
  fix: 'give every node the same image tag (RESTATE_VERSION in .env)',
  appliesTo: 'cluster',
  check: (c) => {
    const versions = restateVersionsOf(c);
    const findings: Finding[] = [];
    if (versions.length > 1)
      findings.push({
        severity: 'error',
        rule: 'restate-version',
        message: `the nodes run different Restate versions (${versions.join(', ')})`,
      });
    const version = versions[0];
    if (version && /^\d+\.\d+\.\d+$/.test(version) && !isSupported(version)) {
      findings.push({
        severity: 'warning',
        rule: 'restate-version',
        message: `Restate ${version} cannot be verified here: npm carries restate-server ${OLDEST_SUPPORTED} to ${NEWEST_SUPPORTED} (1.6.x and 1.7.x)`,
      });
    }
    return findings;
  },
};
