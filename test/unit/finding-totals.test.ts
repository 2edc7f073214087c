import type { Severity } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import { findingChanges, openBySeverity, scanTotals } from '../../lib/findings/totals';

/** A scan's recorded totals (trend page, "new since the previous scan", GET /api/summary), counted exactly. */

const base: Finding = {
  id: 'f-1',
  ruleId: 'hcx-activation-key-expiry',
  title: 'Activation key stops working',
  targetId: 'connector:dc1',
  targetName: 'dc1',
  targetKind: 'hcx-connector',
  subjectId: 'manager',
  subjectName: 'manager',
  subjectKind: 'manager',
  status: 'open',
  severity: 'medium',
  owner: 'customer',
  message: 'm',
  evidence: { source: 'hcx' },
  firstSeenAt: '2026-02-01T05:00:00.000Z',
  lastSeenAt: '2026-03-01T05:00:00.000Z',
  lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
  reopenCount: 0,
};
const f = (over: Partial<Finding>): Finding => ({ ...base, ...over });
const band = (b: NonNullable<Finding['deadline']>['band']): Finding['deadline'] => ({
  date: '2026-06-01',
  basis: 'catalog',
  daysLeft: 10,
  band: b,
});

describe('findingChanges: new', () => {
  it('counts a first-seen open or unknown finding, not a first-seen resolved or suppressed one', () => {
    const after = [
      f({ id: 'a' }),
      f({ id: 'b', status: 'unknown' }),
      f({ id: 'c', status: 'resolved' }),
      f({ id: 'd', status: 'suppressed', underlyingStatus: 'open' }),
    ];
    expect(findingChanges([], after)).toEqual({ new: 2, resolved: 0, escalated: 0 });
  });

  it('does not count a finding seen before as new, whatever its status was', () => {
    for (const status of ['open', 'unknown', 'resolved', 'suppressed'] as const) {
      const before = [f({ status, underlyingStatus: status === 'suppressed' ? 'open' : undefined })];
      expect(findingChanges(before, [f({})]).new).toBe(0);
      expect(findingChanges(before, [f({ status: 'unknown' })]).new).toBe(0);
    }
  });

  it('matches findings by id only', () => {
    expect(findingChanges([f({ id: 'x' })], [f({ id: 'y' })])).toEqual({ new: 1, resolved: 0, escalated: 0 });
  });
});

describe('findingChanges: resolved', () => {
  it('counts open → resolved and unknown → resolved', () => {
    expect(findingChanges([f({})], [f({ status: 'resolved' })]).resolved).toBe(1);
    expect(findingChanges([f({ status: 'unknown' })], [f({ status: 'resolved' })]).resolved).toBe(1);
  });

  it('does not count a finding already resolved, nor one first seen resolved', () => {
    expect(findingChanges([f({ status: 'resolved' })], [f({ status: 'resolved' })]).resolved).toBe(0);
    expect(findingChanges([], [f({ status: 'resolved' })]).resolved).toBe(0);
    expect(findingChanges([f({})], [f({})]).resolved).toBe(0);
    expect(findingChanges([f({})], [f({ status: 'unknown' })]).resolved).toBe(0);
  });

  it('reads a suppressed finding by the status underneath (absent: open)', () => {
    const hidden = f({ status: 'suppressed', underlyingStatus: 'open' });
    expect(findingChanges([hidden], [f({ status: 'suppressed', underlyingStatus: 'resolved' })]).resolved).toBe(1);
    expect(findingChanges([f({ status: 'suppressed' })], [f({ status: 'resolved' })]).resolved).toBe(1);
    expect(
      findingChanges([f({ status: 'suppressed', underlyingStatus: 'resolved' })], [f({ status: 'resolved' })]).resolved,
    ).toBe(0);
  });
});

describe('findingChanges: escalated', () => {
  it('counts a higher severity of a finding open before and after', () => {
    expect(findingChanges([f({ severity: 'medium' })], [f({ severity: 'high' })]).escalated).toBe(1);
    expect(findingChanges([f({ severity: 'info' })], [f({ severity: 'low' })]).escalated).toBe(1);
  });

  it('does not count the same or a lower severity, or the same or a farther band', () => {
    expect(findingChanges([f({ severity: 'high' })], [f({ severity: 'high' })]).escalated).toBe(0);
    expect(findingChanges([f({ severity: 'high' })], [f({ severity: 'medium' })]).escalated).toBe(0);
    expect(findingChanges([f({ deadline: band('d30') })], [f({ deadline: band('d30') })]).escalated).toBe(0);
    expect(findingChanges([f({ deadline: band('d30') })], [f({ deadline: band('d90') })]).escalated).toBe(0);
    expect(findingChanges([f({ deadline: band('d30') })], [f({})]).escalated).toBe(0);
  });

  it('counts a nearer deadline band; a finding without a deadline counts as "later"', () => {
    expect(findingChanges([f({ deadline: band('d90') })], [f({ deadline: band('d30') })]).escalated).toBe(1);
    expect(findingChanges([f({ deadline: band('d30') })], [f({ deadline: band('passed') })]).escalated).toBe(1);
    expect(findingChanges([f({})], [f({ deadline: band('d180') })]).escalated).toBe(1);
    expect(findingChanges([f({})], [f({ deadline: band('later') })]).escalated).toBe(0);
    expect(findingChanges([f({ deadline: band('later') })], [f({})]).escalated).toBe(0);
  });

  it('counts a finding once when both its severity and its band rise', () => {
    const before = [f({ severity: 'low', deadline: band('d180') })];
    expect(findingChanges(before, [f({ severity: 'critical', deadline: band('passed') })]).escalated).toBe(1);
  });

  it('only between open and open: not from or to unknown or resolved, not a first-seen finding', () => {
    expect(findingChanges([f({ status: 'unknown', severity: 'low' })], [f({ severity: 'high' })]).escalated).toBe(0);
    expect(findingChanges([f({ severity: 'low' })], [f({ status: 'unknown', severity: 'high' })]).escalated).toBe(0);
    expect(findingChanges([f({ status: 'resolved', severity: 'low' })], [f({ severity: 'high' })]).escalated).toBe(0);
    expect(findingChanges([], [f({ severity: 'critical', deadline: band('passed') })]).escalated).toBe(0);
  });

  it('a suppressed finding with no recorded underlying status is taken as open, and escalates', () => {
    const s = (over: Partial<Finding>) => f({ status: 'suppressed', ...over });
    expect(findingChanges([s({ severity: 'low' })], [s({ severity: 'high' })]).escalated).toBe(1);
    expect(findingChanges([s({})], [s({ deadline: band('d30') })]).escalated).toBe(1);
  });

  it('a suppressed finding open underneath escalates too', () => {
    const s = (over: Partial<Finding>) => f({ status: 'suppressed', underlyingStatus: 'open', ...over });
    expect(findingChanges([s({ severity: 'low' })], [s({ severity: 'high' })])).toEqual({
      new: 0,
      resolved: 0,
      escalated: 1,
    });
  });
});

describe('openBySeverity', () => {
  it('counts open findings only, with every severity present', () => {
    const findings = [
      f({ severity: 'critical' }),
      f({ severity: 'critical' }),
      f({ severity: 'low' }),
      f({ severity: 'high', status: 'unknown' }),
      f({ severity: 'high', status: 'suppressed', underlyingStatus: 'open' }),
      f({ severity: 'high', status: 'resolved' }),
    ];
    expect(openBySeverity(findings)).toEqual({ critical: 2, high: 0, medium: 0, low: 1, info: 0 });
    expect(openBySeverity([])).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
  });
});

describe('scanTotals', () => {
  const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

  it('is all zeros, every severity present, for a scan that reached no target', () => {
    expect(scanTotals([])).toEqual({
      openBySeverity: zero,
      open: 0,
      unknown: 0,
      suppressed: 0,
      new: 0,
      resolved: 0,
      escalated: 0,
    });
  });

  it('adds up every outcome field by field', () => {
    const t = scanTotals([
      {
        counts: { open: 3, unknown: 1, suppressed: 2 },
        openBySeverity: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
        changes: { new: 2, resolved: 1, escalated: 1 },
      },
      {
        counts: { open: 4, unknown: 5, suppressed: 6 },
        openBySeverity: { critical: 0, high: 1, medium: 1, low: 1, info: 1 },
        changes: { new: 7, resolved: 8, escalated: 9 },
      },
    ]);
    expect(t).toEqual({
      openBySeverity: { critical: 1, high: 3, medium: 1, low: 1, info: 1 },
      open: 7,
      unknown: 6,
      suppressed: 8,
      new: 9,
      resolved: 9,
      escalated: 10,
    });
  });

  it('takes an outcome without severities or changes (an older or failed target) as zeros', () => {
    const t = scanTotals([
      { counts: { open: 1, unknown: 2, suppressed: 3 } },
      { counts: { open: 0, unknown: 0, suppressed: 0 }, changes: { new: 1, resolved: 0, escalated: 0 } },
      {
        counts: { open: 1, unknown: 0, suppressed: 0 },
        // Only the severities it saw.
        openBySeverity: { high: 1 } as unknown as Record<Severity, number>,
      },
    ]);
    expect(t).toEqual({
      openBySeverity: { ...zero, high: 1 },
      open: 2,
      unknown: 2,
      suppressed: 3,
      new: 1,
      resolved: 0,
      escalated: 0,
    });
  });
});
