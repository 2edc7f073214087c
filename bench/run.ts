/**
 * `npm run bench`: builds, then measures the scan pipeline against the lab (20 ms per HCX call) on an embedded
 * Azurite (and the 1000-target first scan again at slower HCX calls), the findings API at 10k/50k findings, and the
 * cold start of the Functions entry point, and a healthy target's collection beside a manager that never answers.
 * Prints a table
 * and writes bench/results/bench-<time>.json. Numbers, never assertions: targets are shown next to each figure.
 * `node dist/bench/run.js --quick` runs N=50 only (a smoke run of the harness).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import { startAzurite } from '../dev/azurite';
import { benchColdStart } from './coldstart';
import { benchDiscovery } from './discovery';
import { benchQuery } from './query';
import { benchStall } from './stall';
import { benchFirstScan, benchScan, type CpuAccount, type ScanBenchResult } from './scan';

type SweepResult = Awaited<ReturnType<typeof benchFirstScan>>;
import { peakRssMb, round } from './support';

const ROOT = path.resolve(__dirname, '..', '..');
const LATENCY_MS = 20;
const CONCURRENCY = 32;
/**
 * The 1000-target first scan again at slower HCX calls. At 20 ms the two cores are saturated (the product, the
 * lab's HTTPS servers and Azurite together need more CPU than the ideal's wall time gives), so that row measures
 * the machine; the sweep shows where the scan becomes latency-bound and how close to the ideal it then runs.
 */
const SWEEP_LATENCIES_MS = [35, 50, 100];

function cpuLine(c: CpuAccount): string {
  return `${c.productMsPerTarget} product + ${c.labMsPerTarget} lab + ${c.azuriteMsPerTarget ?? '?'} Azurite ms/target; ${Math.round(c.busy * 100)} % of ${c.cores} cores busy`;
}

function mark(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sizes = quick ? [50] : [50, 200, 1000];
  const log = (s: string): void => console.error(s);
  const started = performance.now();
  const results: {
    scans: ScanBenchResult[];
    sweep: SweepResult[];
    queries: Awaited<ReturnType<typeof benchQuery>>;
    coldStart?: Awaited<ReturnType<typeof benchColdStart>>;
    peakRssMb?: number;
    stall?: Awaited<ReturnType<typeof benchStall>>;
    discovery?: Awaited<ReturnType<typeof benchDiscovery>>;
  } = {
    scans: [],
    sweep: [],
    queries: [],
  };

  const azurite = await startAzurite();
  try {
    for (const n of sizes) {
      log(`scan N=${n}, concurrency ${CONCURRENCY}, ${LATENCY_MS} ms per HCX call…`);
      // Sequential: the whole estate when it is small, else a 40-target subset extrapolated per target.
      const r = await benchScan({ n, concurrency: CONCURRENCY, latencyMs: LATENCY_MS, sequentialTargets: Math.min(n, 40), azurite: azurite, log });
      // Peak RSS is process-wide and monotonic: read right after the largest scan, before the query seeding.
      if (n === Math.max(...sizes)) r.peakRssMb = peakRssMb();
      results.scans.push(r);
    }
    results.peakRssMb = peakRssMb();
    // The stall and discovery benches run their labs in this process (700 clouds' worth for discovery): after the
    // scans, so that the peak RSS above is the scan's, not theirs.
    log('a healthy target beside a manager that never answers…');
    results.stall = await benchStall({ runs: quick ? 3 : 9, latencyMs: LATENCY_MS });
    log('discovery of 500 subscriptions / 700 private clouds: Resource Graph vs per-subscription listing…');
    results.discovery = await benchDiscovery();
    log('cold start (fresh node process per run)…');
    results.coldStart = await benchColdStart({ root: ROOT, runs: quick ? 3 : 7 });
    const largest = Math.max(...sizes);
    for (const latencyMs of quick ? [] : SWEEP_LATENCIES_MS) {
      log(`first scan N=${largest} at ${latencyMs} ms per HCX call…`);
      results.sweep.push(await benchFirstScan({ n: largest, concurrency: CONCURRENCY, latencyMs, sequentialTargets: 20, azurite }));
    }
    log('findings API…');
    results.queries.push(...(await benchQuery({ totals: quick ? [2000] : [10_000, 50_000], samples: quick ? 20 : 60, azurite, log })));
  } finally {
    await azurite.stop();
  }

  const scanTable = new Table({
    head: ['N', 'wall s', 'ideal s', '× ideal', 'seq s (per target ms)', 'speed-up', 'table req/target 1st', 'table req/target unchanged', 'txn/target', 'queue path req/target', 'statuses'],
  });
  for (const s of results.scans) {
    scanTable.push([
      s.n,
      round(s.wallMs / 1000, 2),
      round(s.idealMs / 1000, 2),
      s.ratioToIdeal,
      `${round(s.sequential.extrapolatedMs / 1000, 1)}${s.sequential.extrapolated ? ` (extrapolated from ${s.sequential.measuredTargets})` : ''} (${s.sequential.msPerTarget})`,
      `${s.speedupVsSequential}×`,
      s.table.firstScan.requestsPerTarget,
      s.table.unchangedScan.requestsPerTarget,
      s.table.unchangedScan.transactionsPerTarget,
      `${s.table.queuePath.requestsPerTarget} (${s.table.queuePath.targets} msgs)`,
      Object.entries(s.statuses).map(([k, v]) => `${k} ${v}`).join(', '),
    ]);
  }
  console.log(`\nScan: concurrency ${CONCURRENCY}, ${LATENCY_MS} ms added per HCX call; ideal = HCX calls per target × latency × ceil(N / concurrency)`);
  console.log(scanTable.toString());
  for (const s of results.scans) {
    console.log(`  N=${s.n}: first-scan CPU ${cpuLine(s.cpu)}`);
    console.log(
      `  N=${s.n}: ${s.hcxCallsPerTarget} HCX calls per target; unchanged rescan ${round(s.table.unchangedScan.wallMs / 1000, 2)} s; first scan: ${s.table.firstScan.transactionsPerTarget} transactions and ${s.table.firstScan.tableMsPerTarget} ms of Table request time per target (summed over parallel requests)`,
    );
  }

  if (results.sweep.length) {
    const big = results.scans[results.scans.length - 1];
    const sweepTable = new Table({ head: ['ms per HCX call', 'wall s', 'ideal s', '× ideal', 'speed-up vs sequential', 'CPU per target (busy share of the cores)'] });
    for (const r of [big, ...results.sweep]) {
      sweepTable.push([r.latencyMs, round(r.wallMs / 1000, 2), round(r.idealMs / 1000, 2), r.ratioToIdeal, `${r.speedupVsSequential}× (${r.sequential.msPerTarget} ms/target)`, cpuLine(r.cpu)]);
    }
    console.log(`\nLatency sweep: first scan of N=${big.n}, concurrency ${CONCURRENCY}`);
    console.log(sweepTable.toString());
  }

  const qTable = new Table({ head: ['stored findings', 'seed s', 'by target p50 / p95 ms', 'by severity p50 / p95 ms'] });
  for (const q of results.queries) {
    qTable.push([q.findings, round(q.seedMs / 1000, 1), `${q.byTarget.p50} / ${q.byTarget.p95}`, `${q.bySeverity.p50} / ${q.bySeverity.p95}`]);
  }
  console.log('\nFindings API (GET /api/findings first page, local host → Azurite)');
  console.log(qTable.toString());

  const cs = results.coldStart;
  console.log(`\nCold start: require('functions/index') in a fresh node process, median of ${cs.runs}`);
  console.log(`  tsc output:     ${cs.tsc.medianMs} ms (RSS ${cs.tsc.rssMb} MB)`);
  console.log(`  esbuild bundle: ${cs.bundle.medianMs} ms (RSS ${cs.bundle.rssMb} MB, ${round(cs.bundle.bytes / 1048576, 2)} MiB, built in ${cs.bundle.buildMs} ms)`);

  const big = results.scans[results.scans.length - 1];
  const q50 = results.queries[results.queries.length - 1];
  console.log('\nTargets');
  const t = new Table({ head: ['target', 'measured', ''] });
  t.push(
    [
      `N=${big.n} within 1.3× of ideal, ${big.latencyMs} ms per call`,
      `${big.ratioToIdeal}× (cores ${Math.round(big.cpu.busy * 100)} % busy)`,
      mark(big.ratioToIdeal <= 1.3) + (big.cpu.busy >= 0.85 ? ' (CPU-bound)' : ''),
    ],
    ...results.sweep.map((r) => [
      `N=${r.n} within 1.3× of ideal, ${r.latencyMs} ms per call`,
      `${r.ratioToIdeal}× (cores ${Math.round(r.cpu.busy * 100)} % busy)`,
      mark(r.ratioToIdeal <= 1.3),
    ]),
    ...[big, ...results.sweep].map((r) => [`≥ 10× faster than sequential, ${r.latencyMs} ms per call`, `${r.speedupVsSequential}×`, mark(r.speedupVsSequential >= 10)]),
    [
      '≤ 2 Table round trips per target, unchanged estate',
      `${big.table.unchangedScan.targetRequests} per target + ${big.table.unchangedScan.perScanRequests} per scan (${big.table.unchangedScan.requestsPerTarget} amortised)`,
      mark(big.table.unchangedScan.targetRequests <= 2),
    ],
    [`p95 ≤ 100 ms, filtered page at ${q50.findings} findings`, `target ${q50.byTarget.p95} / severity ${q50.bySeverity.p95} ms`, mark(Math.max(q50.byTarget.p95, q50.bySeverity.p95) <= 100)],
    ['entry import ≤ 300 ms', `tsc ${cs.tsc.medianMs} / bundle ${cs.bundle.medianMs} ms`, mark(Math.min(cs.tsc.medianMs, cs.bundle.medianMs) <= 300)],
    [`peak RSS ≤ 300 MB (N=${big.n} scan)`, `${big.peakRssMb} MB`, mark((big.peakRssMb ?? Infinity) <= 300)],
  );
  const st = results.stall;
  if (st) {
    t.push([
      `a stuck manager does not slow a healthy target (${st.latencyMs} ms per call, timeout ${st.timeoutMs} ms)`,
      `${st.ratio}× (${st.besideStuckMs} ms beside it / ${st.aloneMs} ms alone, median of ${st.runs})`,
      '',
    ]);
  }
  const d = results.discovery;
  if (d) {
    t.push([
      `discovery of ${d.clouds} clouds in ${d.subscriptions} subscriptions ≤ 3 ARM round trips (${d.armLatencyMs} ms each)`,
      `${d.graph.armCalls} calls (${d.graph.listPages} list pages + ${d.graph.pages} query pages), ${d.graph.wallMs} ms via Resource Graph vs ${d.perSubscription.armCalls} calls, ${d.perSubscription.wallMs} ms per subscription (${d.callRatio}× calls, ${d.wallRatio}× time)`,
      mark(d.graph.armCalls <= 3),
    ]);
    for (const x of d.scoped) {
      t.push([
        `discovery, ${x.scope} scope (no subscription list) ≤ 3 ARM round trips`,
        `${x.armCalls} calls (${x.pages} query pages), ${x.wallMs} ms, ${x.found} clouds`,
        mark(x.armCalls <= 3),
      ]);
    }
  }
  console.log(t.toString());
  console.log(`(bench finished in ${round((performance.now() - started) / 1000, 0)} s)`);

  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, latencyMs: LATENCY_MS, concurrency: CONCURRENCY, ...results }, null, 2)}\n`);
  console.log(`results: ${path.relative(ROOT, file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
