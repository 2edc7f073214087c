import { ruleById } from '../../../lib/rules';
import type { Deadline } from '../../../lib/domain/evaluation';
import type { Fact, FactName } from '../../../lib/domain/finding';
import type { Inventory, Licensing } from '../../../lib/domain/inventory';
import type { ConnectorKeyDeadline, RuleContext } from '../../../lib/rules/types';
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

describe('hcx-activation-key-expiry: what the Connector verdict tells the operator', () => {
  const CMD = `hcxmon fact set ${CONNECTOR_REF.id} upgradedTo411At YYYY-MM-DD`;
  const dated = (asOf = '2026-03-01T00:00:00Z', over: Partial<Fact> = {}) =>
    ctxAt(asOf, { facts: [fact(CONNECTOR_REF.id, '2025-08-14', over)] });
  const onlyUpperBound = (asOf = '2026-03-01T00:00:00Z') =>
    ctxAt(asOf, { history: { versions: [observation('4.11.3', '2025-12-02T05:00:00Z', '2026-03-01T05:00:00Z')] } });

  test('an operator-dated key names the key, the upgrade date, who set the fact and when, and the 450 days', () => {
    const [e] = expiry(connector(), dated());
    expect(e.message).toMatch(
      /^The Connector's activation key \(…K3Y9\) stops working on 2026-11-07 \(251 days left\)/,
    );
    expect(e.message).toContain('upgraded to 4.11.0 on 2025-08-14');
    expect(e.message).toContain('set by ops@example.com on 2026-01-05)');
    expect(e.message).toContain('+ 450 days');
    // A confirmed activation key needs no caveat after the advice.
    expect(e.message).toMatch(/Move to the HCX license-key model before then\.$/);
    expect(e.evidence).toEqual({
      source: 'operator',
      fact: 'upgradedTo411At',
      upgradedTo411At: '2025-08-14',
      factSubject: undefined,
      setBy: 'ops@example.com',
      setAt: '2026-01-05T10:00:00Z',
      keyLast4: 'K3Y9',
    });
  });

  test('a key whose last characters are not reported is named without them', () => {
    const [e] = expiry(connector({ licensing: { model: 'activation-key' } }), dated());
    expect(e.message).toMatch(/^The Connector's activation key stops working on 2026-11-07/);
    expect(e.evidence).not.toHaveProperty('keyLast4');
  });

  test.each([
    ['2026-11-06', 'stops working on 2026-11-07 (1 day left)'],
    ['2026-11-07', 'stopped working on 2026-11-07 (today: passed)'],
    ['2026-11-08', 'stopped working on 2026-11-07 (passed 1 day ago)'],
  ])('dated deadline on %s: "%s"', (asOf, text) => {
    expect(expiry(connector(), dated(`${asOf}T12:00:00Z`))[0].message).toContain(`activation key (…K3Y9) ${text}:`);
  });

  test.each([
    ['2027-02-24', 'stops working by 2027-02-25 (1 day left) at the latest'],
    ['2027-02-25', 'stopped working by 2027-02-25 (today: passed) at the latest'],
    ['2027-02-26', 'stopped working by 2027-02-25 (passed 1 day ago) at the latest'],
  ])('"at the latest" deadline on %s: "%s"', (asOf, text) => {
    expect(expiry(connector(), onlyUpperBound(`${asOf}T12:00:00Z`))[0].message).toContain(text);
  });

  test('"at the latest" explains the bound and asks for the fact without a --subject', () => {
    const [e] = expiry(connector(), onlyUpperBound());
    expect(e.message).toContain(
      'our scans first saw it at 4.11.0 or later then, and the upgrade may have been earlier',
    );
    expect(e.message).toMatch(new RegExp(`exact deadline: ${CMD}\\.$`));
    expect(e.evidence).toMatchObject({ source: 'observed', latestDeadline: '2027-02-25', keyLast4: 'K3Y9' });
  });

  test('no date at all: fails high with the exact command, no --subject for the Connector itself', () => {
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z'));
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.deadline).toBeUndefined();
    expect(e.message).toMatch(/^The Connector's activation key \(…K3Y9\) stops working 450 days after the upgrade/);
    expect(e.message.endsWith(`Set it with: ${CMD}`)).toBe(true);
    expect(e.evidence).toEqual({ source: 'hcx', version: '4.11.3', model: 'activation-key' });
  });

  test('no date and licensing not collected: unknown, and the evidence says the model was not collected', () => {
    const [e] = expiry(connector({ licensing: undefined }), ctxAt('2026-03-01T00:00:00Z'));
    expect(e).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(e.message).toContain('configure the Connector applianceUrl for port 9443');
    expect(e.evidence).toEqual({ source: 'hcx', version: '4.11.3', model: 'not-collected' });
  });

  test('licensing read but no model reported: unknown, saying the model was not reported', () => {
    const [e] = expiry(connector({ licensing: { model: 'unknown', keyLast4: 'K3Y9' } }), dated());
    expect(e).toMatchObject({ status: 'unknown', deadline: { date: '2026-11-07' } });
    expect(e.message).toContain('The licensing model was not reported; an activation key is assumed');
  });

  test('an appliance-reported expiry is quoted as reported, with the activation status as evidence', () => {
    const licensing: Licensing = {
      ...activationKey,
      activationExpiresAt: '2026-09-30T23:00:00Z',
      activationStatus: 'ACTIVATED',
    };
    const [e] = expiry(connector({ licensing }), ctxAt('2026-03-01T00:00:00Z'));
    expect(e.message).toContain('the appliance reports the activation expires at 2026-09-30T23:00:00Z');
    expect(e.evidence).toEqual({
      source: 'appliance',
      activationExpiresAt: '2026-09-30T23:00:00Z',
      activationStatus: 'ACTIVATED',
      keyLast4: 'K3Y9',
    });
  });

  test('license-key and evaluation models pass (info) and say why; below 4.11.0 and unreadable versions say why', () => {
    const [key] = expiry(healthyConnector(), ctxAt());
    expect(key).toMatchObject({
      status: 'pass',
      severity: 'info',
      evidence: { source: 'appliance', model: 'license-key' },
    });
    expect(key.message).toContain('license-key model');
    const [evaluationLicence] = expiry(connector({ licensing: { model: 'evaluation' } }), ctxAt());
    expect(evaluationLicence).toMatchObject({
      status: 'pass',
      severity: 'info',
      evidence: { source: 'appliance', model: 'evaluation' },
    });
    expect(evaluationLicence.message).toContain('evaluation licence');
    const [old] = expiry(connector({ manager: { version: '4.10.3' } }), ctxAt());
    expect(old).toMatchObject({
      status: 'not_applicable',
      severity: 'high',
      evidence: { source: 'hcx', version: '4.10.3' },
    });
    expect(old.message).toContain('HCX 4.10.3 is below 4.11.0');
    expect(old.message).toContain('hcx-legacy-activation-endpoint');
    const [unread] = expiry(connector({ manager: undefined }), ctxAt());
    expect(unread).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(unread.message).toContain('450-day clock');
    expect(unread.message).toContain('the HCX Manager was not collected this scan');
  });
});

describe('hcx-activation-key-expiry: which facts and observations count', () => {
  test.each([
    ['a fact of another target', fact('connector:other', '2025-08-14')],
    ['a fact of another name', fact(CONNECTOR_REF.id, '2025-08-14', { name: 'installedAt' as FactName })],
    ['a fact whose value is not a date', fact(CONNECTOR_REF.id, 'last summer')],
  ])('%s does not date the key: the fact is asked for', (_what, f) => {
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z', { facts: [f] }));
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.deadline).toBeUndefined();
    expect(e.message).toContain('Set it with:');
  });

  test('a fact with an empty subject is a fact for the whole target', () => {
    const [e] = expiry(
      connector(),
      ctxAt('2026-03-01T00:00:00Z', { facts: [fact(CONNECTOR_REF.id, '2025-08-14', { subjectId: '' })] }),
    );
    expect(e.deadline).toMatchObject({ date: '2026-11-07', basis: 'operator' });
  });

  test('an unreadable version in the history is skipped, not taken as below or above 4.11.0', () => {
    const versions = [
      observation('4.10.3', '2025-01-02T05:00:00Z', '2025-08-10T05:00:00Z'),
      observation('garbage', '2025-08-11T05:00:00Z', '2025-08-15T05:00:00Z'),
      observation('4.11.0', '2025-08-20T05:00:00Z', '2026-03-01T05:00:00Z'),
    ];
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z', { history: { versions } }));
    expect(e.deadline).toMatchObject({ date: '2026-11-03', latestDate: '2026-11-13', basis: 'observed' });
  });

  test('a bracket of zero width (last seen below and first seen at 4.11 at the same instant) dates the key exactly', () => {
    const versions = [
      observation('4.10.3', '2025-01-02T05:00:00Z', '2025-08-14T05:00:00Z'),
      observation('4.11.0', '2025-08-14T05:00:00Z', '2026-03-01T05:00:00Z'),
    ];
    const [e] = expiry(connector(), ctxAt('2026-03-01T00:00:00Z', { history: { versions } }));
    expect(e.deadline).toEqual({ date: '2026-11-07', basis: 'observed', daysLeft: 251, band: 'later' });
    expect(e.message).not.toContain('at the latest');
  });
});

describe('hcx-activation-key-expiry: enterprise sites, what each verdict tells the operator', () => {
  const cloudWith = (...enterpriseSites: { name: string; keyLast4?: string; status?: string }[]) =>
    healthyCloud({ arm: { ...healthyCloud().arm!, enterpriseSites } });
  const CMD = `hcxmon fact set ${CLOUD_REF.id} upgradedTo411At YYYY-MM-DD --subject site-a`;
  const peer = (
    targetName: string,
    keyLast4: string,
    deadline: Partial<Deadline> & { date: string },
  ): ConnectorKeyDeadline => ({
    targetId: `connector:${targetName}`,
    targetName,
    keyLast4,
    deadline: { basis: 'operator', daysLeft: 0, band: 'later', ...deadline },
  });

  test('a dated site key names the key and site and ends with the advice', () => {
    const [e] = expiry(
      cloudWith({ name: 'site-a', keyLast4: 'AAAA', status: 'Consumed' }),
      ctxAt('2026-03-01T00:00:00Z', { facts: [fact(CLOUD_REF.id, '2025-08-14', { subjectId: 'site-a' })] }),
    );
    expect(e.message).toMatch(
      /^Activation key …AAAA of HCX enterprise site site-a \(consumed by an on-premises Connector\) stops working on 2026-11-07/,
    );
    expect(e.message).toMatch(/Move to the HCX license-key model before then\.$/);
    expect(e.evidence).toMatchObject({ source: 'operator', factSubject: 'site-a' });
  });

  test('an undated site key asks for the fact with --subject and carries the site as evidence', () => {
    const [e] = expiry(cloudWith({ name: 'site-a', keyLast4: 'AAAA', status: 'Consumed' }), ctxAt());
    expect(e.message.endsWith(`Set it with: ${CMD}`)).toBe(true);
    expect(e.evidence).toEqual({ source: 'arm', site: 'site-a', keyLast4: 'AAAA', status: 'Consumed' });
  });

  test('a site key with no last characters is shown as …???? and a monitored Connector cannot be matched to it', () => {
    const [e] = expiry(
      cloudWith({ name: 'site-a', status: 'Consumed' }),
      ctxAt('2026-03-01T00:00:00Z', {
        connectorKeys: [peer('dc1', 'K123', { date: '2026-11-07' })],
      }),
    );
    expect(e.message).toMatch(/^Activation key …\?\?\?\? of HCX enterprise site site-a/);
    expect(e.deadline).toBeUndefined();
  });

  test('a site without a status: unknown (high), naming the site and key', () => {
    const [withKey] = expiry(cloudWith({ name: 'site-a', keyLast4: 'AAAA' }), ctxAt());
    expect(withKey).toMatchObject({
      status: 'unknown',
      severity: 'high',
      evidence: { source: 'arm', site: 'site-a', keyLast4: 'AAAA', status: null },
    });
    expect(withKey.message).toContain('HCX enterprise site site-a reports no status');
    expect(withKey.message).toContain('activation key …AAAA is consumed');
    const [noKey] = expiry(cloudWith({ name: 'site-a' }), ctxAt());
    expect(noKey.message).toContain('activation key …???? is consumed');
  });

  test('sites not collected: one unknown for all enterprise sites, saying what was not collected from ARM', () => {
    const [e] = expiry(healthyCloud({ arm: { ...healthyCloud().arm!, enterpriseSites: undefined } }), ctxAt());
    expect(e).toMatchObject({
      subjectId: '*',
      subjectName: 'all HCX enterprise sites',
      subjectKind: 'enterprise-site',
      status: 'unknown',
      evidence: { source: 'arm', missing: ['arm.enterpriseSites'] },
    });
    expect(e.message).toContain('arm.enterpriseSites was not collected');
  });

  test('a monitored Connector with the same key dates the site key, naming that Connector and its basis', () => {
    const [e] = expiry(
      cloudWith({ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }),
      ctxAt('2026-03-01T06:00:00Z', {
        connectorKeys: [peer('dc9', 'ZZZZ', { date: '2026-04-01' }), peer('dc1', 'k123', { date: '2026-11-07' })],
      }),
    );
    expect(e.deadline).toMatchObject({ date: '2026-11-07', basis: 'operator' });
    expect(e.message).toContain('the same key (…K123) is used by Connector dc1, monitored here');
    expect(e.message).toContain('dates it (operator)');
    expect(e.evidence).toEqual({
      source: 'operator',
      connector: 'connector:dc1',
      connectorName: 'dc1',
      keyLast4: 'K123',
      connectorDeadline: '2026-11-07',
    });
  });

  test.each([
    ['earlier first', ['2026-09-01', '2026-11-07']],
    ['earlier last', ['2026-11-07', '2026-09-01']],
  ])('two Connectors with the same key (%s): the earlier deadline is the one that can bite', (_order, dates) => {
    const connectorKeys = dates.map((date) => peer(`dc-${date}`, 'K123', { date }));
    const [e] = expiry(
      cloudWith({ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }),
      ctxAt('2026-03-01T06:00:00Z', { connectorKeys }),
    );
    expect(e.deadline).toMatchObject({ date: '2026-09-01' });
    expect(e.message).toContain('Connector dc-2026-09-01');
  });

  test.each([
    ['dc-a listed first', ['dc-a', 'dc-b']],
    ['dc-a listed last', ['dc-b', 'dc-a']],
  ])(
    'two Connectors with the same key and the same deadline (%s): the first by id is named, whatever the order',
    (_order, names) => {
      const connectorKeys = names.map((name) => peer(name, 'K123', { date: '2026-09-01' }));
      const [e] = expiry(
        cloudWith({ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }),
        ctxAt('2026-03-01T06:00:00Z', { connectorKeys }),
      );
      expect(e.evidence).toMatchObject({ connector: 'connector:dc-a', connectorDeadline: '2026-09-01' });
      expect(e.message).toContain('Connector dc-a,');
    },
  );

  test('a Connector dated only "at the latest" asks for the site fact with --subject and carries the Connector', () => {
    const [e] = expiry(
      cloudWith({ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }),
      ctxAt('2026-03-01T06:00:00Z', {
        connectorKeys: [peer('dc1', 'K123', { date: '2027-01-01', basis: 'observed', atTheLatest: true })],
      }),
    );
    expect(e.message).toMatch(new RegExp(`exact deadline: ${CMD}\\.$`));
    expect(e.evidence).toEqual({
      source: 'observed',
      connector: 'connector:dc1',
      connectorName: 'dc1',
      keyLast4: 'K123',
      latestDeadline: '2027-01-01',
    });
  });
});

describe('hcx-legacy-activation-endpoint: what each verdict tells the operator', () => {
  const legacy = (inv: Inventory) => ruleById('hcx-legacy-activation-endpoint')!.evaluate(inv, ctxAt())[0];
  const old = (licensing: Licensing | undefined) => healthyConnector({ manager: { version: '4.10.3' }, licensing });

  test('a decommissioned endpoint is named by its host, with the version and configuration as evidence', () => {
    const e = legacy(old({ model: 'activation-key', activationServerUrl: 'https://Connect.HCX.vmware.com/path' }));
    expect(e.message).toContain('HCX 4.10.3 activates against connect.hcx.vmware.com, which is decommissioned');
    expect(e.evidence).toEqual({
      source: 'appliance',
      version: '4.10.3',
      activationServerUrl: 'https://Connect.HCX.vmware.com/path',
      model: 'activation-key',
    });
  });

  test('4.11.0 or later passes on its version alone (local mode)', () => {
    const e = legacy(healthyConnector({ licensing: { model: 'activation-key', activationServerUrl: undefined } }));
    expect(e).toMatchObject({ status: 'pass', severity: 'info', evidence: { source: 'hcx', version: '4.11.3' } });
    expect(e.message).toContain('HCX 4.11.3 runs in local mode');
  });

  test('below 4.11.0 on the license-key model without an activation server passes', () => {
    const e = legacy(old({ model: 'license-key' }));
    expect(e).toMatchObject({ status: 'pass', severity: 'info' });
    expect(e.message).toContain('does not use a decommissioned endpoint');
  });

  test('unknowns are high and say what is missing', () => {
    const noServer = legacy(old({ model: 'activation-key' }));
    expect(noServer).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(noServer.message).toContain('activation server configuration was not reported');
    const notCollected = legacy(old(undefined));
    expect(notCollected).toMatchObject({
      status: 'unknown',
      evidence: { source: 'appliance', missing: ['licensing'] },
    });
    const noVersion = legacy(healthyConnector({ manager: undefined }));
    expect(noVersion).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(noVersion.message).toContain('the HCX Manager was not collected this scan');
  });
});
