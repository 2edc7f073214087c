import { app, type InvocationContext } from '@azure/functions';
import { QUEUE_CONNECTION } from '../lib/queue';
import { getRuntime } from '../lib/runtime';
import { ValidationError } from '../lib/errors';
import { logSafe, redact } from '../lib/text';
import { FOLLOWUP_QUEUE, parseFollowUpMessage } from '../lib/upgrade/followup';

/**
 * A rescan after an observed upgrade (issue 16), delivered when its visibility delay ends. A refused or malformed
 * message is logged, never retried; anything else is rethrown redacted (the host retries it, then poisons it).
 */
export async function followUpScan(message: unknown, context: InvocationContext): Promise<void> {
  try {
    const msg = parseFollowUpMessage(message);
    const rt = await getRuntime();
    const r = await rt.processFollowUpMessage(msg);
    const who = `follow-up ${msg.step + 1} of ${logSafe(msg.target.name)}`;
    context.log(r.skipped ? `${who}: skipped (${r.skipped})` : `${who}: scan ${r.scanId} ${r.result?.outcome.status ?? ''}`);
  } catch (err) {
    if (err instanceof ValidationError && (err.code === 'bad_message' || err.code === 'message_refused')) {
      context.error(`followUpScan: refused a message (${logSafe(redact(err.message))})`);
      return;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = redact(e.message);
    if (e.stack) e.stack = redact(e.stack);
    throw e;
  }
}

app.storageQueue('followUpScan', { queueName: FOLLOWUP_QUEUE, connection: QUEUE_CONNECTION, handler: followUpScan });
