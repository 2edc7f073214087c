/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read back from the wire */
import { QueueServiceClient } from '@azure/storage-queue';
import { DateTime } from 'luxon';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { severityAtLeast } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { ScanQueue } from '../../lib/queue';
import { scanStarterPort, setApiPortsProvider, storePorts } from '../../lib/api/runtimePorts';
import { ROUTES } from '../../lib/api/routes';
import { wrapToken } from '../../lib/api/validate';
import { targetKey } from '../../lib/findings/ids';
import type { ScanDeps } from '../../lib/scan';
import { FINDING_CSV_COLUMNS } from '../../lib/findings/view';
import { SUMMARY_KEYS } from '../support/summaryShape';
import { CLOUD_REF, CONNECTOR_REF, healthyCloud, healthyConnector, mesh } from '../support/inventoryBuilder';
import { makeFinding, repos, seedFindings, seedInventory, seedScan } from './http.seed';

const conn = process.env.HCXMON_TEST_STORAGE!;
const prefix = `api${Date.now().toString(36)}`;
const QUEUE = `${prefix}-scan`.toLowerCase();
const FUNCTION_KEY = 'fk-test-0123456789';
const ADMIN_KEY = 'ak-test-9876543210';
const EVIL: TargetRef = { id: 'connector:evil', name: '<script>alert(1)</script> & "evil"', kind: 'hcx-connector' };
const NOW = new Date('2026-03-02T00:00:00Z');

let host: LocalHost;
const logs: string[] = [];
const seeded: Finding[] = [];

function enc(id: string): string {
  return encodeURIComponent(id);
}

async function call(
  method: string,
  path: string,
  opts: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? FUNCTION_KEY : opts.key;
  if (key) headers['x-functions-key'] = key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${host.url}/api/${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as any };
}

beforeAll(async () => {
  const r = repos(conn, prefix);
  // 260 findings over three targets: every severity, some resolved, some with deadlines.
  const plan: [TargetRef, number][] = [
    [CLOUD_REF, 120],
    [CONNECTOR_REF, 100],
    [EVIL, 40],
  ];
  let n = 0;
  for (const [target, count] of plan) {
    const list: Finding[] = [];
    for (let i = 0; i < count; i++, n++) {
      const over: Partial<Finding> = {};
      if (n % 10 === 9) over.status = 'resolved';
      if (n % 7 === 0)
        over.deadline = {
          date: n % 14 === 0 ? '2026-05-01' : '2027-01-01',
          basis: 'catalog',
          daysLeft: 60,
          band: 'd90',
        };
      if (n % 5 === 0) over.owner = 'microsoft';
      list.push(makeFinding(target, n, over));
    }
    await seedFindings(r, target, list);
    seeded.push(...list);
  }
  await seedInventory(r, healthyCloud(), 'seed');
  await seedInventory(r, healthyConnector({ serviceMeshes: [mesh({ services: ['INTERCONNECT', 'WANOPT'] })] }), 'seed');
  await seedInventory(r, { ...healthyConnector(), target: EVIL, manager: { version: '4.10.2' } }, 'seed');
  await seedScan(r, [CLOUD_REF, CONNECTOR_REF, EVIL], {
    [CLOUD_REF.id]: '4.11.3',
    [CONNECTOR_REF.id]: '4.11.3',
    [EVIL.id]: '4.10.2',
  });

  const queue = new ScanQueue(QueueServiceClient.fromConnectionString(conn).getQueueClient(QUEUE));
  const deps = {
    // startScan reads only these: discovery, the scans store and the clock.
    stores: r,
    discover: async () => ({ targets: [CLOUD_REF, CONNECTOR_REF], errors: [] }),
    now: () => DateTime.fromJSDate(NOW, { zone: 'utc' }),
  } as unknown as ScanDeps;

  host = await startLocalHost({
    entry: require.resolve('../../functions/http'),
    env: { HCXMON_LOCAL_FUNCTION_KEY: FUNCTION_KEY, HCXMON_LOCAL_ADMIN_KEY: ADMIN_KEY, AzureWebJobsStorage: conn },
    log: (m) => {
      if (/error/i.test(m)) logs.push(m);
    },
  });
  setApiPortsProvider(() =>
    storePorts(r, {
      // As deployed behind App Service Authentication (the API would trust the principal headers the platform sets;
      // the local host drops any a client sends).
      config: { platformAuth: true },
      now: () => NOW,
      log: (m) => logs.push(m),
      scanStarter: scanStarterPort(deps, queue),
      alerts: {
        sendTest: async (by) => ({ sent: false, detail: `no alert endpoint configured (requested by ${by})` }),
      },
    }),
  );
});

afterAll(async () => {
  setApiPortsProvider(undefined);
  await host?.stop();
});

describe('HTTP API through the local host', () => {
  it('registers every route of the route table', () => {
    const served = host.httpRoutes.map((r) => `${r.methods.join(',')} ${r.route} ${r.authLevel}`).sort();
    expect(served).toEqual(ROUTES.map((r) => `${r.method} ${r.route} ${r.authLevel}`).sort());
  });

  it('health is anonymous and carries no data; reads need the function key, writes the admin key', async () => {
    const h = await call('GET', 'health', { key: null });
    expect(h.status).toBe(200);
    expect(h.json).toEqual({ status: 'ok' });
    expect((await call('GET', 'findings', { key: null })).status).toBe(401);
    expect((await call('GET', 'findings', { key: 'wrong' })).status).toBe(401);
    expect((await call('GET', 'findings?limit=1', { key: null, headers: {} })).status).toBe(401);
    const viaCode = await fetch(`${host.url}/api/findings?limit=1&code=${FUNCTION_KEY}`);
    expect(viaCode.status).toBe(200);
    expect((await call('POST', 'suppressions', { body: {} })).status).toBe(401);
    expect((await call('GET', 'findings?limit=1', { key: ADMIN_KEY })).status).toBe(200);
  });

  it('pages through every finding with continuation tokens (3 pages of 100)', async () => {
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call('GET', `findings?status=all&limit=100${token ? `&continuationToken=${enc(token)}` : ''}`);
      expect(res.status).toBe(200);
      ids.push(...res.json.items.map((f: Finding) => f.id));
      token = res.json.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(seeded.map((f) => f.id)));
  });

  it('a continuation token anyone re-wraps only moves inside the filters of the request (the checksum is not a secret)', async () => {
    const q = `findings?status=all&target=${enc(CONNECTOR_REF.id)}&limit=2`;
    const first = await call('GET', q);
    const [payload] = (first.json.continuationToken as string).split('.');
    const { q: queryKey } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { q: string };
    // A position inside another target's partition, wrapped the way this API wraps tokens.
    const store = Buffer.from(JSON.stringify({ nextPartitionKey: targetKey(CLOUD_REF.id), nextRowKey: '' })).toString(
      'base64',
    );
    const forged = await call('GET', `${q}&continuationToken=${enc(wrapToken(store, queryKey)!)}`);
    expect(forged.status).toBe(200);
    expect(forged.json.items.filter((f: Finding) => f.targetId !== CONNECTOR_REF.id)).toEqual([]);
  });

  it('rejects a continuation token from another query or a mangled one', async () => {
    const first = await call('GET', 'findings?status=all&limit=100');
    const token = first.json.continuationToken as string;
    const other = await call('GET', `findings?status=open&limit=100&continuationToken=${enc(token)}`);
    expect(other.status).toBe(400);
    expect(other.json.error.parameter).toBe('continuationToken');
    const forged = await call(
      'GET',
      `findings?continuationToken=${enc(Buffer.from('{"nextPartitionKey":"x"}').toString('base64'))}`,
    );
    expect(forged.status).toBe(400);
  });

  it('filters by status, minimum severity, rule, target, owner and dueBefore', async () => {
    const all = async (q: string) => {
      const out: Finding[] = [];
      let token: string | undefined;
      do {
        const res = await call('GET', `findings?${q}&limit=1000${token ? `&continuationToken=${enc(token)}` : ''}`);
        expect(res.status).toBe(200);
        out.push(...res.json.items);
        token = res.json.continuationToken;
      } while (token);
      return out.map((f) => f.id).sort();
    };
    const expectIds = (pred: (f: Finding) => boolean) =>
      seeded
        .filter(pred)
        .map((f) => f.id)
        .sort();
    expect(await all('status=open')).toEqual(expectIds((f) => f.status === 'open'));
    expect(await all('severity=high')).toEqual(
      expectIds((f) => f.status !== 'resolved' && severityAtLeast(f.severity, 'high')),
    );
    expect(await all('rule=hcx-appliance-outdated&status=all')).toEqual(
      expectIds((f) => f.ruleId === 'hcx-appliance-outdated'),
    );
    expect(await all(`target=${enc(CLOUD_REF.id)}&status=all`)).toEqual(expectIds((f) => f.targetId === CLOUD_REF.id));
    expect(await all('owner=microsoft&status=all')).toEqual(expectIds((f) => f.owner === 'microsoft'));
    expect(await all('dueBefore=2026-06-01&status=all')).toEqual(
      expectIds((f) => f.deadline !== undefined && f.deadline.date < '2026-06-01'),
    );
  });

  it('takes a target by id or by name everywhere, and refuses one no scan has seen', async () => {
    const byId = (await call('GET', `findings?status=all&target=${enc(CONNECTOR_REF.id)}`)).json.items;
    const byName = (await call('GET', `findings?status=all&target=${enc(CONNECTOR_REF.name)}`)).json.items;
    expect(byName.length).toBeGreaterThan(0);
    expect(byName).toEqual(byId);
    const target = await call('GET', `targets/${enc(CLOUD_REF.name)}`);
    expect(target.status).toBe(200);
    expect(target.json.id).toBe(CLOUD_REF.id);
    expect((await call('GET', `targets/${enc(CLOUD_REF.name)}/readiness`)).json.targetId).toBe(CLOUD_REF.id);
    const unknown = await call('GET', 'findings?target=no-such-target');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe(
      'target: no scanned target has the id or name "no-such-target" (GET /api/targets lists them)',
    );
    const sup = await call('POST', 'suppressions', {
      key: ADMIN_KEY,
      body: {
        ruleId: 'hcx-appliance-outdated',
        targetId: 'connector:never-scanned',
        reason: 'x',
        category: 'waiver',
        expiresAt: '2026-06-01T00:00:00Z',
      },
    });
    expect(sup.status).toBe(400);
    expect(sup.json.error.parameter).toBe('targetId');
    const fact = await call('PUT', `targets/${enc('connector:never-scanned')}/facts`, {
      key: ADMIN_KEY,
      body: { name: 'upgradedTo411At', value: '2025-08-01' },
    });
    expect(fact.status).toBe(404);
  });

  it('refuses an unknown rule id in a filter (an empty list would read as "all clear")', async () => {
    for (const path of ['findings?rule=hcx-no-such-rule', 'suppressions?rule=hcx-no-such-rule']) {
      const res = await call('GET', path);
      expect(res.status).toBe(400);
      expect(res.json.error.parameter).toBe('rule');
      expect(res.json.error.message).toContain('no rule "hcx-no-such-rule"');
    }
  });

  it('summary: the counts, the next deadline and the worst targets the dashboard shows', async () => {
    const res = await call('GET', 'summary');
    expect(res.status).toBe(200);
    // The shape `hcxmon summary --format json` prints too (test/e2e/cli.test.ts).
    expect(Object.keys(res.json).sort()).toEqual([...SUMMARY_KEYS].sort());
    const current = seeded.filter((f) => f.status !== 'resolved');
    for (const s of ['critical', 'high', 'medium', 'low', 'info'])
      expect(res.json.openBySeverity[s]).toBe(current.filter((f) => f.status === 'open' && f.severity === s).length);
    // Seeded deadlines: 2026-05-01 and 2027-01-01, counted from 2026-03-02.
    expect(res.json.nextDeadline).toMatchObject({ date: '2026-05-01', daysLeft: 60 });
    expect(res.json.targetCount).toBe(3);
    expect(res.json.worstTargets.map((t: { targetName: string }) => t.targetName)).toHaveLength(3);
    expect(res.json.headlines.nextDeadline).toMatch(/^Next deadline: 2026-05-01, 60 days left — /);
    const dash = await call('GET', 'dashboard');
    expect(dash.text).toContain(
      res.json.headlines.nextDeadline.replace(/&/g, '&amp;').replace(/"/g, '&quot;').split(' — ')[0],
    );
    expect(dash.text).toContain(`data-testid="count-critical">${res.json.openBySeverity.critical}<`);
  });

  it('OData injection in a filter value returns only what it should', async () => {
    // Passes validation (an ARM id segment may hold quotes) but reaches the table only as a hashed key.
    const evilTarget = `/subscriptions/x/resourcegroups/rg' or 'a' eq 'a/providers/microsoft.avs/privateclouds/pc`;
    // No scan has seen such a target: refused by name, never reaching the table as a filter.
    const res = await call('GET', `findings?status=all&target=${enc(evilTarget)}`);
    expect(res.status).toBe(400);
    expect(res.json.error.parameter).toBe('target');
    expect(res.json.items).toBeUndefined();
    const rule = await call('GET', `findings?rule=${enc("x' or 'a' eq 'a")}`);
    expect(rule.status).toBe(400);
    expect(rule.json.error.parameter).toBe('rule');
  });

  it('exports CSV with a header and one row per matching finding', async () => {
    const res = await call('GET', `findings?format=csv&status=all&target=${enc(CONNECTOR_REF.id)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(FINDING_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + seeded.filter((f) => f.targetId === CONNECTOR_REF.id).length);
  });

  it('gets one finding; unknown or malformed ids are 404/400 with the error shape', async () => {
    const f = seeded[3];
    const res = await call('GET', `findings/${enc(f.id)}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: f.id, ruleId: f.ruleId, targetId: f.targetId });
    const missing = await call(
      'GET',
      `findings/${enc('hcx-appliance-outdated.00000000000000000000.00000000000000000000')}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it('lists targets with version vs baseline, support line, last scan and counts', async () => {
    const res = await call('GET', 'targets');
    expect(res.status).toBe(200);
    const byId = new Map(res.json.items.map((t: any) => [t.id, t]));
    expect([...byId.keys()].sort()).toEqual([CLOUD_REF.id, CONNECTOR_REF.id, EVIL.id].sort());
    const evil: any = byId.get(EVIL.id);
    expect(evil).toMatchObject({
      hcxVersion: '4.10.2',
      baselineVersion: '4.11.3',
      belowBaseline: true,
      lastScan: { status: 'ok' },
    });
    expect(evil.support.status).toBe('ended');
    const cloud: any = byId.get(CLOUD_REF.id);
    const openCritical = seeded.filter(
      (f) => f.targetId === CLOUD_REF.id && f.status === 'open' && f.severity === 'critical',
    ).length;
    expect(cloud.counts.open.critical).toBe(openCritical);
  });

  it('gets a target by its URL-encoded ARM id, with inventory and version history', async () => {
    const res = await call('GET', `targets/${enc(CLOUD_REF.id)}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: CLOUD_REF.id, hcxVersion: '4.11.3', belowBaseline: false });
    expect(res.json.inventory.target.id).toBe(CLOUD_REF.id);
    expect(res.json.versionHistory.map((v: any) => v.version)).toContain('4.11.3');
    // Upper-case ARM ids are the same target.
    expect((await call('GET', `targets/${enc(CLOUD_REF.id.toUpperCase())}`)).status).toBe(200);
    expect((await call('GET', `targets/${enc('connector:nobody')}`)).status).toBe(404);
    // Neither an id nor a known name: a 404 too, in the words of target= (README: "400; 404 in a path").
    const unknown = await call('GET', `targets/${enc('not a target')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain('no scanned target has the id or name "not a target"');
  });

  it('readiness: WAN Optimization blocks the upgrade gate, with evidence', async () => {
    const res = await call('GET', `targets/${enc(CONNECTOR_REF.id)}/readiness`);
    expect(res.status).toBe(200);
    expect(res.json.verdict).toBe('blocked');
    const wan = res.json.checks.find((c: any) => c.id === 'wan-optimization-disabled');
    expect(wan.status).toBe('fail');
    // The evidence is the rule's own verdict per subject: the gate and the findings cannot disagree.
    expect(wan.evidence.verdicts.filter((v: any) => v.status === 'fail')).toHaveLength(1);
    expect(wan.ruleIds).toEqual(['hcx-wan-optimization-enabled']);
    const cloud = await call('GET', `targets/${enc(CLOUD_REF.id)}/readiness`);
    expect(cloud.json.checks.find((c: any) => c.id === 'vcenter-nsx-connections').status).toBe('not_applicable');
    // The version path is shown beside the gate, not inside it.
    expect(cloud.json.checks.find((c: any) => c.id === 'version-path')).toBeUndefined();
    expect(cloud.json.versionChecks.find((c: any) => c.id === 'version-path').status).toBe('pass');
  });

  it('lists scans and gets one with its outcomes', async () => {
    const list = await call('GET', 'scans');
    expect(list.status).toBe(200);
    const scanId = list.json.items[0].scanId;
    const one = await call('GET', `scans/${enc(scanId)}`);
    expect(one.status).toBe(200);
    expect(one.json.outcomes).toHaveLength(3);
    expect((await call('GET', 'scans/no-such-scan')).status).toBe(404);
  });

  it('POST scans starts a scan through the queue (admin), base64 messages per target', async () => {
    expect((await call('POST', 'scans', { body: {} })).status).toBe(401);
    const res = await call('POST', 'scans', { key: ADMIN_KEY, body: {} });
    expect([res.status, logs.join('\n')]).toEqual([202, '']);
    expect(res.json.enqueued).toBe(2);
    const q = QueueServiceClient.fromConnectionString(conn).getQueueClient(QUEUE);
    const peeked = await q.peekMessages({ numberOfMessages: 32 });
    const msgs = peeked.peekedMessageItems.map((m) =>
      JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')),
    );
    expect(
      msgs
        .filter((m) => m.scanId === res.json.scanId)
        .map((m) => m.target.id)
        .sort(),
    ).toEqual([CLOUD_REF.id, CONNECTOR_REF.id].sort());
    const scan = await call('GET', `scans/${enc(res.json.scanId)}`);
    expect(scan.status).toBe(200);
    expect(scan.json.trigger).toBe('http');
  });

  it('rules lists the catalog and what is not checked', async () => {
    const res = await call('GET', 'rules');
    expect(res.status).toBe(200);
    expect(res.json.items.map((r: any) => r.id)).toContain('hcx-wan-optimization-enabled');
    expect(res.json.notChecked.map((r: any) => r.id)).toContain('hcx-vcenter-plugin-in-use');
  });

  // The local host is not App Service: it drops client-sent x-ms-client-principal* headers, so createdBy comes from
  // the body here (test/unit/api.test.ts covers the principal the platform sets).
  it('suppressions: create (a client-sent principal header is dropped by the local host), list, delete', async () => {
    const body = {
      ruleId: 'hcx-appliance-outdated',
      targetId: CONNECTOR_REF.id,
      reason: 'upgrade booked',
      category: 'waiver',
      expiresAt: '2026-09-01T00:00:00Z',
      createdBy: 'body-user',
    };
    const created = await call('POST', 'suppressions', {
      key: ADMIN_KEY,
      body,
      headers: { 'x-ms-client-principal-name': 'alice@contoso.com' },
    });
    expect(created.status).toBe(201);
    expect(created.json.createdBy).toBe('body-user');
    const fromBody = await call('POST', 'suppressions', { key: ADMIN_KEY, body });
    expect(fromBody.json.createdBy).toBe('body-user');
    const tooLong = await call('POST', 'suppressions', {
      key: ADMIN_KEY,
      body: { ...body, expiresAt: '2028-01-01T00:00:00Z' },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.parameter).toBe('expiresAt');
    const list = await call('GET', 'suppressions');
    expect(list.json.items.map((s: any) => s.id)).toEqual(expect.arrayContaining([created.json.id, fromBody.json.id]));
    expect((await call('DELETE', `suppressions/${created.json.id}`, { key: ADMIN_KEY })).status).toBe(204);
    expect((await call('DELETE', `suppressions/${created.json.id}`, { key: ADMIN_KEY })).status).toBe(404);
  });

  it('facts: PUT then GET the upgrade date', async () => {
    const put = await call('PUT', `targets/${enc(CONNECTOR_REF.id)}/facts`, {
      key: ADMIN_KEY,
      body: { name: 'upgradedTo411At', value: '2025-08-01', setBy: 'bob' },
    });
    expect(put.status).toBe(200);
    const get = await call('GET', `targets/${enc(CONNECTOR_REF.id)}/facts`);
    expect(get.json.items).toEqual([
      expect.objectContaining({ name: 'upgradedTo411At', value: '2025-08-01', setBy: 'bob' }),
    ]);
    const bad = await call('PUT', `targets/${enc(CONNECTOR_REF.id)}/facts`, {
      key: ADMIN_KEY,
      body: { name: 'upgradedTo411At', value: '2025-13-01' },
    });
    expect(bad.status).toBe(400);
    // The same check and words as `hcxmon fact set` (test/e2e/cli.test.ts).
    const future = await call('PUT', `targets/${enc(CONNECTOR_REF.id)}/facts`, {
      key: ADMIN_KEY,
      body: { name: 'upgradedTo411At', value: '2026-03-03' },
    });
    expect(future.status).toBe(400);
    expect(future.json.error.message).toBe('value: the upgrade date cannot be in the future (today is 2026-03-02)');
  });

  it('alerts/test reports that no endpoint is configured (503, not a silent success)', async () => {
    const res = await call('POST', 'alerts/test', { key: ADMIN_KEY });
    expect(res.status).toBe(503);
    expect(res.json.sent).toBe(false);
  });

  it('dashboard escapes target names and links into findings and readiness', async () => {
    const res = await call('GET', 'dashboard');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;evil&quot;');
    expect(res.text).toContain(`targets/${enc(CLOUD_REF.id)}/readiness`);
  });

  it('openapi.json lists every registered route and method', async () => {
    const res = await call('GET', 'openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toMatch(/^3\./);
    for (const r of host.httpRoutes) {
      for (const m of r.methods) expect(res.json.paths[`/${r.route}`]?.[m.toLowerCase()]).toBeDefined();
    }
  });

  it('unknown paths and methods answer with the error shape', async () => {
    const nf = await call('GET', 'nope');
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe('not_found');
    const mna = await call('PATCH', 'findings');
    expect(mna.status).toBe(405);
  });
});
