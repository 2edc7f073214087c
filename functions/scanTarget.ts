import { app, type InvocationContext } from '@azure/functions';
import { QUEUE_CONNECTION, SCAN_POISON_QUEUE, SCAN_QUEUE, parseScanMessage } from '../lib/queue';
import { getRuntime } from '../lib/runtime';
import { ValidationError } from '../lib/errors';

/** One target end to end. Idempotent: a redelivered message for a target already done changes nothing. */
export async function scanTarget(message: unknown, context: InvocationContext): Promise<void> {
  let msg;
  try {
    msg = parseScanMessage(message);
  } catch (err) {
    // Retrying cannot fix a malformed message; say so loudly instead of letting it bounce into the poison queue.
    if (err instanceof ValidationError) {
      context.error(`scanTarget: dropped a malformed message (${err.message})`);
      return;
    }
    throw err;
  }
  const rt = await getRuntime();
  const r = await rt.processScanMessage(msg);
  context.log(
    r.skipped
      ? `scan ${msg.scanId}: ${msg.target.name} already done (redelivered message ignored)`
      : `scan ${msg.scanId}: ${msg.target.name} ${r.outcome.status} in ${r.outcome.durationMs} ms`,
  );
}

/** A message that failed maxDequeueCount times ends as a recorded failed target, never as silence. */
export async function scanTargetPoison(message: unknown, context: InvocationContext): Promise<void> {
  const rt = await getRuntime();
  const msg = parseScanMessage(message);
  await rt.recordPoison(msg);
  context.error(`scan ${msg.scanId}: ${msg.target.name} failed after repeated attempts; recorded as failed`);
}

app.storageQueue('scanTarget', { queueName: SCAN_QUEUE, connection: QUEUE_CONNECTION, handler: scanTarget });
app.storageQueue('scanTargetPoison', { queueName: SCAN_POISON_QUEUE, connection: QUEUE_CONNECTION, handler: scanTargetPoison });
