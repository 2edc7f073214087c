/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are JSON read back as the user reads them */
import { createHandlers, TARGET_CSV_COLUMNS, type Handlers } from '../../lib/api/handlers';
import { runHandler, type ApiRequest, type ApiResponse } from '../../lib/api/http';
import { portsFromRuntime } from '../../lib/api/runtimePorts';
import { runCli } from '../../lib/cli';
import { findingId } from '../../lib/findings';
import { FINDING_CSV_COLUMNS, flattenFindingView, type FindingView } from '../../lib/findings/view';
import { sortFindingsBy } from '../../lib/findings/urgency';
import type { Finding } from '../../lib/domain/finding';
import { DateTime } from 'luxon';
import { csvRecords } from '../support/csv';
import { labRuntime, type LabRuntime } from '../support/runtime';

/**
 * Issue 14: one vocabulary everywhere. One lab scan, then the same findings read through `hcxmon … --format json|csv`
 * and `GET /api/findings` (JSON, CSV, by id): the same fields with the same values, whichever door the operator uses.
 */
describe('one finding shape, one expiry, one fact check: CLI and API over the same lab scan (Azurite)', () => {
  let ctx: LabRuntime;
  let api: Handlers;
  let scanJson: { asOf: string; findings: FindingView[] };
  let legacyId: string;

  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runCli(args, {
      io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: ctx.env },
      openRuntime: async () => ctx.rt,
    });
    return { code, out, err };
  };

  const call = async (
    name: keyof Handlers,
    opts: { query?: Record<string, string>; params?: Record<string, string>; body?: unknown } = {},
  ): Promise<ApiResponse & { json: any }> => {
    // runHandler: errors become responses exactly as the registered functions answer them.
    const res = await runHandler(
      api[name] as (req: ApiRequest) => Promise<ApiResponse>,
      {
        method: opts.body === undefined ? 'GET' : 'POST',
        params: opts.params ?? {},
        query: new URLSearchParams(opts.query ?? {}),
        header: () => undefined,
        text: async () => (opts.body === undefined ? '' : JSON.stringify(opts.body)),
      },
      () => {},
    );
    return { ...res, json: res.jsonBody };
  };

  /** Every page of GET /api/findings. */
  const apiAll = async (query: Record<string, string>): Promise<any[]> => {
    const items: any[] = [];
    let token: string | undefined;
    do {
      const res = await call('listFindings', { query: { ...query, ...(token ? { continuationToken: token } : {}) } });
      expect(res.status).toBe(200);
      items.push(...res.json.items);
      token = res.json.continuationToken;
    } while (token);
    return items;
  };

  beforeAll(async () => {
    ctx = await labRuntime('shape');
    api = createHandlers(portsFromRuntime(ctx.rt));
    await ctx.rt.scan({ trigger: 'cli' });
    legacyId = (await ctx.rt.stores.inventory.listTargets()).find((t) => t.targetName === 'avs-legacy-neu')!.targetId;
    // A suppressed finding with a deadline: the fields only a suppressed finding has must agree too.
    const sup = await cli([
      'suppress',
      'add',
      '--rule',
      'hcx-version-end-of-support',
      '--target',
      'avs-legacy-neu',
      '--reason',
      'upgrade window booked',
      '--expires',
      '2026-12-31',
    ]);
    expect(sup.code).toBe(0);
    ctx.clock.advance(24);
    const scan = await cli(['scan', '--format', 'json']);
    expect(scan.code).toBe(0);
    scanJson = JSON.parse(scan.out);
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  it('CLI JSON (scan and findings), API JSON (list and by id) and both CSVs carry the same fields and values', async () => {
    const cliFindings = JSON.parse((await cli(['findings', '--format', 'json'])).out).findings as FindingView[];
    const apiFindings = await apiAll({ limit: '7' });
    const byId = (list: FindingView[]) => new Map(list.map((f) => [f.id, f]));
    expect(apiFindings.length).toBeGreaterThan(10);
    expect(byId(apiFindings)).toEqual(byId(cliFindings));
    // The scan prints the current findings of what it scanned: the same objects.
    expect(byId(scanJson.findings)).toEqual(byId(cliFindings));

    const eos = apiFindings.find((f) => f.id === findingId('hcx-version-end-of-support', legacyId, 'manager'))!;
    expect(eos).toMatchObject({
      status: 'suppressed',
      underlyingStatus: 'open',
      suppressionId: expect.stringMatching(/^sup-/),
      targetKind: 'avs-private-cloud',
      evidence: expect.objectContaining({ source: expect.any(String) }),
      // 4.10 ended on 2026-02-20, counted from the clock's day (2026-11-22): 275 days ago.
      deadline: { date: '2026-02-20', basis: 'catalog', daysLeft: -275, band: 'passed' },
      firstSeenAt: '2026-11-21T05:00:00.000Z',
      lastSeenAt: '2026-11-22T05:00:00.000Z',
    });
    expect(eos.references.length).toBeGreaterThan(0);
    const one = await call('getFinding', { params: { id: eos.id } });
    expect(one.json).toEqual(eos);

    const asCsv = (v: FindingView) =>
      Object.fromEntries(Object.entries(flattenFindingView(v)).map(([k, x]) => [k, String(x)]));
    const expected = new Map(apiFindings.map((f) => [f.id, asCsv(f)]));
    const apiCsv = await call('listFindings', { query: { format: 'csv' } });
    const cliCsv = (await cli(['findings', '--format', 'csv'])).out;
    for (const text of [apiCsv.body!, cliCsv]) {
      expect(text.split('\n')[0]).toBe(FINDING_CSV_COLUMNS.join(','));
      const rows = csvRecords(text.trimEnd());
      // Formula-like names come back behind a quote; the lab's names have none, so every cell reads back as is.
      expect(new Map(rows.map((r) => [r.id, r]))).toEqual(expected);
    }
  });

  it('sorts the whole filtered list across pages, counts it, and refuses an unknown sort', async () => {
    const whole = await apiAll({ limit: '1000' });
    const stored = await ctx.rt.stores.findings.queryAll({ status: ['open', 'unknown', 'suppressed'] });
    const asOf = DateTime.fromISO('2026-11-22T05:00:00Z', { zone: 'utc' });
    for (const sort of ['urgency', 'deadline', 'severity', 'lastSeen', 'target']) {
      const first = await call('listFindings', { query: { sort, limit: '5' } });
      expect(first.json.total).toBe(whole.length);
      const paged = await apiAll({ sort, limit: '5' });
      const key = sort === 'lastSeen' ? 'last-seen' : (sort as 'urgency');
      expect(paged.map((f) => f.id)).toEqual(sortFindingsBy(stored as Finding[], key, asOf).map((f) => f.id));
    }
    // Urgency: the worst target's findings first, its nearest deadline first.
    const urgent = await apiAll({ sort: 'urgency', limit: '1000' });
    expect(urgent[0].targetName).toBe(
      JSON.parse((await cli(['summary', '--format', 'json'])).out).worstTargets[0].targetName,
    );
    // A token is bound to its query: it does not page another order.
    const first = await call('listFindings', { query: { sort: 'deadline', limit: '5' } });
    const other = await call('listFindings', {
      query: { sort: 'severity', limit: '5', continuationToken: first.json.continuationToken },
    });
    expect(other.status).toBe(400);
    expect(other.json.error.parameter).toBe('continuationToken');
    // The CLI takes the same names and gives the same order.
    const cliSorted = JSON.parse((await cli(['findings', '--sort', 'deadline', '--format', 'json'])).out).findings;
    expect(cliSorted).toEqual(await apiAll({ sort: 'deadline', limit: '1000' }));
    const cliBad = await cli(['findings', '--sort', 'newest']);
    expect(cliBad.code).toBe(2);
    const bad = await call('listFindings', { query: { sort: 'newest' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.parameter).toBe('sort');
    expect(bad.json.error.message).toMatch(/^sort: no sort "newest"; expected one of urgency, deadline, severity/);
    expect(cliBad.err).toContain(`--${bad.json.error.message}`);
  });

  it('GET /api/targets?format=csv has the JSON items, flattened, with a total in JSON', async () => {
    const json = await call('listTargets');
    expect(json.json.total).toBe(json.json.items.length);
    expect(json.json.total).toBe(8);
    const csv = await call('listTargets', { query: { format: 'csv' } });
    expect(csv.headers?.['content-type']).toMatch(/^text\/csv/);
    const rows = csvRecords(csv.body!.trimEnd());
    expect(Object.keys(rows[0])).toEqual(TARGET_CSV_COLUMNS);
    for (const t of json.json.items) {
      const row = rows.find((r) => r.id === t.id)!;
      expect(row).toMatchObject({
        name: t.name,
        kind: t.kind,
        hcxVersion: t.hcxVersion ?? '',
        belowBaseline: t.belowBaseline === undefined ? '' : String(t.belowBaseline),
        support_status: t.support?.status ?? '',
        lastScan_status: t.lastScan?.status ?? '',
        open_critical: String(t.counts.open.critical),
        unknown: String(t.counts.unknown),
      });
    }
    expect((await call('listTargets', { query: { format: 'xml' } })).status).toBe(400);
  });

  it('a suppression expiry means the same in `suppress add --expires` and POST /api/suppressions', async () => {
    for (const expires of ['2026-12-15', '2026-12-15T12:30:00+01:00']) {
      const viaCli = await cli([
        'suppress',
        'add',
        '--rule',
        'hcx-appliance-outdated',
        '--target',
        'onprem-dc2',
        '--reason',
        'r',
        '--expires',
        expires,
        '--format',
        'json',
      ]);
      expect(viaCli.code).toBe(0);
      const viaApi = await call('createSuppression', {
        body: {
          ruleId: 'hcx-appliance-outdated',
          targetId: 'onprem-dc2',
          reason: 'r',
          category: 'waiver',
          expiresAt: expires,
          createdBy: 'test',
        },
      });
      expect(viaApi.status).toBe(201);
      const stored = await ctx.rt.stores.suppressions.list();
      const fromCli = stored.find((s) => s.id === JSON.parse(viaCli.out).id)!;
      const fromApi = stored.find((s) => s.id === viaApi.json.id)!;
      expect(fromCli.expiresAt).toBe(fromApi.expiresAt);
      expect(viaApi.json.expiresAt).toBe(fromApi.expiresAt);
      expect(fromApi.expiresAt).toBe(expires.length === 10 ? '2026-12-15T23:59:59.999Z' : '2026-12-15T11:30:00.000Z');
    }
    // The same input refused by both, for the same reason.
    const cliBad = await cli([
      'suppress',
      'add',
      '--rule',
      'hcx-appliance-outdated',
      '--reason',
      'r',
      '--expires',
      '2026-12',
    ]);
    expect(cliBad.code).toBe(2);
    expect(cliBad.err).toMatch(/--expires: "2026-12" is neither a date YYYY-MM-DD/);
    const apiBad = await call('createSuppression', {
      body: { ruleId: 'hcx-appliance-outdated', reason: 'r', category: 'waiver', expiresAt: '2026-12' },
    });
    expect(apiBad.status).toBe(400);
    expect(apiBad.json.error.message).toMatch(/^expiresAt: "2026-12" is neither a date YYYY-MM-DD/);
  });

  it('`hcxmon suppress list` fits the terminal, each suppression id whole (what `suppress expire` takes)', async () => {
    // The suppressions of the test above are stored: one line each was 150 columns and more.
    const r = await cli(['suppress', 'list', '--width', '80']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    for (const l of lines) expect({ l, fits: l.length <= 80 }).toEqual({ l, fits: true });
    const stored = await ctx.rt.stores.suppressions.list();
    expect(stored.length).toBeGreaterThan(0);
    for (const s of stored) expect(lines.some((l) => l.startsWith(`${s.id} `))).toBe(true);
  });

  it('a fact value is checked by one function: the same dates refused with the same words', async () => {
    for (const value of ['2999-01-01', '2025-08-01T10:00:00Z']) {
      const viaCli = await cli(['fact', 'set', 'onprem-dc1', 'upgradedTo411At', value]);
      expect(viaCli.code).toBe(2);
      const viaApi = await call('putFact', {
        params: { id: 'connector:onprem-dc1' },
        body: { name: 'upgradedTo411At', value },
      });
      expect(viaApi.status).toBe(400);
      expect(viaCli.err).toContain(viaApi.json.error.message);
    }
  });
});
