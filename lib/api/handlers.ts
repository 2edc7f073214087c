import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { findingToJson, findingsToCsv } from '../cli/output';
import { SEVERITIES, type Severity } from '../domain/evaluation';
import { FACT_NAMES, type Finding, type FindingStatus, type Suppression } from '../domain/finding';
import { NotFoundError, ValidationError } from '../errors';
import { isSuppressionActive, newSuppression } from '../findings/suppressions';
import { compareVersionStrings } from '../rules/version';
import { DISCOVERY_RULE } from '../scan-discovery';
import { renderDashboard, type DashboardTarget, type DashboardView, type TimelineEvent } from './dashboard';
import { json, type ApiRequest, type ApiResponse } from './http';
import { buildOpenApi } from './openapi';
import type { ApiPorts, FindingFilter } from './ports';
import { evaluateReadiness } from './readiness';
import {
  clip,
  parseBody,
  parseQuery,
  parseTargetId,
  unwrapToken,
  wrapToken,
  zInstant,
  zIsoDate,
  zLimit,
  zOwner,
  zRuleId,
  zSeverity,
  zText,
} from './validate';

const STATUSES: FindingStatus[] = ['open', 'resolved', 'unknown', 'suppressed'];
const DEFAULT_STATUSES: FindingStatus[] = ['open', 'unknown', 'suppressed'];
/** CSV exports follow continuation tokens server-side up to this many rows. */
const CSV_MAX_ROWS = 50000;

const zStatusList = z
  .string()
  .max(100)
  .transform((s, ctx) => {
    if (s === 'all') return STATUSES;
    const parts = s.split(',').map((p) => p.trim());
    for (const p of parts) {
      if (!(STATUSES as string[]).includes(p)) {
        ctx.addIssue({ code: 'custom', message: `expected "all" or a comma list of ${STATUSES.join(', ')}` });
        return z.NEVER;
      }
    }
    return [...new Set(parts)] as FindingStatus[];
  });

const findingsQuery = z.object({
  status: zStatusList.optional(),
  severity: zSeverity.optional(),
  rule: zRuleId.optional(),
  target: z.string().max(1024).optional(),
  owner: zOwner.optional(),
  dueBefore: zIsoDate.optional(),
  limit: zLimit(1000, 100),
  continuationToken: z.string().max(8192).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

/**
 * Who made a write: the platform's authenticated principal when App Service Authentication is on (it strips and
 * sets the x-ms-client-principal headers), else the name the body states, else "unknown". Without platform
 * authentication those headers are whatever the caller wrote, so they are ignored.
 */
export function callerName(req: ApiRequest, bodyValue: unknown, platformAuth: boolean): string {
  const fromPlatform = platformAuth ? platformPrincipal(req) : undefined;
  if (fromPlatform) return fromPlatform;
  if (typeof bodyValue === 'string' && bodyValue.trim()) return clip(bodyValue.trim(), 200);
  return 'unknown';
}

function platformPrincipal(req: ApiRequest): string | undefined {
  const name = req.header('x-ms-client-principal-name');
  if (name && name.trim()) return clip(name.trim(), 200);
  const principal = req.header('x-ms-client-principal');
  if (!principal) return undefined;
  try {
    const p = JSON.parse(Buffer.from(principal, 'base64').toString('utf8')) as {
      userDetails?: unknown;
      claims?: { typ?: unknown; val?: unknown }[];
    };
    if (typeof p?.userDetails === 'string' && p.userDetails.trim()) return clip(p.userDetails.trim(), 200);
    const claim = p?.claims?.find(
      (c) =>
        c.typ === 'name' || c.typ === 'preferred_username' || (typeof c.typ === 'string' && c.typ.endsWith('/upn')),
    );
    if (typeof claim?.val === 'string' && claim.val.trim()) return clip(claim.val.trim(), 200);
  } catch {
    /* a malformed principal header falls through to the body */
  }
  return undefined;
}

function noQuery(req: ApiRequest): void {
  parseQuery(req.query, z.object({}));
}

export function createHandlers(ports: ApiPorts) {
  const now = (): DateTime => DateTime.fromJSDate(ports.now(), { zone: 'utc' });

  const findingFilter = (q: z.infer<typeof findingsQuery>): FindingFilter => ({
    statuses: q.status ?? DEFAULT_STATUSES,
    minSeverity: q.severity,
    ruleId: q.rule,
    targetId: q.target === undefined ? undefined : parseTargetId(q.target, 'target'),
    owner: q.owner,
    dueBefore: q.dueBefore,
  });

  async function listFindings(req: ApiRequest): Promise<ApiResponse> {
    const q = parseQuery(req.query, findingsQuery);
    const filter = findingFilter(q);
    const queryKey = JSON.stringify({ ...filter, limit: q.limit, format: q.format ?? 'json' });
    const storeToken = unwrapToken(q.continuationToken, queryKey);
    if (q.format === 'csv') {
      const rows: Finding[] = [];
      let token = storeToken;
      do {
        const page = await ports.findings.list(filter, {
          limit: Math.min(1000, CSV_MAX_ROWS - rows.length),
          continuationToken: token,
        });
        rows.push(...page.items);
        token = page.continuationToken;
      } while (token && rows.length < CSV_MAX_ROWS);
      const headers: Record<string, string> = {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="hcx-findings.csv"',
      };
      const next = wrapToken(token, queryKey);
      if (next) headers['x-continuation-token'] = next;
      return { status: 200, headers, body: findingsToCsv(rows.map(findingToJson)) };
    }
    const page = await ports.findings.list(filter, { limit: q.limit, continuationToken: storeToken });
    const continuationToken = wrapToken(page.continuationToken, queryKey);
    return json({ items: page.items, count: page.items.length, ...(continuationToken ? { continuationToken } : {}) });
  }

  async function getFinding(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const id = req.params.id ?? '';
    if (id.length > 300) throw new ValidationError('id: too long for a finding id', 'id');
    const f = await ports.findings.get(id);
    if (!f) throw new NotFoundError(`no finding with id "${clip(id)}"`);
    return json(f);
  }

  async function openCounts(): Promise<
    Map<string, { open: Record<Severity, number>; unknown: number; suppressed: number }>
  > {
    const counts = new Map<string, { open: Record<Severity, number>; unknown: number; suppressed: number }>();
    let token: string | undefined;
    do {
      const page = await ports.findings.list({ statuses: DEFAULT_STATUSES }, { limit: 1000, continuationToken: token });
      for (const f of page.items) {
        let c = counts.get(f.targetId);
        if (!c) {
          c = {
            open: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
            unknown: 0,
            suppressed: 0,
          };
          counts.set(f.targetId, c);
        }
        if (f.status === 'open') c.open[f.severity]++;
        else if (f.status === 'unknown') c.unknown++;
        else if (f.status === 'suppressed') c.suppressed++;
      }
      token = page.continuationToken;
    } while (token);
    return counts;
  }

  async function targetSummaries(): Promise<DashboardTarget[]> {
    const [inventories, outcomes, counts] = await Promise.all([
      ports.inventory.listTargets(),
      ports.scans.latestOutcomes(),
      openCounts(),
    ]);
    const baseline = ports.lifecycle.baseline.version;
    const byId = new Map<string, DashboardTarget>();
    const empty = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const inv of inventories) {
      const version = inv.hcxVersion;
      const cmp = compareVersionStrings(version, baseline);
      byId.set(inv.targetId, {
        id: inv.targetId,
        name: inv.targetName,
        kind: inv.targetKind,
        version,
        belowBaseline: cmp === undefined ? undefined : cmp < 0,
        support: ports.lifecycle.supportOf(version),
        open: empty(),
        unknown: 0,
        suppressed: 0,
      });
    }
    for (const o of outcomes) {
      let t = byId.get(o.targetId);
      if (!t) {
        const cmp = compareVersionStrings(o.hcxVersion, baseline);
        t = {
          id: o.targetId,
          name: o.targetName,
          kind: o.targetKind,
          version: o.hcxVersion,
          belowBaseline: cmp === undefined ? undefined : cmp < 0,
          support: ports.lifecycle.supportOf(o.hcxVersion),
          open: empty(),
          unknown: 0,
          suppressed: 0,
        };
        byId.set(o.targetId, t);
      }
      t.lastScan = { status: o.status, at: o.finishedAt };
    }
    for (const [id, c] of counts) {
      const t = byId.get(id);
      if (t) Object.assign(t, c);
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async function listTargets(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const targets = await targetSummaries();
    return json({
      baseline: ports.lifecycle.baseline,
      items: targets.map((t) => ({
        id: t.id,
        name: t.name,
        kind: t.kind,
        hcxVersion: t.version,
        baselineVersion: ports.lifecycle.baseline.version,
        belowBaseline: t.belowBaseline,
        support: t.support,
        lastScan: t.lastScan,
        counts: { open: t.open, unknown: t.unknown, suppressed: t.suppressed },
      })),
    });
  }

  async function requireInventory(req: ApiRequest) {
    const id = parseTargetId(req.params.id);
    const inv = await ports.inventory.latest(id);
    if (!inv) throw new NotFoundError(`no target with id "${clip(id, 200)}" has been scanned`);
    return { id, inv };
  }

  async function getTarget(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const { id, inv } = await requireInventory(req);
    const history = await ports.inventory.history(id);
    const version = inv.manager?.version;
    const cmp = compareVersionStrings(version, ports.lifecycle.baseline.version);
    return json({
      id,
      name: inv.target.name,
      kind: inv.target.kind,
      hcxVersion: version,
      baselineVersion: ports.lifecycle.baseline.version,
      belowBaseline: cmp === undefined ? undefined : cmp < 0,
      support: ports.lifecycle.supportOf(version),
      versionHistory: history.versions,
      lastSuccessfulCollectionAt: history.lastSuccessfulCollectionAt,
      inventory: inv,
    });
  }

  async function getReadiness(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const { inv } = await requireInventory(req);
    return json(evaluateReadiness(inv, ports.lifecycle.baseline.version, now()));
  }

  async function listScans(req: ApiRequest): Promise<ApiResponse> {
    const q = parseQuery(
      req.query,
      z.object({ limit: zLimit(200, 20), continuationToken: z.string().max(8192).optional() }),
    );
    const key = JSON.stringify({ scans: q.limit });
    const page = await ports.scans.list({ limit: q.limit, continuationToken: unwrapToken(q.continuationToken, key) });
    const continuationToken = wrapToken(page.continuationToken, key);
    return json({ items: page.items, count: page.items.length, ...(continuationToken ? { continuationToken } : {}) });
  }

  async function getScan(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const id = req.params.id ?? '';
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(id))
      throw new ValidationError(`id: expected a scan id, got "${clip(id)}"`, 'id');
    const detail = await ports.scans.get(id);
    if (!detail) throw new NotFoundError(`no scan with id "${id}"`);
    return json({ ...detail.scan, outcomes: detail.outcomes });
  }

  const startScanBody = z
    .object({ target: z.string().max(1024).optional(), requestedBy: zText(200).optional() })
    .strict();

  async function startScan(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const text = await req.text();
    const body = text.trim() === '' ? {} : parseBody(text, startScanBody);
    const targetId = body.target === undefined ? undefined : parseTargetId(body.target, 'target');
    if (!ports.scanStarter) {
      return json(
        { error: { code: 'not_available', message: 'on-demand scans are not wired in this deployment' } },
        503,
      );
    }
    const started = await ports.scanStarter.start({
      targetId,
      requestedBy: callerName(req, body.requestedBy, ports.platformAuth === true),
    });
    return json(started, 202, { location: `scans/${encodeURIComponent(started.scanId)}` });
  }

  async function listRules(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    return json({ items: ports.rules.rules, notChecked: ports.rules.notChecked });
  }

  async function listSuppressions(req: ApiRequest): Promise<ApiResponse> {
    const q = parseQuery(
      req.query,
      z.object({ rule: zRuleId.optional(), active: z.enum(['true', 'false']).optional() }),
    );
    const at = now().toISO()!;
    let items = await ports.suppressions.list();
    if (q.rule) items = items.filter((s) => s.ruleId === q.rule);
    if (q.active) items = items.filter((s) => isSuppressionActive(s, at) === (q.active === 'true'));
    return json({ items });
  }

  const suppressionBody = z
    .object({
      ruleId: zRuleId,
      targetId: z.string().max(1024).optional(),
      subjectId: zText(512).optional(),
      reason: zText(2000),
      category: z.enum(['waiver', 'mitigated']),
      expiresAt: zInstant,
      createdBy: zText(200).optional(),
    })
    .strict();

  async function createSuppression(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const body = parseBody(await req.text(), suppressionBody);
    // The discovery-scope finding is not a rule of the engine but may be waived (a subscription left unread on purpose).
    if (!ports.rules.rules.some((r) => r.id === body.ruleId) && body.ruleId !== DISCOVERY_RULE.id) {
      throw new ValidationError(`ruleId: no rule "${body.ruleId}" (see GET /api/rules)`, 'ruleId', 'invalid_body');
    }
    const input = {
      ...body,
      targetId: body.targetId === undefined ? undefined : parseTargetId(body.targetId, 'targetId'),
      createdBy: callerName(req, body.createdBy, ports.platformAuth === true),
    };
    let s: Suppression;
    try {
      // The same rules as the CLI (expiry in the future and at most a year away; a subject needs its target).
      s = newSuppression(input, { asOf: now(), id: `sup-${randomUUID()}` });
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.message, err.parameter, 'invalid_body');
      throw err;
    }
    await ports.suppressions.create(s);
    return json(s, 201, { location: `suppressions/${s.id}` });
  }

  async function deleteSuppression(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const id = req.params.id ?? '';
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(id))
      throw new ValidationError(`id: expected a suppression id, got "${clip(id)}"`, 'id');
    if (!(await ports.suppressions.delete(id))) throw new NotFoundError(`no suppression with id "${id}"`);
    return { status: 204 };
  }

  async function getFacts(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const id = parseTargetId(req.params.id);
    return json({ targetId: id, items: await ports.facts.list(id) });
  }

  const factBody = z
    .object({
      name: z.enum(FACT_NAMES as unknown as ['upgradedTo411At']),
      value: zIsoDate,
      subjectId: zText(512).optional(),
      source: zText(500).optional(),
      setBy: zText(200).optional(),
    })
    .strict();

  async function putFact(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const id = parseTargetId(req.params.id);
    const body = parseBody(await req.text(), factBody);
    if (body.value > now().toISODate()!)
      throw new ValidationError('value: the upgrade date cannot be in the future', 'value', 'invalid_body');
    const fact = {
      targetId: id,
      name: body.name,
      value: body.value,
      setBy: callerName(req, body.setBy, ports.platformAuth === true),
      setAt: now().toISO()!,
      ...(body.subjectId !== undefined ? { subjectId: body.subjectId } : {}),
      ...(body.source !== undefined ? { source: body.source } : {}),
    };
    await ports.facts.put(fact);
    return json(fact);
  }

  async function alertTest(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const text = await req.text();
    const body = text.trim() === '' ? {} : parseBody(text, z.object({ requestedBy: zText(200).optional() }).strict());
    if (!ports.alerts) return json({ sent: false, detail: 'alerting is not wired in this deployment' }, 503);
    const result = await ports.alerts.sendTest(callerName(req, body.requestedBy, ports.platformAuth === true));
    return json(result, result.sent ? 200 : 503);
  }

  const dashboardQuery = z.object({ finding: z.string().min(1).max(300).optional() }).strict();

  async function dashboard(req: ApiRequest): Promise<ApiResponse> {
    // `finding` is what alert links carry (lib/alerts/rows.ts dashboardLink): that finding is shown first.
    const q = parseQuery(req.query, dashboardQuery);
    let focus: DashboardView['focus'];
    if (q.finding !== undefined) {
      const f = await ports.findings.get(q.finding);
      focus = f
        ? {
            finding: f,
            remediation:
              ports.rules.rules.find((r) => r.id === f.ruleId)?.remediation ??
              (f.ruleId === DISCOVERY_RULE.id ? DISCOVERY_RULE.remediation : undefined),
          }
        : { missingId: q.finding };
    }
    const asOf = now();
    const targets = await targetSummaries();
    const openBySeverity = Object.fromEntries(
      SEVERITIES.map((s) => [s, targets.reduce((n, t) => n + t.open[s], 0)]),
    ) as Record<Severity, number>;
    const timeline: TimelineEvent[] = [];
    let token: string | undefined;
    do {
      const page = await ports.findings.list(
        { statuses: ['open', 'unknown'] },
        { limit: 1000, continuationToken: token },
      );
      for (const f of page.items) {
        if (!f.deadline) continue;
        const kind =
          f.ruleId === 'hcx-version-end-of-support'
            ? 'end-of-support'
            : f.ruleId === 'hcx-activation-key-expiry'
              ? 'activation-key'
              : 'deadline';
        timeline.push({
          date: f.deadline.date,
          kind,
          label: f.title,
          severity: f.severity,
          targetName: f.targetName,
          findingId: f.id,
        });
        for (const days of [180, 90, 30]) {
          const crossing = DateTime.fromISO(f.deadline.date, { zone: 'utc' }).minus({ days });
          if (crossing > asOf) {
            const sev: Severity = days === 180 ? 'medium' : days === 90 ? 'high' : 'critical';
            timeline.push({
              date: crossing.toISODate()!,
              kind: 'band',
              label: `${f.title} enters ${days}-day band`,
              severity: sev,
              targetName: f.targetName,
              findingId: f.id,
            });
          }
        }
      }
      token = page.continuationToken;
    } while (token && timeline.length < 500);
    const code = req.query.get('code');
    const view: DashboardView = {
      generatedAt: asOf.toISO()!,
      baseline: ports.lifecycle.baseline.version,
      catalogAsOf: ports.lifecycle.catalogAsOf,
      openBySeverity,
      unknown: targets.reduce((n, t) => n + t.unknown, 0),
      suppressed: targets.reduce((n, t) => n + t.suppressed, 0),
      targets,
      timeline: dedupeTimeline(timeline).slice(0, 60),
      linkQuery: code ? new URLSearchParams({ code }).toString() : undefined,
      focus,
    };
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        // No scripts at all; inline styles only.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        'x-content-type-options': 'nosniff',
        // Its links carry the key (?code=) when it was opened with one: not cached, and not sent on as a Referer.
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      },
      body: renderDashboard(view),
    };
  }

  async function health(): Promise<ApiResponse> {
    return json({ status: 'ok' });
  }

  async function openapi(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    return json(buildOpenApi());
  }

  return {
    listFindings,
    getFinding,
    listTargets,
    getTarget,
    getReadiness,
    listScans,
    getScan,
    startScan,
    listRules,
    listSuppressions,
    createSuppression,
    deleteSuppression,
    getFacts,
    putFact,
    alertTest,
    dashboard,
    health,
    openapi,
  };
}

export type Handlers = ReturnType<typeof createHandlers>;
export type HandlerName = keyof Handlers;

function dedupeTimeline(events: TimelineEvent[]): TimelineEvent[] {
  // Many subjects share one deadline (e.g. every appliance of a version): show each date+label once per target.
  const seen = new Set<string>();
  return events
    .filter((e) => {
      const k = `${e.date}|${e.kind}|${e.label}|${e.targetName}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.date.localeCompare(b.date) || (a.kind === 'band' ? 1 : 0) - (b.kind === 'band' ? 1 : 0));
}
