/**
 * Discovery at tenant scale against the lab over real HTTPS: Resource Graph (paged, throttled, truncated, failing)
 * and the subscription list, built from the same scenario as the fake ARM's AVS routes; the per-subscription ARM
 * listing as the automatic fallback; a Lighthouse-delegated subscription labelled with its tenant; a subscription
 * the identity cannot read reported, never silently skipped.
 */
import { DateTime } from 'luxon';
import { startLab, type LabHandle } from '../../dev/lab';
import { LAB_HOME_TENANT } from '../../dev/lab/graph';
import { demoScenario } from '../../dev/lab/scenarios/demo';
import type { LabScenario } from '../../dev/lab/types';
import { loadConfig, type Config } from '../../lib/config';
import { createArmClientFactory } from '../../lib/collect/avs';
import { createArmRest, discoverEstate, type EstateDiscovery } from '../../lib/collect/discovery';
import { createRuntime, type Runtime } from '../../lib/runtime';
import { MessageRefused } from '../../lib/queue';
import { createHandlers } from '../../lib/api/handlers';
import { runHandler, type ApiResponse } from '../../lib/api/http';
import { portsFromRuntime } from '../../lib/api/runtimePorts';
import { runCli } from '../../lib/cli';
import { TestClock, testStorage, uniquePrefix } from '../support/runtime';

const CUSTOMER_TENANT = 'c0ffee00-0000-4000-8000-00000000c057';
const DELEGATED_SUB = '0d1e2f3a-0000-4000-8000-0000000000de';
const FORBIDDEN_SUB = '0d1e2f3a-0000-4000-8000-000000000403';
const OTHER_MG_SUB = '0d1e2f3a-0000-4000-8000-0000000000b6';

/** The demo estate plus a customer's subscription (Lighthouse), one the identity cannot read, one in another MG. */
function scenario(): LabScenario {
  const s = demoScenario();
  s.subscriptions.push(
    {
      id: DELEGATED_SUB,
      displayName: 'Contoso (customer)',
      tenantId: CUSTOMER_TENANT,
      clouds: [{ id: 'avs-contoso-weu', name: 'avs-contoso-weu', resourceGroup: 'rg-contoso', hcxAddon: null }],
    },
    {
      id: FORBIDDEN_SUB,
      forbidden: true,
      clouds: [{ id: 'avs-hidden-weu', name: 'avs-hidden-weu', resourceGroup: 'rg-hidden', hcxAddon: null }],
    },
    {
      id: OTHER_MG_SUB,
      managementGroup: 'lab-branch',
      clouds: [
        { id: 'avs-branch-1', name: 'avs-branch-1', resourceGroup: 'rg-branch', hcxAddon: null },
        { id: 'avs-branch-2', name: 'avs-branch-2', resourceGroup: 'rg-branch', hcxAddon: null },
      ],
    },
  );
  return s;
}

const VISIBLE = [
  'avs-branch-1',
  'avs-branch-2',
  'avs-contoso-weu',
  'avs-dr-eus',
  'avs-failed-eus',
  'avs-legacy-neu',
  'avs-prod-weu',
  'avs-sandbox-weu',
];

let lab: LabHandle;
let waits: number[];
let logs: string[];

beforeAll(async () => {
  lab = await startLab({ scenario: scenario() });
});
afterAll(async () => {
  await lab?.stop();
});
beforeEach(() => {
  waits = [];
  logs = [];
  lab.setArmFaults({});
});

function config(scope?: string): Config {
  const env: Record<string, string | undefined> = { ...lab.env, HCXMON_HTTP_TIMEOUT_MS: '3000' };
  if (scope !== undefined) {
    delete env.HCXMON_SUBSCRIPTION_IDS;
    env.HCXMON_DISCOVERY_SCOPE = scope;
  }
  return loadConfig(env);
}

const FAST = { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 20 };

async function discover(cfg: Config): Promise<EstateDiscovery & { armCalls: { method: string; path: string }[] }> {
  const before = lab.requests.length;
  const result = await discoverEstate(cfg, {
    armClients: createArmClientFactory(cfg, { retryOptions: FAST }),
    rest: createArmRest(cfg, { retryOptions: FAST }),
    log: (l) => logs.push(l),
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  const armCalls = lab.requests.slice(before).filter((r) => r.server === 'arm');
  return { ...result, armCalls };
}

function cloudNames(r: EstateDiscovery): string[] {
  return r.targets
    .filter((t) => t.kind === 'avs-private-cloud')
    .map((t) => t.name)
    .sort();
}

describe('scopes', () => {
  it('tenant (the default without HCXMON_SUBSCRIPTION_IDS): every readable cloud in 3 ARM round trips, Lighthouse labelled, the 403 subscription an error', async () => {
    const cfg = config('');
    expect(cfg.discoveryScope).toEqual({ kind: 'tenant' });
    const r = await discover(cfg);
    expect(cloudNames(r)).toEqual(VISIBLE);
    expect(r.stats.path).toBe('resource-graph');
    // The subscription list, one Resource Graph page, and the ARM listing that says why one subscription is missing.
    // (The list and the query run concurrently: their order at the lab is not fixed.)
    const calls = r.armCalls.map((c) => `${c.method} ${c.path.split('?')[0]}`);
    expect(calls.slice(0, 2).sort()).toEqual([
      'GET /subscriptions',
      'POST /providers/Microsoft.ResourceGraph/resources',
    ]);
    expect(calls.slice(2)).toEqual([`GET /subscriptions/${FORBIDDEN_SUB}/providers/Microsoft.AVS/privateClouds`]);
    expect(r.errors).toEqual([
      expect.objectContaining({ subscriptionId: FORBIDDEN_SUB, errorClass: 'auth', status: 403 }),
    ]);
    const contoso = r.targets.find((t) => t.name === 'avs-contoso-weu')!;
    expect(contoso.arm).toMatchObject({ tenantId: CUSTOMER_TENANT, delegated: true, subscriptionId: DELEGATED_SUB });
    const prod = r.targets.find((t) => t.name === 'avs-prod-weu')!;
    expect(prod.arm).toMatchObject({ tenantId: LAB_HOME_TENANT, provisioningState: 'Succeeded' });
    expect(prod.arm!.delegated).toBeUndefined();
    expect(prod.arm!.sku).toBeTruthy();
    expect(prod.hcxUrl).toBe(lab.hcxUrl('avs-prod-weu'));
    expect(r.subscriptions.find((s) => s.subscriptionId === DELEGATED_SUB)).toMatchObject({ delegated: true });
    // The configured connectors are still targets.
    expect(r.targets.filter((t) => t.kind === 'hcx-connector')).toHaveLength(3);
  });

  it('management group: only the subscriptions below it, no subscription list', async () => {
    const r = await discover(config('managementGroup:lab-branch'));
    expect(cloudNames(r)).toEqual(['avs-branch-1', 'avs-branch-2']);
    expect(r.errors).toEqual([]);
    expect(r.armCalls.map((c) => c.method)).toEqual(['POST']);
  });

  it('subscriptions (HCXMON_SUBSCRIPTION_IDS, kept): Resource Graph over exactly those, the unreadable one listed through ARM', async () => {
    const cfg = config();
    expect(cfg.discoveryScope).toMatchObject({ kind: 'subscriptions' });
    const r = await discover(cfg);
    expect(cloudNames(r)).toEqual(VISIBLE);
    expect(r.errors.map((e) => e.subscriptionId)).toEqual([FORBIDDEN_SUB]);
    expect(r.armCalls.filter((c) => c.path.startsWith('/subscriptions?'))).toEqual([]);

    const only = await discover(config(`subscriptions:${lab.subscriptionIds[0]}`));
    const first = lab.scenario.subscriptions[0];
    expect(cloudNames(only)).toEqual(first.clouds.map((c) => c.name).sort());
    expect(only.armCalls.map((c) => c.method)).toEqual(['POST']);
  });
});

/** Tenant-scope discovery against a lab of the test's own (scenario knobs): retries shortened, waits recorded. */
async function discoverTenantAt(other: LabHandle): Promise<EstateDiscovery> {
  const cfg = loadConfig({ ...other.env, HCXMON_SUBSCRIPTION_IDS: undefined, HCXMON_DISCOVERY_SCOPE: 'tenant' });
  return discoverEstate(cfg, {
    armClients: createArmClientFactory(cfg, { retryOptions: FAST }),
    rest: createArmRest(cfg, { retryOptions: FAST }),
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

describe('paging and throttling', () => {
  it('follows $skipToken across pages and waits for the quota window when x-ms-user-quota-remaining reaches 0', async () => {
    const small = await startLab({ scenario: { ...scenario(), graphPageRows: 2, graphQuota: 2 } });
    try {
      const before = small.requests.length;
      const r = await discoverTenantAt(small);
      expect(cloudNames(r)).toEqual(VISIBLE);
      // 4 readable subscriptions + 8 clouds = 12 rows at 2 a page.
      expect(r.stats.graphPages).toBe(6);
      expect(small.requests.slice(before).filter((q) => q.path.includes('ResourceGraph'))).toHaveLength(6);
      // A quota of 2 per window: a wait (the window's 5 s) after every second page that has a successor.
      expect(waits).toEqual([5000, 5000]);
      expect(r.stats.quotaWaits).toBe(2);
    } finally {
      await small.stop();
    }
  });

  it("follows the subscription list's absolute same-origin nextLink across pages (ARM pages the list)", async () => {
    const paged = await startLab({ scenario: { ...scenario(), subscriptionPageSize: 2 } });
    try {
      const before = paged.requests.length;
      const r = await discoverTenantAt(paged);
      const pages = Math.ceil(paged.scenario.subscriptions.length / 2);
      expect(pages).toBeGreaterThan(2);
      const lists = paged.requests.slice(before).filter((q) => q.server === 'arm' && /^\/subscriptions\?/.test(q.path));
      expect(lists).toHaveLength(pages);
      // Page 2 on is what the nextLink named: same origin (the lab's ARM), api-version and $skiptoken carried.
      expect(
        lists.slice(1).every((q) => /api-version=2022-12-01/.test(q.path) && /(\$|%24)skiptoken=\d+/.test(q.path)),
      ).toBe(true);
      expect(r.stats.subscriptionListCalls).toBe(pages);
      expect(cloudNames(r)).toEqual(VISIBLE);
      // The Lighthouse subscription (on a later page) still labels its cloud; the 403 one is still reported.
      expect(r.targets.find((t) => t.name === 'avs-contoso-weu')!.arm).toMatchObject({ delegated: true });
      expect(r.errors.map((e) => e.subscriptionId)).toEqual([FORBIDDEN_SUB]);
    } finally {
      await paged.stop();
    }
  });

  it('a 429 from Resource Graph waits x-ms-user-quota-resets-after, then gets the page', async () => {
    lab.setArmFaults({ graphThrottle: { times: 2, resetsAfterSeconds: 3 } });
    const r = await discover(config('tenant'));
    expect(cloudNames(r)).toEqual(VISIBLE);
    expect(r.stats.path).toBe('resource-graph');
    expect(waits).toEqual([3000, 3000]);
  });
});

describe('fail closed', () => {
  it('a truncated result is completed by the per-subscription ARM listing, with a log line saying so', async () => {
    lab.setArmFaults({ graphTruncated: true });
    const r = await discover(config('tenant'));
    expect(cloudNames(r)).toEqual(VISIBLE);
    expect(r.stats.path).toBe('arm');
    expect(logs.join('\n')).toMatch(
      /Resource Graph returned a truncated result.*falling back to the per-subscription ARM listing/,
    );
    expect(r.errors.map((e) => e.subscriptionId)).toEqual([FORBIDDEN_SUB]);
  });

  it('Resource Graph not permitted (403): the ARM listing is chosen automatically', async () => {
    lab.setArmFaults({ graphForbidden: true });
    const r = await discover(config());
    expect(cloudNames(r)).toEqual(VISIBLE);
    expect(r.stats.path).toBe('arm');
    expect(logs.join('\n')).toMatch(
      /Resource Graph failed \(arm resourceGraph\.resources: HTTP 403 AuthorizationFailed\); falling back/,
    );
  });

  it('a management group the identity cannot read (403) is an auth error of that scope', async () => {
    lab.setArmFaults({ graphForbidden: true });
    const r = await discover(config('managementGroup:lab-branch'));
    expect(cloudNames(r)).toEqual([]);
    expect(r.errors).toEqual([
      expect.objectContaining({
        subscriptionId: '',
        scope: 'managementGroup:lab-branch',
        errorClass: 'auth',
        status: 403,
      }),
    ]);
  });

  it('a failed page under a management group (no subscription list to fall back on) is a scope error; the rows read are kept', async () => {
    const small = await startLab({ scenario: { ...scenario(), graphPageRows: 2 } });
    try {
      small.setArmFaults({ graphFailFromPage: 2 });
      const cfg = loadConfig({
        ...small.env,
        HCXMON_SUBSCRIPTION_IDS: undefined,
        HCXMON_DISCOVERY_SCOPE: 'managementGroup:lab-branch',
      });
      const r = await discoverEstate(cfg, {
        rest: createArmRest(cfg, { retryOptions: FAST }),
        log: (l) => logs.push(l),
        sleep: async () => undefined,
      });
      // Page 1: the subscription row and the first cloud; page 2 failed.
      expect(cloudNames(r)).toEqual(['avs-branch-1']);
      expect(r.errors).toEqual([
        expect.objectContaining({ subscriptionId: '', scope: 'managementGroup:lab-branch', errorClass: 'http' }),
      ]);
      expect(r.errors[0].message).toMatch(/may be missing from this scan/);
    } finally {
      await small.stop();
    }
  });
});

describe('scope shrinking is never an empty or complete estate', () => {
  it('x-ms-tenant-subscription-limit-hit: true under a management group is a scope error; the rows read are kept', async () => {
    lab.setArmFaults({ graphSubscriptionLimitHit: true });
    const r = await discover(config('managementGroup:lab-branch'));
    expect(cloudNames(r)).toEqual(['avs-branch-1', 'avs-branch-2']);
    expect(r.errors).toEqual([
      expect.objectContaining({ subscriptionId: '', scope: 'managementGroup:lab-branch', errorClass: 'http' }),
    ]);
    expect(r.errors[0].message).toMatch(/first 10,000 subscriptions.*x-ms-tenant-subscription-limit-hit/);
  });

  it('x-ms-tenant-subscription-limit-hit under the tenant: the per-subscription ARM listing completes the answer', async () => {
    lab.setArmFaults({ graphSubscriptionLimitHit: true });
    const r = await discover(config('tenant'));
    expect(cloudNames(r)).toEqual(VISIBLE);
    expect(r.stats.path).toBe('arm');
    expect(logs.join('\n')).toMatch(/x-ms-tenant-subscription-limit-hit: true.*falling back/);
  });

  it("fewer rows delivered than the last page's totalRecords is a truncation (a scope error under a management group)", async () => {
    lab.setArmFaults({ graphPhantomRecords: 3 });
    const r = await discover(config('managementGroup:lab-branch'));
    expect(r.errors).toEqual([expect.objectContaining({ subscriptionId: '', scope: 'managementGroup:lab-branch' })]);
    expect(r.errors[0].message).toMatch(/delivered 3 of 6 records \(count < totalRecords\)/);

    const tenant = await discover(config('tenant'));
    expect(cloudNames(tenant)).toEqual(VISIBLE);
    expect(tenant.stats.path).toBe('arm');
  });

  it('a management group with no readable subscription is a scope error, not an empty estate', async () => {
    const r = await discover(config('managementGroup:lab-nothing-readable'));
    expect(r.targets.filter((t) => t.kind === 'avs-private-cloud')).toEqual([]);
    expect(r.errors).toEqual([
      expect.objectContaining({
        subscriptionId: '',
        scope: 'managementGroup:lab-nothing-readable',
        errorClass: 'auth',
      }),
    ]);
    expect(r.errors[0].message).toMatch(/read no subscription in this scope/);
  });

  it('a subscription list still paging at the page cap is an error, never a partial list', async () => {
    lab.setArmFaults({ subscriptionListEndless: true });
    const r = await discover(config('tenant'));
    expect(r.stats.subscriptionListCalls).toBe(1000);
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subscriptionId: '',
          scope: 'tenant',
          message: expect.stringMatching(/still paging after 1000 pages/),
        }),
      ]),
    );
  });
});

describe('in a scan (Azurite)', () => {
  /** A runtime on its own tables over the shared lab, discovering `scope`; no connectors (discovery is the only source). */
  function estateRuntime(scope: string, clock?: TestClock): Runtime {
    const prefix = uniquePrefix('disc0');
    const env: Record<string, string | undefined> = {
      ...lab.env,
      HCXMON_STORAGE: testStorage(),
      AzureWebJobsStorage: testStorage(),
      HCXMON_DISCOVERY_SCOPE: scope,
    };
    delete env.HCXMON_SUBSCRIPTION_IDS;
    delete env.HCXMON_CONNECTORS;
    return createRuntime({
      env,
      tablePrefix: prefix,
      queueName: `q${prefix.toLowerCase()}`,
      ...(clock ? { now: clock.now } : {}),
    });
  }

  it('a subscription that answers 403 is an open finding; under tenant scope the queue worker takes only discovered clouds', async () => {
    const prefix = uniquePrefix('disc');
    const env = { ...lab.env, HCXMON_STORAGE: testStorage(), AzureWebJobsStorage: testStorage() };
    delete (env as Record<string, string | undefined>).HCXMON_SUBSCRIPTION_IDS;
    const rt = createRuntime({
      env: { ...env, HCXMON_DISCOVERY_SCOPE: 'tenant' },
      tablePrefix: prefix,
      queueName: `q${prefix.toLowerCase()}`,
      armRest: undefined,
    });
    const { scan } = await rt.enqueueScan('http');
    expect(scan.discoveryErrors).toEqual([expect.objectContaining({ subscriptionId: FORBIDDEN_SUB, status: 403 })]);

    // A forged message naming a cloud of the unreadable subscription: not discovered by this scan, so its scan row
    // does not list it and the worker refuses it before any collection.
    const hidden = `/subscriptions/${FORBIDDEN_SUB}/resourcegroups/rg-hidden/providers/microsoft.avs/privateclouds/avs-hidden-weu`;
    await expect(
      rt.processScanMessage({
        scanId: scan.scanId,
        asOf: scan.asOf,
        expected: scan.targets.length,
        target: { id: hidden, name: 'avs-hidden-weu', kind: 'avs-private-cloud' },
      }),
    ).rejects.toThrow(MessageRefused);
    expect(await rt.stores.scans.getTarget(scan.scanId, hidden)).toBeUndefined();
    // A discovered cloud of the Lighthouse-delegated subscription is resolved and scanned (ARM at the lab).
    const contoso = scan.targets.find((t) => t.name === 'avs-contoso-weu')!;
    const taken = await rt.processScanMessage({
      scanId: scan.scanId,
      asOf: scan.asOf,
      expected: scan.targets.length,
      target: contoso,
    });
    expect(taken.outcome.message ?? '').not.toMatch(/refused/);
    // The Lighthouse label reaches the inventory the queue worker stored (the timer path), taken from the scan row.
    const queued = await rt.stores.inventory.getLatest(contoso.id);
    expect(queued?.arm).toMatchObject({ tenantId: CUSTOMER_TENANT, delegated: true });

    // The scan's completion judges discovery: the 403 subscription is a finding, not a gap.
    const run = await rt.scan({ trigger: 'cli' });
    expect(run.scan.discoveryErrors.map((e) => e.subscriptionId)).toEqual([FORBIDDEN_SUB]);
    // The Lighthouse label reaches the stored inventory (the API's view of the target).
    const contosoInventory = await rt.stores.inventory.getLatest(contoso.id);
    expect(contosoInventory?.arm).toMatchObject({ tenantId: CUSTOMER_TENANT, delegated: true });
    const open = await rt.stores.findings.queryAll({ ruleId: 'avs-discovery-scope-unreadable', status: 'open' });
    expect(open).toEqual([
      expect.objectContaining({
        targetId: `/subscriptions/${FORBIDDEN_SUB}`,
        severity: 'high',
        message: expect.stringMatching(/HTTP 403 AuthorizationFailed.*cannot read subscription/),
      }),
    ]);

    // A subscription left unread on purpose can be waived; the waiver is matched (so never reported stale).
    await rt.addSuppression({
      ruleId: 'avs-discovery-scope-unreadable',
      targetId: `/subscriptions/${FORBIDDEN_SUB}`,
      reason: 'sandbox subscription without AVS',
      category: 'waiver',
      expiresAt: DateTime.utc().plus({ days: 30 }).toISO()!,
      createdBy: 'test',
    });
    await rt.scan({ trigger: 'cli' });
    expect(await rt.stores.findings.queryAll({ ruleId: 'avs-discovery-scope-unreadable' })).toEqual([
      expect.objectContaining({ targetId: `/subscriptions/${FORBIDDEN_SUB}`, status: 'suppressed' }),
    ]);
    const [waiver] = await rt.listSuppressions();
    expect(waiver).toMatchObject({ state: 'active', lastMatchedAt: expect.any(String) });

    // The rule is in the catalog like any other: filterable in the API and the CLI, listed by `hcxmon rules`, and
    // waivable from the CLI on the subscription it names (not a scanned target).
    const api = createHandlers(portsFromRuntime(rt));
    const get = (name: 'listFindings' | 'listRules', query: Record<string, string> = {}): Promise<ApiResponse> =>
      runHandler(
        api[name],
        {
          method: 'GET',
          params: {},
          query: new URLSearchParams(query),
          header: () => undefined,
          text: async () => '',
        },
        () => {},
      );
    const filtered = await get('listFindings', { rule: 'avs-discovery-scope-unreadable' });
    expect(filtered.status).toBe(200);
    expect((filtered.jsonBody as { items: { targetId: string }[] }).items.map((f) => f.targetId)).toEqual([
      `/subscriptions/${FORBIDDEN_SUB}`,
    ]);
    const rules = (await get('listRules')).jsonBody as { items: { id: string; references: unknown[] }[] };
    expect(rules.items.find((r) => r.id === 'avs-discovery-scope-unreadable')?.references).toHaveLength(2);
    const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await runCli(args, {
        io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {} },
        openRuntime: async () => rt,
      });
      return { code, out, err };
    };
    const listed = await cli(['findings', '--rule', 'avs-discovery-scope-unreadable', '--format', 'json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { findings: { targetId: string }[] }).findings.map((f) => f.targetId)).toEqual([
      `/subscriptions/${FORBIDDEN_SUB}`,
    ]);
    const shown = await cli(['rules', 'avs-discovery-scope-unreadable']);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/Discovery scope not readable/);
    const added = await cli([
      'suppress',
      'add',
      '--rule',
      'avs-discovery-scope-unreadable',
      '--target',
      `/subscriptions/${FORBIDDEN_SUB}`,
      '--reason',
      'left unread on purpose',
      '--expires',
      DateTime.utc().plus({ days: 10 }).toISODate()!,
      '--format',
      'json',
    ]);
    expect(added.err).toBe('');
    expect(JSON.parse(added.out)).toMatchObject({ targetId: `/subscriptions/${FORBIDDEN_SUB}` });
  });

  it('timer path: a management group Resource Graph refuses (0 targets) still completes the scan, opens the scope finding and turns the clouds seen before stale', async () => {
    const clock = new TestClock(DateTime.fromISO('2026-11-21T05:00:00Z', { zone: 'utc' }));
    const rt = estateRuntime('managementGroup:lab-root', clock);
    const first = await rt.scan({ trigger: 'cli' });
    // The clouds with HCX collected successfully (the others have no HCX Manager to go stale).
    const withHcx = ['avs-dr-eus', 'avs-legacy-neu', 'avs-prod-weu'];
    const seen = first.scan.targets.filter((t) => withHcx.includes(t.name)).map((t) => t.id);
    expect(seen).toHaveLength(3);
    expect(await rt.stores.findings.queryAll({ ruleId: 'hcx-scan-stale', status: 'open' })).toEqual([]);

    // Three days later (more than twice the daily period) the identity lost Resource Graph at the management group.
    clock.advance(72);
    lab.setArmFaults({ graphForbidden: true });
    const { scan, targets } = await rt.enqueueScan('timer');
    expect(targets).toEqual([]);
    expect(scan).toMatchObject({ status: 'completed', targets: [] });
    expect(scan.discoveryErrors).toEqual([
      expect.objectContaining({ scope: 'managementGroup:lab-root', errorClass: 'auth', status: 403 }),
    ]);
    expect(await rt.stores.findings.queryAll({ ruleId: 'avs-discovery-scope-unreadable', status: 'open' })).toEqual([
      expect.objectContaining({ targetId: 'scope:managementGroup:lab-root', severity: 'high' }),
    ]);
    const stale = await rt.stores.findings.queryAll({ ruleId: 'hcx-scan-stale', status: 'open' });
    expect(stale.map((f) => f.targetId).sort()).toEqual([...seen].sort());
  });

  it('a failed subscription list (scope-level error) resolves no subscription finding: nothing was read, so nothing is said to be', async () => {
    const rt = estateRuntime('tenant');
    const unreadable = async () =>
      (await rt.stores.findings.queryAll({ ruleId: 'avs-discovery-scope-unreadable' })).map((f) => [
        f.targetId,
        f.status,
      ]);
    await rt.scan({ trigger: 'cli' });
    expect(await unreadable()).toEqual([[`/subscriptions/${FORBIDDEN_SUB}`, 'open']]);

    // GET /subscriptions fails: Resource Graph still answers, but nobody asked about the unreadable subscription.
    lab.setArmFaults({ subscriptionListStatus: 501 });
    const failed = await rt.scan({ trigger: 'cli' });
    expect(failed.scan.discoveryErrors).toEqual([
      expect.objectContaining({ subscriptionId: '', scope: 'tenant', status: 501 }),
    ]);
    expect((await unreadable()).sort()).toEqual([
      [`/subscriptions/${FORBIDDEN_SUB}`, 'open'],
      ['scope:tenant', 'open'],
    ]);
    const [kept] = await rt.stores.findings.queryAll({
      ruleId: 'avs-discovery-scope-unreadable',
      targetId: `/subscriptions/${FORBIDDEN_SUB}`,
    });
    expect(kept.message).not.toMatch(/was read by this scan/);

    // The list answers again: the scope's finding resolves, the subscription (still 403) stays open — no flapping.
    lab.setArmFaults({});
    await rt.scan({ trigger: 'cli' });
    expect((await unreadable()).sort()).toEqual([
      [`/subscriptions/${FORBIDDEN_SUB}`, 'open'],
      ['scope:tenant', 'resolved'],
    ]);
  });
});
