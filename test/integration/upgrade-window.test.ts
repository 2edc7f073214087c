import '../../functions/index';
import { followUpScan, followUpScanPoison } from '../../functions/followUpScan';
import { scanTarget } from '../../functions/scanTarget';
import { scheduleScan } from '../../functions/scheduleScan';
import { upgradeScenario } from '../../dev/lab';
import { queueClient, type ScanMessage } from '../../lib/queue';
import { setRuntime } from '../../lib/runtime';
import { FollowUpQueue, followUpMessages, followUpScanId, type FollowUpMessage } from '../../lib/upgrade/followup';
import { registrations } from '../support/fakeFunctionsCore';
import { invocation, receiveMessages, timer } from '../support/functionsHarness';
import { labRuntime, testStorage, uniquePrefix, type LabRuntime } from '../support/runtime';

const RULE = 'hcx-upgrade-not-converged';
const logs: string[] = [];
const context = (name: string) => invocation(name, logs);

const connection = { kind: 'connectionString', connectionString: testStorage() } as const;

const receive = receiveMessages;

describe('registrations', () => {
  it('registers the follow-up queue trigger on the host storage connection', () => {
    const r = registrations.find((x) => x.metadata.name === 'followUpScan');
    expect(Object.values(r!.metadata.bindings)).toEqual([
      expect.objectContaining({ type: 'queueTrigger', queueName: 'hcxmon-followup', connection: 'AzureWebJobsStorage' }),
    ]);
    const poison = registrations.find((x) => x.metadata.name === 'followUpScanPoison');
    expect(Object.values(poison!.metadata.bindings)).toEqual([
      expect.objectContaining({ type: 'queueTrigger', queueName: 'hcxmon-followup-poison', connection: 'AzureWebJobsStorage' }),
    ]);
  });
});

describe('an upgrade window through the Functions (timer → queue → follow-ups with delays), lab + Azurite', () => {
  let ctx: LabRuntime;
  const followUpQueueName = `f${uniquePrefix('up').toLowerCase()}`;
  let cloudId = '';

  /** The timer, then every queued target through the queue trigger, as the host would. */
  async function dailyScan(): Promise<void> {
    await scheduleScan(timer, context('scheduleScan'));
    const messages = await receive<ScanMessage>(ctx.queueName);
    await Promise.all(messages.map((m) => scanTarget(m, context('scanTarget'))));
  }

  const finding = async () => (await ctx.rt.stores.findings.listForTarget(cloudId)).find((f) => f.ruleId === RULE);
  const outbox = async () => (await ctx.rt.stores.outbox.list(1000)).map((e) => e.event).filter((e) => e.targetId === cloudId);

  beforeAll(async () => {
    ctx = await labRuntime('up', {
      lab: { scenario: upgradeScenario() },
      start: '2026-12-01T05:00:00Z',
      // The delays themselves are checked below on a queue of their own; here the follow-ups are visible at once so
      // the test drives them in order instead of waiting (the clock is moved by hand).
      runtime: { followUpQueueName, followUpDelaySeconds: () => 0 },
    });
    setRuntime(ctx.rt);
  });
  afterAll(async () => {
    setRuntime(undefined);
    await ctx.stop();
  });

  it('before any upgrade: nothing to verify, no follow-ups', async () => {
    await dailyScan();
    const targets = await ctx.rt.stores.inventory.listTargets();
    cloudId = targets.find((t) => t.targetName === 'avs-up')!.targetId;
    expect(await finding()).toBeUndefined();
    expect((await ctx.rt.stores.inventory.getHistory(cloudId)).upgrades).toBeUndefined();
    expect(await receive<FollowUpMessage>(followUpQueueName)).toEqual([]);
  });

  let followUps: FollowUpMessage[] = [];

  it('an upgrade between two scans is recorded with both versions and the bracketing scan times, and sent as an info event', async () => {
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.3', lagScans: 2 });
    ctx.clock.advance(24);
    await dailyScan();
    const history = await ctx.rt.stores.inventory.getHistory(cloudId);
    expect(history.upgrades).toEqual([
      {
        fromVersion: '4.11.2',
        toVersion: '4.11.3',
        lastSeenFromAt: '2026-12-01T05:00:00.000Z',
        firstSeenToAt: '2026-12-02T05:00:00.000Z',
        extensionsBefore: 1,
      },
    ]);
    const events = await outbox();
    expect(events.filter((e) => e.event === 'upgraded')).toEqual([
      expect.objectContaining({ severity: 'info', ruleId: RULE, owner: 'microsoft', message: expect.stringContaining('from 4.11.2 to 4.11.3') }),
    ]);
    const f = await finding();
    expect(f).toMatchObject({ status: 'open', severity: 'medium', deadline: expect.objectContaining({ date: '2026-12-02' }) });
    expect(f!.message).toMatch(/runs 4\.11\.2, the manager 4\.11\.3/);
    expect(f!.message).toMatch(/OUT_OF_SYNC/);
    expect(f!.evidence).toMatchObject({ windowEndsAt: '2026-12-02T13:00:00.000Z' });
    expect(events.filter((e) => e.event === 'opened' && e.ruleId === RULE)).toHaveLength(1);
    followUps = await receive<FollowUpMessage>(followUpQueueName);
    expect(followUps.map((m) => m.step).sort()).toEqual([0, 1, 2]);
    // Ids only: the worker re-reads everything else (the target's name included).
    for (const m of followUps) {
      expect(Object.keys(m).sort()).toEqual(['step', 'target', 'upgradeAt']);
      expect(Object.keys(m.target).sort()).toEqual(['id', 'kind']);
    }
  });

  it('a follow-up still inside the lag keeps the finding open; the next one sees convergence and resolves it', async () => {
    const byStep = (n: number) => followUps.find((m) => m.step === n)!;
    ctx.clock.advance(0.25);
    await followUpScan(byStep(0), context('followUpScan'));
    expect(await finding()).toMatchObject({ status: 'open' });
    ctx.clock.advance(0.75);
    await followUpScan(byStep(1), context('followUpScan'));
    const f = await finding();
    expect(f).toMatchObject({ status: 'resolved', resolvedAt: '2026-12-02T06:00:00.000Z' });
    const history = await ctx.rt.stores.inventory.getHistory(cloudId);
    expect(history.upgrades?.[0].convergedAt).toBe('2026-12-02T06:00:00.000Z');
    expect((await outbox()).filter((e) => e.ruleId === RULE && e.event === 'resolved')).toHaveLength(1);
    // Each follow-up is a scan of its own, completed, with the trigger that says why it ran.
    const scans = (await ctx.rt.stores.scans.list({ pageSize: 10 })).items.filter((s) => s.trigger === 'followup');
    expect(scans).toHaveLength(2);
    expect(scans.every((s) => s.status === 'completed' && s.targets.length === 1)).toBe(true);
  });

  it('the last follow-up finds the upgrade converged and scans nothing; a redelivered one does nothing twice', async () => {
    const before = ctx.lab.requests.length;
    ctx.clock.advance(5);
    await followUpScan(followUps.find((m) => m.step === 2)!, context('followUpScan'));
    await followUpScan(followUps.find((m) => m.step === 1)!, context('followUpScan'));
    expect(ctx.lab.requests.length).toBe(before);
    expect(logs.some((l) => /skipped \(converged\)/.test(l))).toBe(true);
  });

  it('a name in a follow-up message (forged, or queued before ids-only) never reaches the logs: the stored name does', async () => {
    const n = logs.length;
    await followUpScan({ ...followUps[0], target: { ...followUps[0].target, name: 'evil\nname' } }, context('followUpScan'));
    const fresh = logs.slice(n);
    expect(fresh.join('\n')).not.toContain('evil');
    expect(fresh.some((l) => /follow-up 1 of avs-up: skipped/.test(l))).toBe(true);
  });

  it('refuses a follow-up for an upgrade the history does not hold, without collecting anything', async () => {
    const before = ctx.lab.requests.length;
    const forged = { ...followUps[0], upgradeAt: '2026-12-03T00:00:00.000Z' };
    await followUpScan(forged, context('followUpScan'));
    await followUpScan({ ...followUps[0], step: 7 }, context('followUpScan'));
    expect(ctx.lab.requests.length).toBe(before);
    expect(logs.filter((l) => /refused a message/.test(l))).toHaveLength(2);
  });

  it('a follow-up that failed every delivery ends its scan row failed, never left running', async () => {
    const msg = { ...followUps[0], step: 2 };
    const scanId = followUpScanId(msg);
    const at = ctx.clock.now().toUTC().toISO()!;
    // As a worker that died after writing the row would leave it.
    await ctx.rt.stores.scans.start({
      scanId,
      trigger: 'followup',
      asOf: at,
      startedAt: at,
      targets: [{ id: cloudId, name: 'avs-up', kind: 'avs-private-cloud' }],
      targetFilter: cloudId,
      discoveryErrors: [],
      status: 'running',
    });
    await followUpScanPoison(msg, context('followUpScanPoison'));
    const got = await ctx.rt.stores.scans.get(scanId);
    expect(got?.scan.status).toBe('completed');
    expect(got?.targets).toEqual([expect.objectContaining({ status: 'failed', message: expect.stringContaining('poison message') })]);
  });

  it('sends each follow-up with its configured delay as the visibility timeout (nothing visible until then)', async () => {
    const name = `d${uniquePrefix('up').toLowerCase()}`;
    const client = queueClient(connection, name);
    const history = await ctx.rt.stores.inventory.getHistory(cloudId);
    const ref = { id: cloudId, kind: 'avs-private-cloud' as const };
    await new FollowUpQueue(client).send(followUpMessages(ref, history.upgrades![0], [15, 60, 360]));
    expect((await client.getProperties()).approximateMessagesCount).toBe(3);
    expect((await client.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toHaveLength(0);
    await client.delete();
  });
});

describe('a scan message redelivered after its follow-ups failed to queue (lab + Azurite)', () => {
  let ctx: LabRuntime;
  const followUpQueueName = `g${uniquePrefix('ur').toLowerCase()}`;
  // The follow-up queue fails once (a transient storage error after the scan's commit), then works.
  let failures = 1;

  beforeAll(async () => {
    ctx = await labRuntime('ur', {
      lab: { scenario: upgradeScenario() },
      start: '2026-12-01T05:00:00Z',
      runtime: {
        followUpQueueName,
        followUpDelaySeconds: () => {
          if (failures-- > 0) throw new Error('queue unavailable');
          return 0;
        },
      },
    });
    setRuntime(ctx.rt);
  });
  afterAll(async () => {
    setRuntime(undefined);
    await ctx.stop();
  });

  it('the retried message finds the scan done and still queues the upgrade’s follow-ups', async () => {
    await scheduleScan(timer, context('scheduleScan'));
    await Promise.all((await receive<ScanMessage>(ctx.queueName)).map((m) => scanTarget(m, context('scanTarget'))));
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.3', lagScans: 2 });
    ctx.clock.advance(24);
    await scheduleScan(timer, context('scheduleScan'));
    const messages = await receive<ScanMessage>(ctx.queueName);
    const cloud = messages.find((m) => m.target.name === 'avs-up')!;
    // First delivery: the scan commits (the upgrade is in the history), the follow-ups do not get queued.
    await expect(scanTarget(cloud, context('scanTarget'))).rejects.toThrow();
    expect((await ctx.rt.stores.inventory.getHistory(cloud.target.id)).upgrades).toHaveLength(1);
    expect(await receive<FollowUpMessage>(followUpQueueName)).toEqual([]);
    // The host redelivers it.
    await scanTarget(cloud, context('scanTarget'));
    const followUps = await receive<FollowUpMessage>(followUpQueueName);
    expect(followUps.map((m) => m.step).sort()).toEqual([0, 1, 2]);
    expect(new Set(followUps.map((m) => m.upgradeAt))).toEqual(new Set(['2026-12-02T05:00:00.000Z']));
  });
});
