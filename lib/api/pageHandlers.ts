import type { DateTime } from 'luxon';
import { z } from 'zod';
import type { Finding, FindingStatus } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import { findingSortOf, sortFindingsBy, unknownSortMessage, type FindingSort } from '../findings/urgency';
import { compareVersionStrings } from '../rules/version';
import { NotFoundError, ValidationError } from '../errors';
import { escapeHtml, href, HTML_HEADERS, page, pagePath, type LinkContext } from './html';
import type { ApiRequest, ApiResponse } from './http';
import { renderFindingsPage, renderReadinessPage, renderTargetPage, renderTrendPage, type TrendPoint } from './pages';
import type { ApiPorts, FindingFilter } from './ports';
import { evaluateReadiness } from './readiness';
import { upgradeView } from '../upgrade/page';
import { parseQuery, zInstant, zIsoDate, zOwner, zRuleId, zSeverity } from './validate';

/**
 * Handlers of the dashboard's HTML pages (findings, target, upgrade gate); lib/api/handlers.ts hands them what they
 * share with the JSON routes.
 */

export interface PageDeps {
  ports: ApiPorts;
  now(): DateTime;
  loadFindings(filter: FindingFilter, cap?: number): Promise<{ items: Finding[]; truncated: boolean }>;
  requireInventory(req: ApiRequest): Promise<{ id: string; inv: Inventory }>;
  statusList: z.ZodType<FindingStatus[], string>;
  /** Throws on a rule id the catalog does not have. */
  knownRule(id: string | undefined, parameter: string): void;
  /** The id of a target named by its id or name; throws on one no scan has seen. */
  knownTarget(raw: string, parameter: string): Promise<string>;
  defaultStatuses: FindingStatus[];
}

/** The findings page reads at most this many findings and draws at most ROWS of them. */
const READ_CAP = 5000;
const ROWS = 500;
/** The trend page reads this many scans, newest first. */
const TREND_SCANS = 30;

function html(body: string): ApiResponse {
  return { status: 200, headers: { ...HTML_HEADERS }, body };
}

function linkContext(req: ApiRequest, up: string): LinkContext {
  const code = req.query.get('code');
  return { up, linkQuery: code ? new URLSearchParams({ code }).toString() : undefined };
}

/** A filter form sends every field, empty ones included: an empty field means "any". */
function withoutEmpty(query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of query) if (v.trim() !== '') out.append(k, v);
  return out;
}

export function createPageHandlers(d: PageDeps) {
  const { ports } = d;

  const findingsPageQuery = z.object({
    status: d.statusList.optional(),
    severity: zSeverity.optional(),
    severityMatch: z.enum(['min', 'exact']).optional(),
    rule: zRuleId.optional(),
    target: z.string().max(1024).optional(),
    owner: zOwner.optional(),
    dueBefore: zIsoDate.optional(),
    dueOn: zIsoDate.optional(),
    firstSeenAt: zInstant.optional(),
    q: z.string().max(200).optional(),
    // The names GET /api/findings?sort= and `hcxmon findings --sort` take (lastSeen/firstSeen too), refused alike.
    sort: z
      .string()
      .max(40)
      .transform((v, ctx): FindingSort => {
        const sort = findingSortOf(v);
        if (sort) return sort;
        ctx.addIssue({ code: 'custom', message: unknownSortMessage(v) });
        return z.NEVER;
      })
      .optional(),
  });

  async function dashboardFindings(req: ApiRequest): Promise<ApiResponse> {
    const q = parseQuery(withoutEmpty(req.query), findingsPageQuery);
    d.knownRule(q.rule, 'rule');
    const asOf = d.now();
    const statuses = q.status ?? d.defaultStatuses;
    const target = q.target === undefined ? undefined : await d.knownTarget(q.target, 'target');
    const [loaded, targets] = await Promise.all([
      d.loadFindings(
        {
          statuses,
          minSeverity: q.severity,
          ruleId: q.rule,
          targetId: target,
          owner: q.owner,
          dueBefore: q.dueBefore,
        },
        READ_CAP,
      ),
      ports.inventory.listTargets(),
    ]);
    let items = loaded.items;
    if (q.severity && q.severityMatch === 'exact') items = items.filter((f) => f.severity === q.severity);
    if (q.dueOn) items = items.filter((f) => f.deadline?.date === q.dueOn);
    if (q.firstSeenAt) items = items.filter((f) => f.firstSeenAt === q.firstSeenAt);
    const needle = q.q?.trim().toLowerCase();
    if (needle) {
      items = items.filter((f) =>
        [f.title, f.message, f.targetName, f.subjectName, f.ruleId, f.id, f.owner].some((s) =>
          s.toLowerCase().includes(needle),
        ),
      );
    }
    const sort = q.sort ?? 'urgency';
    const sorted = sortFindingsBy(items, sort, asOf);
    return html(
      renderFindingsPage({
        asOf,
        ctx: linkContext(req, '../'),
        filters: {
          statuses,
          severity: q.severity,
          severityMatch: q.severityMatch ?? 'min',
          owner: q.owner,
          rule: q.rule,
          target,
          dueBefore: q.dueBefore,
          dueOn: q.dueOn,
          firstSeenAt: q.firstSeenAt,
          q: q.q?.trim() || undefined,
          sort,
        },
        findings: sorted,
        shown: Math.min(ROWS, sorted.length),
        truncated: loaded.truncated,
        rules: ports.rules.rules,
        targets: targets
          .map((t) => ({ id: t.targetId, name: t.targetName }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      }),
    );
  }

  async function dashboardTarget(req: ApiRequest): Promise<ApiResponse> {
    parseQuery(req.query, z.object({}));
    const { id, inv } = await d.requireInventory(req);
    const asOf = d.now();
    const [history, facts, outcomes, loaded] = await Promise.all([
      ports.inventory.history(id),
      ports.facts.list(id),
      ports.scans.latestOutcomes(),
      d.loadFindings({ statuses: d.defaultStatuses, targetId: id }, READ_CAP),
    ]);
    const version = inv.manager?.version;
    const cmp = compareVersionStrings(version, ports.lifecycle.baseline.version);
    const outcome = outcomes.find((o) => o.targetId === id);
    return html(
      renderTargetPage({
        asOf,
        ctx: linkContext(req, '../../'),
        id,
        name: inv.target.name,
        kind: inv.target.kind,
        version,
        baseline: ports.lifecycle.baseline.version,
        belowBaseline: cmp === undefined ? undefined : cmp < 0,
        support: ports.lifecycle.supportOf(version),
        collectedAt: inv.collectedAt,
        lastSuccessfulCollectionAt: history.lastSuccessfulCollectionAt,
        lastScan: outcome ? { status: outcome.status, at: outcome.finishedAt } : undefined,
        versions: history.versions,
        readiness: evaluateReadiness(inv, ports.lifecycle.baseline.version, asOf),
        findings: sortFindingsBy(loaded.items, 'urgency', asOf),
        facts,
        upgrade: upgradeView(history.upgrades, inv, loaded.items, asOf),
      }),
    );
  }

  async function dashboardReadiness(req: ApiRequest): Promise<ApiResponse> {
    parseQuery(req.query, z.object({}));
    const { inv } = await d.requireInventory(req);
    return html(
      renderReadinessPage(
        linkContext(req, '../../../'),
        evaluateReadiness(inv, ports.lifecycle.baseline.version, d.now()),
      ),
    );
  }

  async function dashboardTrend(req: ApiRequest): Promise<ApiResponse> {
    parseQuery(req.query, z.object({}));
    const [scans, current] = await Promise.all([
      ports.scans.list({ limit: TREND_SCANS }),
      d.loadFindings({ statuses: ['open', 'unknown'] }, READ_CAP),
    ]);
    // A scan records its totals when it finishes; only older scans (none recorded) are added up from their outcomes.
    const details = await Promise.all(
      scans.items.map((s) => (s.totals ? Promise.resolve(undefined) : ports.scans.get(s.scanId))),
    );
    const points: TrendPoint[] = scans.items.map((s, i) => {
      const outcomes = details[i]?.outcomes ?? [];
      const sum = (k: 'open' | 'unknown' | 'suppressed' | 'resolved') =>
        outcomes.reduce((n, o) => n + (o.counts?.[k] ?? 0), 0);
      const t = s.totals;
      return {
        scanId: s.scanId,
        asOf: s.asOf,
        trigger: s.trigger,
        status: s.status,
        ...(s.targetFilter ? { targetFilter: s.targetFilter } : {}),
        targets: s.targets.length,
        recorded: t !== undefined,
        open: t ? t.open : sum('open'),
        unknown: t ? t.unknown : sum('unknown'),
        suppressed: t ? t.suppressed : sum('suppressed'),
        resolved: t ? t.resolved : sum('resolved'),
        ...(t ? { new: t.new, escalated: t.escalated } : {}),
        newStillOpen: current.items.filter((f) => f.firstSeenAt === s.asOf).length,
      };
    });
    return html(renderTrendPage(linkContext(req, '../'), points));
  }

  return {
    dashboardFindings: htmlErrors(dashboardFindings, '../'),
    dashboardTarget: htmlErrors(dashboardTarget, '../../'),
    dashboardReadiness: htmlErrors(dashboardReadiness, '../../../'),
    dashboardTrend: htmlErrors(dashboardTrend, '../'),
  };
}

/**
 * A page that cannot be drawn (an unknown rule in the filter, a target no scan stored — the target of a
 * discovery-scope finding is a subscription, which has no page) answers an HTML page with the same status and the
 * same words as the JSON API, and links back to the fleet: a click from the dashboard never lands on raw JSON.
 * Other errors (500) keep the one path of lib/api/http.ts (logged, no details).
 */
export function htmlErrors(
  fn: (req: ApiRequest) => Promise<ApiResponse>,
  up: string,
): (req: ApiRequest) => Promise<ApiResponse> {
  return async (req) => {
    try {
      return await fn(req);
    } catch (err) {
      if (!(err instanceof ValidationError) && !(err instanceof NotFoundError)) throw err;
      const status = err instanceof NotFoundError ? 404 : 400;
      const ctx = linkContext(req, up);
      const title = status === 404 ? 'Not found' : 'This page cannot be shown';
      const body =
        `<h1>${title}</h1><p data-testid="error-message">${escapeHtml(err.message)}</p>` +
        `<p><a href="${href(ctx, pagePath.fleet)}">Back to the fleet</a> · <a href="${href(ctx, pagePath.findings)}">all findings</a></p>`;
      return { status, headers: { ...HTML_HEADERS }, body: page({ title: `HCX compliance — ${title}`, ctx, body }) };
    }
  };
}
