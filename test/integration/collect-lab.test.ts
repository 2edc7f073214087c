/**
 * The collectors against the lab over real HTTPS: ARM discovery with paging, every HCX endpoint parsed, every
 * fault knob ending in the right error class with the rest of the inventory kept, certificate pinning, and a
 * canary check that no lab password reaches console output, errors, inventories or files.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startLab, type LabHandle } from '../../dev/lab';
import type { LabManagerState } from '../../dev/lab/types';
import { loadConfig, type Config } from '../../lib/config';
import { connectorTargets, createArmClientFactory, discoverTargets, type ArmClientFactory } from '../../lib/collect/avs';
import { collectInventory, type CollectStats } from '../../lib/collect/inventory';
import type { Inventory } from '../../lib/domain/inventory';
import type { Target } from '../../lib/domain/target';

const HYBRIDITY_FIELDS = ['manager', 'sitePairs', 'serviceMeshes', 'appliances', 'tunnelMetrics', 'haGroups', 'extensions', 'migrations', 'replicationSummary'] as const;
const APPLIANCE_FIELDS = ['licensing', 'registrations', 'services'] as const;

/** Collected AND as many as the lab serves: a presence check alone would let an empty list (`[]`) pass. */
function expectAsServed(inv: Inventory, state: LabManagerState): void {
  const counts = (x: Record<string, { length: number } | undefined>) =>
    Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v?.length]));
  expect(
    counts({ sitePairs: inv.sitePairs, serviceMeshes: inv.serviceMeshes, appliances: inv.appliances, haGroups: inv.haGroups, extensions: inv.extensions, migrations: inv.migrations }),
  ).toEqual(
    counts({ sitePairs: state.sitePairs, serviceMeshes: state.serviceMeshes, appliances: state.appliances, haGroups: state.haGroups, extensions: state.extensions, migrations: state.migrations }),
  );
  expect(inv.sitePairs!.length + inv.serviceMeshes!.length + inv.appliances!.length).toBeGreaterThan(0);
  expect(inv.tunnelMetrics).toEqual(expect.any(Array));
  expect(inv.replicationSummary).toEqual(expect.objectContaining({ active: expect.any(Object) }));
}
const FAST = { backoffBaseMs: 5, backoffCapMs: 20 };

let lab: LabHandle;
const outputs: string[] = [];
const inventories: Inventory[] = [];
const startedAt = Date.now();
const spies: jest.SpyInstance[] = [];
/** The scenario's own faults (e.g. onprem-dc3 is unreachable), restored after each test's changes. */
const scenarioFaults = new Map<string, object>();

beforeAll(async () => {
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const orig = console[m].bind(console);
    spies.push(
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        outputs.push(args.map((a) => (typeof a === 'string' ? a : safeStringify(a))).join(' '));
        orig(...args);
      }),
    );
  }
  for (const stream of [process.stdout, process.stderr]) {
    const orig = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    spies.push(
      jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        outputs.push(String(chunk));
        return orig(chunk, ...rest);
      }) as typeof stream.write),
    );
  }
  // Page size 1: the prod subscription's three clouds take three ARM pages.
  lab = await startLab({ armPageSize: 1 });
  for (const id of lab.managerIds) scenarioFaults.set(id, structuredClone(lab.getManager(id).faults));
});

afterAll(async () => {
  for (const s of spies) s.mockRestore();
  await lab?.stop();
});

function safeStringify(v: unknown): string {
  try {
    return v instanceof Error ? `${v.name}: ${v.message}` : JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function config(extra: Record<string, string> = {}): Config {
  return loadConfig({ ...lab.env, HCXMON_HTTP_TIMEOUT_MS: '3000', ...extra });
}

function armFactory(cfg: Config): ArmClientFactory {
  return createArmClientFactory(cfg, { retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 } });
}

async function targetById(id: string, cfg: Config = config()): Promise<Target> {
  const { targets } = await discoverTargets(cfg, { armClients: armFactory(cfg) });
  const t = targets.find((x) => x.name === id);
  if (!t) throw new Error(`no target ${id}`);
  return t;
}

async function collect(target: Target, cfg: Config = config(), extra: { transport?: object } = {}): Promise<{ inv: Inventory; stats: CollectStats }> {
  let stats: CollectStats = {};
  const inv = await collectInventory(target, {
    config: cfg,
    env: lab.env,
    armClients: armFactory(cfg),
    transport: { ...FAST, ...extra.transport },
    onStats: (s) => (stats = s),
  });
  inventories.push(inv);
  return { inv, stats };
}

/** Runs `fn` with a manager's simulated state changed, and puts the state back afterwards. */
async function withState<T>(id: string, mutate: (m: LabManagerState) => void, fn: () => Promise<T>): Promise<T> {
  const before = structuredClone(lab.getManager(id));
  lab.updateManager(id, mutate);
  try {
    return await fn();
  } finally {
    lab.updateManager(id, (m) => {
      for (const k of Object.keys(m)) if (!(k in before)) delete (m as unknown as Record<string, unknown>)[k];
      Object.assign(m, before);
    });
  }
}

afterEach(() => {
  for (const id of lab.managerIds) {
    lab.setFaults(id, {});
    const own = scenarioFaults.get(id);
    if (own && Object.keys(own).length > 0) lab.setFaults(id, own);
  }
  lab.setArmFaults({});
});

describe('discovery', () => {
  it('finds every private cloud of both subscriptions across ≥ 3 ARM pages, plus the configured connectors', async () => {
    const before = lab.requests.length;
    const cfg = config();
    const { targets, errors } = await discoverTargets(cfg, { armClients: armFactory(cfg) });
    expect(errors).toEqual([]);
    const clouds = targets.filter((t) => t.kind === 'avs-private-cloud');
    const connectors = targets.filter((t) => t.kind === 'hcx-connector');
    expect(clouds.map((t) => t.name).sort()).toEqual(['avs-dr-eus', 'avs-failed-eus', 'avs-legacy-neu', 'avs-prod-weu', 'avs-sandbox-weu']);
    expect(connectors.map((t) => t.id).sort()).toEqual(['connector:onprem-dc1', 'connector:onprem-dc2', 'connector:onprem-dc3']);
    for (const c of clouds) expect(c.id).toBe(c.id.toLowerCase());
    const prodPages = lab.requests
      .slice(before)
      .filter((r) => r.server === 'arm' && r.path.includes('/providers/Microsoft.AVS/privateClouds') && r.path.includes(lab.subscriptionIds[0]));
    expect(prodPages.length).toBeGreaterThanOrEqual(3);
  });

  it('survives an ARM 429 with Retry-After (the SDK retries it)', async () => {
    lab.setArmFaults({ throttle: { times: 1, retryAfterSeconds: 1 } });
    const cfg = config();
    const { targets, errors } = await discoverTargets(cfg, { armClients: armFactory(cfg) });
    expect(errors).toEqual([]);
    expect(targets.filter((t) => t.kind === 'avs-private-cloud')).toHaveLength(5);
  });
});

describe('every endpoint parsed from the lab', () => {
  it('a private cloud: ARM facts + every hybridity collection, no issues', async () => {
    const { inv } = await collect(await targetById('avs-prod-weu'));
    const state = lab.getManager('avs-prod-weu');
    expect(inv.issues).toEqual([]);
    expect(inv.reachability).toEqual({ hybridity: { ok: true } });
    expect(inv.arm).toMatchObject({ privateCloudName: 'avs-prod-weu', resourceGroup: 'rg-avs-prod', provisioningState: 'Succeeded', hcxAddon: { offer: expect.stringContaining('(Enterprise)') } });
    expect(inv.arm?.enterpriseSites).toEqual([{ name: 'dc9', keyLast4: '1B2C', status: 'Available' }]);
    expect(inv.manager).toMatchObject({ version: state.version, build: state.build, endpointId: state.endpointId });
    expectAsServed(inv, state);
    expect(inv.serviceMeshes?.[0]).toMatchObject({ id: 'sm-prod-dc9', state: 'COMMITTED', services: expect.arrayContaining(['INTERCONNECT', 'NETWORK_EXTENSION']) });
    expect(inv.appliances?.length).toBeGreaterThan(0);
    expect(inv.appliances?.every((a) => /^\d+\.\d+\.\d+$/.test(a.version ?? ''))).toBe(true);
    expect(inv.haGroups?.length).toBeGreaterThan(0);
    expect(inv.hcxAlerts).toEqual([]);
    expect(inv.replicationSummary?.active).toEqual({ outgoing: 0, incoming: 0 });
    for (const f of APPLIANCE_FIELDS) expect(inv[f]).toBeUndefined();
  });

  it('a connector with 9443: hybridity + licensing, registrations and services', async () => {
    const { inv } = await collect(connectorTargets(config()).find((t) => t.name === 'onprem-dc2')!);
    expect(inv.issues).toEqual([]);
    expect(inv.reachability).toEqual({ hybridity: { ok: true }, applianceManagement: { ok: true } });
    expectAsServed(inv, lab.getManager('onprem-dc2'));
    expect(inv.migrations?.some((m) => m.state === 'MIGRATING')).toBe(true);
    expect(inv.licensing).toMatchObject({ model: 'activation-key', activationExpiresAt: '2026-12-25T00:00:00.000Z' });
    expect(inv.licensing?.keyLast4).toHaveLength(4);
    expect(inv.registrations?.vcenter.length).toBeGreaterThan(0);
    expect(inv.services).toEqual([{ name: 'appengine', result: expect.any(String) }]);
    expect(inv.appliances?.find((a) => a.updateAvailable)).toMatchObject({ version: '4.11.1', availableVersion: '4.11.3' });
    expect(inv.extensions?.length).toBeGreaterThan(0);
  });

  it('a build without the alerts API (404): marked unsupported, not an issue and not an empty list', async () => {
    const { inv } = await collect(connectorTargets(config()).find((t) => t.name === 'onprem-dc1')!);
    expect(inv.hcxAlerts).toBeUndefined();
    expect(inv.unsupported).toEqual(['hcxAlerts']);
    expect(inv.issues.filter((i) => i.call === 'hcxAlerts')).toEqual([]);
  });

  it('no HCX add-on: ARM facts only, HCX not attempted', async () => {
    const { inv } = await collect(await targetById('avs-sandbox-weu'));
    expect(inv.arm?.hcxAddon).toBeNull();
    expect(inv.reachability).toEqual({});
    expect(inv.manager).toBeUndefined();
  });
});

describe('fault knobs', () => {
  const hybridityUndefined = (inv: Inventory): void => {
    for (const f of HYBRIDITY_FIELDS) expect(inv[f]).toBeUndefined();
  };

  it('unreachable → refused; every hybridity field undefined; ARM facts kept', async () => {
    lab.setFaults('avs-legacy-neu', { unreachable: true });
    const { inv } = await collect(await targetById('avs-legacy-neu'));
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'refused' });
    hybridityUndefined(inv);
    expect(inv.arm?.hcxAddon).toBeTruthy();
    expect(inv.issues).toEqual([expect.objectContaining({ source: 'hcx', call: 'login', errorClass: 'refused' })]);
  });

  it('the demo’s unreachable connector (onprem-dc3) → refused on both interfaces', async () => {
    const { inv } = await collect(connectorTargets(config()).find((t) => t.name === 'onprem-dc3')!);
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'refused' });
    hybridityUndefined(inv);
  });

  it('slow → timeout', async () => {
    lab.setFaults('onprem-dc1', { latencyMs: 1500 });
    const cfg = config({ HCXMON_HTTP_TIMEOUT_MS: '300' });
    const { inv } = await collect(connectorTargets(cfg).find((t) => t.name === 'onprem-dc1')!, cfg);
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'timeout' });
    expect(inv.reachability.applianceManagement).toMatchObject({ ok: false, errorClass: 'timeout' });
    hybridityUndefined(inv);
  });

  it('5xx on one path → that field undefined with an issue, the rest kept', async () => {
    lab.setFaults('avs-prod-weu', { http5xxOnPath: '/l2Extensions', http5xxStatus: 503 });
    const { inv, stats } = await collect(await targetById('avs-prod-weu'));
    expect(inv.extensions).toBeUndefined();
    expect(inv.issues).toEqual([expect.objectContaining({ source: 'hcx', call: 'extensions', errorClass: 'http', status: 503 })]);
    for (const f of HYBRIDITY_FIELDS.filter((x) => x !== 'extensions')) expect(inv[f]).toBeDefined();
    expect(stats.hybridity?.retries).toBe(3);
  });

  it('429 + Retry-After → waited, retried, and the call succeeds', async () => {
    lab.setFaults('avs-prod-weu', { throttle: { times: 1, retryAfterSeconds: 1, onPath: '/cloudConfigs' } });
    const { inv, stats } = await collect(await targetById('avs-prod-weu'));
    expect(inv.issues).toEqual([]);
    expect(inv.sitePairs).toBeDefined();
    expect(stats.hybridity).toMatchObject({ retryAfterWaits: 1, waitedMs: 1000 });
  });

  it('token expiry mid-collection → survived by one re-login', async () => {
    lab.setFaults('avs-prod-weu', { tokenExpiryAfterCalls: 5 });
    const { inv, stats } = await collect(await targetById('avs-prod-weu'));
    expect(inv.issues).toEqual([]);
    for (const f of HYBRIDITY_FIELDS) expect(inv[f]).toBeDefined();
    expect(stats.hybridity?.logins).toBe(2);
  });

  it('malformed JSON → malformed, only for that call', async () => {
    lab.setFaults('avs-prod-weu', { malformedJsonOnPath: '/interconnect/appliances' });
    const { inv } = await collect(await targetById('avs-prod-weu'));
    expect(inv.appliances).toBeUndefined();
    // the HA group path also contains the string; both are reported, nothing else is lost
    expect(inv.issues.map((i) => [i.call, i.errorClass])).toEqual(expect.arrayContaining([['appliances', 'malformed']]));
    expect(inv.issues.every((i) => i.errorClass === 'malformed')).toBe(true);
    expect(inv.manager).toBeDefined();
    expect(inv.serviceMeshes).toBeDefined();
  });

  it('wrong certificate → tls', async () => {
    lab.setFaults('avs-dr-eus', { wrongCertificate: true });
    const { inv } = await collect(await targetById('avs-dr-eus'));
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'tls' });
    hybridityUndefined(inv);
  });

  it('9443 down → appliance fields undefined, hybridity kept', async () => {
    lab.setFaults('onprem-dc2', { applianceUnreachable: true });
    const cfg = config();
    const { inv } = await collect(connectorTargets(cfg).find((t) => t.name === 'onprem-dc2')!, cfg);
    expect(inv.reachability).toEqual({ hybridity: { ok: true }, applianceManagement: expect.objectContaining({ ok: false, errorClass: 'refused' }) });
    for (const f of APPLIANCE_FIELDS) expect(inv[f]).toBeUndefined();
    for (const f of HYBRIDITY_FIELDS) expect(inv[f]).toBeDefined();
    // Strict: a refused connection got no HTTP answer, so neither the issue nor the reachability carries a status.
    const message = expect.stringContaining('refused');
    expect(inv.issues).toStrictEqual([{ source: 'appliance', call: 'licensing', errorClass: 'refused', message }]);
    expect(inv.reachability.applianceManagement).toStrictEqual({ ok: false, errorClass: 'refused', message });
  });

  it('one failing ARM call (5xx on addons) leaves only that ARM fact undefined', async () => {
    const target = await targetById('avs-prod-weu');
    lab.setArmFaults({ http5xxOnPath: '/addons' });
    const { inv } = await collect(target);
    expect(inv.arm?.hcxAddon).toBeUndefined();
    expect(inv.arm?.enterpriseSites).toBeDefined();
    expect(inv.issues).toEqual([expect.objectContaining({ source: 'arm', call: 'addons', errorClass: 'http' })]);
    expect(inv.manager).toBeDefined();
  });
});

describe('wire variants and limits', () => {
  it('migrations answered with `items` instead of `rows` parse the same', async () => {
    const target = await targetById('avs-prod-weu');
    const seeded = [{ migrationId: 'mig-x1', migrationType: 'bulkVMotion', state: 'MIGRATING', entityName: 'app42' }];
    lab.updateManager('avs-prod-weu', (m) => {
      m.migrations = seeded;
      m.migrationQueryVariant = 'rows';
    });
    const rows = (await collect(target)).inv.migrations;
    lab.updateManager('avs-prod-weu', (m) => (m.migrationQueryVariant = 'items'));
    const items = (await collect(target)).inv.migrations;
    lab.updateManager('avs-prod-weu', (m) => {
      m.migrations = [];
      m.migrationQueryVariant = 'rows';
    });
    expect(rows).toEqual([{ id: 'mig-x1', type: 'bulkVMotion', state: 'MIGRATING', entityName: 'app42' }]);
    expect(items).toEqual(rows);
  });

  it('a response over the size cap → malformed for that call only', async () => {
    const target = await targetById('avs-prod-weu');
    lab.updateManager('avs-prod-weu', (m) => {
      m.migrations = Array.from({ length: 200 }, (_, i) => ({ migrationId: `mig-${i}`, migrationType: 'vMotion', state: 'MIGRATED', entityName: `vm-${i}` }));
    });
    try {
      const { inv } = await collect(target, config(), { transport: { maxBytes: 16 * 1024 } });
      expect(inv.migrations).toBeUndefined();
      expect(inv.issues).toEqual([expect.objectContaining({ call: 'migrations', errorClass: 'malformed', message: expect.stringContaining('larger than 16384 bytes') })]);
      expect(inv.manager).toBeDefined();
    } finally {
      lab.updateManager('avs-prod-weu', (m) => (m.migrations = []));
    }
  });
});

describe('health the seeds ask about, from the lab to the Inventory', () => {
  const prod = (): Promise<Target> => targetById('avs-prod-weu');

  it('the healthy demo cloud: every appliance of its mesh reports all tunnels up; the last mesh task succeeded', async () => {
    const { inv } = await collect(await prod());
    const state = lab.getManager('avs-prod-weu');
    expect(inv.issues).toEqual([]);
    expect(inv.unsupported).toBeUndefined();
    expect(inv.tunnelMetrics?.map((t) => t.applianceId).sort()).toEqual(state.appliances.map((a) => a.applianceId).sort());
    for (const t of inv.tunnelMetrics ?? []) {
      expect(t).toMatchObject({ serviceMeshId: 'sm-prod-dc9', overallStatus: 'UP', tunnelTotal: 2, tunnelActive: 2 });
    }
    expect(inv.serviceMeshes?.[0].lastTask).toEqual({ type: 'updateServiceMesh', status: 'SUCCESS' });
  });

  it('tunnels down, an appliance in ERROR and an appliance whose metrics are not reported arrive as such', async () => {
    const [ix, ne1, ne2] = lab.getManager('avs-prod-weu').appliances.map((a) => a.applianceId);
    const { inv } = await withState(
      'avs-prod-weu',
      (m) => {
        m.appliances[0].tunnelActive = 1;
        m.appliances[1].state = 'ERROR';
        m.appliances[2].state = 'DOWN';
        m.appliances[2].metricsReported = false;
      },
      async () => collect(await prod()),
    );
    expect(inv.issues).toEqual([]);
    expect(inv.tunnelMetrics?.find((t) => t.applianceId === ix)).toMatchObject({ overallStatus: 'DEGRADED', tunnelTotal: 2, tunnelActive: 1 });
    expect(inv.tunnelMetrics?.find((t) => t.applianceId === ne1)).toMatchObject({ overallStatus: 'ERROR' });
    // not reported: absent from the metrics, never a healthy default
    expect(inv.tunnelMetrics?.map((t) => t.applianceId)).not.toContain(ne2);
    expect(inv.appliances?.find((a) => a.id === ne1)?.state).toBe('ERROR');
    expect(inv.appliances?.find((a) => a.id === ne2)?.state).toBe('DOWN');
  });

  it('metrics spread over several pages are all collected', async () => {
    const { inv, stats } = await withState('avs-prod-weu', (m) => (m.metricsPageSize = 1), async () => collect(await prod()));
    expect(inv.tunnelMetrics).toHaveLength(lab.getManager('avs-prod-weu').appliances.length);
    expect(stats.hybridity?.requests).toBeGreaterThan(0);
  });

  it('a build without the metrics API (404): tunnelMetrics unsupported, not an issue and not an empty list', async () => {
    const { inv } = await withState('avs-prod-weu', (m) => (m.metricsUnsupported = true), async () => collect(await prod()));
    expect(inv.tunnelMetrics).toBeUndefined();
    expect(inv.unsupported).toEqual(['tunnelMetrics']);
    expect(inv.issues).toEqual([]);
    // onprem-dc1 has no alerts API either: both listed, in a stable order whichever call finished first
    const cfg = config();
    const dc1 = connectorTargets(cfg).find((t) => t.name === 'onprem-dc1')!;
    const both = await withState('onprem-dc1', (m) => (m.metricsUnsupported = true), async () => collect(dc1, cfg));
    expect(both.inv.unsupported).toEqual(['hcxAlerts', 'tunnelMetrics']);
    // …also when the alerts call is the one to finish last (held back by a 429).
    lab.setFaults('onprem-dc1', { throttle: { times: 1, retryAfterSeconds: 1, onPath: '/alerts' } });
    const alertsLast = await withState('onprem-dc1', (m) => (m.metricsUnsupported = true), async () => collect(dc1, cfg));
    expect(alertsLast.stats.hybridity?.retryAfterWaits).toBe(1);
    expect(alertsLast.inv.unsupported).toEqual(['hcxAlerts', 'tunnelMetrics']);
  });

  it('a failed metrics call (5xx) or one that never stops paging: tunnelMetrics undefined with an issue, the rest kept', async () => {
    lab.setFaults('avs-prod-weu', { http5xxOnPath: '/metrics/interconnect', http5xxStatus: 503 });
    const failed = (await collect(await prod())).inv;
    expect(failed.tunnelMetrics).toBeUndefined();
    expect(failed.unsupported).toBeUndefined();
    expect(failed.issues).toEqual([expect.objectContaining({ source: 'hcx', call: 'tunnelMetrics', errorClass: 'http', status: 503 })]);
    expect(failed.appliances).toBeDefined();

    lab.setFaults('avs-prod-weu', {}); // faults merge: clear the 5xx first
    lab.setFaults('avs-prod-weu', { metricsEndlessPaging: true });
    const looping = (await collect(await prod())).inv;
    expect(looping.tunnelMetrics).toBeUndefined();
    expect(looping.issues).toEqual([expect.objectContaining({ call: 'tunnelMetrics', errorClass: 'malformed', message: expect.stringContaining('the list was incomplete') })]);
  });

  it('a failed HA group list: haGroups undefined with the http issue (never an empty list), the rest kept', async () => {
    lab.setFaults('avs-prod-weu', { http5xxOnPath: '/appliances/ha/groups', http5xxStatus: 501 });
    const { inv } = await collect(await prod());
    expect(inv.haGroups).toBeUndefined();
    expect(inv.issues).toEqual([expect.objectContaining({ source: 'hcx', call: 'haGroups', errorClass: 'http', status: 501 })]);
    expect(inv.serviceMeshes?.length).toBeGreaterThan(0);
    expect(inv.appliances?.length).toBeGreaterThan(0);
  });

  it('a failed mesh list leaves the tunnel metrics uncollected too (they are asked for by mesh)', async () => {
    lab.setFaults('avs-prod-weu', { http5xxOnPath: '/interconnect/serviceMesh', http5xxStatus: 501 });
    const { inv } = await collect(await prod());
    expect(inv.serviceMeshes).toBeUndefined();
    expect(inv.tunnelMetrics).toBeUndefined();
    expect(inv.appliances).toBeDefined();
  });

  it('a site pair that is not connected and whose remote version reads N/A keeps both, verbatim', async () => {
    const cfg = config();
    const { inv } = await withState(
      'onprem-dc2',
      (m) => {
        m.sitePairs[0].status = 'NOT_CONNECTED';
        m.sitePairs[0].version = 'N/A';
      },
      async () => collect(connectorTargets(cfg).find((t) => t.name === 'onprem-dc2')!, cfg),
    );
    expect(inv.sitePairs).toEqual([expect.objectContaining({ status: 'NOT_CONNECTED', remoteVersion: 'N/A' })]);
  });

  it('a mesh whose last task is still QUEUED, and a WAN-OPT appliance that belongs to no mesh', async () => {
    const { inv } = await withState(
      'avs-prod-weu',
      (m) => {
        m.serviceMeshes[0].lastTask = { type: 'updateServiceMesh', status: 'QUEUED' };
        m.appliances.push({ ...m.appliances[0], applianceId: 'wo-orphan', applianceType: 'HCX-WAN-OPT', applianceName: 'WO-left-behind', serviceMeshId: undefined });
      },
      async () => collect(await prod()),
    );
    expect(inv.serviceMeshes?.[0].lastTask).toEqual({ type: 'updateServiceMesh', status: 'QUEUED' });
    const wo = inv.appliances?.find((a) => a.id === 'wo-orphan');
    expect(wo).toMatchObject({ type: 'HCX-WAN-OPT', name: 'WO-left-behind' });
    expect(wo?.serviceMeshId).toBeUndefined();
    expect(inv.tunnelMetrics?.map((t) => t.applianceId)).not.toContain('wo-orphan');
  });

  it('migrations in the newer API shape carry done/draft/scheduled; non-terminal states other than MIGRATING are kept', async () => {
    const { inv } = await withState(
      'avs-prod-weu',
      (m) => {
        m.migrationQueryVariant = 'current';
        m.migrations = [
          { migrationId: 'mig-s', migrationType: 'Bulk', state: 'SCHEDULED', entityName: 'app1', waitingForMaintWindow: true },
          { migrationId: 'mig-d', migrationType: 'Bulk', state: 'NEW', entityName: 'app2', draftState: 'DRAFT' },
          { migrationId: 'mig-v', migrationType: 'vMotion', state: 'SWITCHOVER_IN_PROGRESS', entityName: 'app3' },
          { migrationId: 'mig-c', migrationType: 'vMotion', state: 'MIGRATE_CANCELED', entityName: 'app4' },
          { migrationId: 'mig-m', migrationType: 'Cold', state: 'MIGRATED', entityName: 'app5' },
        ];
      },
      async () => collect(await prod()),
    );
    expect(inv.issues).toEqual([]);
    expect(inv.migrations).toEqual([
      { id: 'mig-s', type: 'Bulk', state: 'SCHEDULED', entityName: 'app1', done: false, scheduled: true },
      { id: 'mig-d', type: 'Bulk', state: 'NEW', entityName: 'app2', done: false, draft: true, scheduled: false },
      { id: 'mig-v', type: 'vMotion', state: 'SWITCHOVER_IN_PROGRESS', entityName: 'app3', done: false, scheduled: false },
      { id: 'mig-c', type: 'vMotion', state: 'MIGRATE_CANCELED', entityName: 'app4', done: true, scheduled: false },
      { id: 'mig-m', type: 'Cold', state: 'MIGRATED', entityName: 'app5', done: true, scheduled: false },
    ]);
  });

  it('a paged migration list is collected whole; one that ends short (empty page or page cap) is undefined with an issue', async () => {
    /** `n` migrations served `pageSize` at a time. */
    const pagedMigrations = async (n: number, pageSize: number): Promise<Inventory> => {
      const rows = Array.from({ length: n }, (_, i) => ({ migrationId: `mig-p${i}`, migrationType: 'vMotion', state: i === 0 ? 'MIGRATING' : 'MIGRATED', entityName: `vm-${i}` }));
      const mutate = (m: LabManagerState): void => {
        m.migrations = rows;
        m.migrationPageSize = pageSize;
      };
      return (await withState('avs-prod-weu', mutate, async () => collect(await prod()))).inv;
    };
    const incomplete = (detail: string) => [expect.objectContaining({ call: 'migrations', errorClass: 'malformed', message: expect.stringContaining(detail) })];

    expect((await pagedMigrations(3, 1)).migrations?.map((m) => m.id)).toEqual(['mig-p0', 'mig-p1', 'mig-p2']);

    lab.setFaults('avs-prod-weu', { migrationPhantomRows: 1 });
    const short = await pagedMigrations(3, 2);
    expect(short.migrations).toBeUndefined();
    expect(short.issues).toEqual(incomplete('the list was incomplete: 3 of 4 rows'));
    lab.setFaults('avs-prod-weu', {});

    const capped = await pagedMigrations(51, 1);
    expect(capped.migrations).toBeUndefined();
    expect(capped.issues).toEqual(incomplete('after the cap of 50 pages'));
  });
});

describe('the appliance management interface (9443)', () => {
  const dc2 = (): Target => connectorTargets(config()).find((t) => t.name === 'onprem-dc2')!;
  const failing = async (path: string): Promise<Inventory> => {
    lab.setFaults('onprem-dc2', { http5xxOnPath: path, http5xxStatus: 501 });
    return (await collect(dc2())).inv;
  };

  it('a failed licence call is an issue, not an unreachable interface: registrations and services are still collected', async () => {
    const inv = await failing('/api/admin/licenses');
    expect(inv.licensing).toBeUndefined();
    expect(inv.issues).toEqual([expect.objectContaining({ source: 'appliance', call: 'licensing', errorClass: 'http', status: 501 })]);
    expect(inv.reachability.applianceManagement).toEqual({ ok: true });
    expect(inv.registrations?.vcenter.length).toBeGreaterThan(0);
    expect(inv.services).toEqual([{ name: 'appengine', result: expect.any(String) }]);
  });

  it('a failed activation status keeps the licensing read from the licence API and records its own issue', async () => {
    const inv = await failing('/activationStatus');
    expect(inv.licensing).toMatchObject({ model: 'activation-key' });
    expect(inv.issues).toEqual([expect.objectContaining({ source: 'appliance', call: 'licensing.activationStatus', errorClass: 'http', status: 501 })]);
  });

  it('a failed registrations or services call leaves that field undefined with its issue, the other kept', async () => {
    const noRegistrations = await failing('/global/config/vcenter');
    expect(noRegistrations.registrations).toBeUndefined();
    expect(noRegistrations.issues).toEqual([expect.objectContaining({ source: 'appliance', call: 'registrations', errorClass: 'http', status: 501 })]);
    expect(noRegistrations.services).toEqual([{ name: 'appengine', result: expect.any(String) }]);

    const noServices = await failing('/components/appengine');
    expect(noServices.services).toBeUndefined();
    expect(noServices.issues).toEqual([expect.objectContaining({ source: 'appliance', call: 'services', errorClass: 'http', status: 501 })]);
    expect(noServices.registrations?.vcenter.length).toBeGreaterThan(0);
  });

  it('9443 is asked one request at a time (its connection limit), the hybridity API never more than two at once', async () => {
    // Latency keeps each request open long enough for a second one to overlap it if the client allowed that.
    lab.setFaults('onprem-dc2', { latencyMs: 50 });
    const before = lab.requests.length;
    const { inv } = await collect(dc2());
    expect(inv.issues).toEqual([]);
    const seen = lab.requests.slice(before).filter((r) => r.manager === 'onprem-dc2');
    const most = (server: string): number => Math.max(...seen.filter((r) => r.server === server).map((r) => r.inFlight ?? 0));
    // Upper bounds only: how many requests happen to overlap below the limit is up to the scheduler.
    expect(seen.filter((r) => r.server === 'appliance').length).toBeGreaterThanOrEqual(2);
    expect(most('appliance')).toBe(1);
    expect(seen.filter((r) => r.server === 'hcx').length).toBeGreaterThan(0);
    expect(most('hcx')).toBeLessThanOrEqual(2);
  });

  it('with no admin user configured, the appliance login uses `admin`', async () => {
    const t = dc2();
    const { inv } = await collect({ ...t, connector: { ...t.connector!, adminUsername: undefined } });
    expect(inv.reachability.applianceManagement).toEqual({ ok: true });
    expect(inv.licensing).toMatchObject({ model: 'activation-key' });
  });

  it('a private cloud is never probed on 9443, even when its target names an appliance URL', async () => {
    const before = lab.requests.length;
    const { inv, stats } = await collect({ ...(await targetById('avs-prod-weu')), applianceUrl: dc2().applianceUrl });
    expect(inv.reachability).toEqual({ hybridity: { ok: true } });
    expect(lab.requests.slice(before).filter((r) => r.server === 'appliance')).toEqual([]);
    // No appliance counts at all, not even an empty entry.
    expect(stats).toStrictEqual({ hybridity: expect.objectContaining({ logins: 1 }) });
  });
});

describe('certificate pinning', () => {
  const untrustedFingerprint = (): string =>
    new X509Certificate(fs.readFileSync(path.join(path.dirname(lab.caFile), 'untrusted-server.pem'))).fingerprint256;

  const pinned = (pin: string): Target => {
    lab.setFaults('onprem-dc1', { wrongCertificate: true });
    const t = connectorTargets(config()).find((x) => x.name === 'onprem-dc1')!;
    return { ...t, applianceUrl: undefined, trust: { certSha256: pin } };
  };

  it('accepts a certificate from an untrusted CA when its SHA-256 matches the pin', async () => {
    const { inv } = await collect(pinned(untrustedFingerprint().replace(/:/g, '').toLowerCase()));
    expect(inv.reachability.hybridity).toEqual({ ok: true });
    expect(inv.manager?.version).toBe(lab.getManager('onprem-dc1').version);
  });

  it('refuses it with a wrong pin (tls), and refuses a CA-trusted endpoint whose certificate is not the pinned one', async () => {
    const { inv } = await collect(pinned('00'.repeat(32)));
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'tls' });
    lab.setFaults('onprem-dc1', {});
    const trusted = connectorTargets(config()).find((x) => x.name === 'onprem-dc1')!;
    const { inv: inv2 } = await collect({ ...trusted, applianceUrl: undefined, trust: { certSha256: untrustedFingerprint() } });
    expect(inv2.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'tls' });
  });
});

describe('canary', () => {
  it('no lab secret appears in console output, error messages, inventories or files written during the run', async () => {
    // One more run that produces errors of every kind through the public API.
    lab.setFaults('onprem-dc1', { http5xxOnPath: '/cloudConfigs', malformedJsonOnPath: '/serviceMesh' });
    const cfg = config();
    await collect(connectorTargets(cfg).find((t) => t.name === 'onprem-dc1')!, cfg);
    let stats: CollectStats = {};
    const wrongPw = await collectInventory(connectorTargets(cfg).find((t) => t.name === 'onprem-dc2')!, {
      config: cfg,
      env: { ...lab.env, ...Object.fromEntries(Object.keys(lab.env).filter((k) => k.includes('PASSWORD')).map((k) => [k, `${lab.env[k]}-wrong`])) },
      transport: FAST,
      onStats: (s) => (stats = s),
    });
    // The refusing status is kept: 401 from the hybridity login, 403 from 9443 (hcx-api.md §3.2).
    expect(wrongPw.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'auth', status: 401 });
    expect(wrongPw.reachability.applianceManagement).toMatchObject({ ok: false, errorClass: 'auth', status: 403 });
    // The failed login is counted, with the request it took.
    expect(stats.hybridity).toMatchObject({ requests: 1, retries: 0, logins: 1 });
    inventories.push(wrongPw);

    const haystacks = [...outputs, ...inventories.map((i) => JSON.stringify(i)), ...inventories.flatMap((i) => i.issues.map((x) => x.message))];
    for (const file of recentFiles(os.tmpdir(), startedAt)) haystacks.push(file);
    expect(lab.secrets.length).toBeGreaterThan(3);
    for (const secret of lab.secrets) {
      for (const h of haystacks) expect(h.includes(secret)).toBe(false);
    }
  });
});

/** Text of files changed under `dir` since `since` (two levels deep, small files only). */
function recentFiles(dir: string, since: number, depth = 2): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    try {
      const st = fs.statSync(p);
      if (e.isDirectory() && depth > 0) out.push(...recentFiles(p, since, depth - 1));
      else if (e.isFile() && st.mtimeMs >= since && st.size < 1_000_000) out.push(fs.readFileSync(p, 'utf8'));
    } catch {
      // vanished or unreadable: not ours
    }
  }
  return out;
}
