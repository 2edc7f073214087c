/**
 * Discovery scope settings, the queue worker's scope check, and the Resource Graph quota arithmetic (pure; the
 * paths against the lab are test/integration/discovery-lab.test.ts).
 */
import { loadConfig } from '../../lib/config';
import type { AvsClient } from '../../lib/collect/avs';
import { discoverEstate, graphRowToTarget, quotaWaitMs, type ArmRest } from '../../lib/collect/discovery';
import { resolveQueuedTarget, TargetRefused } from '../../lib/collect/resolve';
import { ConfigError } from '../../lib/errors';

const SUB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const SUB_B = 'bbbbbbbb-0000-4000-8000-000000000002';

describe('HCXMON_DISCOVERY_SCOPE', () => {
  it('defaults to the tenant when no subscriptions are listed, and to them when they are', () => {
    expect(loadConfig({}).discoveryScope).toEqual({ kind: 'tenant' });
    expect(loadConfig({ HCXMON_SUBSCRIPTION_IDS: `${SUB_A}, ${SUB_B}` })).toMatchObject({
      discoveryScope: { kind: 'subscriptions', subscriptionIds: [SUB_A, SUB_B] },
      subscriptionIds: [SUB_A, SUB_B],
    });
  });

  it.each([
    ['tenant', { kind: 'tenant' }],
    ['Tenant', { kind: 'tenant' }],
    ['managementGroup:Contoso-Prod', { kind: 'managementGroup', managementGroupId: 'Contoso-Prod' }],
    [`subscriptions:${SUB_A},${SUB_B}`, { kind: 'subscriptions', subscriptionIds: [SUB_A, SUB_B] }],
    ['none', { kind: 'none' }],
  ])('parses %s', (raw, scope) => {
    const c = loadConfig({ HCXMON_DISCOVERY_SCOPE: raw });
    expect(c.discoveryScope).toEqual(scope);
    expect(c.subscriptionIds).toEqual(scope.kind === 'subscriptions' ? [SUB_A, SUB_B] : []);
  });

  it.each([
    ['managementGroup:', /expected "tenant", "managementGroup:<id>"/],
    ['managementGroup:a/b', /expected "tenant"/],
    ['subscriptions:not-a-guid', /"not-a-guid" is not a subscription id/],
    ['tenant:x', /expected "tenant"/],
    ['everything', /expected "tenant"/],
  ])('refuses %s', (raw, msg) => {
    expect(() => loadConfig({ HCXMON_DISCOVERY_SCOPE: raw })).toThrow(msg);
  });

  it('refuses HCXMON_SUBSCRIPTION_IDS beside another scope, accepts it beside the same list', () => {
    expect(() => loadConfig({ HCXMON_SUBSCRIPTION_IDS: SUB_A, HCXMON_DISCOVERY_SCOPE: 'tenant' })).toThrow(ConfigError);
    expect(() =>
      loadConfig({ HCXMON_SUBSCRIPTION_IDS: SUB_A, HCXMON_DISCOVERY_SCOPE: `subscriptions:${SUB_B}` }),
    ).toThrow(/chooses another scope/);
    expect(
      loadConfig({ HCXMON_SUBSCRIPTION_IDS: SUB_A, HCXMON_DISCOVERY_SCOPE: `subscriptions:${SUB_A.toUpperCase()}` })
        .discoveryScope,
    ).toMatchObject({ kind: 'subscriptions' });
  });
});

describe('a queued private cloud under a tenant or management-group scope', () => {
  const cloud = `/subscriptions/${SUB_B}/resourcegroups/rg-1/providers/microsoft.avs/privateclouds/pc-1`;
  const ref = { id: cloud, name: 'pc-1', kind: 'avs-private-cloud' as const };

  it('is resolved only when the scan discovered it (there is no subscription list to check)', () => {
    for (const raw of ['tenant', 'managementGroup:mg1']) {
      const config = loadConfig({ HCXMON_DISCOVERY_SCOPE: raw });
      expect(resolveQueuedTarget(config, ref, new Set([cloud]))).toMatchObject({
        id: cloud,
        arm: { subscriptionId: SUB_B, resourceGroup: 'rg-1', privateCloudName: 'pc-1' },
      });
      expect(() => resolveQueuedTarget(config, ref, new Set())).toThrow(/not a private cloud this scan discovered/);
      expect(() => resolveQueuedTarget(config, ref)).toThrow(TargetRefused);
    }
  });

  it('under a subscriptions scope, the configured list still decides', () => {
    const config = loadConfig({ HCXMON_SUBSCRIPTION_IDS: SUB_A });
    expect(() => resolveQueuedTarget(config, ref, new Set([cloud]))).toThrow(/HCXMON_SUBSCRIPTION_IDS/);
  });
});

describe('Resource Graph quota', () => {
  const headers =
    (h: Record<string, string>) =>
    (name: string): string | undefined =>
      h[name];

  it('waits x-ms-user-quota-resets-after (hh:mm:ss), else Retry-After, capped at 30 s', () => {
    expect(quotaWaitMs(headers({ 'x-ms-user-quota-resets-after': '00:00:05' }))).toBe(5000);
    expect(quotaWaitMs(headers({ 'x-ms-user-quota-resets-after': '00:00:01.5' }))).toBe(1500);
    expect(quotaWaitMs(headers({ 'x-ms-user-quota-resets-after': '01:00:00' }))).toBe(30_000);
    expect(quotaWaitMs(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(quotaWaitMs(headers({}))).toBe(1000);
  });
});

describe('a Resource Graph row', () => {
  it('becomes the same target as the ARM listing would give, with SKU and tenant', () => {
    const t = graphRowToTarget({
      id: `/subscriptions/${SUB_A}/resourceGroups/RG/providers/Microsoft.AVS/privateClouds/Cloud1`,
      name: 'Cloud1',
      type: 'microsoft.avs/privateclouds',
      location: 'westeurope',
      tenantId: 'tttttttt-0000-4000-8000-000000000000',
      sku: { name: 'AV36P' },
      properties: { provisioningState: 'Succeeded', endpoints: { hcxCloudManager: 'https://hcx.example/' } },
    });
    expect(t).toEqual({
      id: `/subscriptions/${SUB_A}/resourcegroups/rg/providers/microsoft.avs/privateclouds/cloud1`,
      name: 'Cloud1',
      kind: 'avs-private-cloud',
      hcxUrl: 'https://hcx.example/',
      arm: {
        subscriptionId: SUB_A,
        resourceGroup: 'RG',
        privateCloudName: 'Cloud1',
        location: 'westeurope',
        provisioningState: 'Succeeded',
        sku: 'AV36P',
        tenantId: 'tttttttt-0000-4000-8000-000000000000',
      },
    });
    expect(() => graphRowToTarget({ name: 'x' })).toThrow(/no resource id/);
  });
});

describe('which subscriptions are listed through ARM after Resource Graph answered', () => {
  it('only those it could not read and returned no cloud of (rights on resource groups only are not a gap)', async () => {
    const cloudRow = {
      id: `/subscriptions/${SUB_A}/resourceGroups/rg-avs/providers/Microsoft.AVS/privateClouds/pc-a`,
      name: 'pc-a',
      type: 'microsoft.avs/privateclouds',
      properties: { provisioningState: 'Succeeded' },
    };
    const rest: ArmRest = {
      send: async (method, path) => {
        const header = (): undefined => undefined;
        if (method === 'GET' && path.startsWith('/subscriptions?')) {
          return {
            status: 200,
            header,
            json: {
              value: [SUB_A, SUB_B].map((subscriptionId) => ({ subscriptionId, tenantId: 't', state: 'Enabled' })),
            },
          };
        }
        // No subscription rows at all: the identity holds rights on a resource group of SUB_A only.
        return { status: 200, header, json: { data: [cloudRow], resultTruncated: 'false' } };
      },
    };
    const listed: string[] = [];
    const armClients = (sub: string): AvsClient =>
      ({
        privateClouds: {
          // eslint-disable-next-line require-yield
          listInSubscription: async function* () {
            listed.push(sub);
          },
        },
      }) as unknown as AvsClient;
    const r = await discoverEstate(loadConfig({}), { rest, armClients, log: () => undefined });
    expect(r.targets.map((t) => t.name)).toEqual(['pc-a']);
    expect(listed).toEqual([SUB_B]);
    expect(r.errors).toEqual([]);
    expect(r.stats).toMatchObject({ path: 'resource-graph', graphPages: 1, subscriptionListCalls: 1, armListings: 1 });
  });
});
