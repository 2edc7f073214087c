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

/** The service answered "this table does not exist" (a point or query request: header/body; a batch: inner response). */
export function isTableNotFound(err: unknown): boolean {
  if (statusOf(err) !== 404) return false;
  const e = err as { code?: unknown; response?: { headers?: { get(name: string): string | undefined }; bodyAsText?: string | null } };
  if (e.code === 'TableNotFound') return true;
  if (e.response?.headers?.get('x-ms-error-code') === 'TableNotFound') return true;
  return /"code"\s*:\s*"TableNotFound"/.test(e.response?.bodyAsText ?? '');
}

/**
 * Recreates a table that vanished under a running process (storage account reset, an emulator restarted without
 * persistence) and resends the request once. Resending is safe: the first attempt did nothing (there was no table).
 * A transaction reports the missing table inside a 202 multipart answer, so its body is checked too.
 */
function recreateLostTablePolicy(recreate: () => Promise<void>): PipelinePolicy {
  return {
    name: 'hcxmonRecreateLostTable',
    sendRequest: async (req, next) => {
      let res;
      try {
        res = await next(req);
      } catch (err) {
        if (!isTableNotFound(err)) throw err;
        await recreate();
        return next(req);
      }
      if (req.url.includes('$batch') && res.status === 202 && /"code"\s*:\s*"TableNotFound"/.test(res.bodyAsText ?? '')) {
        await recreate();
        return next(req);
      }
      return res;
    },
  };
}

export type OpenTable = (tableName: string, extraPolicies: PipelinePolicy[]) => TableClient;

/**
 * Opens table clients and creates each table on first use, once per process. If a table disappears later, the
 * client's recovery policy recreates it on the first TableNotFound and retries that request once.
 */
export class TableSet {
  private static readonly created = new Map<string, Promise<void>>();
  private static readonly recreating = new Map<string, Promise<void>>();

  constructor(
    private readonly open: OpenTable,
    readonly prefix: string,
  ) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix) && prefix !== '') {
      throw new ValidationError(`table prefix "${prefix}": letters and digits only, starting with a letter`, 'tablePrefix');
    }
  }

  name(base: string): string {
    return `${this.prefix}${base}`;
  }

  private openWithRecovery(tableName: string): TableClient {
    const plain = this.open(tableName, []);
    const key = `${plain.url}|${tableName}`;
    const recreate = (): Promise<void> => {
      let p = TableSet.recreating.get(key);
      if (!p) {
        // createTable treats "already exists" as success, so concurrent recoveries (or another process) are fine.
        p = plain.createTable().finally(() => TableSet.recreating.delete(key));
        TableSet.recreating.set(key, p);
      }
      return p;
    };
    return this.open(tableName, [recreateLostTablePolicy(recreate)]);
  }

  /** One client per table for the life of the set: building one parses the connection string and a pipeline (~0.5 ms). */
  private readonly clients = new Map<string, Promise<TableClient>>();

  client(base: string): Promise<TableClient> {
    let p = this.clients.get(base);
    if (!p) {
      p = this.openAndCreate(base);
      this.clients.set(base, p);
      // A failure (table could not be created) is retried by the next caller, not remembered.
      p.catch(() => this.clients.delete(base));
    }
    return p;
  }

  private async openAndCreate(base: string): Promise<TableClient> {
    const client = this.openWithRecovery(this.name(base));
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

function clientOptions(
  opts: TableSetOptions,
  extra: PipelinePolicy[],
): { additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' }[] } {
  // The recovery policy goes outermost so the counting policies see (and count) the resent request too.
  const all = [...extra, ...(opts.policies ?? [])];
  return all.length ? { additionalPolicies: all.map((policy) => ({ policy, position: 'perCall' as const })) } : {};
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
    (name, extra) =>
      TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection, ...clientOptions(opts, extra) }),
    opts.tablePrefix ?? '',
  );
}

export function tableSetFromServiceUri(tableServiceUri: string, credential: TokenCredential, opts: TableSetOptions = {}): TableSet {
  if (!tableServiceUri.startsWith('https://')) {
    throw new ConfigError('AzureWebJobsStorage__tableServiceUri', `expected an https:// URL, got "${tableServiceUri}"`);
  }
  return new TableSet(
    (name, extra) => new TableClient(tableServiceUri, name, credential, clientOptions(opts, extra)),
    opts.tablePrefix ?? '',
  );
}

/** A transaction body is capped at 4 MiB; stay well below it (the multipart framing adds ~1 KB per operation). */
export const MAX_BATCH_BYTES = 3_500_000;

function actionBytes(action: TransactionAction): number {
  return Buffer.byteLength(JSON.stringify(action[1]), 'utf8') + 1_024;
}

/**
 * Submits actions of ONE partition in as few transactions as fit (≤ 100 operations and ≤ MAX_BATCH_BYTES each);
 * a group is never split, so each group is atomic; groups are applied in order. Returns the transactions sent.
 */
export async function submitInBatches(client: TableClient, groups: readonly TransactionAction[][]): Promise<number> {
  let batch: TransactionAction[] = [];
  let bytes = 0;
  let sent = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const actions = batch;
    batch = [];
    bytes = 0;
    sent++;
    await client.submitTransaction(actions);
  };
  for (const group of groups) {
    if (group.length > MAX_BATCH) throw new StoreError(`a unit of ${group.length} operations exceeds one transaction`);
    const size = group.reduce((n, a) => n + actionBytes(a), 0);
    if (size > MAX_BATCH_BYTES) throw new StoreError(`a unit of ${size} bytes exceeds one transaction`);
    if (batch.length + group.length > MAX_BATCH || bytes + size > MAX_BATCH_BYTES) await flush();
    batch.push(...group);
    bytes += size;
  }
  await flush();
  return sent;
}

/** Deletes every row of one partition (a target forgotten for good), or only those matching `rowFilter`; returns how many there were. */
export async function deletePartition(client: TableClient, partitionKey: string, rowFilter?: string): Promise<number> {
  const filter = odata`PartitionKey eq ${partitionKey}` + (rowFilter ? ` and ${rowFilter}` : '');
  const rows = await listAll(client, filter, ['PartitionKey', 'RowKey']);
  await submitInBatches(
    client,
    rows.map((r): TransactionAction[] => [['delete', { partitionKey: r.partitionKey as string, rowKey: r.rowKey as string }]]),
  );
  return rows.length;
}

/** Every entity matching a filter (all pages). */
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
  throw new ValidationError('continuationToken is malformed (pass the token of the previous page unchanged)', 'continuationToken');
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
