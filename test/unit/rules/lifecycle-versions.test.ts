import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
import type { RuleContext } from '../../../lib/rules/types';
import { appliance, ctxAt, healthyCloud, healthyConnector, sitePair } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory, ctx: RuleContext = ctxAt()) => ruleById(id)!.evaluate(inv, ctx);
const withVersion = (make: typeof healthyConnector, version: string | undefined) =>
  make({ manager: { version, endpointId: 'x' } });

describe('hcx-version-end-of-support', () => {
  const eos = (version: string | undefined, asOf: string, make = healthyConnector) =>
    run('hcx-version-end-of-support', withVersion(make, version), ctxAt(asOf))[0];

  test('4.10.x is out of support since 2025-07-27 (critical), with the catalog asOf shown', () => {
    const e = eos('4.10.3', '2025-07-28T00:00:00Z');
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'critical',
      deadline: { date: '2025-07-27', daysLeft: -1, band: 'passed', basis: 'catalog' },
    });
    expect(e.evidence).toMatchObject({ source: 'catalog', catalogAsOf: '2026-06-01' });
    expect(e.message).toMatch(/as of 2026-06-01/);
  });

  test('4.11.0–4.11.2: deadline 2026-02-20; alternative 2025-12-24 mentioned, not used', () => {
    const e = eos('4.11.2', '2026-01-21T00:00:00Z');
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'critical',
      deadline: { date: '2026-02-20', daysLeft: 30, band: 'd30' },
    });
    expect(e.message).toMatch(/2025-12-24/);
  });

  test.each([
    ['2027-10-11', 'fail', 'critical', 'passed'], // deadline today
    ['2027-10-12', 'fail', 'critical', 'passed'], // passed by one day
    ['2027-10-10', 'fail', 'critical', 'd30'], // 1 day
    ['2027-09-11', 'fail', 'critical', 'd30'], // 30 days
    ['2027-09-10', 'fail', 'high', 'd90'], // 31 days
    ['2027-07-13', 'fail', 'high', 'd90'], // 90 days
    ['2027-07-12', 'fail', 'medium', 'd180'], // 91 days
    ['2027-04-14', 'fail', 'medium', 'd180'], // 180 days
    ['2027-04-13', 'pass', 'info', 'later'], // 181 days
  ])('4.11.3 on %s → %s %s (%s)', (asOf, status, severity, band) => {
    const e = eos('4.11.3', `${asOf}T08:00:00Z`);
    expect(e).toMatchObject({ status, severity, deadline: { date: '2027-10-11', band } });
  });

  test('N-2: a 4.9 Connector is past support, with the upgrade path via 4.9.2; below 4.4 via 4.4.2', () => {
    expect(eos('4.9.0', '2026-01-01T00:00:00Z')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(eos('4.8.1', '2026-01-01T00:00:00Z').message).toMatch(/4\.9\.2/);
    expect(eos('4.3.3', '2026-01-01T00:00:00Z').message).toMatch(/4\.4\.2/);
  });

  test('no published date: pass with a note', () => {
    const e = eos('9.1.0.0', '2026-06-01T00:00:00Z');
    expect(e).toMatchObject({ status: 'pass' });
    expect(e.message).toMatch(/no end-of-support date published/);
    expect(e.deadline).toBeUndefined();
  });

  test('unknown: no manager, no version, unparsable version', () => {
    expect(run('hcx-version-end-of-support', healthyConnector({ manager: undefined }))[0].status).toBe('unknown');
    expect(eos(undefined, '2026-01-01T00:00:00Z').status).toBe('unknown');
    expect(eos('4.11.x', '2026-01-01T00:00:00Z').status).toBe('unknown');
  });

  test('owner: microsoft for the Cloud Manager, customer for the Connector', () => {
    expect(ruleById('hcx-version-end-of-support')!.owner).toEqual({
      'avs-private-cloud': 'microsoft',
      'hcx-connector': 'customer',
    });
  });
});

describe('hcx-version-below-baseline', () => {
  const below = (inv: Inventory, baselineVersion?: string) =>
    run('hcx-version-below-baseline', inv, ctxAt(undefined, { settings: { baselineVersion } }))[0];

  test('below 4.11.3: medium on a Connector, low on a private cloud', () => {
    expect(below(withVersion(healthyConnector, '4.11.2'))).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(below(withVersion(healthyCloud, '4.11.2'))).toMatchObject({ status: 'fail', severity: 'low' });
  });

  test('at or above the baseline passes; 9.x is above 4.11.3', () => {
    expect(below(withVersion(healthyConnector, '4.11.3')).status).toBe('pass');
    expect(below(withVersion(healthyConnector, '9.0.0.0.24597083')).status).toBe('pass');
  });

  test('HCXMON_BASELINE_VERSION overrides the catalog', () => {
    const e = below(withVersion(healthyConnector, '4.11.3'), '4.11.4');
    expect(e).toMatchObject({ status: 'fail', evidence: { baseline: '4.11.4', baselineSource: 'setting' } });
    expect(e.message).toMatch(/HCXMON_BASELINE_VERSION/);
  });

  test('unknown on a missing version or an unparsable baseline', () => {
    expect(below(withVersion(healthyConnector, undefined)).status).toBe('unknown');
    expect(below(withVersion(healthyConnector, '4.11.3'), 'latest').status).toBe('unknown');
  });
});

describe('hcx-site-pair-version-skew', () => {
  const skew = (local: string | undefined, remote: string | undefined) =>
    run(
      'hcx-site-pair-version-skew',
      healthyConnector({ manager: { version: local }, sitePairs: [sitePair({ remoteVersion: remote })] }),
    )[0];

  test.each([
    ['4.11.3', '4.11.3', 'pass', 'info'],
    ['4.11.2', '4.11.3', 'fail', 'low'],
    ['4.10.3', '4.11.3', 'fail', 'medium'],
    ['4.11.3', '9.0.0.0.24597083', 'fail', 'high'],
    ['9.0.0.0.1', '9.0.0.0.2', 'pass', 'info'], // builds differ by design
  ])('local %s, remote %s → %s %s', (l, r, status, severity) => {
    const e = skew(l, r);
    expect(e).toMatchObject({ status, severity, subjectId: '20250101000000000-aaaa-bbbb', subjectKind: 'site-pair' });
  });

  test('4.x ↔ 9.x names KB 427904', () => {
    expect(skew('4.11.3', '9.1.0.0').message).toMatch(/KB 427904/);
  });

  test('unknown when either version is missing; * unknown when site pairs were not collected; no pairs → no subjects', () => {
    expect(skew(undefined, '4.11.3').status).toBe('unknown');
    expect(skew('4.11.3', undefined).status).toBe('unknown');
    expect(run('hcx-site-pair-version-skew', healthyConnector({ sitePairs: undefined }))).toEqual([
      expect.objectContaining({ subjectId: '*', status: 'unknown' }),
    ]);
    expect(run('hcx-site-pair-version-skew', healthyConnector({ sitePairs: [] }))).toEqual([]);
  });
});

describe('hcx-appliance-outdated', () => {
  const out = (mgr: string | undefined, a: Partial<ReturnType<typeof appliance>>) =>
    run('hcx-appliance-outdated', healthyConnector({ manager: { version: mgr }, appliances: [appliance(a)] }))[0];

  test('older than the manager → medium; update available → medium', () => {
    expect(out('4.11.3', { version: '4.11.2' })).toMatchObject({
      status: 'fail',
      severity: 'medium',
      subjectId: 'app-ix-1',
    });
    expect(out('4.11.3', { version: '4.11.3', updateAvailable: true, availableVersion: '4.11.4' })).toMatchObject({
      status: 'fail',
      severity: 'medium',
    });
  });

  test('below 4.4.0 under a ≥ 4.4.0 manager → high (Photon OS)', () => {
    const e = out('4.4.2', { version: '4.3.3' });
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.message).toMatch(/Photon/);
    expect(out('4.3.3', { version: '4.3.0' })).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  test('current → pass; missing versions → unknown (unless an update is reported); not collected → * unknown', () => {
    expect(out('4.11.3', { version: '4.11.3' }).status).toBe('pass');
    expect(out('4.11.3', { version: undefined }).status).toBe('unknown');
    expect(out(undefined, { version: '4.11.3' }).status).toBe('unknown');
    expect(out(undefined, { version: undefined, updateAvailable: true }).status).toBe('fail');
    expect(run('hcx-appliance-outdated', healthyConnector({ appliances: undefined }))[0]).toMatchObject({
      subjectId: '*',
      status: 'unknown',
    });
  });
});
