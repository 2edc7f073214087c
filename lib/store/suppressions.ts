import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { DateTime } from 'luxon';
import type { Suppression, SuppressionCategory } from '../domain/finding';
import { encodeKey } from '../findings/ids';
import { isSuppressionActive, newSuppression, staleSuppressions } from '../findings/suppressions';
import { clean, isConflict, isNotFound, listAll, str, type StoredEntity, type TableSet } from './tables';

export const SUPPRESSIONS_TABLE = 'suppressions';

function toEntity(s: Suppression): Record<string, unknown> {
  return clean({
    partitionKey: encodeKey(s.ruleId),
    rowKey: encodeKey(s.id),
    id: s.id,
    ruleId: s.ruleId,
    targetId: s.targetId,
    subjectId: s.subjectId,
    reason: s.reason,
    category: s.category,
    expiresAt: s.expiresAt,
    createdBy: s.createdBy,
    createdAt: s.createdAt,
    lastMatchedAt: s.lastMatchedAt,
  });
}

function fromEntity(e: StoredEntity): Suppression {
  const s: Suppression = {
    id: str(e.id) ?? '',
    ruleId: str(e.ruleId) ?? '',
    reason: str(e.reason) ?? '',
    category: (str(e.category) ?? 'waiver') as SuppressionCategory,
    expiresAt: str(e.expiresAt) ?? '',
    createdBy: str(e.createdBy) ?? '',
    createdAt: str(e.createdAt) ?? '',
  };
  for (const k of ['targetId', 'subjectId', 'lastMatchedAt'] as const) {
    const v = str(e[k]);
    if (v !== undefined) s[k] = v;
  }
  return s;
}

export interface SuppressionListOptions {
  ruleId?: string;
  /** Only those active at this instant (created, not expired). */
  activeAt?: string;
}

/** The `suppressions` table: PK rule id, RK suppression id. */
export class SuppressionsRepository {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(SUPPRESSIONS_TABLE);
  }

  /** Validates (ValidationError → 400) and stores a new suppression; returns it with its id. */
  async create(input: unknown, asOf: string | DateTime = DateTime.utc()): Promise<Suppression> {
    const s = newSuppression(input, { asOf, id: `sup-${randomUUID()}` });
    const client = await this.client();
    await client.createEntity(toEntity(s) as never);
    return s;
  }

  /** Stores a suppression as given (imports, tests). */
  async put(s: Suppression): Promise<void> {
    const client = await this.client();
    await client.upsertEntity(toEntity(s) as never, 'Replace');
  }

  async get(id: string): Promise<Suppression | undefined> {
    const client = await this.client();
    const rows = await listAll(client, odata`RowKey eq ${encodeKey(id)}`);
    return rows.length ? fromEntity(rows[0]) : undefined;
  }

  async list(opts: SuppressionListOptions = {}): Promise<Suppression[]> {
    const client = await this.client();
    const filter = opts.ruleId !== undefined ? odata`PartitionKey eq ${encodeKey(opts.ruleId)}` : undefined;
    const all = (await listAll(client, filter)).map(fromEntity);
    const list = opts.activeAt !== undefined ? all.filter((s) => isSuppressionActive(s, opts.activeAt as string)) : all;
    return list.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  }

  async stale(asOf: string): Promise<Suppression[]> {
    return staleSuppressions(await this.list(), asOf);
  }

  /** True when it existed. */
  async delete(id: string): Promise<boolean> {
    const s = await this.get(id);
    if (!s) return false;
    const client = await this.client();
    try {
      await client.deleteEntity(encodeKey(s.ruleId), encodeKey(id));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Moves lastMatchedAt forward (never back, even when an older scan finishes last). */
  async markMatched(ids: readonly string[], asOf: string): Promise<void> {
    const client = await this.client();
    for (const id of ids) {
      for (let attempt = 1; ; attempt++) {
        const rows = await listAll(client, odata`RowKey eq ${encodeKey(id)}`);
        const row = rows[0];
        if (!row) break;
        const last = str(row.lastMatchedAt);
        if (last !== undefined && last >= asOf) break;
        try {
          await client.updateEntity(
            { partitionKey: row.partitionKey as string, rowKey: row.rowKey as string, lastMatchedAt: asOf },
            'Merge',
            { etag: row.etag },
          );
          break;
        } catch (err) {
          if (!isConflict(err) || attempt >= 5) throw err;
        }
      }
    }
  }
}
