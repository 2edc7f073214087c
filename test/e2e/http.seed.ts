import { SEVERITIES, severityRank, type Severity } from '../../lib/domain/evaluation';
import type { Finding, FindingStatus } from '../../lib/domain/finding';
import type { Inventory } from '../../lib/domain/inventory';
import type { TargetRef } from '../../lib/domain/target';
import { findingId } from '../../lib/findings/ids';
import { createStores, type Stores } from '../../lib/store';
import type { ScanRecord, TargetOutcome } from '../../lib/scan-types';

/** Seeds findings, inventories and a scan straight through lib/store (the HTTP e2e tests read them back). */
export function repos(connectionString: string, tablePrefix: string): Stores {
  return createStores({ kind: 'connectionString', connectionString, setting: 'HCXMON_TEST_STORAGE' }, { tablePrefix });
}

export function makeFinding(target: TargetRef, i: number, over: Partial<Finding> = {}): Finding {
  const ruleId = over.ruleId ?? (i % 2 === 0 ? 'hcx-appliance-outdated' : 'hcx-network-extension-without-ha');
  const severity: Severity = over.severity ?? SEVERITIES[i % SEVERITIES.length];
  const subjectId = `subject-${i}`;
  const status: FindingStatus = over.status ?? 'open';
  void severityRank;
  return {
    id: findingId(ruleId, target.id, subjectId),
    ruleId,
    title: `Finding ${i}`,
    targetId: target.id,
    targetName: target.name,
    targetKind: target.kind,
    subjectId,
    subjectName: `Subject ${i}`,
    subjectKind: 'appliance',
    status,
    severity,
    owner: 'customer',
    message: `message ${i}`,
    evidence: { source: 'hcx', i },
    firstSeenAt: '2026-03-01T05:00:00.000Z',
    lastSeenAt: '2026-03-01T05:00:00.000Z',
    lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
    reopenCount: 0,
    ...over,
    ...(over.ruleId ? { id: findingId(over.ruleId, target.id, subjectId) } : {}),
  };
}

export async function seedFindings(r: ReturnType<typeof repos>, target: TargetRef, findings: Finding[]): Promise<void> {
  await r.findings.saveReconciled(target.id, () => ({ changed: findings, events: [] }));
}

export async function seedInventory(r: ReturnType<typeof repos>, inv: Inventory, scanId: string): Promise<void> {
  await r.targetScans.commit({
    targetId: inv.target.id,
    inventory: inv,
    scanId,
    compute: () => ({ changed: [], events: [] }),
  });
}

export async function seedScan(
  r: ReturnType<typeof repos>,
  targets: TargetRef[],
  versions: Record<string, string>,
): Promise<ScanRecord> {
  const scan: ScanRecord = {
    scanId: '20260301T050000-seed0001',
    trigger: 'timer',
    asOf: '2026-03-01T05:00:00.000Z',
    startedAt: '2026-03-01T05:00:00.000Z',
    targets,
    discoveryErrors: [],
    status: 'running',
  };
  await r.scans.start(scan);
  for (const t of targets) {
    const outcome: TargetOutcome = {
      scanId: scan.scanId,
      targetId: t.id,
      targetName: t.name,
      targetKind: t.kind,
      status: 'ok',
      hcxVersion: versions[t.id],
      startedAt: scan.startedAt,
      finishedAt: '2026-03-01T05:01:00.000Z',
      durationMs: 60000,
      counts: { open: 0, unknown: 0, suppressed: 0, resolved: 0 },
      issues: [],
    };
    await r.scans.recordTarget(outcome);
  }
  await r.scans.complete(scan.scanId, '2026-03-01T05:02:00.000Z');
  return scan;
}
