import { isIP } from 'node:net';
import type { Finding, ProjectRule } from './rule.js';
import { isPort, PORT_RANGE_TEXT } from '../../docker/ports.js';

/** Published host ports: addresses compose accepts, ports in range, none published twice. */
export const ports: ProjectRule = {
  id: 'ports',
  summary: `published host ports bind to an IP address, lie in ${PORT_RANGE_TEXT}, and no two services publish one`,
  fix: 'give each published port its own host port (the *_PORT_OVERRIDE variables, or gen-compose --port-offset)',
  refusesRehearsal: true,
  check: ({ project }) => {
    const findings: Finding[] = [];
    const owners = new Map<string, string>();
    for (const s of project.services) {
      const say = (message: string) => findings.push({ severity: 'error', rule: 'ports', service: s.name, message });
      for (const p of s.ports) {
        if (p.published === undefined) continue;
        if (p.hostIp !== undefined && !isIP(p.hostIp)) {
          say(`"${p.hostIp}" (${p.spec}) is no IP address: compose refuses the file ("Invalid ip address")`);
          continue;
        }
        if (!isPort(p.published)) {
          say(`host port ${p.published} (${p.spec}) is outside ${PORT_RANGE_TEXT}`);
          continue;
        }
        const key = `${p.protocol}/${p.published}`;
        const owner = owners.get(key);
        if (owner) say(`host port ${p.published} is already published by ${owner}`);
        else owners.set(key, s.name);
      }
    }
    return findings;
  },
};
