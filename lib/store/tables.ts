import { gunzipSync, gzipSync } from 'node:zlib';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  odata,
  TableClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from '@azure/data-tables';
import { ConfigError, HcxmonError, ValidationError } from '../errors';

/** Table Storage caps one transaction at 100 operations (all in one partition). */
export const MAX_BATCH = 100;
/** A string property holds at most 64 KiB (UTF-16): 30,000 characters leaves room. */
export const CHUNK_CHARS = 30_000;

export type Entity = TableEntity<Record<string, unknown>>;
export type StoredEntity = TableEntityResult<Record<string, unknown>>;

/** Storage refused or failed an operation in a way the caller cannot fix by retrying the same call. */
export class StoreError extends HcxmonError {
  constructor(
    message: string,
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** Two writers met: someone else created or changed the row since it was read. */
export function isConflict(err: unknown): boolean {
  const s = statusOf(err);
  return s === 409 || s === 412;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/** Opens table clients and creates each table on first use, once per process. */
export class TableSet {
  private static readonly created = new Map<string, Promise<void>>();

  constructor(
    private readonly open: (tableName: string) => TableClient,
    readonly prefix: string,
  ) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix) && prefix !== '') {
      throw new ValidationError(`table prefix "${prefix}": letters and digits only, starting with a letter`, 'tablePrefix');
    }
  }

  name(base: string): string {
    return `${this.prefix}${base}`;
  }

  async client(base: string): Promise<TableClient> {
    const client = this.open(this.name(base));
    const key = `${client.url}|${client.tableName}`;
    let ready = TableSet.created.get(key);
    if (!ready) {
      ready = client.createTable().catch((err: unknown) => {
        // Let the next caller try again rather than caching a failure for the life of the process.
        TableSet.created.delete(key);
        throw new StoreError(`cannot create table ${client.tableName}: ${(err as Error).message}`, statusOf(err), {
          cause: err,
        });
      });
      TableSet.created.set(key, ready);
    }
    await ready;
    return client;
  }
}

export interface TableSetOptions {
  /** Prefix for every table name (letters/digits); tests use one per file so they never collide. */
  tablePrefix?: string;
  /** Identity-based storage: the credential (default: DefaultAzureCredential with the configured client id). */
  credential?: TokenCredential;
  /** Extra pipeline policies on every table client (benchmarks count requests with one). */
  policies?: PipelinePolicy[];
}

function clientOptions(opts: TableSetOptions): { additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' }[] } {
  return opts.policies?.length ? { additionalPolicies: opts.policies.map((policy) => ({ policy, position: 'perCall' as const })) } : {};
}

function isHttpConnectionString(cs: string): boolean {
  if (/UseDevelopmentStorage=true/i.test(cs)) return true;
  const proto = /DefaultEndpointsProtocol=(\w+)/i.exec(cs)?.[1]?.toLowerCase();
  const table = /TableEndpoint=([^;]+)/i.exec(cs)?.[1];
  return proto === 'http' || (table !== undefined && table.toLowerCase().startsWith('http://'));
}

export function tableSetFromConnectionString(connectionString: string, opts: TableSetOptions = {}): TableSet {
  // Plain http is only ever Azurite (local/dev); a real account is https and keeps the SDK's refusal.
  const allowInsecureConnection = isHttpConnectionString(connectionString);
  return new TableSet(
    (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection, ...clientOptions(opts) }),
    opts.tablePrefix ?? '',
  );
}

export function tableSetFromServiceUri(tableServiceUri: string, credential: TokenCredential, opts: TableSetOptions = {}): TableSet {
  if (!tableServiceUri.startsWith('https://')) {
    throw new ConfigError('AzureWebJobsStorage__tableServiceUri', `expected an https:// URL, got "${tableServiceUri}"`);
  }
  return new TableSet((name) => new TableClient(tableServiceUri, name, credential, clientOptions(opts)), opts.tablePrefix ?? '');
}

/** Submits actions of ONE partition in groups of ≤ 100; each group is atomic, groups are applied in order. */
export async function submitInBatches(client: TableClient, groups: readonly TransactionAction[][]): Promise<void> {
  let batch: TransactionAction[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const actions = batch;
    batch = [];
    await client.submitTransaction(actions);
  };
  for (const group of groups) {
    if (group.length > MAX_BATCH) throw new StoreError(`a unit of ${group.length} operations exceeds one transaction`);
    if (batch.length + group.length > MAX_BATCH) await flush();
    batch.push(...group);
  }
  await flush();
}

/** Every entity matching a filter (all pages). */
/** Deletes every row of one partition (a target forgotten for good); returns how many there were. */
export async function deletePartition(client: TableClient, partitionKey: string): Promise<number> {
  const rows = await listAll(client, odata`PartitionKey eq ${partitionKey}`, ['PartitionKey', 'RowKey']);
  await submitInBatches(
    client,
    rows.map((r): TransactionAction[] => [['delete', { partitionKey: r.partitionKey as string, rowKey: r.rowKey as string }]]),
  );
  return rows.length;
}

export async function listAll(
  client: TableClient,
  filter?: string,
  select?: string[],
): Promise<StoredEntity[]> {
  const out: StoredEntity[] = [];
  for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) out.push(e);
  return out;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  continuationToken?: string;
}

/** Rejects tokens we did not hand out (the SDK would throw a bare SyntaxError → 500). */
export function checkContinuationToken(token: string | undefined): void {
  if (token === undefined) return;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { nextPartitionKey?: unknown };
    if (typeof decoded?.nextPartitionKey === 'string') return;
  } catch {
    // fall through
  }
  throw new ValidationError('continuationToken is not a token this API returned', 'continuationToken');
}

/**
 * One page of a query. The service may return an empty page with a continuation (a filter scanning many rows);
 * we keep going until something comes back or the query ends, so callers never see an empty page mid-stream.
 */
export async function queryPage(
  client: TableClient,
  filter: string | undefined,
  pageSize: number,
  continuationToken?: string,
): Promise<Page<StoredEntity>> {
  checkContinuationToken(continuationToken);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new ValidationError('pageSize must be a whole number from 1 to 1000', 'pageSize');
  }
  let token = continuationToken;
  for (;;) {
    const iter = client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: pageSize, continuationToken: token });
    const next = await iter.next();
    if (next.done) return { items: [] };
    const page = next.value;
    token = page.continuationToken;
    if (page.length > 0 || !token) return { items: [...page], ...(token ? { continuationToken: token } : {}) };
  }
}

/** Numbers come back as bigint when a writer used Int64; API rows must be plain numbers. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

/** Drops undefined values so a Replace removes cleared columns instead of sending nulls. */
export function clean(entity: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entity).filter(([, v]) => v !== undefined));
}

export function clip(text: string, max = CHUNK_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** JSON in one property, cut to a marker when it would not fit (evidence is meant to be small). */
export function jsonColumn(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text.length <= CHUNK_CHARS) return text;
  const source = (value as { source?: unknown })?.source;
  return JSON.stringify({ ...(source !== undefined ? { source } : {}), truncated: true, originalChars: text.length });
}

export function parseJson<T>(v: unknown): T | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
}

/** gzip + base64 split into ≤ CHUNK_CHARS pieces: big JSON under the per-property limit. */
export function packText(text: string): string[] {
  const b64 = gzipSync(Buffer.from(text, 'utf8')).toString('base64');
  const chunks: string[] = [];
  for (let i = 0; i < b64.length; i += CHUNK_CHARS) chunks.push(b64.slice(i, i + CHUNK_CHARS));
  return chunks.length ? chunks : [''];
}

export function unpackText(chunks: readonly string[]): string {
  return gunzipSync(Buffer.from(chunks.join(''), 'base64')).toString('utf8');
}

/** Inverted, fixed-width milliseconds: newer rows sort first in a partition. */
export function invertedTime(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new ValidationError(`not an ISO instant: ${iso}`);
  return String(9_999_999_999_999 - ms).padStart(13, '0');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
