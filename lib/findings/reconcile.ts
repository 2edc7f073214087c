import { DateTime } from 'luxon';
import type { AlertEvent, AlertEventKind } from '../domain/alert';
import {
  severityRank,
  type DeadlineBand,
  type Evaluation,
  type EvaluationStatus,
  type RuleMeta,
} from '../domain/evaluation';
import type { Finding, FindingStatus, Suppression } from '../domain/finding';
import type { Owner, TargetRef } from '../domain/target';
import { alertEventId, findingId } from './ids';
import { matchSuppression } from './suppressions';

/** What reconcile needs to know about a rule; a lookup keeps it independent of the rule registry. */
export type RuleInfo = Pick<RuleMeta, 'title' | 'owner'>;
export type RuleLookup = (ruleId: string) => RuleInfo | undefined;

export interface ReconcileInput {
  target: TargetRef;
  /** The evaluation instant; every timestamp written comes from it (never the wall clock). */
  asOf: DateTime | string;
  /** This run's evaluations of this target. */
  evaluations: readonly Evaluation[];
  /** Every stored finding of this target (all statuses). */
  stored: readonly Finding[];
  /** Suppressions that may apply (expired ones are ignored here by themselves). */
  suppressions: readonly Suppression[];
  rules: RuleLookup;
  scanId?: string;
  /**
   * Rules that ran this time. Stored findings of rules outside this set are left alone instead of being
   * resolved as "vanished" (a partial run must not resolve what it did not look at). Default: every rule.
   */
  evaluatedRuleIds?: Iterable<string>;
}

export interface ReconcileResult {
  /** New or changed findings: the rows to write. Sorted by id. */
  changed: Finding[];
  /** Alert events caused by those changes, to write in the same transaction as their finding. */
  events: AlertEvent[];
  /** Every finding of the target after this run (changed or not). Sorted by id. */
  all: Finding[];
  /** Suppressions that covered a finding this run (their lastMatchedAt becomes asOf). */
  matchedSuppressionIds: string[];
}

type RealStatus = Exclude<FindingStatus, 'suppressed'>;

export const BAND_RANK: Record<DeadlineBand, number> = { later: 0, d180: 1, d90: 2, d30: 3, passed: 4 };
const STATUS_PRIORITY: Record<EvaluationStatus, number> = { fail: 3, unknown: 2, pass: 1, not_applicable: 0 };

export function toIsoInstant(value: DateTime | string): string {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: 'utc' }) : value;
  if (!dt.isValid) throw new RangeError(`not a valid instant: ${String(value)}`);
  return dt.toUTC().toISO({ suppressMilliseconds: false }) as string;
}

function realStatusOf(f: Finding): RealStatus {
  // Stryker disable next-line StringLiteral,LogicalOperator: equivalent — callers only ask "resolved?", and a suppression never hides a resolution
  return f.status === 'suppressed' ? (f.underlyingStatus ?? 'open') : f.status;
}

/** Inside an open episode: it opened and has not resolved since (unknown in between does not end it). */
function inOpenEpisode(f: Finding | undefined): boolean {
  return f !== undefined && f.openedAt !== undefined && f.resolvedAt === undefined;
}

function ownerFor(rule: RuleInfo | undefined, target: TargetRef, prev: Finding | undefined): Owner {
  return rule?.owner[target.kind] ?? prev?.owner ?? 'customer';
}

/** A rule bug could report one subject twice; the most alarming verdict wins (fail-closed). */
function dedupe(evaluations: readonly Evaluation[]): Evaluation[] {
  const byKey = new Map<string, Evaluation>();
  for (const e of evaluations) {
    const key = `${e.ruleId}\u0000${e.subjectId}`;
    const cur = byKey.get(key);
    if (
      !cur ||
      STATUS_PRIORITY[e.status] > STATUS_PRIORITY[cur.status] ||
      (e.status === cur.status && severityRank(e.severity) > severityRank(cur.severity))
    ) {
      byKey.set(key, e);
    }
  }
  return [...byKey.values()];
}

/** Canonical form used to tell whether a row changed (undefined fields dropped, keys sorted). */
function canonical(f: Finding): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, sortKeys(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(f));
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The findings lifecycle of one target (DESIGN §4), pure: same inputs, same rows and events.
 *
 * fail → open; pass / not_applicable → resolved (nothing when there was no finding); unknown → unknown (stored
 * even for a new subject so "cannot tell" is visible; never resolves and never opens); a stored finding whose
 * subject is gone → resolved, or unknown when its rule could not decide something this run (it may have failed to
 * enumerate its subjects, and a failure to collect must not look compliant). An active suppression hides open or
 * unknown as `suppressed` over the real status, which keeps being evaluated.
 */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const asOf = toIsoInstant(input.asOf);
  const { target } = input;
  const storedById = new Map(input.stored.map((f) => [f.id, f]));
  const evaluatedRules = input.evaluatedRuleIds ? new Set(input.evaluatedRuleIds) : undefined;
  const results = new Map<string, Finding>();
  const events: AlertEvent[] = [];
  const matched = new Set<string>();

  const evaluations = dedupe(input.evaluations);
  const rulesWithUnknown = new Set(evaluations.filter((e) => e.status === 'unknown').map((e) => e.ruleId));

  const apply = (prev: Finding | undefined, e: Evaluation, real: RealStatus, id: string): void => {
    const rule = input.rules(e.ruleId);
    const suppression =
      real === 'open' || real === 'unknown'
        ? matchSuppression(input.suppressions, { ruleId: e.ruleId, targetId: target.id, subjectId: e.subjectId }, asOf)
        : undefined;
    if (suppression) matched.add(suppression.id);
    const status: FindingStatus = suppression ? 'suppressed' : real;
    const prevReal = prev ? realStatusOf(prev) : undefined;
    const wasInEpisode = inOpenEpisode(prev);

    let openedAt = prev?.openedAt;
    let resolvedAt = prev?.resolvedAt;
    let reopenCount = prev?.reopenCount ?? 0;
    let episodeStarted = false;
    // Stryker disable next-line BooleanLiteral: equivalent — read only when the status is resolved, which always assigns it
    let episodeEnded = false;
    if (real === 'open' && !wasInEpisode) {
      if (prev?.openedAt !== undefined) reopenCount += 1;
      openedAt = asOf;
      resolvedAt = undefined;
      episodeStarted = true;
    } else if (real === 'resolved') {
      if (prevReal !== 'resolved') resolvedAt = asOf;
      episodeEnded = wasInEpisode;
    }

    const next: Finding = dropUndefined({
      id,
      ruleId: e.ruleId,
      title: rule?.title ?? prev?.title ?? e.ruleId,
      targetId: target.id,
      targetName: target.name,
      targetKind: target.kind,
      subjectId: e.subjectId,
      subjectName: e.subjectName || prev?.subjectName || e.subjectId,
      subjectKind: e.subjectKind,
      status,
      underlyingStatus: suppression ? (real as 'open' | 'unknown') : undefined,
      // A resolution keeps the severity it had while failing: that is what was resolved.
      severity: real === 'resolved' && prev ? prev.severity : e.severity,
      owner: ownerFor(rule, target, prev),
      message: e.message,
      evidence: e.evidence,
      // Stryker disable next-line OptionalChaining: equivalent — a resolution always has a previous row
      deadline: real === 'resolved' ? prev?.deadline : e.deadline,
      firstSeenAt: prev?.firstSeenAt ?? asOf,
      // "Seen" = seen in the state worth showing; a resolution does not move it.
      // Stryker disable next-line OptionalChaining: equivalent — a resolution always has a previous row
      lastSeenAt: real === 'resolved' ? (prev?.lastSeenAt ?? asOf) : asOf,
      lastEvaluatedAt: asOf,
      resolvedAt,
      openedAt,
      reopenCount,
      suppressionId: suppression?.id,
      scanId: input.scanId ?? prev?.scanId,
    });
    results.set(id, next);

    const emit = (event: AlertEventKind, discriminator: string, severity = next.severity): void => {
      events.push(
        dropUndefined({
          id: alertEventId(id, event, discriminator),
          event,
          findingId: id,
          ruleId: next.ruleId,
          severity,
          title: next.title,
          message: next.message,
          targetId: next.targetId,
          targetName: next.targetName,
          subjectId: next.subjectId,
          subjectName: next.subjectName,
          owner: next.owner,
          deadline: next.deadline?.date,
          band: next.deadline?.band,
          createdAt: asOf,
        }),
      );
    };

    const eventsBefore = events.length;
    if (status === 'open') {
      // A lapsed suppression over a still-failing finding pages like a new one: nobody was told before.
      // Stryker disable next-line OptionalChaining: equivalent — open without a new episode means a previous row
      if (episodeStarted || prev?.status === 'suppressed') {
        emit('opened', `${asOf}#${reopenCount}`);
        // Stryker disable next-line OptionalChaining: equivalent — open without a new episode means a previous row
      } else if (prev?.status === 'open') {
        const escalated = severityRank(next.severity) > severityRank(prev.severity);
        if (escalated) emit('escalated', `${next.severity}@${asOf}`);
        const newBand = next.deadline?.band;
        const oldBand = prev.deadline?.band ?? 'later';
        // One page per change: a band crossing that also raised the severity is the escalation.
        // Stryker disable next-line StringLiteral: equivalent — `later` has the lowest rank, so the rank test alone already refuses it
        if (!escalated && newBand && newBand !== 'later' && BAND_RANK[newBand] > BAND_RANK[oldBand]) {
          emit('reminder', `${newBand}#${reopenCount}`);
        }
      }
    } else if (status === 'resolved' && episodeEnded) {
      emit('resolved', `${asOf}#${reopenCount}`);
    }
    // Keeps the per-finding alert firing while the problem lasts (unknown inside an open episode counts: fail closed),
    // once a day — on the first evaluation of a new UTC day, so a same-day rescan or a replay says nothing new.
    const stillOpen = status === 'open' || (status === 'unknown' && inOpenEpisode(next));
    const newDay = prev !== undefined && prev.lastEvaluatedAt.slice(0, 10) < asOf.slice(0, 10);
    if (stillOpen && newDay && events.length === eventsBefore) emit('still-open', `${asOf.slice(0, 10)}#${reopenCount}`);
  };

  for (const e of evaluations) {
    if (e.targetId !== target.id) {
      throw new RangeError(`evaluation of ${e.ruleId} is about target ${e.targetId}, not ${target.id}`);
    }
    const id = findingId(e.ruleId, target.id, e.subjectId);
    const prev = storedById.get(id);
    let real: RealStatus | undefined;
    switch (e.status) {
      case 'fail':
        real = 'open';
        break;
      case 'unknown':
        real = 'unknown';
        break;
      case 'pass':
      case 'not_applicable':
        real = prev ? 'resolved' : undefined;
        break;
    }
    if (real !== undefined) apply(prev, e, real, id);
  }

  for (const prev of input.stored) {
    if (results.has(prev.id)) continue;
    const ruleRan = evaluatedRules ? evaluatedRules.has(prev.ruleId) : true;
    if (!ruleRan || realStatusOf(prev) === 'resolved') {
      results.set(prev.id, prev);
      continue;
    }
    const unsure = rulesWithUnknown.has(prev.ruleId);
    const synthetic: Evaluation = {
      ruleId: prev.ruleId,
      targetId: target.id,
      subjectId: prev.subjectId,
      subjectName: prev.subjectName,
      subjectKind: prev.subjectKind,
      status: unsure ? 'unknown' : 'pass',
      severity: prev.severity,
      message: unsure
        ? `${prev.subjectName} was not reported this scan and the rule could not decide everything it needed; ` +
          'status unknown until a complete collection.'
        : `${prev.subjectName} is no longer present on ${target.name}.`,
      evidence: { source: 'observed', reason: unsure ? 'subject-not-reported' : 'subject-vanished', lastSeenAt: prev.lastSeenAt },
      deadline: unsure ? prev.deadline : undefined,
    };
    apply(prev, synthetic, unsure ? 'unknown' : 'resolved', prev.id);
  }

  const all = [...results.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const changed = all.filter((f) => {
    const prev = storedById.get(f.id);
    return !prev || canonical(prev) !== canonical(f);
  });
  events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { changed, events, all, matchedSuppressionIds: [...matched].sort() };
}

/** Counts by status, for scan outcomes and summaries. */
export function countByStatus(findings: readonly Finding[]): Record<FindingStatus, number> {
  const counts: Record<FindingStatus, number> = { open: 0, unknown: 0, suppressed: 0, resolved: 0 };
  for (const f of findings) counts[f.status] += 1;
  return counts;
}
