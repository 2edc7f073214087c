import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BUNDLE_ENTRY, bundleFunctions } from '../dev/bundle';
import { median, round } from './support';

/**
 * Time to `require` the Functions entry point in a fresh node process (what a cold start pays before the first
 * invocation), for the tsc output and for an esbuild bundle of it. `@azure/functions-core` only exists inside the
 * Functions host, so the child stubs it the way dev/host.ts does.
 */
const PROBE = `
const Module = require('node:module');
const load = Module._load;
Module._load = function (r, p, m) {
  if (r === '@azure/functions-core') return { registerFunction: () => ({ dispose() {} }), registerHook: () => ({ dispose() {} }), setProgrammingModel() {}, log() {} };
  return load.call(this, r, p, m);
};
const t0 = process.hrtime.bigint();
require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 1048576 }));
`;

export interface ColdStartResult {
  runs: number;
  tsc: { medianMs: number; rssMb: number };
  bundle: { medianMs: number; rssMb: number; bytes: number; buildMs: number };
}

function measure(entry: string, runs: number): { medianMs: number; rssMb: number } {
  const ms: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', PROBE, entry], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out) as { ms: number; rssMb: number };
    ms.push(r.ms);
    rss.push(r.rssMb);
  }
  return { medianMs: round(median(ms)), rssMb: round(median(rss), 0) };
}

export async function benchColdStart(opts: { root: string; runs: number }): Promise<ColdStartResult> {
  // The same bundle `npm run build` makes for deployment (package.json main), rebuilt here to time the build.
  const outfile = path.join(opts.root, BUNDLE_ENTRY);
  const { bytes, ms: buildMs } = await bundleFunctions(opts.root, outfile);
  const tscEntry = path.join(opts.root, 'dist', 'functions', 'index.js');
  // Warm the OS file cache once for each, so the first measured run is not a disk read.
  measure(tscEntry, 1);
  measure(outfile, 1);
  return {
    runs: opts.runs,
    tsc: measure(tscEntry, opts.runs),
    bundle: { ...measure(outfile, opts.runs), bytes, buildMs: round(buildMs, 0) },
  };
}
