import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { record, type LabContext } from './context';
import { listSubscriptions, queryResources } from './graph';
import { readBody, sendJson } from './http';
import type { LabCloudSpec, LabMaintenance } from './types';

/**
 * The fake Azure Resource Manager for Microsoft.AVS. Every body starts as a deep clone of Microsoft's own example
 * (dev/lab/arm-examples/<api-version>/*.json, `responses["200"].body`) for the api-version the caller asked for;
 * the lab then changes ids, names, endpoints and states.
 */

export const EXAMPLE_API_VERSIONS = ['2023-03-01', '2023-09-01', '2024-09-01'] as const;

let examplesDirCache: string | undefined;

function examplesDir(): string {
  if (examplesDirCache) return examplesDirCache;
  // Next to this file under ts-jest; from a build output (dist/dev/lab), walk up to the repo's dev/lab copy.
  const tried: string[] = [];
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'arm-examples'), join(dir, 'dev', 'lab', 'arm-examples')]) {
      tried.push(candidate);
      if (existsSync(join(candidate, 'README.md'))) return (examplesDirCache = candidate);
    }
    if (dirname(dir) === dir) break;
  }
  const fromCwd = join(process.cwd(), 'dev', 'lab', 'arm-examples');
  if (existsSync(join(fromCwd, 'README.md'))) return (examplesDirCache = fromCwd);
  throw new Error(`lab: arm-examples not found (looked in ${tried.slice(0, 4).join(', ')}, …)`);
}

const cache = new Map<string, unknown>();

/** `responses["200"].body` of one example file, deep-cloned. */
export function exampleBody<T = Record<string, unknown>>(apiVersion: string, file: string): T {
  const version = pickExampleVersion(apiVersion);
  let chosen = version;
  // 2023-09-01 has no HcxEnterpriseSites_Get (README "Missing"): fall back to the nearest older version.
  if (!existsSync(join(examplesDir(), version, `${file}.json`))) chosen = '2023-03-01';
  return exampleFileBody<T>(chosen, file);
}

/** `responses["200"].body` of arm-examples/<dir>/<file>.json (an api-version folder, or resourcegraph/), deep-cloned. */
export function exampleFileBody<T = Record<string, unknown>>(dir: string, file: string): T {
  const key = `${dir}/${file}`;
  if (!cache.has(key)) {
    const json = JSON.parse(readFileSync(join(examplesDir(), dir, `${file}.json`), 'utf8')) as {
      responses: Record<string, { body: unknown }>;
    };
    cache.set(key, json.responses['200'].body);
  }
  return structuredClone(cache.get(key)) as T;
}

/** The newest example folder not newer than the requested api-version (oldest when it predates them all). */
export function pickExampleVersion(apiVersion: string): string {
  let best: string = EXAMPLE_API_VERSIONS[0];
  for (const v of EXAMPLE_API_VERSIONS) if (v <= apiVersion) best = v;
  return best;
}

type Obj = Record<string, unknown>;

function armError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export function createArmHandler(ctx: LabContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(ctx, req, res).catch((err: unknown) => {
      if (!res.headersSent) armError(res, 500, 'InternalServerError', `lab error: ${(err as Error).message}`);
      else res.destroy();
    });
  };
}

const RE_PC_SUB = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.avs\/privateclouds$/i;
const RE_PC_RG = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.avs\/privateclouds$/i;
const RE_PC =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.avs\/privateclouds\/([^/]+)(?:\/(.*))?$/i;

async function handle(ctx: LabContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://lab.invalid');
  const method = req.method ?? 'GET';
  res.once('close', () =>
    record(ctx, 'arm', undefined, method, url.pathname + url.search, res.headersSent ? res.statusCode : 0),
  );
  const rawBody = await readBody(req);

  if (req.headers.authorization !== `Bearer ${ctx.armToken}`) {
    armError(
      res,
      401,
      'AuthenticationFailed',
      'Authentication failed. The Authorization header is missing or the token is invalid.',
    );
    return;
  }
  const apiVersion = url.searchParams.get('api-version');
  if (!apiVersion) {
    armError(
      res,
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
    return;
  }
  const f = ctx.armFaults;
  if (f.latencyMs) await ctx.delay(f.latencyMs);
  if (f.throttle && (!f.throttle.onPath || url.pathname.includes(f.throttle.onPath))) {
    const left = ctx.throttleLeft.get('arm') ?? 0;
    if (left > 0) {
      ctx.throttleLeft.set('arm', left - 1);
      armError(res, 429, 'TooManyRequests', 'The request is being throttled.', {
        'retry-after': String(f.throttle.retryAfterSeconds),
      });
      return;
    }
  }
  if (f.http5xxOnPath && url.pathname.includes(f.http5xxOnPath)) {
    armError(res, f.http5xxStatus ?? 500, 'InternalServerError', 'Encountered internal server error. Please try again.');
    return;
  }

  if (/^\/subscriptions\/?$/i.test(url.pathname) && method === 'GET') return listSubscriptions(ctx, res, url);
  if (/^\/providers\/microsoft\.resourcegraph\/resources\/?$/i.test(url.pathname) && method === 'POST') {
    return queryResources(ctx, res, rawBody, (sub, i) => {
      const c = ctx.clouds.get(sub.toLowerCase())![i];
      return renderCloud(ctx, apiVersion, sub, c, 'PrivateClouds_Get');
    });
  }
  const forbidden = /^\/subscriptions\/([^/]+)\//i.exec(url.pathname)?.[1]?.toLowerCase();
  if (forbidden && ctx.forbiddenSubscriptions.has(forbidden)) {
    return armError(
      res,
      403,
      'AuthorizationFailed',
      `The client does not have authorization to perform action 'Microsoft.AVS/privateClouds/read' over scope '/subscriptions/${forbidden}'.`,
    );
  }
  const ev = RE_EVENTS.exec(url.pathname);
  if (ev && method === 'GET') return listEvents(ctx, res, ev[1]);
  let m = RE_PC_SUB.exec(url.pathname);
  if (m && method === 'GET') return listClouds(ctx, res, url, apiVersion, m[1]);
  m = RE_PC_RG.exec(url.pathname);
  if (m && method === 'GET') return listClouds(ctx, res, url, apiVersion, m[1], m[2]);
  m = RE_PC.exec(url.pathname);
  if (m) {
    const subs = ctx.clouds.get(m[1].toLowerCase());
    if (!subs) return armError(res, 404, 'SubscriptionNotFound', `The subscription '${m[1]}' could not be found.`);
    const cloud = subs.find((c) => eqi(c.resourceGroup, m![2]) && eqi(c.name, m![3]));
    if (!cloud) {
      return armError(
        res,
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.AVS/privateClouds/${m[3]}' under resource group '${m[2]}' was not found.`,
      );
    }
    const rest = (m[4] ?? '').replace(/\/+$/, '');
    const sub = m[1];
    return cloudChild(ctx, res, method, apiVersion, sub, cloud, rest);
  }
  armError(res, 404, 'NotFound', `No route for ${method} ${url.pathname} in the lab.`);
}

function eqi(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function cloudId(sub: string, c: LabCloudSpec): string {
  return `/subscriptions/${sub}/resourceGroups/${c.resourceGroup}/providers/Microsoft.AVS/privateClouds/${c.name}`;
}

function listClouds(
  ctx: LabContext,
  res: ServerResponse,
  url: URL,
  apiVersion: string,
  sub: string,
  rg?: string,
): void {
  const all = ctx.clouds.get(sub.toLowerCase());
  if (!all) return armError(res, 404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  const clouds = rg ? all.filter((c) => eqi(c.resourceGroup, rg)) : all;
  const skip = Number.parseInt(url.searchParams.get('$skipToken') ?? '0', 10) || 0;
  const page = clouds.slice(skip, skip + ctx.armPageSize);
  const body: Obj = {
    value: page.map((c) => renderCloud(ctx, apiVersion, sub, c, 'PrivateClouds_ListInSubscription')),
  };
  if (skip + ctx.armPageSize < clouds.length) {
    // ARM nextLinks are absolute and carry the api-version; the SDK follows them verbatim.
    const next = new URL(url.pathname, ctx.origins.arm);
    next.searchParams.set('api-version', apiVersion);
    next.searchParams.set('$skipToken', String(skip + ctx.armPageSize));
    body.nextLink = next.toString();
  }
  sendJson(res, 200, body);
}

function renderCloud(ctx: LabContext, apiVersion: string, sub: string, c: LabCloudSpec, file: string): Obj {
  const template =
    file === 'PrivateClouds_Get'
      ? exampleBody<Obj>(apiVersion, file)
      : exampleBody<{ value: Obj[] }>(apiVersion, file).value[0];
  const body = template;
  body.id = cloudId(sub, c);
  body.name = c.name;
  body.location = c.location ?? 'westeurope';
  const props = body.properties as Obj;
  props.provisioningState = c.provisioningState ?? 'Succeeded';
  const endpoints = props.endpoints as Obj;
  const hcx = c.manager ? ctx.hcxUrl(c.id) : `${ctx.origins.dead}/hcx/${encodeURIComponent(c.id)}/`;
  endpoints.hcxCloudManager = hcx;
  if ('hcxCloudManagerIp' in endpoints) endpoints.hcxCloudManagerIp = '127.0.0.1';
  // Cross-cloud links in the examples point at Microsoft's placeholder subscription: not part of the lab.
  delete props.externalCloudLinks;
  return body;
}

function cloudChild(
  ctx: LabContext,
  res: ServerResponse,
  method: string,
  apiVersion: string,
  sub: string,
  c: LabCloudSpec,
  rest: string,
): void {
  const base = cloudId(sub, c);
  if (rest === '' && method === 'GET')
    return sendJson(res, 200, renderCloud(ctx, apiVersion, sub, c, 'PrivateClouds_Get'));
  if (rest.toLowerCase() === 'listadmincredentials' && method === 'POST') {
    const body = exampleBody<Obj>(apiVersion, 'PrivateClouds_ListAdminCredentials');
    const manager = ctx.managers.get(c.id);
    body.vcenterUsername = manager?.username ?? 'cloudadmin@vsphere.local';
    body.vcenterPassword = manager?.password ?? randomBytes(12).toString('base64url');
    body.nsxtPassword = ctx.nsxPasswords.get(c.id) ?? randomBytes(12).toString('base64url');
    return sendJson(res, 200, body);
  }
  const [coll, name, extra] = rest.split('/');
  if (method !== 'GET' || extra !== undefined)
    return armError(res, 404, 'NotFound', `No route for ${method} ${rest} in the lab.`);
  let items: Obj[];
  switch (coll?.toLowerCase()) {
    case 'addons':
      items = addons(apiVersion, base, c);
      break;
    case 'hcxenterprisesites':
      items = (c.enterpriseSites ?? []).map((s) => {
        const b = exampleBody<{ value: Obj[] }>(apiVersion, 'HcxEnterpriseSites_List').value[0];
        b.id = `${base}/hcxEnterpriseSites/${s.name}`;
        b.name = s.name;
        b.properties = { ...(b.properties as Obj), activationKey: s.activationKey, status: s.status };
        return b;
      });
      break;
    case 'maintenances':
      // Issue 16: Microsoft's Maintenances_Get example (2025-09-01) per scheduled maintenance, in ARM's list envelope
      // (the specs publish no Maintenances_List example; the list is the standard `value` array).
      if (c.maintenancesStatus)
        return armError(res, c.maintenancesStatus, 'NoRegisteredProviderFound', `No registered resource provider found for maintenances at api-version ${apiVersion}.`);
      if (c.maintenancesBody !== undefined) return sendJson(res, 200, c.maintenancesBody);
      items = (c.maintenances ?? []).map((mt) => renderMaintenance(base, mt));
      break;
    case 'clusters':
      items = (c.clusters ?? [{ name: 'Cluster-1', size: 3 }]).map((cl, i) => {
        const b = exampleBody<{ value: Obj[] }>(apiVersion, 'Clusters_List').value[0];
        b.id = `${base}/clusters/${cl.name}`;
        b.name = cl.name;
        const hosts = Array.from({ length: cl.size }, (_, h) => `esx${i + 1}-${h + 1}.${c.name}.lab.invalid`);
        b.properties = { ...(b.properties as Obj), clusterSize: cl.size, hosts };
        return b;
      });
      break;
    default:
      return armError(res, 404, 'NotFound', `No route for ${method} ${rest} in the lab.`);
  }
  if (name === undefined) return sendJson(res, 200, { value: items });
  const one = items.find((i) => eqi(String(i.name), name));
  if (!one) return armError(res, 404, 'ResourceNotFound', `The Resource '${coll}/${name}' was not found.`);
  sendJson(res, 200, one);
}

function renderMaintenance(base: string, mt: LabMaintenance): Obj {
  const b = exampleFileBody<Obj>('2025-09-01', 'Maintenances_Get');
  b.id = `${base}/maintenances/${mt.name}`;
  b.name = mt.name;
  const p = b.properties as Obj;
  p.scheduledStartTime = mt.scheduledStartTime;
  if (mt.estimatedDurationInMinutes !== undefined) p.estimatedDurationInMinutes = mt.estimatedDurationInMinutes;
  if (mt.displayName !== undefined) p.displayName = mt.displayName;
  if (mt.component !== undefined) p.component = mt.component;
  const state = p.state as Obj;
  state.name = mt.state ?? 'Scheduled';
  state.startedAt = mt.scheduledStartTime;
  delete state.endedAt;
  return b;
}

const RE_EVENTS = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.resourcehealth\/events\/?$/i;

/**
 * Service Health events of a subscription: Microsoft's Events_ListBySubscriptionId example (2025-05-01) per planned
 * maintenance, with its type, service, times and tracking id replaced; no nextLink (one page).
 */
function listEvents(ctx: LabContext, res: ServerResponse, sub: string): void {
  const spec = ctx.subscriptions.find((s) => eqi(s.id, sub));
  if (!spec) return armError(res, 404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  if (spec.eventsStatus) return armError(res, spec.eventsStatus, 'InternalServerError', 'Service Health is not available.');
  const value = (spec.plannedMaintenance ?? []).map((e) => {
    const b = exampleFileBody<{ value: Obj[] }>('resourcehealth', 'Events_ListBySubscriptionId').value[0];
    b.name = e.trackingId;
    b.id = `/providers/Microsoft.ResourceHealth/events/${e.trackingId}`;
    const p = b.properties as Obj;
    p.eventType = 'PlannedMaintenance';
    p.title = e.title;
    p.status = e.status ?? 'Active';
    p.impactStartTime = e.impactStartTime;
    if (e.impactMitigationTime) p.impactMitigationTime = e.impactMitigationTime;
    else delete p.impactMitigationTime;
    const impact = (p.impact as Obj[])[0];
    impact.impactedService = e.service ?? 'Azure VMware Solution';
    const region = (impact.impactedRegions as Obj[])[0];
    region.impactedRegion = e.region ?? 'West Europe';
    region.impactedSubscriptions = [sub];
    return b;
  });
  sendJson(res, 200, { value });
}

function addons(apiVersion: string, base: string, c: LabCloudSpec): Obj[] {
  const out: Obj[] = [];
  if (c.srmAddon) {
    const srm = exampleBody<{ value: Obj[] }>(apiVersion, 'Addons_List').value[0];
    srm.id = `${base}/addons/srm`;
    out.push(srm);
  }
  if (c.hcxAddon) {
    const hcx = exampleBody<Obj>(apiVersion, 'Addons_Get_HCX');
    hcx.id = `${base}/addons/hcx`;
    const props = hcx.properties as Obj;
    if (c.hcxAddon.offer !== undefined) props.offer = c.hcxAddon.offer;
    props.provisioningState = c.hcxAddon.provisioningState ?? 'Succeeded';
    out.push(hcx);
  }
  return out;
}
