import { TableClient } from '@azure/data-tables';
import type { Evaluation, Severity } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { ValidationError } from '../../lib/errors';
import { findingId, targetKey } from '../../lib/findings/ids';
import { reconcile, type RuleLookup } from '../../lib/findings/reconcile';
import { createStores, type Stores } from '../../lib/store';

const connectionString = process.env.HCXMON_TEST_STORAGE as string;
const rules: RuleLookup = (id) => ({ title: `Title ${id}`, owner: { 'avs-private-cloud': 'microsoft', 'hcx-connector': 'customer' } });

const cloud: TargetRef = {
  id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.avs/privateclouds/pc1',
  name: 'pc1',
  kind: 'avs-private-cloud',
};
const connector: TargetRef = { id: 'connector:onprem-1', name: 'onprem-1', kind: 'hcx-connector' };

function ev(target: TargetRef, subject: string, status: Evaluation['status'] = 'fail', opts: { rule?: string; severity?: Severity; due?: string } = {}): Evaluation {
  return {
    ruleId: opts.rule ?? 'hcx-appliance-outdated',
    targetId: target.id,
    subjectId: subject,
    subjectName: subject,
    subjectKind: 'appliance',
    status,
    severity: opts.severity ?? 'medium',
    message: `appliance ${subject} is behind`,
    evidence: { source: 'hcx', version: '4.10.2' },
    ...(opts.due ? { deadline: { date: opts.due, basis: 'catalog', daysLeft: 10, band: 'd30' } } : {}),
  };
}

async function scan(stores: Stores, target: TargetRef, asOf: string, evaluations: Evaluation[], beforeWrite?: (n: number) => Promise<void>) {
  return stores.findings.saveReconciled(
    target.id,
    (stored) => reconcile({ target, asOf, evaluations, stored, suppressions: [], rules, scanId: `scan-${asOf}` }),
    { beforeWrite },
  );
}

let counter = 0;
/** A fresh set of tables per test: no test sees another's rows. */
function freshStores(): Stores {
  counter += 1;
  return createStores({ kind: 'connectionString', connectionString, setting: 'HCXMON_TEST_STORAGE' }, { tablePrefix: `stf${process.pid}x${counter}` });
}

describe('findings repository (Azurite)', () => {
  it('round-trips a finding with every field, reads it by id alone, and writes its outbox row with it', async () => {
    const stores = freshStores();
    const res = await scan(stores, cloud, '2026-01-01T05:00:00.000Z', [ev(cloud, 'ix-1', 'fail', { due: '2026-01-11', severity: 'critical' })]);
    expect(res.report).toMatchObject({ attempts: 1, findingsWritten: 1, eventsWritten: 1, transactions: 1 });
    const id = findingId('hcx-appliance-outdated', cloud.id, 'ix-1');
    const got = await stores.findings.get(id);
    expect(got).toEqual(res.changed[0]);
    expect(got).toMatchObject({ status: 'open', severity: 'critical', owner: 'microsoft', deadline: { date: '2026-01-11', band: 'd30' } });
    // API-facing rows must serialise: an Int64 column would come back as bigint and JSON.stringify would throw.
    expect(() => JSON.stringify(got)).not.toThrow();
    expect(await stores.findings.get('hcx-appliance-outdated.0000.1111')).toBeUndefined();
    expect(await stores.findings.get(findingId('hcx-appliance-outdated', cloud.id, 'nope'))).toBeUndefined();

    const outbox = await stores.outbox.list();
    expect(outbox).toHaveLength(1);
    expect(outbox[0].key).toEqual({ partitionKey: targetKey(cloud.id), rowKey: `outbox~${res.events[0].id}` });
    expect(outbox[0].event).toEqual(res.events[0]);
    // Outbox rows never show up as findings.
    expect(await stores.findings.listForTarget(cloud.id)).toHaveLength(1);
  });

  it('splits a target with more than 100 findings into several transactions, each with its own outbox rows', async () => {
    const stores = freshStores();
    const evals = Array.from({ length: 260 }, (_, i) => ev(connector, `ne-${i}`));
    const res = await scan(stores, connector, '2026-01-01T05:00:00.000Z', evals);
    // 260 findings + 260 opened events = 520 operations.
    expect(res.report.transactions).toBeGreaterThanOrEqual(6);
    expect(await stores.findings.listForTarget(connector.id)).toHaveLength(260);
    expect(await stores.outbox.depth()).toBe(260);

    // Every finding's event lives next to it (same partition, same transaction unit).
    const entries = await stores.outbox.list(1000);
    expect(new Set(entries.map((e) => e.event.findingId)).size).toBe(260);
    expect(entries.every((e) => e.key.partitionKey === targetKey(connector.id))).toBe(true);

    // A second scan that resolves them all writes 260 updates + 260 resolved events.
    const res2 = await scan(stores, connector, '2026-01-02T05:00:00.000Z', []);
    expect(res2.changed).toHaveLength(260);
    expect(res2.changed.every((f) => f.status === 'resolved')).toBe(true);
    expect(await stores.outbox.depth()).toBe(520);
  });

  it('pages queries with continuation tokens across at least three pages without loss or repeats', async () => {
    const stores = freshStores();
    await scan(stores, connector, '2026-01-01T05:00:00.000Z', Array.from({ length: 120 }, (_, i) => ev(connector, `a-${i}`)));
    await scan(stores, cloud, '2026-01-01T05:00:00.000Z', Array.from({ length: 130 }, (_, i) => ev(cloud, `b-${i}`, i < 10 ? 'unknown' : 'fail')));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await stores.findings.query({ status: 'open' }, { pageSize: 50, continuationToken: token });
      expect(page.items.length).toBeGreaterThan(0);
      seen.push(...page.items.map((f) => f.id));
      token = page.continuationToken;
      pages += 1;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(240);
    expect(new Set(seen).size).toBe(240);
    await expect(stores.findings.query({}, { continuationToken: 'not-a-token' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('filters by status, severity at or above, rule, target, owner and due date', async () => {
    const stores = freshStores();
    await scan(stores, cloud, '2026-01-01T05:00:00.000Z', [
      ev(cloud, 's1', 'fail', { severity: 'critical', due: '2026-03-01' }),
      ev(cloud, 's2', 'fail', { severity: 'low', rule: 'hcx-version-below-baseline' }),
      ev(cloud, 's3', 'unknown', { severity: 'high' }),
    ]);
    await scan(stores, connector, '2026-01-01T05:00:00.000Z', [ev(connector, 'c1', 'fail', { severity: 'high', due: '2026-09-01' })]);
    const ids = async (q: Parameters<Stores['findings']['queryAll']>[0]) => (await stores.findings.queryAll(q)).map((f) => f.subjectId).sort();
    expect(await ids({ minSeverity: 'high' })).toEqual(['c1', 's1', 's3']);
    expect(await ids({ status: ['open'], minSeverity: 'high' })).toEqual(['c1', 's1']);
    expect(await ids({ status: 'unknown' })).toEqual(['s3']);
    expect(await ids({ ruleId: 'hcx-version-below-baseline' })).toEqual(['s2']);
    expect(await ids({ targetId: connector.id })).toEqual(['c1']);
    expect(await ids({ owner: 'customer' })).toEqual(['c1']);
    expect(await ids({ owner: 'microsoft', status: 'open' })).toEqual(['s1', 's2']);
    expect(await ids({ dueBefore: '2026-06-01' })).toEqual(['s1']);
    // Strictly before: a deadline ON the date is not "due before" it (Table Storage `lt`, not `le`).
    expect(await ids({ dueBefore: '2026-03-01' })).toEqual([]);
    expect(await ids({ dueBefore: '2026-03-02' })).toEqual(['s1']);
    expect(await ids({ dueBefore: '2026-09-01' })).toEqual(['s1']);
    expect(await ids({ dueBefore: '2027-01-01' })).toEqual(['c1', 's1']);
    await expect(stores.findings.queryAll({ dueBefore: "2026-01-01' or '1' eq '1" })).rejects.toBeInstanceOf(ValidationError);
    await expect(stores.findings.queryAll({ minSeverity: 'urgent' as Severity })).rejects.toBeInstanceOf(ValidationError);
  });

  it("is not fooled by OData injection: quotes and ' or ' in values only match the literal value", async () => {
    const stores = freshStores();
    const sneaky: TargetRef = { id: "connector:o'brien' or RowKey ne 'x", name: "o'brien", kind: 'hcx-connector' };
    await scan(stores, sneaky, '2026-01-01T05:00:00.000Z', [ev(sneaky, "it's ' or '1' eq '1")]);
    await scan(stores, cloud, '2026-01-01T05:00:00.000Z', [ev(cloud, 'x1'), ev(cloud, 'x2')]);
    expect(await stores.findings.queryAll({ ruleId: "hcx-appliance-outdated' or ruleId ne '" })).toEqual([]);
    expect(await stores.findings.queryAll({ ruleId: "x' or 'a' eq 'a" })).toEqual([]);
    const own = await stores.findings.queryAll({ targetId: sneaky.id });
    expect(own.map((f) => f.subjectId)).toEqual(["it's ' or '1' eq '1"]);
    expect(own[0].targetId).toBe(sneaky.id);
    expect(await stores.findings.queryAll({ targetId: "connector:o'brien" })).toEqual([]);
    expect(await stores.findings.queryAll({})).toHaveLength(3);
  });

  it('leaves exactly one row per finding when two scans of one target overlap, with no duplicate events', async () => {
    const stores = freshStores();
    const evals = Array.from({ length: 30 }, (_, i) => ev(connector, `m-${i}`));
    // Both writers compute on the same (empty) state, then both write: a real race, made deterministic.
    let arrived = 0;
    let release!: () => void;
    const bothComputed = new Promise<void>((r) => (release = r));
    const barrier = async (attempt: number): Promise<void> => {
      if (attempt > 1) return;
      arrived += 1;
      if (arrived === 2) release();
      await bothComputed;
    };
    const [a, b] = await Promise.all([
      scan(stores, connector, '2026-01-01T05:00:00.000Z', evals, barrier),
      scan(stores, connector, '2026-01-01T06:00:00.000Z', evals, barrier),
    ]);
    expect([a.report.attempts, b.report.attempts].sort()).toEqual([1, 2]);
    const rows = await stores.findings.listForTarget(connector.id);
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((f) => f.id)).size).toBe(30);
    // The loser re-read the winner's rows: it moved lastSeenAt but did not "open" anything again.
    expect(await stores.outbox.depth()).toBe(30);
    const loser = a.report.attempts === 2 ? a : b;
    expect(loser.events).toEqual([]);
    const winnerAsOf = (a.report.attempts === 1 ? a : b).changed[0].firstSeenAt;
    expect(rows.every((f: Finding) => f.firstSeenAt === winnerAsOf && f.reopenCount === 0)).toBe(true);
  });

  it('retries when a row changed after it was read (stale ETag → 412), last writer wins on content', async () => {
    const stores = freshStores();
    await scan(stores, connector, '2026-01-01T05:00:00.000Z', [ev(connector, 'm-1', 'fail', { severity: 'low' })]);
    let interfered = false;
    const res = await scan(stores, connector, '2026-01-02T05:00:00.000Z', [ev(connector, 'm-1', 'fail', { severity: 'high' })], async (attempt) => {
      if (attempt === 1 && !interfered) {
        interfered = true;
        await scan(stores, connector, '2026-01-01T12:00:00.000Z', [ev(connector, 'm-1', 'fail', { severity: 'medium' })]);
      }
    });
    expect(res.report.attempts).toBe(2);
    const [f] = await stores.findings.listForTarget(connector.id);
    expect(f).toMatchObject({ severity: 'high', lastSeenAt: '2026-01-02T05:00:00.000Z' });
    // low → medium (interfering scan) → high: two escalations, each recorded once.
    const kinds = (await stores.outbox.list()).map((e) => `${e.event.event}:${e.event.severity}`);
    expect(kinds.sort()).toEqual(['escalated:high', 'escalated:medium', 'opened:low']);
  });

  it('replaying the same scan against the same state rewrites the same outbox row (idempotent)', async () => {
    const stores = freshStores();
    const evals = [ev(connector, 'm-1')];
    const first = reconcile({ target: connector, asOf: '2026-01-01T05:00:00.000Z', evaluations: evals, stored: [], suppressions: [], rules });
    // A queue retry of a scan whose first write went through: same events, same ids → same rows.
    await stores.findings.saveReconciled(connector.id, () => first);
    await stores.outbox.add(first.events);
    expect(await stores.outbox.depth()).toBe(1);
    await scan(stores, connector, '2026-01-01T05:00:00.000Z', evals);
    expect(await stores.outbox.depth()).toBe(1);
  });

  it('outbox: oldest first across targets, removal is idempotent, depth follows', async () => {
    const stores = freshStores();
    await scan(stores, connector, '2026-01-02T05:00:00.000Z', [ev(connector, 'late')]);
    await scan(stores, cloud, '2026-01-01T05:00:00.000Z', [ev(cloud, 'early')]);
    const entries = await stores.outbox.list();
    expect(entries.map((e) => e.event.subjectId)).toEqual(['early', 'late']);
    expect((await stores.outbox.list(1)).map((e) => e.event.subjectId)).toEqual(['early']);
    await stores.outbox.remove([entries[0].key]);
    await stores.outbox.remove([entries[0].key, entries[1].key]);
    expect(await stores.outbox.depth()).toBe(0);
    await expect(stores.outbox.remove([{ partitionKey: targetKey(cloud.id), rowKey: 'hcx-x.y.z' }])).rejects.toThrow(/not an outbox row/);
    // Findings are untouched by outbox deletion.
    expect(await stores.findings.queryAll({})).toHaveLength(2);
  });

  it('stores counts as Int32, never Int64 or DateTime (dates are strings)', async () => {
    const stores = freshStores();
    await scan(stores, connector, '2026-01-01T05:00:00.000Z', [ev(connector, 'm-1')]);
    const raw = TableClient.fromConnectionString(connectionString, stores.tableNames.findings, { allowInsecureConnection: true });
    const rows: Record<string, unknown>[] = [];
    for await (const e of raw.listEntities({ disableTypeConversion: true })) rows.push(e);
    // The finding and its outbox row.
    const typeOf = (row: Record<string, unknown>, k: string) => (row[k] as { type?: string } | undefined)?.type;
    expect(rows.map((r) => typeOf(r, 'rowType') && (r.rowType as { value: string }).value).sort()).toEqual(['finding', 'outbox']);
    const finding = rows.find((r) => (r.rowType as { value: string }).value === 'finding')!;
    expect(['reopenCount', 'severityRank', 'firstSeenAt'].map((k) => typeOf(finding, k))).toEqual(['Int32', 'Int32', 'String']);
    const wide = rows.flatMap((r) =>
      Object.keys(r).filter((k) => k !== 'timestamp' && k !== 'etag' && ['Int64', 'DateTime'].includes(typeOf(r, k) ?? '')),
    );
    expect(wide).toEqual([]);
  });
});
