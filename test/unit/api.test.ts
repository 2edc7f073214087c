import fc from 'fast-check';
import { z } from 'zod';
import { registrations } from '../support/fakeFunctionsCore';
import '../../functions/http';
import { matchRoute, parseRouteTemplate } from '../../dev/host';
import { renderDashboard } from '../../lib/api/dashboard';
import { createHandlers } from '../../lib/api/handlers';
import { runHandler, type ApiRequest } from '../../lib/api/http';
import { buildOpenApi } from '../../lib/api/openapi';
import type { ApiPorts } from '../../lib/api/ports';
import { evaluateReadiness, upgradePath } from '../../lib/api/readiness';
import { ROUTES } from '../../lib/api/routes';
import { lifecyclePort, ruleCatalogPort } from '../../lib/api/runtimePorts';
import { DEFAULT_CATALOG } from '../../lib/rules/lifecycle';
import type { Finding, Suppression } from '../../lib/domain/finding';
import { CONNECTOR_REF, emptyConnector, healthyConnector, mesh } from '../support/inventoryBuilder';

const NOW = new Date('2026-03-02T00:00:00Z');

/** In-memory ports: the handlers' contract without storage (the e2e test covers the Table repositories). */
function memoryPorts(): ApiPorts {
  const suppressions: Suppression[] = [];
  // A whole finding: the HTML pages draw every field of it.
  const finding: Finding = {
    id: 'hcx-appliance-outdated.0123456789abcdef0123.0123456789abcdef0123',
    ruleId: 'hcx-appliance-outdated',
    title: 'Appliance outdated',
    targetId: CONNECTOR_REF.id,
    targetName: CONNECTOR_REF.name,
    targetKind: CONNECTOR_REF.kind,
    subjectId: 'ix-1',
    subjectName: 'IX 1',
    subjectKind: 'appliance',
    status: 'open',
    severity: 'medium',
    owner: 'customer',
    message: 'outdated',
    evidence: { source: 'hcx' },
    deadline: { date: '2026-04-01', basis: 'catalog', daysLeft: 30, band: 'd30' },
    firstSeenAt: NOW.toISOString(),
    lastSeenAt: NOW.toISOString(),
    lastEvaluatedAt: NOW.toISOString(),
    reopenCount: 0,
  };
  return {
    now: () => NOW,
    log: () => {},
    findings: {
      list: async () => ({ items: [finding] }),
      get: async (id) => (id === finding.id ? finding : undefined),
    },
    inventory: {
      latest: async (id) => (id === CONNECTOR_REF.id ? healthyConnector() : undefined),
      summary: async (id) =>
        id === CONNECTOR_REF.id
          ? {
              targetId: CONNECTOR_REF.id,
              targetName: CONNECTOR_REF.name,
              targetKind: CONNECTOR_REF.kind,
              collectedAt: NOW.toISOString(),
              hcxVersion: '4.11.3',
            }
          : undefined,
      listTargets: async () => [
        {
          targetId: CONNECTOR_REF.id,
          targetName: CONNECTOR_REF.name,
          targetKind: CONNECTOR_REF.kind,
          collectedAt: NOW.toISOString(),
          hcxVersion: '4.11.3',
        },
      ],
      history: async () => ({ versions: [] }),
    },
    scans: { list: async () => ({ items: [] }), get: async () => undefined, latestOutcomes: async () => [] },
    suppressions: {
      list: async () => suppressions,
      create: async (s) => void suppressions.push(s),
      delete: async (id) =>
        suppressions.splice(0, suppressions.length, ...suppressions.filter((s) => s.id !== id)).length > 0,
    },
    facts: { list: async () => [], put: async () => {} },
    scanStarter: { start: async () => ({ scanId: 's1', asOf: NOW.toISOString(), targets: [], enqueued: 0 }) },
    alerts: { sendTest: async () => ({ sent: true, detail: 'ok' }) },
    rules: ruleCatalogPort(),
    lifecycle: lifecyclePort(DEFAULT_CATALOG, undefined, () => NOW),
  };
}

function request(
  method: string,
  params: Record<string, string>,
  query: URLSearchParams,
  body: string,
  headers: Record<string, string> = {},
): ApiRequest {
  return { method, params, query, header: (n) => headers[n.toLowerCase()], text: async () => body };
}

const errorShape = z.object({ error: z.object({ code: z.string().min(1), message: z.string().min(1) }) });

describe('API input handling (property-based, in-process)', () => {
  const handlers = createHandlers(memoryPorts());
  const knownKeys = [
    'status',
    'severity',
    'rule',
    'target',
    'owner',
    'dueBefore',
    'limit',
    'continuationToken',
    'format',
    'active',
    'code',
    'severityMatch',
    'q',
    'sort',
    'dueOn',
  ];
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '',
      'all',
      'open,closed',
      'critical',
      'high',
      '0',
      '-1',
      '1001',
      '99999999',
      '2026-02-30',
      'csv',
      "x' or '1' eq '1",
      '%2F',
      '\u0000',
      'connector:a b',
    ),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 10 })), value), {
    maxLength: 5,
  });
  const id = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom(
      CONNECTOR_REF.id,
      '/subscriptions/x/resourcegroups/r/providers/microsoft.avs/privateclouds/p',
      '%2Fsubscriptions%2F',
      '%E0%A4%A',
      '..',
      'connector:',
      'a'.repeat(2000),
    ),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  const body = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.json({ maxDepth: 3 }),
    fc
      .record(
        {
          ruleId: fc.oneof(fc.constant('hcx-appliance-outdated'), fc.string({ maxLength: 10 })),
          targetId: id,
          subjectId: fc.string({ maxLength: 10 }),
          reason: fc.string({ maxLength: 10 }),
          category: fc.constantFrom('waiver', 'mitigated', 'other'),
          expiresAt: fc.oneof(fc.constant('2026-06-01T00:00:00Z'), fc.string({ maxLength: 25 })),
          name: fc.constantFrom('upgradedTo411At', 'x'),
          value: fc.oneof(fc.constant('2025-08-01'), fc.string({ maxLength: 12 })),
          asOf: fc.string({ maxLength: 25 }),
          target: id,
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  );

  it('never answers 5xx; every 4xx carries { error: { code, message } } (a dashboard page: the message in HTML); a query no route accepts is a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), id, query, body, async (route, idValue, q, b) => {
        const res = await runHandler(
          handlers[route.handler],
          request(route.method, { id: idValue }, new URLSearchParams(q), b),
          () => {},
        );
        expect(res.status).toBeLessThan(500);
        // The dashboard's pages answer a page (the API's words in it) rather than raw JSON.
        if (res.status >= 400 && route.route.startsWith('dashboard'))
          expect(res.body).toMatch(/data-testid="error-message">[^<]+</);
        else if (res.status >= 400) expect(errorShape.safeParse(res.jsonBody).success).toBe(true);
        // Certainly invalid whatever the route: a parameter no route knows, or one given twice ("code" is the
        // platform's own and ignored; the findings page drops empty form fields). Answering those 200 would be
        // accepting garbage. The liveness probe alone reads no query (a probe may add its own parameters).
        const keys = q.filter(([k, v]) => k !== 'code' && v !== '').map(([k]) => k);
        const invalid = keys.some((k) => !knownKeys.includes(k)) || new Set(keys).size < keys.length;
        if (invalid && route.handler !== 'health') expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 4000 },
    );
  });

  it('names the offending parameter', async () => {
    const res = await runHandler(
      handlers.listFindings,
      request('GET', {}, new URLSearchParams('severity=urgent'), ''),
      () => {},
    );
    expect(res.status).toBe(400);
    expect(res.jsonBody).toMatchObject({ error: { code: 'invalid_parameter', parameter: 'severity' } });
    const dup = await runHandler(
      handlers.listFindings,
      request('GET', {}, new URLSearchParams('rule=a&rule=b'), ''),
      () => {},
    );
    expect(dup.jsonBody).toMatchObject({ error: { parameter: 'rule' } });
  });

  it('"the latest scan" is the newest completed scan that reached a target, on the dashboard and in the summary alike', async () => {
    // A scan still running has found nothing yet, and a scan whose --target matched nothing (refused with 404/exit 2,
    // still recorded) scanned nothing: neither may make the dashboard say "no new findings" or the summary drop its
    // latestScan. Newest first, as the store lists them.
    const totals = {
      openBySeverity: { critical: 0, high: 0, medium: 1, low: 0, info: 0 },
      open: 1,
      unknown: 0,
      suppressed: 0,
      new: 3,
      resolved: 0,
      escalated: 0,
    };
    const target = { id: CONNECTOR_REF.id, name: CONNECTOR_REF.name, kind: CONNECTOR_REF.kind };
    const base = { trigger: 'http' as const, discoveryErrors: [] };
    const scans = [
      {
        ...base,
        scanId: 'running',
        asOf: '2026-03-02T00:00:00.000Z',
        startedAt: '2026-03-02T00:00:00.000Z',
        targets: [target],
        status: 'running' as const,
      },
      {
        ...base,
        scanId: 'refused',
        asOf: '2026-03-01T23:00:00.000Z',
        startedAt: '2026-03-01T23:00:00.000Z',
        targets: [],
        targetFilter: 'nope',
        status: 'completed' as const,
        completedAt: '2026-03-01T23:00:00.000Z',
      },
      {
        ...base,
        scanId: 'full',
        asOf: '2026-03-01T05:00:00.000Z',
        startedAt: '2026-03-01T05:00:00.000Z',
        targets: [target],
        status: 'completed' as const,
        completedAt: '2026-03-01T05:01:00.000Z',
        totals,
      },
    ];
    const ports = memoryPorts();
    ports.scans.list = async () => ({ items: scans });
    const h = createHandlers(ports);
    const summary = await runHandler(h.summary, request('GET', {}, new URLSearchParams(), ''), () => {});
    expect(summary.jsonBody).toMatchObject({ latestScan: { scanId: 'full', totals: { new: 3 } } });
    const page = await runHandler(h.dashboard, request('GET', {}, new URLSearchParams(), ''), () => {});
    const line = /<p data-testid="new-since">([\s\S]*?)<\/p>/.exec(String(page.body))?.[1] ?? '';
    expect(line).toContain('3 new finding(s)</a> in the latest scan (2026-03-01T05:00:00.000Z)');
  });

  it("the findings page's CSV link asks for the page's order, and the API answers it", async () => {
    const h = createHandlers(memoryPorts());
    const page = await runHandler(
      h.dashboardFindings,
      request('GET', {}, new URLSearchParams('sort=deadline&severity=medium'), ''),
      () => {},
    );
    const link = /href="([^"]*format=csv[^"]*)"/.exec(String(page.body))?.[1]?.replaceAll('&amp;', '&');
    expect(link).toBeDefined();
    const query = new URLSearchParams(link!.split('?')[1]);
    expect(query.get('sort')).toBe('deadline');
    const csv = await runHandler(h.listFindings, request('GET', {}, query, ''), () => {});
    expect(csv.status).toBe(200);
    expect(csv.headers?.['content-type']).toMatch(/^text\/csv/);
  });

  it('sorted pages never repeat or skip a row silently when the list changes between pages', async () => {
    const ports = memoryPorts();
    const base = (await ports.findings.list({ statuses: ['open'] }, { limit: 1 })).items[0];
    const make = (id: string, severity: Finding['severity']): Finding => ({ ...base, id, severity, subjectName: id });
    const list: Finding[] = [make('a', 'high'), make('b', 'medium'), make('c', 'low')];
    ports.findings.list = async () => ({ items: [...list] });
    const h = createHandlers(ports);
    const get = (query: string) =>
      runHandler(h.listFindings, request('GET', {}, new URLSearchParams(query), ''), () => {});
    const ids = (res: Awaited<ReturnType<typeof get>>) =>
      (res.jsonBody as { items: { id: string }[] }).items.map((i) => i.id);
    const first = await get('sort=severity&limit=2');
    expect(ids(first)).toEqual(['a', 'b']);
    const token = (first.jsonBody as { continuationToken: string }).continuationToken;

    // A row that sorts after the rows already served changes nothing served: the next page goes on.
    list.push(make('d', 'info'));
    const next = await get(`sort=severity&limit=2&continuationToken=${encodeURIComponent(token)}`);
    expect(ids(next)).toEqual(['c', 'd']);

    // A row that sorts before them would push 'b' onto the next page (a repeat) — refused, not answered.
    list.push(make('z', 'critical'));
    const moved = await get(`sort=severity&limit=2&continuationToken=${encodeURIComponent(token)}`);
    expect(moved.status).toBe(400);
    expect(moved.jsonBody).toMatchObject({
      error: { parameter: 'continuationToken', message: expect.stringContaining('read again from the first page') },
    });
  });

  it('the findings page says a deadline is "not known" when the check is unknown, not "none"', async () => {
    const ports = memoryPorts();
    const base = (await ports.findings.list({ statuses: ['open'] }, { limit: 1 })).items[0];
    const unknown: Finding = { ...base, id: 'u', status: 'unknown', ruleId: 'hcx-version-end-of-support' };
    delete unknown.deadline;
    ports.findings.list = async () => ({ items: [unknown] });
    const page = await runHandler(
      createHandlers(ports).dashboardFindings,
      request('GET', {}, new URLSearchParams(), ''),
      () => {},
    );
    const row = /<tr[^>]*data-finding-id="u"[\s\S]*?<\/tr>/.exec(String(page.body))?.[0] ?? '';
    expect(row).toContain('not known');
    expect(row).not.toContain('>none<');
  });

  it('a target no scan stored: the same words in a filter (400) and in a path, by name or by id (404)', async () => {
    const h = createHandlers(memoryPorts());
    const words = (name: string) => `no scanned target has the id or name "${name}" (GET /api/targets lists them)`;
    const filter = await runHandler(
      h.listFindings,
      request('GET', {}, new URLSearchParams('target=nope'), ''),
      () => {},
    );
    expect(filter.status).toBe(400);
    expect((filter.jsonBody as { error: { message: string } }).error.message).toContain(words('nope'));
    for (const id of ['nope', 'connector:ghost']) {
      const path = await runHandler(h.getTarget, request('GET', { id }, new URLSearchParams(), ''), () => {});
      expect(path.status).toBe(404);
      expect((path.jsonBody as { error: { message: string } }).error.message).toBe(words(id));
      const facts = await runHandler(h.getFacts, request('GET', { id }, new URLSearchParams(), ''), () => {});
      expect(facts.status).toBe(404);
      expect((facts.jsonBody as { error: { message: string } }).error.message).toBe(words(id));
    }
    // And the known target by its name still answers.
    const named = await runHandler(
      h.getTarget,
      request('GET', { id: CONNECTOR_REF.name }, new URLSearchParams(), ''),
      () => {},
    );
    expect(named.status).toBe(200);
    const noFacts = await runHandler(
      h.getFacts,
      request('GET', { id: CONNECTOR_REF.id }, new URLSearchParams(), ''),
      () => {},
    );
    expect(noFacts.status).toBe(200);
    expect(noFacts.jsonBody).toEqual({ targetId: CONNECTOR_REF.id, items: [] });
  });

  it('a suppression expiry is refused in the words of `hcxmon suppress add --expires`, whatever is wrong with it', async () => {
    const h = createHandlers(memoryPorts());
    for (const expiresAt of ['2026-02-30', '2026-3-5', '2026-12', 'tomorrow']) {
      const res = await runHandler(
        h.createSuppression,
        request(
          'POST',
          {},
          new URLSearchParams(),
          JSON.stringify({ ruleId: 'hcx-appliance-outdated', reason: 'r', category: 'waiver', expiresAt }),
        ),
        () => {},
      );
      expect(res.status).toBe(400);
      expect((res.jsonBody as { error: { message: string } }).error.message).toBe(
        `expiresAt: "${expiresAt}" is neither a date YYYY-MM-DD (through the end of that day, UTC) nor an ISO 8601 instant`,
      );
    }
  });

  it("a dashboard page that cannot be drawn is an HTML page in the API's words, never raw JSON", async () => {
    // The target of a discovery-scope finding is a subscription: the findings page links it, and no scan stores it.
    const h = createHandlers(memoryPorts());
    const cases: { fn: typeof h.dashboardTarget; params: Record<string, string>; query?: string; status: number }[] = [
      { fn: h.dashboardTarget, params: { id: '/subscriptions/00000000-0000-0000-0000-000000000001' }, status: 404 },
      { fn: h.dashboardReadiness, params: { id: 'nope' }, status: 404 },
      { fn: h.dashboardFindings, params: {}, query: 'rule=hcx-no-such-rule', status: 400 },
    ];
    for (const c of cases) {
      const res = await runHandler(
        c.fn,
        request('GET', c.params, new URLSearchParams(c.query ?? 'code=k1'), ''),
        () => {},
      );
      expect(res.status).toBe(c.status);
      expect(res.headers?.['content-type']).toMatch(/^text\/html/);
      expect(res.jsonBody).toBeUndefined();
      expect(res.body).toMatch(/data-testid="error-message">(no scanned target|rule: no rule)/);
    }
    // 500s keep the one logged, detail-free path.
    const ports = memoryPorts();
    ports.findings.list = async () => {
      throw new Error('boom');
    };
    const fault = await runHandler(
      createHandlers(ports).dashboardFindings,
      request('GET', {}, new URLSearchParams(), ''),
      () => {},
    );
    expect(fault).toMatchObject({ status: 500, jsonBody: { error: { code: 'internal' } } });
  });

  it('the findings page takes the sort names of GET /api/findings, aliases included, and refuses others alike', async () => {
    const h = createHandlers(memoryPorts());
    const get = (fn: typeof h.listFindings, q: string) =>
      runHandler(fn, request('GET', {}, new URLSearchParams(q), ''), () => {});
    for (const sort of ['lastSeen', 'firstSeen', 'last-seen', 'urgency']) {
      expect((await get(h.listFindings, `sort=${sort}`)).status).toBe(200);
      expect((await get(h.dashboardFindings, `sort=${sort}`)).status).toBe(200);
    }
    const api = await get(h.listFindings, 'sort=worst');
    const page = await get(h.dashboardFindings, 'sort=worst');
    expect([api.status, page.status]).toEqual([400, 400]);
    const words = (api.jsonBody as { error: { message: string } }).error.message;
    expect(page.body).toContain(words.replaceAll('"', '&quot;'));
  });

  it('an internal fault is a 500 without details, logged without secrets', async () => {
    const ports = memoryPorts();
    ports.findings.list = async () => {
      throw new Error('boom AccountKey=SECRETKEY123; Authorization: Bearer abc.def');
    };
    const logs: string[] = [];
    const res = await runHandler(
      createHandlers(ports).listFindings,
      request('GET', {}, new URLSearchParams(), ''),
      (m) => logs.push(m),
    );
    expect(res).toMatchObject({ status: 500, jsonBody: { error: { code: 'internal' } } });
    expect(JSON.stringify(res.jsonBody)).not.toContain('boom');
    expect(logs.join('\n')).toContain('boom');
    expect(logs.join('\n')).not.toMatch(/SECRETKEY123|abc\.def/);
  });

  it('createdBy: platform principal (App Service Authentication on), then body, then "unknown"', async () => {
    const body = JSON.stringify({
      ruleId: 'hcx-appliance-outdated',
      reason: 'r',
      category: 'waiver',
      expiresAt: '2026-06-01T00:00:00Z',
    });
    const h = createHandlers({ ...memoryPorts(), platformAuth: true });
    const principal = Buffer.from(
      JSON.stringify({ identityProvider: 'aad', userDetails: 'carol@contoso.com' }),
    ).toString('base64');
    const a = await h.createSuppression(
      request('POST', {}, new URLSearchParams(), body, { 'x-ms-client-principal': principal }),
    );
    expect((a.jsonBody as Suppression).createdBy).toBe('carol@contoso.com');
    const b = await h.createSuppression(request('POST', {}, new URLSearchParams(), body));
    expect((b.jsonBody as Suppression).createdBy).toBe('unknown');
  });

  it('waives a discovery-scope finding (a subscription left unread on purpose); other unknown rule ids stay refused', async () => {
    const h = createHandlers(memoryPorts());
    const body = (ruleId: string): string =>
      JSON.stringify({
        ruleId,
        targetId: '/subscriptions/0d1e2f3a-0000-4000-8000-000000000403',
        reason: 'sandbox subscription, no AVS',
        category: 'waiver',
        expiresAt: '2026-06-01T00:00:00Z',
      });
    const ok = await h.createSuppression(
      request('POST', {}, new URLSearchParams(), body('avs-discovery-scope-unreadable')),
    );
    expect(ok.status).toBe(201);
    await expect(
      h.createSuppression(request('POST', {}, new URLSearchParams(), body('avs-discovery-scope-unread'))),
    ).rejects.toThrow(/no rule "avs-discovery-scope-unread"/);
  });
});

describe('registrations and OpenAPI', () => {
  it('every registered HTTP function is in openapi.json with its method, and nothing else is', () => {
    const http = registrations
      .map((r) => Object.values(r.metadata.bindings).find((b) => b.type === 'httpTrigger'))
      .filter((b): b is Record<string, unknown> => b !== undefined);
    const registered = http
      .flatMap((b) => (b.methods as string[]).map((m) => `${m.toLowerCase()} /${String(b.route)}`))
      .sort();
    const doc = buildOpenApi() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(registered).toEqual(documented);
    expect(registered.length).toBe(ROUTES.length);
  });

  it('is structurally OpenAPI 3 (every operation has an id and responses; path params declared)', () => {
    const op = z.object({
      operationId: z.string(),
      responses: z.record(z.string().regex(/^\d{3}$/), z.object({ description: z.string() })),
      parameters: z.array(z.object({ name: z.string(), in: z.enum(['path', 'query', 'header']) })),
    });
    const doc = z
      .object({
        openapi: z.string().regex(/^3\.0\.\d$/),
        info: z.object({ title: z.string(), version: z.string() }),
        paths: z.record(z.string().startsWith('/'), z.partialRecord(z.enum(['get', 'post', 'put', 'delete']), op)),
      })
      .parse(buildOpenApi());
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const o of Object.values(ops))
        expect(o.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(names);
    }
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('health is the only anonymous route; every write needs the admin key', () => {
    for (const r of ROUTES) {
      if (r.route === 'health') expect(r.authLevel).toBe('anonymous');
      else expect(r.authLevel).toBe(r.method === 'GET' ? 'function' : 'admin');
    }
  });
});

describe('local host routing', () => {
  it('keeps an encoded slash inside one route parameter', () => {
    const seg = parseRouteTemplate('targets/{id}/readiness');
    expect(matchRoute(seg, ['targets', '%2Fsubscriptions%2Fx', 'readiness'])).toEqual({ id: '/subscriptions/x' });
    expect(matchRoute(seg, ['targets', 'a', 'b', 'readiness'])).toBeUndefined();
    expect(matchRoute(seg, ['targets', '%E0%A4%A', 'readiness'])).toBeUndefined();
  });
});

describe('readiness checklist', () => {
  it('an inventory with nothing collected is never ready', () => {
    const r = evaluateReadiness(emptyConnector(), '4.11.3');
    expect(r.verdict).toBe('unknown');
    expect(r.checks.every((c) => c.status === 'unknown')).toBe(true);
  });

  it('a healthy connector at the baseline is ready', () => {
    const r = evaluateReadiness(healthyConnector(), '4.11.3');
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([]);
    expect(r.verdict).toBe('ready');
  });

  it('a migration in progress blocks the gate', () => {
    const r = evaluateReadiness(
      healthyConnector({ migrations: [{ id: 'm1', state: 'MIGRATING', entityName: 'vm1' }] }),
      '4.11.3',
    );
    expect(r.verdict).toBe('blocked');
    expect(r.checks.find((c) => c.id === 'no-migrations-in-progress')?.status).toBe('fail');
  });

  it('agrees with the rules: every failing rule of the gate shows as a failing check, with its message', () => {
    const inv = healthyConnector({ serviceMeshes: [mesh({ services: ['INTERCONNECT', 'WANOPT'] })] });
    const r = evaluateReadiness(inv, '4.11.3');
    const wan = r.checks.find((c) => c.id === 'wan-optimization-disabled')!;
    expect(wan.status).toBe('fail');
    expect(wan.message).toMatch(/WAN Optimization/);
    expect(r.verdict).toBe('blocked');
  });

  it('upgrade paths follow the seeds (below 4.4 via 4.4.2; 4.4–4.8 via 4.9.2)', () => {
    expect(upgradePath('4.3.1', '4.11.3')).toEqual(['4.4.2', '4.9.2', '4.11.3']);
    expect(upgradePath('4.8.2', '4.11.3')).toEqual(['4.9.2', '4.11.3']);
    expect(upgradePath('4.10.2', '4.11.3')).toEqual(['4.11.3']);
    expect(upgradePath('4.11.3', '4.11.3')).toEqual([]);
    expect(upgradePath('junk', '4.11.3')).toBeUndefined();
  });
});

describe('dashboard renderer', () => {
  it('escapes user data and shows the severity counts', () => {
    const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    const html = renderDashboard({
      generatedAt: NOW.toISOString(),
      baseline: '4.11.3',
      catalogAsOf: '2026-06-01',
      openBySeverity: { ...zero, critical: 2 },
      unknown: 0,
      suppressed: 0,
      targets: [
        {
          id: 'connector:x',
          name: '<img src=x onerror=alert(1)>',
          kind: 'hcx-connector',
          open: { ...zero, critical: 2 },
          unknown: 0,
          suppressed: 0,
        },
      ],
      timeline: [{ date: '2026-04-01', kind: 'end-of-support', label: '"</text><script>', severity: 'critical' }],
    });
    expect(html).not.toMatch(/<img|<script/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toMatch(/data-testid="count-critical">2</);
  });
});
