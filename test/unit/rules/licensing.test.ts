import { ruleById } from '../../../lib/rules';
import type { Inventory, Licensing } from '../../../lib/domain/inventory';
import type { RuleContext } from '../../../lib/rules/types';
import {
  CLOUD_REF,
  CONNECTOR_REF,
  ctxAt,
  fact,
  healthyCloud,
  healthyConnector,
  observation,
} from '../../support/inventoryBuilder';

const expiry = (inv: Inventory, ctx: RuleContext) => ruleById('hcx-activation-key-expiry')!.evaluate(inv, ctx);
const activationKey: Licensing = { model: 'activation-key', keyLast4: 'K3Y9' };
const connector = (over: Partial<Inventory> = {}) => healthyConnector({ licensing: activationKey, ...over });

describe('hcx-activation-key-expiry: Connector', () => {
  test('pinned: a Connector upgraded to 4.11.0 on 2025-08-14 has keys that die on 2026-11-07', () => {
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z', { facts: [fact(CONNECTOR_REF.id, '2025-08-14')] }));
    expect(e).toMatchObject({
      status: 'fail',
      subjectId: 'manager',
      deadline: { date: '2026-11-07', basis: 'operator' },
      evidence: { source: 'operator', upgradedTo411At: '2025-08-14' },
    });
    expect(e.severity).toBe('low'); // 251 days left
    expect(e.message).not.toContain('K3Y9'.repeat(2));
  });

  test.each([
    ['2026-11-07', 'critical', 'passed'],
    ['2026-11-08', 'critical', 'passed'],
    ['2026-10-08', 'critical', 'd30'],
    ['2026-10-07', 'high', 'd90'],
    ['2026-08-09', 'high', 'd90'],
    ['2026-08-08', 'medium', 'd180'],
    ['2026-05-11', 'medium', 'd180'],
    ['2026-05-10', 'low', 'later'],
  ])('on %s → %s (%s)', (asOf, severity, band) => {
    const [e] = expiry(connector(), ctxAt(`${asOf}T12:00:00Z`, { facts: [fact(CONNECTOR_REF.id, '2025-08-14')] }));
    expect(e).toMatchObject({ status: 'fail', severity, deadline: { band } });
  });

  test('basis order: appliance expiry beats the operator fact, which beats history', () => {
    const ctx = ctxAt('2026-03-01T00:00:00Z', {
      facts: [fact(CONNECTOR_REF.id, '2025-08-14')],
      history: {
        versions: [
          observation('4.10.3', '2025-01-01T05:00:00Z', '2025-06-01T05:00:00Z'),
          observation('4.11.0', '2025-06-02T05:00:00Z', '2026-03-01T05:00:00Z'),
        ],
      },
    });
    const [a] = expiry(
      connector({ licensing: { ...activationKey, activationExpiresAt: '2026-09-30T23:00:00Z' } }),
      ctx,
    );
    expect(a.deadline).toMatchObject({ date: '2026-09-30', basis: 'appliance' });
    const [o] = expiry(connector(), ctx);
    expect(o.deadline).toMatchObject({ date: '2026-11-07', basis: 'operator' });
  });

  test('a fact for the subject beats a fact for the target', () => {
    const ctx = ctxAt('2026-03-01T00:00:00Z', {
      facts: [fact(CONNECTOR_REF.id, '2025-08-14'), fact(CONNECTOR_REF.id, '2025-09-01', { subjectId: 'manager' })],
    });
    expect(expiry(connector(), ctx)[0].deadline?.date).toBe('2026-11-25');
  });

  test('observed: the history bracket uses the earlier bound and shows both dates', () => {
    const ctx = ctxAt('2026-03-01T00:00:00Z', {
      history: {
        versions: [
          observation('4.9.2', '2024-06-01T05:00:00Z', '2025-01-01T05:00:00Z'),
          observation('4.10.3', '2025-01-02T05:00:00Z', '2025-08-10T05:00:00Z'),
          observation('4.11.0', '2025-08-20T05:00:00Z', '2025-12-01T05:00:00Z'),
          observation('4.11.3', '2025-12-02T05:00:00Z', '2026-03-01T05:00:00Z'),
        ],
      },
    });
    const [e] = expiry(connector(), ctx);
    expect(e).toMatchObject({
      status: 'fail',
      deadline: { date: '2026-11-03', latestDate: '2026-11-13', basis: 'observed' },
    });
    expect(e.message).toMatch(/2025-08-10.*2025-08-20/);
    expect(e.evidence).toMatchObject({
      source: 'observed',
      earliestDeadline: '2026-11-03',
      latestDeadline: '2026-11-13',
    });
  });

  test('observed: the bracket does not depend on the order of the history', () => {
    const versions = [
      observation('4.11.3', '2025-12-02T05:00:00Z', '2026-03-01T05:00:00Z'),
      observation('4.10.3', '2025-01-02T05:00:00Z', '2025-08-10T05:00:00Z'),
      observation('4.11.0', '2025-08-20T05:00:00Z', '2025-12-01T05:00:00Z'),
      observation('4.9.2', '2024-06-01T05:00:00Z', '2025-01-01T05:00:00Z'),
    ];
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z', { history: { versions } }));
    expect(e.deadline).toMatchObject({ date: '2026-11-03', latestDate: '2026-11-13', basis: 'observed' });
  });

  test('observed: a downgrade below 4.11 after the first 4.11 sighting keeps the EARLY deadline (bracket not inverted)', () => {
    // 4.11.0 first seen 2025-08-20, then back on 4.10.3 until 2025-10-01: "between 2025-10-01 and 2025-08-20" is
    // no bracket; the first 4.11 sighting is all that is known, and its deadline (2026-11-13) is the one to meet.
    const versions = [
      observation('4.10.3', '2025-01-02T05:00:00Z', '2025-08-10T05:00:00Z'),
      observation('4.11.0', '2025-08-20T05:00:00Z', '2025-09-01T05:00:00Z'),
      observation('4.10.3', '2025-09-02T05:00:00Z', '2025-10-01T05:00:00Z'),
      observation('4.11.3', '2025-10-05T05:00:00Z', '2026-03-01T05:00:00Z'),
    ];
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z', { history: { versions } }));
    expect(e).toMatchObject({ status: 'fail', deadline: { date: '2026-11-13', basis: 'observed' } });
    expect(e.deadline?.latestDate).toBeUndefined();
    expect(e.message).toMatch(/2026-11-13 \(257 days left\) at the latest/);
  });

  test('only an upper bound → fail with the "at the latest" deadline, asking for the fact with the exact command', () => {
    const [e] = expiry(
      connector(),
      ctxAt('2026-03-01T00:00:00Z', {
        history: { versions: [observation('4.11.3', '2025-12-02T05:00:00Z', '2026-03-01T05:00:00Z')] },
      }),
    );
    expect(e).toMatchObject({ status: 'fail', severity: 'high', deadline: { date: '2027-02-25', basis: 'observed' } });
    expect(e.message).toContain('hcxmon fact set connector:onprem-1 upgradedTo411At YYYY-MM-DD');
    expect(e.message).toMatch(/2027-02-25 \(361 days left\) at the latest/);
  });

  test('license-key model → pass; below 4.11.0 → not_applicable; version missing → unknown', () => {
    expect(expiry(healthyConnector(), ctxAt())[0].status).toBe('pass');
    expect(expiry(connector({ manager: { version: '4.10.3' } }), ctxAt())[0].status).toBe('not_applicable');
    expect(expiry(connector({ manager: undefined }), ctxAt())[0].status).toBe('unknown');
  });

  test('licensing not collected: the deadline is reported but the verdict stays unknown', () => {
    const [e] = expiry(
      connector({ licensing: undefined }),
      ctxAt('2026-03-01T00:00:00Z', { facts: [fact(CONNECTOR_REF.id, '2025-08-14')] }),
    );
    expect(e).toMatchObject({ status: 'unknown', deadline: { date: '2026-11-07' } });
    expect(e.message).toMatch(/not collected/);
  });
});

describe('hcx-activation-key-expiry: private cloud enterprise sites', () => {
  const sites = [
    { name: 'site-a', keyLast4: 'AAAA', status: 'Consumed' },
    { name: 'site-b', keyLast4: 'BBBB', status: 'Available' },
    { name: 'site-c', keyLast4: 'CCCC', status: 'Consumed' },
  ];
  const cloud = () => healthyCloud({ arm: { ...healthyCloud().arm!, enterpriseSites: sites } });

  test('each Consumed key is a subject; a per-site fact gives its deadline, others ask for the fact', () => {
    const evals = expiry(
      cloud(),
      ctxAt('2026-03-01T00:00:00Z', { facts: [fact(CLOUD_REF.id, '2025-08-14', { subjectId: 'site-a' })] }),
    );
    expect(evals.map((e) => e.subjectId)).toEqual(['site-a', 'site-c']);
    expect(evals[0]).toMatchObject({
      status: 'fail',
      subjectKind: 'enterprise-site',
      deadline: { date: '2026-11-07', basis: 'operator' },
    });
    // A consumed key that will die is a visible risk: it fails (pages) even without a date.
    expect(evals[1]).toMatchObject({ status: 'fail', severity: 'high' });
    expect(evals[1].message).toContain(`hcxmon fact set ${CLOUD_REF.id} upgradedTo411At YYYY-MM-DD`);
    // The Cloud Manager's 2025-07-27 bound is a hint only, not a deadline basis.
    expect(evals[1].message).toMatch(/2026-10-20/);
    expect(evals[1].deadline).toBeUndefined();
  });

  test("the Cloud Manager's own history is not a basis for a Connector's key", () => {
    const ctx = ctxAt('2026-03-01T00:00:00Z', {
      history: {
        versions: [
          observation('4.10.3', '2025-01-01T00:00:00Z', '2025-07-01T00:00:00Z'),
          observation('4.11.0', '2025-07-02T00:00:00Z', '2026-03-01T00:00:00Z'),
        ],
      },
    });
    const evals = expiry(cloud(), ctx);
    expect(evals.length).toBeGreaterThan(0);
    for (const e of evals) expect(e.deadline).toBeUndefined();
  });

  test('a target-level fact applies to every key; sites not collected → * unknown; none consumed → no subjects', () => {
    const evals = expiry(cloud(), ctxAt('2026-03-01T00:00:00Z', { facts: [fact(CLOUD_REF.id, '2025-08-14')] }));
    expect(evals.map((e) => e.status)).toEqual(['fail', 'fail']);
    expect(expiry(healthyCloud({ arm: { ...healthyCloud().arm!, enterpriseSites: undefined } }), ctxAt())).toEqual([
      expect.objectContaining({ subjectId: '*', status: 'unknown' }),
    ]);
    expect(expiry(healthyCloud(), ctxAt())).toEqual([]);
  });
});

describe('hcx-legacy-activation-endpoint', () => {
  const legacy = (inv: Inventory) => ruleById('hcx-legacy-activation-endpoint')!.evaluate(inv, ctxAt())[0];
  const old = (licensing: Licensing | undefined) => healthyConnector({ manager: { version: '4.10.3' }, licensing });

  test.each(['https://connect.hcx.vmware.com', 'https://hybridity-depot.vmware.com/', 'connect.hcx.vmware.com'])(
    'below 4.11.0 activating against %s → high',
    (url) => {
      expect(legacy(old({ model: 'activation-key', activationServerUrl: url }))).toMatchObject({
        status: 'fail',
        severity: 'high',
      });
    },
  );

  test('another server → pass; 4.11.0+ → pass; licensing missing → unknown; private cloud → not_applicable', () => {
    expect(legacy(old({ model: 'activation-key', activationServerUrl: 'https://proxy.corp.local' })).status).toBe(
      'pass',
    );
    expect(legacy(healthyConnector()).status).toBe('pass');
    expect(legacy(old(undefined)).status).toBe('unknown');
    expect(legacy(old({ model: 'activation-key' })).status).toBe('unknown');
    expect(legacy(healthyCloud()).status).toBe('not_applicable');
  });
});

describe('operator facts', () => {
  test('a fact stored under the lower-cased target id still applies', () => {
    const inv = healthyConnector({
      target: { id: 'connector:OnPrem-1', name: 'OnPrem-1', kind: 'hcx-connector' },
      licensing: activationKey,
    });
    const [e] = expiry(inv, ctxAt('2026-03-01T00:00:00Z', { facts: [fact('connector:onprem-1', '2025-08-14')] }));
    expect(e.deadline).toMatchObject({ date: '2026-11-07', basis: 'operator' });
  });

  test('the suggested command quotes a subject with spaces', () => {
    const cloud = healthyCloud({
      arm: { ...healthyCloud().arm!, enterpriseSites: [{ name: "DC 1's site", status: 'Consumed' }] },
    });
    const [e] = expiry(cloud, ctxAt());
    expect(e.message).toContain(`--subject 'DC 1'\\''s site'`);
  });
});
