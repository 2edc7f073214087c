import { app, type InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { startLocalHost, type LocalHost } from '../../dev/host';

const conn = process.env.HCXMON_TEST_STORAGE!;
const QUEUE = `hostq${Date.now().toString(36)}`;
const seen: { body: unknown; dequeueCount: unknown }[] = [];
let timerFired = 0;

// Registered by this file itself (the host's entry): one queue trigger that fails on demand, and a timer.
app.storageQueue('hostQueueProbe', {
  queueName: QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (body: unknown, context: InvocationContext) => {
    seen.push({ body, dequeueCount: context.triggerMetadata?.dequeueCount });
    if ((body as { fail?: boolean }).fail) throw new Error('probe failure');
  },
});
app.timer('hostTimerProbe', { schedule: '0 0 5 * * *', handler: async () => void timerFired++ });

let host: LocalHost;
beforeAll(async () => {
  host = await startLocalHost({ entry: __filename, env: { AzureWebJobsStorage: conn }, log: () => {} });
});
afterAll(async () => host?.stop());

it('fires timers on demand', async () => {
  await host.fireTimer('hostTimerProbe');
  expect(timerFired).toBe(1);
  await expect(host.fireTimer('nope')).rejects.toThrow(/no timer/);
});

it('delivers base64 JSON queue messages with dequeueCount and poisons after maxDequeueCount (5) failures', async () => {
  const q = QueueServiceClient.fromConnectionString(conn).getQueueClient(QUEUE);
  await q.createIfNotExists();
  await q.sendMessage(Buffer.from(JSON.stringify({ ok: 1 })).toString('base64'));
  await q.sendMessage(Buffer.from(JSON.stringify({ fail: true })).toString('base64'));
  const total = await host.drainQueues();
  expect(total).toEqual({ processed: 1, failed: 5, poisoned: 1 });
  expect(seen.filter((s) => (s.body as { fail?: boolean }).fail).map((s) => s.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
  expect(seen).toContainEqual({ body: { ok: 1 }, dequeueCount: 1 });
  const poison = await QueueServiceClient.fromConnectionString(conn).getQueueClient(`${QUEUE}-poison`).peekMessages();
  expect(JSON.parse(Buffer.from(poison.peekedMessageItems[0].messageText, 'base64').toString('utf8'))).toEqual({
    fail: true,
  });
  expect((await q.peekMessages()).peekedMessageItems).toHaveLength(0);
});
