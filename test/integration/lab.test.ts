/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read raw wire JSON on purpose */
import { AzureVMwareSolutionAPI, type PrivateCloud } from '@azure/arm-avs';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config';
import { startLab, type LabHandle } from '../../dev/lab';
import { DEMO_DC2_ACTIVATION_EXPIRY, DEMO_SUBSCRIPTIONS } from '../../dev/lab/scenarios/demo';
import { generateEstate } from '../../dev/lab/scenarios/generate';
import { runLab } from '../../dev/lab/run';
import { loadScenario } from '../../dev/lab/scenarios/load';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** A plain HTTPS call that trusts only the lab CA (no keep-alive: nothing lingers after stop()). */
function call(
  lab: LabHandle,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        ca: lab.caPem,
        agent: false,
        headers: {
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        timeout: opts.timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

async function login(lab: LabHandle, id: string): Promise<string> {
  const m = lab.getManager(id);
  const r = await call(lab, `${lab.hcxUrl(id)}hybridity/api/sessions`, {
    method: 'POST',
    body: { username: m.username, password: m.password },
  });
  expect(r.status).toBe(200);
  return r.headers['x-hm-authorization'] as string;
}

async function hcx(
  lab: LabHandle,
  id: string,
  token: string,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<Reply> {
  return call(lab, `${lab.hcxUrl(id)}${path}`, { method, body, headers: { 'x-hm-authorization': token } });
}

function basic(password: string, user = 'admin'): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

function armClient(lab: LabHandle, subscriptionId: string): AzureVMwareSolutionAPI {
  // The real bearer policy with a static credential; trust comes from the lab CA, never from disabling checks.
  const credential = { getToken: async () => ({ token: lab.armToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  return new AzureVMwareSolutionAPI(credential, subscriptionId, {
    endpoint: lab.armEndpoint,
    credentialScopes: ['https://management.azure.com/.default'],
    tlsOptions: { ca: lab.caPem },
    retryOptions: { maxRetries: 2 },
  });
}

describe('lab (demo estate)', () => {
  let lab: LabHandle;

  beforeAll(async () => {
    lab = await startLab({ armPageSize: 1 });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  afterEach(() => {
    for (const id of lab.managerIds) lab.setFaults(id, {});
    lab.setFaults('onprem-dc3', { unreachable: true });
    lab.setArmFaults({});
  });

  it('hands out settings the product accepts, with passwords only in the settings they name', () => {
    const config = loadConfig(lab.env);
    expect(config.subscriptionIds).toEqual([DEMO_SUBSCRIPTIONS.prod, DEMO_SUBSCRIPTIONS.dr]);
    expect(config.armEndpoint).toBe(lab.armEndpoint);
    expect(config.armCaFile).toBe(lab.caFile);
    expect(readFileSync(lab.caFile, 'utf8')).toBe(lab.caPem);
    expect(config.connectors.map((c) => c.name)).toEqual(['onprem-dc1', 'onprem-dc2', 'onprem-dc3']);
    const dc1 = config.connectors[0];
    expect(lab.env[dc1.passwordSetting]).toBe(lab.getManager('onprem-dc1').password);
    expect(lab.env[dc1.adminPasswordSetting!]).toBe(lab.getManager('onprem-dc1').applianceMgmt!.adminPassword);
    for (const secret of lab.secrets) expect(lab.env.HCXMON_CONNECTORS).not.toContain(secret);
    expect(lab.managerIds).toEqual([
      'avs-prod-weu',
      'avs-legacy-neu',
      'avs-dr-eus',
      'onprem-dc1',
      'onprem-dc2',
      'onprem-dc3',
    ]);
  });

  describe('fake ARM', () => {
    it('pages listInSubscription through absolute nextLinks with @azure/arm-avs 4.0.0 and the real bearer policy', async () => {
      const before = lab.requests.length;
      const clouds: PrivateCloud[] = [];
      for await (const pc of armClient(lab, DEMO_SUBSCRIPTIONS.prod).privateClouds.listInSubscription())
        clouds.push(pc);
      expect(clouds.map((c) => c.name)).toEqual(['avs-prod-weu', 'avs-legacy-neu', 'avs-sandbox-weu']);
      const pages = lab.requests.slice(before).filter((r) => r.server === 'arm' && /privateClouds\?/.test(r.path));
      expect(pages).toHaveLength(3);
      expect(pages.every((p) => p.status === 200 && p.path.includes('api-version=2023-03-01'))).toBe(true);
      // AVS gives the HCX URL with a trailing slash; the lab points it at the simulated manager.
      expect(clouds[0].endpoints?.hcxCloudManager).toBe(lab.hcxUrl('avs-prod-weu'));
      expect(clouds[0].endpoints?.hcxCloudManager).toMatch(/\/$/);
      expect(clouds[0].id).toBe(
        `/subscriptions/${DEMO_SUBSCRIPTIONS.prod}/resourceGroups/rg-avs-prod/providers/Microsoft.AVS/privateClouds/avs-prod-weu`,
      );
    });

    it('serves get, add-ons (HCX, none, failed), enterprise sites, clusters and admin credentials that log in', async () => {
      const prod = armClient(lab, DEMO_SUBSCRIPTIONS.prod);
      const dr = armClient(lab, DEMO_SUBSCRIPTIONS.dr);
      const pc = await prod.privateClouds.get('rg-avs-legacy', 'avs-legacy-neu');
      expect(pc.endpoints?.hcxCloudManager).toBe(lab.hcxUrl('avs-legacy-neu'));

      const addons = async (c: AzureVMwareSolutionAPI, rg: string, name: string) => {
        const out = [];
        for await (const a of c.addons.list(rg, name))
          out.push(a.properties as { addonType: string; offer?: string; provisioningState?: string });
        return out;
      };
      expect(await addons(prod, 'rg-avs-prod', 'avs-prod-weu')).toEqual([
        expect.objectContaining({ addonType: 'SRM' }),
        expect.objectContaining({
          addonType: 'HCX',
          offer: 'VMware MaaS Cloud Provider (Enterprise)',
          provisioningState: 'Succeeded',
        }),
      ]);
      expect(await addons(prod, 'rg-avs-sandbox', 'avs-sandbox-weu')).toEqual([]);
      expect(await addons(dr, 'rg-avs-dr', 'avs-failed-eus')).toEqual([
        expect.objectContaining({ addonType: 'HCX', provisioningState: 'Failed' }),
      ]);

      const sites = [];
      for await (const s of prod.hcxEnterpriseSites.list('rg-avs-legacy', 'avs-legacy-neu'))
        sites.push([s.name, s.status, s.activationKey]);
      expect(sites).toEqual([
        ['onprem-dc1', 'Consumed', '0276EF1A9A1749A5A362BF73EA9F8D0D'],
        ['spare', 'Available', '5B8E2C1D4A3F4E6B9C7D1E2F3A4B5C6D'],
      ]);
      const clusters = [];
      for await (const c of prod.clusters.list('rg-avs-prod', 'avs-prod-weu')) clusters.push([c.name, c.clusterSize]);
      expect(clusters).toEqual([
        ['Cluster-1', 3],
        ['Cluster-2', 4],
      ]);

      const creds = await prod.privateClouds.listAdminCredentials('rg-avs-prod', 'avs-prod-weu');
      expect(creds.vcenterUsername).toBe('cloudadmin@vsphere.local');
      expect(lab.secrets).toContain(creds.vcenterPassword);
      const r = await call(lab, `${lab.hcxUrl('avs-prod-weu')}hybridity/api/sessions`, {
        method: 'POST',
        body: { username: creds.vcenterUsername, password: creds.vcenterPassword },
      });
      expect(r.status).toBe(200);
      await expect(prod.privateClouds.get('rg-avs-prod', 'missing')).rejects.toMatchObject({
        statusCode: 404,
        code: 'ResourceNotFound',
      });
    });

    it('builds bodies from the example of the api-version asked for', async () => {
      const url = (v: string) =>
        `${lab.armEndpoint}/subscriptions/${DEMO_SUBSCRIPTIONS.prod}/resourceGroups/rg-avs-prod/providers/Microsoft.AVS/privateClouds/avs-prod-weu?api-version=${v}`;
      const auth = { authorization: `Bearer ${lab.armToken}` };
      const old = (await call(lab, url('2023-03-01'), { headers: auth })).json<{
        properties: { endpoints: Record<string, string> };
      }>();
      const newer = (await call(lab, url('2024-09-01'), { headers: auth })).json<{
        properties: { endpoints: Record<string, string> };
      }>();
      expect(old.properties.endpoints.hcxCloudManagerIp).toBeUndefined();
      expect(newer.properties.endpoints.hcxCloudManagerIp).toBe('127.0.0.1');
      expect(newer.properties.endpoints.hcxCloudManager).toBe(lab.hcxUrl('avs-prod-weu'));
    });

    it('answers 401 without the bearer token and 400 without api-version, with ARM error bodies', async () => {
      const base = `${lab.armEndpoint}/subscriptions/${DEMO_SUBSCRIPTIONS.prod}/providers/Microsoft.AVS/privateClouds`;
      const noToken = await call(lab, `${base}?api-version=2023-03-01`);
      expect(noToken.status).toBe(401);
      expect(noToken.json()).toEqual({ error: expect.objectContaining({ code: 'AuthenticationFailed' }) });
      const wrongToken = await call(lab, `${base}?api-version=2023-03-01`, {
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrongToken.status).toBe(401);
      const noVersion = await call(lab, base, { headers: { authorization: `Bearer ${lab.armToken}` } });
      expect(noVersion.status).toBe(400);
      expect(noVersion.json()).toEqual({ error: expect.objectContaining({ code: 'MissingApiVersionParameter' }) });
    });

    it('throttles with 429 + Retry-After (the SDK waits and retries) and fails a path with 5xx', async () => {
      lab.setArmFaults({ throttle: { times: 1, retryAfterSeconds: 0, onPath: '/clusters' } });
      const before = lab.requests.length;
      const client = armClient(lab, DEMO_SUBSCRIPTIONS.prod);
      const names = [];
      for await (const c of client.clusters.list('rg-avs-prod', 'avs-prod-weu')) names.push(c.name);
      expect(names).toEqual(['Cluster-1', 'Cluster-2']);
      expect(lab.requests.slice(before).map((r) => r.status)).toEqual([429, 200]);

      lab.setArmFaults({ throttle: { times: 1, retryAfterSeconds: 7 } });
      const raw = await call(
        lab,
        `${lab.armEndpoint}/subscriptions/${DEMO_SUBSCRIPTIONS.prod}/providers/Microsoft.AVS/privateClouds?api-version=2023-03-01`,
        {
          headers: { authorization: `Bearer ${lab.armToken}` },
        },
      );
      expect(raw.status).toBe(429);
      expect(raw.headers['retry-after']).toBe('7');

      lab.setArmFaults({ throttle: undefined, http5xxOnPath: '/hcxEnterpriseSites' });
      const r = await call(
        lab,
        `${lab.armEndpoint}/subscriptions/${DEMO_SUBSCRIPTIONS.prod}/resourceGroups/rg-avs-prod/providers/Microsoft.AVS/privateClouds/avs-prod-weu/hcxEnterpriseSites?api-version=2023-03-01`,
        {
          headers: { authorization: `Bearer ${lab.armToken}` },
        },
      );
      expect(r.status).toBe(500);
      expect(r.json()).toEqual({ error: expect.objectContaining({ code: 'InternalServerError' }) });
    });
  });

  describe('fake HCX hybridity API', () => {
    it('requires a session: wrong credentials 401, no token 401, token from x-hm-authorization works', async () => {
      const url = lab.hcxUrl('avs-prod-weu');
      const wrong = await call(lab, `${url}hybridity/api/sessions`, {
        method: 'POST',
        body: { username: 'cloudadmin@vsphere.local', password: 'nope' },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers['x-hm-authorization']).toBeUndefined();
      expect((await call(lab, `${url}hybridity/api/metainfo/context/support`)).status).toBe(401);
      const token = await login(lab, 'avs-prod-weu');
      const meta = await hcx(lab, 'avs-prod-weu', token, 'hybridity/api/metainfo/context/support');
      expect(meta.json()).toMatchObject({
        success: true,
        data: {
          localEndpoints: [{ endpoint: { version: '4.11.3', buildNumber: '24972693', name: 'hcx-cloud-prod-weu' } }],
        },
      });
      // A token belongs to the manager that issued it.
      expect((await hcx(lab, 'avs-legacy-neu', token, 'hybridity/api/metainfo/context/support')).status).toBe(401);
    });

    it('expires one session after tokenExpiryAfterCalls calls, once: a re-login gets a session that lasts', async () => {
      lab.setFaults('avs-prod-weu', { tokenExpiryAfterCalls: 2 });
      const path = 'hybridity/api/interconnect/serviceMesh';
      const statuses = async (token: string, n: number): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await hcx(lab, 'avs-prod-weu', token, path)).status);
        return out;
      };
      const first = await login(lab, 'avs-prod-weu');
      expect(await statuses(first, 4)).toEqual([200, 200, 401, 401]);
      // The fault models one session timeout: a client that re-logs in once recovers for the rest of its scan.
      expect(await statuses(await login(lab, 'avs-prod-weu'), 4)).toEqual([200, 200, 200, 200]);
      // Setting the fault again arms it again.
      lab.setFaults('avs-prod-weu', { tokenExpiryAfterCalls: 2 });
      expect(await statuses(await login(lab, 'avs-prod-weu'), 3)).toEqual([200, 200, 401]);
    });

    it('speaks the documented shapes: envelopes, bare items, HA groups by mesh, extensions, rows vs items, summary', async () => {
      const token = await login(lab, 'onprem-dc2');
      const get = (p: string) => hcx(lab, 'onprem-dc2', token, p).then((r) => r.json<Record<string, any>>());

      const pairs = await get('hybridity/api/cloudConfigs');
      expect(pairs).toMatchObject({
        success: true,
        data: {
          items: [
            { cloudName: 'hcx-cloud-dr-eus', version: '4.11.3', endpointId: lab.getManager('avs-dr-eus').endpointId },
          ],
        },
      });
      expect(pairs.data.items[0].url).toBe(lab.hcxUrl('avs-dr-eus').replace(/\/$/, ''));

      const meshes = await get('hybridity/api/interconnect/serviceMesh');
      expect(Object.keys(meshes)).toEqual(['items']);
      expect(meshes.items[0].services.map((s: { name: string }) => s.name)).toContain('DISASTER_RECOVERY');

      const appliances = (await get('hybridity/api/interconnect/appliances')).items;
      const ne = appliances.find((a: any) => a.applianceType === 'HCX-NET-EXT');
      expect(ne.applianceVersion).toMatchObject({ major: 4, minor: 11, patch: 1 });
      expect(ne.updateAvailable).toBe(true);
      expect(ne.status.summary.encryptionTunnelSummary).toEqual(
        expect.objectContaining({ totalTunnelCount: 2, totalActiveTunnelCount: 2 }),
      );

      expect((await get('hybridity/api/interconnect/appliances/ha/groups?serviceMeshId=sm-dc2-dr')).items).toEqual([]);
      const ext = (await get('hybridity/api/l2Extensions')).items;
      expect(ext).toEqual([
        expect.objectContaining({ stretchId: 'stretch-dc2-0120', creationDate: '2026-09-14T08:00:00.000Z' }),
      ]);
      expect(ext[0].haConfig).toBeUndefined();

      const unfiltered = (
        await hcx(lab, 'onprem-dc2', token, 'hybridity/api/migrations?action=query', 'POST', {})
      ).json<any>();
      expect(unfiltered.rows.map((r: any) => r.jobInfo.state)).toEqual(['MIGRATING', 'MIGRATED']);
      expect(unfiltered.items).toBeUndefined();
      const filtered = (
        await hcx(lab, 'onprem-dc2', token, 'hybridity/api/migrations?action=query', 'POST', {
          filter: { migrationId: ['mig-dc2-0001'] },
          paging: { pageSize: 10 },
        })
      ).json<any>();
      expect(filtered.items.map((r: any) => r.migrationId)).toEqual(['mig-dc2-0001']);
      const dc1Token = await login(lab, 'onprem-dc1');
      const dc1 = (
        await hcx(lab, 'onprem-dc1', dc1Token, 'hybridity/api/migrations?action=query', 'POST', {})
      ).json<any>();
      expect(dc1.items).toHaveLength(1);

      const summary = (
        await hcx(lab, 'onprem-dc2', token, 'hybridity/api/replications?action=query', 'POST', { type: 'summary' })
      ).json();
      expect(summary).toEqual({
        activeReplicationCnt: { outgoing: 3, incoming: 0 },
        configuringReplicationCnt: {},
        recoveringReplicationCnt: {},
        syncingReplicationCnt: { outgoing: 1 },
      });
      const alerts = (await hcx(lab, 'onprem-dc2', token, 'hybridity/api/alerts?action=query', 'POST', {})).json<any>();
      expect(alerts.items[0]).toMatchObject({ severity: 'WARNING' });
      // Builds without the alerts API answer 404 (the call is optional).
      expect((await hcx(lab, 'onprem-dc1', dc1Token, 'hybridity/api/alerts?action=query', 'POST', {})).status).toBe(
        404,
      );
    });

    it('shows a healthy Active/Standby HA group on the compliant cloud and WAN-Opt on the legacy one', async () => {
      const a = await login(lab, 'avs-prod-weu');
      const groups = (
        await hcx(lab, 'avs-prod-weu', a, 'hybridity/api/interconnect/appliances/ha/groups?serviceMeshId=sm-prod-dc9')
      ).json<any>().items;
      expect(groups).toHaveLength(1);
      expect(groups[0].groupMembers.map((m: any) => m.role)).toEqual(['ACTIVE', 'STANDBY']);
      expect(groups[0].status.groupState).toBe('HEALTHY');
      const b = await login(lab, 'avs-legacy-neu');
      const mesh = (await hcx(lab, 'avs-legacy-neu', b, 'hybridity/api/interconnect/serviceMesh')).json<any>().items[0];
      expect(mesh.services.map((s: any) => s.name)).toContain('WANOPT');
      expect(mesh.wanoptConfig).toEqual({ uplinkMaxBandwidth: 10000 });
      const types = (await hcx(lab, 'avs-legacy-neu', b, 'hybridity/api/interconnect/appliances'))
        .json<any>()
        .items.map((x: any) => x.applianceType);
      expect(types).toContain('HCX-WAN-OPT');
    });

    it('serves interconnect metrics (§6.4) for the requested meshes, paged by paging.next, with PascalCase statistics', async () => {
      const t = await login(lab, 'avs-prod-weu');
      const state = lab.getManager('avs-prod-weu');
      const query = (paging: Record<string, unknown>) =>
        hcx(lab, 'avs-prod-weu', t, 'hybridity/api/metrics/interconnect', 'POST', {
          filter: { serviceMeshIds: ['sm-prod-dc9'] },
          paging,
        });
      const all = (await query({ count: 50 })).json<any>();
      expect(all.paging.next).toBeUndefined();
      expect(all.items.map((i: any) => i.applianceId)).toEqual(state.appliances.map((a) => a.applianceId));
      const ix = all.items[0];
      const sum = (k: string) =>
        ix.summary.transportSummary.reduce((n: number, x: any) => n + x[k], 0) + ix.summary.encryptionTunnelSummary[k];
      expect([sum('totalTunnelCount'), sum('totalActiveTunnelCount')]).toEqual([2, 2]);
      expect(ix.statistics.Tunnels).toHaveLength(2);
      expect(ix.statistics.PeerSiteConnectivity).toEqual(expect.objectContaining({ Summary: 'Up' }));

      const first = (await query({ count: 1 })).json<any>();
      expect(first.items).toHaveLength(1);
      const second = (await query({ count: 1, next: first.paging.next })).json<any>();
      expect(second.items[0].applianceId).toBe(state.appliances[1].applianceId);
      expect((await query({ count: 1, next: 'bogus' })).status).toBe(400);
      const other = (
        await hcx(lab, 'avs-prod-weu', t, 'hybridity/api/metrics/interconnect', 'POST', {
          filter: { serviceMeshIds: ['sm-other'] },
        })
      ).json<any>();
      expect(other.items).toEqual([]);
    });

    it('updateManager changes what the next request sees', async () => {
      lab.updateManager('avs-legacy-neu', (m) => {
        for (const s of m.serviceMeshes) s.services = s.services.filter((x) => x !== 'WANOPT');
        m.version = '4.11.3';
      });
      try {
        const b = await login(lab, 'avs-legacy-neu');
        const mesh = (await hcx(lab, 'avs-legacy-neu', b, 'hybridity/api/interconnect/serviceMesh')).json<any>()
          .items[0];
        expect(mesh.services.map((s: any) => s.name)).not.toContain('WANOPT');
        expect(mesh.wanoptConfig).toBeUndefined();
        // The paired connector reads the remote version live.
        const c = await login(lab, 'onprem-dc1');
        expect((await hcx(lab, 'onprem-dc1', c, 'hybridity/api/cloudConfigs')).json<any>().data.items[0].version).toBe(
          '4.11.3',
        );
      } finally {
        lab.updateManager('avs-legacy-neu', (m) => {
          m.version = '4.11.2';
          m.serviceMeshes[0].services.push('WANOPT');
        });
      }
    });
  });

  describe('manager faults', () => {
    it('http5xxOnPath, throttle and malformedJsonOnPath are visible on the wire', async () => {
      const token = await login(lab, 'avs-prod-weu');
      lab.setFaults('avs-prod-weu', { http5xxOnPath: '/l2Extensions', http5xxStatus: 503 });
      expect((await hcx(lab, 'avs-prod-weu', token, 'hybridity/api/l2Extensions')).status).toBe(503);
      expect((await hcx(lab, 'avs-prod-weu', token, 'hybridity/api/cloudConfigs')).status).toBe(200);

      lab.setFaults('avs-prod-weu', {
        http5xxOnPath: undefined,
        throttle: { times: 2, retryAfterSeconds: 3, onPath: '/serviceMesh' },
      });
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const r = await hcx(lab, 'avs-prod-weu', token, 'hybridity/api/interconnect/serviceMesh');
        statuses.push([r.status, r.headers['retry-after']]);
      }
      expect(statuses).toEqual([
        [429, '3'],
        [429, '3'],
        [200, undefined],
      ]);

      lab.setFaults('avs-prod-weu', { throttle: undefined, malformedJsonOnPath: '/appliances' });
      const bad = await hcx(lab, 'avs-prod-weu', token, 'hybridity/api/interconnect/appliances');
      expect(bad.status).toBe(200);
      expect(() => bad.json()).toThrow(SyntaxError);
    });

    it('latencyMs delays answers past a client timeout', async () => {
      const token = await login(lab, 'avs-prod-weu');
      lab.setFaults('avs-prod-weu', { latencyMs: 5_000 });
      await expect(
        call(lab, `${lab.hcxUrl('avs-prod-weu')}hybridity/api/cloudConfigs`, {
          headers: { 'x-hm-authorization': token },
          timeoutMs: 100,
        }),
      ).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    });

    it('wrongCertificate serves the manager with a certificate from an untrusted CA (ARM follows)', async () => {
      lab.setFaults('avs-prod-weu', { wrongCertificate: true });
      const url = lab.hcxUrl('avs-prod-weu');
      expect(url).not.toContain(new URL(lab.hcxUrl('avs-legacy-neu')).port);
      const pc = await armClient(lab, DEMO_SUBSCRIPTIONS.prod).privateClouds.get('rg-avs-prod', 'avs-prod-weu');
      expect(pc.endpoints?.hcxCloudManager).toBe(url);
      // Node's errors come from another realm than jest's: match on the code, not the class.
      await expect(call(lab, `${url}hybridity/api/sessions`, { method: 'POST', body: {} })).rejects.toMatchObject({
        code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/),
      });
    });

    it('unreachable and applianceUnreachable refuse connections; the connector settings move with them', async () => {
      const dc3 = loadConfig(lab.env).connectors.find((c) => c.name === 'onprem-dc3')!;
      await expect(call(lab, `${dc3.url}/hybridity/api/sessions`, { method: 'POST', body: {} })).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      await expect(call(lab, `${dc3.applianceUrl}/api/admin/licenses`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      // Switched at run time on the shared port: the old URL drops the connection, ARM hands out a dead port.
      const oldUrl = lab.hcxUrl('avs-prod-weu');
      lab.setFaults('avs-prod-weu', { unreachable: true });
      await expect(call(lab, `${oldUrl}hybridity/api/sessions`, { method: 'POST', body: {} })).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      const pc = await armClient(lab, DEMO_SUBSCRIPTIONS.prod).privateClouds.get('rg-avs-prod', 'avs-prod-weu');
      await expect(
        call(lab, `${pc.endpoints!.hcxCloudManager}hybridity/api/sessions`, { method: 'POST', body: {} }),
      ).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });

      lab.setFaults('onprem-dc2', { applianceUnreachable: true });
      const dc2 = loadConfig(lab.env).connectors.find((c) => c.name === 'onprem-dc2')!;
      await expect(call(lab, `${dc2.applianceUrl}/api/admin/licenses`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect((await call(lab, `${dc2.url}/hybridity/api/sessions`, { method: 'POST', body: {} })).status).toBe(401);
    });
  });

  describe('fake appliance management (9443)', () => {
    const get = (id: string, path: string, password?: string) =>
      call(lab, `${lab.applianceUrl(id)}${path}`, {
        headers: basic(password ?? lab.getManager(id).applianceMgmt!.adminPassword),
      });

    it('takes HTTP Basic admin: wrong password 403', async () => {
      expect((await get('onprem-dc2', 'api/admin/licenses', 'wrong')).status).toBe(403);
      expect((await call(lab, `${lab.applianceUrl('onprem-dc2')}api/admin/licenses`)).status).toBe(401);
      expect((await get('onprem-dc2', 'api/admin/licenses')).json()).toEqual({ licenses: [] });
    });

    it('shows legacy activation on the 4.10 connector (no licences API, connect.hcx.vmware.com, NSX-V 6.4)', async () => {
      expect((await get('onprem-dc1', 'api/admin/licenses')).status).toBe(404);
      const hcxCfg = (await get('onprem-dc1', 'api/admin/global/config/hcx')).json<any>();
      expect(hcxCfg.data.items[0]).toMatchObject({ section: 'hcx', config: { url: 'https://connect.hcx.vmware.com' } });
      const nsx = (await get('onprem-dc1', 'api/admin/global/config/nsx')).json<any>();
      expect(nsx.data.items[0].config.version).toBe('6.4.14');
      expect((await get('onprem-dc1', 'api/admin/global/config/vcenter')).json<any>().data.items).toHaveLength(1);
      expect(
        (await get('onprem-dc1', 'api/admin/global/config/lookupservice')).json<any>().data.items[0].config
          .providerType,
      ).toBe('PSC');
      expect((await get('onprem-dc1', 'components/appengine/status')).json()).toEqual({
        result: 'RUNNING',
        operationStatus: 'SUCCESS',
      });
    });

    it('reports the activation expiry of the 4.11 connector', async () => {
      const s = (await get('onprem-dc2', 'license/hcx/activationStatus')).json<any>();
      expect(s).toMatchObject({
        success: true,
        data: { moreInfo: { expiryTimeInMillis: DEMO_DC2_ACTIVATION_EXPIRY } },
      });
      const noExpiry = (await get('onprem-dc1', 'license/hcx/activationStatus')).json<any>();
      expect(noExpiry.data.moreInfo).toBeUndefined();
    });
  });

  it('records every request with server, manager and status', async () => {
    const before = lab.requests.length;
    await call(lab, `${lab.hcxUrl('avs-dr-eus')}hybridity/api/cloudConfigs`);
    const rec = lab.requests.slice(before);
    expect(rec).toEqual([
      expect.objectContaining({ server: 'hcx', manager: 'avs-dr-eus', method: 'GET', status: 401 }),
    ]);
    expect(rec[0].path).toBe('/hcx/avs-dr-eus/hybridity/api/cloudConfigs');
  });
});

describe('lab lifecycle', () => {
  it('stop() closes every port and removes the certificates', async () => {
    const lab = await startLab();
    const token = await login(lab, 'avs-prod-weu');
    lab.setFaults('avs-prod-weu', { latencyMs: 60_000 });
    // A request parked on the latency timer must not keep the lab (or jest) alive.
    const parked = hcx(lab, 'avs-prod-weu', token, 'hybridity/api/cloudConfigs');
    await new Promise((r) => setImmediate(r));
    await lab.stop();
    await expect(parked).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(existsSync(lab.caFile)).toBe(false);
    for (const url of [lab.armEndpoint, lab.hcxUrl('avs-legacy-neu'), lab.applianceUrl('onprem-dc2')!]) {
      await expect(call(lab, url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await lab.stop(); // idempotent
  });

  it('generateEstate builds a large estate the product accepts, on the same four ports', async () => {
    const scenario = generateEstate(1000, { latencyMs: 1, seed: 7 });
    const lab = await startLab({ scenario });
    try {
      expect(lab.managerIds).toHaveLength(1000);
      const config = loadConfig(lab.env);
      expect(config.connectors).toHaveLength(300);
      expect(config.subscriptionIds).toHaveLength(28);
      const ports = new Set(lab.managerIds.map((id) => new URL(lab.hcxUrl(id)).port));
      expect(ports.size).toBe(1);
      const last = lab.managerIds[lab.managerIds.length - 1];
      const token = await login(lab, last);
      expect((await hcx(lab, last, token, 'hybridity/api/cloudConfigs')).json<any>().data.items).toHaveLength(1);
      expect(generateEstate(1000, { latencyMs: 1, seed: 7 })).toEqual(scenario);
    } finally {
      await lab.stop();
    }
  });

  it('loads JSON scenarios (dev/lab/scenarios/minimal.json) and rejects malformed ones with a reason', async () => {
    const lab = await startLab({ scenario: loadScenario(join(__dirname, '../../dev/lab/scenarios/minimal.json')) });
    try {
      expect(lab.managerIds).toEqual(['cloud-1', 'dc1']);
      expect(loadConfig(lab.env).connectors[0]).toMatchObject({
        name: 'dc1',
        applianceUrl: lab.applianceUrl('dc1')!.replace(/\/$/, ''),
      });
      const r = await call(lab, `${lab.applianceUrl('dc1')}api/admin/licenses`, {
        headers: basic(lab.getManager('dc1').applianceMgmt!.adminPassword),
      });
      expect(r.json()).toEqual({ licenses: [{ licenseType: 'HCX_ENTERPRISE', status: 'ACTIVE' }] });
      const token = await login(lab, 'dc1');
      expect((await hcx(lab, 'dc1', token, 'hybridity/api/cloudConfigs')).json<any>().data.items[0].cloudName).toBe(
        'hcx-cloud-1',
      );
    } finally {
      await lab.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'hcxmon-scn-'));
    try {
      const bad = join(dir, 'bad.json');
      writeFileSync(
        bad,
        JSON.stringify({ name: 'x', subscriptions: [{ id: 's', clouds: [{ id: 'c' }] }], connectors: [] }),
      );
      expect(() => loadScenario(bad)).toThrow(/cloud "c" needs id, name, resourceGroup and hcxAddon/);
      expect(() => loadScenario(join(dir, 'missing.json'))).toThrow(/cannot read scenario/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(loadScenario('generated:10').connectors).toHaveLength(3);
  });

  it('runLab writes the env file 0600 and prints no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcxmon-labenv-'));
    const lines: string[] = [];
    const lab = await runLab({ envFile: join(dir, 'lab.env'), print: (l) => lines.push(l), stopOnSignal: false });
    try {
      const file = join(dir, 'lab.env');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      for (const s of lab.secrets) {
        expect(lines.join('\n')).not.toContain(s);
      }
      expect(text).toContain(lab.armToken);
      expect(lines.join('\n')).toContain(`set -a; . ${file}; set +a`);
      expect(lines.join('\n')).toContain(lab.armEndpoint);
    } finally {
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
