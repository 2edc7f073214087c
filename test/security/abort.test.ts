import { generateLabCerts, type LabCerts } from '../../dev/lab/certs';
import { armRequestLimiter, createArmClientFactory } from '../../lib/collect/avs';
import { nodeSend } from '../../lib/collect/hcx/http';
import { loadConfig } from '../../lib/config';
import { recordingServer, type RecordingServer } from './support';

/**
 * Attack: a manager (or ARM) that never answers holds the process-wide slots; a target whose budget ran out must
 * give its place back and send nothing, or every abandoned target keeps a request queued (and later sends it, with
 * the ARM token or an HCX session, after its caller gave up).
 */
const SUB = '00000000-0000-0000-0000-0000000000cc';

describe('abandoned work leaves the request queues and sends nothing', () => {
  let certs: LabCerts;
  let server: RecordingServer;

  beforeAll(async () => {
    certs = await generateLabCerts();
    server = await recordingServer(certs.trusted);
  });
  afterAll(async () => {
    await server?.stop();
    await certs?.remove();
  });

  it('an ARM request waiting for a slot of the process-wide cap leaves the queue when its caller aborts', async () => {
    const config = loadConfig({ HCXMON_SUBSCRIPTION_IDS: SUB, HCXMON_ARM_ENDPOINT: server.origin, HCXMON_ARM_ACCESS_TOKEN: 'tok', HCXMON_ARM_CA_FILE: certs.caFile });
    const client = createArmClientFactory(config)(SUB);
    // Every slot held, as by requests to an ARM that never answers.
    const release: (() => void)[] = [];
    const held = Array.from({ length: armRequestLimiter.max }, () => armRequestLimiter.run(() => new Promise<void>((r) => release.push(r))));
    try {
      const ac = new AbortController();
      const call = client.privateClouds.get('rg', 'pc', { abortSignal: ac.signal });
      call.catch(() => undefined);
      for (let i = 0; i < 100 && armRequestLimiter.queued === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(armRequestLimiter.queued).toBe(1);
      ac.abort();
      // It gives its place up at once, while every slot is still held.
      await expect(Promise.race([call.then(() => 'sent', () => 'aborted'), new Promise((r) => setTimeout(() => r('still queued'), 1000))])).resolves.toBe('aborted');
      expect(armRequestLimiter.queued).toBe(0);
    } finally {
      release.forEach((r) => r());
      await Promise.all(held);
    }
    expect(server.requests).toEqual([]);
  });

  it('an HCX request whose signal aborted before it was sent sends nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      nodeSend({ url: new URL(`${server.origin}/hybridity/api/sessions`), method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"password":"x"}'), timeoutMs: 5000, maxBytes: 1 << 20, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'HCXMON_ABANDONED' });
    expect(server.requests).toEqual([]);
  });
});
