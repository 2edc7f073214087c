import { DateTime } from 'luxon';
import type { AzuriteHandle } from '../dev/azurite';
import { startRemoteLab, type RemoteLab } from './lab';
import { createRuntime, type Runtime } from '../lib/runtime';
import { mapPool } from '../lib/pool';
import { scanOneTarget, startScan } from '../lib/scan';
import { round, TableRequestCounter } from './support';

export interface ScanBenchResult {
  n: number;
  concurrency: number;
  latencyMs: number;
  wallMs: number;
  hcxCallsPerTarget: number;
  /** The brief's latency-bound ideal: HCX calls per target × latency × ceil(N / concurrency). */
  idealMs: number;
  ratioToIdeal: number;
  sequential: { measuredTargets: number; msPerTarget: number; extrapolatedMs: number; extrapolated: boolean };
  speedupVsSequential: number;
  table: {
    firstScan: { requestsPerTarget: number; transactionsPerTarget: number; tableMsPerTarget: number };
    unchangedScan: { requestsPerTarget: number; transactionsPerTarget: number; wallMs: number };
    /** The Functions path: one queue message per target (processScanMessage), unchanged estate, a subset of targets. */
    queuePath: { targets: number; requestsPerTarget: number; transactionsPerTarget: number };
  };
  statuses: Record<string, number>;
  peakRssMb?: number;
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
    const mk = (prefix: string): Runtime =>
      createRuntime({
        env: { ...lab.env, HCXMON_STORAGE: opts.azurite.connectionString, HCXMON_CONCURRENCY: String(concurrency) },
        tablePrefix: prefix,
        now: () => clock,
        tablePolicies: [counter.policy],
      });
    const rt = mk(`b${n}c${concurrency}`);
    // Tables are created once per process; do it before measuring.
    await Promise.all([rt.stores.findings.queryAll({ targetId: 'warmup' }), rt.stores.inventory.getHistory('warmup'), rt.stores.scans.list({ pageSize: 1 }), rt.stores.facts.list('warmup'), rt.stores.suppressions.list()]);

    counter.reset();
    await lab.reset();
    const first = await runOnce(rt, concurrency);
    const hcxCalls = (await lab.counts()).hcx;
    const firstTable = counter.snapshot();
    opts.log(`  N=${n}: first scan ${round(first.wallMs / 1000, 2)} s, ${firstTable.total} table requests, ${hcxCalls} HCX calls`);
    const hcxCallsPerTarget = hcxCalls / n;
    const idealMs = hcxCallsPerTarget * latencyMs * Math.ceil(n / concurrency);

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
    const queueTargets = queued.targets.slice(0, Math.min(n, 100));
    counter.reset();
    await lab.reset();
    await mapPool(queueTargets, concurrency, (target) => rt.processScanMessage({ scanId: queued.scan.scanId, asOf: queued.scan.asOf, target }));
    const queueTable = counter.snapshot();
    opts.log(`  N=${n}: queue path ${queueTargets.length} messages, ${queueTable.total} table requests`);

    // Sequential: the same code at concurrency 1 on a subset (own tables, so it is a first scan too).
    const seqRt = mk(`s${n}c${concurrency}`);
    await Promise.all([seqRt.stores.findings.queryAll({ targetId: 'warmup' }), seqRt.stores.inventory.getHistory('warmup'), seqRt.stores.scans.list({ pageSize: 1 }), seqRt.stores.facts.list('warmup'), seqRt.stores.suppressions.list()]);
    const subset = Math.min(n, opts.sequentialTargets);
    // Discovery once (it is the same for both runs), then the pipeline one target at a time.
    const { scan, targets: all } = await startScan(seqRt.deps, { trigger: 'cli' });
    const asOf = DateTime.fromISO(scan.asOf, { zone: 'utc' });
    const t0 = performance.now();
    for (const target of all.slice(0, subset)) await scanOneTarget(seqRt.deps, { scanId: scan.scanId, target, asOf, fresh: true });
    const seqMs = performance.now() - t0;
    const msPerTarget = seqMs / subset;
    const extrapolatedMs = msPerTarget * n;
    opts.log(`  N=${n}: sequential ${subset} targets in ${round(seqMs / 1000, 2)} s (${round(msPerTarget)} ms/target)`);

    return {
      n,
      concurrency,
      latencyMs,
      wallMs: round(first.wallMs, 0),
      hcxCallsPerTarget: round(hcxCallsPerTarget, 2),
      idealMs: round(idealMs, 0),
      ratioToIdeal: round(first.wallMs / idealMs, 2),
      sequential: { measuredTargets: subset, msPerTarget: round(msPerTarget), extrapolatedMs: round(extrapolatedMs, 0), extrapolated: subset < n },
      speedupVsSequential: round(extrapolatedMs / first.wallMs, 1),
      table: {
        firstScan: {
          requestsPerTarget: round(firstTable.total / n, 2),
          transactionsPerTarget: round(firstTable.batches / n, 2),
          tableMsPerTarget: round(firstTable.ms / n, 1),
        },
        unchangedScan: {
          requestsPerTarget: round(secondTable.total / n, 2),
          transactionsPerTarget: round(secondTable.batches / n, 2),
          wallMs: round(second.wallMs, 0),
        },
        queuePath: {
          targets: queueTargets.length,
          requestsPerTarget: round(queueTable.total / queueTargets.length, 2),
          transactionsPerTarget: round(queueTable.batches / queueTargets.length, 2),
        },
      },
      statuses: first.statuses,
    };
  } finally {
    await lab.stop();
  }
}
