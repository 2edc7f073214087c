import type { ServerResponse } from 'node:http';
import { exampleFileBody } from './arm';
import type { LabContext } from './context';
import { sendJson } from './http';
import type { LabSubscriptionSpec } from './types';

/**
 * The fake ARM's Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`) and subscription list
 * (`GET /subscriptions`), built from the same scenario as the AVS routes. Bodies start from Microsoft's examples
 * (arm-examples/resourcegraph/); the rows are the scenario's private clouds rendered as the AVS routes render
 * them, plus one `microsoft.resources/subscriptions` row per readable subscription.
 */

type Obj = Record<string, unknown>;

export const LAB_HOME_TENANT = '72f988bf-0000-4000-8000-00000000a1ab';
const DEFAULT_MG = 'lab-root';
/** Length of the lab's Resource Graph quota window, reported in x-ms-user-quota-resets-after. */
const QUOTA_WINDOW = '00:00:05';

function resourceGraphExample(file: string): Obj {
  return exampleFileBody<Obj>('resourcegraph', file);
}

function tenantOf(ctx: LabContext, s: LabSubscriptionSpec): string {
  return s.tenantId ?? ctx.tenantId;
}

export function listSubscriptions(ctx: LabContext, res: ServerResponse, url: URL): void {
  const failWith = ctx.armFaults.subscriptionListStatus;
  if (failWith !== undefined) {
    return graphError(res, failWith, 'InternalServerError', 'Encountered internal server error. Please try again.');
  }
  const template = (resourceGraphExample('GetSubscriptions').value as Obj[])[0];
  const skip = Number.parseInt(url.searchParams.get('$skiptoken') ?? '0', 10) || 0;
  const size = ctx.subscriptionPageSize;
  const value = ctx.subscriptions.slice(skip, skip + size).map((s) => {
    const b = structuredClone(template);
    b.id = `/subscriptions/${s.id}`;
    b.subscriptionId = s.id;
    b.displayName = s.displayName ?? `lab ${s.id.slice(0, 8)}`;
    b.tenantId = tenantOf(ctx, s);
    // Lighthouse: a customer's subscription names the tenant that manages it (ours); our own name nobody.
    b.managedByTenants = tenantOf(ctx, s) === ctx.tenantId ? [] : [{ tenantId: ctx.tenantId }];
    b.tags = {};
    return b;
  });
  const body: Obj = { value };
  const more = skip + size < ctx.subscriptions.length;
  if (more || ctx.armFaults.subscriptionListEndless) {
    // ARM's nextLink is absolute (same origin) and carries the api-version; an endless list starts over.
    const next = new URL(url.pathname, ctx.origins.arm);
    next.searchParams.set('api-version', url.searchParams.get('api-version') ?? '2022-12-01');
    next.searchParams.set('$skiptoken', String(more ? skip + size : 0));
    body.nextLink = next.toString();
  }
  sendJson(res, 200, body);
}

interface GraphRequest {
  query?: unknown;
  subscriptions?: unknown;
  managementGroups?: unknown;
  options?: { $top?: unknown; $skipToken?: unknown };
}

function graphError(res: ServerResponse, status: number, code: string, message: string, headers = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export function queryResources(
  ctx: LabContext,
  res: ServerResponse,
  rawBody: string,
  renderCloud: (sub: string, cloudIndex: number) => Obj,
): void {
  const f = ctx.armFaults;
  if (f.graphForbidden) {
    return graphError(res, 403, 'AuthorizationFailed', 'The client does not have authorization to perform action.');
  }
  const quota = (): Record<string, string> => ({
    'x-ms-user-quota-remaining': String(Math.max(0, ctx.graphQuota.limit - ctx.graphQuota.used)),
    'x-ms-user-quota-resets-after': QUOTA_WINDOW,
  });
  const throttled = ctx.throttleLeft.get('graph') ?? 0;
  if (throttled > 0) {
    ctx.throttleLeft.set('graph', throttled - 1);
    // Resource Graph's 429 carries the quota headers (remaining 0), not a Retry-After.
    return graphError(res, 429, 'RateLimiting', 'Please provide below info when asking for support.', {
      'x-ms-user-quota-remaining': '0',
      'x-ms-user-quota-resets-after': `00:00:${String(f.graphThrottle?.resetsAfterSeconds ?? 1).padStart(2, '0')}`,
    });
  }
  let req: GraphRequest;
  try {
    req = JSON.parse(rawBody) as GraphRequest;
  } catch {
    return graphError(res, 400, 'BadRequest', 'The request body is not valid JSON.');
  }
  if (typeof req.query !== 'string' || !/microsoft\.avs\/privateclouds/i.test(req.query)) {
    return graphError(res, 400, 'BadRequest', 'The lab answers the private-cloud discovery query only.');
  }
  // A client that met remaining 0 waited out the window (the lab has no clock of its own): a new window starts.
  if (ctx.graphQuota.used >= ctx.graphQuota.limit) ctx.graphQuota.used = 0;
  ctx.graphQuota.used++;
  const top = Math.min(Number(req.options?.$top ?? 100) || 100, 1000, ctx.graphPageRows);
  const offset = decodeToken(req.options?.$skipToken);
  const page = offset / Math.max(1, top) + 1;
  if (f.graphFailFromPage !== undefined && page >= f.graphFailFromPage) {
    return graphError(res, 500, 'InternalServerError', 'Encountered internal server error.', quota());
  }
  const wanted = Array.isArray(req.subscriptions)
    ? new Set(req.subscriptions.map((s) => String(s).toLowerCase()))
    : undefined;
  const groups = Array.isArray(req.managementGroups) ? new Set(req.managementGroups.map(String)) : undefined;
  const rows: Obj[] = [];
  for (const s of ctx.subscriptions) {
    // Resource Graph answers for what the identity can read; a subscription it cannot read is simply absent.
    if (s.forbidden) continue;
    if (wanted && !wanted.has(s.id.toLowerCase())) continue;
    if (groups && !groups.has(s.managementGroup ?? DEFAULT_MG)) continue;
    const tenantId = tenantOf(ctx, s);
    rows.push({
      id: `/subscriptions/${s.id}`,
      name: s.displayName ?? `lab ${s.id.slice(0, 8)}`,
      type: 'microsoft.resources/subscriptions',
      subscriptionId: s.id,
      tenantId,
    });
    s.clouds.forEach((_, i) => {
      const c = renderCloud(s.id, i);
      rows.push({
        id: c.id,
        name: c.name,
        // Resource Graph reports types in lower case.
        type: 'microsoft.avs/privateclouds',
        location: c.location,
        subscriptionId: s.id,
        tenantId,
        sku: c.sku,
        properties: c.properties,
      });
    });
  }
  rows.sort((a, b) => String(a.id).toLowerCase().localeCompare(String(b.id).toLowerCase()));
  const data = rows.slice(offset, offset + top);
  const body = resourceGraphExample('ResourcesNextPageQuery');
  body.data = data;
  body.count = data.length;
  body.totalRecords = rows.length + (f.graphPhantomRecords ?? 0);
  body.facets = [];
  body.resultTruncated = f.graphTruncated ? 'true' : 'false';
  if (offset + top < rows.length) body.$skipToken = encodeToken(offset + top);
  else delete body.$skipToken;
  sendJson(res, 200, body, {
    ...quota(),
    ...(f.graphSubscriptionLimitHit ? { 'x-ms-tenant-subscription-limit-hit': 'true' } : {}),
  });
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: unknown): number {
  if (typeof token !== 'string') return 0;
  try {
    const n = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }).offset;
    return typeof n === 'number' && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}
