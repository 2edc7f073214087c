import { setMaxListeners } from 'node:events';
import { startLab } from '../dev/lab';
import { collectInventory, discoverTargets } from '../lib/collect';
import { HCX_MAX_IN_FLIGHT, HCX_MAX_SOCKETS_PER_ENDPOINT, hcxRequestLimiter } from '../lib/collect/hcx/http';
import { loadConfig } from '../lib/config';
import { median, round } from './support';

export interface StallBenchResult {
  runs: number;
  latencyMs: number;
  timeoutMs: number;
  aloneMs: number;
  besideStuckMs: number;
  /** besideStuckMs / aloneMs: 1 means the stuck manager costs the healthy target nothing. */
  ratio: number;
}

/**
 * A healthy target's collection alone, then beside a manager that never answers (more meshes than the process has
 * HCX request slots, every HA-group call stalled until the client gives up): the median of each and their ratio.
 */
export async function benchStall(opts: { runs: number; latencyMs: number }): Promise<StallBenchResult> {
  const lab = await startLab();
  try {
    const config = loadConfig(lab.env);
    const stuckId = 'avs-prod-weu';
    const healthyId = 'onprem-dc2';
    const [template] = lab.getManager(stuckId).serviceMeshes;
    lab.updateManager(stuckId, (m) => {
      m.serviceMeshes = Array.from({ length: HCX_MAX_IN_FLIGHT + 32 }, (_, i) => ({ ...template, serviceMeshId: `${template.serviceMeshId}-${i}`, name: `${template.name}-${i}` }));
    });
    lab.setFaults(stuckId, { stallOnPath: 'ha/groups' });
    lab.setFaults(healthyId, { latencyMs: opts.latencyMs });
    const targets = (await discoverTargets(config)).targets;
    const stuck = targets.find((t) => t.name === stuckId)!;
    const healthy = targets.find((t) => t.name === healthyId)!;
    const time = async (): Promise<number> => {
      const t0 = performance.now();
      await collectInventory(healthy, { config, env: lab.env });
      return performance.now() - t0;
    };
    const alone: number[] = [];
    const beside: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      alone.push(await time());
      const abandon = new AbortController();
      setMaxListeners(1024, abandon.signal);
      const run = collectInventory(stuck, { config, env: lab.env, signal: abandon.signal });
      while (hcxRequestLimiter.inFlight < HCX_MAX_SOCKETS_PER_ENDPOINT) await new Promise((r) => setImmediate(r));
      beside.push(await time());
      abandon.abort();
      await run;
    }
    const aloneMs = median(alone);
    const besideStuckMs = median(beside);
    return { runs: opts.runs, latencyMs: opts.latencyMs, timeoutMs: config.httpTimeoutMs, aloneMs: round(aloneMs, 1), besideStuckMs: round(besideStuckMs, 1), ratio: round(besideStuckMs / aloneMs, 2) };
  } finally {
    await lab.stop();
  }
}
