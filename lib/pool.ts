/**
 * Runs `worker` over `items` with at most `concurrency` in flight; results keep the input order.
 * A worker that throws does not stop the others: its slot holds the error.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<R>,
  onSettled?: (index: number) => void,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await worker(items[i], i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
      onSettled?.(i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * A counting semaphore: at most `max` callers inside `run` at once, the rest wait in arrival order. Used for the
 * process-wide caps on outbound HCX and ARM requests (see HCX_MAX_IN_FLIGHT, ARM_MAX_IN_FLIGHT).
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Highest number of callers seen inside `run` at once (benchmarks and tests read it). */
  peak = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('Limiter: max must be a positive integer');
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** `signal`: a caller still waiting when it aborts leaves the queue and rejects with the signal's reason. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.active >= this.max) await this.enqueue(signal);
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same), or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private enqueue(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const admit = (): void => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = (): void => {
        const i = this.waiting.indexOf(admit);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      this.waiting.push(admit);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
