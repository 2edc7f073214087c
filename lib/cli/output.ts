import { DateTime } from 'luxon';
import { severityRank } from '../domain/evaluation';
import type { Finding } from '../domain/finding';
import type { TargetKind } from '../domain/target';
import type { TargetOutcome } from '../scan-types';
import { findingView, type FindingView, type ReferencesOf } from '../findings/view';

export interface TargetJson {
  id: string;
  name: string;
  kind: TargetKind;
  status: string;
  hcxVersion?: string;
}

export interface ScanJson {
  scanId: string;
  asOf: string;
  targets: TargetJson[];
  findings: FindingView[];
}

export function outcomeToTargetJson(o: TargetOutcome): TargetJson {
  const t: TargetJson = { id: o.targetId, name: o.targetName, kind: o.targetKind, status: o.status };
  if (o.hcxVersion) t.hcxVersion = o.hcxVersion;
  return t;
}

/**
 * What a scan reports (the CLI's `scan` and the demo): per target its outcome, and the findings that need
 * attention or cannot be told — resolved ones are history — worst first.
 */
export function scanReport(
  result: {
    scan: { scanId: string; asOf: string };
    targets: { outcome: TargetOutcome; findings: Finding[] }[];
  },
  referencesOf?: ReferencesOf,
): { json: ScanJson; findings: Finding[] } {
  const asOf = DateTime.fromISO(result.scan.asOf, { zone: 'utc' });
  const findings = sortFindings(result.targets.flatMap((t) => t.findings.filter((f) => f.status !== 'resolved')));
  return {
    json: {
      scanId: result.scan.scanId,
      asOf: result.scan.asOf,
      targets: result.targets.map((t) => outcomeToTargetJson(t.outcome)),
      findings: findings.map((f) => findingView(f, asOf, referencesOf)),
    },
    findings,
  };
}

/** Worst first, then by target and rule, so the table reads top-down by urgency. */
export function sortFindings<T extends Pick<Finding, 'severity' | 'targetName' | 'ruleId' | 'subjectName'>>(
  list: T[],
): T[] {
  return [...list].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.targetName.localeCompare(b.targetName) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.subjectName.localeCompare(b.subjectName),
  );
}

