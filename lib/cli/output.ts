import { stringify } from 'csv-stringify/sync';
import { severityRank, type Severity } from '../domain/evaluation';
import type { Finding } from '../domain/finding';
import type { TargetKind } from '../domain/target';
import type { TargetOutcome } from '../scan-types';

/** One line per finding in `--format json` (DESIGN §7: the contract, field by field). */
export interface FindingJson {
  id: string;
  ruleId: string;
  severity: Severity;
  status: string;
  targetId: string;
  targetName: string;
  subjectId: string;
  subjectName: string;
  title: string;
  message: string;
  owner: string;
  deadline?: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

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
  findings: FindingJson[];
}

export function findingToJson(f: Finding): FindingJson {
  const out: FindingJson = {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    status: f.status,
    targetId: f.targetId,
    targetName: f.targetName,
    subjectId: f.subjectId,
    subjectName: f.subjectName,
    title: f.title,
    message: f.message,
    owner: f.owner,
    firstSeenAt: f.firstSeenAt,
    lastSeenAt: f.lastSeenAt,
  };
  if (f.deadline) out.deadline = f.deadline.date;
  return out;
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
export function scanReport(result: {
  scan: { scanId: string; asOf: string };
  targets: { outcome: TargetOutcome; findings: Finding[] }[];
}): { json: ScanJson; findings: Finding[] } {
  const findings = sortFindings(result.targets.flatMap((t) => t.findings.filter((f) => f.status !== 'resolved')));
  return {
    json: {
      scanId: result.scan.scanId,
      asOf: result.scan.asOf,
      targets: result.targets.map((t) => outcomeToTargetJson(t.outcome)),
      findings: findings.map(findingToJson),
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

const CSV_COLUMNS: (keyof FindingJson)[] = [
  'id',
  'ruleId',
  'severity',
  'status',
  'targetId',
  'targetName',
  'subjectId',
  'subjectName',
  'title',
  'message',
  'owner',
  'deadline',
  'firstSeenAt',
  'lastSeenAt',
];

export function findingsToCsv(findings: FindingJson[]): string {
  return stringify(
    findings.map((f) => CSV_COLUMNS.map((c) => f[c] ?? '')),
    // Names in these cells are chosen on HCX (meshes, sites, networks): a leading = + - @ tab or CR would make a
    // spreadsheet run them as a formula (OWASP "CSV Injection"); csv-stringify prefixes such cells with '.
    { header: true, columns: CSV_COLUMNS as string[], escape_formulas: true },
  );
}
