import { DateTime } from 'luxon';
import type { Evaluation } from '../domain/evaluation';
import type { Inventory } from '../domain/inventory';
import { convergenceChecklist } from '../upgrade/checklist';
import { latestUpgrade } from '../upgrade/history';
import { BOTH, CUSTOMER, MANAGER, REF, defineRule, evaluation } from './common';
import { makeDeadline } from './deadline';
import type { RuleContext } from './types';

export const UPGRADE_NOT_CONVERGED_RULE = 'hcx-upgrade-not-converged';

/** Hours after an observed upgrade by which the estate should have converged (HCXMON_UPGRADE_WINDOW_HOURS). */
export const DEFAULT_UPGRADE_WINDOW_HOURS = 8;

const RULE = { id: UPGRADE_NOT_CONVERGED_RULE, defaultSeverity: 'medium' } as const;

/** The instant the convergence window of an upgrade first seen at `firstSeenToAt` ends. */
export function windowEndOf(firstSeenToAt: string, hours: number): DateTime {
  return DateTime.fromISO(firstSeenToAt, { zone: 'utc' }).plus({ hours });
}

export const upgradeNotConverged = defineRule({
  id: UPGRADE_NOT_CONVERGED_RULE,
  title: 'HCX upgrade not converged',
  family: 'upgrade-readiness',
  defaultSeverity: 'medium',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.upgradeManager, REF.upgradeMesh],
  action:
    'Bring the manager services, site pairs and every Service Mesh back to converged (appliances on the new version, tunnels up) before the window ends.',
  remediation:
    'After the HCX Manager is upgraded, return every service to a fully converged state before the window ends: the manager’s services running, every site pair connected with both sides’ versions readable, then upgrade the Service Mesh appliances to the manager’s version (“With the HCX Managers upgraded, the HCX Service Mesh reflects that an update is available”) and check that every mesh is committed with its tunnels up and no network extension lost. ' +
    'Microsoft Learn, “Upgrade HCX on Azure VMware Solution” (upgrade the Service Mesh once “all paired HCX Managers … are updated and all services are returned to a fully converged state”); VMware, “Upgrading the HCX Manager” and “Upgrading the HCX Service Mesh appliances”. The Service Mesh is the customer’s to upgrade.',
  needs: ['manager', 'sitePairs', 'serviceMeshes', 'appliances', 'tunnelMetrics', 'extensions', 'services'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory, ctx: RuleContext): Evaluation[] {
    const u = latestUpgrade(ctx.history);
    if (!u)
      return [
        evaluation(RULE, inv, MANAGER, 'not_applicable', 'info', 'No upgrade of the HCX Manager has been observed.', {
          source: 'observed',
        }),
      ];
    const bracket = { fromVersion: u.fromVersion, toVersion: u.toVersion, lastSeenFromAt: u.lastSeenFromAt, firstSeenToAt: u.firstSeenToAt };
    const upgraded = `The HCX Manager was upgraded from ${u.fromVersion} to ${u.toVersion} (after ${u.lastSeenFromAt}, seen by ${u.firstSeenToAt})`;
    if (u.convergedAt)
      return [
        evaluation(RULE, inv, MANAGER, 'pass', 'info', `${upgraded}; converged at ${u.convergedAt}.`, {
          source: 'observed',
          ...bracket,
          convergedAt: u.convergedAt,
        }),
      ];
    const hours = ctx.settings.upgradeWindowHours ?? DEFAULT_UPGRADE_WINDOW_HOURS;
    const end = windowEndOf(u.firstSeenToAt, hours);
    const endIso = end.toISO()!;
    const deadline = makeDeadline(end.toISODate()!, 'observed', ctx.asOf);
    const checklist = convergenceChecklist(inv, u);
    const evidence = {
      source: 'observed' as const,
      ...bracket,
      windowEndsAt: endIso,
      checklist: checklist.items.map((i) => ({ id: i.id, status: i.status, details: i.details.slice(0, 10) })),
    };
    const late = ctx.asOf >= end;
    // A passed deadline is critical, as everywhere in the catalog (RULES.md deadline bands). Inside the window the
    // lag is the upgrade in progress (the customer upgrades the Service Mesh after the managers), so it is
    // reported without paging: the ≤ 30-day band would page every upgrade from its first scan.
    const severity = late ? 'critical' : 'medium';
    const when = late ? `the window ended at ${endIso}` : `the window ends at ${endIso}`;
    if (inv.manager?.version !== undefined && inv.manager.version !== u.toVersion) {
      // The manager reports yet another version than the upgrade went to: checked against the upgrade it is on.
      return [
        evaluation(RULE, inv, MANAGER, 'unknown', severity, `${upgraded}, but it now reports ${inv.manager.version}; convergence cannot be judged against ${u.toVersion}.`, evidence, deadline),
      ];
    }
    const failing = checklist.items.filter((i) => i.status !== 'pass');
    const summary = failing.map((i) => `${i.title}: ${i.status === 'fail' ? '' : 'unknown — '}${i.details.slice(0, 3).join('; ')}`).join(' | ');
    if (checklist.status === 'fail')
      return [evaluation(RULE, inv, MANAGER, 'fail', severity, `${upgraded}; not converged yet and ${when}. ${summary}`, evidence, deadline)];
    if (checklist.status === 'unknown')
      return [evaluation(RULE, inv, MANAGER, 'unknown', severity, `${upgraded}; convergence cannot be confirmed (${when}). ${summary}`, evidence, deadline)];
    return [evaluation(RULE, inv, MANAGER, 'pass', 'info', `${upgraded}; converged.`, { ...evidence, convergedAt: inv.collectedAt })];
  },
});

export const UPGRADE_CONVERGENCE_RULES = [upgradeNotConverged];
