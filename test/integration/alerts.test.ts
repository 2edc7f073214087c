import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../lib/config';
import type { AlertEvent } from '../../lib/domain/alert';
import { findingId } from '../../lib/findings/ids';
import { createStores, type OutboxRepository } from '../../lib/store';
import { createAlertDispatcher, type AlertDispatcher, type AlertRow, type OutboxPort } from '../../lib/alerts';

/**
 * A real LogsIngestionClient against a fake ingestion endpoint over real TLS: the endpoint's certificate comes
 * from a throwaway CA (EC P-256, openssl CLI) that the client trusts through `tlsOptions.ca` only.
 */

const RULE_ID = 'dcr-00000000000000000000000000000000';
const STREAM = 'Custom-HcxComplianceFindings_CL';

interface Upload {
  path: string;
  authorization?: string;
  encoding?: string;
  rows: AlertRow[];
}

class FakeIngestion {
  readonly accepted: Upload[] = [];
  requests = 0;
  /** Answer the next N requests with 500. */
  failNext = 0;
  /** Once this many uploads were accepted, answer every further request with 500. */
  acceptLimit = Infinity;
  private server?: Server;
  url = '';

  constructor(private readonly tls: { key: string; cert: string }) {}

  async start(): Promise<void> {
    this.server = createServer(this.tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        if (this.failNext > 0 || this.accepted.length >= this.acceptLimit) {
          this.failNext = Math.max(0, this.failNext - 1);
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'ingestion backend unavailable' } }));
          return;
        }
        const body =
          req.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
        this.accepted.push({
          path: req.url ?? '',
          authorization: req.headers.authorization,
          encoding: req.headers['content-encoding'],
          rows: JSON.parse(body.toString('utf8')) as AlertRow[],
        });
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  rows(): AlertRow[] {
    return this.accepted.flatMap((u) => u.rows);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let tables = 0;
/** The real outbox: rows in the findings table of the Azurite that globalSetup started. */
function storeOutbox(): OutboxRepository {
  const connectionString = process.env.HCXMON_TEST_STORAGE;
  if (!connectionString) throw new Error('HCXMON_TEST_STORAGE is not set (integration globalSetup)');
  tables += 1;
  const stores = createStores(
    { kind: 'connectionString', connectionString, setting: 'HCXMON_TEST_STORAGE' },
    { tablePrefix: `alerts${Date.now().toString(36)}${tables}` },
  );
  return stores.outbox;
}

/** Real finding ids (they pick the outbox partition), labelled for readable assertions. */
const EOS = findingId('hcx-version-end-of-support', 'connector:onprem-1', 'manager');
const NEHA = findingId('hcx-network-extension-without-ha', 'connector:onprem-1', 'network-1');
const KEY = findingId(
  'hcx-activation-key-expiry',
  '/subscriptions/s1/resourcegroups/rg/providers/microsoft.avs/privateclouds/sddc-1',
  'site-onprem-1',
);
const LABEL = new Map<string, string>([
  [EOS, 'eos'],
  [NEHA, 'ne-ha'],
  [KEY, 'key'],
]);
function fid(label: string): string {
  const id = findingId('hcx-version-end-of-support', `connector:${label}`, 'manager');
  LABEL.set(id, label);
  return id;
}
const label = (row: AlertRow) => LABEL.get(row.FindingId) ?? row.FindingId;

function makeCa(dir: string): { ca: string; key: string; cert: string } {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  ssl(
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=hcxmon test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'ca.pem',
  );
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key');
  ssl('req', '-new', '-key', 'server.key', '-subj', '/CN=127.0.0.1', '-out', 'server.csr');
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

const credential = { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

function event(id: string, over: Partial<AlertEvent>): AlertEvent {
  return {
    id,
    event: 'opened',
    findingId: EOS,
    ruleId: 'hcx-version-end-of-support',
    severity: 'high',
    title: 'HCX version out of support',
    message: 'HCX 4.11.1 goes out of support on 2026-02-20.',
    targetId: 'connector:onprem-1',
    targetName: 'onprem-1',
    subjectId: 'manager',
    subjectName: 'HCX Connector',
    owner: 'customer',
    createdAt: '2026-01-01T05:00:00.000Z',
    ...over,
  };
}

describe('alert dispatch through Logs Ingestion over TLS', () => {
  let dir: string;
  let pki: { ca: string; key: string; cert: string };
  let endpoint: FakeIngestion;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hcxmon-alerts-'));
    pki = makeCa(dir);
    endpoint = new FakeIngestion(pki);
    await endpoint.start();
  });

  afterAll(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    endpoint.accepted.length = 0;
    endpoint.requests = 0;
    endpoint.failNext = 0;
    endpoint.acceptLimit = Infinity;
  });

  function dispatcher(outbox: OutboxPort, opts: { ca?: string; batchSize?: number } = {}): AlertDispatcher {
    const config = loadConfig({
      HCXMON_ALERT_ENDPOINT: endpoint.url,
      HCXMON_ALERT_RULE_ID: RULE_ID,
      HCXMON_ALERT_MIN_SEVERITY: 'high',
      HCXMON_DASHBOARD_URL: 'https://hcxmon.example.com/api/dashboard',
    });
    return createAlertDispatcher(config, outbox, {
      credential,
      batchSize: opts.batchSize,
      clientOptions: {
        tlsOptions: { ca: opts.ca ?? pki.ca },
        retryOptions: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
      },
    });
  }

  it('delivers a scan-like sequence (open → escalate → resolve → reminder) exactly as expected', async () => {
    const outbox = storeOutbox();
    const d = dispatcher(outbox);
    const summary = (rows: AlertRow[]) => rows.map((r) => `${r.Event}:${label(r)}:${r.Severity}`);

    // Scan 1: two findings open; the medium one is below the paging threshold.
    await outbox.add([
      event('0001', { deadline: '2026-02-20', band: 'd90' }),
      event('0002', { findingId: NEHA, ruleId: 'hcx-network-extension-without-ha', severity: 'medium' }),
    ]);
    expect(await d.dispatch()).toMatchObject({ sent: 1, skipped: 1, failed: 0, remaining: 0 });
    // Scan 2: the deadline band moves to ≤30 days → escalated to critical.
    await outbox.add([
      event('0003', {
        event: 'escalated',
        severity: 'critical',
        deadline: '2026-02-20',
        band: 'd30',
        createdAt: '2026-01-25T05:00:00.000Z',
      }),
    ]);
    expect(await d.dispatch()).toMatchObject({ sent: 1, skipped: 0, remaining: 0 });
    // Scan 3: upgraded → resolved; the medium finding crosses a band but still does not page.
    await outbox.add([
      event('0004', { event: 'resolved', severity: 'critical', createdAt: '2026-01-26T05:00:00.000Z' }),
      event('0005', {
        event: 'reminder',
        findingId: NEHA,
        ruleId: 'hcx-network-extension-without-ha',
        severity: 'medium',
        createdAt: '2026-01-26T05:00:00.000Z',
      }),
    ]);
    expect(await d.dispatch()).toMatchObject({ sent: 1, skipped: 1, remaining: 0 });
    // Scan 4: a reminder for a critical finding of another target pages.
    await outbox.add([
      event('0006', {
        event: 'reminder',
        findingId: KEY,
        ruleId: 'hcx-activation-key-expiry',
        severity: 'critical',
        targetName: 'avs-sddc-1',
        subjectName: 'site-onprem-1',
        createdAt: '2026-01-27T05:00:00.000Z',
      }),
    ]);
    expect(await d.dispatch()).toMatchObject({ sent: 1, remaining: 0 });

    expect(endpoint.accepted).toHaveLength(4);
    for (const upload of endpoint.accepted) {
      const url = new URL(upload.path, endpoint.url);
      expect(url.pathname).toBe(`/dataCollectionRules/${RULE_ID}/streams/${STREAM}`);
      expect(url.searchParams.get('api-version')).toBe('2023-01-01');
      expect(upload.authorization).toBe('Bearer test-token');
      expect(upload.encoding).toBe('gzip');
    }
    expect(summary(endpoint.rows())).toEqual([
      'opened:eos:high',
      'escalated:eos:critical',
      'resolved:eos:critical',
      'reminder:key:critical',
    ]);
    expect(endpoint.rows()[1]).toEqual({
      TimeGenerated: '2026-01-25T05:00:00.000Z',
      FindingId: EOS,
      RuleId: 'hcx-version-end-of-support',
      Severity: 'critical',
      Event: 'escalated',
      Target: 'onprem-1',
      Subject: 'HCX Connector',
      FindingTitle: 'HCX version out of support',
      Message: 'HCX 4.11.1 goes out of support on 2026-02-20.',
      Deadline: '2026-02-20',
      Owner: 'customer',
      DashboardLink: `https://hcxmon.example.com/api/dashboard?finding=${encodeURIComponent(EOS)}`,
    });
  });

  it('loses nothing while the endpoint answers 500, and delivers on the next run', async () => {
    const outbox = storeOutbox();
    await outbox.add([
      event('0001', { findingId: fid('a') }),
      event('0002', { findingId: fid('b') }),
      event('0003', { findingId: fid('c') }),
    ]);
    const d = dispatcher(outbox);

    endpoint.failNext = 100;
    const failed = await d.dispatch();
    expect(failed).toMatchObject({ sent: 0, failed: 3, remaining: 3 });
    expect(failed.errors.join()).toMatch(/ingestion backend unavailable|500/);
    expect(endpoint.requests).toBe(2); // one try + one retry: the small retryOptions are in force

    endpoint.failNext = 0;
    expect(await d.dispatch()).toMatchObject({ sent: 3, failed: 0, remaining: 0 });
    expect(endpoint.rows().map(label)).toEqual(['a', 'b', 'c']);
  });

  it('never sends an accepted row twice when only some batches fail', async () => {
    const outbox = storeOutbox();
    const ids = ['a', 'b', 'c', 'd'].map(fid);
    for (const [i, id] of ids.entries()) {
      await outbox.add([event(`000${i}`, { findingId: id, createdAt: `2026-01-01T05:00:0${i}.000Z` })]);
    }
    const d = dispatcher(outbox, { batchSize: 2 });

    endpoint.acceptLimit = 1; // the first batch goes through, the second fails on its try and its retry
    const first = await d.dispatch();
    expect(first).toMatchObject({ sent: 2, failed: 2, remaining: 2 });
    expect(endpoint.rows().map(label)).toEqual(['a', 'b']);

    endpoint.acceptLimit = Infinity;
    expect(await d.dispatch()).toMatchObject({ sent: 2, failed: 0, remaining: 0 });
    expect(endpoint.rows().map((r) => r.FindingId)).toEqual(ids);
  });

  it('refuses an endpoint whose certificate it does not trust, and keeps the rows', async () => {
    const outbox = storeOutbox();
    await outbox.add([event('0001', {})]);
    const otherCa = makeCa(mkdtempSync(join(dir, 'other-')));
    const report = await dispatcher(outbox, { ca: otherCa.ca }).dispatch();
    expect(report).toMatchObject({ sent: 0, failed: 1, remaining: 1 });
    expect(report.errors.join()).toMatch(/certificate|self.signed|issuer/i);
    expect(endpoint.accepted).toHaveLength(0);
  });

  it('sends one synthetic test event end to end', async () => {
    const result = await dispatcher(storeOutbox()).sendTestEvent('oncall-drill');
    expect(result.status).toBe('sent');
    expect(endpoint.rows()).toHaveLength(1);
    expect(endpoint.rows()[0]).toMatchObject({
      Event: 'test',
      Severity: 'high',
      FindingTitle: 'Test alert from hcx-compliance-monitor',
    });
  });
});
