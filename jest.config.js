/** Two projects: `unit` is pure (no I/O, no servers); `integration` gets a real Azurite from globalSetup
 *  and starts lab servers itself. e2e tests (CLI, HTTP host) live in the integration project. */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/test/support/fakeFunctionsCore.ts' },
  // StrykerJS sandboxes (npm run test:mutation) hold a copy of the project: never a module or a test of this run.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
};
module.exports = {
  // Integration tests start servers and scan a whole lab estate; unit tests finish far below this.
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      // test/security/ reproduces attacks against the real code paths (queue worker, ARM pipeline, local host, CSV).
      testMatch: [
        '<rootDir>/test/integration/**/*.test.ts',
        '<rootDir>/test/e2e/**/*.test.ts',
        '<rootDir>/test/security/**/*.test.ts',
      ],
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
  ],
};
