import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { DateTime } from 'luxon';
import '../../functions/index';
import { scanTarget, scanTargetPoison } from '../../functions/scanTarget';
import { startLab, type LabHandle } from '../../dev/lab';
import { createRuntime, setRuntime, type Runtime } from '../../lib/runtime';
import type { ScanRecord } from '../../lib/scan-types';
import { TestClock, testStorage, uniquePrefix } from '../support/runtime';

/**
 * Attack: whoever can write to the scan queue forges a message for a configured target. Before, the worker ran a
 * real collection (listAdminCredentials, HCX login) for any scan id and committed findings at the message's asOf,
 * so the attacker chose the date suppressions and deadlines were judged at, and the events that reached the outbox.
 * Now a message only points at work a scan row holds: the row must exist, be running and list the target, and the
 * worker evaluates at the row's asOf.
 */
describe("a queue message cannot choose the scan, its date or its target (queue worker, lab, Azurite)", () => {
  let lab: LabHandle;
  let rt: Runtime;
  const reads = new Set<string>();
  const errors: string[] = [];
  const clock = new TestClock(DateTime.fromISO('2026-11-21T05:00:00Z', { zone: 'utc' }));
  const context = (name: string): InvocationContext =>
    new InvocationContext({
      functionName: name,
      invocationId: 'sec',
      logHandler: (level, ...args) => void (level === 'error' && errors.push(args.join(' '))),
    });
  const dc1 = { id: 'connector:onprem-dc1', name: 'onprem-dc1', kind: 'hcx-connector' } as const;
  const dc2 = { id: 'connector:onprem-dc2', name: 'onprem-dc2', kind: 'hcx-connector' } as const;
  const passwordsRead = (): string[] => [...reads].filter((k) => /PASSWORD|TOKEN|SECRET/i.test(k));
  const row = async (over: Partial<ScanRecord>): Promise<ScanRecord> => {
    const at = clock.now().toUTC().toISO()!;
    const r: ScanRecord = { scanId: `sec-${randomBytes(4).toString('hex')}`, trigger: 'timer', asOf: at, startedAt: at, targets: [dc1], discoveryErrors: [], status: 'running', ...over };
    await rt.stores.scans.start(r);
    return r;
  };

  beforeAll(async () => {
    lab = await startLab();
    const base: Record<string, string> = { ...lab.env, HCXMON_STORAGE: testStorage(), AzureWebJobsStorage: testStorage() };
    const env = new Proxy(base, {
      get: (t, k) => {
        if (typeof k === 'string') reads.add(k);
        return t[k as string];
      },
    });
    const prefix = uniquePrefix('secrow');
    rt = createRuntime({ env, tablePrefix: prefix, queueName: `q${prefix.toLowerCase()}`, now: clock.now });
    setRuntime(rt);
  });
  beforeEach(() => {
    reads.clear();
    errors.length = 0;
    lab.requests.length = 0;
  });
  afterAll(async () => {
    setRuntime(undefined);
    await lab?.stop();
  });

  const expectNothingCollected = (): void => {
    expect(lab.requests).toEqual([]);
    expect(passwordsRead()).toEqual([]);
    expect(errors.join('\n')).toMatch(/refused/);
  };

  it('a message naming a scan that was never started is refused: no ARM or HCX request, no password read, nothing stored', async () => {
    const scanId = `forged-${randomBytes(4).toString('hex')}`;
    await scanTarget({ scanId, asOf: '2031-01-01T00:00:00Z', expected: 1, target: dc1 }, context('scanTarget'));
    expectNothingCollected();
    expect(await rt.stores.scans.getTarget(scanId, dc1.id)).toBeUndefined();
    expect(await rt.stores.outbox.depth()).toBe(0);
  });

  it("the scan row's asOf and target name are used, not the message's", async () => {
    const scan = await row({});
    clock.advance(1);
    await scanTarget({ scanId: scan.scanId, asOf: '2031-01-01T00:00:00Z', expected: 1, target: { ...dc1, name: 'forged\nname' } }, context('scanTarget'));
    expect(errors).toEqual([]);
    expect(lab.requests.some((r) => r.manager === 'onprem-dc1')).toBe(true);
    const findings = await rt.stores.findings.listForTarget(dc1.id);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f.lastEvaluatedAt).toBe(scan.asOf);
    const stored = await rt.stores.scans.get(scan.scanId);
    expect(stored?.targets).toEqual([expect.objectContaining({ targetName: 'onprem-dc1' })]);
    expect(stored?.scan.status).toBe('completed');
  });

  it('a message for a completed scan is refused', async () => {
    const scan = await row({ status: 'completed', targets: [dc2] });
    await scanTarget({ scanId: scan.scanId, asOf: scan.asOf, target: dc2 }, context('scanTarget'));
    expectNothingCollected();
    expect(await rt.stores.scans.getTarget(scan.scanId, dc2.id)).toBeUndefined();
  });

  it('a message for a target its running scan does not list is refused, and the scan is not touched', async () => {
    const scan = await row({ targets: [dc1] });
    await scanTarget({ scanId: scan.scanId, asOf: scan.asOf, expected: 1, target: dc2 }, context('scanTarget'));
    expectNothingCollected();
    const stored = await rt.stores.scans.get(scan.scanId);
    expect(stored?.targets).toEqual([]);
    expect(stored?.scan.status).toBe('running');
  });

  it('a forged poison message records nothing', async () => {
    const scanId = `forged-${randomBytes(4).toString('hex')}`;
    await scanTargetPoison({ scanId, asOf: '2031-01-01T00:00:00Z', target: dc1 }, context('scanTargetPoison'));
    const scan = await row({ targets: [dc1] });
    await scanTargetPoison({ scanId: scan.scanId, asOf: scan.asOf, target: dc2 }, context('scanTargetPoison'));
    expect(await rt.stores.scans.getTarget(scanId, dc1.id)).toBeUndefined();
    expect((await rt.stores.scans.get(scan.scanId))?.targets).toEqual([]);
    expect(errors.filter((e) => /refused/.test(e))).toHaveLength(2);
  });
});
