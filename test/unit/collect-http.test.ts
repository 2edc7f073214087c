/** Retry/backoff/Retry-After, error classes, URL joining and session re-login, over an injected exchange (no sockets). */
import { CollectionError } from '../../lib/errors';
import { ApplianceClient, HybridityClient } from '../../lib/collect/hcx/client';
import { classifyNetworkError } from '../../lib/collect/hcx/errors';
import {
  HCX_MAX_IN_FLIGHT,
  HCX_MAX_SOCKETS_PER_ENDPOINT,
  HttpTransport,
  hcxRequestLimiter,
  parseRetryAfter,
  type RawResponse,
  type SendOptions,
} from '../../lib/collect/hcx/http';
import { normalizeFingerprint } from '../../lib/collect/hcx/tls';
import { joinUrl } from '../../lib/collect/hcx/url';

type Step = RawResponse | { error: string };
const res = (status: number, body: unknown = {}, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

function scripted(steps: Step[] | ((o: SendOptions) => Step)) {
  const seen: SendOptions[] = [];
  const waits: number[] = [];
  const transport = new HttpTransport({
    baseUrl: 'https://127.0.0.1:1/hcx/m1/',
    source: 'hcx',
    timeoutMs: 1000,
    send: async (o) => {
      seen.push(o);
      const s = typeof steps === 'function' ? steps(o) : steps.shift();
      if (!s) throw new Error('script exhausted');
      if ('error' in s) throw Object.assign(new Error('x'), { code: s.error });
      return s;
    },
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
  });
  return { transport, seen, waits };
}

describe('joinUrl', () => {
  it('keeps a base path prefix with or without a trailing slash', () => {
    expect(joinUrl('https://127.0.0.1:8443/hcx/m1/', '/hybridity/api/sessions').href).toBe('https://127.0.0.1:8443/hcx/m1/hybridity/api/sessions');
    expect(joinUrl('https://127.0.0.1:8443/hcx/m1', '/hybridity/api/sessions').href).toBe('https://127.0.0.1:8443/hcx/m1/hybridity/api/sessions');
    expect(joinUrl('https://hcx.x.avs.azure.com/', '/hybridity/api/migrations?action=query').href).toBe(
      'https://hcx.x.avs.azure.com/hybridity/api/migrations?action=query',
    );
  });
});

describe('Retry-After', () => {
  it('parses seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('HttpTransport retries', () => {
  it('waits the Retry-After of a 429 and then succeeds, counting the wait', async () => {
    const { transport, waits } = scripted([res(429, {}, { 'retry-after': '2' }), res(200, { items: [] })]);
    const r = await transport.request({ method: 'GET', path: '/x', call: 'x' });
    expect(r.status).toBe(200);
    expect(waits).toEqual([2000]);
    expect(transport.stats).toMatchObject({ requests: 2, retries: 1, waits: 1, retryAfterWaits: 1, waitedMs: 2000 });
  });

  it('caps a huge Retry-After', async () => {
    const { transport, waits } = scripted([res(503, {}, { 'retry-after': '86400' }), res(200)]);
    await transport.request({ method: 'GET', path: '/x', call: 'x' });
    expect(waits).toEqual([30_000]);
  });

  it('backs off exponentially on 5xx and gives the last response back when retries run out', async () => {
    const { transport, waits, seen } = scripted([res(500), res(502), res(503), res(500)]);
    const r = await transport.request({ method: 'GET', path: '/x', call: 'x' });
    expect(r.status).toBe(500);
    expect(seen).toHaveLength(4);
    // random 0.5 → 3/4 of each step: 250, 500, 1000
    expect(waits).toEqual([188, 375, 750]);
  });

  it.each([501, 505])('does not retry %i (the server will never support it)', async (status) => {
    const { transport, seen, waits } = scripted([res(status), res(200)]);
    expect((await transport.request({ method: 'GET', path: '/x', call: 'x' })).status).toBe(status);
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it.each([502, 504, 599])('retries %i', async (status) => {
    const { transport, seen } = scripted([res(status), res(200)]);
    expect((await transport.request({ method: 'GET', path: '/x', call: 'x' })).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('does not retry 4xx other than 429', async () => {
    const { transport, seen } = scripted([res(404), res(200)]);
    expect((await transport.request({ method: 'GET', path: '/x', call: 'x' })).status).toBe(404);
    expect(seen).toHaveLength(1);
  });

  it('retries a refused connection, then reports class refused naming the call', async () => {
    const { transport, seen } = scripted(() => ({ error: 'ECONNREFUSED' }));
    await expect(transport.request({ method: 'GET', path: '/hybridity/api/cloudConfigs', call: 'sitePairs' })).rejects.toMatchObject({
      errorClass: 'refused',
      message: expect.stringContaining('sitePairs: refused'),
    });
    expect(seen).toHaveLength(4);
  });

  it('does not retry a timeout or a TLS failure', async () => {
    for (const [code, cls] of [
      ['HCXMON_TIMEOUT', 'timeout'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
      ['ENOTFOUND', 'dns'],
    ] as const) {
      const { transport, seen } = scripted(() => ({ error: code }));
      await expect(transport.request({ method: 'GET', path: '/x', call: 'x' })).rejects.toMatchObject({ errorClass: cls });
      expect(seen).toHaveLength(1);
    }
  });

  it('classifies transport errors by code', () => {
    const c = (code: string) => classifyNetworkError({ code });
    expect(c('ECONNRESET')).toBe('refused');
    expect(c('EAI_AGAIN')).toBe('dns');
    expect(c('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('tls');
    expect(c('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toBe('tls');
    expect(c('HCXMON_TOO_LARGE')).toBe('malformed');
  });
});

describe('one stuck manager and the process-wide request cap', () => {
  it("a manager's requests queue for its own connections before taking a process-wide slot, and abort ends them all", async () => {
    const abandon = new AbortController();
    const pending: ((r: RawResponse) => void)[] = [];
    const stuck = new HttpTransport({
      baseUrl: 'https://127.0.0.1:1/hcx/stuck/',
      source: 'hcx',
      timeoutMs: 1000,
      signal: abandon.signal,
      // Never answers on its own (each call is held until the test lets go), and honours the abort like nodeSend.
      send: (o) =>
        new Promise((resolve, reject) => {
          pending.push(resolve);
          o.signal?.addEventListener('abort', () => reject(Object.assign(new Error('abandoned'), { code: 'HCXMON_ABANDONED' })));
        }),
    });
    const calls = Array.from({ length: HCX_MAX_IN_FLIGHT + 10 }, (_, i) =>
      stuck.request({ method: 'GET', path: `/x/${i}`, call: 'haGroups' }).then(
        () => 'answered',
        (err: CollectionError) => err.errorClass,
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(hcxRequestLimiter.inFlight).toBe(HCX_MAX_SOCKETS_PER_ENDPOINT);

    const healthy = new HttpTransport({ baseUrl: 'https://127.0.0.1:1/hcx/ok/', source: 'hcx', timeoutMs: 1000, send: async () => res(200) });
    expect((await healthy.request({ method: 'GET', path: '/v', call: 'manager' })).status).toBe(200);
    expect(pending).toHaveLength(HCX_MAX_SOCKETS_PER_ENDPOINT);

    abandon.abort();
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['timeout']));
    expect(hcxRequestLimiter.inFlight).toBe(0);
    expect(pending).toHaveLength(HCX_MAX_SOCKETS_PER_ENDPOINT);
  });
});

describe('certificate pins', () => {
  it('normalises hex with or without colons, and rejects non-SHA-256 values', () => {
    const hex = 'ab'.repeat(32);
    expect(normalizeFingerprint(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(normalizeFingerprint(Array(32).fill('ab').join(':'))).toBe(Array(32).fill('AB').join(':'));
    expect(() => normalizeFingerprint('abcd')).toThrow(CollectionError);
  });
});

describe('HybridityClient session', () => {
  const PASSWORD = 'canary-Pa55word!';

  it('logs in, sends the token, and re-logs in once on 401 before retrying the call', async () => {
    let tokenNo = 0;
    let valid = '';
    const { transport, seen } = scripted((o) => {
      if (o.url.pathname.endsWith('/hybridity/api/sessions')) {
        valid = `tok-${++tokenNo}`;
        return res(200, {}, { 'x-hm-authorization': valid });
      }
      return o.headers['x-hm-authorization'] === valid && tokenNo > 1 ? res(200, { items: [] }) : res(401);
    });
    const client = new HybridityClient(transport, { username: 'administrator@vsphere.local', password: PASSWORD });
    await expect(client.serviceMeshes()).resolves.toEqual([]);
    expect(client.logins).toBe(2);
    expect(seen.map((s) => s.url.pathname)).toEqual([
      '/hcx/m1/hybridity/api/sessions',
      '/hcx/m1/hybridity/api/interconnect/serviceMesh',
      '/hcx/m1/hybridity/api/sessions',
      '/hcx/m1/hybridity/api/interconnect/serviceMesh',
    ]);
    expect(JSON.parse(seen[0].body!.toString())).toEqual({ username: 'administrator@vsphere.local', password: PASSWORD });
  });

  it('gives up after one re-login: the call fails with class auth and no credential in the message', async () => {
    const { transport } = scripted((o) => (o.url.pathname.endsWith('/sessions') ? res(200, {}, { 'x-hm-authorization': 't' }) : res(403, PASSWORD)));
    const client = new HybridityClient(transport, { username: 'u', password: PASSWORD });
    const err = (await client.sitePairs().catch((e: unknown) => e)) as CollectionError;
    expect(err).toBeInstanceOf(CollectionError);
    expect(err.errorClass).toBe('auth');
    expect(err.details.status).toBe(403);
    expect(client.logins).toBe(2);
    expect(err.message).not.toContain(PASSWORD);
  });

  it('reports a refused login as auth, a missing token as auth, and a 5xx login as http', async () => {
    for (const [r, cls] of [
      [res(401, `<map><entry><string>message</string><string>${PASSWORD}</string></entry></map>`), 'auth'],
      [res(200), 'auth'],
      [res(500), 'http'],
    ] as const) {
      const { transport } = scripted(() => r);
      const client = new HybridityClient(transport, { username: 'u', password: PASSWORD });
      const err = (await client.login().catch((e: unknown) => e)) as CollectionError;
      expect(err.errorClass).toBe(cls);
      expect(err.message).toContain('login');
      expect(err.message).not.toContain(PASSWORD);
    }
  });

  it('shares one re-login between concurrent calls that hit the same expired token', async () => {
    let tokenNo = 0;
    const { transport } = scripted((o) => {
      if (o.url.pathname.endsWith('/sessions')) return res(200, {}, { 'x-hm-authorization': `t${++tokenNo}` });
      return o.headers['x-hm-authorization'] === 't2' ? res(200, { items: [] }) : res(401);
    });
    const client = new HybridityClient(transport, { username: 'u', password: 'p' });
    await client.login();
    await Promise.all([client.serviceMeshes(), client.appliances(), client.extensions()]);
    expect(client.logins).toBe(2);
  });

  it('posts the DR summary query and the migration query with the documented bodies', async () => {
    const { transport, seen } = scripted((o) => {
      if (o.url.pathname.endsWith('/sessions')) return res(200, {}, { 'x-hm-authorization': 't' });
      if (o.url.pathname.endsWith('/replications')) return res(200, { activeReplicationCnt: {}, configuringReplicationCnt: {}, recoveringReplicationCnt: {}, syncingReplicationCnt: {} });
      return res(200, { rows: [] });
    });
    const client = new HybridityClient(transport, { username: 'u', password: 'p' });
    await client.replicationSummary();
    await client.migrations();
    const dr = seen.find((s) => s.url.pathname.endsWith('/replications'))!;
    expect(dr.method).toBe('POST');
    expect(dr.url.search).toBe('?action=query');
    expect(JSON.parse(dr.body!.toString())).toEqual({ type: 'summary' });
    const mig = seen.find((s) => s.url.pathname.endsWith('/migrations'))!;
    expect(mig.url.search).toBe('?action=query');
  });

  it('follows migration paging until totalSize is reached', async () => {
    const row = (i: number) => ({ migrationId: `m${i}`, jobInfo: { state: 'MIGRATED' }, migrationInfo: { entityDetails: { entityName: `vm${i}` } } });
    const { transport } = scripted((o) => {
      if (o.url.pathname.endsWith('/sessions')) return res(200, {}, { 'x-hm-authorization': 't' });
      const offset = (JSON.parse(o.body!.toString()) as { paging?: { offset: number } }).paging?.offset ?? 0;
      const rows = [0, 1].map((k) => offset + k).filter((i) => i < 5).map(row);
      return res(200, offset === 0 ? { rows, paging: { totalSize: 5, offset, pageSize: 2 } } : { items: rows, paging: { totalSize: 5, offset, pageSize: 2 } });
    });
    const client = new HybridityClient(transport, { username: 'u', password: 'p' });
    expect((await client.migrations()).map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  // A server that pages `size` rows at a time out of `total`, but whose pages run dry after `served` rows.
  const pagedMigrations = (total: number, size: number, served = total) =>
    scripted((o) => {
      if (o.url.pathname.endsWith('/sessions')) return res(200, {}, { 'x-hm-authorization': 't' });
      const offset = (JSON.parse(o.body!.toString()) as { paging?: { offset: number } }).paging?.offset ?? 0;
      const ids = Array.from({ length: size }, (_, k) => offset + k).filter((i) => i < Math.min(total, served));
      const rows = ids.map((i) => ({ migrationId: `m${i}`, jobInfo: { state: i === total - 1 ? 'MIGRATING' : 'MIGRATED' } }));
      return res(200, { rows, paging: { totalSize: total, offset, pageSize: size } });
    });

  it('fails the migration list (malformed, "incomplete") when it stops at the page cap instead of returning part of it', async () => {
    const { transport, seen } = pagedMigrations(5, 1);
    const client = new HybridityClient(transport, { username: 'u', password: 'p' });
    const err = (await client.migrations(3).catch((e: unknown) => e)) as CollectionError;
    expect(err).toBeInstanceOf(CollectionError);
    expect(err.errorClass).toBe('malformed');
    expect(err.message).toMatch(/^migrations: malformed \(the list was incomplete: 3 of 5 rows/);
    expect(seen.filter((s) => s.url.pathname.endsWith('/migrations'))).toHaveLength(3);
  });

  it('fails the migration list when a page comes back empty before totalSize is reached', async () => {
    const { transport } = pagedMigrations(5, 2, 3);
    const client = new HybridityClient(transport, { username: 'u', password: 'p' });
    await expect(client.migrations()).rejects.toMatchObject({ errorClass: 'malformed', message: expect.stringContaining('the list was incomplete: 3 of 5 rows') });
  });

  it('posts the metrics query with the mesh ids, follows paging.next, and fails when still paging at the cap', async () => {
    const item = (id: string) => ({ applianceId: id, summary: { encryptionTunnelSummary: { totalTunnelCount: 1, totalActiveTunnelCount: 1 } } });
    const pages: Record<string, unknown> = {
      first: { paging: { count: 1, next: 'c2' }, items: [item('ix-1')] },
      c2: { paging: { count: 1 }, items: [item('ne-1')] },
    };
    const { transport, seen } = scripted((o) => {
      if (o.url.pathname.endsWith('/sessions')) return res(200, {}, { 'x-hm-authorization': 't' });
      const q = JSON.parse(o.body!.toString()) as { paging?: { next?: string } };
      return res(200, pages[q.paging?.next ?? 'first']);
    });
    const client = new HybridityClient(transport, { username: 'u', password: 'p' });
    expect((await client.tunnelMetrics(['sm-1', 'sm-2'])).map((m) => m.applianceId)).toEqual(['ix-1', 'ne-1']);
    const posts = seen.filter((s) => s.url.pathname.endsWith('/hybridity/api/metrics/interconnect'));
    expect(posts.map((s) => s.method)).toEqual(['POST', 'POST']);
    expect(JSON.parse(posts[0].body!.toString())).toEqual({ filter: { serviceMeshIds: ['sm-1', 'sm-2'] }, paging: { count: 50 } });
    expect(JSON.parse(posts[1].body!.toString())).toMatchObject({ filter: { serviceMeshIds: ['sm-1', 'sm-2'] }, paging: { next: 'c2' } });

    pages.c2 = { paging: { next: 'c2' }, items: [item('ne-1')] };
    await expect(client.tunnelMetrics(['sm-1'], 4)).rejects.toMatchObject({ errorClass: 'malformed', message: expect.stringContaining('the list was incomplete') });
    expect(await client.tunnelMetrics([])).toEqual([]);
  });
});

describe('ApplianceClient (9443)', () => {
  it('uses Basic auth and falls back to the legacy activation config when /api/admin/licenses is 404', async () => {
    const { transport, seen } = scripted((o) => {
      if (o.url.pathname.endsWith('/api/admin/licenses')) return res(404);
      if (o.url.pathname.endsWith('/config/hcx'))
        return res(200, { data: { items: [{ section: 'hcx', config: { url: 'https://connect.hcx.vmware.com', activationKey: 'SECRET-KEY-9876' } }] } });
      return res(200, { success: true, data: { activationStatus: 'activated', moreInfo: { expiryTimeInMillis: 1732732245000 } } });
    });
    const client = new ApplianceClient(transport, { username: 'admin', password: 'adm1n' });
    const { licensing } = await client.licensing();
    expect(licensing).toEqual({
      model: 'activation-key',
      activationServerUrl: 'https://connect.hcx.vmware.com',
      keyLast4: '9876',
      activationStatus: 'activated',
      activationExpiresAt: '2024-11-27T18:30:45.000Z',
    });
    expect(seen[0].headers.Authorization).toBe(`Basic ${Buffer.from('admin:adm1n').toString('base64')}`);
    expect(JSON.stringify(licensing)).not.toContain('SECRET');
  });

  it('maps 403 (wrong admin password) to auth', async () => {
    const { transport } = scripted(() => res(403));
    const client = new ApplianceClient(transport, { username: 'admin', password: 'x' });
    await expect(client.services()).rejects.toMatchObject({ errorClass: 'auth', details: { source: 'appliance', status: 403 } });
  });
});
