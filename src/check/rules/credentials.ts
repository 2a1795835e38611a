import { isWellKnownSecret } from '../../credentials.js';
import type { ServiceRule } from './rule.js';

export const credentials: ServiceRule = {
  id: 'credentials',
  summary: 'no password or secret key is a well-known default',
  fix: 'generate a secret',
  each: 'service',
  check: (s) =>
    Object.entries({ ...s.environment, ...s.restate.settings })
      .filter(([name, value]) => /(PASSWORD|SECRET_ACCESS_KEY)$/.test(name) && isWellKnownSecret(value))
      .map(([name, value]) => ({
        severity: 'warning',
        rule: 'credentials',
        service: s.name,
        variable: name,
        message: `"${value}" is a well-known default: anyone who reaches the port can use it`,
      })),
};
