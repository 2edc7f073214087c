import { DateTime } from 'luxon';
import { addDays, bandFor, daysLeft, makeDeadline, severityForBand } from '../../../lib/rules/deadline';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

describe('deadline math', () => {
  test('days left are whole UTC calendar days, whatever the hour of asOf', () => {
    expect(daysLeft(at('2026-01-01T00:00:00Z'), '2026-01-31')).toBe(30);
    expect(daysLeft(at('2026-01-01T23:59:59Z'), '2026-01-31')).toBe(30);
    // 23:30 in UTC-5 is already the next UTC day.
    expect(daysLeft(DateTime.fromISO('2025-12-31T23:30:00-05:00', { setZone: true }), '2026-01-31')).toBe(30);
  });

  test.each([
    [-1, 'passed', 'critical'],
    [0, 'passed', 'critical'],
    [1, 'd30', 'critical'],
    [30, 'd30', 'critical'],
    [31, 'd90', 'high'],
    [90, 'd90', 'high'],
    [91, 'd180', 'medium'],
    [180, 'd180', 'medium'],
    [181, 'later', 'low'],
  ] as const)('%i days left → band %s, severity %s', (days, band, severity) => {
    expect(bandFor(days)).toBe(band);
    expect(severityForBand(bandFor(days), 'low')).toBe(severity);
  });

  test('deadline today is passed; yesterday is passed by one day', () => {
    expect(makeDeadline('2026-02-20', 'catalog', at('2026-02-20T12:00:00Z'))).toEqual({
      date: '2026-02-20',
      basis: 'catalog',
      daysLeft: 0,
      band: 'passed',
    });
    expect(makeDeadline('2026-02-20', 'catalog', at('2026-02-21T00:00:00Z')).daysLeft).toBe(-1);
  });

  test('addDays: 450 days after 2025-08-14 is 2026-11-07; after 2025-07-27 is 2026-10-20', () => {
    expect(addDays('2025-08-14', 450)).toBe('2026-11-07');
    expect(addDays('2025-07-27', 450)).toBe('2026-10-20');
    expect(addDays('2025-08-14T22:00:00Z', 450)).toBe('2026-11-07');
    expect(addDays('not a date', 450)).toBeUndefined();
  });
});
