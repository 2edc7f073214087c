/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are JSON read back as the user reads them */
import { createHandlers } from '../../lib/api/handlers';
import { runHandler, type ApiRequest, type ApiResponse } from '../../lib/api/http';
import { portsFromRuntime } from '../../lib/api/runtimePorts';
import { SEVERITIES } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import { labRuntime, type LabRuntime } from '../support/runtime';

const get = async (fn: (req: ApiRequest) => Promise<ApiResponse>): Promise<ApiResponse> =>
  runHandler(
    fn,
    { method: 'GET', params: {}, query: new URLSearchParams(), header: () => undefined, text: async () => '' },
    () => {},
  );

/**
 * Each scan records its totals when it finishes; the trend page, the dashboard's "new since the previous scan" and
 * GET /api/summary read them. Two scans of the lab with a change in between: the second scan's counts are exact.
 */
describe('per-scan totals recorded by the scan (lab + Azurite)', () => {
  let ctx: LabRuntime;
  beforeAll(async () => {
    ctx = await labRuntime('totals');
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  const findingsOf = (r: { targets: { findings: Finding[] }[] }) => r.targets.flatMap((t) => t.findings);

  it('records open by severity, new, resolved, escalated, unknown and suppressed on the scan row', async () => {
    const first = await ctx.rt.scan({ trigger: 'cli' });
    const all1 = findingsOf(first);
    const t1 = (await ctx.rt.stores.scans.get(first.scan.scanId))!.scan.totals!;
    const live1 = all1.filter((f) => f.status === 'open' || f.status === 'unknown');
    expect(t1).toEqual({
      openBySeverity: Object.fromEntries(
        SEVERITIES.map((s) => [s, all1.filter((f) => f.status === 'open' && f.severity === s).length]),
      ),
      open: all1.filter((f) => f.status === 'open').length,
      unknown: all1.filter((f) => f.status === 'unknown').length,
      suppressed: 0,
      // The first scan sees everything for the first time and resolves nothing.
      new: live1.length,
      resolved: 0,
      escalated: 0,
    });
    expect(t1.new).toBeGreaterThan(10);

    // Between the scans: WAN Optimization removed on one cloud (its finding resolves), one Connector becomes
    // unreachable (its findings turn unknown, its reachability finding is new).
    ctx.lab.updateManager('avs-legacy-neu', (m) => {
      for (const mesh of m.serviceMeshes) mesh.services = mesh.services.filter((s) => s !== 'WANOPT');
      m.appliances = m.appliances.filter((a) => !/WAN-OPT/i.test(a.applianceType));
    });
    ctx.lab.setFaults('onprem-dc2', { unreachable: true, applianceUnreachable: true });
    ctx.clock.advance(24);
    const second = await ctx.rt.scan({ trigger: 'cli' });
    ctx.lab.setFaults('onprem-dc2', {});
    const all2 = findingsOf(second);
    const before = new Map(all1.map((f) => [f.id, f]));
    const resolvedNow = all2.filter((f) => f.status === 'resolved' && before.get(f.id)?.status !== 'resolved');
    const newNow = all2.filter((f) => (f.status === 'open' || f.status === 'unknown') && !before.has(f.id));
    expect(resolvedNow.map((f) => `${f.targetName} ${f.ruleId}`)).toContain(
      'avs-legacy-neu hcx-wan-optimization-enabled',
    );
    expect(newNow.map((f) => `${f.targetName} ${f.ruleId}`)).toContain('onprem-dc2 hcx-endpoint-unreachable');

    const recorded = (await ctx.rt.stores.scans.get(second.scan.scanId))!.scan;
    expect(recorded.status).toBe('completed');
    const t2 = recorded.totals!;
    expect(t2.new).toBe(newNow.length);
    expect(t2.resolved).toBe(resolvedNow.length);
    expect(t2.unknown).toBe(all2.filter((f) => f.status === 'unknown').length);
    expect(t2.unknown).toBeGreaterThan(t1.unknown);
    expect(t2.open).toBe(all2.filter((f) => f.status === 'open').length);
    expect(t2.openBySeverity.critical).toBe(
      all2.filter((f) => f.status === 'open' && f.severity === 'critical').length,
    );
    // Nothing got a higher severity or a nearer band within a day.
    expect(t2.escalated).toBe(0);

    // The API reads the recorded totals: the summary shows them, the dashboard says how many are new.
    const api = createHandlers(portsFromRuntime(ctx.rt));
    const summary = (await get(api.summary)).jsonBody as any;
    expect(summary.latestScan).toEqual({
      scanId: second.scan.scanId,
      asOf: second.scan.asOf,
      completedAt: recorded.completedAt,
      totals: t2,
    });
    const dashboard = (await get(api.dashboard)).body!;
    expect(dashboard).toContain(`New since the previous scan: <a href=`);
    expect(dashboard).toContain(`>${t2.new} new finding(s)</a>`);
    const trend = (await get(api.dashboardTrend)).body!;
    const row = trend.slice(trend.indexOf(`data-scan-id="${second.scan.scanId}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('data-totals="recorded"');
  });
});
