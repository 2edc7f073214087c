import { DateTime } from 'luxon';
import { SEVERITIES, severityRank, type Severity } from '../domain/evaluation';
import type { Finding } from '../domain/finding';
import { daysLeft } from '../rules/deadline';
import type { ScanRecord } from '../scan-types';
import type { ScanTotals } from './totals';

/**
 * Urgency, one definition for the dashboard, the HTML findings view and the CLI: worst target first, then the nearest
 * deadline. "Worst" compares open findings severity by severity (one critical outweighs any number of highs), then
 * unknowns (a target we cannot read may be the worst), then how soon its next deadline falls. Days left are counted
 * from the day of `asOf`, not copied from the stored finding, whose `daysLeft` was true on the day of its last scan.
 */

export type SeverityCounts = Record<Severity, number>;

export function emptyCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

/** Whole days from the UTC day of `asOf` to `date` (YYYY-MM-DD); negative when it has passed. */
export function daysUntil(date: string, asOf: DateTime): number {
  return daysLeft(asOf, date);
}

/** "24 days left", "due today", "overdue by 3 days": the words every row shows beside a deadline. */
export function dueText(days: number): string {
  if (days === 0) return 'due today';
  const n = Math.abs(days);
  const unit = n === 1 ? 'day' : 'days';
  return days > 0 ? `${n} ${unit} left` : `overdue by ${n} ${unit}`;
}

/** Findings whose deadline still asks for action (a suppressed or resolved one does not). */
function actionable(f: Finding): boolean {
  return f.status === 'open' || f.status === 'unknown';
}

export interface DeadlineRef {
  date: string;
  daysLeft: number;
  findingId: string;
  title: string;
  ruleId: string;
  targetId: string;
  targetName: string;
  /** Other actionable findings due the same day. */
  sameDay: number;
}

export interface TargetUrgency {
  targetId: string;
  targetName: string;
  open: SeverityCounts;
  unknown: number;
  suppressed: number;
  /** The target's nearest deadline that has not passed. */
  nextDeadline?: DeadlineRef;
  overdue: number;
}

export interface FleetSummary {
  asOf: string;
  openBySeverity: SeverityCounts;
  unknown: number;
  suppressed: number;
  /** Actionable findings whose deadline has passed. */
  overdue: number;
  /** The nearest deadline today or later, over every target. */
  nextDeadline?: DeadlineRef;
  /** Every target with a finding, worst first. */
  targets: TargetUrgency[];
}

type Rankable = Pick<TargetUrgency, 'open' | 'unknown' | 'targetName'> & { nextDeadline?: { daysLeft: number } };

export function compareTargetUrgency(a: Rankable, b: Rankable): number {
  for (const s of SEVERITIES) if (a.open[s] !== b.open[s]) return b.open[s] - a.open[s];
  if (a.unknown !== b.unknown) return b.unknown - a.unknown;
  const da = a.nextDeadline?.daysLeft ?? Infinity;
  const db = b.nextDeadline?.daysLeft ?? Infinity;
  if (da !== db) return da - db;
  return a.targetName.localeCompare(b.targetName);
}

function deadlineRef(f: Finding, days: number): DeadlineRef {
  return {
    date: f.deadline!.date,
    daysLeft: days,
    findingId: f.id,
    title: f.title,
    ruleId: f.ruleId,
    targetId: f.targetId,
    targetName: f.targetName,
    sameDay: 0,
  };
}

/** Nearest of two upcoming deadlines; the same day counts the other one in `sameDay`. */
function nearer(current: DeadlineRef | undefined, f: Finding, days: number): DeadlineRef {
  if (!current || days < current.daysLeft) return deadlineRef(f, days);
  if (days === current.daysLeft) current.sameDay++;
  return current;
}

export function summarize(findings: readonly Finding[], asOf: DateTime): FleetSummary {
  const byTarget = new Map<string, TargetUrgency>();
  const summary: FleetSummary = {
    asOf: asOf.toISO()!,
    openBySeverity: emptyCounts(),
    unknown: 0,
    suppressed: 0,
    overdue: 0,
    // Stryker disable next-line ArrayDeclaration: replaced by the sorted targets before it is returned.
    targets: [],
  };
  for (const f of findings) {
    let t = byTarget.get(f.targetId);
    if (!t) {
      t = {
        targetId: f.targetId,
        targetName: f.targetName,
        open: emptyCounts(),
        unknown: 0,
        suppressed: 0,
        overdue: 0,
      };
      byTarget.set(f.targetId, t);
    }
    if (f.status === 'open') {
      t.open[f.severity]++;
      summary.openBySeverity[f.severity]++;
    } else if (f.status === 'unknown') {
      t.unknown++;
      summary.unknown++;
    } else if (f.status === 'suppressed') {
      t.suppressed++;
      summary.suppressed++;
    }
    if (!f.deadline || !actionable(f)) continue;
    const days = daysUntil(f.deadline.date, asOf);
    if (days < 0) {
      t.overdue++;
      summary.overdue++;
      continue;
    }
    t.nextDeadline = nearer(t.nextDeadline, f, days);
    summary.nextDeadline = nearer(summary.nextDeadline, f, days);
  }
  summary.targets = [...byTarget.values()].sort(compareTargetUrgency);
  return summary;
}

export function countsText(open: SeverityCounts): string {
  const parts = SEVERITIES.filter((s) => open[s] > 0).map((s) => `${open[s]} ${s}`);
  return parts.length ? `${parts.join(', ')} open` : 'nothing open';
}

/** The two lines at the top of the dashboard and of the CLI's table output. */
export function headlines(summary: FleetSummary): { nextDeadline: string; worstTarget: string } {
  const n = summary.nextDeadline;
  const overdue = summary.overdue ? ` (${summary.overdue} already overdue)` : '';
  const nextDeadline = n
    ? `Next deadline: ${n.date}, ${dueText(n.daysLeft)} — ${n.targetName}: ${n.title}` +
      `${n.sameDay ? ` (+${n.sameDay} more that day)` : ''}${overdue}`
    : `Next deadline: none ahead${overdue}`;
  const w = summary.targets[0];
  const worstTarget =
    w && (SEVERITIES.some((s) => w.open[s] > 0) || w.unknown > 0)
      ? `Worst target: ${w.targetName} — ${countsText(w.open)}${w.unknown ? `, ${w.unknown} unknown` : ''}` +
        `${w.nextDeadline ? `; next deadline ${w.nextDeadline.date} (${dueText(w.nextDeadline.daysLeft)})` : ''}`
      : 'Worst target: none (nothing open or unknown)';
  return { nextDeadline, worstTarget };
}

export const FINDING_SORTS = ['urgency', 'deadline', 'severity', 'target', 'rule', 'first-seen', 'last-seen'] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];
/** The JSON API's field names for the same orders (`sort=lastSeen` reads like the field it sorts by). */
export const FINDING_SORT_ALIASES: Readonly<Record<string, FindingSort>> = {
  lastSeen: 'last-seen',
  firstSeen: 'first-seen',
};

/** A sort name as `GET /api/findings?sort=` and `hcxmon findings --sort` take it; undefined when it is none. */
export function findingSortOf(value: string): FindingSort | undefined {
  const sort = Object.hasOwn(FINDING_SORT_ALIASES, value) ? FINDING_SORT_ALIASES[value] : value;
  return (FINDING_SORTS as readonly string[]).includes(sort) ? (sort as FindingSort) : undefined;
}

export function unknownSortMessage(value: string): string {
  return `no sort "${value.slice(0, 40)}"; expected one of ${[...FINDING_SORTS, ...Object.keys(FINDING_SORT_ALIASES)].join(', ')}`;
}

function byDeadline(a: Finding, b: Finding): number {
  // Findings with a deadline come first, earliest first (an overdue one is the most urgent of all).
  if (!a.deadline || !b.deadline) return (a.deadline ? 0 : 1) - (b.deadline ? 0 : 1);
  return a.deadline.date.localeCompare(b.deadline.date);
}

function bySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity);
}

function stable(a: Finding, b: Finding): number {
  return (
    a.targetName.localeCompare(b.targetName) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.subjectName.localeCompare(b.subjectName) ||
    a.id.localeCompare(b.id)
  );
}

/** Sorted copy. `urgency` needs the fleet summary's target order (worst target first). */
export function sortFindingsBy(findings: readonly Finding[], sort: FindingSort, asOf: DateTime): Finding[] {
  const rank = new Map(summarize(findings, asOf).targets.map((t, i) => [t.targetId, i]));
  const compare: Record<FindingSort, (a: Finding, b: Finding) => number> = {
    urgency: (a, b) =>
      (rank.get(a.targetId) ?? 0) - (rank.get(b.targetId) ?? 0) || byDeadline(a, b) || bySeverity(a, b),
    deadline: (a, b) => byDeadline(a, b) || bySeverity(a, b),
    severity: (a, b) => bySeverity(a, b) || byDeadline(a, b),
    target: (a, b) => a.targetName.localeCompare(b.targetName) || bySeverity(a, b),
    rule: (a, b) => a.ruleId.localeCompare(b.ruleId) || bySeverity(a, b),
    'first-seen': (a, b) => b.firstSeenAt.localeCompare(a.firstSeenAt),
    'last-seen': (a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt),
  };
  return [...findings].sort((a, b) => compare[sort](a, b) || stable(a, b));
}

/**
 * The summary as JSON, one shape for `GET /api/summary` and `hcxmon summary --format json`: the counts, the next
 * deadline, the worst targets (at most `top`, of `targetCount`) and the two lines the dashboard and the table print.
 */
export function summaryJson(summary: FleetSummary, top = 10, latestScan?: LatestScanTotals) {
  return {
    asOf: summary.asOf,
    openBySeverity: summary.openBySeverity,
    unknown: summary.unknown,
    suppressed: summary.suppressed,
    overdue: summary.overdue,
    ...(summary.nextDeadline ? { nextDeadline: summary.nextDeadline } : {}),
    worstTargets: summary.targets.slice(0, top),
    targetCount: summary.targets.length,
    headlines: headlines(summary),
    ...(latestScan ? { latestScan } : {}),
  };
}

/** The newest completed scan's recorded totals, as the summary shows them (none when it recorded none). */
export interface LatestScanTotals {
  scanId: string;
  asOf: string;
  completedAt?: string;
  targetFilter?: string;
  totals: ScanTotals;
}

type ScanRow = Pick<ScanRecord, 'scanId' | 'asOf' | 'status' | 'completedAt' | 'targetFilter' | 'totals' | 'targets'>;

/**
 * The scan "the latest scan" means on the dashboard and in the summary: the newest completed scan that reached at
 * least one target. A running scan has found nothing yet, and a scan whose target filter matched nothing (refused by
 * `POST /api/scans` and `hcxmon scan --target`, but still recorded) scanned nothing: either would read as "no new
 * findings", which is not known.
 */
export function latestCompletedScan<S extends ScanRow>(scans: readonly S[]): S | undefined {
  return scans.find((x) => x.status === 'completed' && x.targets.length > 0);
}

export function latestScanTotals(scans: readonly ScanRow[]): LatestScanTotals | undefined {
  const s = latestCompletedScan(scans);
  if (!s?.totals) return undefined;
  return {
    scanId: s.scanId,
    asOf: s.asOf,
    ...(s.completedAt ? { completedAt: s.completedAt } : {}),
    ...(s.targetFilter ? { targetFilter: s.targetFilter } : {}),
    totals: s.totals,
  };
}
