import type { AzuriteHandle } from '../dev/azurite';
import { startLocalHost } from '../dev/host';
import { SEVERITIES, type Severity } from '../lib/domain/evaluation';
import type { Finding } from '../lib/domain/finding';
import { emptyInventory } from '../lib/domain/inventory';
import type { TargetRef } from '../lib/domain/target';
import { findingId } from '../lib/findings/ids';
import { createRuntime, setRuntime } from '../lib/runtime';
import { percentile, round } from './support';

export interface QueryBenchResult {
  findings: number;
  targets: number;
  seedMs: number;
  byTarget: { p50: number; p95: number; samples: number };
  bySeverity: { p50: number; p95: number; samples: number };
}

function finding(t: TargetRef, i: number): Finding {
  // Most findings are low/info, a few critical: the severity filter has to skip rows, like a real estate.
  const severity: Severity = i % 50 === 0 ? 'critical' : SEVERITIES[2 + (i % 3)];
  const subjectId = `appliance-${i}`;
  const at = '2026-11-01T05:00:00.000Z';
  return {
    id: findingId('hcx-appliance-outdated', t.id, subjectId),
    ruleId: 'hcx-appliance-outdated',
    title: 'Service Mesh appliance behind its manager',
    targetId: t.id,
    targetName: t.name,
    targetKind: t.kind,
    subjectId,
    subjectName: subjectId,
    subjectKind: 'appliance',
    status: i % 4 === 0 ? 'resolved' : 'open',
    severity,
    owner: 'customer',
    message: `appliance ${i} runs 4.10.3, its manager 4.11.3: upgrade it from the Service Mesh page`,
    evidence: { source: 'hcx', applianceVersion: '4.10.3', managerVersion: '4.11.3' },
    firstSeenAt: at,
    lastSeenAt: at,
    lastEvaluatedAt: at,
    reopenCount: 0,
  };
}

/**
 * Seeds `total` findings (100 per target) straight through lib/store, then asks the HTTP API (the local host over
 * the real function registrations) for the first page filtered by target and by severity.
 */
export async function benchQuery(opts: {
  totals: number[];
  samples: number;
  azurite: AzuriteHandle;
  log: (s: string) => void;
}): Promise<QueryBenchResult[]> {
  const perTarget = 100;
  const max = Math.max(...opts.totals);
  const all: TargetRef[] = Array.from({ length: Math.ceil(max / perTarget) }, (_, i) => ({
    id: `connector:bench-${String(i).padStart(5, '0')}`,
    name: `bench-${i}`,
    kind: 'hcx-connector',
  }));
  const env = { HCXMON_STORAGE: opts.azurite.connectionString, AzureWebJobsStorage: opts.azurite.connectionString };
  const rt = createRuntime({ env, tablePrefix: `q${Date.now().toString(36)}` });
  setRuntime(rt);
  const host = await startLocalHost({ env, log: () => undefined });
  const out: QueryBenchResult[] = [];
  let seeded = 0;
  try {
    for (const total of opts.totals) {
      // Grow the same table to each size: 100 findings per target.
      const targets = all.slice(0, Math.ceil(total / perTarget));
      const t0 = performance.now();
      let next = seeded;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < targets.length) {
            const t = targets[next++];
            const list = Array.from({ length: perTarget }, (_, i) => finding(t, i));
            // With its inventory: the API refuses a target filter naming a target no scan has stored.
            await rt.stores.targetScans.commit({
              targetId: t.id,
              inventory: emptyInventory(t, new Date(0).toISOString()),
              scanId: 'bench',
              compute: () => ({ changed: list, events: [] }),
            });
          }
        }),
      );
      seeded = targets.length;
      const seedMs = performance.now() - t0;
      opts.log(`  ${total} findings stored (${round(seedMs / 1000, 1)} s to seed)`);
      const time = async (path: string): Promise<number> => {
        const s = performance.now();
        const res = await fetch(`${host.url}/api/${path}`, { headers: { 'x-functions-key': host.adminKey } });
        const body = (await res.json()) as { items?: unknown[] };
        const ms = performance.now() - s;
        if (res.status !== 200 || !Array.isArray(body.items) || body.items.length === 0) {
          throw new Error(`GET /api/${path}: HTTP ${res.status}, ${JSON.stringify(body).slice(0, 200)}`);
        }
        return ms;
      };
      const run = async (pathOf: (i: number) => string): Promise<{ p50: number; p95: number; samples: number }> => {
        await time(pathOf(0));
        const ms: number[] = [];
        for (let i = 0; i < opts.samples; i++) ms.push(await time(pathOf(i)));
        ms.sort((a, b) => a - b);
        return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), samples: ms.length };
      };
      const byTarget = await run((i) => `findings?target=${encodeURIComponent(targets[(i * 7) % targets.length].id)}`);
      const bySeverity = await run((i) => `findings?severity=${i % 2 ? 'critical' : 'high'}`);
      opts.log(`  ${total}: by target p95 ${byTarget.p95} ms, by severity p95 ${bySeverity.p95} ms`);
      out.push({ findings: total, targets: targets.length, seedMs: round(seedMs, 0), byTarget, bySeverity });
    }
    return out;
  } finally {
    await host.stop();
    setRuntime(undefined);
  }
}
