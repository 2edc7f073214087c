/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are JSON read back from the wire */
import { app } from '@azure/functions';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { upgradeScenario } from '../../dev/lab';
import { followUpScan } from '../../functions/followUpScan';
import { scanTarget } from '../../functions/scanTarget';
import { scheduleScan } from '../../functions/scheduleScan';
import '../../functions/http';
import { setRuntime } from '../../lib/runtime';
import { labRuntime, uniquePrefix, type LabRuntime } from '../support/runtime';

/**
 * An upgrade window through the local Functions host (issue 16): the timer, the scan queue trigger, the follow-up queue
 * trigger and the HTTP routes. This file is the host's entry: it registers the product's own handlers on queues of its
 * own (other test files share the Azurite), and the product's HTTP routes as they are.
 */
const prefix = uniquePrefix('uh').toLowerCase();
const SCAN_QUEUE = `s${prefix}`;
const FOLLOWUP_QUEUE = `f${prefix}`;
app.timer('scheduleScanT', { schedule: '0 0 5 * * *', handler: scheduleScan });
app.storageQueue('scanTargetT', { queueName: SCAN_QUEUE, connection: 'AzureWebJobsStorage', handler: scanTarget });
app.storageQueue('followUpScanT', { queueName: FOLLOWUP_QUEUE, connection: 'AzureWebJobsStorage', handler: followUpScan });

describe('upgrade window through the local host (timer → queue → delayed follow-up → HTTP)', () => {
  let ctx: LabRuntime;
  let host: LocalHost;
  let cloudId = '';

  const call = async (path: string): Promise<{ status: number; json: any; text: string }> => {
    const res = await fetch(`${host.url}/api/${path}`, { headers: { 'x-functions-key': host.adminKey } });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };

  beforeAll(async () => {
    ctx = await labRuntime('uh', {
      lab: {
        scenario: upgradeScenario({
          maintenances: [{ name: 'hcx-4113', displayName: 'HCX Cloud Manager upgrade', component: 'HCX', scheduledStartTime: '2026-12-10T22:00:00Z', estimatedDurationInMinutes: 480 }],
        }),
      },
      start: '2026-12-01T05:00:00Z',
      // One follow-up, made visible at once (the host polls; the delays are asserted in the integration test).
      env: { HCXMON_UPGRADE_FOLLOWUP_MINUTES: '15' },
      runtime: { queueName: SCAN_QUEUE, followUpQueueName: FOLLOWUP_QUEUE, followUpDelaySeconds: () => 0 },
    });
    setRuntime(ctx.rt);
    host = await startLocalHost({ entry: __filename, env: { AzureWebJobsStorage: ctx.env.AzureWebJobsStorage }, log: () => {} });
  });
  afterAll(async () => {
    await host?.stop();
    setRuntime(undefined);
    await ctx?.stop();
  });

  it('the first daily scan records the estate', async () => {
    await host.fireTimer('scheduleScanT');
    await host.drainQueues();
    const targets = await call('targets');
    cloudId = (targets.json.items ?? targets.json).find((t: any) => t.name === 'avs-up').id;
    expect(cloudId).toMatch(/avs-up$/);
    // The cloud's upcoming window, read from ARM, on its page.
    const page = await call(`dashboard/targets/${encodeURIComponent(cloudId)}`);
    expect(page.text).toContain('Scheduled maintenance');
    expect(page.text).toContain('HCX Cloud Manager upgrade');
    expect(page.text).toContain('2026-12-10T22:00:00.000Z');
  });

  it('an upgrade is seen by the next daily scan and verified by its follow-up through the queue; the page shows the live checklist', async () => {
    // Lagging for two scans: the daily scan that sees the upgrade and its follow-up.
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.3', lagScans: 2 });
    ctx.clock.advance(24);
    await host.fireTimer('scheduleScanT');
    const drained = await host.drainQueues();
    // Two targets of the daily scan, then the one follow-up the upgrade queued.
    expect(drained).toMatchObject({ processed: 3, failed: 0 });
    const scans = await call('scans');
    expect(JSON.stringify(scans.json)).toContain('"followup"');
    const during = await call(`dashboard/targets/${encodeURIComponent(cloudId)}`);
    expect(during.status).toBe(200);
    expect(during.text).toContain('Upgrade window');
    expect(during.text).toContain('<a href="https://learn.microsoft.com/azure/azure-vmware/upgrade-hcx-azure-vmware-solutions">');
    expect(during.text).toContain('Microsoft upgrades the HCX Cloud Manager; the HCX Connector and the Service Mesh appliances are upgraded by the customer.');
    expect(during.text).toContain('4.11.2 → 4.11.3');
    expect(during.text).toMatch(/OUT_OF_SYNC/);
    expect(during.text).toContain('2026-12-02T13:00:00.000Z');
    const target = await call(`targets/${encodeURIComponent(cloudId)}`);
    expect(target.json.upgrades).toHaveLength(1);
    expect(target.json.upgradeWindow.checklist.status).toBe('fail');
    const open = await call(`findings?target=${encodeURIComponent(cloudId)}&rule=hcx-upgrade-not-converged`);
    expect(JSON.stringify(open.json)).toContain('"open"');
  });

  it('the next scan sees convergence: the finding resolves and the page lists the upgrade as converged', async () => {
    ctx.clock.advance(24);
    await host.fireTimer('scheduleScanT');
    await host.drainQueues();
    const after = await call(`dashboard/targets/${encodeURIComponent(cloudId)}`);
    expect(after.text).not.toContain('Upgrade window');
    expect(after.text).toContain('2026-12-03T05:00:00.000Z');
    const resolved = await call(`findings?target=${encodeURIComponent(cloudId)}&rule=hcx-upgrade-not-converged&status=resolved`);
    expect(JSON.stringify(resolved.json)).toContain('hcx-upgrade-not-converged');
  });
});
