import { InvocationContext, type Timer } from '@azure/functions';
import '../../functions/index';
import { scanTarget, scanTargetPoison } from '../../functions/scanTarget';
import { scheduleScan } from '../../functions/scheduleScan';
import { resolveQueuedTarget } from '../../lib/collect';
import { queueClient, type ScanMessage } from '../../lib/queue';
import { scanOneTarget } from '../../lib/scan';
import { setRuntime } from '../../lib/runtime';
import { registrations } from '../support/fakeFunctionsCore';
import { labRuntime, testStorage, type LabRuntime } from '../support/runtime';

function bindingsOf(name: string): Record<string, unknown>[] {
  const r = registrations.find((x) => x.metadata.name === name);
  if (!r) throw new Error(`${name} is not registered`);
  return Object.values(r.metadata.bindings);
}

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const context = (name: string): InvocationContext => new InvocationContext({ functionName: name, invocationId: name, logHandler: () => {} });

describe('function registrations', () => {
  it('registers the daily timer on the HCXMON_SCAN_SCHEDULE setting', () => {
    expect(bindingsOf('scheduleScan')).toEqual([expect.objectContaining({ type: 'timerTrigger', schedule: '%HCXMON_SCAN_SCHEDULE%' })]);
  });

  it('registers the fan-out queue trigger and its poison handler on the host storage connection', () => {
    expect(bindingsOf('scanTarget')).toEqual([
      expect.objectContaining({ type: 'queueTrigger', queueName: 'hcxmon-scan', connection: 'AzureWebJobsStorage' }),
    ]);
    expect(bindingsOf('scanTargetPoison')).toEqual([
      expect.objectContaining({ type: 'queueTrigger', queueName: 'hcxmon-scan-poison', connection: 'AzureWebJobsStorage' }),
    ]);
  });

  it('drains the alert outbox on a short timer', () => {
    expect(bindingsOf('dispatchAlerts')).toEqual([expect.objectContaining({ type: 'timerTrigger', schedule: '0 */5 * * * *' })]);
  });
});

describe('scheduleScan → queue → scanTarget (lab + Azurite)', () => {
  let ctx: LabRuntime;
  let messages: ScanMessage[] = [];

  beforeAll(async () => {
    ctx = await labRuntime('fn');
    setRuntime(ctx.rt);
  });
  afterAll(async () => {
    setRuntime(undefined);
    await ctx.stop();
  });

  it('the timer writes the scan row and enqueues one base64 JSON message per target', async () => {
    await scheduleScan(timer, context('scheduleScan'));
    const client = queueClient({ kind: 'connectionString', connectionString: testStorage() }, ctx.queueName);
    const got = await client.receiveMessages({ numberOfMessages: 32 });
    messages = got.receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as ScanMessage);
    expect(messages).toHaveLength(8);
    expect(new Set(messages.map((m) => m.scanId)).size).toBe(1);
    const scan = await ctx.rt.stores.scans.get(messages[0].scanId);
    expect(scan?.scan).toMatchObject({ trigger: 'timer', status: 'running' });
    expect(scan?.scan.targets).toHaveLength(8);
    // A message identifies work and nothing else: no URL, trust or setting name the worker could be steered by.
    for (const m of messages) expect(Object.keys(m.target).sort()).toEqual(['id', 'kind', 'name']);
    // Secrets never travel in queue messages.
    const text = JSON.stringify(messages);
    for (const secret of ctx.lab.secrets) expect(text).not.toContain(secret);
  });

  it('each message scans its target; the last one completes the scan (all at once, as scaled-out workers do)', async () => {
    await Promise.all(messages.map((m) => scanTarget(m, context('scanTarget'))));
    const scan = await ctx.rt.stores.scans.get(messages[0].scanId);
    expect(scan?.scan.status).toBe('completed');
    expect(scan?.targets).toHaveLength(8);
    expect(scan?.targets.find((t) => t.targetName === 'onprem-dc3')).toMatchObject({ status: 'unreachable' });
  });

  it('a redelivered message changes nothing: same rows, no new alert events', async () => {
    const target = messages.find((m) => m.target.name === 'avs-legacy-neu')!;
    const before = await ctx.rt.stores.findings.listForTarget(target.target.id);
    const depth = await ctx.rt.stores.outbox.depth();
    ctx.clock.advance(1);
    await scanTarget(target, context('scanTarget'));
    const after = await ctx.rt.stores.findings.listForTarget(target.target.id);
    expect(after).toEqual(before);
    expect(await ctx.rt.stores.outbox.depth()).toBe(depth);
  });

  it('two overlapping scans of one target leave exactly one row per finding', async () => {
    const target = resolveQueuedTarget(ctx.rt.config, messages.find((m) => m.target.name === 'onprem-dc2')!.target);
    ctx.clock.advance(1);
    const asOf = ctx.clock.current;
    const [a, b] = await Promise.all([
      scanOneTarget(ctx.rt.deps, { scanId: 'overlap-a', target, asOf }),
      scanOneTarget(ctx.rt.deps, { scanId: 'overlap-b', target, asOf: asOf.plus({ minutes: 1 }) }),
    ]);
    expect(a.outcome.status).toBe('ok');
    expect(b.outcome.status).toBe('ok');
    const rows = await ctx.rt.stores.findings.listForTarget(target.id);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(b.findings.map((f) => f.id).sort());
  });

  it('a poison message ends as a recorded failed target, not silence', async () => {
    const { scan } = await ctx.rt.enqueueScan('timer', { targetFilter: 'onprem-dc1' });
    const msg: ScanMessage = { scanId: scan.scanId, asOf: scan.asOf, target: { id: 'connector:onprem-dc1', name: 'onprem-dc1', kind: 'hcx-connector' } };
    await scanTargetPoison(msg, context('scanTargetPoison'));
    const stored = await ctx.rt.stores.scans.get(scan.scanId);
    expect(stored?.targets).toEqual([expect.objectContaining({ targetName: 'onprem-dc1', status: 'failed' })]);
    expect(stored?.scan.status).toBe('completed');
    // The findings of that target keep their last status: a failure never resolves them.
    const open = (await ctx.rt.stores.findings.listForTarget('connector:onprem-dc1')).filter((f) => f.status === 'open');
    expect(open.length).toBeGreaterThan(0);
  });

  it('a scan whose count was lost (worker died after recording) is completed by the 5-minute timer', async () => {
    const { scan } = await ctx.rt.enqueueScan('timer', { targetFilter: 'avs-prod-weu' });
    const target = messages.find((m) => m.target.name === 'avs-prod-weu')!.target;
    // The outcome is recorded, but the worker never counted it.
    await scanOneTarget(ctx.rt.deps, { scanId: scan.scanId, target, asOf: ctx.clock.current });
    expect((await ctx.rt.stores.scans.get(scan.scanId))?.scan.status).toBe('running');
    expect(await ctx.rt.completeStalledScans()).toBe(0); // too recent to call stalled
    ctx.clock.advance(1);
    expect(await ctx.rt.completeStalledScans()).toBeGreaterThanOrEqual(1);
    expect((await ctx.rt.stores.scans.get(scan.scanId))?.scan.status).toBe('completed');
  });

  it('a malformed message is dropped with an error, never retried into the poison queue', async () => {
    const errors: unknown[] = [];
    const c = new InvocationContext({ functionName: 'scanTarget', invocationId: 'x', logHandler: (level, ...args) => level === 'error' && errors.push(args) });
    await expect(scanTarget({ hello: 'world' }, c)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
