import { app, type InvocationContext } from '@azure/functions';
import { QUEUE_CONNECTION, SCAN_POISON_QUEUE, SCAN_QUEUE, parseScanMessage, type ScanMessage } from '../lib/queue';
import { getRuntime } from '../lib/runtime';
import { ValidationError } from '../lib/errors';
import { logSafe, redact } from '../lib/text';

/**
 * A message the worker will not act on (malformed, or not a target of a running scan row): retrying cannot fix it,
 * so it is logged as refused instead of bouncing into the poison queue. Anything else is rethrown (the host retries
 * it) with its message and stack redacted: the host logs a thrown error, and its message may quote a response body.
 */
export async function handled(context: InvocationContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ValidationError && (err.code === 'bad_message' || err.code === 'message_refused')) {
      context.error(`${context.functionName}: refused a message (${logSafe(redact(err.message))})`);
      return;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = redact(e.message);
    if (e.stack) e.stack = redact(e.stack);
    throw e;
  }
}

/** Who the log names: the target as the message calls it, one line (a forged name cannot add log lines). */
const named = (msg: ScanMessage): string => `scan ${logSafe(msg.scanId)}: ${logSafe(msg.target.name)}`;

/** One target end to end. Idempotent: a redelivered message for a target already done changes nothing. */
export async function scanTarget(message: unknown, context: InvocationContext): Promise<void> {
  await handled(context, async () => {
    const msg = parseScanMessage(message);
    const rt = await getRuntime();
    const r = await rt.processScanMessage(msg);
    context.log(
      r.skipped
        ? `${named(msg)} already done (redelivered message ignored)`
        : `${named(msg)} ${r.outcome.status} in ${r.outcome.durationMs} ms`,
    );
  });
}

/** A message that failed maxDequeueCount times ends as a recorded failed target, never as silence. */
export async function scanTargetPoison(message: unknown, context: InvocationContext): Promise<void> {
  await handled(context, async () => {
    const msg = parseScanMessage(message);
    const rt = await getRuntime();
    await rt.recordPoison(msg);
    context.error(`${named(msg)} failed after repeated attempts; recorded as failed`);
  });
}

app.storageQueue('scanTarget', { queueName: SCAN_QUEUE, connection: QUEUE_CONNECTION, handler: scanTarget });
app.storageQueue('scanTargetPoison', { queueName: SCAN_POISON_QUEUE, connection: QUEUE_CONNECTION, handler: scanTargetPoison });
