import { setMaxListeners } from 'node:events';
import { DateTime } from 'luxon';
import type { AlertEvent } from '../../lib/domain/alert';
import { connectorTargetId, type Target } from '../../lib/domain/target';
import { collectInventory } from '../../lib/collect';
import { HCX_MAX_IN_FLIGHT, HCX_MAX_SOCKETS_PER_ENDPOINT, hcxRequestLimiter } from '../../lib/collect/hcx/http';
import type { Inventory } from '../../lib/domain/inventory';
import { scanOneTarget, startScan, type ScanDeps, type ScanResult } from '../../lib/scan';
import { labRuntime, testStorage, type LabRuntime } from '../support/runtime';
import { applyRandomFaults, baselineOf, captureConsole, checkInvariants, expectedStatus, prng, type Baseline } from './support';

export const FAULT_TIMEOUT_MS = 1000;

export interface FaultWorld extends LabRuntime {
  baseline: Baseline;
  /** Scan status of each target in the clean first scan. */
  baselineStatus: Map<string, string>;
  targetIds: string[];
  connectionString: string;
}

/** The demo lab, a runtime with a short HTTP timeout, and a clean first scan as the baseline. */
export async function faultWorld(tag: string, opts: { storage?: string } = {}): Promise<FaultWorld> {
  const storage = opts.storage ?? testStorage();
  const w = await labRuntime(tag, {
    env: { HCXMON_HTTP_TIMEOUT_MS: String(FAULT_TIMEOUT_MS), HCXMON_STORAGE: storage, AzureWebJobsStorage: storage },
  });
  const first = await w.rt.scan({ trigger: 'cli' });
  const targetIds = first.targets.map((t) => t.outcome.targetId);
  const baselineStatus = new Map(first.targets.map((t) => [t.outcome.targetId, t.outcome.status as string]));
  return { ...w, baseline: await baselineOf(w.rt, targetIds), baselineStatus, targetIds, connectionString: storage };
}

/** The discovered target served by a lab manager (matched by its HCX URL). */
export async function targetFor(w: FaultWorld, managerId: string): Promise<Target> {
  const url = w.lab.hcxUrl(managerId).replace(/\/$/, '');
  const t = (await w.rt.deps.discover()).targets.find((x) => x.hcxUrl?.replace(/\/$/, '') === url);
  if (!t) throw new Error(`no target for lab manager ${managerId}`);
  return t;
}

/** A manager that answers in the clean baseline (the demo has one that never does). */
export function reachableManager(w: FaultWorld, skip = 0): string {
  return w.lab.managerIds.filter((id) => !w.lab.getManager(id).faults.unreachable)[skip];
}

export function clearFaults(w: FaultWorld): void {
  for (const id of w.lab.managerIds) w.lab.setFaults(id, { latencyMs: 0, unreachable: false, wrongCertificate: false, http5xxOnPath: undefined, throttle: undefined, tokenExpiryAfterCalls: undefined, malformedJsonOnPath: undefined, stallOnPath: undefined });
  w.lab.setArmFaults({});
}

/** Scan status of each lab manager's target in a collection without faults (read-only: nothing is stored). */
type CleanStatus = { targetId: string; kind: Target['kind']; status: string; urlFollowsLab: boolean };
async function cleanStatuses(w: FaultWorld): Promise<Map<string, CleanStatus>> {
  clearFaults(w);
  const out = new Map<string, CleanStatus>();
  const targets = (await w.rt.deps.discover()).targets;
  const unmatched: string[] = [];
  for (const id of w.lab.managerIds) {
    // A Connector is the target the product names after its HCXMON_CONNECTORS entry (the lab names it after its
    // manager); a private cloud's HCX URL comes from ARM on every scan.
    const url = w.lab.hcxUrl(id).replace(/\/$/, '');
    const target =
      targets.find((x) => x.kind === 'hcx-connector' && x.id === connectorTargetId(id)) ??
      targets.find((x) => x.kind === 'avs-private-cloud' && x.hcxUrl?.replace(/\/$/, '') === url);
    if (!target) {
      unmatched.push(id);
      continue;
    }
    const inv = await collectInventory(target, { config: w.rt.config, env: w.env });
    const reach = inv.reachability.hybridity;
    const status = reach && !reach.ok ? 'unreachable' : inv.issues.length ? 'partial' : 'ok';
    out.set(id, { targetId: target.id, kind: target.kind, status, urlFollowsLab: target.kind === 'avs-private-cloud' });
  }
  // A manager left out here would have its faults seeded and never checked.
  expect(unmatched).toEqual([]);
  return out;
}

/**
 * `rounds` scans of the unchanged estate, each with a random fault per manager and ARM throttling. Besides the
 * invariants, every manager's target must end with the one status its seeded fault produces (expectedStatus).
 */
export async function randomFaultRounds(w: FaultWorld, seed: number, rounds: number): Promise<void> {
  const r = prng(seed);
  const clean = await cleanStatuses(w);
  // Both kinds are checked: their URLs reach the product differently, and so do some faults.
  const kinds = (k: Target['kind']): number => [...clean.values()].filter((c) => c.kind === k && c.status !== 'unreachable').length;
  expect({ cloud: kinds('avs-private-cloud') > 0, connector: kinds('hcx-connector') > 0 }).toEqual({ cloud: true, connector: true });
  for (let round = 0; round < rounds; round++) {
    const plan = applyRandomFaults(w.lab, r, FAULT_TIMEOUT_MS);
    w.lab.setArmFaults(r() < 0.5 ? { throttle: { times: 1 + Math.floor(r() * 3), retryAfterSeconds: 1 } } : {});
    w.clock.advance(6);
    const out = captureConsole();
    let result: ScanResult;
    try {
      result = await w.rt.scan({ trigger: 'cli' });
    } finally {
      out.restore();
    }
    await checkInvariants({ ...w, results: [result], logs: out.lines, context: `seed ${seed} round ${round}: ${JSON.stringify(plan)}` });
    // A fault round must show its faults: each manager's target ends with the status its fault produces.
    const status = new Map(result.targets.map((t) => [t.outcome.targetId, t.outcome.status as string]));
    const unexpected: string[] = [];
    for (const [id, c] of clean) {
      const want = expectedStatus(plan[id], c.status, c.urlFollowsLab);
      const got = status.get(c.targetId);
      if (got !== want) unexpected.push(`${id} (${c.kind}, ${plan[id]}, clean ${c.status}): ${got} instead of ${want}`);
    }
    expect({ context: `seed ${seed} round ${round}`, unexpected }).toEqual({ context: `seed ${seed} round ${round}`, unexpected: [] });
    clearFaults(w);
  }
}

/** Outbox events grouped by finding and transition: more than one per (finding, event, createdAt) is a duplicate. */
export async function duplicateEvents(w: FaultWorld): Promise<string[]> {
  const rows = await w.rt.stores.outbox.list(100_000);
  const seen = new Map<string, number>();
  for (const { event } of rows) {
    const key = `${event.findingId}|${event.event}|${event.createdAt}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

export async function outboxEvents(w: FaultWorld): Promise<AlertEvent[]> {
  return (await w.rt.stores.outbox.list(100_000)).map((e) => e.event);
}

/** The same queue message handled twice at once and once more later: one outcome, one row per finding, no duplicate event. */
export async function duplicateDelivery(w: FaultWorld): Promise<void> {
  w.clock.advance(24);
  // A change the scan must record (new events), so a duplicate would show.
  const mid = reachableManager(w, 0);
  w.lab.updateManager(mid, (m) => void (m.version = '4.10.3'));
  const target = await targetFor(w, mid);
  const { scan } = await startScan(w.rt.deps, { trigger: 'timer', targetFilter: target.id });
  const msg = { scanId: scan.scanId, asOf: scan.asOf, target };
  const [a, b] = await Promise.all([w.rt.processScanMessage(msg), w.rt.processScanMessage(msg)]);
  const c = await w.rt.processScanMessage(msg);
  expect(c.skipped).toBe(true);
  expect([a.outcome.status, b.outcome.status]).not.toContain('failed');
  expect(await duplicateEvents(w)).toEqual([]);
  const stored = await w.rt.stores.scans.get(scan.scanId);
  expect(stored?.targets.filter((t) => t.targetId === target.id)).toHaveLength(1);
  expect(stored?.scan.status).toBe('completed');
}

/** Two scans of one target at once: both finish, one row per finding, no transition paged twice. */
export async function overlappingScans(w: FaultWorld): Promise<ScanResult[]> {
  w.clock.advance(24);
  const mid = reachableManager(w, 1);
  w.lab.updateManager(mid, (m) => void (m.version = '4.9.2'));
  const target = (await targetFor(w, mid)).id;
  const results = await Promise.all([w.rt.scan({ trigger: 'cli', targetFilter: target }), w.rt.scan({ trigger: 'cli', targetFilter: target })]);
  for (const r of results) expect(r.targets.map((t) => t.outcome.status)).not.toContain('failed');
  expect(await duplicateEvents(w)).toEqual([]);
  return results;
}

/** A target slower than its time budget ends `failed` with a message that says so; its findings keep their status. */
export async function budgetExceeded(w: FaultWorld): Promise<ScanResult> {
  const mid = reachableManager(w, 2);
  const target = await targetFor(w, mid);
  w.lab.setFaults(mid, { latencyMs: 400 });
  let abandoned: { signal?: AbortSignal; work?: Promise<Inventory> } = {};
  const deps: ScanDeps = {
    ...w.rt.deps,
    targetBudgetMs: 150,
    collect: (t, at, onStats, signal) => (abandoned = { signal, work: w.rt.deps.collect(t, at, onStats, signal) }).work!,
  };
  w.clock.advance(1);
  const asOf = DateTime.fromISO(w.clock.now().toISO()!, { zone: 'utc' });
  const r = await scanOneTarget(deps, { scanId: `budget-${Date.now()}`, target, asOf });
  expect(r.outcome.status).toBe('failed');
  expect(r.outcome.message).toMatch(/did not finish within the per-target budget/);
  // The work past the budget is cancelled, not left running: its pending request ended as abandoned.
  expect(abandoned.signal?.aborted).toBe(true);
  const left = await abandoned.work!;
  expect(left.issues.map((i) => i.message).join('\n')).toMatch(/abandoned/);
  clearFaults(w);
  return { scan: { scanId: r.outcome.scanId, trigger: 'cli', asOf: asOf.toISO()!, startedAt: asOf.toISO()!, targets: [], discoveryErrors: [], status: 'completed' }, targets: [r] };
}

/** Resolves once `cond` holds; each check yields to the event loop (a state wait, not a timed sleep). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/**
 * A manager that never answers (every HA-group call stalls, and it has more meshes than the process has HCX
 * request slots) does not make a healthy target wait for it; abandoning it ends its queued and sent requests.
 */
export async function stuckManager(w: FaultWorld): Promise<void> {
  const up = w.lab.managerIds.filter((id) => !w.lab.getManager(id).faults.unreachable);
  const stuckId = up.find((id) => w.lab.getManager(id).serviceMeshes.length > 0)!;
  const healthyId = up.find((id) => id !== stuckId)!;
  const original = w.lab.getManager(stuckId).serviceMeshes;
  const [template] = original;
  w.lab.updateManager(stuckId, (m) => {
    m.serviceMeshes = Array.from({ length: HCX_MAX_IN_FLIGHT + 32 }, (_, i) => ({
      ...template,
      serviceMeshId: `${template.serviceMeshId}-${i}`,
      name: `${template.name}-${i}`,
    }));
  });
  w.lab.setFaults(stuckId, { stallOnPath: 'ha/groups' });
  try {
    const [stuck, healthy] = await Promise.all([targetFor(w, stuckId), targetFor(w, healthyId)]);
    // A timeout far beyond the test: the healthy target can only finish if it does not wait for the stuck one.
    const config = { ...w.rt.config, httpTimeoutMs: 300_000 };
    const abandon = new AbortController();
    setMaxListeners(1024, abandon.signal);
    let stuckSettled = false;
    const stuckRun = collectInventory(stuck, { config, env: w.env, signal: abandon.signal }).finally(() => (stuckSettled = true));
    const ended = (): number => w.lab.requests.filter((r) => r.manager === stuckId && r.path.includes('ha/groups')).length;
    const endedBefore = ended();
    const stalledCalls = (): number => ended() - endedBefore;
    // Until the stuck manager has listed its meshes and its HA-group calls are on the wire.
    const meshListsBefore = w.lab.requests.filter((r) => r.manager === stuckId && r.path.includes('interconnect/serviceMesh')).length;
    await until(
      () =>
        w.lab.requests.filter((r) => r.manager === stuckId && r.path.includes('interconnect/serviceMesh')).length > meshListsBefore &&
        hcxRequestLimiter.inFlight >= HCX_MAX_SOCKETS_PER_ENDPOINT,
    );

    const inv = await collectInventory(healthy, { config, env: w.env });
    expect(inv.reachability.hybridity).toEqual({ ok: true });
    // It did not wait for the stuck one: that collection is still pending and none of its stalled calls has ended.
    expect(stuckSettled).toBe(false);
    expect(stalledCalls()).toBe(0);
    expect(hcxRequestLimiter.inFlight).toBeLessThanOrEqual(HCX_MAX_SOCKETS_PER_ENDPOINT);

    abandon.abort();
    const left = await stuckRun;
    expect(left.haGroups).toBeUndefined();
    expect(left.issues).toContainEqual(expect.objectContaining({ call: 'haGroups', errorClass: 'timeout' }));
    expect(hcxRequestLimiter.inFlight).toBe(0);
    // The lab sees the stalled connections close: nothing is left holding a socket to the stuck manager.
    await until(() => stalledCalls() === HCX_MAX_SOCKETS_PER_ENDPOINT);
  } finally {
    w.lab.updateManager(stuckId, (m) => void (m.serviceMeshes = original));
    clearFaults(w);
  }
}
