import { stringify } from 'csv-stringify/sync';
import type { DateTime } from 'luxon';
import type { DeadlineBand, Evidence, EvidenceSource, Reference, Severity, SubjectKind } from '../domain/evaluation';
import type { Finding, FindingStatus } from '../domain/finding';
import type { Owner, TargetKind } from '../domain/target';
import { bandFor } from '../rules/deadline';
import { daysUntil } from './urgency';

/**
 * The one shape of a finding that leaves the product: `hcxmon scan|findings --format json|csv`, `GET /api/findings`
 * (JSON and CSV) and `GET /api/findings/{id}`. A stored finding's deadline carries the days left of the day it was
 * last scanned; the view counts them again from `asOf` (the same day count as the dashboard, lib/findings/urgency.ts),
 * so every surface answers the same number on the same day.
 */
export interface DeadlineView {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  /**
   * Where the date comes from: `catalog` (a published end-of-support date), `appliance`/`hcx` (the 4.11.0 upgrade the
   * system reports, + 450 days), `operator` (an upgrade date set as a fact), `observed` (the first scan that saw 4.11).
   */
  basis: EvidenceSource;
  /** Whole days from the UTC day of `asOf`; 0 or less: passed. */
  daysLeft: number;
  band: DeadlineBand;
  /** With an `observed` basis: the later end of the bracket (`date` is the earlier one). */
  latestDate?: string;
  /** `date` is only an upper bound: the event may come sooner. */
  atTheLatest?: boolean;
}

export interface FindingView {
  id: string;
  ruleId: string;
  severity: Severity;
  /** Effective status: `suppressed` while an active suppression covers it. */
  status: FindingStatus;
  /** The status the rule gives underneath a suppression. */
  underlyingStatus?: Exclude<FindingStatus, 'suppressed'>;
  suppressionId?: string;
  targetId: string;
  targetName: string;
  /** `avs-private-cloud` (its HCX Cloud Manager, run by Microsoft) or `hcx-connector` (on premises, the customer's). */
  targetKind: TargetKind;
  subjectId: string;
  subjectName: string;
  subjectKind: SubjectKind;
  title: string;
  message: string;
  owner: Owner;
  evidence: Evidence;
  deadline?: DeadlineView;
  firstSeenAt: string;
  lastSeenAt: string;
  lastEvaluatedAt: string;
  resolvedAt?: string;
  openedAt?: string;
  reopenCount: number;
  scanId?: string;
  references: Reference[];
}

/** The references of a rule by id (the catalog; the discovery-scope finding has none). */
export type ReferencesOf = (ruleId: string) => readonly Reference[] | undefined;

export function deadlineView(d: NonNullable<Finding['deadline']>, asOf: DateTime): DeadlineView {
  const daysLeft = daysUntil(d.date, asOf);
  const out: DeadlineView = { date: d.date, basis: d.basis, daysLeft, band: bandFor(daysLeft) };
  if (d.latestDate !== undefined) out.latestDate = d.latestDate;
  if (d.atTheLatest) out.atTheLatest = true;
  return out;
}

export function findingView(f: Finding, asOf: DateTime, referencesOf: ReferencesOf = () => undefined): FindingView {
  const out: FindingView = {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    status: f.status,
    targetId: f.targetId,
    targetName: f.targetName,
    targetKind: f.targetKind,
    subjectId: f.subjectId,
    subjectName: f.subjectName,
    subjectKind: f.subjectKind,
    title: f.title,
    message: f.message,
    owner: f.owner,
    evidence: f.evidence,
    firstSeenAt: f.firstSeenAt,
    lastSeenAt: f.lastSeenAt,
    lastEvaluatedAt: f.lastEvaluatedAt,
    reopenCount: f.reopenCount,
    references: [...(referencesOf(f.ruleId) ?? [])],
  };
  // Optional fields are absent rather than null, as in the stored finding.
  if (f.status === 'suppressed' && f.underlyingStatus) out.underlyingStatus = f.underlyingStatus;
  if (f.status === 'suppressed' && f.suppressionId) out.suppressionId = f.suppressionId;
  if (f.deadline) out.deadline = deadlineView(f.deadline, asOf);
  if (f.resolvedAt) out.resolvedAt = f.resolvedAt;
  if (f.openedAt) out.openedAt = f.openedAt;
  if (f.scanId) out.scanId = f.scanId;
  return out;
}

/** CSV columns, in order: the view's fields, the deadline flattened, evidence and references as JSON text. */
export const FINDING_CSV_COLUMNS = [
  'id',
  'ruleId',
  'severity',
  'status',
  'underlyingStatus',
  'suppressionId',
  'targetId',
  'targetName',
  'targetKind',
  'subjectId',
  'subjectName',
  'subjectKind',
  'title',
  'message',
  'owner',
  'deadline_date',
  'deadline_basis',
  'deadline_days_left',
  'deadline_band',
  'deadline_latest_date',
  'deadline_at_the_latest',
  'firstSeenAt',
  'lastSeenAt',
  'lastEvaluatedAt',
  'resolvedAt',
  'openedAt',
  'reopenCount',
  'scanId',
  'evidence',
  'references',
] as const;

export type FindingCsvColumn = (typeof FINDING_CSV_COLUMNS)[number];

/** One CSV row as values; numbers stay numbers so a negative day count is not taken for a formula. */
export function flattenFindingView(v: FindingView): Record<FindingCsvColumn, string | number> {
  const d = v.deadline;
  return {
    id: v.id,
    ruleId: v.ruleId,
    severity: v.severity,
    status: v.status,
    underlyingStatus: v.underlyingStatus ?? '',
    suppressionId: v.suppressionId ?? '',
    targetId: v.targetId,
    targetName: v.targetName,
    targetKind: v.targetKind,
    subjectId: v.subjectId,
    subjectName: v.subjectName,
    subjectKind: v.subjectKind,
    title: v.title,
    message: v.message,
    owner: v.owner,
    deadline_date: d?.date ?? '',
    deadline_basis: d?.basis ?? '',
    deadline_days_left: d ? d.daysLeft : '',
    deadline_band: d?.band ?? '',
    deadline_latest_date: d?.latestDate ?? '',
    deadline_at_the_latest: d?.atTheLatest ? 'true' : '',
    firstSeenAt: v.firstSeenAt,
    lastSeenAt: v.lastSeenAt,
    lastEvaluatedAt: v.lastEvaluatedAt,
    resolvedAt: v.resolvedAt ?? '',
    openedAt: v.openedAt ?? '',
    reopenCount: v.reopenCount,
    scanId: v.scanId ?? '',
    evidence: JSON.stringify(v.evidence),
    references: JSON.stringify(v.references),
  };
}

/**
 * Names in these cells are chosen on HCX (meshes, sites, networks): a leading = + - @ tab or CR would make a
 * spreadsheet run them as a formula (OWASP "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection);
 * csv-stringify's `escape_formulas` prefixes such cells with '. Numbers are left alone (a negative number is data).
 */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => r[c] ?? '')),
    { header: true, columns: columns as string[], escape_formulas: true },
  );
}

export function findingsToCsv(views: readonly FindingView[]): string {
  return toCsv(FINDING_CSV_COLUMNS, views.map(flattenFindingView));
}
