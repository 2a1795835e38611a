import type { ServiceRule } from './rule.js';

export const swarmEnvString: ServiceRule = {
  id: 'swarm-env-string',
  summary: 'every environment value is a string (docker stack deploy refuses unquoted numbers and booleans)',
  fix: 'quote the value',
  appliesTo: 'stack',
  each: 'service',
  check: (s) =>
    Object.entries(s.nonStringEnvironment).map(([name, value]) => ({
      severity: 'error',
      rule: 'swarm-env-string',
      service: s.name,
      variable: name,
      message: `${JSON.stringify(value)} is a ${typeof value}: docker stack deploy accepts only strings here; quote it ("${value}")`,
    })),
};

export const swarmDependsOn: ServiceRule = {
  id: 'swarm-depends-on',
  summary: 'no service relies on depends_on, which Swarm ignores',
  fix: 'let each service wait for what it needs itself (Restate nodes retry their peers and the metadata store)',
  appliesTo: 'stack',
  each: 'service',
  check: (s) => {
    const names = Object.keys(s.dependsOn);
    if (names.length === 0) return [];
    return [
      {
        severity: 'warning',
        rule: 'swarm-depends-on',
        service: s.name,
        message: `depends_on (${names.join(', ')}) is ignored by Swarm: nothing waits for it, so the service must cope on its own`,
      },
    ];
  },
};

export const swarmPorts: ServiceRule = {
  id: 'swarm-ports',
  summary: 'a dnsrr service publishes its ports in host mode (Swarm refuses ingress mode with dnsrr)',
  fix: 'publish the ports with mode: host',
  appliesTo: 'stack',
  each: 'service',
  check: (s) => {
    if (s.deploy?.endpointMode !== 'dnsrr' || !s.ports.some((p) => p.mode !== 'host')) return [];
    return [
      {
        severity: 'error',
        rule: 'swarm-ports',
        service: s.name,
        message:
          'endpoint_mode dnsrr with ports not in host mode: Swarm refuses the service (publish them with mode: host)',
      },
    ];
  },
};
