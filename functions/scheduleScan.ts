import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getRuntime } from '../lib/runtime';

/** Daily: discover every target, write the scan row, one queue message per target (scanTarget fans out). */
export async function scheduleScan(timer: Timer, context: InvocationContext): Promise<void> {
  const rt = await getRuntime();
  const { scan } = await rt.enqueueScan('timer');
  context.log(
    `scan ${scan.scanId}: ${scan.targets.length} target(s) queued${timer.isPastDue ? ' (timer was past due)' : ''}` +
      (scan.discoveryErrors.length ? `; ${scan.discoveryErrors.length} subscription(s) could not be listed` : ''),
  );
}

app.timer('scheduleScan', { schedule: '%HCXMON_SCAN_SCHEDULE%', handler: scheduleScan });
