/** StrykerJS runs the tests where the verdict core's behaviour is pinned: the unit tests of lib/rules, lib/findings,
 *  the HCX parser, the inventory assembly and the API validation, plus the HTTPS lab collection test, because what
 *  inventory.ts does with a refused, slow, 5xx or half-answered HCX is only observable over the wire (the lab needs
 *  no Azurite, and findRelatedTests loads it only for parse.ts and inventory.ts mutants). The other unit files (HTTP
 *  handlers over an in-memory store, infra, bench) import the whole app and would multiply the run time without
 *  being where these files' behaviour is pinned. */
const root = require('./jest.config.js');
const unit = root.projects.find((p) => p.displayName === 'unit');
const { displayName: _name, testMatch: _all, ...config } = unit;
module.exports = {
  ...config,
  rootDir: __dirname,
  testTimeout: root.testTimeout,
  testMatch: [
    '<rootDir>/test/unit/rules/**/*.test.ts',
    '<rootDir>/test/unit/reconcile.test.ts',
    '<rootDir>/test/unit/findings.test.ts',
    '<rootDir>/test/unit/urgency.test.ts',
    '<rootDir>/test/unit/finding-view.test.ts',
    '<rootDir>/test/unit/finding-view-shape.test.ts',
    '<rootDir>/test/unit/finding-totals.test.ts',
    '<rootDir>/test/unit/finding-ids.test.ts',
    '<rootDir>/test/unit/finding-facts.test.ts',
    '<rootDir>/test/unit/urgency-order.test.ts',
    '<rootDir>/test/unit/upgrade.test.ts',
    '<rootDir>/test/unit/collect-parse.test.ts',
    '<rootDir>/test/unit/collect-inventory.test.ts',
    '<rootDir>/test/unit/collect-avs.test.ts',
    '<rootDir>/test/unit/api-validate.test.ts',
    '<rootDir>/test/integration/collect-lab.test.ts',
  ],
};
