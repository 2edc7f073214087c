import { SEVERITIES, severityAtLeast, type Severity } from '../domain/evaluation';
import type { Finding } from '../domain/finding';

export interface GateSummary {
  open: number;
  unknown: number;
  suppressed: number;
  bySeverity: Record<Severity, { open: number; unknown: number }>;
}

export interface GateResult {
  failOn?: Severity;
  allowUnknown: boolean;
  /** True when the gate fails (the CLI exits 3). */
  failed: boolean;
  /** The findings that failed the gate, worst first (ids and why). */
  causes: {
    id: string;
    ruleId: string;
    targetName: string;
    subjectName: string;
    severity: Severity;
    status: 'open' | 'unknown';
  }[];
  summary: GateSummary;
}

/**
 * `hcxmon scan --fail-on SEV` as a CI gate. An `unknown` at or above the threshold fails it too (a target we could
 * not read is not a pass) unless the caller says `--allow-unknown`; suppressed findings are waived and never fail it.
 */
export function evaluateGate(
  findings: readonly Finding[],
  failOn: Severity | undefined,
  allowUnknown: boolean,
): GateResult {
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, { open: 0, unknown: 0 }]),
  ) as GateSummary['bySeverity'];
  const summary: GateSummary = { open: 0, unknown: 0, suppressed: 0, bySeverity };
  const causes: GateResult['causes'] = [];
  for (const f of findings) {
    if (f.status === 'suppressed') summary.suppressed++;
    if (f.status !== 'open' && f.status !== 'unknown') continue;
    summary[f.status]++;
    bySeverity[f.severity][f.status]++;
    if (failOn === undefined || !severityAtLeast(f.severity, failOn)) continue;
    if (f.status === 'unknown' && allowUnknown) continue;
    causes.push({
      id: f.id,
      ruleId: f.ruleId,
      targetName: f.targetName,
      subjectName: f.subjectName,
      severity: f.severity,
      status: f.status,
    });
  }
  return { failOn, allowUnknown, failed: causes.length > 0, causes, summary };
}
