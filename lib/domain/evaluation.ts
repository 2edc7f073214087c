import type { Owner, TargetKind } from './target';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Highest first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}

export type EvaluationStatus = 'pass' | 'fail' | 'unknown' | 'not_applicable';

/** Where a piece of evidence comes from (RULES.md). */
export type EvidenceSource = 'arm' | 'hcx' | 'appliance' | 'operator' | 'observed' | 'catalog' | 'inferred';

/** Small JSON; always names its source. */
export interface Evidence {
  source: EvidenceSource;
  [key: string]: unknown;
}

/** Deadline bands of RULES.md: passed → critical, ≤30 → critical, ≤90 → high, ≤180 → medium, else later. */
export type DeadlineBand = 'passed' | 'd30' | 'd90' | 'd180' | 'later';

export interface Deadline {
  /** Calendar date, UTC, `YYYY-MM-DD`. */
  date: string;
  basis: EvidenceSource;
  /** Whole days from asOf to the deadline; ≤ 0 means passed. */
  daysLeft: number;
  band: DeadlineBand;
  /** When the basis is a bracket (observed history), the later possible date; `date` is the earlier one. */
  latestDate?: string;
  /** `date` is only an upper bound (the event may come sooner): what an undated activation key gets. */
  atTheLatest?: boolean;
}

export type SubjectKind =
  | 'manager'
  | 'target'
  | 'site-pair'
  | 'service-mesh'
  | 'appliance'
  | 'ha-group'
  | 'extended-network'
  | 'enterprise-site'
  | 'endpoint'
  | 'connection'
  | 'private-cloud';

/** One verdict of one rule about one subject of one target. */
export interface Evaluation {
  ruleId: string;
  targetId: string;
  subjectId: string;
  subjectName: string;
  subjectKind: SubjectKind;
  status: EvaluationStatus;
  severity: Severity;
  message: string;
  evidence: Evidence;
  deadline?: Deadline;
}

export type RuleFamily = 'lifecycle' | 'deprecated-features' | 'licensing' | 'upgrade-readiness' | 'ne-ha' | 'monitor-health';

export interface Reference {
  /** A public document URL (Microsoft Learn, VMware/Broadcom) or a KB number. */
  source: string;
  title: string;
}

export interface RuleMeta {
  id: string;
  title: string;
  family: RuleFamily;
  defaultSeverity: Severity;
  owner: Record<TargetKind, Owner>;
  appliesTo: readonly TargetKind[];
  references: readonly Reference[];
  /** What to do, who does it, which document says so. */
  remediation: string;
  /** What to do in one sentence: the "what to do" line of `hcxmon rules` (the full text is `remediation`). */
  action: string;
  /** Inventory fields the rule reads (documentation, and the empty-inventory test). */
  needs: readonly string[];
}
