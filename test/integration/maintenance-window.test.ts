import '../../functions/index';
import { followUpScan } from '../../functions/followUpScan';
import { scanTarget } from '../../functions/scanTarget';
import { scheduleScan } from '../../functions/scheduleScan';
import { upgradeScenario } from '../../dev/lab';
import type { AlertEvent } from '../../lib/domain/alert';
import type { ScanMessage } from '../../lib/queue';
import { setRuntime } from '../../lib/runtime';
import type { FollowUpMessage } from '../../lib/upgrade/followup';
import { invocation, receiveMessages, timer } from '../support/functionsHarness';
import { labRuntime, uniquePrefix, type LabRuntime } from '../support/runtime';

/**
 * A full maintenance window in the lab through the Functions (issue 16): Microsoft schedules the HCX upgrade of a
 * cloud whose gate is blocked (WAN Optimization enabled) → the gate's findings take the window's start as deadline →
 * the customer disables WAN Optimization → Microsoft upgrades → the scan detects it → follow-up rescans → converged →
 * resolved; each step's alert events are checked.
 */
const context = (name: string) => invocation(name);

const receive = receiveMessages;

describe('a maintenance window end to end (lab + Azurite + the Functions)', () => {
  let ctx: LabRuntime;
  const followUpQueueName = `m${uniquePrefix('mw').toLowerCase()}`;
  let cloudId = '';
  const seen = new Set<string>();

  async function dailyScan(): Promise<void> {
    await scheduleScan(timer, context('scheduleScan'));
    const messages = await receive<ScanMessage>(ctx.queueName);
    await Promise.all(messages.map((m) => scanTarget(m, context('scanTarget'))));
  }
  /** Alert events of the cloud written since the last call. */
  async function newEvents(): Promise<AlertEvent[]> {
    const all = (await ctx.rt.stores.outbox.list(1000)).map((e) => e.event).filter((e) => e.targetId === cloudId);
    const fresh = all.filter((e) => !seen.has(e.id));
    for (const e of fresh) seen.add(e.id);
    return fresh;
  }
  const finding = async (rule: string) => (await ctx.rt.stores.findings.listForTarget(cloudId)).find((f) => f.ruleId === rule);
  const brief = (events: AlertEvent[]) => events.map((e) => `${e.event} ${e.ruleId} ${e.severity}`).sort();

  beforeAll(async () => {
    ctx = await labRuntime('mw', {
      lab: {
        scenario: upgradeScenario({
          wanOpt: true,
          maintenances: [
            { name: 'hcx-4113', displayName: 'HCX Cloud Manager upgrade to 4.11.3', component: 'HCX', scheduledStartTime: '2026-12-10T22:00:00Z', estimatedDurationInMinutes: 480 },
          ],
          plannedMaintenance: [
            { trackingId: 'PM-AVS-1', title: 'Azure VMware Solution: HCX upgrade', impactStartTime: '2026-12-10T22:00:00Z', impactMitigationTime: '2026-12-11T06:00:00Z' },
          ],
        }),
      },
      start: '2026-12-01T05:00:00Z',
      env: { HCXMON_UPGRADE_FOLLOWUP_MINUTES: '15,60' },
      runtime: { followUpQueueName, followUpDelaySeconds: () => 0 },
    });
    setRuntime(ctx.rt);
  });
  afterAll(async () => {
    setRuntime(undefined);
    await ctx.stop();
  });

  it('scheduled: the window is read from ARM and the blocked gate escalates with the window start as deadline', async () => {
    await dailyScan();
    cloudId = (await ctx.rt.stores.inventory.listTargets()).find((t) => t.targetName === 'avs-up')!.targetId;
    const inv = await ctx.rt.stores.inventory.getLatest(cloudId);
    expect(inv?.arm?.maintenance?.windows).toEqual([
      expect.objectContaining({ source: 'avs-maintenance', id: 'hcx-4113', component: 'HCX', startsAt: '2026-12-10T22:00:00.000Z', endsAt: '2026-12-11T06:00:00.000Z', state: 'Scheduled' }),
      expect.objectContaining({ source: 'service-health', id: 'PM-AVS-1', startsAt: '2026-12-10T22:00:00.000Z' }),
    ]);
    const window = await finding('hcx-upgrade-window-blocked');
    expect(window).toMatchObject({ status: 'open', severity: 'critical', deadline: expect.objectContaining({ date: '2026-12-10', basis: 'arm', daysLeft: 9 }) });
    expect(window!.message).toContain('hcx-wan-optimization-enabled');
    const wan = await finding('hcx-wan-optimization-enabled');
    expect(wan).toMatchObject({ status: 'open', deadline: expect.objectContaining({ date: '2026-12-10' }) });
    expect(wan!.message).toContain('It blocks the upgrade');
    expect(brief(await newEvents())).toEqual(expect.arrayContaining(['opened hcx-upgrade-window-blocked critical', 'opened hcx-wan-optimization-enabled critical']));
  });

  it('the customer disables WAN Optimization: the gate passes and the window finding resolves', async () => {
    ctx.lab.updateManager('avs-up', (m) => {
      m.serviceMeshes[0].services = m.serviceMeshes[0].services.filter((s) => s !== 'WANOPT');
      m.appliances = m.appliances.filter((a) => a.applianceType !== 'HCX-WAN-OPT');
    });
    ctx.lab.updateManager('dc-up', (m) => {
      m.serviceMeshes[0].services = m.serviceMeshes[0].services.filter((s) => s !== 'WANOPT');
      m.appliances = m.appliances.filter((a) => a.applianceType !== 'HCX-WAN-OPT');
    });
    ctx.clock.advance(24);
    await dailyScan();
    expect(await finding('hcx-upgrade-window-blocked')).toMatchObject({ status: 'resolved' });
    expect(brief(await newEvents())).toEqual(expect.arrayContaining(['resolved hcx-upgrade-window-blocked critical', 'resolved hcx-wan-optimization-enabled critical']));
  });

  it('Microsoft upgrades in the window: detected, followed up, converged and resolved', async () => {
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.3', lagScans: 2 });
    ctx.clock.current = ctx.clock.current.set({ day: 11, hour: 5 });
    await dailyScan();
    expect((await ctx.rt.stores.inventory.getHistory(cloudId)).upgrades).toEqual([
      expect.objectContaining({ fromVersion: '4.11.2', toVersion: '4.11.3', lastSeenFromAt: '2026-12-02T05:00:00.000Z', firstSeenToAt: '2026-12-11T05:00:00.000Z' }),
    ]);
    expect(brief(await newEvents())).toEqual(expect.arrayContaining(['upgraded hcx-upgrade-not-converged info', 'opened hcx-upgrade-not-converged medium']));
    const followUps = (await receive<FollowUpMessage>(followUpQueueName)).sort((a, b) => a.step - b.step);
    expect(followUps.map((m) => m.step)).toEqual([0, 1]);

    ctx.clock.advance(0.25);
    await followUpScan(followUps[0], context('followUpScan'));
    expect(await finding('hcx-upgrade-not-converged')).toMatchObject({ status: 'open' });
    expect(await newEvents()).toEqual([]);

    ctx.clock.advance(0.75);
    await followUpScan(followUps[1], context('followUpScan'));
    expect(await finding('hcx-upgrade-not-converged')).toMatchObject({ status: 'resolved' });
    expect(brief(await newEvents())).toEqual(expect.arrayContaining(['resolved hcx-upgrade-not-converged medium']));
  });
});

describe('an unreadable schedule is unknown, never "nothing scheduled" (lab)', () => {
  let ctx: LabRuntime;
  beforeAll(async () => {
    ctx = await labRuntime('mu', { lab: { scenario: upgradeScenario() }, start: '2026-12-01T05:00:00Z' });
  });
  afterAll(async () => ctx.stop());

  const windowFinding = async () => {
    const id = (await ctx.rt.stores.inventory.listTargets()).find((t) => t.targetName === 'avs-up')!.targetId;
    return { id, f: (await ctx.rt.stores.findings.listForTarget(id)).find((x) => x.ruleId === 'hcx-upgrade-window-blocked') };
  };

  it('nothing scheduled: pass (no finding opened)', async () => {
    await ctx.rt.scan({ trigger: 'cli' });
    const { id, f } = await windowFinding();
    expect(f).toBeUndefined();
    expect((await ctx.rt.stores.inventory.getLatest(id))?.arm?.maintenance).toEqual({ windows: [], problems: [] });
  });

  it('the maintenances API answers 404: unknown, with the call named', async () => {
    ctx.lab.scenario.subscriptions[0].clouds[0].maintenancesStatus = 404;
    ctx.clock.advance(24);
    await ctx.rt.scan({ trigger: 'cli' });
    const { id, f } = await windowFinding();
    expect(f).toMatchObject({ status: 'unknown' });
    expect(f!.message).toContain('arm maintenances: HTTP 404');
    const inv = await ctx.rt.stores.inventory.getLatest(id);
    expect(inv?.arm?.maintenance).toBeUndefined();
    expect(inv?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ call: 'maintenances', status: 404 })]));
  });

  it('an answer in another shape: unknown, with what could not be read', async () => {
    const cloud = ctx.lab.scenario.subscriptions[0].clouds[0];
    delete cloud.maintenancesStatus;
    cloud.maintenancesBody = { maintenances: [{ start: 'tomorrow' }] };
    ctx.clock.advance(24);
    await ctx.rt.scan({ trigger: 'cli' });
    const { f } = await windowFinding();
    expect(f).toMatchObject({ status: 'unknown' });
    expect(f!.message).toContain('maintenances: the answer has no "value" list');
  });

  it('a next page announced at another address: unknown (pages exist that were not read), never the end of the list', async () => {
    const cloud = ctx.lab.scenario.subscriptions[0].clouds[0];
    cloud.maintenancesBody = { value: [], nextLink: 'https://elsewhere.example/maintenances?page=2' };
    ctx.clock.advance(24);
    await ctx.rt.scan({ trigger: 'cli' });
    const { f } = await windowFinding();
    expect(f).toMatchObject({ status: 'unknown' });
    expect(f!.message).toContain('maintenances: a next page was announced at another address and not read');
  });

  it("Service Health: another region's AVS maintenance and another service's are not this cloud's windows", async () => {
    const cloud = ctx.lab.scenario.subscriptions[0].clouds[0];
    delete cloud.maintenancesBody;
    ctx.lab.scenario.subscriptions[0].plannedMaintenance = [
      { trackingId: 'PM-EUS', title: 'AVS maintenance in East US', impactStartTime: '2026-12-20T22:00:00Z', region: 'East US' },
      { trackingId: 'PM-OTHER', title: 'Another service', impactStartTime: '2026-12-20T22:00:00Z', service: 'VMware Tanzu on Azure' },
      { trackingId: 'PM-WEU', title: 'AVS maintenance in West Europe', impactStartTime: '2026-12-21T22:00:00Z', region: 'West Europe' },
    ];
    ctx.clock.advance(24);
    await ctx.rt.scan({ trigger: 'cli' });
    const { id } = await windowFinding();
    const inv = await ctx.rt.stores.inventory.getLatest(id);
    expect(inv?.arm?.location).toBe('westeurope');
    expect(inv?.arm?.maintenance?.windows.map((w) => w.id)).toEqual(['PM-WEU']);
  });
});
