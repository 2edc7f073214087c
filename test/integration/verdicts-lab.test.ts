/**
 * The verdicts of issue 11 through the whole product: lab over HTTPS (the HCX wire shapes of hcx-api.md) →
 * collection → rules → reconcile → Azurite, one scan per case, read back as a user would.
 */
import { evaluateReadiness } from '../../lib/api/readiness';
import type { Finding } from '../../lib/domain/finding';
import type { LabManagerState } from '../../dev/lab/types';
import { labRuntime, type LabRuntime } from '../support/runtime';

describe('verdicts the upgrade guides demand, end to end on the lab', () => {
  let ctx: LabRuntime;
  beforeAll(async () => {
    ctx = await labRuntime('verdicts');
  });
  afterAll(async () => {
    await ctx.stop();
  });

  /** Scans one target with its manager changed, then puts the manager back. */
  async function scanWith(target: string, mutate: (m: LabManagerState) => void): Promise<Finding[]> {
    const before = structuredClone(ctx.lab.getManager(target));
    ctx.lab.updateManager(target, mutate);
    try {
      ctx.clock.advance(1);
      const r = await ctx.rt.scan({ trigger: 'cli', targetFilter: target });
      return r.targets.flatMap((t) => t.findings);
    } finally {
      ctx.lab.updateManager(target, (m) => Object.assign(m, before));
    }
  }
  const of = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);

  it('a committed mesh whose IX appliance is DOWN with no tunnel metrics fails, and so does the upgrade gate', async () => {
    const findings = await scanWith('avs-prod-weu', (m) => {
      const ix = m.appliances.find((a) => /WAN-IX/.test(a.applianceType))!;
      ix.state = 'DOWN';
      ix.metricsReported = false;
    });
    expect(of(findings, 'hcx-service-mesh-degraded')).toEqual([
      expect.objectContaining({ status: 'open', severity: 'high', message: expect.stringMatching(/is DOWN/) }),
    ]);
    const inv = await ctx.rt.stores.inventory.getLatest(findings[0].targetId);
    const gate = evaluateReadiness(inv!, '4.11.3');
    expect(gate.checks.find((c) => c.id === 'interconnect-healthy')?.status).toBe('fail');
    expect(gate.verdict).toBe('blocked');
  });

  it('tunnels down in the interconnect metrics fail; a healthy rescan resolves the finding', async () => {
    const down = await scanWith('avs-prod-weu', (m) => {
      m.appliances[0].tunnelActive = 0;
    });
    expect(of(down, 'hcx-service-mesh-degraded')[0]).toMatchObject({
      status: 'open',
      message: expect.stringMatching(/0\/\d+ tunnels up/),
    });
    const healthy = await scanWith('avs-prod-weu', () => {});
    expect(of(healthy, 'hcx-service-mesh-degraded')[0].status).toBe('resolved');
  });

  it('a site pair NOT_CONNECTED whose remote version reads N/A fails', async () => {
    const findings = await scanWith('onprem-dc2', (m) => {
      m.sitePairs[0].status = 'NOT_CONNECTED';
      m.sitePairs[0].version = 'N/A';
    });
    expect(of(findings, 'hcx-site-pair-unhealthy')[0]).toMatchObject({ status: 'open', severity: 'high' });
  });

  it('a WAN-OPT appliance that names no Service Mesh fails the WAN Optimization rule', async () => {
    const findings = await scanWith('avs-prod-weu', (m) => {
      const ix = m.appliances[0];
      m.appliances.push({
        ...structuredClone(ix),
        applianceId: 'wo-orphan',
        applianceName: 'orphan-WO',
        applianceType: 'HCX-WAN-OPT',
        serviceMeshId: undefined,
      });
    });
    expect(of(findings, 'hcx-wan-optimization-enabled').find((f) => f.subjectId === 'wo-orphan')).toMatchObject({
      status: 'open',
    });
  });

  it('a queued Service Mesh task fails hcx-operations-queued', async () => {
    const findings = await scanWith('avs-prod-weu', (m) => {
      m.serviceMeshes[0].lastTask = { type: 'updateServiceMesh', status: 'QUEUED' };
    });
    expect(of(findings, 'hcx-operations-queued')[0]).toMatchObject({ status: 'open', severity: 'low' });
  });
});
