import { DateTime, Settings } from 'luxon';
import {
  RULES,
  NOT_CHECKED,
  evaluateTarget,
  formatRuleList,
  ruleById,
  ruleMetaById,
  defaultRuleContext,
} from '../../../lib/rules';
import type { Rule } from '../../../lib/rules/types';
import { TARGET_KINDS } from '../../../lib/domain/target';
import {
  CLOUD_REF,
  ctxAt,
  emptyCloud,
  emptyConnector,
  healthyCloud,
  healthyConnector,
} from '../../support/inventoryBuilder';

const RULES_MD_IDS = [
  'hcx-version-end-of-support',
  'hcx-version-below-baseline',
  'hcx-site-pair-version-skew',
  'hcx-appliance-outdated',
  'hcx-wan-optimization-enabled',
  'hcx-disaster-recovery-in-use',
  'hcx-v2t-migration-in-use',
  'hcx-activation-key-expiry',
  'hcx-legacy-activation-endpoint',
  'hcx-manager-connection-unhealthy',
  'hcx-site-pair-unhealthy',
  'hcx-service-mesh-degraded',
  'hcx-migrations-in-progress',
  'hcx-network-extension-without-ha',
  'hcx-ne-ha-group-degraded',
  'hcx-ne-appliance-ha-incompatible',
  'hcx-network-extension-long-lived',
  'hcx-endpoint-unreachable',
  'hcx-scan-stale',
  'avs-hcx-addon-missing',
  // Prerequisites the source documents state that RULES.md's first catalog did not check (issue 11).
  'hcx-operations-queued',
  'hcx-ne-ha-prerequisites-unmet',
  'hcx-vsphere-version-legacy',
  'hcx-local-domain-dns',
  'hcx-service-mesh-upgrade-order',
  // Upgrade windows (issue 16).
  'hcx-upgrade-not-converged',
  'hcx-upgrade-window-blocked',
];

describe('rule catalog', () => {
  test('has exactly the rules of RULES.md, each once', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual([...RULES_MD_IDS].sort());
    for (const id of RULES_MD_IDS) expect(ruleById(id)?.id).toBe(id);
    expect(ruleById('no-such-rule')).toBeUndefined();
  });

  test('user-facing references are public documents (URL or KB), never internal file names', () => {
    for (const r of RULES) {
      for (const ref of r.references) expect(ref.source).toMatch(/^(https:\/\/|Broadcom KB \d+|VMware KB \d+)/);
      expect(`${r.remediation} ${r.references.map((x) => x.title).join(' ')}`).not.toMatch(/seeds?[ /]0\d\d/i);
    }
    for (const n of NOT_CHECKED) for (const ref of n.references) expect(ref.source).toMatch(/^https:\/\//);
  });

  test('every rule has metadata an operator can act on', () => {
    for (const r of RULES) {
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.references.length).toBeGreaterThan(0);
      expect(r.remediation.length).toBeGreaterThan(80);
      expect(r.needs.length).toBeGreaterThan(0);
      expect(r.appliesTo.length).toBeGreaterThan(0);
      for (const k of TARGET_KINDS) expect(['microsoft', 'customer']).toContain(r.owner[k]);
    }
  });

  test('Microsoft owns only the Cloud Manager version rules on private clouds', () => {
    const microsoft = RULES.filter((r) => r.owner['avs-private-cloud'] === 'microsoft').map((r) => r.id);
    expect(microsoft.sort()).toEqual(['hcx-version-below-baseline', 'hcx-version-end-of-support']);
    expect(RULES.every((r) => r.owner['hcx-connector'] === 'customer')).toBe(true);
  });

  test('remediation carries the seed notes', () => {
    const all = RULES.map((r) => r.remediation).join('\n');
    expect(ruleById('hcx-version-end-of-support')?.remediation).toMatch(/AVS_Official_HCX_Connector_Binaries/);
    expect(ruleById('hcx-version-end-of-support')?.remediation).toMatch(/4\.9\.2/);
    expect(ruleById('hcx-version-end-of-support')?.remediation).toMatch(/4\.4\.2/);
    expect(ruleById('hcx-version-end-of-support')?.remediation).toMatch(/together/);
    expect(ruleById('hcx-migrations-in-progress')?.remediation).toMatch(/no queued HCX operations/);
    expect(ruleById('hcx-network-extension-without-ha')?.remediation).toMatch(
      /\(Enterprise\).*four.*at least 2.*4\.3\.0.*no networks extended/s,
    );
    expect(all).not.toMatch(/TODO/);
  });
});

describe('empty inventory: nothing collected is never a pass', () => {
  test.each([
    ['hcx-connector', emptyConnector],
    ['avs-private-cloud', emptyCloud],
  ])('%s: every rule is unknown or not_applicable', (_kind, make) => {
    const inv = make();
    const ctx = defaultRuleContext({ asOf: '2026-03-01T00:00:00Z' });
    for (const rule of RULES) {
      const evals = rule.evaluate(inv, ctx);
      expect([rule.id, evals.length > 0]).toEqual([rule.id, true]);
      for (const e of evals) {
        expect([rule.id, e.subjectId, e.status]).toEqual([
          rule.id,
          e.subjectId,
          expect.stringMatching(/^(unknown|not_applicable)$/),
        ]);
        expect(e.evidence.source).toMatch(/^(arm|hcx|appliance|operator|observed|catalog|inferred)$/);
      }
    }
  });
});

describe('healthy inventories', () => {
  test.each([
    ['hcx-connector', healthyConnector],
    ['avs-private-cloud', healthyCloud],
  ])('%s: every applicable rule passes', (_kind, make) => {
    const evals = evaluateTarget(make(), ctxAt());
    const notPassing = evals.filter((e) => e.status !== 'pass' && e.status !== 'not_applicable');
    expect(notPassing).toEqual([]);
    expect(evals.filter((e) => e.status === 'pass').length).toBeGreaterThan(15);
  });

  test('subject ids are stable across scans', () => {
    const a = evaluateTarget(healthyConnector(), ctxAt('2026-03-01T00:00:00Z')).map(
      (e) => `${e.ruleId}/${e.subjectId}`,
    );
    const b = evaluateTarget(
      healthyConnector({ collectedAt: '2026-03-02T05:00:00Z' }),
      ctxAt('2026-03-02T06:00:00Z'),
    ).map((e) => `${e.ruleId}/${e.subjectId}`);
    expect(b).toEqual(a);
    expect(a).toEqual(
      expect.arrayContaining([
        'hcx-version-end-of-support/manager',
        'hcx-site-pair-unhealthy/20250101000000000-aaaa-bbbb',
        'hcx-service-mesh-degraded/mesh-1',
        'hcx-manager-connection-unhealthy/vcenter',
        'hcx-endpoint-unreachable/appliance-management',
        'hcx-scan-stale/target',
      ]),
    );
  });
});

describe('evaluateTarget', () => {
  test('a rule that throws yields an unknown naming the error, and the other rules still run', () => {
    const boom: Rule = {
      ...RULES[0],
      id: 'test-boom',
      evaluate() {
        throw new TypeError('cannot read x of undefined');
      },
    };
    const evals = evaluateTarget(healthyConnector(), ctxAt(), [boom, RULES[1]]);
    expect(evals[0]).toMatchObject({ ruleId: 'test-boom', subjectId: '*', status: 'unknown' });
    expect(evals[0].message).toMatch(/TypeError: cannot read x of undefined/);
    expect(evals[1]).toMatchObject({ ruleId: RULES[1].id, status: 'pass' });
  });

  test('the unknown of a throwing rule is on all subjects of the target, its message cut to 200 characters, its evidence naming the error type', () => {
    const long: Rule = {
      ...RULES[0],
      id: 'test-long',
      evaluate() {
        throw new RangeError(`${'x'.repeat(300)}TAIL`);
      },
    };
    const [e] = evaluateTarget(healthyConnector(), ctxAt(), [long]);
    expect(e).toMatchObject({ subjectId: '*', subjectName: 'all subjects', subjectKind: 'target', status: 'unknown' });
    expect(e.message).toBe(
      `Rule test-long failed to evaluate (RangeError: ${'x'.repeat(200)}); its verdict is unknown.`,
    );
    expect(e.evidence).toEqual({ source: 'inferred', error: 'RangeError' });
  });

  test('a rule that throws something other than an Error is still an unknown, named as a plain Error', () => {
    const odd: Rule = {
      ...RULES[0],
      id: 'test-odd',
      evaluate() {
        throw 'not an Error object';
      },
    };
    const [e] = evaluateTarget(healthyConnector(), ctxAt(), [odd]);
    expect(e).toMatchObject({
      ruleId: 'test-odd',
      status: 'unknown',
      evidence: { source: 'inferred', error: 'Error' },
    });
    expect(e.message).toContain('(Error: not an Error object)');
  });

  test('a private cloud without the HCX add-on: add-on rule fails (info), HCX rules are not applicable', () => {
    const inv = {
      ...emptyCloud(),
      arm: { subscriptionId: 's', resourceGroup: 'rg', privateCloudName: 'pc', hcxAddon: null },
    };
    const evals = evaluateTarget(inv, ctxAt());
    const addon = evals.filter((e) => e.ruleId === 'avs-hcx-addon-missing');
    expect(addon).toEqual([expect.objectContaining({ status: 'fail', severity: 'info', targetId: CLOUD_REF.id })]);
    const others = evals.filter((e) => e.ruleId !== 'avs-hcx-addon-missing');
    expect(others.length).toBe(RULES.length - 1);
    expect(others.every((e) => e.status === 'not_applicable')).toBe(true);
  });

  test('asOf changes verdicts: 4.11.3 is high on 2027-09-01, pass on 2026-11-21', () => {
    const eos = (asOf: string) =>
      evaluateTarget(healthyConnector(), ctxAt(asOf)).find((e) => e.ruleId === 'hcx-version-end-of-support');
    expect(eos('2027-09-01T00:00:00Z')).toMatchObject({
      status: 'fail',
      severity: 'high',
      deadline: { date: '2027-10-11', daysLeft: 40, band: 'd90' },
    });
    expect(eos('2026-11-21T00:00:00Z')).toMatchObject({ status: 'pass' });
  });

  test('defaultRuleContext rejects an invalid asOf and fills defaults', () => {
    expect(() => defaultRuleContext({ asOf: 'yesterday' })).toThrow(/asOf/);
    const ctx = defaultRuleContext({ asOf: '2026-01-01T00:00:00Z', settings: { extensionMaxDays: 45 } });
    expect(ctx.settings).toEqual({ extensionMaxDays: 45, scanPeriodHours: 24 });
    expect(ctx.history.versions).toEqual([]);
    expect(ctx.catalog.baseline).toBe('4.11.3');
  });

  test('defaultRuleContext without asOf evaluates as of now, with no facts', () => {
    const before = DateTime.utc().toMillis();
    const ctx = defaultRuleContext();
    expect(ctx.asOf.toMillis()).toBeGreaterThanOrEqual(before);
    expect(ctx.asOf.toMillis()).toBeLessThanOrEqual(DateTime.utc().toMillis());
    expect(ctx.facts).toEqual([]);
    expect(ctx.connectorKeys).toEqual([]);
  });

  test('defaultRuleContext reads asOf in UTC whatever the local zone, from a string or a DateTime', () => {
    const zone = Settings.defaultZone;
    // A zone 14 h ahead of UTC: a date read in local time would fall on the next calendar day.
    Settings.defaultZone = 'Pacific/Kiritimati';
    try {
      const fromString = defaultRuleContext({ asOf: '2026-03-01T23:00:00Z' }).asOf;
      expect([fromString.toISODate(), fromString.hour, fromString.offset]).toEqual(['2026-03-01', 23, 0]);
      const fromDateTime = defaultRuleContext({
        asOf: DateTime.fromISO('2026-03-02T13:00:00+14:00', { setZone: true }),
      }).asOf;
      expect([fromDateTime.toISODate(), fromDateTime.hour, fromDateTime.offset]).toEqual(['2026-03-01', 23, 0]);
    } finally {
      Settings.defaultZone = zone;
    }
  });
});

describe('rule listing', () => {
  test('lists every rule and the items that are not checked, with the reason', () => {
    const list = formatRuleList();
    // The engine's rules, then the one the scan judges from discovery (avs-discovery-scope-unreadable).
    expect(list.rules.map((r) => r.id)).toEqual([...RULES.map((r) => r.id), 'avs-discovery-scope-unreadable']);
    expect(list.rules[0]).toEqual(
      expect.objectContaining({
        id: 'hcx-version-end-of-support',
        family: 'lifecycle',
        severity: 'critical',
        owner: { 'avs-private-cloud': 'microsoft', 'hcx-connector': 'customer' },
      }),
    );
    expect(list.notChecked).toBe(NOT_CHECKED);
    // Filters and suppressions resolve the scan's own rule as well as the engine's.
    expect(ruleMetaById('avs-discovery-scope-unreadable')?.id).toBe('avs-discovery-scope-unreadable');
    expect(ruleMetaById('hcx-scan-stale')?.id).toBe('hcx-scan-stale');
    expect(ruleMetaById('no-such-rule')).toBeUndefined();
    expect(list.notChecked.map((n) => n.title).join()).toMatch(/vCenter Server plug-in.*Tracking/);
    expect(list.notChecked.map((n) => n.id)).toEqual(
      expect.arrayContaining([
        'hcx-connector-backup-before-upgrade',
        'hcx-connector-snapshot-before-upgrade',
        'hcx-cloud-director-rmq-connection',
      ]),
    );
    for (const n of list.notChecked) expect(n.reason.length).toBeGreaterThan(40);
    expect(list.catalog.baseline).toBe('4.11.3');
    // Every rule says what to do in one sentence (the "do:" line of `hcxmon rules`), besides its full remediation.
    for (const r of list.rules) {
      expect({ id: r.id, action: r.action }).toEqual({ id: r.id, action: expect.stringMatching(/^[A-Z].{20,200}\.$/) });
      expect(r.remediation.length).toBeGreaterThan(r.action.length);
    }
  });
});
