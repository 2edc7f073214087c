import { DateTime } from 'luxon';
import { ValidationError } from '../errors';

/**
 * One check of a fact's value for `hcxmon fact set` and `PUT /api/targets/{id}/facts`: the only fact today is the date
 * a target was upgraded to HCX 4.11.0, and an upgrade in the future has not happened (the activation-key deadline
 * counted from it would be wrong, and silently later).
 */
export function checkFactValue(value: string, today: string, parameter = 'value'): void {
  if (value > today)
    throw new ValidationError(`${parameter}: the upgrade date cannot be in the future (today is ${today})`, parameter);
}

/**
 * A fact's value as both surfaces take it: a real calendar date `YYYY-MM-DD` (no time: the 450 days are counted in
 * whole days), not after `today`. Returns the date; throws ValidationError with the same words for the CLI and the API.
 */
export function parseFactValue(value: string, today: string, parameter = 'value'): string {
  const v = value.trim();
  // Whether a calendar date exists does not depend on the zone: luxon moves a local midnight lost to DST, never refuses it.
  // Stryker disable next-line ObjectLiteral: equivalent, see above (utc only says which day is meant).
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !DateTime.fromISO(v, { zone: 'utc' }).isValid)
    throw new ValidationError(`${parameter}: expected a date YYYY-MM-DD (got "${v.slice(0, 40)}")`, parameter);
  checkFactValue(v, today, parameter);
  return v;
}
