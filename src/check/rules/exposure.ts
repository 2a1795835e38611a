import { isIP } from 'node:net';
import { ENDPOINT_INFO, endpointKindOf } from '../../restate/endpoints.js';
import type { Finding, ServiceRule } from './rule.js';

/**
 * Endpoints with no authentication (Restate's admin API and fabric port, MinIO's API and
 * console) published where the network reaches them. Under compose that is any host address
 * but loopback; in a stack file, publishing them at all, since Swarm's host-mode ports listen
 * on every interface and cannot be bound to one address.
 */
export const exposure: ServiceRule = {
  id: 'exposure',
  summary: 'endpoints without authentication are not published where the network reaches them',
  fix: 'publish them on 127.0.0.1 (under Swarm: not at all; use docker exec)',
  each: 'service',
  check: (s, { swarm }) => {
    const findings: Finding[] = [];
    for (const p of s.ports) {
      const kind = endpointKindOf(s, p.target);
      const risk = kind && ENDPOINT_INFO[kind].risk;
      if (!kind || !risk || p.published === undefined) continue;
      const { title } = ENDPOINT_INFO[kind];
      if (swarm) {
        findings.push({
          severity: 'warning',
          rule: 'exposure',
          service: s.name,
          message: `publishes its ${title} (${p.spec}): under Swarm it listens on every interface of the host (${risk}); leave it unpublished and reach it from a container on the stack's network`,
        });
      } else if (p.hostIp !== undefined && !isIP(p.hostIp)) {
        continue; // not an address at all: the ports rule reports it
      } else if (!p.hostIp || !(p.hostIp.startsWith('127.') || p.hostIp === '::1')) {
        findings.push({
          severity: 'warning',
          rule: 'exposure',
          service: s.name,
          message: `publishes its ${title} on ${p.hostIp ?? 'every interface'} (${p.spec}), where the network reaches it (${risk}); publish it on 127.0.0.1 unless other machines must reach it`,
        });
      }
    }
    return findings;
  },
};
