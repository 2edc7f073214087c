import { DateTime } from 'luxon';
import {
  addDays,
  bandFor,
  daysLeft,
  daysSince,
  describeDeadline,
  makeDeadline,
  severityForBand,
  toIsoDate,
  utcDate,
} from '../../../lib/rules/deadline';

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

describe('deadline dates and the text an operator reads', () => {
  test('utcDate: a date is its own UTC midnight; an instant with an offset is the UTC date it falls on', () => {
    expect(utcDate('2026-02-20')?.toISO()).toBe('2026-02-20T00:00:00.000Z');
    expect(utcDate('2026-02-20T23:30:00-05:00')?.toISO()).toBe('2026-02-21T00:00:00.000Z');
    expect(utcDate('2026-02-20T01:30:00+03:00')?.toISO()).toBe('2026-02-19T00:00:00.000Z');
    expect(utcDate('2026-02-20T12:00:00Z')?.zoneName).toBe('UTC');
    expect(utcDate(undefined)).toBeUndefined();
    expect(utcDate('')).toBeUndefined();
    expect(utcDate('2026-02-30')).toBeUndefined();
    expect(utcDate('x2026-02-20')).toBeUndefined();
    expect(utcDate('2026-02-20x')).toBeUndefined();
  });

  test('toIsoDate writes the UTC date, even of a time in another zone', () => {
    expect(toIsoDate(DateTime.fromISO('2026-02-20T23:30:00-05:00', { setZone: true }))).toBe('2026-02-21');
    expect(toIsoDate(DateTime.invalid('bad'))).toBe('');
  });

  test('daysLeft refuses a deadline that is not a date (a catalog error, not a pass)', () => {
    expect(() => daysLeft(at('2026-01-01T00:00:00Z'), 'soon')).toThrow('internal: invalid deadline date soon');
  });

  test('daysSince counts whole UTC days from a date or instant to asOf; undefined for a non-date', () => {
    expect(daysSince(at('2026-03-01T06:00:00Z'), '2026-02-01')).toBe(28);
    expect(daysSince(at('2026-03-01T00:00:01Z'), '2026-02-28T23:59:59Z')).toBe(1);
    expect(daysSince(at('2026-03-01T06:00:00Z'), '2026-03-05')).toBe(-4);
    expect(daysSince(at('2026-03-01T06:00:00Z'), 'never')).toBeUndefined();
  });

  test('severity of the later band is the rule’s own; the other bands do not take it', () => {
    expect(severityForBand('later', 'info')).toBe('info');
    expect(severityForBand('passed', 'info')).toBe('critical');
    expect(severityForBand('d30', 'info')).toBe('critical');
    expect(severityForBand('d90', 'info')).toBe('high');
    expect(severityForBand('d180', 'info')).toBe('medium');
  });

  test('makeDeadline keeps a latest date only when the bracket is open', () => {
    expect(makeDeadline('2026-06-01', 'observed', at('2026-03-01T00:00:00Z'), '2026-06-10')).toEqual({
      date: '2026-06-01',
      basis: 'observed',
      daysLeft: 92,
      band: 'd180',
      latestDate: '2026-06-10',
    });
    const keys = ['date', 'basis', 'daysLeft', 'band'];
    expect(Object.keys(makeDeadline('2026-06-01', 'observed', at('2026-03-01T00:00:00Z'), '2026-06-01'))).toEqual(keys);
    expect(Object.keys(makeDeadline('2026-06-01', 'observed', at('2026-03-01T00:00:00Z')))).toEqual(keys);
  });

  test.each([
    [-2, '2026-02-20 (passed 2 days ago)'],
    [-1, '2026-02-20 (passed 1 day ago)'],
    [0, '2026-02-20 (today: passed)'],
    [1, '2026-02-20 (1 day left)'],
    [2, '2026-02-20 (2 days left)'],
  ] as const)('describeDeadline with %i days left: %s', (days, text) => {
    expect(describeDeadline({ date: '2026-02-20', basis: 'catalog', daysLeft: days, band: bandFor(days) })).toBe(text);
  });
});
