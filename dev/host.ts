/**
 * Local Azure Functions host — UNOFFICIAL, for development, the demo and the e2e tests. Azure Functions Core Tools
 * cannot be installed here (its installer downloads a binary), so this stands in for `func start`:
 *
 * - `require('@azure/functions-core')` is intercepted (Module._load patch) with a capturing fake, so every `app.*`
 *   registration of `functions/index` arrives here with the exact metadata the real host would receive. Under jest
 *   the moduleNameMapper already maps that module to test/support/fakeFunctionsCore.ts; both expose `registrations`.
 * - HTTP registrations are served on 127.0.0.1 under `/api/<route>` with their route templates, methods and auth
 *   levels (function/admin keys from HCXMON_LOCAL_FUNCTION_KEY / HCXMON_LOCAL_ADMIN_KEY, `x-functions-key` header
 *   or `code` query). With no admin key configured one is generated at start and logged once: the host may be bound
 *   to production storage, and any web page the user visits can send requests to 127.0.0.1.
 * - Callers are not trusted: only loopback `Host` values are answered (a DNS-rebinding page names its own host),
 *   and writes are refused with a foreign `Origin` or a body that is not JSON (a cross-site form or `text/plain`
 *   POST needs no CORS preflight).
 * - Timers fire on demand (`fireTimer`); queue triggers are polled in Azurite (`pollQueuesOnce`, or every
 *   `queuePollIntervalMs`), base64 like the Functions default, with `triggerMetadata.dequeueCount`, and a message
 *   that failed `maxDequeueCount` times (host.json) moves to `<queue>-poison` like the real host does.
 * - Queue and table output bindings set through `context.extraOutputs` (or `$return`) are written with the SDKs.
 *
 * Not emulated: host.json concurrency, timer schedules (use fireTimer), retry policies, identity-based binding
 * connections (`<conn>__queueServiceUri`), HTTP streaming.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Module from 'node:module';
import path from 'node:path';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit, type Timer } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { redact } from '../lib/text';

export interface CapturedRegistration {
  metadata: { name: string; bindings: Record<string, Record<string, unknown>>; [k: string]: unknown };
  callback: (...args: unknown[]) => unknown;
}

interface FakeCore {
  registrations: CapturedRegistration[];
}

/** The same shape as test/support/fakeFunctionsCore.ts; one instance per process, like the real host's module. */
const capturingCore: FakeCore & Record<string, unknown> = {
  registrations: [],
  setProgrammingModel(): void {},
  registerFunction(metadata: CapturedRegistration['metadata'], callback: CapturedRegistration['callback']) {
    capturingCore.registrations.push({ metadata, callback });
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
  log(): void {},
};

let patched = false;
function installCorePatch(): void {
  if (patched) return;
  patched = true;
  const mod = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === '@azure/functions-core') return capturingCore;
    return original.call(this, request, parent, isMain);
  };
}

function loadCore(): FakeCore {
  installCorePatch();
  // Under jest this resolves through moduleNameMapper to the test fake; in node, through the patch above.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require('@azure/functions-core') as FakeCore;
  if (!Array.isArray(core.registrations)) throw new Error('@azure/functions-core is not a capturing fake');
  return core;
}

export interface HttpRoute {
  name: string;
  route: string;
  methods: string[];
  authLevel: 'anonymous' | 'function' | 'admin';
  /** Literal and parameter segments of the route template. */
  segments: ({ literal: string } | { param: string; optional: boolean; catchAll: boolean })[];
  registration: CapturedRegistration;
}

/** `targets/{id}/readiness`, `{id?}`, `{id:int}` (constraint ignored), `{*rest}` (catch-all). */
export function parseRouteTemplate(route: string): HttpRoute['segments'] {
  return route
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((s) => s !== '')
    .map((seg) => {
      const m = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}$/.exec(seg);
      if (!m) return { literal: seg.toLowerCase() };
      return { param: m[2], optional: m[3] === '?', catchAll: m[1] === '*' };
    });
}

/** Matches raw (still percent-encoded) path segments so `%2F` inside an id stays inside one parameter. */
export function matchRoute(segments: HttpRoute['segments'], rawSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const raw = rawSegments[i];
    if ('literal' in seg) {
      if (raw === undefined || safeDecode(raw)?.toLowerCase() !== seg.literal) return undefined;
      continue;
    }
    if (seg.catchAll) {
      const rest = rawSegments.slice(i).map(safeDecode);
      if (rest.some((r) => r === undefined)) return undefined;
      params[seg.param] = rest.join('/');
      return params;
    }
    if (raw === undefined) {
      if (seg.optional) continue;
      return undefined;
    }
    const decoded = safeDecode(raw);
    if (decoded === undefined || decoded === '') return undefined;
    params[seg.param] = decoded;
  }
  return rawSegments.length <= segments.length ? params : undefined;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function literalCount(r: HttpRoute): number {
  return r.segments.filter((s) => 'literal' in s).length;
}

export interface LocalHostOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** App settings, merged over process.env for the host's lifetime (the app reads process.env like in Azure). */
  env?: Record<string, string | undefined>;
  /** Module that registers every function; default `functions/index` next to this file's tree. */
  entry?: string;
  /** host.json to read `extensions.queues` from; default the repo's. */
  hostJson?: string;
  /** Poll queue triggers in the background every this many ms; 0 (default) = only on `pollQueuesOnce`. */
  queuePollIntervalMs?: number;
  /**
   * Seconds a failed queue message stays invisible before its retry. The real host uses host.json's
   * visibilityTimeout (30 s); the default 0 lets a caller retry at once with the next `pollQueuesOnce`.
   */
  retryVisibilitySeconds?: number;
  /** Where host and function logs go; default console. */
  log?: (line: string) => void;
}

export interface QueuePollResult {
  processed: number;
  failed: number;
  poisoned: number;
}

export interface LocalHost {
  url: string;
  port: number;
  /** HCXMON_LOCAL_ADMIN_KEY, or the key generated at start: it opens every route. */
  adminKey: string;
  /** HCXMON_LOCAL_FUNCTION_KEY, or the key generated at start: it opens the function-level (read) routes only. */
  functionKey: string;
  /** Which keys were generated at start (a configured key is never printed). */
  generated: { admin: boolean; function: boolean };
  registrations: CapturedRegistration[];
  httpRoutes: HttpRoute[];
  stop(): Promise<void>;
  fireTimer(name: string): Promise<void>;
  /** One receive round over every queue trigger's queue; resolves when every received message was handled. */
  pollQueuesOnce(): Promise<QueuePollResult>;
  /** Polls until every trigger queue is empty (at most `maxRounds`). */
  drainQueues(maxRounds?: number): Promise<QueuePollResult>;
}

interface QueueSettings {
  batchSize: number;
  maxDequeueCount: number;
}

function readQueueSettings(file: string): QueueSettings {
  const defaults = { batchSize: 16, maxDequeueCount: 5 };
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { extensions?: { queues?: Partial<QueueSettings> } };
    const q = json.extensions?.queues ?? {};
    return {
      batchSize: Math.min(32, Math.max(1, Number(q.batchSize ?? defaults.batchSize))),
      maxDequeueCount: Math.max(1, Number(q.maxDequeueCount ?? defaults.maxDequeueCount)),
    };
  } catch {
    return defaults;
  }
}

function keyMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `Host` or `Origin` authority → host name and port (undefined when it cannot be parsed). */
function authority(value: string): { host: string; port: string } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  return m ? { host: m[1].toLowerCase(), port: m[2] ?? '' } : undefined;
}

/** A loopback name on exactly this port: no port means 80 (`http://localhost` is another server's page). */
function isLoopback(value: string, port: number): boolean {
  const a = authority(value);
  return !!a && LOOPBACK_HOSTS.has(a.host) && (a.port || '80') === String(port);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Checks that hold before any route or key: a rebinding page reaches us under its own host name, and a cross-site
 * form or fetch reaches us with its page's Origin, or with a body type that needs no CORS preflight.
 */
function refuseCaller(
  req: IncomingMessage,
  method: string,
  port: number,
): { status: number; code: string; message: string } | undefined {
  const host = req.headers.host;
  if (!host || !isLoopback(host, port)) {
    return { status: 421, code: 'misdirected_request', message: 'this local host only answers to 127.0.0.1, localhost or [::1]' };
  }
  if (SAFE_METHODS.has(method)) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    // Scheme, host and port exactly: this host serves http on `port` only.
    const m = /^http:\/\/(.+)$/i.exec(origin);
    if (!m || !isLoopback(m[1], port)) {
      return { status: 403, code: 'forbidden_origin', message: 'writes are only accepted from this host, not from another web page' };
    }
  }
  const type = req.headers['content-type'];
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  const isJson = type !== undefined && /^application\/json\s*(;|$)/i.test(type);
  if ((type !== undefined || hasBody) && !isJson) {
    return { status: 415, code: 'unsupported_media_type', message: 'writes take a JSON body (content-type: application/json)' };
  }
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function bindingsOf(reg: CapturedRegistration): [string, Record<string, unknown>][] {
  return Object.entries(reg.metadata.bindings);
}

function triggerOf(reg: CapturedRegistration): Record<string, unknown> | undefined {
  return bindingsOf(reg).find(([, b]) => /trigger$/i.test(String(b.type)))?.[1];
}

function invocationOptions(reg: CapturedRegistration) {
  const all = bindingsOf(reg).map(([name, b]) => ({
    ...b,
    name,
    type: String(b.type),
    direction: b.direction as string | undefined,
  }));
  const trigger = all.find((b) => /trigger$/i.test(b.type)) ?? { name: 'trigger', type: 'unknown' };
  return {
    trigger,
    return: all.find((b) => b.name === '$return'),
    extraInputs: all.filter((b) => b !== trigger && b.direction === 'in'),
    extraOutputs: all.filter((b) => b.name !== '$return' && b.direction === 'out'),
  };
}

export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const sink = options.log ?? ((line: string) => console.log(line));
  // Every line the host writes (its own, and every function's context log) is redacted: an error message may quote
  // a response body, a connection string or a header, and the host may be bound to production settings.
  const log = (line: string): void => sink(redact(line));
  const savedEnv = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(options.env ?? {})) {
    savedEnv.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const env = process.env;
  const restoreEnv = (): void => {
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };

  let server: Server | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  try {
    const core = loadCore();
    const entry = options.entry ?? path.resolve(__dirname, '..', 'functions', 'index');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(entry);
    const registrations = core.registrations;
    const queueSettings = readQueueSettings(options.hostJson ?? path.resolve(__dirname, '..', 'host.json'));
    const retryVisibility = options.retryVisibilitySeconds ?? 0;

    const httpRoutes: HttpRoute[] = registrations
      .map((registration): HttpRoute | undefined => {
        const t = triggerOf(registration);
        if (!t || String(t.type).toLowerCase() !== 'httptrigger') return undefined;
        const route = typeof t.route === 'string' ? t.route : registration.metadata.name;
        const level = String(t.authLevel ?? 'function').toLowerCase();
        return {
          name: registration.metadata.name,
          route,
          methods: ((t.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
          authLevel: level === 'anonymous' || level === 'admin' ? level : 'function',
          segments: parseRouteTemplate(route),
          registration,
        };
      })
      .filter((r): r is HttpRoute => r !== undefined)
      // A literal segment beats a parameter: `scans/{id}` must not swallow a sibling literal route.
      .sort((a, b) => literalCount(b) - literalCount(a) || b.segments.length - a.segments.length);

    // Both keys are generated unless configured: the function key opens the read routes only, so a link that must
    // carry a key (the dashboard's) can carry that one instead of the admin key.
    const functionKeyGenerated = !env.HCXMON_LOCAL_FUNCTION_KEY;
    const functionKey = env.HCXMON_LOCAL_FUNCTION_KEY || randomBytes(24).toString('base64url');
    const adminKeyConfigured = !!env.HCXMON_LOCAL_ADMIN_KEY;
    const adminKey = env.HCXMON_LOCAL_ADMIN_KEY || randomBytes(24).toString('base64url');

    // --- output bindings -------------------------------------------------------------------------------------
    const queueClients = new Map<string, QueueClient>();
    const ensured = new Map<string, Promise<unknown>>();
    const connectionString = (setting: unknown): string | undefined => {
      const name = typeof setting === 'string' && setting !== '' ? setting : 'AzureWebJobsStorage';
      return env[name] || undefined;
    };
    const queueFor = async (connection: unknown, queueName: string): Promise<QueueClient> => {
      const conn = connectionString(connection);
      if (!conn)
        throw new Error(`queue "${queueName}": setting ${String(connection ?? 'AzureWebJobsStorage')} is not set`);
      const key = `${conn}\n${queueName}`;
      let client = queueClients.get(key);
      if (!client) {
        client = QueueServiceClient.fromConnectionString(conn).getQueueClient(queueName);
        queueClients.set(key, client);
      }
      if (!ensured.has(key)) ensured.set(key, client.createIfNotExists());
      await ensured.get(key);
      return client;
    };
    const writeOutput = async (binding: Record<string, unknown>, value: unknown): Promise<void> => {
      if (value === undefined || value === null) return;
      const type = String(binding.type).toLowerCase();
      const items = Array.isArray(value) ? value : [value];
      if (type === 'queue') {
        const q = await queueFor(binding.connection, String(binding.queueName));
        for (const item of items) {
          const text = typeof item === 'string' ? item : JSON.stringify(item);
          await q.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
        }
      } else if (type === 'table') {
        const conn = connectionString(binding.connection);
        if (!conn) throw new Error(`table "${String(binding.tableName)}": storage setting is not set`);
        const table = TableClient.fromConnectionString(conn, String(binding.tableName), {
          allowInsecureConnection: conn.includes('http://'),
        });
        await table.createTable();
        for (const item of items) {
          const entity = item as { PartitionKey?: string; RowKey?: string; partitionKey?: string; rowKey?: string };
          const { PartitionKey, RowKey, ...rest } = entity as Record<string, unknown>;
          await table.upsertEntity({
            ...rest,
            partitionKey: String(entity.partitionKey ?? PartitionKey),
            rowKey: String(entity.rowKey ?? RowKey),
          });
        }
      } else if (type !== 'http') {
        log(`[host] output binding type "${type}" is not emulated locally; value dropped`);
      }
    };

    const invoke = async (
      reg: CapturedRegistration,
      input: unknown,
      triggerMetadata?: Record<string, unknown>,
    ): Promise<unknown> => {
      const name = reg.metadata.name;
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: name,
        triggerMetadata,
        options: invocationOptions(reg),
        logHandler: (level, ...args) =>
          log(`[${name}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' ')}`),
      });
      const result = await reg.callback(input, context);
      for (const [bindingName, binding] of bindingsOf(reg)) {
        if (binding.direction !== 'out') continue;
        if (bindingName === '$return') {
          if (String(binding.type).toLowerCase() !== 'http') await writeOutput(binding, result);
        } else {
          await writeOutput(binding, context.extraOutputs.get(bindingName));
        }
      }
      return result;
    };

    // --- HTTP ------------------------------------------------------------------------------------------------
    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const method = (req.method ?? 'GET').toUpperCase();
      const rawUrl = req.url ?? '/';
      const qIndex = rawUrl.indexOf('?');
      const rawPath = qIndex >= 0 ? rawUrl.slice(0, qIndex) : rawUrl;
      const search = qIndex >= 0 ? rawUrl.slice(qIndex) : '';
      const rawSegments = rawPath.split('/').filter((s) => s !== '');
      if (rawSegments[0]?.toLowerCase() !== 'api') {
        return sendJson(res, 404, errorBody('not_found', `no function serves ${rawPath.slice(0, 200)}`));
      }
      const refused = refuseCaller(req, method, port);
      if (refused) return sendJson(res, refused.status, errorBody(refused.code, refused.message));
      const rest = rawSegments.slice(1);
      let pathMatched = false;
      for (const route of httpRoutes) {
        const params = matchRoute(route.segments, rest);
        if (!params) continue;
        pathMatched = true;
        if (!route.methods.includes(method)) continue;

        if (route.authLevel !== 'anonymous') {
          const query = new URLSearchParams(search);
          const given = (req.headers['x-functions-key'] as string | undefined) ?? query.get('code') ?? undefined;
          const ok = keyMatches(given, adminKey) || (route.authLevel === 'function' && keyMatches(given, functionKey));
          if (!ok) {
            return sendJson(
              res,
              401,
              errorBody('unauthorized', `${route.authLevel} key required (x-functions-key header or code query)`),
            );
          }
        }

        const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
        if (body === 'too-large')
          return sendJson(res, 413, errorBody('payload_too_large', 'request body exceeds 1 MiB'));
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          // This is not App Service: nothing vouches for a principal, so the headers App Service Authentication
          // would set are dropped whatever the caller sent (with WEBSITE_AUTH_ENABLED the sign-in routes then 401).
          if (/^x-ms-client-principal/i.test(k)) continue;
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        let request: HttpRequest;
        try {
          request = new HttpRequest({
            method,
            url: `http://127.0.0.1:${port}${rawPath}${search}`,
            headers,
            params,
            body: body.length ? { bytes: body } : undefined,
          });
        } catch (err) {
          return sendJson(
            res,
            400,
            errorBody('bad_request', `malformed request: ${safeString((err as Error).message)}`),
          );
        }
        let result: unknown;
        try {
          result = await invoke(route.registration, request);
        } catch (err) {
          // Like the real host: an unhandled exception is a 500 with no details for the caller.
          log(`[${route.name}] unhandled error: ${safeString((err as Error)?.stack ?? err)}`);
          return sendJson(res, 500, errorBody('internal', 'the function failed; see the host log'));
        }
        const response = result instanceof HttpResponse ? result : new HttpResponse((result ?? {}) as HttpResponseInit);
        const out = Buffer.from(await response.arrayBuffer());
        const outHeaders: Record<string, string> = {};
        response.headers.forEach((v, k) => (outHeaders[k] = v));
        outHeaders['content-length'] = String(out.length);
        res.writeHead(response.status, outHeaders);
        res.end(method === 'HEAD' ? undefined : out);
        return;
      }
      if (pathMatched)
        return sendJson(
          res,
          405,
          errorBody('method_not_allowed', `${method} is not allowed on ${rawPath.slice(0, 200)}`),
        );
      return sendJson(res, 404, errorBody('not_found', `no function serves ${rawPath.slice(0, 200)}`));
    };

    server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        log(`[host] request failed: ${safeString((err as Error)?.stack ?? err)}`);
        if (!res.headersSent) sendJson(res, 500, errorBody('internal', 'local host error'));
        else res.destroy();
      });
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (srv.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}`;

    // --- timers and queues -----------------------------------------------------------------------------------
    const fireTimer = async (name: string): Promise<void> => {
      const reg = registrations.find((r) => r.metadata.name === name);
      const t = reg && triggerOf(reg);
      if (!reg || !t || String(t.type).toLowerCase() !== 'timertrigger')
        throw new Error(`no timer function named "${name}"`);
      const now = new Date().toISOString();
      const timer: Timer = {
        isPastDue: false,
        schedule: { adjustForDST: true },
        scheduleStatus: { last: now, next: now, lastUpdated: now },
      };
      await invoke(reg, timer);
    };

    const queueTriggers = registrations.filter((r) => String(triggerOf(r)?.type).toLowerCase() === 'queuetrigger');
    const warnedQueues = new Set<string>();

    const pollQueuesOnce = async (): Promise<QueuePollResult> => {
      const result: QueuePollResult = { processed: 0, failed: 0, poisoned: 0 };
      for (const reg of queueTriggers) {
        const t = triggerOf(reg)!;
        const queueName = String(t.queueName);
        if (!connectionString(t.connection)) {
          if (!warnedQueues.has(queueName))
            log(`[host] ${reg.metadata.name}: no storage connection; queue "${queueName}" not polled`);
          warnedQueues.add(queueName);
          continue;
        }
        const q = await queueFor(t.connection, queueName);
        const received = await q.receiveMessages({ numberOfMessages: queueSettings.batchSize, visibilityTimeout: 300 });
        await Promise.all(
          received.receivedMessageItems.map(async (m) => {
            const poison = async (why: string): Promise<void> => {
              const p = await queueFor(t.connection, `${queueName}-poison`);
              await p.sendMessage(m.messageText);
              await q.deleteMessage(m.messageId, m.popReceipt);
              result.poisoned++;
              log(`[host] ${reg.metadata.name}: message ${m.messageId} moved to ${queueName}-poison (${why})`);
            };
            const text = Buffer.from(m.messageText, 'base64').toString('utf8');
            if (Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '') !== m.messageText.replace(/=+$/, '')) {
              // The real host cannot decode it either and poisons it at once.
              return poison('not base64');
            }
            let input: unknown = text;
            try {
              input = JSON.parse(text);
            } catch {
              /* plain-text messages are passed as strings, like the host */
            }
            try {
              await invoke(reg, input, {
                id: m.messageId,
                dequeueCount: m.dequeueCount,
                insertionTime: m.insertedOn.toISOString(),
                expirationTime: m.expiresOn.toISOString(),
                nextVisibleTime: m.nextVisibleOn.toISOString(),
                popReceipt: m.popReceipt,
              });
              await q.deleteMessage(m.messageId, m.popReceipt);
              result.processed++;
            } catch (err) {
              result.failed++;
              log(
                `[${reg.metadata.name}] failed (dequeueCount ${m.dequeueCount}): ${safeString((err as Error)?.message ?? err)}`,
              );
              if (m.dequeueCount >= queueSettings.maxDequeueCount) await poison(`failed ${m.dequeueCount} times`);
              else await q.updateMessage(m.messageId, m.popReceipt, undefined, retryVisibility);
            }
          }),
        );
      }
      return result;
    };

    const drainQueues = async (maxRounds = 100): Promise<QueuePollResult> => {
      const total: QueuePollResult = { processed: 0, failed: 0, poisoned: 0 };
      for (let i = 0; i < maxRounds; i++) {
        const r = await pollQueuesOnce();
        total.processed += r.processed;
        total.failed += r.failed;
        total.poisoned += r.poisoned;
        if (r.processed + r.failed + r.poisoned === 0) break;
      }
      return total;
    };

    let polling = false;
    if (options.queuePollIntervalMs && queueTriggers.length) {
      pollTimer = setInterval(() => {
        if (polling) return;
        polling = true;
        pollQueuesOnce()
          .catch((err: unknown) => log(`[host] queue poll failed: ${safeString((err as Error)?.message ?? err)}`))
          .finally(() => (polling = false));
      }, options.queuePollIntervalMs);
      pollTimer.unref();
    }

    log(`[host] ${registrations.length} functions registered; HTTP on ${url}/api`);
    for (const r of httpRoutes) log(`[host]   ${r.methods.join(',').padEnd(18)} /api/${r.route}  (${r.authLevel})`);
    if (/^true$/i.test((env.WEBSITE_AUTH_ENABLED ?? '').trim())) {
      log('[host] WEBSITE_AUTH_ENABLED is set, but this is not App Service: x-ms-client-principal* headers are dropped, so sign-in routes answer 401; unset it to use keys');
    }
    if (!adminKeyConfigured) {
      log(`[host] admin key for this run (x-functions-key header or ?code=; set HCXMON_LOCAL_ADMIN_KEY to choose one): ${adminKey}`);
    }

    return {
      url,
      port,
      adminKey,
      functionKey,
      generated: { admin: !adminKeyConfigured, function: functionKeyGenerated },
      registrations,
      httpRoutes,
      fireTimer,
      pollQueuesOnce,
      drainQueues,
      stop: async () => {
        if (pollTimer) clearInterval(pollTimer);
        await new Promise<void>((resolve) => {
          srv.closeAllConnections?.();
          srv.close(() => resolve());
        });
        restoreEnv();
      },
    };
  } catch (err) {
    if (pollTimer) clearInterval(pollTimer);
    server?.close();
    restoreEnv();
    throw err;
  }
}

function safeString(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
