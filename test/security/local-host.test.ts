import { request } from 'node:http';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { setApiPortsProvider, storePorts } from '../../lib/api/runtimePorts';
import { repos } from '../e2e/http.seed';
import type { Stores } from '../../lib/store';

/**
 * Attacks on `hcxmon serve` / the demo, which may be bound to production storage: any web page the user opens can
 * send simple (preflight-free) requests to 127.0.0.1, and a DNS-rebinding page reaches it under its own host name.
 */
const conn = process.env.HCXMON_TEST_STORAGE!;
let host: LocalHost;
let stores: Stores;
const hostLog: string[] = [];

const WAIVER = JSON.stringify({
  ruleId: 'hcx-wan-optimization-enabled',
  reason: 'planted by a web page',
  category: 'waiver',
  expiresAt: '2027-01-01T00:00:00Z',
});

function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${host.url}/api/${path}`, { method, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  stores = repos(conn, `sechost${Date.now().toString(36)}`);
  host = await startLocalHost({
    entry: require.resolve('../../functions/http'),
    // No keys configured: the case that used to leave every route open.
    env: { HCXMON_LOCAL_FUNCTION_KEY: '', HCXMON_LOCAL_ADMIN_KEY: '' },
    log: (l) => void hostLog.push(l),
  });
  setApiPortsProvider(() => storePorts(stores, { config: {}, log: () => {} }));
});
afterAll(async () => {
  setApiPortsProvider(undefined);
  await host?.stop();
});

describe('the local host with no keys configured', () => {
  it('generates an admin key at start, prints it once, and requires it on every non-anonymous route', async () => {
    expect(host.adminKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hostLog.filter((l) => l.includes(host.adminKey))).toHaveLength(1);
    expect((await send('GET', 'findings')).status).toBe(401);
    expect((await send('GET', 'findings', { 'x-functions-key': host.adminKey })).status).toBe(200);
    expect((await send('GET', 'health')).status).toBe(200);
  });

  it('a cross-site text/plain POST (no preflight) writes no waiver', async () => {
    const res = await send('POST', 'suppressions', { origin: 'https://evil.example', 'content-type': 'text/plain' }, WAIVER);
    expect([401, 403, 415]).toContain(res.status);
    expect(await stores.suppressions.list()).toEqual([]);
  });

  it('writes with a foreign Origin or a non-JSON body are refused even with the key', async () => {
    const key = { 'x-functions-key': host.adminKey };
    const foreign = await send('POST', 'suppressions', { ...key, origin: 'https://evil.example', 'content-type': 'application/json' }, WAIVER);
    expect(foreign.status).toBe(403);
    const form = await send('POST', 'suppressions', { ...key, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1');
    expect(form.status).toBe(415);
    const plain = await send('POST', 'suppressions', { ...key, 'content-type': 'text/plain' }, WAIVER);
    expect(plain.status).toBe(415);
    expect(await stores.suppressions.list()).toEqual([]);
    // The same write from this host's own origin, as JSON, goes through.
    const own = await send('POST', 'suppressions', { ...key, origin: host.url, 'content-type': 'application/json' }, WAIVER);
    expect(own.status).toBe(201);
    expect(await stores.suppressions.list()).toHaveLength(1);
  });

  it('an audit name from a principal header the caller wrote is not trusted without App Service Authentication', async () => {
    const principal = Buffer.from(JSON.stringify({ userDetails: 'ceo@contoso.com' })).toString('base64');
    const res = await send(
      'POST',
      'suppressions',
      {
        'x-functions-key': host.adminKey,
        'content-type': 'application/json',
        'x-ms-client-principal-name': 'ceo@contoso.com',
        'x-ms-client-principal': principal,
      },
      WAIVER,
    );
    expect(res.status).toBe(201);
    expect(JSON.parse(res.text).createdBy).toBe('unknown');
  });

  it('the dashboard, whose links carry the key, is neither cached nor sent on as a Referer', async () => {
    const res = await send('GET', `dashboard?code=${encodeURIComponent(host.adminKey)}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('a DNS-rebinding Host header is not answered', async () => {
    for (const h of [`evil.example:${host.port}`, 'evil.example', `127.0.0.1.evil.example:${host.port}`, `localhost:${host.port + 1}`]) {
      const res = await send('GET', 'health', { host: h });
      expect({ h, status: res.status }).toEqual({ h, status: 421 });
      expect((await send('GET', 'findings', { host: h, 'x-functions-key': host.adminKey })).status).toBe(421);
    }
    expect((await send('GET', 'health', { host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('a write whose Origin is another loopback server (no port, another port, https) is refused', async () => {
    const key = { 'x-functions-key': host.adminKey, 'content-type': 'application/json' };
    for (const origin of ['http://localhost', 'http://127.0.0.1', `http://localhost:${host.port + 1}`, `https://localhost:${host.port}`, 'null']) {
      const res = await send('POST', 'suppressions', { ...key, origin }, WAIVER);
      expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
    }
    expect((await send('GET', 'health', { host: 'localhost' })).status).toBe(421);
  });
});
