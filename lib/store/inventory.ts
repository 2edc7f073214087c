import { odata, type TableClient } from '@azure/data-tables';
import type { TargetHistory } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import type { TargetKind } from '../domain/target';
import { targetKey } from '../findings/ids';
// Pure, kept with the upgrade history so the rules' tests need not load the Table Storage SDK; re-exported for the store's callers.
export { updateHistory } from '../upgrade/history';
import { FINDINGS_TABLE } from './findings';
import {
  chunk,
  clean,
  deletePartition,
  invertedTime,
  isNotFound,
  listAll,
  num,
  packText,
  parseJson,
  str,
  StoreError,
  unpackText,
  type StoredEntity,
  type TableSet,
} from './tables';

/** Inventory rows live in their target's partition of the findings table (one read and one transaction per scan). */
export const INVENTORY_TABLE = FINDINGS_TABLE;
export const LATEST = 'latest';
export const HISTORY = 'history';
export const SNAP_PREFIX = 'snap~';
/** Row types of the inventory rows (finding and outbox rows share the partition). */
export const INVENTORY_ROW_TYPES = ['latest', 'snapshot', 'part', 'history'] as const;
/** Chunks per row: 12 × 30,000 chars stays under the 1 MiB entity limit with the metadata. */
const CHUNKS_PER_ROW = 12;
/** A transaction body is capped at 4 MiB; a full row of base64 chunks is ~360 KB on the wire. */
export const ROWS_PER_TRANSACTION = 10;
type RowType = 'latest' | 'snapshot' | 'part' | 'history';

export interface InventorySummary {
  targetId: string;
  targetName: string;
  targetKind: TargetKind;
  collectedAt: string;
  hcxVersion?: string;
  scanId?: string;
}

export interface SnapshotInfo extends InventorySummary {
  /** Pass to getSnapshot. */
  snapshotKey: string;
}

function meta(inv: Inventory, scanId: string | undefined): Record<string, unknown> {
  return clean({
    targetId: inv.target.id,
    targetName: inv.target.name,
    targetKind: inv.target.kind,
    collectedAt: inv.collectedAt,
    hcxVersion: inv.manager?.version,
    scanId,
  });
}

/** The columns summaryOf reads: a summary query never carries the inventory payload. */
const SUMMARY_COLUMNS = ['targetId', 'targetName', 'targetKind', 'collectedAt', 'hcxVersion', 'scanId'];

function summaryOf(e: StoredEntity): InventorySummary {
  return clean({
    targetId: str(e.targetId) ?? '',
    targetName: str(e.targetName) ?? '',
    targetKind: (str(e.targetKind) ?? 'hcx-connector') as TargetKind,
    collectedAt: str(e.collectedAt) ?? '',
    hcxVersion: str(e.hcxVersion),
    scanId: str(e.scanId),
  }) as unknown as InventorySummary;
}

export function packInventory(inv: Inventory): string[] {
  return packText(JSON.stringify(inv));
}

/** Rows (main + overflow) holding one inventory under `rowKey`: JSON → gzip → base64 → ≤30k-char properties. */
export function inventoryRows(
  pk: string,
  rowKey: string,
  rowType: RowType,
  inv: Inventory,
  /** packInventory(inv): packed once by the caller, which writes the same inventory under two keys. */
  chunks: string[],
  scanId?: string,
): Record<string, unknown>[] {
  const perRow = chunk(chunks, CHUNKS_PER_ROW);
  return perRow.map((part, i) => {
    const props = Object.fromEntries(part.map((c, j) => [`d${String(j).padStart(2, '0')}`, c]));
    const common = { partitionKey: pk, takenAt: inv.collectedAt, ...props, n: part.length };
    return i === 0
      ? { ...common, rowKey, rowType, ...meta(inv, scanId), rows: perRow.length, encoding: 'gzip+base64' }
      : { ...common, rowKey: `${rowKey}~x${String(i).padStart(3, '0')}`, rowType: 'part', parent: rowKey };
  });
}

function chunksOf(e: StoredEntity): string[] {
  const n = num(e.n) ?? 0;
  const out: string[] = [];
  for (let j = 0; j < n; j++) out.push(str(e[`d${String(j).padStart(2, '0')}`]) ?? '');
  return out;
}

/** Snapshot rows (and their overflow rows) taken before `cutoff` sort from this RowKey on (inverted time). */
export function expiredSnapshotFrom(cutoffIso: string): string {
  const inv = Number(invertedTime(cutoffIso)) + 1;
  return `${SNAP_PREFIX}${String(inv).padStart(13, '0')}`;
}

/** The first RowKey after every snapshot row (`~` sorts after the digits). */
export const SNAPSHOT_END = `${SNAP_PREFIX}~`;

export function snapshotKeyOf(collectedAt: string): string {
  return `${SNAP_PREFIX}${invertedTime(collectedAt)}`;
}

export function historyOf(row: StoredEntity | undefined): TargetHistory {
  return parseJson<TargetHistory>(row?.history) ?? { versions: [] };
}

/**
 * Inventory rows, in the target's partition (PK target key) of the findings table: the `latest` inventory, a dated `snap~<inverted time>` copy per
 * scan (kept HCXMON_HISTORY_DAYS), and a compact `history` row (versions seen, last successful collection) so the
 * rules' TargetHistory is one read.
 */
export class InventoryRepository {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(INVENTORY_TABLE);
  }

  private async getRow(
    client: TableClient,
    pk: string,
    rowKey: string,
    select?: string[],
  ): Promise<StoredEntity | undefined> {
    try {
      return await client.getEntity<Record<string, unknown>>(pk, rowKey, select ? { queryOptions: { select } } : {});
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async getLatest(targetId: string): Promise<Inventory | undefined> {
    return this.readInventory(targetKey(targetId), LATEST);
  }

  async getSnapshot(targetId: string, snapshotKey: string): Promise<Inventory | undefined> {
    if (!snapshotKey.startsWith(SNAP_PREFIX) || snapshotKey.includes('~x')) return undefined;
    return this.readInventory(targetKey(targetId), snapshotKey);
  }

  private async readInventory(pk: string, rowKey: string): Promise<Inventory | undefined> {
    const client = await this.client();
    const main = await this.getRow(client, pk, rowKey);
    if (!main) return undefined;
    const chunks = chunksOf(main);
    const rows = num(main.rows) ?? 1;
    for (let i = 1; i < rows; i++) {
      const part = await this.getRow(client, pk, `${rowKey}~x${String(i).padStart(3, '0')}`);
      if (!part) throw new StoreError(`inventory row ${rowKey} of ${str(main.targetId)} is missing part ${i}`);
      chunks.push(...chunksOf(part));
    }
    return JSON.parse(unpackText(chunks)) as Inventory;
  }

  /** One read; empty history when the target was never collected. */
  async getHistory(targetId: string): Promise<TargetHistory> {
    const client = await this.client();
    const row = await this.getRow(client, targetKey(targetId), HISTORY);
    return parseJson<TargetHistory>(row?.history) ?? { versions: [] };
  }

  /** Newest first. */
  async listSnapshots(targetId: string, limit = 100): Promise<SnapshotInfo[]> {
    const client = await this.client();
    const out: SnapshotInfo[] = [];
    const iter = client.listEntities<Record<string, unknown>>({
      queryOptions: {
        filter: odata`PartitionKey eq ${targetKey(targetId)} and rowType eq ${'snapshot'}`,
        select: ['RowKey', 'targetId', 'targetName', 'targetKind', 'collectedAt', 'hcxVersion', 'scanId'],
      },
    });
    for await (const e of iter) {
      out.push({ ...summaryOf(e), snapshotKey: e.rowKey as string });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every target with a stored inventory (the targets list of the API). */
  async listTargets(): Promise<InventorySummary[]> {
    const client = await this.client();
    const rows = await listAll(client, odata`rowType eq ${'latest'}`, SUMMARY_COLUMNS);
    return rows.map(summaryOf).sort((a, b) => (a.targetName < b.targetName ? -1 : a.targetName > b.targetName ? 1 : 0));
  }

  /** The target of a stored inventory, without reading the payload. */
  async getSummary(targetId: string): Promise<InventorySummary | undefined> {
    const client = await this.client();
    const row = await this.getRow(client, targetKey(targetId), LATEST, SUMMARY_COLUMNS);
    return row ? summaryOf(row) : undefined;
  }

  /** Deletes the inventory rows of a target (it was decommissioned); its finding rows are the findings repository's. */
  async deleteTarget(targetId: string): Promise<number> {
    const types = INVENTORY_ROW_TYPES.map((t) => odata`rowType eq ${t}`).join(' or ');
    return deletePartition(await this.client(), targetKey(targetId), `(${types})`);
  }
}
