import { readFileSync } from 'node:fs';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Counts real HTTP requests to Table Storage (a transaction is one request) by method and by kind. */
export class TableRequestCounter {
  total = 0;
  batches = 0;
  reads = 0;
  writes = 0;
  /** Summed request time (client side), ms: with requests in parallel this is work, not wall time. */
  ms = 0;
  /** Requests per table (a transaction counts for the table its operations name). */
  byTable: Record<string, number> = {};
  /** Of those, the requests confined to one partition: a transaction, a point read, or a query on one PartitionKey. */
  onePartitionByTable: Record<string, number> = {};
  readonly policy: PipelinePolicy = {
    name: 'hcxmonBenchTableCounter',
    sendRequest: async (req, next) => {
      this.total++;
      const table = tableOf(req.url, req.body);
      this.byTable[table] = (this.byTable[table] ?? 0) + 1;
      if (req.url.includes('$batch') || /PartitionKey(%20|\+| )eq|\(PartitionKey=/.test(req.url)) {
        this.onePartitionByTable[table] = (this.onePartitionByTable[table] ?? 0) + 1;
      }
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

  snapshot(): {
    total: number;
    batches: number;
    reads: number;
    writes: number;
    ms: number;
    byTable: Record<string, number>;
    onePartitionByTable: Record<string, number>;
  } {
    const { total, batches, reads, writes, ms } = this;
    return { total, batches, reads, writes, ms, byTable: { ...this.byTable }, onePartitionByTable: { ...this.onePartitionByTable } };
  }

  reset(): void {
    this.total = this.batches = this.reads = this.writes = this.ms = 0;
    this.byTable = {};
    this.onePartitionByTable = {};
  }
}

/** The table a request goes to: from the URL path, or for a `$batch` from the first operation in its body. */
function tableOf(url: string, body: unknown): string {
  const path = new URL(url).pathname;
  const inBody = path.endsWith('$batch') && typeof body === 'string' ? /\/([A-Za-z][A-Za-z0-9]*)\(PartitionKey=/.exec(body)?.[1] : undefined;
  return inBody ?? /\/([A-Za-z][A-Za-z0-9]*)(?:\(|$)/.exec(path)?.[1] ?? 'other';
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

/**
 * CPU time (user + system) another process has used so far, ms, from /proc (Linux; clock ticks of 10 ms, the
 * kernel's USER_HZ of 100 everywhere Node runs); undefined where /proc is not there.
 */
export function cpuMsOfPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may itself contain spaces): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
