import { SEVERITIES, severityRank, type Severity } from '../domain/evaluation';
import type { Finding, FindingStatus } from '../domain/finding';
import { BAND_RANK } from './reconcile';

/** What one target's reconcile changed, counted from the findings before and after it. */
export interface FindingChanges {
  /** First seen by this scan, open or unknown (the dashboard links them as `firstSeenAt=<the scan's asOf>`). */
  new: number;
  /** Resolved by this scan (its real status was not resolved before). */
  resolved: number;
  /** Open before and after, with a higher severity or a nearer deadline band than before. */
  escalated: number;
}

/**
 * A scan's totals as it recorded them when it finished: the findings of the targets it reached, by status after
 * it (open by severity, unknown, suppressed), and what it changed (new, resolved, escalated). The trend page, the
 * dashboard's "new since the previous scan" and `GET /api/summary` read these instead of adding rows up again.
 */
export interface ScanTotals {
  openBySeverity: Record<Severity, number>;
  open: number;
  unknown: number;
  suppressed: number;
  new: number;
  resolved: number;
  escalated: number;
}

/** The status the rule gives, under a suppression too: a suppressed finding can still resolve or escalate. */
function real(f: Finding): Exclude<FindingStatus, 'suppressed'> {
  return f.status === 'suppressed' ? (f.underlyingStatus ?? 'open') : f.status;
}

export function findingChanges(before: readonly Finding[], after: readonly Finding[]): FindingChanges {
  const prev = new Map(before.map((f) => [f.id, f]));
  const out: FindingChanges = { new: 0, resolved: 0, escalated: 0 };
  for (const f of after) {
    const p = prev.get(f.id);
    const now = real(f);
    const was = p ? real(p) : undefined;
    if ((f.status === 'open' || f.status === 'unknown') && was === undefined) out.new++;
    if (now === 'resolved' && was !== undefined && was !== 'resolved') out.resolved++;
    if (p && now === 'open' && was === 'open') {
      const worseSeverity = severityRank(f.severity) > severityRank(p.severity);
      // `later` has the lowest rank: nothing is below it, and an unknown key (rank undefined) compares false alike.
      // Stryker disable next-line StringLiteral: equivalent, see above.
      const bandNow = BAND_RANK[f.deadline?.band ?? 'later'];
      const bandBefore = BAND_RANK[p.deadline?.band ?? 'later'];
      const worseBand = bandNow > bandBefore;
      if (worseSeverity || worseBand) out.escalated++;
    }
  }
  return out;
}

export function openBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (f.status === 'open') counts[f.severity]++;
  return counts;
}

/** The per-target pieces a scan records in each outcome, added up when the scan completes. */
export interface OutcomeTotals {
  counts: { open: number; unknown: number; suppressed: number };
  openBySeverity?: Record<Severity, number>;
  changes?: FindingChanges;
}

export function scanTotals(outcomes: readonly OutcomeTotals[]): ScanTotals {
  const t: ScanTotals = {
    openBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
    open: 0,
    unknown: 0,
    suppressed: 0,
    new: 0,
    resolved: 0,
    escalated: 0,
  };
  for (const o of outcomes) {
    t.open += o.counts.open;
    t.unknown += o.counts.unknown;
    t.suppressed += o.counts.suppressed;
    for (const s of SEVERITIES) t.openBySeverity[s] += o.openBySeverity?.[s] ?? 0;
    t.new += o.changes?.new ?? 0;
    t.resolved += o.changes?.resolved ?? 0;
    t.escalated += o.changes?.escalated ?? 0;
  }
  return t;
}
