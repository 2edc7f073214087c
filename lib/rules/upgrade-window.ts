import { DateTime } from 'luxon';
import { severityAtLeast, type Evaluation } from '../domain/evaluation';
import type { Inventory } from '../domain/inventory';
import { upcomingWindows, type MaintenanceWindow } from '../upgrade/schedule';
import { CUSTOMER, MANAGER, REF, defineRule, evaluation } from './common';
import { makeDeadline, severityForBand, describeDeadline } from './deadline';
import type { Rule, RuleContext } from './types';

export const UPGRADE_WINDOW_RULE = 'hcx-upgrade-window-blocked';

/**
 * The upgrade gate's prerequisites (lib/api/readiness.ts CHECKS; a unit test keeps the two lists equal): when one of
 * them fails while a maintenance window is scheduled, the window's start is its deadline.
 */
export const GATE_PREREQUISITES: readonly string[] = [
  'hcx-endpoint-unreachable',
  'hcx-manager-connection-unhealthy',
  'hcx-service-mesh-degraded',
  'hcx-site-pair-unhealthy',
  'hcx-migrations-in-progress',
  'hcx-wan-optimization-enabled',
  'hcx-operations-queued',
  'hcx-ne-ha-group-degraded',
];

const RULE = { id: UPGRADE_WINDOW_RULE, defaultSeverity: 'high' } as const;

function windowText(w: MaintenanceWindow): string {
  const src = w.source === 'avs-maintenance' ? 'AVS maintenance' : 'Service Health planned maintenance';
  return `${src} "${w.title}"${w.component ? ` (${w.component})` : ''} starting ${w.startsAt}`;
}

/** The first window not yet over, if the schedule was read. */
export function nextWindow(inv: Inventory, asOf: DateTime): MaintenanceWindow | undefined {
  const s = inv.arm?.maintenance;
  return s ? upcomingWindows(s, asOf)[0] : undefined;
}

/**
 * Gate prerequisites that fail while a window is scheduled take the window's start as their deadline (event-relative,
 * like the activation key's 450 days), and the severity its band gives when that is higher. Pure; applied by
 * evaluateTarget to whatever rules it ran.
 */
export function escalateForWindow(evaluations: Evaluation[], inv: Inventory, ctx: RuleContext): Evaluation[] {
  const w = nextWindow(inv, ctx.asOf);
  if (!w) return evaluations;
  const start = DateTime.fromISO(w.startsAt, { zone: 'utc' }).toISODate()!;
  return evaluations.map((e) => {
    if (e.status !== 'fail' || !GATE_PREREQUISITES.includes(e.ruleId)) return e;
    if (e.deadline && e.deadline.date <= start) return e;
    const deadline = makeDeadline(start, 'arm', ctx.asOf);
    const banded = severityForBand(deadline.band, e.severity);
    const severity = severityAtLeast(banded, e.severity) ? banded : e.severity;
    return {
      ...e,
      severity,
      deadline,
      message: `${e.message} It blocks the upgrade: ${windowText(w)} (deadline ${describeDeadline(deadline)}).`,
      evidence: { ...e.evidence, maintenanceWindow: w },
    };
  });
}

export const upgradeWindowBlocked: Rule = defineRule({
  id: UPGRADE_WINDOW_RULE,
  title: 'Maintenance window scheduled while the upgrade gate is blocked',
  family: 'upgrade-readiness',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: ['avs-private-cloud'],
  references: [REF.avsUpgrade, REF.upgradeManager],
  action: 'Clear the failing upgrade-gate prerequisites before the maintenance window starts, or reschedule the window.',
  remediation:
    'Microsoft upgrades the HCX Cloud Manager "during the agreed maintenance window" (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”); a Cloud Manager with WAN Optimization enabled cannot be upgraded to 4.11.3, and the upgrade needs healthy connections, a converged Service Mesh, no migrations in progress and no queued operations. Clear the failing prerequisites (the gate, GET /api/targets/{id}/readiness) before the window starts, or reschedule the maintenance in the Azure portal.',
  needs: ['arm.maintenance'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory, ctx: RuleContext): Evaluation[] {
    const s = inv.arm?.maintenance;
    if (!s) {
      const why = inv.issues.find((i) => i.call === 'maintenances' || i.call === 'serviceHealthEvents');
      return [
        evaluation(RULE, inv, MANAGER, 'unknown', 'high', `The maintenance schedule of this private cloud could not be read${why ? ` (${why.message})` : ''}; whether a window is coming is unknown.`, {
          source: 'arm',
          missing: ['arm.maintenance'],
        }),
      ];
    }
    const upcoming = upcomingWindows(s, ctx.asOf);
    const evidence = { source: 'arm' as const, upcoming: upcoming.slice(0, 5), problems: s.problems.slice(0, 5) };
    if (upcoming.length === 0) {
      if (s.problems.length > 0)
        return [evaluation(RULE, inv, MANAGER, 'unknown', 'high', `Part of the maintenance schedule could not be read (${s.problems.slice(0, 2).join('; ')}); no readable window is scheduled.`, evidence)];
      return [evaluation(RULE, inv, MANAGER, 'pass', 'info', 'No maintenance window is scheduled for this private cloud.', evidence)];
    }
    const w = upcoming[0];
    const deadline = makeDeadline(DateTime.fromISO(w.startsAt, { zone: 'utc' }).toISODate()!, 'arm', ctx.asOf);
    // The gate's own rules, on this inventory: lazily from the catalog (it lists this rule too).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { evaluateTarget, RULES } = require('./index') as typeof import('./index');
    const gate = evaluateTarget(inv, ctx, RULES.filter((r) => GATE_PREREQUISITES.includes(r.id)));
    const failing = gate.filter((g) => g.status === 'fail');
    const unknown = gate.filter((g) => g.status === 'unknown');
    const names = (list: Evaluation[]) => [...new Set(list.map((g) => g.ruleId))].join(', ');
    const blockedEvidence = { ...evidence, failing: [...new Set(failing.map((g) => g.ruleId))], unknown: [...new Set(unknown.map((g) => g.ruleId))] };
    if (failing.length > 0)
      return [
        // RULES.md bands (passed/≤30 d critical, ≤90 high, ≤180 medium); a window further out is low, not the rule's
        // default high: severity must not rise again as the window moves away.
        evaluation(RULE, inv, MANAGER, 'fail', severityForBand(deadline.band, 'low'), `${windowText(w)}, and the upgrade gate is blocked by ${names(failing)}: clear them before ${describeDeadline(deadline)}.`, blockedEvidence, deadline),
      ];
    if (unknown.length > 0)
      return [
        evaluation(RULE, inv, MANAGER, 'unknown', 'high', `${windowText(w)}; the upgrade gate cannot be confirmed (${names(unknown)} could not be read).`, blockedEvidence, deadline),
      ];
    return [evaluation(RULE, inv, MANAGER, 'pass', 'info', `${windowText(w)}; the upgrade gate passes.`, blockedEvidence)];
  },
});

export const UPGRADE_WINDOW_RULES = [upgradeWindowBlocked];
