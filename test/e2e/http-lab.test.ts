/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are JSON read back from the wire */
import { startLocalHost, type LocalHost } from '../../dev/host';
import { SCAN_QUEUE } from '../../lib/queue';
import { setRuntime } from '../../lib/runtime';
import { labRuntime, type LabRuntime } from '../support/runtime';

/**
 * The whole product as deployed, minus Azure: every registered function on the local host, POST /api/scans through
 * the real queue and queue trigger, the lab's ARM and HCX managers over HTTPS, findings in Azurite.
 */
describe('HTTP API over a real scan of the lab (local host + queue + Azurite)', () => {
  let ctx: LabRuntime;
  let host: LocalHost;
  const bodies: string[] = [];

  const call = async (method: string, path: string): Promise<{ status: number; json: any; text: string }> => {
    const res = await fetch(`${host.url}/api/${path}`, { method, headers: { 'x-functions-key': host.adminKey } });
    const text = await res.text();
    bodies.push(text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };

  beforeAll(async () => {
    // The registered queue trigger reads hcxmon-scan: this is the only test file that uses that queue name.
    ctx = await labRuntime('hl', { runtime: { queueName: SCAN_QUEUE } });
    setRuntime(ctx.rt);
    host = await startLocalHost({ env: { AzureWebJobsStorage: ctx.env.AzureWebJobsStorage }, log: () => {} });
  });
  afterAll(async () => {
    await host?.stop();
    setRuntime(undefined);
    await ctx?.stop();
  });

  let scanId: string;

  it('POST /api/scans discovers the estate and queues one message per target; the queue trigger completes it', async () => {
    const started = await call('POST', 'scans');
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ enqueued: 8 });
    scanId = started.json.scanId;
    // The real host would poll the queue; the local host drains it with the registered queue trigger.
    const { processed, failed } = await host.drainQueues();
    expect(processed).toBe(8);
    expect(failed).toBe(0);
    const scan = await call('GET', `scans/${encodeURIComponent(scanId)}`);
    expect(scan.status).toBe(200);
    expect(scan.json).toMatchObject({ scanId, status: 'completed' });
    expect(scan.json.outcomes).toHaveLength(8);
    // The worker that saw the last target report recorded the scan's totals: the first scan finds everything new.
    const totals = scan.json.totals;
    expect(totals.new).toBe(totals.open + totals.unknown);
    expect(totals.open).toBe(
      Object.values(totals.openBySeverity as Record<string, number>).reduce((a, b) => a + b, 0),
    );
    expect(totals.open).toBeGreaterThan(0);
    expect(totals).toMatchObject({ resolved: 0, escalated: 0, suppressed: 0 });
  });

  it('serves the findings the scan produced, filtered', async () => {
    const critical = await call('GET', 'findings?severity=critical&status=open');
    expect(critical.status).toBe(200);
    const items = critical.json.items as any[];
    expect(items.map((f) => `${f.targetName} ${f.ruleId}`)).toEqual(
      expect.arrayContaining(['avs-legacy-neu hcx-wan-optimization-enabled', 'onprem-dc1 hcx-version-end-of-support']),
    );
    expect(items.every((f) => f.severity === 'critical' && f.status === 'open')).toBe(true);
    const csv = await call('GET', 'findings?format=csv&target=connector%3Aonprem-dc2');
    expect(csv.text.split('\n')[0]).toMatch(/^id,/);
    expect(csv.text).toContain('hcx-disaster-recovery-in-use');
  });

  it('explains the upgrade gate of the WAN-Opt cloud as blocked', async () => {
    const targets = await call('GET', 'targets');
    const legacy = (targets.json.items as any[]).find(
      (t) => t.name === 'avs-legacy-neu' || t.targetName === 'avs-legacy-neu',
    );
    expect(legacy).toBeDefined();
    const id = legacy.id ?? legacy.targetId;
    const r = await call('GET', `targets/${encodeURIComponent(id)}/readiness`);
    expect(r.status).toBe(200);
    expect(r.json.verdict).toBe('blocked');
    // The blocking check is the one tracked by the WAN Optimization rule (not merely a mention of "WAN").
    const blocking = (r.json.checks as any[]).filter((c) => c.ruleIds.includes('hcx-wan-optimization-enabled'));
    expect(blocking).toHaveLength(1);
    expect(blocking[0].status).toBe('fail');
  });

  it('shows every target on the dashboard, and no response ever carries a lab password', async () => {
    const dash = await call('GET', 'dashboard');
    expect(dash.status).toBe(200);
    for (const name of ['avs-prod-weu', 'avs-legacy-neu', 'avs-dr-eus', 'onprem-dc1', 'onprem-dc2', 'onprem-dc3']) {
      expect(dash.text).toContain(name);
    }
    // An alert's DashboardLink (lib/alerts/rows.ts) lands on the dashboard with that finding first.
    const critical = (await call('GET', 'findings?severity=critical&rule=hcx-wan-optimization-enabled')).json.items[0];
    const focused = await call('GET', `dashboard?finding=${encodeURIComponent(critical.id)}`);
    expect(focused.status).toBe(200);
    expect(focused.text).toContain(`data-finding-id="${critical.id}"`);
    expect(focused.text).toMatch(/what to do<\/th><td>[^<]*WAN Optimization/);
    const missing = await call('GET', 'dashboard?finding=no-such-finding');
    expect(missing.status).toBe(200);
    expect(missing.text).toContain('No finding no-such-finding is stored');
    const all = bodies.join('\n');
    for (const secret of ctx.lab.secrets) expect(all).not.toContain(secret);
  });
});
