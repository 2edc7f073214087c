/**
 * A discovery scope the identity could not read is a finding, not a gap (issue 15): a subscription that answers
 * 403, or a management group / tenant whose Resource Graph answer was partial, holds private clouds nobody checks.
 * Each failing scope is recorded as a finding of rule DISCOVERY_RULE on a target standing for that scope (its ARM
 * id), and resolved by the first scan that reads it again. Not a rule of the rule engine: there is no inventory to
 * evaluate, only the scan's discovery errors.
 */
import { DateTime } from 'luxon';
import type { Evaluation } from './domain/evaluation';
import type { TargetRef } from './domain/target';
import { DISCOVERY_SCOPE_RULE } from './rules';
import { reconcile } from './findings';
import type { ScanRecord } from './scan-types';
import type { Stores } from './store';

/** The catalog's rule for a scope discovery could not read (listed with the engine's rules, judged here). */
export const DISCOVERY_RULE = DISCOVERY_SCOPE_RULE;

const SUBJECT = { id: 'discovery', name: 'AVS private-cloud discovery', kind: 'target' as const };

type DiscoveryError = ScanRecord['discoveryErrors'][number];

/** The target a failing scope's finding belongs to: the subscription's ARM id, or the scope as configured. */
export function scopeTarget(e: DiscoveryError): TargetRef {
  if (e.subscriptionId) {
    const sub = e.subscriptionId.toLowerCase();
    return { id: `/subscriptions/${sub}`, name: `subscription ${sub}`, kind: 'avs-private-cloud' };
  }
  const scope = e.scope ?? 'discovery';
  return { id: `scope:${scope}`, name: `discovery scope ${scope}`, kind: 'avs-private-cloud' };
}

export function discoveryEvaluation(target: TargetRef, e: DiscoveryError | undefined): Evaluation {
  const base = { ruleId: DISCOVERY_RULE.id, targetId: target.id, subjectId: SUBJECT.id, subjectName: SUBJECT.name };
  if (!e) {
    return {
      ...base,
      subjectKind: SUBJECT.kind,
      status: 'pass',
      severity: 'info',
      message: `${target.name} was read by this scan's discovery.`,
      evidence: { source: 'arm' },
    };
  }
  const denied = e.errorClass === 'auth';
  return {
    ...base,
    subjectKind: SUBJECT.kind,
    status: 'fail',
    severity: 'high',
    message: denied
      ? `${e.message}. The monitor's identity cannot read ${target.name}: private clouds in it are not discovered, so none of them is checked. Grant it read there (README "Deploy to Azure"), or narrow HCXMON_DISCOVERY_SCOPE.`
      : `${e.message}. Discovery of ${target.name} did not complete: private clouds in it may be missing from this scan (those seen before keep their findings and are reported stale).`,
    evidence: {
      source: 'arm',
      errorClass: e.errorClass,
      ...(e.status !== undefined ? { status: e.status } : {}),
    },
  };
}

/**
 * Opens (or keeps open) a finding per failing scope of this scan, and resolves the open ones this scan shows are
 * read again: a subscription only when discovery actually read it (not merely "did not fail": a subscription list
 * that failed reads nothing), a scope when no scope failed. While a scope-level error exists nothing is resolved.
 * Filtered scans (one target) do not judge discovery.
 */
export async function recordDiscoveryFindings(stores: Stores, scan: ScanRecord): Promise<void> {
  if (scan.targetFilter) return;
  const failing = new Map<string, { ref: TargetRef; error: DiscoveryError }>();
  for (const e of scan.discoveryErrors) {
    const ref = scopeTarget(e);
    if (!failing.has(ref.id)) failing.set(ref.id, { ref, error: e });
  }
  const [open, suppressions] = await Promise.all([
    stores.findings.queryAll({ ruleId: DISCOVERY_RULE.id, status: ['open', 'unknown', 'suppressed'] }),
    stores.suppressions.list({ activeAt: scan.asOf }),
  ]);
  const recovered = new Map<string, TargetRef>();
  const scopeFailed = scan.discoveryErrors.some((e) => !e.subscriptionId);
  const read = new Set(scan.discoveryRead ?? []);
  const wasRead = (targetId: string): boolean => {
    const sub = /^\/subscriptions\/([^/]+)$/i.exec(targetId)?.[1];
    return sub ? read.has(sub.toLowerCase()) : targetId.startsWith('scope:');
  };
  for (const f of open) {
    if (scopeFailed || failing.has(f.targetId) || !wasRead(f.targetId)) continue;
    recovered.set(f.targetId, { id: f.targetId, name: f.targetName, kind: f.targetKind });
  }
  const asOf = DateTime.fromISO(scan.asOf, { zone: 'utc' });
  const jobs = [
    ...[...failing.values()].map(({ ref, error }) => ({ ref, evaluation: discoveryEvaluation(ref, error) })),
    ...[...recovered.values()].map((ref) => ({ ref, evaluation: discoveryEvaluation(ref, undefined) })),
  ];
  const matched = new Set<string>();
  for (const { ref, evaluation } of jobs) {
    await stores.findings.saveReconciled(ref.id, (stored) => {
      const result = reconcile({
        target: ref,
        asOf,
        evaluations: [evaluation],
        stored,
        suppressions,
        rules: (id) => (id === DISCOVERY_RULE.id ? DISCOVERY_RULE : undefined),
        scanId: scan.scanId,
        evaluatedRuleIds: [DISCOVERY_RULE.id],
      });
      for (const id of result.matchedSuppressionIds) matched.add(id);
      return result;
    });
  }
  // A waiver that still matches is not stale (GET /api/suppressions reports unmatched ones).
  if (matched.size > 0) await stores.suppressions.markMatched([...matched], scan.asOf);
}
