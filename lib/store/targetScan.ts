import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { DateTime } from 'luxon';
import type { Finding, TargetHistory } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import type { AlertEvent } from '../domain/alert';
import { targetKey } from '../findings/ids';
import {
  entityToFinding,
  eventToEntity,
  FINDING_COLUMNS,
  FINDING_ROW,
  FINDINGS_TABLE,
  findingGroups,
  type FindingChanges,
  type SaveReport,
} from './findings';
import {
  expiredSnapshotFrom,
  HISTORY,
  historyOf,
  inventoryRows,
  packInventory,
  LATEST,
  ROWS_PER_TRANSACTION,
  SNAPSHOT_END,
  snapshotKeyOf,
  updateHistory,
} from './inventory';
import {
  isConflict,
  isNotFound,
  isTableNotFound,
  listAll,
  num,
  StoreError,
  submitInBatches,
  type StoredEntity,
  type TableSet,
} from './tables';

/** What a scan reads about one target before deciding its changes (one partition query). */
export interface TargetState {
  findings: Finding[];
  /** As stored, before this scan's inventory is folded in. */
  history: TargetHistory;
}

export interface CommitReport extends SaveReport {
  snapshotKey: string;
  /** Dated snapshots deleted because they were older than historyDays. */
  pruned: number;
}

export interface CommitOptions<R extends FindingChanges> {
  targetId: string;
  inventory: Inventory;
  scanId?: string;
  /** Prune dated snapshots older than this many days before the inventory's collectedAt. */
  historyDays?: number;
  /** Reconcile: pure, may run again on fresh state when another writer got there first. */
  compute: (state: TargetState) => R;
  maxAttempts?: number;
  /**
   * Alert events about the history change itself (an observed upgrade, issue 16): written in the same transaction as
   * the history row, so an event is stored exactly when the history that records it is (a retry recomputes both).
   */
  historyEvents?: (before: TargetHistory, after: TargetHistory) => AlertEvent[];
  /** Called after compute, before writing (tests use it to make two writers meet). */
  beforeWrite?: (attempt: number) => Promise<void>;
}

const up = (row: Record<string, unknown>): TransactionAction => ['upsert', row as { partitionKey: string; rowKey: string }, 'Replace'];
const del = (pk: string, rowKey: string): TransactionAction => ['delete', { partitionKey: pk, rowKey }];

/**
 * One target's scan against Table Storage in two round trips: everything lives in the target's partition of the
 * findings table, so
 *  1. one query returns its findings, its `history` row, the head of its `latest` inventory (for the overflow-row
 *     count) and the keys of its expired dated snapshots (a RowKey range: unexpired snapshots are never read), and
 *  2. one transaction writes the changed findings with their outbox rows, `latest`, this scan's snapshot, the
 *     folded history and the deletes of expired snapshots.
 * Where two writers meet the ETags decide: a finding row is replaced and the history row updated only if unchanged
 * since step 1, rows are created only if absent; on a conflict (or a row another writer already deleted) both steps
 * run again on fresh state, so overlapping scans leave one row per finding and page each transition once.
 * More than 100 operations or ~3.5 MB go in several transactions (findings first, each with its own outbox rows).
 */
export class TargetScanRepository {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(FINDINGS_TABLE);
  }

  /** Step 1 alone (a what-if scan that writes nothing). */
  async read(targetId: string, asOf?: string, historyDays?: number): Promise<TargetState> {
    const { state } = await this.readPartition(await this.client(), targetKey(targetId), asOf, historyDays);
    return state;
  }

  private async readPartition(
    client: TableClient,
    pk: string,
    asOf: string | undefined,
    historyDays: number | undefined,
  ): Promise<{ state: TargetState; etags: Map<string, string>; history?: StoredEntity; latest?: StoredEntity; expired: string[] }> {
    const parts = [odata`rowType eq ${FINDING_ROW}`, odata`RowKey eq ${HISTORY}`, odata`RowKey eq ${LATEST}`];
    if (asOf !== undefined && historyDays !== undefined) {
      const cutoff = DateTime.fromISO(asOf, { zone: 'utc' }).minus({ days: historyDays }).toISO() as string;
      parts.push(odata`(RowKey ge ${expiredSnapshotFrom(cutoff)} and RowKey lt ${SNAPSHOT_END})`);
    }
    // $select keeps the inventory payload (d00…) out of the answer: only the finding columns and two small ones.
    const rows = await listAll(client, odata`PartitionKey eq ${pk}` + ` and (${parts.join(' or ')})`, [
      'PartitionKey',
      'RowKey',
      ...FINDING_COLUMNS,
      'history',
      'rows',
    ]);
    const findings: StoredEntity[] = [];
    let history: StoredEntity | undefined;
    let latest: StoredEntity | undefined;
    const expired: string[] = [];
    for (const r of rows) {
      const rk = r.rowKey as string;
      if (rk === HISTORY) history = r;
      else if (rk === LATEST) latest = r;
      else if (r.rowType === FINDING_ROW) findings.push(r);
      else expired.push(rk);
    }
    return {
      state: { findings: findings.map(entityToFinding), history: historyOf(history) },
      etags: new Map(findings.map((r) => [r.rowKey as string, r.etag])),
      history,
      latest,
      expired,
    };
  }

  async commit<R extends FindingChanges>(opts: CommitOptions<R>): Promise<R & { report: CommitReport }> {
    const maxAttempts = opts.maxAttempts ?? 5;
    const client = await this.client();
    const { inventory } = opts;
    if (inventory.target.id !== opts.targetId) throw new StoreError(`inventory of ${inventory.target.id} given for ${opts.targetId}`);
    const pk = targetKey(opts.targetId);
    const snapshotKey = snapshotKeyOf(inventory.collectedAt);
    const packed = packInventory(inventory);
    const latestRows = inventoryRows(pk, LATEST, 'latest', inventory, packed, opts.scanId);
    const snapRows = inventoryRows(pk, snapshotKey, 'snapshot', inventory, packed, opts.scanId);
    if (latestRows.length > ROWS_PER_TRANSACTION) {
      throw new StoreError(`inventory of ${opts.targetId} is too large to store (${latestRows.length} rows)`);
    }
    for (let attempt = 1; ; attempt++) {
      const read = await this.readPartition(client, pk, inventory.collectedAt, opts.historyDays);
      const result = opts.compute(read.state);
      const groups = findingGroups(pk, result, read.etags);
      // The dated copy first: `latest` (what readers use) and the history flip together after it.
      groups.push(snapRows.map(up));
      const head: TransactionAction[] = latestRows.map(up);
      const prevRows = read.latest ? (num(read.latest.rows) ?? 1) : 1;
      // Overflow rows of a previous, larger `latest` would otherwise linger.
      for (let i = latestRows.length; i < prevRows; i++) head.push(del(pk, `${LATEST}~x${String(i).padStart(3, '0')}`));
      const after = updateHistory(read.state.history, inventory);
      const history = {
        partitionKey: pk,
        rowKey: HISTORY,
        rowType: 'history',
        targetId: opts.targetId,
        history: JSON.stringify(after),
      };
      head.push(read.history ? ['update', history, 'Replace', { etag: read.history.etag }] : ['create', history]);
      for (const ev of opts.historyEvents?.(read.state.history, after) ?? [])
        head.push(['upsert', eventToEntity(pk, ev) as { partitionKey: string; rowKey: string }, 'Replace']);
      groups.push(head);
      // This scan's own snapshot is never expired (collectedAt is after the cutoff), so it is never in this list.
      for (const rk of read.expired) groups.push([del(pk, rk)]);
      try {
        if (opts.beforeWrite) await opts.beforeWrite(attempt);
        const transactions = await submitInBatches(client, groups);
        const report: CommitReport = {
          attempts: attempt,
          findingsWritten: result.changed.length,
          eventsWritten: result.events.length,
          transactions,
          snapshotKey,
          pruned: read.expired.filter((rk) => !rk.includes('~x')).length,
        };
        return Object.assign(result, { report });
      } catch (err) {
        // 412/409: another writer changed or created a row; 404: another writer already deleted an expired row.
        const retryable = isConflict(err) || (isNotFound(err) && !isTableNotFound(err));
        if (retryable && attempt < maxAttempts) continue;
        if (retryable) {
          throw new StoreError(`the stored state of ${opts.targetId} kept changing under ${attempt} attempts; try again`, 409, { cause: err });
        }
        throw err;
      }
    }
  }
}
