import { autoProvisions } from '../../restate/services.js';
import type { ProjectRule } from './rule.js';

/** Provisioning: the default is true, so every node but one must say false. */
export const singleAutoProvision: ProjectRule = {
  id: 'single-auto-provision',
  summary: 'at most one node auto-provisions (Restate defaults to true), and one does',
  fix: 'set RESTATE_AUTO_PROVISION: "false" on all nodes but one',
  appliesTo: 'cluster',
  // Refused before anything starts: booting would prove nothing either way, since whether such
  // nodes form one cluster or two is a race (seen both ways here: usually two, but under load
  // the second node sometimes finds the first one's cluster and joins it).
  refusesRehearsal: true,
  check: ({ nodes }) => {
    const provisioners = nodes.filter((n) => autoProvisions(n.restate.settings));
    if (provisioners.length === 0)
      return [
        {
          severity: 'warning',
          rule: 'single-auto-provision',
          // Right for a cluster that is already provisioned (files whose provisioning node was
          // replaced without a guard against a second cluster), so the text says both.
          message:
            'no node auto-provisions: started fresh from these files, the cluster does nothing until someone runs "restatectl provision" (right for a running cluster whose provisioning node was replaced)',
        },
      ];
    if (provisioners.length === 1) return [];
    return provisioners.map((n) => ({
      severity: 'error',
      rule: 'single-auto-provision',
      service: n.name,
      variable: 'RESTATE_AUTO_PROVISION',
      message: `${n.restate.settings.RESTATE_AUTO_PROVISION === undefined ? "not set, so true (Restate's default)" : `"${n.restate.settings.RESTATE_AUTO_PROVISION}"`}: ${provisioners.length} nodes would auto-provision (${provisioners.map((p) => p.name).join(', ')}); at most one may, or each forms a cluster of its own`,
    }));
  },
};
