import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ScanTotals } from '../findings/totals';
import type { ScanRecord, TargetOutcome } from '../scan-types';
import { encodeKey, targetKey } from '../findings/ids';
import {
  clean,
  isNotFound,
  listAll,
  num,
  packText,
  parseJson,
  queryPage,
  str,
  submitInBatches,
  unpackText,
  type Page,
  type StoredEntity,
  type TableSet,
} from './tables';

export const SCANS_TABLE = 'scans';
/** Partition of the scan summaries, newest first by RowKey `<inverted startedAt>~<scanId>`. */
const SCAN_LIST_PARTITION = 'scan';
/** RowKey of the summary copy inside the scan's own partition (target rows use hex target keys). */
const SUMMARY_ROW = 'summary';

export interface ScanWithTargets {
  scan: ScanRecord;
  targets: TargetOutcome[];
}

function recordEntity(pk: string, rk: string, r: ScanRecord): Record<string, unknown> {
  // The record (with its target list) can outgrow one property for big estates: packed like inventory.
  const chunks = packText(JSON.stringify(r));
  return clean({
    partitionKey: pk,
    rowKey: rk,
    rowType: 'scan',
    scanId: r.scanId,
    trigger: r.trigger,
    asOf: r.asOf,
    startedAt: r.startedAt,
    status: r.status,
    completedAt: r.completedAt,
    targetCount: r.targets.length,
    n: chunks.length,
    ...Object.fromEntries(chunks.map((c, i) => [`d${String(i).padStart(2, '0')}`, c])),
  });
}

function outcomeEntity(outcome: TargetOutcome): { partitionKey: string; rowKey: string } & Record<string, unknown> {
  return {
    partitionKey: encodeKey(outcome.scanId),
    rowKey: targetKey(outcome.targetId),
    rowType: 'target',
    targetId: outcome.targetId,
    status: outcome.status,
    outcome: JSON.stringify(outcome),
  };
}

function entityToRecord(e: StoredEntity): ScanRecord {
  const n = typeof e.n === 'number' ? e.n : 0;
  const chunks: string[] = [];
  for (let i = 0; i < n; i++) chunks.push(str(e[`d${String(i).padStart(2, '0')}`]) ?? '');
  const r = JSON.parse(unpackText(chunks)) as ScanRecord;
  // Status columns are authoritative: complete() merges them without rewriting the packed record.
  r.status = (str(e.status) as ScanRecord['status']) ?? r.status;
  const completedAt = str(e.completedAt);
  if (completedAt) r.completedAt = completedAt;
  const alerts = parseJson<ScanRecord['alerts']>(e.alerts);
  if (alerts) r.alerts = alerts;
  const totals = parseJson<ScanTotals>(e.totals);
  if (totals) r.totals = totals;
  return r;
}

function summaryKey(r: Pick<ScanRecord, 'scanId' | 'startedAt'>): string {
  const ms = Date.parse(r.startedAt);
  const inverted = String(9_999_999_999_999 - ms).padStart(13, '0');
  return `${inverted}~${encodeKey(r.scanId)}`;
}

/**
 * The `scans` table: PK `scan` / RK `<inverted startedAt>~<scanId>` lists scans newest first; PK `<scanId>` holds
 * a copy of the summary (RK `summary`, for get-by-id) and one row per target outcome (RK target key).
 */
export class ScansRepository {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(SCANS_TABLE);
  }

  async start(record: ScanRecord): Promise<void> {
    const client = await this.client();
    await client.upsertEntity(recordEntity(SCAN_LIST_PARTITION, summaryKey(record), record) as never, 'Replace');
    await client.upsertEntity(recordEntity(encodeKey(record.scanId), SUMMARY_ROW, record) as never, 'Replace');
  }

  /** One row per target; a retried target overwrites its own row. */
  async recordTarget(outcome: TargetOutcome): Promise<void> {
    const client = await this.client();
    await client.upsertEntity(outcomeEntity(outcome), 'Replace');
  }

  /** Many outcomes in as few transactions as fit (one scan = one partition; ≤ 100 per transaction). */
  async recordTargets(outcomes: readonly TargetOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const client = await this.client();
    const byScan = new Map<string, TransactionAction[][]>();
    for (const o of outcomes) {
      const list = byScan.get(o.scanId) ?? [];
      list.push([['upsert', outcomeEntity(o), 'Replace']]);
      byScan.set(o.scanId, list);
    }
    for (const groups of byScan.values()) await submitInBatches(client, groups);
  }

  /** One target's outcome in one scan (a redelivered queue message checks it first). */
  async getTarget(scanId: string, targetId: string): Promise<TargetOutcome | undefined> {
    const client = await this.client();
    try {
      const row = await client.getEntity<Record<string, unknown>>(encodeKey(scanId), targetKey(targetId));
      return JSON.parse(str(row.outcome) ?? '{}') as TargetOutcome;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * How many targets of a scan have an outcome row: a keys-only query of the scan's partition, one request with no
   * contention (an ETag-guarded counter row made 32 concurrent workers retry each other; this does not).
   */
  async countTargets(scanId: string): Promise<number> {
    const client = await this.client();
    const rows = await listAll(client, odata`PartitionKey eq ${encodeKey(scanId)} and rowType eq ${'target'}`, [
      'RowKey',
    ]);
    return rows.length;
  }

  /** The number of targets a scan covers (its summary row's count column). */
  async expectedTargets(scanId: string): Promise<number | undefined> {
    const client = await this.client();
    try {
      const row = await client.getEntity<Record<string, unknown>>(encodeKey(scanId), SUMMARY_ROW, {
        queryOptions: { select: ['targetCount'] },
      });
      return num(row.targetCount);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Marks a scan completed (both copies of the summary). */
  async complete(
    scanId: string,
    completedAt: string,
    known?: Pick<ScanRecord, 'scanId' | 'startedAt'>,
    totals?: ScanTotals,
  ): Promise<void> {
    await this.patchSummary(
      scanId,
      { status: 'completed', completedAt, ...(totals ? { totals: JSON.stringify(totals) } : {}) },
      known,
    );
  }

  /** The dispatcher's report after the scan (sent, failed, outbox depth), on both copies of the summary. */
  async recordAlerts(scanId: string, alerts: NonNullable<ScanRecord['alerts']>): Promise<void> {
    await this.patchSummary(scanId, { alerts: JSON.stringify(alerts) });
  }

  /** Merges columns into both copies of a scan's summary (its own partition and the newest-first list). */
  private async patchSummary(
    scanId: string,
    patch: Record<string, string>,
    known?: Pick<ScanRecord, 'scanId' | 'startedAt'>,
  ): Promise<void> {
    const client = await this.client();
    // The caller that started the scan knows its start time (the list row's key): no read needed.
    const rec = known?.scanId === scanId ? known : await this.getRecord(client, scanId);
    if (!rec) return;
    await client.updateEntity({ partitionKey: encodeKey(scanId), rowKey: SUMMARY_ROW, ...patch }, 'Merge');
    await client.updateEntity({ partitionKey: SCAN_LIST_PARTITION, rowKey: summaryKey(rec), ...patch }, 'Merge');
  }

  private async getRecord(client: TableClient, scanId: string): Promise<ScanRecord | undefined> {
    try {
      return entityToRecord(await client.getEntity<Record<string, unknown>>(encodeKey(scanId), SUMMARY_ROW));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A scan's summary row alone (one point read; the queue worker checks a message against it). */
  async record(scanId: string): Promise<ScanRecord | undefined> {
    return this.getRecord(await this.client(), scanId);
  }

  async get(scanId: string): Promise<ScanWithTargets | undefined> {
    const client = await this.client();
    const scan = await this.getRecord(client, scanId);
    if (!scan) return undefined;
    const rows = await listAll(client, odata`PartitionKey eq ${encodeKey(scanId)} and rowType eq ${'target'}`);
    const targets = rows
      .map((r) => JSON.parse(str(r.outcome) ?? '{}') as TargetOutcome)
      .sort((a, b) => (a.targetName < b.targetName ? -1 : a.targetName > b.targetName ? 1 : 0));
    return { scan, targets };
  }

  /** Newest first. */
  async list(opts: { pageSize?: number; continuationToken?: string } = {}): Promise<Page<ScanRecord>> {
    const client = await this.client();
    const page = await queryPage(
      client,
      odata`PartitionKey eq ${SCAN_LIST_PARTITION}`,
      opts.pageSize ?? 20,
      opts.continuationToken,
    );
    return { ...page, items: page.items.map(entityToRecord) };
  }

  /** The newest completed scan (the dead-man's switch and `/api/health` read it). */
  async lastCompleted(): Promise<ScanRecord | undefined> {
    const client = await this.client();
    const iter = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${SCAN_LIST_PARTITION} and status eq ${'completed'}` },
    });
    for await (const e of iter) return entityToRecord(e);
    return undefined;
  }
}
