/**
 * Table loss and the per-target request budget, against the test Azurite: a table deleted under a running process
 * (a storage account reset, an emulator restarted without persistence) is recreated on the next request instead of
 * failing every call until a restart; and a target's scan costs one partition read and one transaction.
 */
import { TableClient } from '@azure/data-tables';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Finding } from '../../lib/domain/finding';
import { emptyInventory, type Inventory } from '../../lib/domain/inventory';
import type { TargetRef } from '../../lib/domain/target';
import { findingId } from '../../lib/findings/ids';
import { createStores, type Stores } from '../../lib/store';
import { labRuntime, uniquePrefix } from '../support/runtime';

const connectionString = process.env.HCXMON_TEST_STORAGE as string;

function counted(): { stores: Stores; requests: () => number; reset(): void } {
  let n = 0;
  const policy: PipelinePolicy = { name: 'count', sendRequest: (req, next) => (n++, next(req)) };
  const stores = createStores(
    { kind: 'connectionString', connectionString, setting: 'HCXMON_TEST_STORAGE' },
    { tablePrefix: uniquePrefix('rec'), policies: [policy] },
  );
  return { stores, requests: () => n, reset: () => void (n = 0) };
}

const target: TargetRef = { id: 'connector:recovery-1', name: 'recovery-1', kind: 'hcx-connector' };

function inventory(collectedAt: string, version = '4.10.2'): Inventory {
  const inv = emptyInventory(target, collectedAt);
  inv.manager = { version, build: '1' };
  inv.reachability.hybridity = { ok: true };
  return inv;
}

function finding(at: string): Finding {
  return {
    id: findingId('hcx-version-supported', target.id, 'manager'),
    ruleId: 'hcx-version-supported',
    title: 'HCX version is supported',
    targetId: target.id,
    targetName: target.name,
    targetKind: target.kind,
    subjectId: 'manager',
    subjectName: 'manager',
    subjectKind: 'manager',
    status: 'open',
    severity: 'high',
    owner: 'customer',
    message: 'old',
    evidence: { source: 'observed' },
    firstSeenAt: at,
    lastSeenAt: at,
    lastEvaluatedAt: at,
    reopenCount: 0,
  };
}

async function dropTable(stores: Stores): Promise<void> {
  const raw = TableClient.fromConnectionString(connectionString, stores.tableNames.findings, { allowInsecureConnection: true });
  await raw.deleteTable();
}

describe('a table deleted while the process runs', () => {
  it('is recreated on the next point read, query and transaction instead of failing until a restart', async () => {
    const { stores } = counted();
    await stores.targetScans.commit({ targetId: target.id, inventory: inventory('2026-01-01T05:00:00.000Z'), compute: () => ({ changed: [finding('2026-01-01T05:00:00.000Z')], events: [] }) });
    await dropTable(stores);
    // Point read: the row went with the table, so "not found" — not an error.
    await expect(stores.findings.get(finding('x').id)).resolves.toBeUndefined();
    await dropTable(stores);
    await expect(stores.findings.queryAll({ targetId: target.id })).resolves.toEqual([]);
    await dropTable(stores);
    // A transaction (the scan's write) reports the missing table inside its 202 answer.
    const r = await stores.targetScans.commit({
      targetId: target.id,
      inventory: inventory('2026-01-02T05:00:00.000Z'),
      compute: () => ({ changed: [finding('2026-01-02T05:00:00.000Z')], events: [] }),
    });
    expect(r.report.findingsWritten).toBe(1);
    expect((await stores.findings.listForTarget(target.id)).map((f) => f.lastSeenAt)).toEqual(['2026-01-02T05:00:00.000Z']);
    expect((await stores.inventory.getLatest(target.id))?.collectedAt).toBe('2026-01-02T05:00:00.000Z');
  });

  it('a scan after the findings table vanished completes with no failed target', async () => {
    const w = await labRuntime('recscan');
    try {
      await w.rt.scan({ trigger: 'cli' });
      await dropTable(w.rt.stores);
      w.clock.advance(24);
      const again = await w.rt.scan({ trigger: 'cli' });
      expect(again.targets.length).toBeGreaterThan(0);
      expect(again.targets.filter((t) => t.outcome.status === 'failed')).toEqual([]);
      expect((await w.rt.stores.inventory.listTargets()).length).toBe(again.targets.length);
    } finally {
      await w.stop();
    }
  });
});

describe('one target, one partition', () => {
  it('a scan of an unchanged target is one partition read and one transaction, and prunes expired snapshots in it', async () => {
    const { stores, requests, reset } = counted();
    const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'];
    for (const d of days) {
      await stores.targetScans.commit({ targetId: target.id, inventory: inventory(`${d}T05:00:00.000Z`), historyDays: 30, compute: () => ({ changed: [finding(`${d}T05:00:00.000Z`)], events: [] }) });
    }
    reset();
    // 30 days before 2026-02-02T06:00 is 2026-01-03T06:00: the first three snapshots have expired, 01-04 has not.
    const r = await stores.targetScans.commit({
      targetId: target.id,
      inventory: inventory('2026-02-02T06:00:00.000Z', '4.11.0'),
      historyDays: 30,
      compute: (state) => {
        expect(state.findings).toHaveLength(1);
        expect(state.history.versions.map((v) => v.version)).toEqual(['4.10.2']);
        return { changed: [{ ...state.findings[0], lastSeenAt: '2026-02-02T06:00:00.000Z' }], events: [] };
      },
    });
    expect(requests()).toBe(2);
    expect(r.report).toMatchObject({ transactions: 1, pruned: 3, attempts: 1 });
    expect((await stores.inventory.listSnapshots(target.id)).map((s) => s.collectedAt)).toEqual([
      '2026-02-02T06:00:00.000Z',
      '2026-01-04T05:00:00.000Z',
    ]);
    expect((await stores.inventory.getHistory(target.id)).versions.map((v) => v.version)).toEqual(['4.10.2', '4.11.0']);
  });

  it('two writers of one target meet on the ETags: one row per finding, both histories folded', async () => {
    const { stores } = counted();
    await stores.targetScans.commit({ targetId: target.id, inventory: inventory('2026-01-01T05:00:00.000Z'), compute: () => ({ changed: [finding('2026-01-01T05:00:00.000Z')], events: [] }) });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let attempts = 0;
    const slow = stores.targetScans.commit({
      targetId: target.id,
      inventory: inventory('2026-01-02T05:00:00.000Z', '4.11.0'),
      compute: (s) => ({ changed: [{ ...s.findings[0], lastSeenAt: '2026-01-02T05:00:00.000Z' }], events: [] }),
      beforeWrite: async (attempt) => {
        attempts = attempt;
        if (attempt === 1) await gate;
      },
    });
    await stores.targetScans.commit({
      targetId: target.id,
      inventory: inventory('2026-01-03T05:00:00.000Z', '4.11.1'),
      compute: (s) => ({ changed: [{ ...s.findings[0], lastSeenAt: '2026-01-03T05:00:00.000Z' }], events: [] }),
    });
    release();
    await slow;
    expect(attempts).toBe(2);
    expect(await stores.findings.listForTarget(target.id)).toHaveLength(1);
    expect((await stores.inventory.getHistory(target.id)).versions.map((v) => v.version)).toEqual(['4.10.2', '4.11.0', '4.11.1']);
  });
});
