import { createHash, randomUUID } from 'node:crypto';
import { upgradeView } from '../upgrade/page';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { SEVERITIES, type Severity } from '../domain/evaluation';
import { FACT_NAMES, type Finding, type FindingStatus, type Suppression } from '../domain/finding';
import { requireTarget, findTarget } from '../domain/targetLookup';
import { NotFoundError, ValidationError } from '../errors';
import { parseFactValue } from '../findings/facts';
import { isSuppressionActive, newSuppression } from '../findings/suppressions';
import { compareVersionStrings } from '../rules/version';
import {
  compareTargetUrgency,
  findingSortOf,
  latestCompletedScan,
  latestScanTotals,
  sortFindingsBy,
  summarize,
  summaryJson,
  type FindingSort,
  type FleetSummary,
  unknownSortMessage,
} from '../findings/urgency';
import { findingsToCsv, findingView, toCsv, type ReferencesOf } from '../findings/view';
import { DISCOVERY_SCOPE_RULE } from '../rules';
import { renderDashboard, type DashboardTarget, type DashboardView, type TimelineEvent } from './dashboard';
import { HTML_HEADERS } from './html';
import { json, type ApiRequest, type ApiResponse } from './http';
import { buildOpenApi } from './openapi';
import { createPageHandlers, htmlErrors } from './pageHandlers';
import type { ApiPorts, FindingFilter } from './ports';
import { evaluateReadiness } from './readiness';
import {
  clip,
  parseBody,
  parseQuery,
  parseTargetId,
  unwrapToken,
  wrapToken,
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
  sort: z
    .string()
    .max(40)
    .transform((s, ctx): FindingSort => {
      const sort = findingSortOf(s);
      if (sort) return sort;
      ctx.addIssue({ code: 'custom', message: unknownSortMessage(clip(s, 40)) });
      return z.NEVER;
    })
    .optional(),
  continuationToken: z.string().max(8192).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

/** `GET /api/targets?format=csv`: the JSON items' fields, nested ones flattened with `_`. */
export const TARGET_CSV_COLUMNS = [
  'id',
  'name',
  'kind',
  'hcxVersion',
  'baselineVersion',
  'belowBaseline',
  'support_label',
  'support_status',
  'support_endOfSupport',
  'lastScan_status',
  'lastScan_at',
  ...SEVERITIES.map((s) => `open_${s}`),
  'unknown',
  'suppressed',
];

/**
 * A position in a list the handler sorted itself (the store cannot sort): `o:<offset>:<fingerprint>`. Each page
 * sorts the list afresh, so a scan (or a deadline passing at midnight) between two pages can move rows across the
 * page boundary: an offset alone would then repeat or skip rows without a word. The fingerprint is a hash of the ids
 * already served (the rows before the offset, in order); the next page refuses to continue when they are no longer
 * the same rows in the same order, and the caller reads again from the first page.
 */
function servedFingerprint(sorted: readonly Finding[], offset: number): string {
  const h = createHash('sha256');
  for (let i = 0; i < offset && i < sorted.length; i++) h.update(sorted[i].id).update('\n');
  return h.digest('base64url').slice(0, 22);
}

function offsetToken(sorted: readonly Finding[], offset: number): string | undefined {
  return offset < sorted.length ? `o:${offset}:${servedFingerprint(sorted, offset)}` : undefined;
}

function readOffset(token: string | undefined, sorted: readonly Finding[]): number {
  if (token === undefined) return 0;
  const m = /^o:(\d{1,9}):([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m)
    throw new ValidationError(
      'continuationToken is malformed (pass the token of the previous page unchanged)',
      'continuationToken',
    );
  const offset = Number(m[1]);
  if (servedFingerprint(sorted, offset) !== m[2])
    throw new ValidationError(
      'continuationToken: the sorted list changed since the previous page (a scan ran, or a deadline passed); read again from the first page',
      'continuationToken',
    );
  return offset;
}

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

function csvResponse(body: string, filename: string, continuationToken?: string): ApiResponse {
  const headers: Record<string, string> = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
  };
  if (continuationToken) headers['x-continuation-token'] = continuationToken;
  return { status: 200, headers, body };
}

function noQuery(req: ApiRequest): void {
  parseQuery(req.query, z.object({}));
}

export function createHandlers(ports: ApiPorts) {
  const now = (): DateTime => DateTime.fromJSDate(ports.now(), { zone: 'utc' });

  /** An unknown rule id in a filter is refused: an empty answer would read as "nothing wrong". */
  const knownRule = (id: string | undefined, parameter: string): void => {
    if (id !== undefined && !ports.rules.rules.some((r) => r.id === id))
      throw new ValidationError(`${parameter}: no rule "${id}" (see GET /api/rules)`, parameter);
  };

  const TARGETS_HINT = 'GET /api/targets lists them';

  /** A target parameter: its id or its name; one no scan has seen is refused. */
  const knownTarget = async (raw: string, parameter: string): Promise<string> => {
    const want = decodeTarget(raw).trim();
    // An id as the product writes it is one point read; a name (or another spelling) needs the target list.
    if (/^(connector:|\/subscriptions\/)/i.test(want)) {
      const exact = (await ports.inventory.summary(want)) ?? (await ports.inventory.summary(want.toLowerCase()));
      if (exact) return exact.targetId;
    }
    return requireTarget(want, await ports.inventory.listTargets(), parameter, TARGETS_HINT);
  };

  const findingFilter = async (q: z.infer<typeof findingsQuery>): Promise<FindingFilter> => ({
    statuses: q.status ?? DEFAULT_STATUSES,
    minSeverity: q.severity,
    ruleId: q.rule,
    targetId: q.target === undefined ? undefined : await knownTarget(q.target, 'target'),
    owner: q.owner,
    dueBefore: q.dueBefore,
  });

  const referencesOf: ReferencesOf = (id) => ports.rules.rules.find((r) => r.id === id)?.references;

  async function listFindings(req: ApiRequest): Promise<ApiResponse> {
    const q = parseQuery(req.query, findingsQuery);
    knownRule(q.rule, 'rule');
    const filter = await findingFilter(q);
    const queryKey = JSON.stringify({ ...filter, limit: q.limit, format: q.format ?? 'json', sort: q.sort ?? null });
    const storeToken = unwrapToken(q.continuationToken, queryKey);
    const asOf = now();
    const view = (f: Finding) => findingView(f, asOf, referencesOf);
    if (q.sort !== undefined) {
      // The store reads by target: an order over the whole list needs the whole list, sorted here and paged by offset
      // (a token of this query only, like the store's).
      const { items, truncated } = await loadFindings(filter, CSV_MAX_ROWS);
      const sorted = sortFindingsBy(items, q.sort, asOf);
      const from = readOffset(storeToken, sorted);
      const size = q.format === 'csv' ? CSV_MAX_ROWS : q.limit;
      const page = sorted.slice(from, from + size);
      const next = wrapToken(offsetToken(sorted, from + size), queryKey);
      if (q.format === 'csv') {
        const res = csvResponse(findingsToCsv(page.map(view)), 'hcx-findings.csv', next);
        // More matched than one sorted read holds: say so rather than let the file pass for the whole list.
        if (truncated) res.headers!['x-truncated'] = 'true';
        return res;
      }
      return json({
        items: page.map(view),
        count: page.length,
        total: sorted.length,
        ...(truncated ? { truncated: true } : {}),
        ...(next ? { continuationToken: next } : {}),
      });
    }
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
      return csvResponse(findingsToCsv(rows.map(view)), 'hcx-findings.csv', wrapToken(token, queryKey));
    }
    const page = await ports.findings.list(filter, { limit: q.limit, continuationToken: storeToken });
    const continuationToken = wrapToken(page.continuationToken, queryKey);
    return json({
      items: page.items.map(view),
      count: page.items.length,
      ...(continuationToken ? { continuationToken } : {}),
    });
  }

  async function getFinding(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const id = req.params.id ?? '';
    if (id.length > 300) throw new ValidationError('id: too long for a finding id', 'id');
    const f = await ports.findings.get(id);
    if (!f) throw new NotFoundError(`no finding with id "${clip(id)}"`);
    return json(findingView(f, now(), referencesOf));
  }

  /** Every finding matching `filter`, up to `cap` (the HTML pages and the dashboard read whole lists). */
  async function loadFindings(
    filter: FindingFilter,
    cap = Infinity,
  ): Promise<{ items: Finding[]; truncated: boolean }> {
    const items: Finding[] = [];
    let token: string | undefined;
    do {
      const page = await ports.findings.list(filter, {
        limit: Math.max(1, Math.min(1000, cap - items.length)),
        continuationToken: token,
      });
      items.push(...page.items);
      token = page.continuationToken;
    } while (token && items.length < cap);
    return { items, truncated: token !== undefined };
  }

  /** Every scanned target with its counts, by name; `summary` is the fleet summary of the current findings. */
  async function targetSummaries(given?: FleetSummary): Promise<DashboardTarget[]> {
    const [inventories, outcomes, summary] = await Promise.all([
      ports.inventory.listTargets(),
      ports.scans.latestOutcomes(),
      given ?? loadFindings({ statuses: DEFAULT_STATUSES }).then((r) => summarize(r.items, now())),
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
    for (const c of summary.targets) {
      const t = byId.get(c.targetId);
      if (!t) continue;
      Object.assign(t, { open: c.open, unknown: c.unknown, suppressed: c.suppressed, overdue: c.overdue });
      if (c.nextDeadline) t.nextDeadline = { date: c.nextDeadline.date, daysLeft: c.nextDeadline.daysLeft };
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The fleet summary the dashboard draws its headlines and cards from, as JSON (the CLI prints the same shape). */
  async function summary(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const [{ items }, scans] = await Promise.all([
      loadFindings({ statuses: DEFAULT_STATUSES }),
      ports.scans.list({ limit: 10 }),
    ]);
    return json(summaryJson(summarize(items, now()), 10, latestScanTotals(scans.items)));
  }

  async function listTargets(req: ApiRequest): Promise<ApiResponse> {
    const q = parseQuery(req.query, z.object({ format: z.enum(['json', 'csv']).optional() }));
    const targets = await targetSummaries();
    const items = targets.map((t) => ({
      id: t.id,
      name: t.name,
      kind: t.kind,
      hcxVersion: t.version,
      baselineVersion: ports.lifecycle.baseline.version,
      belowBaseline: t.belowBaseline,
      support: t.support,
      lastScan: t.lastScan,
      counts: { open: t.open, unknown: t.unknown, suppressed: t.suppressed },
    }));
    if (q.format === 'csv') {
      const rows = items.map((t) => ({
        id: t.id,
        name: t.name,
        kind: t.kind,
        hcxVersion: t.hcxVersion,
        baselineVersion: t.baselineVersion,
        belowBaseline: t.belowBaseline === undefined ? '' : String(t.belowBaseline),
        support_label: t.support?.label,
        support_status: t.support?.status,
        support_endOfSupport: t.support?.endOfSupport,
        lastScan_status: t.lastScan?.status,
        lastScan_at: t.lastScan?.at,
        ...Object.fromEntries(SEVERITIES.map((s) => [`open_${s}`, t.counts.open[s]])),
        unknown: t.counts.unknown,
        suppressed: t.counts.suppressed,
      }));
      return csvResponse(toCsv(TARGET_CSV_COLUMNS, rows), 'hcx-targets.csv');
    }
    // Every target is read anyway, so the total is free.
    return json({ baseline: ports.lifecycle.baseline, items, total: items.length });
  }

  /** A target in the path: its id (URL-encoded) or its name. */
  /** The words every surface uses for a target no scan has stored (the filters' 400, the paths' 404, the CLI). */
  const noSuchTarget = (raw: string) =>
    new NotFoundError(`no scanned target has the id or name "${clip(raw, 200)}" (${TARGETS_HINT})`);

  async function pathTarget(req: ApiRequest): Promise<string> {
    const raw = req.params.id ?? '';
    try {
      return parseTargetId(raw);
    } catch {
      // Not an id: a name, or nothing known. A path names a resource, so an unknown one is a 404 with the same words
      // as target= (it was a 400 "expected a target id", which reads as if names were not accepted).
      const named = findTarget(decodeTarget(raw), await ports.inventory.listTargets(), 'id');
      if (named === undefined) throw noSuchTarget(decodeTarget(raw));
      return named;
    }
  }

  async function requireInventory(req: ApiRequest) {
    const id = await pathTarget(req);
    const inv = await ports.inventory.latest(id);
    if (!inv) throw noSuchTarget(id);
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
      // Upgrades observed, and the live convergence checklist while the latest has not converged (issue 16).
      upgrades: history.upgrades ?? [],
      upgradeWindow: upgradeView(history.upgrades, inv, [], now()).window,
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
    // The scan matches a target by id or name (lib/scan.ts), so both are passed on; only a malformed id is refused here.
    const targetId =
      body.target === undefined
        ? undefined
        : /^(\/subscriptions\/|connector:)/i.test(decodeTarget(body.target))
          ? parseTargetId(body.target, 'target')
          : body.target.trim();
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
    if (targetId !== undefined && started.targets.length === 0)
      throw new NotFoundError(`no target matches "${clip(targetId, 200)}" (use the id or name GET /api/targets shows)`);
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
    knownRule(q.rule, 'rule');
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
      // Checked by parseExpiry (in newSuppression), as `hcxmon suppress add --expires`: the same inputs refused with
      // the same words (a schema check here answered "2026-02-30" in other words than the CLI).
      expiresAt: z.string().max(40),
      createdBy: zText(200).optional(),
    })
    .strict();

  async function createSuppression(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    const body = parseBody(await req.text(), suppressionBody);
    if (!ports.rules.rules.some((r) => r.id === body.ruleId)) {
      throw new ValidationError(`ruleId: no rule "${body.ruleId}" (see GET /api/rules)`, 'ruleId', 'invalid_body');
    }
    const input = {
      ...body,
      // A suppression of a target no scan has seen could never match anything; a discovery-scope finding's target is
      // the scope itself (a subscription or management group), which no scan stores as a target.
      targetId:
        body.targetId === undefined
          ? undefined
          : body.ruleId === DISCOVERY_SCOPE_RULE.id
            ? parseTargetId(body.targetId, 'targetId')
            : await knownTarget(body.targetId, 'targetId'),
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
    const id = await pathTarget(req);
    const items = await ports.facts.list(id);
    // An id no scan stored is refused as everywhere else (an empty list would read as "no facts for it").
    if (items.length === 0 && !(await ports.inventory.summary(id))) throw noSuchTarget(id);
    return json({ targetId: id, items });
  }

  const factBody = z
    .object({
      name: z.enum(FACT_NAMES as unknown as ['upgradedTo411At']),
      value: z.string().max(40),
      subjectId: zText(512).optional(),
      source: zText(500).optional(),
      setBy: zText(200).optional(),
    })
    .strict();

  async function putFact(req: ApiRequest): Promise<ApiResponse> {
    noQuery(req);
    // The same rule as `hcxmon fact set`: a fact about a target no scan has seen would never be used.
    const { id } = await requireInventory(req);
    const body = parseBody(await req.text(), factBody);
    let value: string;
    try {
      // The same function as `hcxmon fact set`: the same dates accepted, the same words when refused.
      value = parseFactValue(body.value, now().toISODate()!);
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.message, err.parameter, 'invalid_body');
      throw err;
    }
    const fact = {
      targetId: id,
      name: body.name,
      value,
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
            remediation: ports.rules.rules.find((r) => r.id === f.ruleId)?.remediation,
          }
        : { missingId: q.finding };
    }
    const asOf = now();
    const [{ items: current }, latest] = await Promise.all([
      loadFindings({ statuses: DEFAULT_STATUSES }),
      // The same scan as GET /api/summary's latestScan (not a running or empty one): see latestCompletedScan.
      ports.scans.list({ limit: 10 }).then((p) => latestCompletedScan(p.items)),
    ]);
    const summary = summarize(current, asOf);
    const targets = (await targetSummaries(summary)).sort((a, b) =>
      compareTargetUrgency({ ...a, targetName: a.name }, { ...b, targetName: b.name }),
    );
    const timeline: TimelineEvent[] = [];
    for (const f of current) {
      if (!f.deadline || (f.status !== 'open' && f.status !== 'unknown')) continue;
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
        ruleId: f.ruleId,
        dueDate: f.deadline.date,
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
            ruleId: f.ruleId,
            dueDate: f.deadline.date,
          });
        }
      }
    }
    const code = req.query.get('code');
    const view: DashboardView = {
      generatedAt: asOf.toISO()!,
      baseline: ports.lifecycle.baseline.version,
      catalogAsOf: ports.lifecycle.catalogAsOf,
      // The cards count the findings themselves (a finding of a target without a stored inventory counts too).
      openBySeverity: summary.openBySeverity,
      unknown: summary.unknown,
      suppressed: summary.suppressed,
      summary,
      // A finding's firstSeenAt is the asOf of the scan that first saw it.
      latestScan: latest && {
        scanId: latest.scanId,
        asOf: latest.asOf,
        ...(latest.targetFilter ? { targetFilter: latest.targetFilter } : {}),
        // What the scan recorded when it finished; a scan from before totals: its findings first seen then.
        newFindings:
          latest.totals?.new ??
          current.filter((f) => (f.status === 'open' || f.status === 'unknown') && f.firstSeenAt === latest.asOf)
            .length,
      },
      targets,
      timeline,
      linkQuery: code ? new URLSearchParams({ code }).toString() : undefined,
      focus,
    };
    return {
      status: 200,
      // No scripts at all; inline styles only; not cached, no Referer (the links may carry a key).
      headers: HTML_HEADERS,
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
    summary,
    dashboard: htmlErrors(dashboard, ''),
    ...createPageHandlers({
      ports,
      now,
      loadFindings,
      requireInventory,
      knownRule,
      knownTarget,
      statusList: zStatusList,
      defaultStatuses: DEFAULT_STATUSES,
    }),
    health,
    openapi,
  };
}

export type Handlers = ReturnType<typeof createHandlers>;
export type HandlerName = keyof Handlers;

/** A target id may arrive percent-encoded (an ARM id in a path or a query); names never contain "%2F". */
function decodeTarget(raw: string): string {
  if (!/%2f/i.test(raw)) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
