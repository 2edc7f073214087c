import { gunzipSync } from 'node:zlib';
import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { LogsIngestionClient } from '@azure/monitor-ingestion';
import { loadConfig } from '../../lib/config';
import type { AlertEvent } from '../../lib/domain/alert';
import {
  AlertDispatcher,
  createAlertDispatcher,
  LogsIngestionSink,
  SCAN_COMPLETED_EVENT,
  scanCompletedRow,
  shouldPage,
  toAlertRow,
  type AlertRow,
  type AlertSink,
  type OutboxEntry,
  type OutboxKey,
  type OutboxPort,
  type SinkResult,
} from '../../lib/alerts';

class MemoryOutbox implements OutboxPort {
  readonly rows = new Map<string, OutboxEntry>();
  add(event: AlertEvent, partitionKey = 'target-a'): void {
    const key = { partitionKey, rowKey: `outbox~${event.id}` };
    this.rows.set(`${key.partitionKey}|${key.rowKey}`, { key, event });
  }
  async list(limit = Infinity): Promise<OutboxEntry[]> {
    return [...this.rows.values()].slice(0, limit);
  }
  async remove(keys: readonly OutboxKey[]): Promise<void> {
    for (const k of keys) this.rows.delete(`${k.partitionKey}|${k.rowKey}`);
  }
  async depth(): Promise<number> {
    return this.rows.size;
  }
}

/** Accepts everything except rows whose FindingId is in `reject`. */
class RecordingSink implements AlertSink {
  readonly received: AlertRow[] = [];
  reject = new Set<string>();
  throwAll = false;
  async send(rows: readonly AlertRow[]): Promise<SinkResult> {
    if (this.throwAll) throw new Error('connect ECONNREFUSED');
    const out: SinkResult = { accepted: [], failed: [] };
    rows.forEach((r, i) => {
      if (this.reject.has(r.FindingId)) out.failed.push({ index: i, error: 'HTTP 500' });
      else {
        this.received.push(r);
        out.accepted.push(i);
      }
    });
    return out;
  }
}

let seq = 0;
function event(over: Partial<AlertEvent> = {}): AlertEvent {
  seq += 1;
  return {
    id: `e${String(seq).padStart(4, '0')}`,
    event: 'opened',
    findingId: `f-${seq}`,
    ruleId: 'hcx-version-end-of-support',
    severity: 'high',
    title: 'HCX version out of support',
    message: 'HCX 4.10.3 went out of support on 2025-07-27.',
    targetId: 'connector:onprem-1',
    targetName: 'onprem-1',
    subjectId: 'manager',
    subjectName: 'HCX Connector',
    owner: 'customer',
    deadline: '2025-07-27',
    band: 'passed',
    createdAt: '2026-03-01T05:00:00.000Z',
    ...over,
  };
}

describe('alert rows', () => {
  it('carries every column the custom table declares, with a dashboard link to the finding', () => {
    const row = toAlertRow(event({ findingId: 'abc/1' }), 'https://mon.example.com/api/dashboard');
    expect(row).toEqual({
      TimeGenerated: '2026-03-01T05:00:00.000Z',
      FindingId: 'abc/1',
      RuleId: 'hcx-version-end-of-support',
      Severity: 'high',
      Event: 'opened',
      Target: 'onprem-1',
      Subject: 'HCX Connector',
      FindingTitle: 'HCX version out of support',
      Message: 'HCX 4.10.3 went out of support on 2025-07-27.',
      Deadline: '2025-07-27',
      Owner: 'customer',
      DashboardLink: 'https://mon.example.com/api/dashboard?finding=abc%2F1',
    });
  });

  it('never carries a function key in the link an alert travels with', () => {
    const row = toAlertRow(event({ findingId: 'f1' }), 'https://mon.example.com/api/dashboard?code=SECRETKEY&x=1');
    expect(row.DashboardLink).toBe('https://mon.example.com/api/dashboard?x=1&finding=f1');
    expect(JSON.stringify(row)).not.toContain('SECRETKEY');
    const heartbeat = scanCompletedRow(
      { scanId: 's1', completedAt: '2026-03-01T05:00:00.000Z', targets: 1 },
      'https://mon.example.com/api/dashboard?code=SECRETKEY',
    );
    expect(heartbeat.DashboardLink).toBe('https://mon.example.com/api/dashboard');
  });

  it('drops the function key whatever the case of its name (CODE=, Code=), keeping other parameters', () => {
    const url = 'https://mon.example.com/api/dashboard?CODE=KEY1&x=1&Code=KEY2&cOdE=KEY3&codex=keep';
    const row = toAlertRow(event({ findingId: 'f1' }), url);
    expect(row.DashboardLink).toBe('https://mon.example.com/api/dashboard?x=1&codex=keep&finding=f1');
    expect(JSON.stringify(row)).not.toMatch(/KEY\d/);
    expect(
      scanCompletedRow({ scanId: 's1', completedAt: '2026-03-01T05:00:00.000Z', targets: 1 }, url).DashboardLink,
    ).toBe('https://mon.example.com/api/dashboard?x=1&codex=keep');
  });

  it('leaves deadline and link empty when there are none, and clips huge messages', () => {
    const row = toAlertRow(event({ deadline: undefined, message: 'x'.repeat(10000) }));
    expect(row.Deadline).toBe('');
    expect(row.DashboardLink).toBe('');
    expect(row.Message.length).toBe(4000);
  });

  it('pages at or above the threshold, always for resolved and test events', () => {
    expect(shouldPage(event({ severity: 'high' }), 'high')).toBe(true);
    expect(shouldPage(event({ severity: 'critical' }), 'high')).toBe(true);
    expect(shouldPage(event({ severity: 'medium' }), 'high')).toBe(false);
    expect(shouldPage(event({ severity: 'medium', event: 'reminder' }), 'high')).toBe(false);
    expect(shouldPage(event({ severity: 'low', event: 'resolved' }), 'high')).toBe(true);
    expect(shouldPage(event({ severity: 'info', event: 'test' }), 'critical')).toBe(true);
    expect(shouldPage(event({ severity: 'info' }), 'info')).toBe(true);
  });
});

describe('AlertDispatcher', () => {
  it('sends paged events, drops the rest as not paged, and empties the outbox', async () => {
    const outbox = new MemoryOutbox();
    const sink = new RecordingSink();
    const high = event({ severity: 'high' });
    const low = event({ severity: 'low' });
    const resolvedLow = event({ severity: 'low', event: 'resolved' });
    [high, low, resolvedLow].forEach((e) => outbox.add(e));
    const report = await new AlertDispatcher({ outbox, sink, minSeverity: 'high' }).dispatch();
    expect(report).toEqual({ configured: true, sent: 2, skipped: 1, failed: 0, remaining: 0, errors: [] });
    expect(sink.received.map((r) => r.FindingId)).toEqual([high.findingId, resolvedLow.findingId]);
  });

  it('keeps rejected rows for the next run and never resends accepted ones', async () => {
    const outbox = new MemoryOutbox();
    const sink = new RecordingSink();
    const a = event();
    const b = event();
    outbox.add(a);
    outbox.add(b);
    sink.reject.add(b.findingId);
    const dispatcher = new AlertDispatcher({ outbox, sink, minSeverity: 'high', batchSize: 1 });

    const first = await dispatcher.dispatch();
    expect(first).toMatchObject({ sent: 1, failed: 1, remaining: 1, errors: ['HTTP 500'] });

    sink.reject.clear();
    const second = await dispatcher.dispatch();
    expect(second).toMatchObject({ sent: 1, failed: 0, remaining: 0 });
    expect(sink.received.map((r) => r.FindingId)).toEqual([a.findingId, b.findingId]);
  });

  it('keeps everything when the sink throws', async () => {
    const outbox = new MemoryOutbox();
    const sink = new RecordingSink();
    sink.throwAll = true;
    outbox.add(event());
    outbox.add(event({ severity: 'low' }));
    const report = await new AlertDispatcher({ outbox, sink, minSeverity: 'high' }).dispatch();
    expect(report).toMatchObject({ sent: 0, skipped: 1, failed: 1, remaining: 1, errors: ['connect ECONNREFUSED'] });
  });

  it('without an endpoint keeps the whole outbox, below-threshold rows included, and reports its depth', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(event());
    outbox.add(event({ severity: 'info' }));
    const warnings: string[] = [];
    const dispatcher = createAlertDispatcher(loadConfig({}), outbox, {
      logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    expect(dispatcher.configured).toBe(false);
    const report = await dispatcher.dispatch();
    expect(report).toEqual({ configured: false, sent: 0, skipped: 0, failed: 0, remaining: 2, errors: [] });
    expect(outbox.rows.size).toBe(2);
    expect(warnings[0]).toMatch(/HCXMON_ALERT_ENDPOINT.*2 event/);
    expect(await dispatcher.sendTestEvent()).toEqual({ status: 'not-configured' });
  });

  it('reads at most maxRows per run so a backlog drains over several runs', async () => {
    const outbox = new MemoryOutbox();
    const sink = new RecordingSink();
    for (let i = 0; i < 5; i++) outbox.add(event());
    const dispatcher = new AlertDispatcher({ outbox, sink, minSeverity: 'high', maxRows: 3 });
    expect(await dispatcher.dispatch()).toMatchObject({ sent: 3, remaining: 2 });
    expect(await dispatcher.dispatch()).toMatchObject({ sent: 2, remaining: 0 });
  });

  it('sends a test event that pages at the threshold severity, bypassing the outbox', async () => {
    const outbox = new MemoryOutbox();
    const sink = new RecordingSink();
    const dispatcher = new AlertDispatcher({
      outbox,
      sink,
      minSeverity: 'medium',
      now: () => new Date('2026-03-02T10:11:12.345Z'),
    });
    const result = await dispatcher.sendTestEvent('alice@example.com');
    expect(result).toEqual({
      status: 'sent',
      findingId: 'hcxmon-test-20260302101112345',
      eventId: 'test~hcxmon-test-20260302101112345',
    });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]).toMatchObject({
      Event: 'test',
      Severity: 'medium',
      TimeGenerated: '2026-03-02T10:11:12.345Z',
    });
    expect(sink.received[0].Message).toContain('alice@example.com');
    sink.reject.add('hcxmon-test-20260302101112345');
    expect(await dispatcher.sendTestEvent()).toMatchObject({ status: 'failed', error: 'HTTP 500' });
  });

  it('writes the scan-completed heartbeat the dead-man switch counts', async () => {
    const sink = new RecordingSink();
    const dispatcher = new AlertDispatcher({ outbox: new MemoryOutbox(), sink, minSeverity: 'high' });
    const ok = await dispatcher.recordScanCompleted({
      scanId: 's1',
      completedAt: '2026-03-01T05:10:00.000Z',
      targets: 3,
    });
    expect(ok).toBe(true);
    expect(sink.received[0]).toMatchObject({
      Event: SCAN_COMPLETED_EVENT,
      Subject: 's1',
      TimeGenerated: '2026-03-01T05:10:00.000Z',
    });
  });
});

describe('LogsIngestionSink over the real client', () => {
  const credential = { getToken: async () => ({ token: 'tok', expiresOnTimestamp: Date.now() + 3_600_000 }) };

  function client(status: (req: PipelineRequest) => number, seen: PipelineRequest[]): LogsIngestionClient {
    const httpClient: HttpClient = {
      async sendRequest(request) {
        seen.push(request);
        return { status: status(request), headers: createHttpHeaders(), request };
      },
    };
    return new LogsIngestionClient('https://dce.westeurope-1.ingest.monitor.azure.com', credential, {
      httpClient,
      retryOptions: { maxRetries: 0 },
    });
  }

  it('posts gzipped rows to the DCR stream with a bearer token', async () => {
    const seen: PipelineRequest[] = [];
    const sink = new LogsIngestionSink(
      client(() => 204, seen),
      'dcr-0123',
      'Custom-HcxComplianceFindings_CL',
    );
    const row = toAlertRow(event());
    expect(await sink.send([row])).toEqual({ accepted: [0], failed: [] });
    expect(seen).toHaveLength(1);
    const req = seen[0];
    expect(req.method).toBe('POST');
    const url = new URL(req.url);
    expect(url.pathname).toBe('/dataCollectionRules/dcr-0123/streams/Custom-HcxComplianceFindings_CL');
    expect(url.searchParams.get('api-version')).toBe('2023-01-01');
    expect(req.headers.get('authorization')).toBe('Bearer tok');
    expect(JSON.parse(gunzipSync(req.body as Buffer).toString('utf8'))).toEqual([row]);
  });

  it('reports every row failed when the service refuses the upload', async () => {
    const sink = new LogsIngestionSink(
      client(() => 403, []),
      'dcr-0123',
      'Custom-HcxComplianceFindings_CL',
    );
    const result = await sink.send([toAlertRow(event()), toAlertRow(event())]);
    expect(result.accepted).toEqual([]);
    expect(result.failed.map((f) => f.index)).toEqual([0, 1]);
  });
});
