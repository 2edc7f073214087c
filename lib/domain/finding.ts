import type { Deadline, Evidence, Severity, SubjectKind } from './evaluation';
import type { Owner, TargetKind } from './target';

/**
 * open: the rule fails now. resolved: it passed (or the subject vanished). unknown: the data to decide was not
 * collected — kept apart from pass, never resolved by it. suppressed: an active suppression covers it; the real
 * status stays in `underlyingStatus` and keeps being evaluated.
 */
export type FindingStatus = 'open' | 'resolved' | 'unknown' | 'suppressed';

export interface Finding {
  /** Deterministic from (ruleId, targetId, subjectId); safe as a Table key. */
  id: string;
  ruleId: string;
  title: string;
  targetId: string;
  targetName: string;
  targetKind: TargetKind;
  subjectId: string;
  subjectName: string;
  subjectKind: SubjectKind;
  status: FindingStatus;
  /** The status the rule gives when a suppression hides it. */
  underlyingStatus?: Exclude<FindingStatus, 'suppressed'>;
  severity: Severity;
  owner: Owner;
  message: string;
  evidence: Evidence;
  deadline?: Deadline;
  firstSeenAt: string;
  lastSeenAt: string;
  lastEvaluatedAt: string;
  /** When it last resolved; kept while a resolved finding turns unknown, cleared when it opens again. */
  resolvedAt?: string;
  /**
   * Start of the current (or last) open episode. Unknown in the middle of an episode does not end it, so a
   * finding that flaps open → unknown → open pages once, and only a real reopen (after resolved) counts.
   */
  openedAt?: string;
  reopenCount: number;
  suppressionId?: string;
  /** Last scan that evaluated it. */
  scanId?: string;
}

export type SuppressionCategory = 'waiver' | 'mitigated';

export interface Suppression {
  id: string;
  ruleId: string;
  targetId?: string;
  subjectId?: string;
  reason: string;
  category: SuppressionCategory;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  /** Last time it covered a finding; stale after 7 days without a match. */
  lastMatchedAt?: string;
}

/** Operator-entered truths the APIs cannot give, with provenance. */
export type FactName = 'upgradedTo411At';

export const FACT_NAMES: readonly FactName[] = ['upgradedTo411At'];

export interface Fact {
  targetId: string;
  /** A fact may be about one subject of a target (e.g. an HCX enterprise site). */
  subjectId?: string;
  name: FactName;
  /** ISO date (`YYYY-MM-DD`) or instant. */
  value: string;
  setBy: string;
  setAt: string;
  source?: string;
}

/** Versions a target has been seen running, compact enough to keep forever. */
export interface VersionObservation {
  version: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * A change of the manager's version between two scans (issue 16): both versions and the scan times that bracket it
 * (the upgrade happened after `lastSeenFromAt` and before `firstSeenToAt`).
 */
export interface UpgradeRecord {
  fromVersion: string;
  toVersion: string;
  lastSeenFromAt: string;
  firstSeenToAt: string;
  /** Extended networks the last scan before the upgrade saw (the "no extension lost" check compares with it). */
  extensionsBefore?: number;
  /** First scan after the upgrade whose convergence checklist passed. */
  convergedAt?: string;
}

export interface TargetHistory {
  versions: VersionObservation[];
  /** Upgrades seen, oldest first (bounded). */
  upgrades?: UpgradeRecord[];
  /** Extended networks at the last scan that collected them. */
  lastExtensionCount?: number;
  /** Last scan that collected the manager successfully (for hcx-scan-stale). */
  lastSuccessfulCollectionAt?: string;
}
