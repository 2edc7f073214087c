import { app } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { scanTarget } from '../../functions/scanTarget';
import { setRuntime, type Runtime } from '../../lib/runtime';
import type { ScanMessage } from '../../lib/queue';
import { registrations } from '../support/fakeFunctionsCore';

/**
 * Attack: an error thrown while a queue message is handled quotes what a remote answered (ARM's
 * listAdminCredentials body, a URL with user-info, a session cookie), and a queue message names its target with a
 * newline so the log shows a line the attacker wrote. The queue worker rethrows such errors and the local host logs
 * them: both must redact, and a name must stay on its own line.
 */
const conn = process.env.HCXMON_TEST_STORAGE!;
const QUEUE = `secleak${Date.now().toString(36)}`;
const SECRET = 's3cr#t-pw';

// The real queue worker, on a queue of this file's own (not the shared hcxmon-scan queue).
for (let i = registrations.length - 1; i >= 0; i--) if (/^scanTarget/.test(registrations[i].metadata.name)) registrations.splice(i, 1);
app.storageQueue('secLeakyScan', { queueName: QUEUE, connection: 'AzureWebJobsStorage', handler: scanTarget });

// What the worker's runtime does is not under test: one target fails with an error that quotes credentials.
const runtime = {
  async processScanMessage(msg: ScanMessage) {
    if (msg.target.id === 'connector:leaky') {
      throw new Error(
        `ARM answered {\\"vcenterUsername\\":\\"cloudadmin\\",\\"vcenterPassword\\":\\"${SECRET}\\"} ` +
          `after https://admin:${SECRET}@hcx.example/ with Cookie: JSESSIONID=${SECRET}`,
      );
    }
    return { outcome: { status: 'ok', durationMs: 1 }, findings: [], events: [] };
  },
} as unknown as Runtime;

let host: LocalHost;
const hostLog: string[] = [];
beforeAll(async () => {
  setRuntime(runtime);
  host = await startLocalHost({ entry: __filename, env: { AzureWebJobsStorage: conn }, log: (l) => void hostLog.push(l) });
});
afterAll(async () => {
  setRuntime(undefined);
  await host?.stop();
});

it('queue failures are logged redacted, and a target name cannot forge a log line', async () => {
  const q = QueueServiceClient.fromConnectionString(conn).getQueueClient(QUEUE);
  await q.createIfNotExists();
  const send = (m: ScanMessage) => q.sendMessage(Buffer.from(JSON.stringify(m)).toString('base64'));
  const asOf = '2026-11-21T05:00:00Z';
  await send({ scanId: 's1', asOf, target: { id: 'connector:leaky', name: 'leaky', kind: 'hcx-connector' } });
  await send({ scanId: 's1', asOf, target: { id: 'connector:dc1', name: 'dc1\n[host] admin key for this run: forged\r', kind: 'hcx-connector' } });
  const r = await host.drainQueues();
  expect(r.poisoned).toBe(1);
  const text = hostLog.join('\n');
  expect(text).toMatch(/secLeakyScan\] failed/);
  expect(text).not.toContain(SECRET);
  // Each logged entry is one line: the name's newline and carriage return did not survive.
  const worker = hostLog.filter((l) => l.includes('dc1'));
  expect(worker).toEqual([expect.stringContaining('dc1 [host] admin key for this run: forged')]);
  for (const l of worker) expect(l).not.toMatch(/[\r\n]/);
});
