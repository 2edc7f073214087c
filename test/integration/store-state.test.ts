import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import type { Suppression } from '../../lib/domain/finding';
import { emptyInventory, type Inventory } from '../../lib/domain/inventory';
import type { TargetRef } from '../../lib/domain/target';
import { ValidationError } from '../../lib/errors';
import { targetKey } from '../../lib/findings/ids';
import type { ScanRecord, TargetOutcome } from '../../lib/scan-types';
import { createStores, type Stores } from '../../lib/store';

const connectionString = process.env.HCXMON_TEST_STORAGE as string;
let counter = 0;
/** An inventory stored the way a scan stores it (one partition read + one transaction), with no finding changes. */
async function saveInventory(stores: Stores, inv: Inventory, opts: { scanId?: string; historyDays?: number } = {}) {
  const { report } = await stores.targetScans.commit({
    targetId: inv.target.id,
    inventory: inv,
    ...opts,
    compute: () => ({ changed: [], events: [] }),
  });
  return report;
}

function freshStores(): Stores {
  counter += 1;
  return createStores(
    { kind: 'connectionString', connectionString, setting: 'HCXMON_TEST_STORAGE' },
    { tablePrefix: `sts${process.pid}x${counter}` },
  );
}

const cloud: TargetRef = {
  id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.avs/privateclouds/pc1',
  name: 'pc1',
  kind: 'avs-private-cloud',
};
const connector: TargetRef = { id: 'connector:onprem-1', name: 'onprem-1', kind: 'hcx-connector' };

function inventory(target: TargetRef, collectedAt: string, version?: string): Inventory {
  const inv = emptyInventory(target, collectedAt);
  if (version) {
    inv.manager = { version, build: '1234' };
    inv.reachability.hybridity = { ok: true };
  } else {
    inv.reachability.hybridity = { ok: false, errorClass: 'timeout', message: 'timed out after 15000 ms' };
  }
  inv.serviceMeshes = [];
  return inv;
}

describe('inventory repository (Azurite)', () => {
  it('round-trips latest and the dated snapshot, keeping undefined apart from []', async () => {
    const stores = freshStores();
    const inv = inventory(cloud, '2026-01-01T05:00:00.000Z', '4.10.2');
    const { snapshotKey } = await saveInventory(stores, inv, { scanId: 'scan-1' });
    expect(await stores.inventory.getLatest(cloud.id)).toEqual(inv);
    expect(await stores.inventory.getSnapshot(cloud.id, snapshotKey)).toEqual(inv);
    const latest = (await stores.inventory.getLatest(cloud.id)) as Inventory;
    expect(latest.serviceMeshes).toEqual([]);
    expect('appliances' in latest).toBe(false);
    expect(await stores.inventory.getLatest(connector.id)).toBeUndefined();
    expect(await stores.inventory.getSummary(cloud.id)).toEqual({
      targetId: cloud.id,
      targetName: 'pc1',
      targetKind: 'avs-private-cloud',
      collectedAt: inv.collectedAt,
      hcxVersion: '4.10.2',
      scanId: 'scan-1',
    });
  });

  it('chunks an inventory far beyond the 64 KiB property limit across properties and rows', async () => {
    const stores = freshStores();
    const inv = inventory(connector, '2026-01-01T05:00:00.000Z', '4.11.0');
    // Random names defeat compression: ~1.1 MB of JSON, > 360k base64 chars → several properties and two rows.
    inv.appliances = Array.from({ length: 1100 }, (_, i) => ({
      id: `app-${i}`,
      name: randomBytes(500).toString('hex'),
      type: 'HCX-NET-EXT',
    }));
    expect(JSON.stringify(inv).length).toBeGreaterThan(1_000_000);
    await saveInventory(stores, inv);
    expect(await stores.inventory.getLatest(connector.id)).toEqual(inv);
    const raw = TableClient.fromConnectionString(connectionString, stores.tableNames.inventory, {
      allowInsecureConnection: true,
    });
    const latest = await raw.getEntity(targetKey(connector.id), 'latest');
    expect(latest.rows).toBeGreaterThanOrEqual(2);

    // A smaller inventory replaces it and the overflow row of the big one goes away.
    const small = inventory(connector, '2026-01-02T05:00:00.000Z', '4.11.0');
    await saveInventory(stores, small);
    expect(await stores.inventory.getLatest(connector.id)).toEqual(small);
    await expect(raw.getEntity(targetKey(connector.id), 'latest~x001')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps a compact version history: first/last seen per version and the last successful collection', async () => {
    const stores = freshStores();
    await saveInventory(stores, inventory(connector, '2026-01-01T05:00:00.000Z', '4.10.2'));
    await saveInventory(stores, inventory(connector, '2026-01-02T05:00:00.000Z', '4.10.2'));
    await saveInventory(stores, inventory(connector, '2026-01-03T05:00:00.000Z', '4.11.0'));
    // Unreachable: no version seen, the last successful collection does not move.
    await saveInventory(stores, inventory(connector, '2026-01-04T05:00:00.000Z'));
    expect(await stores.inventory.getHistory(connector.id)).toEqual({
      versions: [
        { version: '4.10.2', firstSeenAt: '2026-01-01T05:00:00.000Z', lastSeenAt: '2026-01-02T05:00:00.000Z' },
        { version: '4.11.0', firstSeenAt: '2026-01-03T05:00:00.000Z', lastSeenAt: '2026-01-03T05:00:00.000Z' },
      ],
      lastSuccessfulCollectionAt: '2026-01-03T05:00:00.000Z',
      // The version change is an upgrade event with its bracket (issue 16): it also dates the move to 4.11.0.
      upgrades: [
        {
          fromVersion: '4.10.2',
          toVersion: '4.11.0',
          lastSeenFromAt: '2026-01-02T05:00:00.000Z',
          firstSeenToAt: '2026-01-03T05:00:00.000Z',
        },
      ],
    });
    expect(await stores.inventory.getHistory(cloud.id)).toEqual({ versions: [] });
    // The latest is the unreachable one: the history is what still says which version ran.
    expect((await stores.inventory.getLatest(connector.id))?.manager).toBeUndefined();
  });

  it('keeps dated snapshots for historyDays only, newest first', async () => {
    const stores = freshStores();
    for (const day of ['2025-09-01', '2025-11-15', '2025-12-20', '2026-01-01']) {
      await saveInventory(stores, inventory(cloud, `${day}T05:00:00.000Z`, '4.10.2'));
    }
    const before = await stores.inventory.listSnapshots(cloud.id);
    expect(before.map((s) => s.collectedAt.slice(0, 10))).toEqual([
      '2026-01-01',
      '2025-12-20',
      '2025-11-15',
      '2025-09-01',
    ]);
    const res = await saveInventory(stores, inventory(cloud, '2026-01-02T05:00:00.000Z', '4.10.2'), {
      historyDays: 30,
    });
    expect(res.pruned).toBe(2);
    const after = await stores.inventory.listSnapshots(cloud.id);
    expect(after.map((s) => s.collectedAt.slice(0, 10))).toEqual(['2026-01-02', '2026-01-01', '2025-12-20']);
    expect(await stores.inventory.getSnapshot(cloud.id, before[3].snapshotKey)).toBeUndefined();
    // Retention never touches latest or the history.
    expect((await stores.inventory.getLatest(cloud.id))?.collectedAt).toBe('2026-01-02T05:00:00.000Z');
    expect((await stores.inventory.getHistory(cloud.id)).versions[0].firstSeenAt).toBe('2025-09-01T05:00:00.000Z');
  });

  it('lists every target with a stored inventory', async () => {
    const stores = freshStores();
    await saveInventory(stores, inventory(cloud, '2026-01-01T05:00:00.000Z', '4.10.2'));
    await saveInventory(stores, inventory(connector, '2026-01-01T05:00:00.000Z'));
    const targets = await stores.inventory.listTargets();
    expect(targets.map((t) => [t.targetName, t.hcxVersion])).toEqual([
      ['onprem-1', undefined],
      ['pc1', '4.10.2'],
    ]);
  });
});

describe('scans repository (Azurite)', () => {
  const record = (scanId: string, startedAt: string): ScanRecord => ({
    scanId,
    trigger: 'timer',
    asOf: startedAt,
    startedAt,
    targets: [cloud, connector],
    discoveryErrors: [],
    status: 'running',
  });
  const outcome = (scanId: string, target: TargetRef, status: TargetOutcome['status']): TargetOutcome => ({
    scanId,
    targetId: target.id,
    targetName: target.name,
    targetKind: target.kind,
    status,
    startedAt: '2026-01-01T05:00:00.000Z',
    finishedAt: '2026-01-01T05:00:02.500Z',
    durationMs: 2500,
    counts: { open: 2, unknown: 1, suppressed: 0, resolved: 3 },
    issues: status === 'ok' ? [] : ['hybridity: timeout'],
    ...(status === 'ok' ? { hcxVersion: '4.10.2' } : { errorClass: 'timeout' as const, message: 'timed out' }),
  });

  it('records a scan with per-target outcomes, completes it and gets it back by id', async () => {
    const stores = freshStores();
    await stores.scans.start(record('2026-01-01T050000Z-ab12', '2026-01-01T05:00:00.000Z'));
    await stores.scans.recordTarget(outcome('2026-01-01T050000Z-ab12', cloud, 'ok'));
    await stores.scans.recordTarget(outcome('2026-01-01T050000Z-ab12', connector, 'unreachable'));
    // A retried target overwrites its own row.
    await stores.scans.recordTarget(outcome('2026-01-01T050000Z-ab12', connector, 'partial'));
    expect(await stores.scans.lastCompleted()).toBeUndefined();
    await stores.scans.complete('2026-01-01T050000Z-ab12', '2026-01-01T05:00:03.000Z');
    const got = await stores.scans.get('2026-01-01T050000Z-ab12');
    expect(got?.scan).toMatchObject({
      status: 'completed',
      completedAt: '2026-01-01T05:00:03.000Z',
      targets: [cloud, connector],
    });
    expect(got?.targets.map((t) => [t.targetName, t.status])).toEqual([
      ['onprem-1', 'partial'],
      ['pc1', 'ok'],
    ]);
    expect(got?.targets[1]).toEqual(outcome('2026-01-01T050000Z-ab12', cloud, 'ok'));
    expect((await stores.scans.lastCompleted())?.scanId).toBe('2026-01-01T050000Z-ab12');
    expect(await stores.scans.get('missing/with#odd?chars')).toBeUndefined();
  });

  it('lists scans newest first with continuation', async () => {
    const stores = freshStores();
    for (let d = 1; d <= 5; d++) await stores.scans.start(record(`s${d}`, `2026-01-0${d}T05:00:00.000Z`));
    const p1 = await stores.scans.list({ pageSize: 2 });
    const p2 = await stores.scans.list({ pageSize: 2, continuationToken: p1.continuationToken });
    const p3 = await stores.scans.list({ pageSize: 2, continuationToken: p2.continuationToken });
    expect([...p1.items, ...p2.items, ...p3.items].map((s) => s.scanId)).toEqual(['s5', 's4', 's3', 's2', 's1']);
    expect(p3.continuationToken).toBeUndefined();
  });
});

describe('suppressions repository (Azurite)', () => {
  const input = {
    ruleId: 'hcx-wan-optimization-enabled',
    targetId: connector.id,
    reason: 'Removal in the March window',
    category: 'waiver',
    expiresAt: '2026-04-01T00:00:00Z',
    createdBy: 'alice@example.com',
  };

  it('creates (validated), gets, lists active ones, tracks matches forward only, reports stale, deletes', async () => {
    const stores = freshStores();
    const s = await stores.suppressions.create(input, '2026-01-01T00:00:00.000Z');
    expect(s.id).toMatch(/^sup-/);
    await expect(
      stores.suppressions.create({ ...input, expiresAt: '2027-06-01T00:00:00Z' }, '2026-01-01T00:00:00.000Z'),
    ).rejects.toBeInstanceOf(ValidationError);
    const expired: Suppression = { ...s, id: 'sup-old', expiresAt: '2026-01-10T00:00:00.000Z' };
    await stores.suppressions.put(expired);
    expect(await stores.suppressions.get(s.id)).toEqual(s);
    expect((await stores.suppressions.list({ activeAt: '2026-02-01T00:00:00.000Z' })).map((x) => x.id)).toEqual([s.id]);
    expect(await stores.suppressions.list({ ruleId: 'hcx-other' })).toEqual([]);

    await stores.suppressions.markMatched([s.id], '2026-01-20T00:00:00.000Z');
    await stores.suppressions.markMatched([s.id], '2026-01-15T00:00:00.000Z');
    expect((await stores.suppressions.get(s.id))?.lastMatchedAt).toBe('2026-01-20T00:00:00.000Z');
    expect(await stores.suppressions.stale('2026-01-26T00:00:00.000Z')).toEqual([]);
    expect((await stores.suppressions.stale('2026-01-27T00:00:00.000Z')).map((x) => x.id)).toEqual([s.id]);

    expect(await stores.suppressions.delete(s.id)).toBe(true);
    expect(await stores.suppressions.delete(s.id)).toBe(false);
    expect(await stores.suppressions.get(s.id)).toBeUndefined();
  });
});

describe('facts repository (Azurite)', () => {
  it('sets, reads, lists and deletes facts per target and subject', async () => {
    const stores = freshStores();
    const base = {
      targetId: cloud.id,
      name: 'upgradedTo411At' as const,
      setBy: 'bob',
      setAt: '2026-01-01T00:00:00.000Z',
    };
    await stores.facts.set({ ...base, value: '2025-05-01', source: 'change ticket CHG-1' });
    await stores.facts.set({ ...base, subjectId: 'site/with#slash?', value: '2025-06-01' });
    await stores.facts.set({ ...base, value: '2025-05-02' });
    expect(await stores.facts.get(cloud.id, 'upgradedTo411At')).toEqual({ ...base, value: '2025-05-02' });
    expect(await stores.facts.get(cloud.id, 'upgradedTo411At', 'site/with#slash?')).toMatchObject({
      value: '2025-06-01',
    });
    expect((await stores.facts.list(cloud.id)).map((f) => f.subjectId ?? '-')).toEqual(['-', 'site/with#slash?']);
    expect(await stores.facts.list(connector.id)).toEqual([]);
    await expect(stores.facts.set({ ...base, name: 'favouriteColour' as never, value: 'x' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await stores.facts.delete(cloud.id, 'upgradedTo411At', 'site/with#slash?')).toBe(true);
    expect(await stores.facts.delete(cloud.id, 'upgradedTo411At', 'site/with#slash?')).toBe(false);
    expect(await stores.facts.list(cloud.id)).toHaveLength(1);
  });
});
