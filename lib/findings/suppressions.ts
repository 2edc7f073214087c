import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Suppression } from '../domain/finding';
import { ValidationError } from '../errors';

/** A suppression that covered nothing for this long is reported as stale (DESIGN §4). */
export const STALE_AFTER_DAYS = 7;
/** The longest a suppression may last: someone must look again at least once a year. */
export const MAX_SUPPRESSION_YEARS = 1;

function instant(value: string | DateTime): DateTime {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: 'utc' }) : value.toUTC();
  return dt;
}

/** Active at `asOf`: created at or before it and not yet expired. Expiry needs no clean-up job. */
export function isSuppressionActive(s: Suppression, asOf: string | DateTime): boolean {
  const at = instant(asOf);
  const expires = instant(s.expiresAt);
  const created = instant(s.createdAt);
  // Stryker disable next-line LogicalOperator: equivalent — an invalid DateTime compares false both ways, so the comparison below also says inactive (kept so the intent is explicit)
  if (!expires.isValid || !created.isValid) return false;
  return created <= at && at < expires;
}

export interface SuppressionScope {
  ruleId: string;
  targetId: string;
  subjectId: string;
}

function specificity(s: Suppression): number {
  return (s.subjectId !== undefined ? 2 : 0) + (s.targetId !== undefined ? 1 : 0);
}

/**
 * The active suppression covering a finding, if any. When several do, the narrowest scope wins, then the one
 * that lasts longest (then the id, so the choice is stable).
 */
export function matchSuppression(
  list: readonly Suppression[],
  scope: SuppressionScope,
  asOf: string | DateTime,
): Suppression | undefined {
  let best: Suppression | undefined;
  for (const s of list) {
    if (s.ruleId !== scope.ruleId) continue;
    if (s.targetId !== undefined && s.targetId !== scope.targetId) continue;
    if (s.subjectId !== undefined && s.subjectId !== scope.subjectId) continue;
    if (!isSuppressionActive(s, asOf)) continue;
    if (
      !best ||
      specificity(s) > specificity(best) ||
      (specificity(s) === specificity(best) &&
        (s.expiresAt > best.expiresAt || (s.expiresAt === best.expiresAt && s.id < best.id)))
    ) {
      best = s;
    }
  }
  return best;
}

/**
 * Active suppressions that have matched nothing for {@link STALE_AFTER_DAYS} days (counting from creation when
 * they never matched): probably the thing they hid was fixed, or the scope is wrong.
 */
export function staleSuppressions(list: readonly Suppression[], asOf: string | DateTime): Suppression[] {
  const cutoff = instant(asOf).minus({ days: STALE_AFTER_DAYS });
  return list.filter((s) => {
    if (!isSuppressionActive(s, asOf)) return false;
    const last = instant(s.lastMatchedAt ?? s.createdAt);
    return last.isValid && last <= cutoff;
  });
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * What an operator means by an expiry, one reading for `hcxmon suppress add --expires` and `POST /api/suppressions`
 * `expiresAt`: a calendar date `YYYY-MM-DD` is "through the end of that day, UTC" (the waiver still holds on the day
 * written down); a full ISO 8601 instant (`2027-01-31T12:00:00Z`; without an offset it is UTC) is that instant.
 * Anything else (a week, a month, words) is refused. `wholeDay` tells the one-year limit to count whole days too.
 */
export function parseExpiry(value: string, parameter = 'expiresAt'): { expiresAt: DateTime; wholeDay: boolean } {
  const v = value.trim();
  if (CALENDAR_DATE.test(v)) {
    const day = DateTime.fromISO(v, { zone: 'utc' });
    if (day.isValid) return { expiresAt: day.endOf('day'), wholeDay: true };
  } else if (ISO_INSTANT.test(v)) {
    const at = DateTime.fromISO(v, { zone: 'utc' });
    if (at.isValid) return { expiresAt: at.toUTC(), wholeDay: false };
  }
  throw new ValidationError(
    `${parameter}: "${v.slice(0, 40)}" is neither a date YYYY-MM-DD (through the end of that day, UTC) nor an ISO 8601 instant`,
    parameter,
  );
}

const RULE_ID_RE = /^[a-z0-9][a-z0-9-]*$/;

const suppressionInput = z
  .object({
    ruleId: z.string().regex(RULE_ID_RE, 'must be a rule id (kebab-case)'),
    targetId: z.string().min(1).max(1000).optional(),
    subjectId: z.string().min(1).max(1000).optional(),
    reason: z.string().trim().min(1, 'is required').max(2000),
    category: z.enum(['waiver', 'mitigated']),
    expiresAt: z.string().min(1, 'is required'),
    createdBy: z.string().trim().min(1, 'is required').max(256),
  })
  .strict();

export type SuppressionInput = z.input<typeof suppressionInput>;

/**
 * Validates an operator's suppression request and stamps it: `createdAt` = asOf, `expiresAt` required, in the
 * future and at most one year after creation. Throws ValidationError (→ 400) naming the field.
 */
export function newSuppression(input: unknown, opts: { asOf: string | DateTime; id: string }): Suppression {
  const parsed = suppressionInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || 'body';
    throw new ValidationError(`${field}: ${issue.message}`, field);
  }
  const s = parsed.data;
  if (s.subjectId !== undefined && s.targetId === undefined) {
    throw new ValidationError('subjectId: needs targetId (a subject belongs to one target)', 'subjectId');
  }
  const createdAt = instant(opts.asOf);
  const { expiresAt: expires, wholeDay } = parseExpiry(s.expiresAt);
  if (expires <= createdAt) throw new ValidationError('expiresAt: must be in the future', 'expiresAt');
  // "A year from today" written as a date means through that day.
  const limit = createdAt.plus({ years: MAX_SUPPRESSION_YEARS });
  if (expires > (wholeDay ? limit.endOf('day') : limit)) {
    throw new ValidationError('expiresAt: at most one year after creation', 'expiresAt');
  }
  return {
    id: opts.id,
    ruleId: s.ruleId,
    ...(s.targetId !== undefined ? { targetId: s.targetId } : {}),
    ...(s.subjectId !== undefined ? { subjectId: s.subjectId } : {}),
    reason: s.reason,
    category: s.category,
    expiresAt: expires.toUTC().toISO() as string,
    createdBy: s.createdBy,
    createdAt: createdAt.toISO() as string,
  };
}
