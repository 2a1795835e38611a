// Jest runs in ESM mode (npm test passes --experimental-vm-modules) because yargs 18 is
// ESM-only; ts-jest only transpiles here, `npm run typecheck` does the type checking once.
export default {
  testEnvironment: 'node',
  reporters: ['default', '<rootDir>/tests/summary-reporter.cjs'],
  globalSetup: '<rootDir>/tests/global-setup.cjs',
  roots: ['<rootDir>/tests'],
  // With an engine prepared, one test file at a time: the engine suites share one engine and
  // its ports, the day-two drill restarts the daemon, and the gaps they measure need the CPU.
  ...(process.env.GEN_COMPOSE_ENGINE ? { maxWorkers: 1 } : {}),
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
};
