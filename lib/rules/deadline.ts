import { DateTime } from 'luxon';
import type { Deadline, DeadlineBand, EvidenceSource, Severity } from '../domain/evaluation';

/**
 * Deadline math on calendar dates in UTC. "Days left" counts whole calendar days from asOf's UTC date to the
 * deadline date, so the answer does not depend on the hour of the scan: a deadline today is 0 days left (passed).
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** UTC calendar date (start of day) of a `YYYY-MM-DD` date or an ISO instant; invalid → undefined. */
export function utcDate(value: string | undefined): DateTime | undefined {
  // Stryker disable next-line ConditionalExpression: '' and undefined are not ISO dates, so luxon's invalid DateTime gives undefined below
  if (!value) return undefined;
  // An instant is the same instant whatever zone luxon reads it in (so no `setZone`); its UTC date is what counts.
  const dt = ISO_DATE.test(value) ? DateTime.fromISO(value, { zone: 'utc' }) : DateTime.fromISO(value).toUTC();
  return dt.isValid ? dt.startOf('day') : undefined;
}

export function toIsoDate(dt: DateTime): string {
  return dt.toUTC().toISODate() ?? '';
}

/** `date + days`, as `YYYY-MM-DD`; undefined when `date` is not a date. */
export function addDays(date: string, days: number): string | undefined {
  const d = utcDate(date);
  return d ? toIsoDate(d.plus({ days })) : undefined;
}

export function daysLeft(asOf: DateTime, deadline: string): number {
  const from = asOf.toUTC().startOf('day');
  const to = utcDate(deadline);
  if (!to) throw new Error(`internal: invalid deadline date ${deadline}`);
  return Math.round(to.diff(from, 'days').days);
}

/** Whole calendar days from `since` (a date or instant) to asOf's UTC date. */
export function daysSince(asOf: DateTime, since: string): number | undefined {
  const s = utcDate(since);
  return s ? Math.round(asOf.toUTC().startOf('day').diff(s, 'days').days) : undefined;
}

export function bandFor(days: number): DeadlineBand {
  if (days <= 0) return 'passed';
  if (days <= 30) return 'd30';
  if (days <= 90) return 'd90';
  if (days <= 180) return 'd180';
  return 'later';
}

/** Severity of a band; `later` takes the rule's own outcome (e.g. `low`). */
export function severityForBand(band: DeadlineBand, later: Severity): Severity {
  switch (band) {
    case 'passed':
    case 'd30':
      return 'critical';
    case 'd90':
      return 'high';
    case 'd180':
      return 'medium';
    case 'later':
      return later;
  }
}

export function makeDeadline(date: string, basis: EvidenceSource, asOf: DateTime, latestDate?: string): Deadline {
  const days = daysLeft(asOf, date);
  const d: Deadline = { date, basis, daysLeft: days, band: bandFor(days) };
  if (latestDate !== undefined && latestDate !== date) d.latestDate = latestDate;
  return d;
}

export function describeDeadline(d: Deadline): string {
  if (d.daysLeft < 0) return `${d.date} (passed ${-d.daysLeft} day${d.daysLeft === -1 ? '' : 's'} ago)`;
  if (d.daysLeft === 0) return `${d.date} (today: passed)`;
  return `${d.date} (${d.daysLeft} day${d.daysLeft === 1 ? '' : 's'} left)`;
}
