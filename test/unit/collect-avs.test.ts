/**
 * ARM discovery and ARM facts, parsed by the real @azure/arm-avs 4.0.0 client from Microsoft's own example
 * bodies (dev/lab/arm-examples, verbatim). The SDK's HTTP client is replaced by an in-memory one: no sockets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { loadConfig, type Config } from '../../lib/config';
import {
  armClientOptions,
  collectArmFacts,
  createArmClientFactory,
  discoverTargets,
  cloudAdminCredentials,
  staticTokenCredential,
} from '../../lib/collect/avs';
import { collectInventory, type CollectStats } from '../../lib/collect/inventory';
import type { ArmRest } from '../../lib/collect/discovery';

const EXAMPLES = path.join(__dirname, '../../dev/lab/arm-examples');
const VERSIONS = ['2023-03-01', '2023-09-01', '2024-09-01'];
const SUB = '00000000-0000-0000-0000-000000000000';
const SUB2 = '11111111-1111-1111-1111-111111111111';

function example(version: string, name: string): Record<string, unknown> {
  const file = JSON.parse(fs.readFileSync(path.join(EXAMPLES, version, `${name}.json`), 'utf8')) as {
    responses: Record<string, { body: Record<string, unknown> }>;
  };
  return file.responses['200'].body;
}

type Route = (req: PipelineRequest, url: URL) => { status: number; body: unknown } | undefined;

function fakeArm(route: Route): { httpClient: HttpClient; requests: PipelineRequest[] } {
  const requests: PipelineRequest[] = [];
  const httpClient: HttpClient = {
    async sendRequest(request): Promise<PipelineResponse> {
      requests.push(request);
      const url = new URL(request.url);
      const r = route(request, url) ?? {
        status: 404,
        body: { error: { code: 'NotFound', message: `no route ${url.pathname}` } },
      };
      return {
        request,
        status: r.status,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: JSON.stringify(r.body),
      };
    },
  };
  return { httpClient, requests };
}

function config(extra: Record<string, string> = {}): Config {
  return loadConfig({ HCXMON_SUBSCRIPTION_IDS: SUB, ...extra });
}

const factory = (cfg: Config, httpClient: HttpClient) =>
  createArmClientFactory(cfg, { httpClient, credential: staticTokenCredential('t'), retryOptions: { maxRetries: 0 } });

describe.each(VERSIONS)('Microsoft examples, api-version %s', (version) => {
  const pcList = example(version, 'PrivateClouds_ListInSubscription');
  const pcGet = example(version, 'PrivateClouds_Get');
  const sites = example(version, 'HcxEnterpriseSites_List');
  const hcxAddon = example(version, 'Addons_Get_HCX');
  const addons = example(version, 'Addons_List');
  const creds = example(version, 'PrivateClouds_ListAdminCredentials');
  const pc0 = (
    pcList.value as Array<{
      id: string;
      name: string;
      location: string;
      properties: { provisioningState: string; endpoints: { hcxCloudManager: string } };
    }>
  )[0];

  const routes =
    (withHcx: boolean): Route =>
    (req, url) => {
      const p = url.pathname;
      if (p.endsWith('/providers/Microsoft.AVS/privateClouds')) return { status: 200, body: pcList };
      if (p.endsWith('/privateClouds/cloud1')) return { status: 200, body: pcGet };
      if (p.endsWith('/addons'))
        return { status: 200, body: withHcx ? { value: [...(addons.value as unknown[]), hcxAddon] } : addons };
      if (p.endsWith('/hcxEnterpriseSites')) return { status: 200, body: sites };
      if (p.endsWith('/listAdminCredentials') && req.method === 'POST') return { status: 200, body: creds };
      return undefined;
    };

  it('discovers the private cloud as a target with a lower-case ARM id and the HCX URL from endpoints', async () => {
    const cfg = config();
    const { httpClient } = fakeArm(routes(true));
    const { targets, errors } = await discoverTargets(cfg, { armClients: factory(cfg, httpClient) });
    expect(errors).toEqual([]);
    expect(targets).toEqual([
      {
        id: pc0.id.toLowerCase(),
        name: 'cloud1',
        kind: 'avs-private-cloud',
        hcxUrl: pc0.properties.endpoints.hcxCloudManager,
        arm: {
          subscriptionId: SUB,
          resourceGroup: 'group1',
          privateCloudName: 'cloud1',
          location: pc0.location,
          provisioningState: pc0.properties.provisioningState,
        },
      },
    ]);
  });

  it('does not re-read a cloud the same scan just discovered (the listing carries its properties); re-reads one that came without', async () => {
    const cfg = config();
    const fake = fakeArm(routes(true));
    const f = factory(cfg, fake.httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    const gets = (): number =>
      fake.requests.filter((r) => r.method === 'GET' && /privateClouds\/cloud1\?/.test(r.url)).length;
    const before = gets();
    const facts = await collectArmFacts(cfg, targets[0], f(SUB));
    expect(gets()).toBe(before);
    expect(facts.arm.provisioningState).toBe(pc0.properties.provisioningState);
    const { provisioningState: _dropped, ...withoutState } = targets[0].arm!;
    await collectArmFacts(cfg, { ...targets[0], arm: withoutState }, f(SUB));
    expect(gets()).toBe(before + 1);
  });

  it('collects the HCX add-on offer, the sites with only the last 4 key characters, and provisioning state', async () => {
    const cfg = config();
    const { httpClient } = fakeArm(routes(true));
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    const facts = await collectArmFacts(cfg, targets[0], f(SUB));
    expect(facts.issues).toEqual([]);
    const site = (sites.value as Array<{ name: string; properties: { activationKey: string; status: string } }>)[0];
    expect(facts.arm).toMatchObject({
      subscriptionId: SUB,
      resourceGroup: 'group1',
      privateCloudName: 'cloud1',
      provisioningState: 'Succeeded',
      hcxCloudManagerUrl: (pcGet.properties as { endpoints: { hcxCloudManager: string } }).endpoints.hcxCloudManager,
      hcxAddon: { offer: 'VMware MaaS Cloud Provider (Enterprise)', provisioningState: 'Succeeded' },
      enterpriseSites: [
        { name: site.name, keyLast4: site.properties.activationKey.slice(-4), status: site.properties.status },
      ],
    });
    expect(JSON.stringify(facts)).not.toContain(site.properties.activationKey);
  });

  it('reports a missing HCX add-on as null (collected, absent), not undefined', async () => {
    const cfg = config();
    const { httpClient } = fakeArm(routes(false));
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    expect((await collectArmFacts(cfg, targets[0], f(SUB))).arm.hcxAddon).toBeNull();
  });

  it('returns the cloudadmin credentials from listAdminCredentials (vCenter user)', async () => {
    const cfg = config();
    const { httpClient } = fakeArm(routes(true));
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    await expect(cloudAdminCredentials(cfg, targets[0], f(SUB))).resolves.toEqual({
      username: creds.vcenterUsername,
      password: creds.vcenterPassword,
    });
  });

  it('credential mode none: ARM facts only, no credentials asked for, HCX not attempted', async () => {
    const cfg = config({ HCXMON_CLOUD_CREDENTIALS: 'none' });
    const { httpClient, requests } = fakeArm(routes(true));
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    const inv = await collectInventory(targets[0], {
      config: cfg,
      env: {},
      armClients: f,
      asOf: new Date('2026-01-01T00:00:00Z'),
    });
    expect(inv.collectedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(inv.arm?.hcxAddon).toBeTruthy();
    expect(inv.reachability).toEqual({});
    expect(inv.manager).toBeUndefined();
    expect(inv.issues).toEqual([]);
    expect(requests.some((r) => r.url.includes('listAdminCredentials'))).toBe(false);
  });

  it('injected SDK clients with an injected ARM REST client: the maintenance schedule is read; without one it stays unread', async () => {
    const cfg = config({ HCXMON_CLOUD_CREDENTIALS: 'none' });
    const { httpClient } = fakeArm(routes(true));
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    const asked: string[] = [];
    const armRest: ArmRest = {
      async send(_method, url) {
        asked.push(url);
        return { status: 200, header: () => undefined, json: { value: [] } };
      },
    };
    const withRest = await collectInventory(targets[0], { config: cfg, env: {}, armClients: f, armRest });
    expect(withRest.arm?.maintenance).toEqual({ windows: [], problems: [] });
    expect(asked.some((u) => u.includes('/maintenances?'))).toBe(true);
    const withoutRest = await collectInventory(targets[0], { config: cfg, env: {}, armClients: f });
    expect(withoutRest.arm?.maintenance).toBeUndefined();
    expect(withoutRest.issues).toEqual([]);
  });

  it('listAdminCredentials without vCenter credentials: a malformed ARM issue, HCX unreachable for that reason, never attempted', async () => {
    const cfg = config();
    const { httpClient } = fakeArm((req, url) =>
      url.pathname.endsWith('/listAdminCredentials') ? { status: 200, body: {} } : routes(true)(req, url),
    );
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    let stats: CollectStats | undefined;
    const inv = await collectInventory(targets[0], {
      config: cfg,
      env: {},
      armClients: f,
      onStats: (s) => (stats = s),
    });
    expect(inv.issues).toEqual([
      {
        source: 'arm',
        call: 'listAdminCredentials',
        errorClass: 'malformed',
        message: 'arm listAdminCredentials: malformed (no vCenter credentials)',
      },
    ]);
    expect(inv.reachability).toEqual({
      hybridity: {
        ok: false,
        errorClass: 'malformed',
        message: 'arm listAdminCredentials: malformed (no vCenter credentials)',
      },
    });
    expect(inv.manager).toBeUndefined();
    // No HCX transport was opened: the collection reported no hybridity (or appliance) requests at all.
    expect(stats).toEqual({});
  });

  it('listAdminCredentials refused by ARM (403): an auth issue on arm with its status, HCX unreachable for that reason', async () => {
    const cfg = config();
    const { httpClient } = fakeArm((req, url) =>
      url.pathname.endsWith('/listAdminCredentials')
        ? { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no listAdminCredentials action' } } }
        : routes(true)(req, url),
    );
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    const inv = await collectInventory(targets[0], { config: cfg, env: {}, armClients: f });
    // ARM's own error text is not copied: it could carry what the caller sent.
    expect(inv.issues).toEqual([
      {
        source: 'arm',
        call: 'listAdminCredentials',
        errorClass: 'auth',
        status: 403,
        message: 'arm listAdminCredentials: auth (HTTP 403 AuthorizationFailed)',
      },
    ]);
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'auth', status: 403 });
  });

  it('an ARM client factory that fails with a bug (not a wire error): recorded as malformed on arm, named by type only', async () => {
    const cfg = config();
    const { httpClient } = fakeArm(routes(true));
    const { targets } = await discoverTargets(cfg, { armClients: factory(cfg, httpClient) });
    const broken = (): never => {
      throw new TypeError('secret-ish detail that must not be copied');
    };
    const inv = await collectInventory(targets[0], { config: cfg, env: {}, armClients: broken });
    expect(inv.issues).toEqual([
      { source: 'arm', call: 'arm', errorClass: 'malformed', message: 'arm: malformed (unexpected TypeError)' },
    ]);
    expect(inv.arm).toBeUndefined();
    expect(inv.reachability).toEqual({});
  });
});

describe('ARM discovery behaviour', () => {
  const body = example('2023-03-01', 'PrivateClouds_ListInSubscription');
  const item = (body.value as Array<Record<string, unknown>>)[0];
  const cloud = (sub: string, name: string) => ({
    ...item,
    id: `/subscriptions/${sub}/resourceGroups/Group-${name}/providers/Microsoft.AVS/privateClouds/${name}`,
    name,
  });

  it('follows nextLink across three pages', async () => {
    const cfg = config();
    const { httpClient, requests } = fakeArm((_req, url) => {
      const page = url.searchParams.get('$skipToken') ?? '1';
      const base = `https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.AVS/privateClouds?api-version=2023-03-01`;
      const next = page === '3' ? undefined : `${base}&$skipToken=${Number(page) + 1}`;
      return {
        status: 200,
        body: { value: [cloud(SUB, `pc${page}a`), cloud(SUB, `pc${page}b`)], ...(next ? { nextLink: next } : {}) },
      };
    });
    const { targets } = await discoverTargets(cfg, { armClients: factory(cfg, httpClient) });
    expect(targets.map((t) => t.name)).toEqual(['pc1a', 'pc1b', 'pc2a', 'pc2b', 'pc3a', 'pc3b']);
    expect(targets[0].id).toBe(
      `/subscriptions/${SUB}/resourcegroups/group-pc1a/providers/microsoft.avs/privateclouds/pc1a`,
    );
    expect(targets[0].arm?.resourceGroup).toBe('Group-pc1a');
    expect(requests).toHaveLength(3);
  });

  it('one failing subscription does not hide the others, and connectors are always listed', async () => {
    const cfg = loadConfig({
      HCXMON_SUBSCRIPTION_IDS: `${SUB},${SUB2}`,
      HCXMON_CONNECTORS: JSON.stringify([
        {
          name: 'onprem-1',
          url: 'https://hcx.onprem.example/',
          username: 'administrator@vsphere.local',
          passwordSetting: 'PW1',
        },
      ]),
      PW1: 'x',
    });
    const { httpClient } = fakeArm((_req, url) =>
      url.pathname.includes(SUB2)
        ? {
            status: 403,
            body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization' } },
          }
        : { status: 200, body: { value: [cloud(SUB, 'good')] } },
    );
    const { targets, errors } = await discoverTargets(cfg, { armClients: factory(cfg, httpClient) });
    expect(targets.map((t) => t.id)).toEqual([expect.stringContaining('/privateclouds/good'), 'connector:onprem-1']);
    expect(errors).toEqual([
      {
        subscriptionId: SUB2,
        errorClass: 'auth',
        status: 403,
        message: expect.stringContaining('AuthorizationFailed'),
      },
    ]);
    expect(targets[1]).toEqual({
      id: 'connector:onprem-1',
      name: 'onprem-1',
      kind: 'hcx-connector',
      hcxUrl: 'https://hcx.onprem.example/',
      connector: { username: 'administrator@vsphere.local', passwordSetting: 'PW1', adminUsername: 'admin' },
    });
  });

  it('a failing add-on call leaves only that fact undefined, with an arm issue', async () => {
    const cfg = config();
    const { httpClient } = fakeArm((_req, url) => {
      if (url.pathname.endsWith('/privateClouds')) return { status: 200, body: { value: [cloud(SUB, 'c')] } };
      if (url.pathname.endsWith('/privateClouds/c')) return { status: 200, body: cloud(SUB, 'c') };
      if (url.pathname.endsWith('/addons'))
        return { status: 500, body: { error: { code: 'InternalServerError', message: 'x' } } };
      if (url.pathname.endsWith('/hcxEnterpriseSites')) return { status: 200, body: { value: [] } };
      return undefined;
    });
    const f = factory(cfg, httpClient);
    const { targets } = await discoverTargets(cfg, { armClients: f });
    const facts = await collectArmFacts(cfg, targets[0], f(SUB));
    expect(facts.arm.hcxAddon).toBeUndefined();
    expect(facts.arm.enterpriseSites).toEqual([]);
    expect(facts.issues).toEqual([
      {
        source: 'arm',
        call: 'addons',
        errorClass: 'http',
        status: 500,
        message: expect.stringContaining('addons: http'),
      },
    ]);
  });
});

describe('ARM client options', () => {
  it('leaves endpoint and scope to the SDK defaults for public ARM', () => {
    expect(armClientOptions(config(), false)).toEqual({});
  });

  it('custom endpoint with a static token: endpoint set, no scope (the token is never exchanged)', () => {
    expect(armClientOptions(config({ HCXMON_ARM_ENDPOINT: 'https://127.0.0.1:9999' }), true)).toEqual({
      endpoint: 'https://127.0.0.1:9999',
    });
  });

  it('custom endpoint with a real credential: the scope is that endpoint’s /.default', () => {
    expect(armClientOptions(config({ HCXMON_ARM_ENDPOINT: 'https://management.usgovcloudapi.net' }), false)).toEqual({
      endpoint: 'https://management.usgovcloudapi.net',
      credentialScopes: ['https://management.usgovcloudapi.net/.default'],
    });
  });

  it('an unreadable HCXMON_ARM_CA_FILE is a config error naming the setting', () => {
    expect(() => armClientOptions(config({ HCXMON_ARM_CA_FILE: '/nonexistent/ca.pem' }), true)).toThrow(
      /HCXMON_ARM_CA_FILE/,
    );
  });
});
