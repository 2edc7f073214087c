import { request } from 'node:http';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { setApiPortsProvider, storePorts } from '../../lib/api/runtimePorts';
import { repos } from '../e2e/http.seed';

/**
 * Attack: the local host started with WEBSITE_AUTH_ENABLED=true (copied from an App Service's settings) registers
 * the read routes anonymous and opens them to whoever App Service Authentication vouches for: its
 * x-ms-client-principal* headers. Nothing vouches here, so any caller (any web page) could send them itself.
 */
const conn = process.env.HCXMON_TEST_STORAGE!;
let host: LocalHost;
const hostLog: string[] = [];

function get(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${host.url}/api/${path}`, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const stores = repos(conn, `secprin${Date.now().toString(36)}`);
  host = await startLocalHost({
    entry: require.resolve('../../functions/http'),
    env: { WEBSITE_AUTH_ENABLED: 'true', HCXMON_LOCAL_FUNCTION_KEY: '', HCXMON_LOCAL_ADMIN_KEY: '' },
    log: (l) => void hostLog.push(l),
  });
  setApiPortsProvider(() => storePorts(stores, { config: {}, log: () => {} }));
});
afterAll(async () => {
  setApiPortsProvider(undefined);
  await host?.stop();
});

it('client-sent x-ms-client-principal headers open no route on the local host', async () => {
  const principal = Buffer.from(JSON.stringify({ userId: 'u1', userDetails: 'ceo@contoso.com', identityProvider: 'aad' })).toString('base64');
  const forged = { 'x-ms-client-principal-id': 'u1', 'x-ms-client-principal-name': 'ceo@contoso.com', 'x-ms-client-principal': principal };
  for (const path of ['findings', 'scans', 'dashboard']) expect({ path, status: await get(path, forged) }).toEqual({ path, status: 401 });
  expect(hostLog.join('\n')).toMatch(/WEBSITE_AUTH_ENABLED is set, but this is not App Service/);
});
