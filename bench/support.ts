import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Counts real HTTP requests to Table Storage (a transaction is one request) by method and by kind. */
export class TableRequestCounter {
  total = 0;
  batches = 0;
  reads = 0;
  writes = 0;
  /** Summed request time (client side), ms: with requests in parallel this is work, not wall time. */
  ms = 0;
  readonly policy: PipelinePolicy = {
    name: 'hcxmonBenchTableCounter',
    sendRequest: async (req, next) => {
      this.total++;
      if (req.url.includes('$batch')) this.batches++;
      else if (req.method === 'GET') this.reads++;
      else this.writes++;
      const t0 = performance.now();
      try {
        return await next(req);
      } finally {
        this.ms += performance.now() - t0;
      }
    },
  };

  snapshot(): { total: number; batches: number; reads: number; writes: number; ms: number } {
    return { total: this.total, batches: this.batches, reads: this.reads, writes: this.writes, ms: this.ms };
  }

  reset(): void {
    this.total = this.batches = this.reads = this.writes = this.ms = 0;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Peak RSS of this process so far, MB (Linux: VmHWM). */
export function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 0);
}
