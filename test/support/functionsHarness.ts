import { InvocationContext, type Timer } from '@azure/functions';
import { queueClient } from '../../lib/queue';
import { testStorage } from './runtime';

/** What a test needs to call the registered handlers as the Functions host would (timer, queue messages). */
export const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

export function invocation(name: string, logs?: string[]): InvocationContext {
  return new InvocationContext({
    functionName: name,
    invocationId: name,
    logHandler: (_level, ...args) => logs?.push(args.join(' ')),
  });
}

/** Receives (and so hides) up to 32 visible messages of a queue of the test Azurite, decoded like the host does. */
export async function receiveMessages<T>(queue: string): Promise<T[]> {
  const client = queueClient({ kind: 'connectionString', connectionString: testStorage() }, queue);
  await client.createIfNotExists();
  const got = await client.receiveMessages({ numberOfMessages: 32 });
  return got.receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as T);
}
