import Table from 'cli-table3';
import { DateTime } from 'luxon';
import pc from 'picocolors';
import { SEVERITIES, severityRank, type Severity } from '../domain/evaluation';
import type { Finding } from '../domain/finding';
import { daysUntil, dueText, headlines, summarize } from '../findings/urgency';
import type { TargetKind } from '../domain/target';
import type { TargetOutcome } from '../scan-types';
import { printable } from '../text';
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

export interface Style {
  color: boolean;
}

function paint(style: Style, sev: Severity, text: string): string {
  if (!style.color) return text;
  switch (sev) {
    case 'critical':
      return pc.bold(pc.red(text));
    case 'high':
      return pc.red(text);
    case 'medium':
      return pc.yellow(text);
    case 'low':
      return pc.cyan(text);
    default:
      return pc.dim(text);
  }
}

function statusLabel(f: Pick<Finding, 'status' | 'underlyingStatus'>): string {
  return f.status === 'suppressed' && f.underlyingStatus ? `suppressed (${f.underlyingStatus})` : f.status;
}

/**
 * Human output: what needs doing first (the dashboard's next-deadline and worst-target lines), then one block per
 * target, worst target first, a table of its findings, worst first, each deadline with its days left as of `asOf`.
 */
export function renderFindingsTable(targets: TargetJson[], stored: Finding[], style: Style, asOf: DateTime): string {
  const findings = stored;
  const summary = summarize(stored, asOf);
  const top = headlines(summary);
  const lines: string[] = [top.nextDeadline, top.worstTarget, ''];
  const rank = new Map(summary.targets.map((t, i) => [t.targetId, i]));
  const urgent = (t: TargetJson): number => rank.get(t.id) ?? rank.size;
  const byTarget = new Map<string, Finding[]>();
  for (const f of findings) byTarget.set(f.targetId, [...(byTarget.get(f.targetId) ?? []), f]);
  const known = new Set(targets.map((t) => t.id));
  const orphanTargets: TargetJson[] = [...byTarget.keys()]
    .filter((id) => !known.has(id))
    .map((id) => ({ id, name: byTarget.get(id)![0].targetName, kind: 'hcx-connector', status: '-' }));
  for (const t of [...targets, ...orphanTargets].sort((a, b) => urgent(a) - urgent(b))) {
    const all = sortFindings(byTarget.get(t.id) ?? []);
    // An unreachable target makes every rule unknown: one line says so instead of a screenful of "not collected".
    const collapse = t.status === 'unreachable' || t.status === 'failed';
    const hidden = collapse ? all.filter((f) => f.status === 'unknown') : [];
    const list = collapse ? all.filter((f) => f.status !== 'unknown') : all;
    const version = t.hcxVersion ? ` HCX ${t.hcxVersion}` : '';
    // Names, versions and messages come from HCX: stripped of control characters before they reach a terminal.
    const head = printable(
      `${t.name} (${t.kind}${version}) — scan ${t.status}, ${all.length} finding${all.length === 1 ? '' : 's'}`,
    );
    lines.push(style.color ? pc.bold(head) : head);
    if (hidden.length > 0) {
      const rules = [...new Set(hidden.map((f) => f.ruleId))];
      lines.push(
        `  ${hidden.length} check${hidden.length === 1 ? '' : 's'} unknown because the target could not be collected ` +
          `(never counted as compliant): ${printable(rules.join(', '))}`,
      );
    }
    if (list.length === 0) {
      lines.push(hidden.length ? '' : '  no open, unknown or suppressed findings', '');
      continue;
    }
    const table = new Table({
      head: ['severity', 'status', 'rule', 'subject', 'deadline', 'message'],
      style: { head: style.color ? ['bold'] : [], border: style.color ? ['grey'] : [] },
      colWidths: [10, 12, 34, 22, 14, 60],
      wordWrap: true,
    });
    for (const f of list) {
      table.push([
        paint(style, f.severity, printable(f.severity)),
        ...[
          statusLabel(f),
          f.ruleId,
          f.subjectName,
          f.deadline ? `${f.deadline.date} (${dueText(daysUntil(f.deadline.date, asOf))})` : '',
          f.message,
        ].map(printable),
      ]);
    }
    lines.push(table.toString(), '');
  }
  const counts = SEVERITIES.map(
    (s) => [s, findings.filter((f) => f.status === 'open' && f.severity === s).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => paint(style, s, `${n} ${s}`));
  const unknown = findings.filter((f) => f.status === 'unknown').length;
  const suppressed = findings.filter((f) => f.status === 'suppressed').length;
  lines.push(
    `Open: ${counts.length ? counts.join(', ') : 'none'}; unknown: ${unknown}; suppressed: ${suppressed}; targets: ${targets.length}`,
  );
  return lines.join('\n');
}
