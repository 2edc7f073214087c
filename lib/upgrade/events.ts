import type { AlertEvent } from '../domain/alert';
import type { TargetHistory, UpgradeRecord } from '../domain/finding';
import type { TargetRef } from '../domain/target';
import { targetKey } from '../findings/ids';
import { UPGRADE_NOT_CONVERGED_RULE } from '../rules/upgrade-convergence';

/** What is left to the customer after this manager's upgrade (Microsoft Learn, "Upgrade HCX on Azure VMware Solution"). */
const NEXT: Record<TargetRef['kind'], string> = {
  'avs-private-cloud':
    'Microsoft upgrades the HCX Cloud Manager; upgrading the paired HCX Connector(s) and then the Service Mesh appliances is the customer’s.',
  'hcx-connector': 'The Connector is the customer’s to upgrade, and so are the Service Mesh appliances, once every paired manager is updated.',
};

/** Upgrades in `after` that `before` did not hold (at most one per scan). */
export function newUpgrades(before: TargetHistory, after: TargetHistory): UpgradeRecord[] {
  const seen = new Set((before.upgrades ?? []).map((u) => u.firstSeenToAt));
  return (after.upgrades ?? []).filter((u) => !seen.has(u.firstSeenToAt));
}

/**
 * The info alert event of an observed upgrade. Its id is derived from the target and the scan time that saw the new
 * version, so a retried write upserts the same outbox row. It names no finding: the per-finding log alerts and the
 * workbook's open-findings view take a finding's latest row as its state (infra/modules/monitoring.bicep), and an
 * `upgraded` row there would read as an open finding — rows without a FindingId (like the scan heartbeat) stay out.
 */
export function upgradeEvent(target: TargetRef, u: UpgradeRecord): AlertEvent {
  const stamp = u.firstSeenToAt.replace(/[^0-9]/g, '').slice(0, 17);
  return {
    id: `upgraded-${targetKey(target.id)}-${stamp}`,
    event: 'upgraded',
    findingId: '',
    ruleId: UPGRADE_NOT_CONVERGED_RULE,
    severity: 'info',
    title: 'HCX Manager upgraded',
    message: `The HCX Manager of ${target.name} was upgraded from ${u.fromVersion} to ${u.toVersion} (last seen on ${u.fromVersion} at ${u.lastSeenFromAt}, first seen on ${u.toVersion} at ${u.firstSeenToAt}). ${NEXT[target.kind]} Follow-up scans verify convergence (hcx-upgrade-not-converged).`,
    targetId: target.id,
    targetName: target.name,
    subjectId: 'manager',
    subjectName: 'HCX Manager',
    // Microsoft upgrades the Cloud Manager; the customer upgrades the Connector.
    owner: target.kind === 'avs-private-cloud' ? 'microsoft' : 'customer',
    createdAt: u.firstSeenToAt,
  };
}
