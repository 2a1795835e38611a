import type { ServiceRule } from './rule.js';

export const configFile: ServiceRule = {
  id: 'config-file',
  summary:
    "each Restate node's TOML file (--config-file, -c, RESTATE_CONFIG) and its flags are read from this directory, so its settings can be judged",
  fix: 'mount the TOML file from the compose directory (volumes: - ./restate.toml:/etc/restate/restate.toml:ro, or configs:), and give restate-server its flags in command:',
  each: 'node',
  check: (s) =>
    s.restate.problems.map((problem) => ({
      severity: problem.stops ? 'error' : 'warning',
      rule: 'config-file',
      service: s.name,
      message: problem.message,
    })),
};
