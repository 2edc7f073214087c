import { app, type InvocationContext } from '@azure/functions';
import { QUEUE_CONNECTION } from '../lib/queue';
import { getRuntime } from '../lib/runtime';
import { logSafe } from '../lib/text';
import { FOLLOWUP_POISON_QUEUE, FOLLOWUP_QUEUE, parseFollowUpMessage } from '../lib/upgrade/followup';
import { handled } from './scanTarget';

/**
 * A rescan after an observed upgrade (issue 16), delivered when its visibility delay ends. Refused and malformed
 * messages are logged, never retried; anything else is rethrown redacted (the host retries it, then poisons it) —
 * the scan trigger's handling.
 */
export async function followUpScan(message: unknown, context: InvocationContext): Promise<void> {
  await handled(context, async () => {
    const msg = parseFollowUpMessage(message);
    const rt = await getRuntime();
    const r = await rt.processFollowUpMessage(msg);
    // The stored name: the message carries ids only.
    const who = `follow-up ${msg.step + 1} of ${logSafe(r.targetName ?? msg.target.id.slice(0, 120))}`;
    context.log(r.skipped ? `${who}: skipped (${r.skipped})` : `${who}: scan ${r.scanId} ${r.result?.outcome.status ?? ''}`);
  });
}

/** A follow-up that failed maxDequeueCount times: its scan row ends failed (never left running), logged as an error. */
export async function followUpScanPoison(message: unknown, context: InvocationContext): Promise<void> {
  await handled(context, async () => {
    const msg = parseFollowUpMessage(message);
    const rt = await getRuntime();
    const scanId = await rt.recordFollowUpPoison(msg);
    context.error(`follow-up ${msg.step + 1} of ${logSafe(msg.target.id.slice(0, 120))} failed after repeated attempts${scanId ? `; scan ${scanId} recorded as failed` : ''}`);
  });
}

app.storageQueue('followUpScan', { queueName: FOLLOWUP_QUEUE, connection: QUEUE_CONNECTION, handler: followUpScan });
app.storageQueue('followUpScanPoison', {
  queueName: FOLLOWUP_POISON_QUEUE,
  connection: QUEUE_CONNECTION,
  handler: followUpScanPoison,
});
