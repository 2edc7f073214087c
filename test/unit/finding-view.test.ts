import { DateTime } from 'luxon';
import type { Finding } from '../../lib/domain/finding';
import { ValidationError } from '../../lib/errors';
import { parseFactValue } from '../../lib/findings/facts';
import { newSuppression, parseExpiry } from '../../lib/findings/suppressions';
import { findingChanges } from '../../lib/findings/totals';
import { FINDING_CSV_COLUMNS, findingView, findingsToCsv } from '../../lib/findings/view';

const ASOF = DateTime.fromISO('2026-03-02T15:30:00Z', { zone: 'utc' });

const stored: Finding = {
  id: 'f-1',
  ruleId: 'hcx-activation-key-expiry',
  title: 'Activation key stops working',
  targetId: 'connector:dc1',
  targetName: 'dc1',
  targetKind: 'hcx-connector',
  subjectId: 'manager',
  subjectName: '=HYPERLINK("x")',
  subjectKind: 'manager',
  status: 'suppressed',
  underlyingStatus: 'open',
  suppressionId: 'sup-1',
  severity: 'high',
  owner: 'customer',
  message: 'key stops working',
  evidence: { source: 'operator', upgradedTo411At: '2025-01-01' },
  // Stored on the day of its last scan: 100 days left then; the view counts from ASOF.
  deadline: { date: '2026-03-28', basis: 'operator', daysLeft: 100, band: 'later' },
  firstSeenAt: '2026-02-01T05:00:00.000Z',
  lastSeenAt: '2026-03-01T05:00:00.000Z',
  lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
  reopenCount: 1,
  scanId: 'scan-1',
};

describe('findingView: one finding shape for CLI, API and CSV', () => {
  it('carries effective and underlying status, the suppression, the target kind, evidence and references', () => {
    const v = findingView(stored, ASOF, (id) =>
      id === stored.ruleId ? [{ source: 'https://example.org/doc', title: 'Doc' }] : undefined,
    );
    expect(v).toMatchObject({
      status: 'suppressed',
      underlyingStatus: 'open',
      suppressionId: 'sup-1',
      targetKind: 'hcx-connector',
      evidence: { source: 'operator', upgradedTo411At: '2025-01-01' },
      references: [{ source: 'https://example.org/doc', title: 'Doc' }],
    });
  });

  it('counts the deadline from asOf, not from the stored days, and bands it', () => {
    expect(findingView(stored, ASOF).deadline).toEqual({
      date: '2026-03-28',
      basis: 'operator',
      daysLeft: 26,
      band: 'd30',
    });
    const passed = findingView(stored, DateTime.fromISO('2026-04-01T00:00:00Z', { zone: 'utc' })).deadline;
    expect(passed).toMatchObject({ daysLeft: -4, band: 'passed' });
  });

  it('shows no underlying status or suppression id on a finding that is not suppressed', () => {
    const v = findingView({ ...stored, status: 'open' }, ASOF);
    expect(v).not.toHaveProperty('underlyingStatus');
    expect(v).not.toHaveProperty('suppressionId');
  });

  it('flattens to stable CSV columns, escapes formula-like names and leaves negative day counts as numbers', () => {
    const late = findingView(stored, DateTime.fromISO('2026-04-01T00:00:00Z', { zone: 'utc' }));
    const [header, row] = findingsToCsv([late]).trim().split('\n');
    expect(header.split(',')).toEqual([...FINDING_CSV_COLUMNS]);
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain(',2026-03-28,operator,-4,passed,');
  });
});

describe('one expiry convention for suppressions (CLI --expires and API expiresAt)', () => {
  it('reads a calendar date as the end of that day UTC and an instant as that instant', () => {
    expect(parseExpiry('2026-06-01').expiresAt.toISO()).toBe('2026-06-01T23:59:59.999Z');
    expect(parseExpiry('2026-06-01T10:00:00+02:00').expiresAt.toISO()).toBe('2026-06-01T08:00:00.000Z');
    expect(parseExpiry('2026-06-01T10:00').expiresAt.toISO()).toBe('2026-06-01T10:00:00.000Z');
  });

  it.each(['2026-06', '2026-W23', 'next tuesday', '2026-02-30', ''])('refuses %j naming the parameter', (v) => {
    expect(() => parseExpiry(v, '--expires')).toThrow(ValidationError);
    expect(() => parseExpiry(v, '--expires')).toThrow(/^--expires: /);
  });

  it('allows a date exactly a year away (through that day), but not an instant past the year', () => {
    const base = {
      ruleId: 'hcx-wan-optimization-enabled',
      reason: 'r',
      category: 'waiver',
      createdBy: 'a',
    };
    const asOf = '2026-03-01T09:00:00.000Z';
    expect(newSuppression({ ...base, expiresAt: '2027-03-01' }, { asOf, id: 'x' }).expiresAt).toBe(
      '2027-03-01T23:59:59.999Z',
    );
    expect(() => newSuppression({ ...base, expiresAt: '2027-03-02' }, { asOf, id: 'x' })).toThrow(/at most one year/);
    expect(() => newSuppression({ ...base, expiresAt: '2027-03-01T09:00:01Z' }, { asOf, id: 'x' })).toThrow(
      /at most one year/,
    );
    // Today as a date still means "through today".
    expect(newSuppression({ ...base, expiresAt: '2026-03-01' }, { asOf, id: 'x' }).expiresAt).toBe(
      '2026-03-01T23:59:59.999Z',
    );
  });
});

describe('fact values: one check for hcxmon fact set and PUT /api/targets/{id}/facts', () => {
  it('takes a real past date, refuses a future one, a time or a non-date with the same words', () => {
    expect(parseFactValue('2025-08-01', '2026-03-02')).toBe('2025-08-01');
    expect(parseFactValue('2026-03-02', '2026-03-02')).toBe('2026-03-02');
    expect(() => parseFactValue('2026-03-03', '2026-03-02')).toThrow(
      'value: the upgrade date cannot be in the future (today is 2026-03-02)',
    );
    for (const bad of ['2025-13-01', '2025-08-01T10:00:00Z', 'yesterday'])
      expect(() => parseFactValue(bad, '2026-03-02')).toThrow(/^value: expected a date YYYY-MM-DD/);
  });
});

describe('findingChanges: what one scan changed, for its recorded totals', () => {
  const open: Finding = { ...stored, status: 'open', underlyingStatus: undefined, suppressionId: undefined };
  it('counts first-seen, resolved and escalated (severity up, or a nearer deadline band) findings', () => {
    const before = [
      open,
      { ...open, id: 'f-2', severity: 'medium' as const },
      { ...open, id: 'f-3' },
      { ...open, id: 'f-4', status: 'resolved' as const },
    ];
    const after = [
      // Band later → d30: escalated.
      { ...open, deadline: { ...stored.deadline!, band: 'd30' as const } },
      // medium → high: escalated.
      { ...open, id: 'f-2', severity: 'high' as const },
      { ...open, id: 'f-3', status: 'resolved' as const },
      // Open again after resolving: not new (it was seen before), not escalated.
      { ...open, id: 'f-4' },
      { ...open, id: 'f-5', status: 'unknown' as const },
      // First seen but already waived: not counted as new.
      { ...open, id: 'f-6', status: 'suppressed' as const, underlyingStatus: 'open' as const },
    ];
    expect(findingChanges(before, after)).toEqual({ new: 1, resolved: 1, escalated: 2 });
    // A suppressed finding that resolves underneath is resolved by this scan too.
    const hidden = { ...open, status: 'suppressed' as const, underlyingStatus: 'open' as const };
    expect(findingChanges([hidden], [{ ...hidden, underlyingStatus: 'resolved' as const }]).resolved).toBe(1);
  });
});
