import { createHash } from 'node:crypto';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { CollectionError } from '../../errors';
import { collectionError, classifyNetworkError, isRetryableNetworkError, networkErrorCode } from './errors';
import { pinnedAgentOptions, probePresentedCertificate, type ResolvedTrust } from './tls';
import { baseUrl, describeUrl, joinUrl } from './url';
import { Limiter } from '../../pool';

/**
 * Limits on outbound HCX traffic (documented in README "Reliability"):
 * - per endpoint: at most HCX_MAX_SOCKETS_PER_ENDPOINT connections to an HCX Manager's API and one to a Connector's
 *   9443 interface, through the target's keep-alive agent — an HCX Manager is a single appliance and must not be
 *   flooded by one scan; the five 9443 calls run alongside the Manager's and finish first even one at a time, so a
 *   second connection (a TLS handshake, ~1 ms of CPU on each side) would buy no scan time;
 * - per process: at most HCX_MAX_IN_FLIGHT requests in flight over all targets, whatever HCXMON_CONCURRENCY says,
 *   so raising the pool size cannot open hundreds of sockets at once. Waits between retries hold no slot.
 * A request queues for its own endpoint's connections BEFORE it takes a process-wide slot: a manager that never
 * answers then holds at most its own socket count of the process-wide slots, and every other target keeps going.
 */
export const HCX_MAX_SOCKETS_PER_ENDPOINT = 2;
export const APPLIANCE_MAX_SOCKETS = 1;
export const HCX_MAX_IN_FLIGHT = 128;
export const hcxRequestLimiter = new Limiter(HCX_MAX_IN_FLIGHT);

export type HcxSource = 'hcx' | 'appliance';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SendOptions {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  maxBytes: number;
  agent?: https.Agent;
  signal?: AbortSignal;
}

/** One HTTP exchange, no retries. Rejects with a Node-style error carrying a `code`. */
export type SendFn = (opts: SendOptions) => Promise<RawResponse>;

export interface TransportOptions {
  baseUrl: string;
  source: HcxSource;
  timeoutMs: number;
  trust?: ResolvedTrust;
  /** Retries after the first attempt, on 429 / 5xx / connection failures. */
  maxRetries?: number;
  maxBytes?: number;
  /** Longest Retry-After we honour; a longer one is capped to this. */
  retryAfterCapMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Aborted when the collection is abandoned (the target's budget ran out): queued, waiting and sent requests end. */
  signal?: AbortSignal;
  /** Injection points for tests. */
  send?: SendFn;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface TransportStats {
  requests: number;
  retries: number;
  /** Waits before a retry, and their total length. */
  waits: number;
  waitedMs: number;
  /** Waits that came from a Retry-After header. */
  retryAfterWaits: number;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /** Inventory field or API call name, used in messages and issues. */
  call: string;
  headers?: Record<string, string>;
  json?: unknown;
}

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

const RETRYABLE_STATUS = (s: number): boolean => s === 429 || (s >= 500 && s !== 501 && s !== 505);

/**
 * HTTPS to one HCX endpoint: a keep-alive agent per target, a per-request deadline covering connect, headers
 * and body, a response-size cap, and bounded retries with jittered exponential backoff on 429 / 5xx / failed
 * connections (honouring Retry-After up to a cap). Timeouts are not retried: a manager that is slow now will be
 * slow on the next attempt, and retrying would multiply the scan time by the retry count.
 */
export class HttpTransport {
  readonly stats: TransportStats = { requests: 0, retries: 0, waits: 0, waitedMs: 0, retryAfterWaits: 0 };
  private agent?: Promise<https.Agent>;
  private readonly maxRetries: number;
  private readonly maxBytes: number;
  private readonly retryAfterCapMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly send: SendFn;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  /** The base URL normalised once (ends in one slash), not per request. */
  private readonly base: URL;
  /** This endpoint's queue: as many requests as it has connections go on to take a process-wide slot. */
  private readonly endpoint: Limiter;

  constructor(private readonly opts: TransportOptions) {
    this.base = baseUrl(opts.baseUrl);
    this.maxRetries = opts.maxRetries ?? 3;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.retryAfterCapMs = opts.retryAfterCapMs ?? 30_000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 250;
    this.backoffCapMs = opts.backoffCapMs ?? 4_000;
    this.send = opts.send ?? nodeSend;
    // An abandoned collection does not sit out a Retry-After: the wait ends and the next attempt is refused.
    this.sleep = opts.sleep ?? ((ms) => delay(ms, undefined, { signal: opts.signal }).catch(() => undefined));
    this.random = opts.random ?? Math.random;
    this.endpoint = new Limiter(opts.source === 'appliance' ? APPLIANCE_MAX_SOCKETS : HCX_MAX_SOCKETS_PER_ENDPOINT);
  }

  get source(): HcxSource {
    return this.opts.source;
  }

  url(path: string): URL {
    return joinUrl(this.base, path);
  }

  /**
   * Sends with retries. Returns the final response whatever its status (the caller decides what 401 or 404
   * mean); throws a CollectionError when no response could be had at all.
   */
  async request(spec: RequestSpec): Promise<RawResponse> {
    const url = this.url(spec.path);
    const { signal } = this.opts;
    const agent = this.opts.send ? undefined : await this.getAgent(spec.call);
    const headers: Record<string, string> = { Accept: 'application/json', ...spec.headers };
    let body: Buffer | undefined;
    if (spec.json !== undefined) {
      body = Buffer.from(JSON.stringify(spec.json));
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw this.networkError(abandoned(), spec, url);
      this.stats.requests++;
      let res: RawResponse;
      try {
        res = await this.endpoint.run(
          () =>
            hcxRequestLimiter.run(
              () =>
                this.send({
                  url,
                  method: spec.method,
                  headers,
                  body,
                  timeoutMs: this.opts.timeoutMs,
                  maxBytes: this.maxBytes,
                  agent,
                  signal,
                }),
              signal,
            ),
          signal,
        );
      } catch (err) {
        if (signal?.aborted) throw this.networkError(abandoned(), spec, url);
        if (attempt < this.maxRetries && isRetryableNetworkError(err)) {
          await this.wait(this.backoff(attempt), false);
          continue;
        }
        throw this.networkError(err, spec, url);
      }
      if (RETRYABLE_STATUS(res.status) && attempt < this.maxRetries) {
        const ra = parseRetryAfter(res.headers['retry-after']);
        await this.wait(
          ra !== undefined ? Math.min(ra, this.retryAfterCapMs) : this.backoff(attempt),
          ra !== undefined,
        );
        continue;
      }
      return res;
    }
  }

  close(): void {
    void this.agent?.then((a) => a.destroy()).catch(() => undefined);
  }

  private async wait(ms: number, fromHeader: boolean): Promise<void> {
    this.stats.retries++;
    this.stats.waits++;
    this.stats.waitedMs += ms;
    if (fromHeader) this.stats.retryAfterWaits++;
    await this.sleep(ms);
  }

  /** Full jitter between half and all of the exponential step, so parallel scans do not retry in lockstep. */
  private backoff(attempt: number): number {
    const step = Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** attempt);
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  private networkError(err: unknown, spec: RequestSpec, url: URL): CollectionError {
    if (err instanceof CollectionError) return err;
    const cls = classifyNetworkError(err);
    const code = networkErrorCode(err);
    const detail =
      code === 'HCXMON_TIMEOUT'
        ? `no answer within ${this.opts.timeoutMs} ms`
        : code === 'HCXMON_TOO_LARGE'
          ? `response larger than ${this.maxBytes} bytes`
          : code === 'HCXMON_ABANDONED'
            ? "abandoned: the target's collection was cancelled"
            : code;
    return collectionError(cls, this.opts.source, spec.call, `${spec.method} ${describeUrl(url)}: ${detail}`);
  }

  private getAgent(call: string): Promise<https.Agent> {
    if (!this.agent) {
      this.agent = this.buildAgent(call);
      // A failed pin probe should be retried by the next request, not remembered.
      this.agent.catch(() => (this.agent = undefined));
    }
    return this.agent;
  }

  private async buildAgent(call: string): Promise<https.Agent> {
    const trust = this.opts.trust ?? {};
    const base = { keepAlive: true, maxSockets: this.opts.source === 'appliance' ? APPLIANCE_MAX_SOCKETS : HCX_MAX_SOCKETS_PER_ENDPOINT };
    if (!trust.pin) return new https.Agent(trust.ca ? { ...base, secureContext: sharedSecureContext(trust.ca) } : base);
    const url = this.url('/');
    const cert = await probePresentedCertificate(url, trust.ca, this.opts.timeoutMs, this.opts.source, call);
    if (cert.fingerprint256 !== trust.pin) {
      throw collectionError(
        'tls',
        this.opts.source,
        call,
        `${describeUrl(url)} presented a certificate whose SHA-256 does not match the pin`,
      );
    }
    return new https.Agent({ ...base, ...pinnedAgentOptions(cert, trust.pin) });
  }
}

const contexts = new Map<string, tls.SecureContext>();
const contextsByList = new WeakMap<string[], tls.SecureContext>();

/**
 * One TLS context per distinct trust bundle, shared by every target and connection: a `ca` list that carries
 * the system roots is ~150 certificates, and parsing it for every connection costs more CPU than the request.
 */
export function sharedSecureContext(ca: string[]): tls.SecureContext {
  // resolveTrust hands out the same array for the same files, so hashing ~150 certificates happens once, not per target.
  const known = contextsByList.get(ca);
  if (known) return known;
  const key = createHash('sha256').update(ca.join('\n')).digest('hex');
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca });
    if (contexts.size > 32) contexts.clear();
    contexts.set(key, ctx);
  }
  contextsByList.set(ca, ctx);
  return ctx;
}

/** Retry-After as seconds or an HTTP date; milliseconds from now, or undefined when absent/unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function abandoned(): Error {
  return Object.assign(new Error('abandoned'), { code: 'HCXMON_ABANDONED' });
}

/** Node's HTTPS client, one request. Exported for tests; HttpTransport uses it unless given its own `send`. */
export const nodeSend: SendFn = (o) =>
  new Promise<RawResponse>((resolve, reject) => {
    // A signal that aborted while this request waited for its slots sends nothing: its 'abort' event has fired.
    if (o.signal?.aborted) {
      reject(abandoned());
      return;
    }
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const req = https.request(o.url, { method: o.method, headers: o.headers, agent: o.agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) {
          // Settle first: destroying the response emits its own abort/reset error synchronously.
          fail(Object.assign(new Error('response too large'), { code: 'HCXMON_TOO_LARGE' }));
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (e) => fail(e));
      res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    });
    const timer = setTimeout(() => fail(Object.assign(new Error('timeout'), { code: 'HCXMON_TIMEOUT' })), o.timeoutMs);
    const onAbort = (): void => fail(abandoned());
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => o.signal?.removeEventListener('abort', onAbort));
    req.on('error', (e) => fail(e));
    if (o.body) req.write(o.body);
    req.end();
  });
