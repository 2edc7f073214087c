/** `npm run test:faults`: the full fault-injection suite (not part of `npm test`; a slice of it is, in
 *  test/integration/faults.test.ts). FAULT_SEED=<n> replays a run; the seed is printed by every test. */
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/test/support/fakeFunctionsCore.ts' },
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 180000,
};
