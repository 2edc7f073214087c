import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
import type { RuleContext } from '../../../lib/rules/types';
import { COLLECTED_AT, ctxAt, emptyConnector, healthyCloud, healthyConnector } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory, ctx: RuleContext = ctxAt()) => ruleById(id)!.evaluate(inv, ctx);
const bySubject = (id: string, inv: Inventory) => Object.fromEntries(run(id, inv).map((e) => [e.subjectId, e]));

describe('hcx-endpoint-unreachable', () => {
  const R = 'hcx-endpoint-unreachable';
  test.each([
    ['timeout', undefined, /timeout/],
    ['tls', undefined, /TLS/],
    ['refused', undefined, /refused/],
    ['auth', 401, /401/],
    ['http', 503, /503/],
  ] as const)('%s → high, naming the error class', (errorClass, status, text) => {
    const e = bySubject(
      R,
      healthyConnector({
        reachability: { hybridity: { ok: false, errorClass, status, message: 'x' }, applianceManagement: { ok: true } },
      }),
    ).hybridity;
    expect(e).toMatchObject({ status: 'fail', severity: 'high', subjectKind: 'endpoint' });
    expect(e.message).toMatch(text);
  });
  test('the 9443 interface is its own subject on Connectors; not configured → not_applicable', () => {
    expect(
      bySubject(
        R,
        healthyConnector({
          reachability: {
            hybridity: { ok: true },
            applianceManagement: { ok: false, errorClass: 'auth', status: 403 },
          },
        }),
      )['appliance-management'].status,
    ).toBe('fail');
    expect(
      bySubject(R, healthyConnector({ reachability: { hybridity: { ok: true } } }))['appliance-management'].status,
    ).toBe('not_applicable');
    expect(Object.keys(bySubject(R, healthyCloud()))).toEqual(['hybridity']);
  });
  test('reached → pass; not attempted → unknown', () => {
    expect(bySubject(R, healthyCloud()).hybridity.status).toBe('pass');
    expect(bySubject(R, healthyCloud({ reachability: {} })).hybridity.status).toBe('unknown');
  });
  test('not attempted is a high-severity unknown that says why, and says it was not attempted', () => {
    expect(bySubject(R, healthyCloud({ reachability: {} })).hybridity).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message: 'The HCX Manager API was not contacted this scan (no URL or credentials available).',
      evidence: { source: 'hcx', attempted: false },
    });
    expect(
      bySubject(R, healthyConnector({ reachability: { hybridity: { ok: true } } }))['appliance-management'],
    ).toMatchObject({
      message: 'The appliance management interface (9443) is not configured for this Connector.',
      evidence: { source: 'operator', attempted: false },
    });
  });
  test('the HTTP status is named for http and auth failures only, with the message after it', () => {
    const msg = (errorClass: 'http' | 'auth' | 'timeout', status?: number, message?: string) =>
      bySubject(R, healthyCloud({ reachability: { hybridity: { ok: false, errorClass, status, message } } })).hybridity
        .message;
    expect(msg('http', 503, 'busy')).toBe(
      'HCX Manager API (443) could not be reached or authenticated this scan (http): HTTP error 503: busy.',
    );
    expect(msg('auth', 401)).toBe(
      'HCX Manager API (443) could not be reached or authenticated this scan (auth): authentication rejected (401/403) 401.',
    );
    expect(msg('timeout', 599)).toBe(
      'HCX Manager API (443) could not be reached or authenticated this scan (timeout): timeout.',
    );
  });
});

describe('hcx-scan-stale', () => {
  const R = 'hcx-scan-stale';
  const failed = () =>
    healthyConnector({ reachability: { hybridity: { ok: false, errorClass: 'timeout' } }, manager: undefined });
  test('older than 2× the scan period → high', () => {
    const ctx = (asOf: string, hours = 24) =>
      ctxAt(asOf, {
        history: { lastSuccessfulCollectionAt: '2026-03-01T05:00:00Z' },
        settings: { scanPeriodHours: hours },
      });
    expect(run(R, failed(), ctx('2026-03-03T05:00:00Z'))[0].status).toBe('pass'); // exactly 48 h
    expect(run(R, failed(), ctx('2026-03-03T06:00:00Z'))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
      subjectId: 'target',
    });
    expect(run(R, failed(), ctx('2026-03-03T06:00:00Z', 48))[0].status).toBe('pass');
  });
  test('this scan’s successful collection counts even before history records it', () => {
    expect(
      run(
        R,
        healthyConnector(),
        ctxAt('2026-03-01T06:00:00Z', { history: { lastSuccessfulCollectionAt: '2025-01-01T00:00:00Z' } }),
      )[0].status,
    ).toBe('pass');
  });
  test('no successful collection on record → unknown', () => {
    const ctx = ctxAt('2026-03-01T06:00:00Z', { history: { lastSuccessfulCollectionAt: undefined } });
    expect(run(R, failed(), ctx)[0].status).toBe('unknown');
    expect(run(R, emptyConnector(), ctx)[0].status).toBe('unknown');
  });
  test('login worked but the version call failed: this scan is not a successful collection', () => {
    // Reached and authenticated, manager (version) not collected: only the recorded history counts.
    const partial = healthyConnector({ reachability: { hybridity: { ok: true } }, manager: undefined });
    const noHistory = ctxAt(COLLECTED_AT, { history: { lastSuccessfulCollectionAt: undefined } });
    expect(run(R, partial, noHistory)[0]).toMatchObject({ status: 'unknown', severity: 'high' });
    const old = ctxAt('2026-03-05T06:00:00Z', { history: { lastSuccessfulCollectionAt: '2026-03-01T05:00:00Z' } });
    expect(run(R, partial, old)[0]).toMatchObject({
      status: 'fail',
      evidence: { lastSuccessfulCollectionAt: '2026-03-01T05:00:00.000Z', ageHours: 97, limitHours: 48 },
    });
  });
  test('the newer of history and this scan decides, and the age is reported in whole hours', () => {
    const ctx = ctxAt('2026-03-04T06:30:00Z', { history: { lastSuccessfulCollectionAt: '2026-03-01T05:00:00Z' } });
    const now = healthyConnector({ collectedAt: '2026-03-03T05:00:00Z' });
    expect(run(R, now, ctx)[0]).toMatchObject({
      status: 'pass',
      message: 'Last successful collection was 25 h ago.',
      evidence: { lastSuccessfulCollectionAt: '2026-03-03T05:00:00.000Z', ageHours: 25 },
    });
    // An --as-of before the last collection: 0 h, not a negative age.
    const before = ctxAt('2026-03-03T04:00:00Z', { history: { lastSuccessfulCollectionAt: '2026-03-01T05:00:00Z' } });
    expect(run(R, now, before)[0].evidence).toMatchObject({ ageHours: 0 });
  });
});

describe('avs-hcx-addon-missing', () => {
  const R = 'avs-hcx-addon-missing';
  const withAddon = (hcxAddon: NonNullable<Inventory['arm']>['hcxAddon']) =>
    healthyCloud({ arm: { ...healthyCloud().arm!, hcxAddon } });
  test.each([
    [null, 'fail', 'info'],
    [{ provisioningState: 'Failed' }, 'fail', 'high'],
    [{ provisioningState: 'Cancelled' }, 'fail', 'high'],
    [{ provisioningState: 'Succeeded', offer: 'VMware MaaS Cloud Provider' }, 'pass', 'info'],
    [{ provisioningState: 'Building' }, 'unknown', 'high'],
    [{}, 'unknown', 'high'],
    [undefined, 'unknown', 'high'],
  ] as const)('%j → %s %s', (addon, status, severity) => {
    expect(run(R, withAddon(addon))[0]).toMatchObject({ status, severity, evidence: { source: 'arm' } });
  });
  test('not applicable to Connectors', () => {
    expect(run(R, healthyConnector())[0].status).toBe('not_applicable');
  });
});

describe('what the monitor-health verdicts tell the operator', () => {
  const R = 'hcx-endpoint-unreachable';

  test('a reached endpoint passes (info) and says so, with its source', () => {
    const [h, a] = run(R, healthyConnector());
    expect(h).toMatchObject({
      status: 'pass',
      severity: 'info',
      message: 'HCX Manager API (443) was reached and authenticated this scan.',
    });
    expect(h.evidence).toEqual({ source: 'hcx', ok: true });
    expect(a).toMatchObject({
      status: 'pass',
      message: 'HCX appliance management (9443) was reached and authenticated this scan.',
    });
    expect(a.evidence).toEqual({ source: 'appliance', ok: true });
  });

  test.each([
    [{ ok: false }, '(error): unreachable.'],
    [{ ok: false, errorClass: 'auth', status: 401 }, '(auth): authentication rejected (401/403) 401.'],
    [{ ok: false, errorClass: 'auth' }, '(auth): authentication rejected (401/403).'],
    [
      { ok: false, errorClass: 'timeout', status: 504, message: 'no answer in 30 s' },
      '(timeout): timeout: no answer in 30 s.',
    ],
  ] as const)(
    'a failure names its class, the HTTP status only for http/auth, and the detail: %j',
    (hybridity, tail) => {
      const [e] = run(R, healthyConnector({ reachability: { hybridity, applianceManagement: { ok: true } } }));
      expect(e.message).toBe(`HCX Manager API (443) could not be reached or authenticated this scan ${tail}`);
      // The detail text stays in the message; the evidence keeps the class and status.
      const { message: _detail, ...kept } = hybridity as { message?: string };
      expect(e.evidence).toEqual({ source: 'hcx', ...kept });
    },
  );

  test('a Connector without the 9443 interface configured: not applicable, said so, rule severity kept', () => {
    const a = bySubject(R, healthyConnector({ reachability: { hybridity: { ok: true } } }))['appliance-management'];
    expect(a).toMatchObject({
      status: 'not_applicable',
      severity: 'high',
      message: 'The appliance management interface (9443) is not configured for this Connector.',
      evidence: { source: 'operator', attempted: false },
    });
  });
});

describe('hcx-scan-stale: which collection counts, and what it says', () => {
  const R = 'hcx-scan-stale';
  const threeDaysBefore = '2026-02-26T06:00:00Z';

  test('a scan whose manager API failed is not a success, even with the manager read earlier in the scan', () => {
    const inv = healthyConnector({ reachability: { hybridity: { ok: false, errorClass: 'timeout' } } });
    const [e] = run(R, inv, ctxAt(undefined, { history: { lastSuccessfulCollectionAt: threeDaysBefore } }));
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.message).toBe('Last successful collection was 72 h ago (2026-02-26T06:00:00.000Z), more than 48 h.');
    expect(e.evidence).toEqual({
      source: 'observed',
      lastSuccessfulCollectionAt: '2026-02-26T06:00:00.000Z',
      ageHours: 72,
      limitHours: 48,
    });
  });

  test('the latest of the recorded and the current success counts (a record newer than this collection wins)', () => {
    const [e] = run(
      R,
      healthyConnector(),
      ctxAt('2026-03-03T06:00:00Z', { history: { lastSuccessfulCollectionAt: '2026-03-02T06:00:00Z' } }),
    );
    expect(e).toMatchObject({ status: 'pass', severity: 'info', message: 'Last successful collection was 24 h ago.' });
    expect(e.evidence).toMatchObject({ lastSuccessfulCollectionAt: '2026-03-02T06:00:00.000Z', ageHours: 24 });
  });

  test('no success on record: unknown, said so', () => {
    const inv = healthyConnector({ reachability: { hybridity: { ok: false } } });
    const [e] = run(R, inv, ctxAt(undefined, { history: { lastSuccessfulCollectionAt: undefined } }));
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message: 'No successful collection of this target is on record.',
    });
  });
});

describe('avs-hcx-addon-missing: what each add-on state says', () => {
  const R = 'avs-hcx-addon-missing';
  const cloud = (hcxAddon: unknown) => healthyCloud({ arm: { ...healthyCloud().arm!, hcxAddon } as Inventory['arm'] });

  test('add-ons not collected: unknown, naming what is missing', () => {
    const [e] = run(R, cloud(undefined));
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message: 'The private cloud’s add-ons were not collected from ARM this scan.',
    });
    expect(e.evidence).toEqual({ source: 'arm', missing: ['arm.hcxAddon'] });
  });

  test('no add-on: info, and the HCX rules do not apply', () => {
    const [e] = run(R, cloud(null));
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'info',
      message: 'The private cloud has no HCX add-on: HCX rules are not applicable to it.',
    });
  });

  test.each([
    [{ offer: 'X' }, 'unknown', 'high', 'The HCX add-on reports no provisioning state.'],
    [
      { offer: 'X', provisioningState: 'Canceled' },
      'fail',
      'high',
      'HCX add-on provisioning Canceled: the HCX Cloud Manager may not be available.',
    ],
    [
      { offer: 'VMware MaaS Cloud Provider (Enterprise)', provisioningState: 'Succeeded' },
      'pass',
      'info',
      'HCX add-on provisioned (VMware MaaS Cloud Provider (Enterprise)).',
    ],
    [{ provisioningState: 'succeeded' }, 'pass', 'info', 'HCX add-on provisioned (offer not reported).'],
    [
      { offer: 'X', provisioningState: 'Updating' },
      'unknown',
      'high',
      'HCX add-on provisioning is Updating; it is neither ready nor failed yet.',
    ],
  ] as const)('%j → %s (%s)', (addon, status, severity, message) => {
    const [e] = run(R, cloud(addon));
    expect(e).toMatchObject({ status, severity, message });
  });
});
