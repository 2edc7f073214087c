import type { Finding } from '../../lib/domain/finding';
import { findingId } from '../../lib/findings';
import { createRuntime } from '../../lib/runtime';
import { labRuntime, type LabRuntime } from '../support/runtime';

function byRule(findings: Finding[], targetName: string, ruleId: string): Finding[] {
  return findings.filter((f) => f.targetName === targetName && f.ruleId === ruleId);
}

describe('findings lifecycle across scans (lab + Azurite)', () => {
  let ctx: LabRuntime;
  beforeAll(async () => {
    ctx = await labRuntime('life');
  });
  afterAll(async () => {
    await ctx.stop();
  });

  const scanAll = async (): Promise<Finding[]> => {
    const result = await ctx.rt.scan({ trigger: 'cli' });
    return result.targets.flatMap((t) => t.findings);
  };

  it('keeps firstSeenAt and moves lastSeenAt on a second scan', async () => {
    const first = await scanAll();
    const wan1 = byRule(first, 'avs-legacy-neu', 'hcx-wan-optimization-enabled');
    expect(wan1).toHaveLength(1);
    expect(wan1[0]).toMatchObject({ status: 'open', severity: 'critical', firstSeenAt: '2026-11-21T05:00:00.000Z' });

    ctx.clock.advance(24);
    const second = await scanAll();
    const wan2 = byRule(second, 'avs-legacy-neu', 'hcx-wan-optimization-enabled');
    expect(wan2).toHaveLength(1);
    expect(wan2[0].id).toBe(wan1[0].id);
    expect(wan2[0].firstSeenAt).toBe('2026-11-21T05:00:00.000Z');
    expect(wan2[0].lastSeenAt).toBe('2026-11-22T05:00:00.000Z');
    // Stored exactly once.
    const stored = await ctx.rt.stores.findings.queryAll({ ruleId: 'hcx-wan-optimization-enabled' });
    expect(stored.filter((f) => f.id === wan1[0].id)).toHaveLength(1);
  });

  it('records on the scan what the alert dispatcher did: nothing configured, so the outbox is kept and counted', async () => {
    const { scans } = ctx.rt.stores;
    const latest = (await scans.list({ pageSize: 1 })).items[0];
    const stored = await scans.get(latest.scanId);
    expect(stored?.scan.alerts).toMatchObject({ configured: false, sent: 0 });
    expect(stored?.scan.alerts?.remaining).toBe(await ctx.rt.stores.outbox.depth());
    expect(stored?.scan.alerts?.remaining).toBeGreaterThan(0);
  });

  it('resolves the WAN-Opt finding once WAN Optimization is removed from the mesh', async () => {
    ctx.lab.updateManager('avs-legacy-neu', (m) => {
      for (const mesh of m.serviceMeshes) mesh.services = mesh.services.filter((s) => s !== 'WANOPT');
      m.appliances = m.appliances.filter((a) => !/WAN-OPT/i.test(a.applianceType));
    });
    ctx.clock.advance(24);
    const findings = await scanAll();
    const wan = byRule(findings, 'avs-legacy-neu', 'hcx-wan-optimization-enabled');
    expect(wan.every((f) => f.status === 'resolved')).toBe(true);
    expect(wan[0]).toMatchObject({ resolvedAt: '2026-11-23T05:00:00.000Z', firstSeenAt: '2026-11-21T05:00:00.000Z' });
    const events = await ctx.rt.stores.outbox.list(1000);
    // No alert endpoint is configured: the resolution is kept in the outbox for on-call, not dropped.
    expect(events.map((e) => e.event).filter((e) => e.findingId === wan[0].id && e.event === 'resolved')).toHaveLength(1);
  });

  it('keeps evaluating a suppressed finding and reopens it when the suppression ends', async () => {
    const legacy = (await ctx.rt.stores.inventory.listTargets()).find((t) => t.targetName === 'avs-legacy-neu')!.targetId;
    expect(legacy).toMatch(/^\/subscriptions\/.*\/privateclouds\/avs-legacy-neu$/);
    const eos = findingId('hcx-version-end-of-support', legacy, 'manager');
    const sup = await ctx.rt.addSuppression({
      ruleId: 'hcx-version-end-of-support',
      targetId: legacy,
      reason: 'Microsoft upgrade window booked for 2026-12-03',
      category: 'mitigated',
      expiresAt: '2026-12-31T00:00:00.000Z',
      createdBy: 'test',
    });
    ctx.clock.advance(24);
    let f = (await scanAll()).find((x) => x.id === eos)!;
    expect(f).toMatchObject({ status: 'suppressed', underlyingStatus: 'open', suppressionId: sup.id, lastSeenAt: '2026-11-24T05:00:00.000Z' });

    await ctx.rt.expireSuppression(sup.id);
    ctx.clock.advance(24);
    f = (await scanAll()).find((x) => x.id === eos)!;
    expect(f.status).toBe('open');
    expect(f.suppressionId).toBeUndefined();
  });

  it('counts what a target cost on the wire, Retry-After waits included', async () => {
    ctx.lab.setFaults('onprem-dc2', { throttle: { times: 1, retryAfterSeconds: 1, onPath: 'serviceMesh' } });
    ctx.clock.advance(24);
    const result = await ctx.rt.scan({ trigger: 'cli', targetFilter: 'onprem-dc2' });
    ctx.lab.setFaults('onprem-dc2', {});
    const { outcome } = result.targets[0];
    expect(outcome.status).toBe('ok');
    expect(outcome.http).toMatchObject({ retries: 1, retryAfterWaits: 1 });
    expect(outcome.http!.requests).toBeGreaterThan(10);
    expect(outcome.http!.waitedMs).toBeGreaterThanOrEqual(1000);
    // Recorded with the scan, for GET /api/scans/{id}.
    expect((await ctx.rt.stores.scans.get(result.scan.scanId))?.targets[0].http).toEqual(outcome.http);
  });

  it('turns findings of a manager that became unreachable into unknown, never resolved', async () => {
    const before = (await ctx.rt.stores.findings.listForTarget('connector:onprem-dc2')).filter((f) => f.status === 'open');
    expect(before.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['hcx-disaster-recovery-in-use', 'hcx-appliance-outdated']));

    ctx.lab.setFaults('onprem-dc2', { unreachable: true, applianceUnreachable: true });
    ctx.clock.advance(24);
    const result = await ctx.rt.scan({ trigger: 'cli', targetFilter: 'onprem-dc2' });
    expect(result.targets).toHaveLength(1);
    expect(result.targets[0].outcome).toMatchObject({ status: 'unreachable', errorClass: 'refused' });
    const after = new Map(result.targets[0].findings.map((f) => [f.id, f]));
    for (const f of before) {
      expect(after.get(f.id)).toMatchObject({ status: 'unknown', firstSeenAt: f.firstSeenAt });
      expect(after.get(f.id)?.resolvedAt).toBeUndefined();
    }
    expect(result.targets[0].findings.find((x) => x.ruleId === 'hcx-endpoint-unreachable' && x.subjectId === 'hybridity')).toMatchObject({
      status: 'open',
      severity: 'high',
    });
    ctx.lab.setFaults('onprem-dc2', {});
  });
});

describe('targets a scan does not reach', () => {
  let ctx: LabRuntime;
  beforeAll(async () => {
    ctx = await labRuntime('miss');
  });
  afterAll(async () => {
    await ctx.stop();
  });

  it('are judged stale after twice the scan period, their other findings kept as they were', async () => {
    await ctx.rt.scan({ trigger: 'cli' });
    const before = await ctx.rt.stores.findings.listForTarget('connector:onprem-dc1');
    // Discovery fails (Resource Graph refused, and the per-subscription listing it falls back to fails too) and the
    // connector leaves the configuration: neither is scanned any more.
    ctx.lab.setArmFaults({ graphForbidden: true, http5xxOnPath: '/providers/Microsoft.AVS/privateClouds', http5xxStatus: 501 });
    const env = { ...ctx.env, HCXMON_CONNECTORS: JSON.stringify(JSON.parse(ctx.env.HCXMON_CONNECTORS).filter((c: { name: string }) => c.name !== 'onprem-dc1')) };
    const rt2 = createRuntime({ env, tablePrefix: (ctx.rt.stores.tableNames.findings.replace(/findings$/, '')), now: ctx.clock.now });

    ctx.clock.advance(24);
    let result = await rt2.scan({ trigger: 'cli' });
    expect(result.scan.discoveryErrors.length).toBeGreaterThan(0);
    expect(result.targets.map((t) => t.outcome.targetName)).not.toContain('onprem-dc1');
    let stale = (await rt2.stores.findings.listForTarget('connector:onprem-dc1')).find((f) => f.ruleId === 'hcx-scan-stale');
    expect(stale).toBeUndefined(); // 24 h: still fresh, nothing to report
    // Each subscription that could not be read is a finding of its own, not a gap.
    const subscriptionTargets = ctx.lab.subscriptionIds.map((sub) => `/subscriptions/${sub.toLowerCase()}`).sort();
    const unreadable = await rt2.stores.findings.queryAll({ ruleId: 'avs-discovery-scope-unreadable', status: 'open' });
    expect(unreadable.map((f) => f.targetId).sort()).toEqual(subscriptionTargets);
    expect(unreadable[0]).toMatchObject({ severity: 'high', owner: 'customer' });

    ctx.clock.advance(25);
    result = await rt2.scan({ trigger: 'cli' });
    const after = await rt2.stores.findings.listForTarget('connector:onprem-dc1');
    stale = after.find((f) => f.ruleId === 'hcx-scan-stale');
    expect(stale).toMatchObject({ status: 'open', severity: 'high' });
    const cloudStale = (await rt2.stores.findings.queryAll({ ruleId: 'hcx-scan-stale', status: 'open' })).map((f) => f.targetName);
    expect(cloudStale).toEqual(expect.arrayContaining(['onprem-dc1', 'avs-legacy-neu', 'avs-prod-weu']));
    // Everything else about the missed target is left as it was, never resolved by its absence.
    for (const f of before.filter((x) => x.ruleId !== 'hcx-scan-stale')) {
      expect(after.find((x) => x.id === f.id)?.status).toBe(f.status);
    }
    ctx.lab.setArmFaults({});

    // The connector was decommissioned: forgetting it ends the stale finding with everything else about it.
    const gone = await rt2.forgetTarget('connector:onprem-dc1');
    expect(gone.findings).toBeGreaterThan(0);
    expect(await rt2.stores.findings.listForTarget('connector:onprem-dc1')).toEqual([]);
    expect(await rt2.stores.inventory.getLatest('connector:onprem-dc1')).toBeUndefined();
    ctx.clock.advance(24);
    await rt2.scan({ trigger: 'cli' });
    expect(await rt2.stores.findings.listForTarget('connector:onprem-dc1')).toEqual([]);
    // Discovery reads both subscriptions again: their findings are resolved.
    const reread = await rt2.stores.findings.queryAll({ ruleId: 'avs-discovery-scope-unreadable' });
    expect(reread.map((f) => [f.targetId, f.status]).sort()).toEqual(subscriptionTargets.map((t) => [t, 'resolved']));
    await expect(rt2.forgetTarget('connector:onprem-dc1')).rejects.toThrow(/nothing is stored/);
  });
});
