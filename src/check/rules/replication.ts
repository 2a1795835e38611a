import { replicationOf as replicationOfNodes } from '../../restate/services.js';
import { describeTolerance, faultTolerance, replicationFits } from '../../restate/tolerance.js';
import type { Finding, ProjectRule, RuleContext } from './rule.js';

/** The replication the nodes are provisioned with, and what carries it. */
const replicationOf = ({ nodes }: RuleContext) => replicationOfNodes(nodes.map((n) => n.restate.settings));

export const replication: ProjectRule = {
  id: 'replication',
  summary: 'replication is at most the number of log servers',
  fix: 'lower RESTATE_DEFAULT_REPLICATION, or run the log-server role on more nodes',
  appliesTo: 'cluster',
  check: (c) => {
    const { replication, logServers } = replicationOf(c);
    if (replication === undefined || replicationFits(replication, logServers)) return [];
    return [
      {
        severity: 'error',
        rule: 'replication',
        variable: 'RESTATE_DEFAULT_REPLICATION',
        message: `replication ${replication} needs ${replication} log servers; the file has ${logServers}, so nothing can be written`,
      },
    ];
  },
};

export const faultToleranceRule: ProjectRule = {
  id: 'fault-tolerance',
  summary: 'states the failures the cluster tolerates, and warns below 2R−1 log servers',
  fix: 'run the log-server role on at least 2R−1 nodes, or lower RESTATE_DEFAULT_REPLICATION',
  appliesTo: 'cluster',
  check: (c) => {
    const { replication, logServers, metadataServers } = replicationOf(c);
    if (replication === undefined || !replicationFits(replication, logServers)) return [];
    const t = faultTolerance(logServers, replication, Math.max(1, metadataServers));
    const findings: Finding[] = [
      {
        severity: 'info',
        rule: 'fault-tolerance',
        message: `${c.nodes.length} node(s): ${describeTolerance(t, replication).join('; ')}`,
      },
    ];
    if (t.belowRecommendedSize && replication > 1) {
      findings.push({
        severity: 'warning',
        rule: 'fault-tolerance',
        variable: 'RESTATE_DEFAULT_REPLICATION',
        message: `${logServers} log servers < 2×${replication}−1: the cluster works but tolerates ${t.logFailuresTolerated} node failure(s), not ${replication - 1}`,
      });
    }
    return findings;
  },
};
