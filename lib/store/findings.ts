import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { AlertEvent } from '../domain/alert';
import {
  isSeverity,
  severityRank,
  type Deadline,
  type DeadlineBand,
  type Evidence,
  type Severity,
  type SubjectKind,
} from '../domain/evaluation';
import type { Finding, FindingStatus } from '../domain/finding';
import type { Owner, TargetKind } from '../domain/target';
import { ValidationError } from '../errors';
import { parseFindingId, targetKey } from '../findings/ids';
import type { OutboxEntry, OutboxKey, OutboxPort } from '../alerts/types';
import {
  deletePartition,
  chunk,
  clean,
  clip,
  isConflict,
  isNotFound,
  jsonColumn,
  listAll,
  MAX_BATCH,
  num,
  parseJson,
  queryPage,
  str,
  StoreError,
  submitInBatches,
  type Page,
  type StoredEntity,
  type TableSet,
} from './tables';

export const FINDINGS_TABLE = 'findings';
export const OUTBOX_PREFIX = 'outbox~';
export const FINDING_ROW = 'finding';
export const OUTBOX_ROW = 'outbox';
/** Partition for events not tied to a stored finding (e.g. a test alert). */
export const LOOSE_OUTBOX_PARTITION = 'outbox';

const STATUSES: readonly FindingStatus[] = ['open', 'resolved', 'unknown', 'suppressed'];
const OWNERS: readonly Owner[] = ['microsoft', 'customer'];

export interface FindingQuery {
  status?: FindingStatus | readonly FindingStatus[];
  /** At or above this severity. */
  minSeverity?: Severity;
  ruleId?: string;
  targetId?: string;
  owner?: Owner;
  /** Deadline date strictly before this calendar date (`YYYY-MM-DD`); findings without a deadline never match. */
  dueBefore?: string;
}

export interface PageOptions {
  pageSize?: number;
  continuationToken?: string;
}

/** What the caller's reconcile returns; only these two are written. */
export interface FindingChanges {
  changed: readonly Finding[];
  events: readonly AlertEvent[];
}

export interface SaveReport {
  attempts: number;
  findingsWritten: number;
  eventsWritten: number;
  transactions: number;
}

export function findingToEntity(f: Finding): Record<string, unknown> {
  return clean({
    partitionKey: targetKey(f.targetId),
    rowKey: f.id,
    rowType: FINDING_ROW,
    ruleId: f.ruleId,
    title: f.title,
    targetId: f.targetId,
    targetName: f.targetName,
    targetKind: f.targetKind,
    subjectId: f.subjectId,
    subjectName: f.subjectName,
    subjectKind: f.subjectKind,
    status: f.status,
    underlyingStatus: f.underlyingStatus,
    severity: f.severity,
    // Int32 so `severityRank ge N` works in a filter (no Int64 anywhere: it comes back as bigint).
    severityRank: severityRank(f.severity),
    owner: f.owner,
    message: clip(f.message),
    evidence: jsonColumn(f.evidence),
    deadline: jsonColumn(f.deadline),
    deadlineDate: f.deadline?.date,
    deadlineBand: f.deadline?.band,
    firstSeenAt: f.firstSeenAt,
    lastSeenAt: f.lastSeenAt,
    lastEvaluatedAt: f.lastEvaluatedAt,
    resolvedAt: f.resolvedAt,
    openedAt: f.openedAt,
    reopenCount: f.reopenCount,
    suppressionId: f.suppressionId,
    scanId: f.scanId,
  });
}

/** The columns of a finding row (a partition read that also returns other row types selects only these). */
export const FINDING_COLUMNS: readonly string[] = [
  'rowType', 'ruleId', 'title', 'targetId', 'targetName', 'targetKind', 'subjectId', 'subjectName', 'subjectKind',
  'status', 'underlyingStatus', 'severity', 'owner', 'message', 'evidence', 'deadline', 'firstSeenAt', 'lastSeenAt',
  'lastEvaluatedAt', 'resolvedAt', 'openedAt', 'reopenCount', 'suppressionId', 'scanId',
];

export function entityToFinding(e: StoredEntity): Finding {
  const f: Finding = {
    id: e.rowKey as string,
    ruleId: str(e.ruleId) ?? '',
    title: str(e.title) ?? '',
    targetId: str(e.targetId) ?? '',
    targetName: str(e.targetName) ?? '',
    targetKind: (str(e.targetKind) ?? 'hcx-connector') as TargetKind,
    subjectId: str(e.subjectId) ?? '',
    subjectName: str(e.subjectName) ?? '',
    subjectKind: (str(e.subjectKind) ?? 'manager') as SubjectKind,
    status: (str(e.status) ?? 'unknown') as FindingStatus,
    severity: (isSeverity(e.severity) ? e.severity : 'high') as Severity,
    owner: (str(e.owner) ?? 'customer') as Owner,
    message: str(e.message) ?? '',
    evidence: parseJson<Evidence>(e.evidence) ?? { source: 'observed' },
    firstSeenAt: str(e.firstSeenAt) ?? '',
    lastSeenAt: str(e.lastSeenAt) ?? '',
    lastEvaluatedAt: str(e.lastEvaluatedAt) ?? '',
    reopenCount: num(e.reopenCount) ?? 0,
  };
  const underlying = str(e.underlyingStatus);
  if (underlying) f.underlyingStatus = underlying as Finding['underlyingStatus'];
  const deadline = parseJson<Deadline>(e.deadline);
  if (deadline) f.deadline = deadline;
  for (const k of ['resolvedAt', 'openedAt', 'suppressionId', 'scanId'] as const) {
    const v = str(e[k]);
    if (v !== undefined) f[k] = v;
  }
  return f;
}

export function eventToEntity(partitionKey: string, ev: AlertEvent): Record<string, unknown> {
  return clean({
    partitionKey,
    rowKey: `${OUTBOX_PREFIX}${ev.id}`,
    rowType: OUTBOX_ROW,
    eventId: ev.id,
    event: ev.event,
    findingId: ev.findingId,
    ruleId: ev.ruleId,
    severity: ev.severity,
    title: ev.title,
    message: clip(ev.message),
    targetId: ev.targetId,
    targetName: ev.targetName,
    subjectId: ev.subjectId,
    subjectName: ev.subjectName,
    owner: ev.owner,
    deadline: ev.deadline,
    band: ev.band,
    createdAt: ev.createdAt,
  });
}

function entityToEvent(e: StoredEntity): AlertEvent {
  const ev: AlertEvent = {
    id: str(e.eventId) ?? (e.rowKey as string).slice(OUTBOX_PREFIX.length),
    event: str(e.event) as AlertEvent['event'],
    findingId: str(e.findingId) ?? '',
    ruleId: str(e.ruleId) ?? '',
    severity: (isSeverity(e.severity) ? e.severity : 'high') as Severity,
    title: str(e.title) ?? '',
    message: str(e.message) ?? '',
    targetId: str(e.targetId) ?? '',
    targetName: str(e.targetName) ?? '',
    subjectId: str(e.subjectId) ?? '',
    subjectName: str(e.subjectName) ?? '',
    owner: (str(e.owner) ?? 'customer') as Owner,
    createdAt: str(e.createdAt) ?? '',
  };
  const deadline = str(e.deadline);
  if (deadline) ev.deadline = deadline;
  const band = str(e.band);
  if (band) ev.band = band as DeadlineBand;
  return ev;
}

function partitionForEvent(ev: AlertEvent): string {
  return parseFindingId(ev.findingId)?.targetKey ?? LOOSE_OUTBOX_PARTITION;
}

/** Builds the OData filter with the SDK's `odata` tag only: values are escaped, never spliced. */
export function findingFilter(q: FindingQuery): string {
  const parts: string[] = [odata`rowType eq ${FINDING_ROW}`];
  if (q.targetId !== undefined) parts.push(odata`PartitionKey eq ${targetKey(q.targetId)}`);
  if (q.status !== undefined) {
    const list = typeof q.status === 'string' ? [q.status] : [...q.status];
    for (const s of list) {
      if (!STATUSES.includes(s)) throw new ValidationError(`status must be one of ${STATUSES.join(', ')}`, 'status');
    }
    if (list.length > 0) parts.push(`(${list.map((s) => odata`status eq ${s}`).join(' or ')})`);
  }
  if (q.minSeverity !== undefined) {
    if (!isSeverity(q.minSeverity)) throw new ValidationError('severity must be critical, high, medium, low or info', 'severity');
    parts.push(odata`severityRank ge ${severityRank(q.minSeverity)}`);
  }
  if (q.ruleId !== undefined) parts.push(odata`ruleId eq ${q.ruleId}`);
  if (q.owner !== undefined) {
    if (!OWNERS.includes(q.owner)) throw new ValidationError('owner must be microsoft or customer', 'owner');
    parts.push(odata`owner eq ${q.owner}`);
  }
  if (q.dueBefore !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(q.dueBefore) || Number.isNaN(Date.parse(q.dueBefore))) {
      throw new ValidationError('dueBefore must be a date (YYYY-MM-DD)', 'dueBefore');
    }
    parts.push(odata`deadlineDate lt ${q.dueBefore}`);
  }
  return parts.join(' and ');
}

/**
 * The `findings` table holds everything a scan writes about a target in that target's partition (PK target key):
 * one row per finding (RK finding id), the alert outbox rows written in the same transaction as the finding change
 * that caused them, and the inventory rows (`latest`, `history`, `snap~…`; see ./inventory.ts), so a scan of a
 * target is one partition read and one transaction (./targetScan.ts).
 */
export class FindingsRepository {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(FINDINGS_TABLE);
  }

  /** All findings of one target (every status). */
  async listForTarget(targetId: string): Promise<Finding[]> {
    const rows = await this.readTarget(targetId);
    return rows.map(entityToFinding);
  }

  private async readTarget(targetId: string): Promise<StoredEntity[]> {
    const client = await this.client();
    return listAll(client, odata`PartitionKey eq ${targetKey(targetId)} and rowType eq ${FINDING_ROW}`);
  }

  async get(id: string): Promise<Finding | undefined> {
    const parsed = parseFindingId(id);
    if (!parsed) return undefined;
    const client = await this.client();
    try {
      const e = await client.getEntity<Record<string, unknown>>(parsed.targetKey, id);
      return e.rowType === FINDING_ROW ? entityToFinding(e) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async query(q: FindingQuery = {}, page: PageOptions = {}): Promise<Page<Finding>> {
    const client = await this.client();
    const res = await queryPage(client, findingFilter(q), page.pageSize ?? 100, page.continuationToken);
    return { ...res, items: res.items.map(entityToFinding) };
  }

  async queryAll(q: FindingQuery = {}): Promise<Finding[]> {
    const client = await this.client();
    return (await listAll(client, findingFilter(q))).map(entityToFinding);
  }

  /**
   * Reads the target's findings, lets `compute` (reconcile) decide the changes, and writes them with their outbox
   * rows. Existing rows are replaced only if unchanged since the read (ETag), new ones are created only if absent;
   * when another writer got there first the whole read-compute-write runs again on fresh data, so overlapping scans
   * leave one row per finding (last writer wins) and never duplicate an event for the same transition.
   * More than 100 rows go in several transactions, each carrying its own findings' outbox rows.
   */
  async saveReconciled<R extends FindingChanges>(
    targetId: string,
    compute: (stored: Finding[]) => R,
    opts: {
      maxAttempts?: number;
      /** Called after compute, before writing (instrumentation; tests use it to make two writers meet). */
      beforeWrite?: (attempt: number) => Promise<void>;
    } = {},
  ): Promise<R & { report: SaveReport }> {
    const maxAttempts = opts.maxAttempts ?? 5;
    const client = await this.client();
    const pk = targetKey(targetId);
    for (let attempt = 1; ; attempt++) {
      const rows = await this.readTarget(targetId);
      const etags = new Map(rows.map((r) => [r.rowKey as string, r.etag]));
      const result = compute(rows.map(entityToFinding));
      const groups = findingGroups(pk, result, etags);
      try {
        if (opts.beforeWrite) await opts.beforeWrite(attempt);
        const transactions = await submitInBatches(client, groups);
        const report: SaveReport = {
          attempts: attempt,
          findingsWritten: result.changed.length,
          eventsWritten: result.events.length,
          transactions,
        };
        return Object.assign(result, { report });
      } catch (err) {
        if (isConflict(err) && attempt < maxAttempts) continue;
        if (isConflict(err)) {
          throw new StoreError(`findings of ${targetId} kept changing under ${attempt} attempts; try again`, 409, { cause: err });
        }
        throw err;
      }
    }
  }

  /** Deletes every finding and outbox row of a target (a target removed for good); its inventory rows are not ours. */
  async deleteTarget(targetId: string): Promise<number> {
    return deletePartition(await this.client(), targetKey(targetId), odata`(rowType eq ${FINDING_ROW} or rowType eq ${OUTBOX_ROW})`);
  }
}

/**
 * The writes of reconciled changes: per changed finding one atomic group (the row — replaced only if unchanged since
 * `etags` was read, created only if absent — and its outbox rows).
 */
export function findingGroups(pk: string, changes: FindingChanges, etags: ReadonlyMap<string, string>): TransactionAction[][] {
  const eventsByFinding = new Map<string, AlertEvent[]>();
  for (const ev of changes.events) {
    const list = eventsByFinding.get(ev.findingId) ?? [];
    list.push(ev);
    eventsByFinding.set(ev.findingId, list);
  }
  const groups: TransactionAction[][] = [];
  for (const f of changes.changed) {
    if (targetKey(f.targetId) !== pk) throw new StoreError(`finding ${f.id} belongs to another target`);
    const entity = findingToEntity(f) as { partitionKey: string; rowKey: string };
    const etag = etags.get(f.id);
    groups.push([
      etag ? ['update', entity, 'Replace', { etag }] : ['create', entity],
      ...(eventsByFinding.get(f.id) ?? []).map(
        (ev): TransactionAction => ['upsert', eventToEntity(pk, ev) as { partitionKey: string; rowKey: string }, 'Replace'],
      ),
    ]);
    eventsByFinding.delete(f.id);
  }
  if (eventsByFinding.size > 0) throw new StoreError('an alert event refers to a finding that is not being written');
  return groups;
}

/** The alert outbox over the findings table (implements the dispatcher's OutboxPort). */
export class OutboxRepository implements OutboxPort {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(FINDINGS_TABLE);
  }

  private async readAll(): Promise<StoredEntity[]> {
    return listAll(await this.client(), odata`rowType eq ${OUTBOX_ROW}`);
  }

  /** Oldest first, across all targets. */
  async list(limit = 100): Promise<OutboxEntry[]> {
    const rows = await this.readAll();
    const entries = rows.map((r) => ({
      key: { partitionKey: r.partitionKey as string, rowKey: r.rowKey as string },
      event: entityToEvent(r),
    }));
    entries.sort((a, b) =>
      a.event.createdAt < b.event.createdAt ? -1 : a.event.createdAt > b.event.createdAt ? 1 : a.key.rowKey < b.key.rowKey ? -1 : 1,
    );
    return entries.slice(0, limit);
  }

  /** Removes delivered rows; rows already gone are fine (another dispatcher delivered them too). */
  async remove(keys: readonly OutboxKey[]): Promise<void> {
    const client = await this.client();
    const byPartition = new Map<string, OutboxKey[]>();
    for (const k of keys) {
      if (!k.rowKey.startsWith(OUTBOX_PREFIX)) throw new StoreError(`refusing to delete ${k.rowKey}: not an outbox row`);
      byPartition.set(k.partitionKey, [...(byPartition.get(k.partitionKey) ?? []), k]);
    }
    for (const list of byPartition.values()) {
      for (const part of chunk(list, MAX_BATCH)) {
        try {
          await client.submitTransaction(part.map((k): TransactionAction => ['delete', { partitionKey: k.partitionKey, rowKey: k.rowKey }]));
        } catch (err) {
          // One missing row fails the whole transaction: fall back to one by one, ignoring the missing.
          if (!isNotFound(err)) throw err;
          for (const k of part) {
            await client.deleteEntity(k.partitionKey, k.rowKey).catch((e: unknown) => {
              if (!isNotFound(e)) throw e;
            });
          }
        }
      }
    }
  }

  async depth(): Promise<number> {
    const rows = await listAll(await this.client(), odata`rowType eq ${OUTBOX_ROW}`, ['PartitionKey', 'RowKey']);
    return rows.length;
  }

  /** Adds events outside a finding change (e.g. a test alert). Idempotent per event id. */
  async add(events: readonly AlertEvent[]): Promise<OutboxKey[]> {
    const client = await this.client();
    const keys: OutboxKey[] = [];
    for (const ev of events) {
      const entity = eventToEntity(partitionForEvent(ev), ev) as { partitionKey: string; rowKey: string };
      await client.upsertEntity(entity, 'Replace');
      keys.push({ partitionKey: entity.partitionKey, rowKey: entity.rowKey });
    }
    return keys;
  }
}
