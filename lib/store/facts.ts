import { odata, type TableClient } from '@azure/data-tables';
import { FACT_NAMES, type Fact, type FactName } from '../domain/finding';
import { ValidationError } from '../errors';
import { encodeKey, targetKey } from '../findings/ids';
import { clean, deletePartition, isNotFound, listAll, str, type StoredEntity, type TableSet } from './tables';

export const FACTS_TABLE = 'facts';

function factRowKey(name: FactName, subjectId?: string): string {
  return subjectId === undefined ? encodeKey(name) : `${encodeKey(name)}~${encodeKey(subjectId)}`;
}

function fromEntity(e: StoredEntity): Fact {
  const f: Fact = {
    targetId: str(e.targetId) ?? '',
    name: (str(e.name) ?? '') as FactName,
    value: str(e.value) ?? '',
    setBy: str(e.setBy) ?? '',
    setAt: str(e.setAt) ?? '',
  };
  const subjectId = str(e.subjectId);
  if (subjectId !== undefined) f.subjectId = subjectId;
  const source = str(e.source);
  if (source !== undefined) f.source = source;
  return f;
}

/** The `facts` table: PK target key, RK fact name (+ `~subject`). Values are validated by the API layer. */
export class FactsRepository {
  constructor(private readonly tables: TableSet) {}

  private client(): Promise<TableClient> {
    return this.tables.client(FACTS_TABLE);
  }

  async set(fact: Fact): Promise<void> {
    if (!FACT_NAMES.includes(fact.name)) {
      throw new ValidationError(`unknown fact "${fact.name}"; known: ${FACT_NAMES.join(', ')}`, 'name');
    }
    const client = await this.client();
    await client.upsertEntity(
      clean({
        partitionKey: targetKey(fact.targetId),
        rowKey: factRowKey(fact.name, fact.subjectId),
        targetId: fact.targetId,
        subjectId: fact.subjectId,
        name: fact.name,
        value: fact.value,
        setBy: fact.setBy,
        setAt: fact.setAt,
        source: fact.source,
      }) as never,
      'Replace',
    );
  }

  /** Every fact of a target (all subjects), by name then subject. */
  async list(targetId: string): Promise<Fact[]> {
    const client = await this.client();
    const rows = await listAll(client, odata`PartitionKey eq ${targetKey(targetId)}`);
    return rows.map(fromEntity).sort((a, b) => (a.name + (a.subjectId ?? '') < b.name + (b.subjectId ?? '') ? -1 : 1));
  }

  /** Every fact of every target, by target id (a scan reads them once for all its targets). */
  async listAll(): Promise<Map<string, Fact[]>> {
    const client = await this.client();
    const out = new Map<string, Fact[]>();
    for (const f of (await listAll(client)).map(fromEntity)) out.set(f.targetId, [...(out.get(f.targetId) ?? []), f]);
    for (const list of out.values()) list.sort((a, b) => (a.name + (a.subjectId ?? '') < b.name + (b.subjectId ?? '') ? -1 : 1));
    return out;
  }

  async get(targetId: string, name: FactName, subjectId?: string): Promise<Fact | undefined> {
    const client = await this.client();
    try {
      return fromEntity(await client.getEntity<Record<string, unknown>>(targetKey(targetId), factRowKey(name, subjectId)));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** True when it existed. */
  async delete(targetId: string, name: FactName, subjectId?: string): Promise<boolean> {
    const client = await this.client();
    try {
      await client.deleteEntity(targetKey(targetId), factRowKey(name, subjectId));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Deletes everything stored about a target (it was decommissioned). */
  async deleteTarget(targetId: string): Promise<number> {
    return deletePartition(await this.client(), targetKey(targetId));
  }
}
