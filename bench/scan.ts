import { cpus } from 'node:os';
import { DateTime } from 'luxon';
import type { AzuriteHandle } from '../dev/azurite';
import { startRemoteLab, type RemoteLab } from './lab';
import { createRuntime, type Runtime } from '../lib/runtime';
import { mapPool } from '../lib/pool';
import { scanOneTarget, startScan } from '../lib/scan';
import { cpuMsOfPid, ownCpuMs, round, TableRequestCounter } from './support';

export interface ScanBenchResult extends FirstScanResult {
  sequential: { measuredTargets: number; msPerTarget: number; extrapolatedMs: number; extrapolated: boolean };
  speedupVsSequential: number;
  table: {
    firstScan: { requestsPerTarget: number; transactionsPerTarget: number; tableMsPerTarget: number };
    /**
     * `requestsPerTarget` is every request of the scan over N; `targetRequests` only those to one target's own
     * partition of the findings table, and `perScanRequests` the rest, paid once per scan (the scan row,
     * suppressions and facts read once, the list of known targets, outcomes 100 per transaction).
     */
    unchangedScan: { requestsPerTarget: number; targetRequests: number; perScanRequests: number; transactionsPerTarget: number; wallMs: number };
    /** The Functions path: one queue message per target (processScanMessage), unchanged estate, a subset of targets. */
    queuePath: { targets: number; requestsPerTarget: number; transactionsPerTarget: number };
  };
  peakRssMb?: number;
}

/**
 * Where the first scan's CPU went, per target: the product (this process), the lab's HTTPS servers, Azurite's
 * table service. `busy` is all three over what the machine's cores could give in the scan's wall time: near 1
 * the scan is CPU-bound and measures the machine, not the product's concurrency.
 */
export interface CpuAccount {
  productMsPerTarget: number;
  labMsPerTarget: number;
  azuriteMsPerTarget?: number;
  cores: number;
  busy: number;
}

/** The first scan of a fresh estate: wall time against the ideal, with the CPU account. */
export interface FirstScanResult {
  n: number;
  concurrency: number;
  latencyMs: number;
  wallMs: number;
  hcxCallsPerTarget: number;
  /** The brief's latency-bound ideal: HCX calls per target × latency × ceil(N / concurrency). */
  idealMs: number;
  ratioToIdeal: number;
  statuses: Record<string, number>;
  cpu: CpuAccount;
}

async function firstScan(
  rt: Runtime,
  lab: RemoteLab,
  azurite: AzuriteHandle,
  opts: { n: number; concurrency: number; latencyMs: number },
): Promise<FirstScanResult> {
  const { n, concurrency, latencyMs } = opts;
  await lab.reset();
  const before = { own: ownCpuMs(), lab: (await lab.counts()).cpuMs, azurite: cpuMsOfPid(azurite.pids[0]) };
  const run = await runOnce(rt, concurrency);
  const after = await lab.counts();
  const own = ownCpuMs() - before.own;
  const labCpu = after.cpuMs - before.lab;
  const azNow = cpuMsOfPid(azurite.pids[0]);
  const azCpu = before.azurite !== undefined && azNow !== undefined ? azNow - before.azurite : undefined;
  const cores = cpus().length;
  const hcxCallsPerTarget = after.hcx / n;
  const idealMs = hcxCallsPerTarget * latencyMs * Math.ceil(n / concurrency);
  return {
    n,
    concurrency,
    latencyMs,
    wallMs: round(run.wallMs, 0),
    hcxCallsPerTarget: round(hcxCallsPerTarget, 2),
    idealMs: round(idealMs, 0),
    ratioToIdeal: round(run.wallMs / idealMs, 2),
    statuses: run.statuses,
    cpu: {
      productMsPerTarget: round(own / n, 1),
      labMsPerTarget: round(labCpu / n, 1),
      ...(azCpu !== undefined ? { azuriteMsPerTarget: round(azCpu / n, 1) } : {}),
      cores,
      busy: round((own + labCpu + (azCpu ?? 0)) / (cores * run.wallMs), 2),
    },
  };
}

function runtimeFor(lab: RemoteLab, azurite: AzuriteHandle, concurrency: number, prefix: string, now: () => DateTime, counter?: TableRequestCounter): Runtime {
  return createRuntime({
    env: { ...lab.env, HCXMON_STORAGE: azurite.connectionString, HCXMON_CONCURRENCY: String(concurrency) },
    tablePrefix: prefix,
    now,
    tablePolicies: counter ? [counter.policy] : [],
  });
}

/** Tables are created once per process: done before anything is measured. */
async function warmUp(rt: Runtime): Promise<void> {
  await Promise.all([rt.stores.findings.queryAll({ targetId: 'warmup' }), rt.stores.inventory.getHistory('warmup'), rt.stores.scans.list({ pageSize: 1 }), rt.stores.facts.list('warmup'), rt.stores.suppressions.list()]);
}

/** Only the first scan of a fresh `n`-target estate at `latencyMs` per HCX call (the latency sweep). */
export async function benchFirstScan(opts: {
  n: number;
  concurrency: number;
  latencyMs: number;
  sequentialTargets: number;
  azurite: AzuriteHandle;
}): Promise<FirstScanResult & Pick<ScanBenchResult, 'sequential' | 'speedupVsSequential'>> {
  const lab = await startRemoteLab(opts.n, opts.latencyMs);
  try {
    const clock = DateTime.fromISO('2026-11-21T05:00:00Z', { zone: 'utc' });
    const mk = (prefix: string): Runtime => runtimeFor(lab, opts.azurite, opts.concurrency, `${prefix}${opts.n}c${opts.concurrency}m${opts.latencyMs}`, () => clock);
    const rt = mk('l');
    await warmUp(rt);
    const first = await firstScan(rt, lab, opts.azurite, opts);
    const sequential = await sequentialRun(mk('ls'), opts.n, opts.sequentialTargets);
    return { ...first, sequential, speedupVsSequential: round(sequential.extrapolatedMs / first.wallMs, 1) };
  } finally {
    await lab.stop();
  }
}

/** The same pipeline one target at a time on the first `subset` targets, extrapolated to `n`. */
async function sequentialRun(rt: Runtime, n: number, subset: number): Promise<ScanBenchResult['sequential']> {
  await warmUp(rt);
  const count = Math.min(n, subset);
  // Discovery once (it is the same for both runs), then the pipeline one target at a time.
  const { scan, targets } = await startScan(rt.deps, { trigger: 'cli' });
  const asOf = DateTime.fromISO(scan.asOf, { zone: 'utc' });
  const t0 = performance.now();
  for (const target of targets.slice(0, count)) await scanOneTarget(rt.deps, { scanId: scan.scanId, target, asOf, fresh: true });
  const msPerTarget = (performance.now() - t0) / count;
  return { measuredTargets: count, msPerTarget: round(msPerTarget), extrapolatedMs: round(msPerTarget * n, 0), extrapolated: count < n };
}

function findingsTableRequests(byTable: Record<string, number>): number {
  return Object.entries(byTable)
    .filter(([table]) => table.endsWith('findings'))
    .reduce((sum, [, count]) => sum + count, 0);
}

async function runOnce(rt: Runtime, concurrency: number, targetFilter?: string): Promise<{ wallMs: number; statuses: Record<string, number> }> {
  const t0 = performance.now();
  const r = await rt.scan({ trigger: 'cli', concurrency, targetFilter });
  const wallMs = performance.now() - t0;
  const statuses: Record<string, number> = {};
  for (const t of r.targets) statuses[t.outcome.status] = (statuses[t.outcome.status] ?? 0) + 1;
  return { wallMs, statuses };
}

/**
 * One estate of `n` targets with `latencyMs` per HCX call: a first scan at `concurrency` (wall time, Table
 * requests), a second scan of the unchanged estate (Table requests), then a sequential run on a subset.
 */
export async function benchScan(opts: {
  n: number;
  concurrency: number;
  latencyMs: number;
  sequentialTargets: number;
  azurite: AzuriteHandle;
  log: (s: string) => void;
}): Promise<ScanBenchResult> {
  const { n, concurrency, latencyMs } = opts;
  const lab: RemoteLab = await startRemoteLab(n, latencyMs);
  try {
    const counter = new TableRequestCounter();
    let clock = DateTime.fromISO('2026-11-21T05:00:00Z', { zone: 'utc' });
    const mk = (prefix: string): Runtime => runtimeFor(lab, opts.azurite, concurrency, prefix, () => clock, counter);
    const rt = mk(`b${n}c${concurrency}`);
    await warmUp(rt);

    counter.reset();
    const first = await firstScan(rt, lab, opts.azurite, { n, concurrency, latencyMs });
    const firstTable = counter.snapshot();
    opts.log(
      `  N=${n}: first scan ${round(first.wallMs / 1000, 2)} s, ${firstTable.total} table requests, ${first.hcxCallsPerTarget} HCX calls per target, CPU ${first.cpu.productMsPerTarget} ms/target product + ${first.cpu.labMsPerTarget} lab + ${first.cpu.azuriteMsPerTarget ?? '?'} Azurite`,
    );

    // Write time: the table requests of one scan, timed from the client (sum over requests / targets).
    clock = clock.plus({ hours: 24 });
    counter.reset();
    await lab.reset();
    const second = await runOnce(rt, concurrency);
    const secondTable = counter.snapshot();
    opts.log(`  N=${n}: unchanged rescan ${round(second.wallMs / 1000, 2)} s, ${secondTable.total} table requests`);

    // The queue path on the unchanged estate: one message per target as scanTarget handles it (redelivery check,
    // facts and suppressions per message, its own outcome row, the completion check). A subset: the completion
    // check reads the scan's outcome rows, which would make a full 1000-message run quadratic.
    clock = clock.plus({ hours: 24 });
    const queued = await startScan(rt.deps, { trigger: 'timer' });
    const queueTargets = queued.scan.targets.slice(0, Math.min(n, 100));
    counter.reset();
    await lab.reset();
    await mapPool(queueTargets, concurrency, (target) => rt.processScanMessage({ scanId: queued.scan.scanId, asOf: queued.scan.asOf, target }));
    const queueTable = counter.snapshot();
    opts.log(`  N=${n}: queue path ${queueTargets.length} messages, ${queueTable.total} table requests`);

    // Sequential: the same code at concurrency 1 on a subset (own tables, so it is a first scan too).
    const sequential = await sequentialRun(mk(`s${n}c${concurrency}`), n, opts.sequentialTargets);
    opts.log(`  N=${n}: sequential ${sequential.measuredTargets} targets at ${sequential.msPerTarget} ms/target`);

    return {
      ...first,
      sequential,
      speedupVsSequential: round(sequential.extrapolatedMs / first.wallMs, 1),
      table: {
        firstScan: {
          requestsPerTarget: round(firstTable.total / n, 2),
          transactionsPerTarget: round(firstTable.batches / n, 2),
          tableMsPerTarget: round(firstTable.ms / n, 1),
        },
        unchangedScan: {
          requestsPerTarget: round(secondTable.total / n, 2),
          targetRequests: round(findingsTableRequests(secondTable.onePartitionByTable) / n, 2),
          perScanRequests: secondTable.total - findingsTableRequests(secondTable.onePartitionByTable),
          transactionsPerTarget: round(secondTable.batches / n, 2),
          wallMs: round(second.wallMs, 0),
        },
        queuePath: {
          targets: queueTargets.length,
          requestsPerTarget: round(queueTable.total / queueTargets.length, 2),
          transactionsPerTarget: round(queueTable.batches / queueTargets.length, 2),
        },
      },
    };
  } finally {
    await lab.stop();
  }
}
