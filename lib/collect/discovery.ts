/**
 * Discovery at tenant scale (issue 15): every AVS private cloud in HCXMON_DISCOVERY_SCOPE through Azure Resource
 * Graph — one paged query instead of one listing per subscription — with the per-subscription ARM listing
 * (avs.ts discoverTargets) as the fallback where Resource Graph gives no complete answer.
 *
 * Why REST through a core-rest-pipeline pipeline and not @azure/arm-resourcegraph: the call is one POST whose
 * paging ($skipToken) and quota headers (x-ms-user-quota-*) we drive ourselves either way, and the subscription
 * list would need a second SDK package; the pipeline we build carries the same policies as the AVS clients
 * (armOriginPolicy: the token only ever goes to the configured ARM origin; armLimitsPolicy: the process-wide ARM
 * cap, the shared connection pool and the Retry-After cap).
 *
 * What Resource Graph carries: the private cloud with its properties (endpoints.hcxCloudManager, provisioningState,
 * sku). The HCX add-on and the enterprise sites (activation keys) are read per cloud by the existing ARM calls
 * during its scan (collect/inventory.ts), not from Resource Graph: discovery then never handles activation keys,
 * and a cloud's scan reads them fresh from ARM rather than from an index that may lag.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type PipelineRetryOptions,
} from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import type { PrivateCloud } from '@azure/arm-avs';
import type { Config, DiscoveryScope } from '../config';
import type { Target } from '../domain/target';
import { CollectionError } from '../errors';
import {
  ARM_RETRY_AFTER_CAP_MS,
  armClientOptions,
  armIssue,
  armLimitsPolicy,
  armOriginPolicy,
  connectorTargets,
  discoverTargets,
  privateCloudToTarget,
  staticTokenCredential,
  type ArmClientFactory,
  type DiscoveryError,
  type DiscoveryResult,
} from './avs';

export const RESOURCE_GRAPH_API_VERSION = '2022-10-01';
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
/** Rows per Resource Graph page: the most `options.$top` allows. */
export const GRAPH_PAGE_ROWS = 1000;
/** 429 answers one page may get before discovery gives up on Resource Graph (then the ARM fallback runs). */
export const GRAPH_THROTTLE_RETRIES = 3;
export const RESOURCE_GRAPH_PATH = '/providers/Microsoft.ResourceGraph/resources';

/**
 * The private clouds, plus the subscriptions Resource Graph can read (resourcecontainers): a subscription the
 * identity can see in the subscription list but Resource Graph cannot read is then noticed, not silently skipped.
 * Ordered by id: Resource Graph pages in a stable order only when `id` is projected.
 */
export const GRAPH_QUERY = [
  'resources',
  "| where type =~ 'microsoft.avs/privateclouds'",
  '| project id, name, type, location, subscriptionId, tenantId, sku, properties',
  "| union (resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project id, name, type, subscriptionId, tenantId)",
  '| order by id asc',
].join('\n');

/** One subscription as the subscription list reports it; names and tenants are ARM's data, shown, never trusted. */
export interface DiscoveredSubscription {
  subscriptionId: string;
  tenantId?: string;
  displayName?: string;
  state?: string;
  /** Reached through Azure Lighthouse: another tenant's subscription this identity manages. */
  delegated?: boolean;
}

export interface DiscoveryStats {
  /** `resource-graph` when its answer was complete; `arm` when the per-subscription listing had to run. */
  path: 'resource-graph' | 'arm' | 'none';
  graphPages: number;
  subscriptionListCalls: number;
  /** Per-subscription listings run (fallback, or subscriptions Resource Graph could not read). */
  armListings: number;
  /** Waits for the Resource Graph quota (x-ms-user-quota-remaining 0, or a 429) and their total length. */
  quotaWaits: number;
  quotaWaitedMs: number;
}

export interface EstateDiscovery extends DiscoveryResult {
  subscriptions: DiscoveredSubscription[];
  stats: DiscoveryStats;
}

/** A minimal ARM REST client: JSON in and out, through the pipeline createArmRest builds. */
export interface ArmRest {
  send(
    method: 'GET' | 'POST',
    pathOrUrl: string,
    body?: unknown,
  ): Promise<{ status: number; header(name: string): string | undefined; json: unknown }>;
}

export interface ArmRestOptions {
  credential?: TokenCredential;
  httpClient?: HttpClient;
  retryOptions?: PipelineRetryOptions;
}

export function createArmRest(config: Config, extra: ArmRestOptions = {}): ArmRest {
  const credential =
    extra.credential ??
    (config.armAccessToken ? staticTokenCredential(config.armAccessToken) : new DefaultAzureCredential());
  const ca = armClientOptions(config, true).tlsOptions?.ca;
  const pipeline = createPipelineFromOptions({
    retryOptions: extra.retryOptions,
    userAgentOptions: { userAgentPrefix: 'hcxmon' },
  });
  pipeline.addPolicy(armOriginPolicy(config.armEndpoint));
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: `${config.armEndpoint}/.default` }), {
    phase: 'Sign',
  });
  pipeline.addPolicy(armLimitsPolicy(typeof ca === 'string' ? ca : undefined), { afterPhase: 'Retry' });
  const client = extra.httpClient ?? createDefaultHttpClient();
  const timeoutMs = Math.max(60_000, config.httpTimeoutMs * 4);
  return {
    async send(method, pathOrUrl, body) {
      const url = /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${config.armEndpoint}${pathOrUrl}`;
      const headers = createHttpHeaders({ accept: 'application/json' });
      if (body !== undefined) headers.set('content-type', 'application/json');
      const req = createPipelineRequest({
        url,
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      const res = await pipeline.sendRequest(client, req);
      let json: unknown;
      try {
        json = res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, header: (n) => res.headers.get(n), json };
    },
  };
}

/** A non-2xx answer as a CollectionError naming the call, the status and ARM's error code — never the body. */
function restFailure(call: string, status: number, json: unknown): CollectionError {
  const raw = (json as { error?: { code?: unknown } } | undefined)?.error?.code;
  const code = typeof raw === 'string' && /^[A-Za-z0-9_.]{1,80}$/.test(raw) ? ` ${raw}` : '';
  return new CollectionError(status === 401 || status === 403 ? 'auth' : 'http', `arm ${call}: HTTP ${status}${code}`, {
    source: 'arm',
    status,
    call,
  });
}

/** `x-ms-user-quota-resets-after` (hh:mm:ss), else Retry-After (seconds); capped like every ARM wait. */
export function quotaWaitMs(header: (name: string) => string | undefined): number {
  const resets = header('x-ms-user-quota-resets-after');
  let ms: number | undefined;
  const m = resets ? /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(resets.trim()) : null;
  if (m) ms = (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000;
  else {
    const ra = Number(header('retry-after'));
    if (Number.isFinite(ra) && ra >= 0) ms = ra * 1000;
  }
  // No header at all: a short pause rather than hammering a throttled service.
  return Math.min(Math.max(0, ms ?? 1000), ARM_RETRY_AFTER_CAP_MS);
}

export function scopeLabel(scope: DiscoveryScope): string {
  switch (scope.kind) {
    case 'tenant':
      return 'tenant';
    case 'none':
      return 'none';
    case 'managementGroup':
      return `managementGroup:${scope.managementGroupId}`;
    case 'subscriptions':
      return `subscriptions:${scope.subscriptionIds.length}`;
  }
}

interface GraphPage {
  data?: unknown;
  count?: unknown;
  totalRecords?: unknown;
  $skipToken?: unknown;
  resultTruncated?: unknown;
}

/** Pages of the subscription list followed at most: a list still going after them is an error, never a partial list. */
export const SUBSCRIPTION_LIST_MAX_PAGES = 1000;

type Row = Record<string, unknown>;

type Sleep = (ms: number) => Promise<void>;

/**
 * Every page of GRAPH_QUERY over the scope, appended to `rows` as it arrives (a later page's failure keeps the
 * earlier pages' rows); `truncated` says why the answer is partial when Resource Graph said so: `resultTruncated`,
 * the `x-ms-tenant-subscription-limit-hit` header (only the first 10,000 subscriptions were queried), or fewer rows
 * delivered (summed `count`) than the last page's `totalRecords` (Resource Graph's paging guidance).
 */
async function queryGraph(
  rest: ArmRest,
  scope: DiscoveryScope,
  stats: DiscoveryStats,
  sleep: Sleep,
  rows: Row[],
): Promise<{ truncated?: string }> {
  let truncated: string | undefined;
  let delivered = 0;
  let skipToken: string | undefined;
  const path = `${RESOURCE_GRAPH_PATH}?api-version=${RESOURCE_GRAPH_API_VERSION}`;
  for (;;) {
    const body: Record<string, unknown> = {
      query: GRAPH_QUERY,
      options: { $top: GRAPH_PAGE_ROWS, resultFormat: 'objectArray', ...(skipToken ? { $skipToken: skipToken } : {}) },
    };
    // No subscriptions and no management groups: Resource Graph answers for every subscription the identity can
    // read, Lighthouse-delegated ones included (tenant scope).
    if (scope.kind === 'subscriptions') body.subscriptions = scope.subscriptionIds;
    if (scope.kind === 'managementGroup') body.managementGroups = [scope.managementGroupId];
    let res = await rest.send('POST', path, body);
    for (let retry = 0; res.status === 429 && retry < GRAPH_THROTTLE_RETRIES; retry++) {
      const wait = quotaWaitMs(res.header);
      stats.quotaWaits++;
      stats.quotaWaitedMs += wait;
      await sleep(wait);
      res = await rest.send('POST', path, body);
    }
    stats.graphPages++;
    if (res.status !== 200) throw restFailure('resourceGraph.resources', res.status, res.json);
    const page = res.json as GraphPage | undefined;
    if (!page || !Array.isArray(page.data)) {
      throw new CollectionError('malformed', 'arm resourceGraph.resources: the answer has no data array', {
        source: 'arm',
      });
    }
    for (const r of page.data) if (r && typeof r === 'object') rows.push(r as Row);
    delivered += typeof page.count === 'number' ? page.count : page.data.length;
    if (page.resultTruncated === true || page.resultTruncated === 'true') {
      truncated ??= 'returned a truncated result (resultTruncated)';
    }
    if (res.header('x-ms-tenant-subscription-limit-hit')?.trim().toLowerCase() === 'true') {
      truncated ??=
        'queried only the first 10,000 subscriptions of the scope (x-ms-tenant-subscription-limit-hit: true)';
    }
    skipToken = typeof page.$skipToken === 'string' && page.$skipToken !== '' ? page.$skipToken : undefined;
    if (!skipToken) {
      if (typeof page.totalRecords === 'number' && delivered < page.totalRecords) {
        truncated ??= `delivered ${delivered} of ${page.totalRecords} records (count < totalRecords)`;
      }
      return truncated ? { truncated } : {};
    }
    // The quota is spent: wait for its window to reset instead of drawing a 429 with the next page.
    const remaining = Number(res.header('x-ms-user-quota-remaining'));
    if (res.header('x-ms-user-quota-remaining') !== undefined && Number.isFinite(remaining) && remaining <= 0) {
      const wait = quotaWaitMs(res.header);
      stats.quotaWaits++;
      stats.quotaWaitedMs += wait;
      await sleep(wait);
    }
  }
}

/** GET /subscriptions, every page: what the identity can see, with each subscription's tenant. */
async function listSubscriptions(rest: ArmRest, stats: DiscoveryStats): Promise<DiscoveredSubscription[]> {
  const out: DiscoveredSubscription[] = [];
  let next: string | undefined = `/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`;
  for (let pages = 0; next; pages++) {
    if (pages >= SUBSCRIPTION_LIST_MAX_PAGES) {
      throw new CollectionError(
        'malformed',
        `arm subscriptions.list: still paging after ${SUBSCRIPTION_LIST_MAX_PAGES} pages (${out.length} subscriptions); the list is incomplete`,
        { source: 'arm' },
      );
    }
    const res = await rest.send('GET', next);
    stats.subscriptionListCalls++;
    if (res.status !== 200) throw restFailure('subscriptions.list', res.status, res.json);
    const body = res.json as { value?: unknown; nextLink?: unknown } | undefined;
    if (!body || !Array.isArray(body.value)) {
      throw new CollectionError('malformed', 'arm subscriptions.list: the answer has no value array', {
        source: 'arm',
      });
    }
    for (const v of body.value as Row[]) {
      const id = str(v?.subscriptionId);
      if (!id) continue;
      const s: DiscoveredSubscription = { subscriptionId: id };
      const tenantId = str(v.tenantId);
      if (tenantId) s.tenantId = tenantId;
      const name = str(v.displayName);
      if (name) s.displayName = name.slice(0, 200);
      const state = str(v.state);
      if (state) s.state = state;
      // Azure Lighthouse: the subscription lives in a customer tenant and names the tenants that manage it; our
      // own subscriptions name no managing tenant (or only their own).
      const managers = Array.isArray(v.managedByTenants)
        ? (v.managedByTenants as Row[]).map((t) => str(t?.tenantId)).filter((t): t is string => !!t)
        : [];
      if (tenantId && managers.some((t) => t.toLowerCase() !== tenantId.toLowerCase())) s.delegated = true;
      out.push(s);
    }
    next = str(body.nextLink);
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A Resource Graph private-cloud row → a target (the same mapping as the ARM listing's). */
export function graphRowToTarget(row: Row): Target {
  const props = (row.properties && typeof row.properties === 'object' ? row.properties : {}) as Row;
  const id = str(row.id);
  const subscriptionId = id ? /^\/subscriptions\/([^/]+)\//i.exec(id)?.[1] : undefined;
  if (!id || !subscriptionId) {
    throw new CollectionError('malformed', 'arm resourceGraph.resources: a private cloud row has no resource id', {
      source: 'arm',
    });
  }
  const pc = {
    id,
    name: str(row.name),
    location: str(row.location),
    provisioningState: str(props.provisioningState),
    endpoints: props.endpoints && typeof props.endpoints === 'object' ? props.endpoints : undefined,
  } as PrivateCloud;
  const t = privateCloudToTarget(pc, subscriptionId);
  const sku = str((row.sku as Row | undefined)?.name);
  if (sku) t.arm!.sku = sku;
  const tenantId = str(row.tenantId);
  if (tenantId) t.arm!.tenantId = tenantId;
  return t;
}

const INACTIVE_STATES = new Set(['disabled', 'deleted']);

export interface DiscoverDeps {
  armClients?: ArmClientFactory;
  rest?: ArmRest;
  /** Where the fallback and failure lines go (default: stderr). */
  log?: (line: string) => void;
  /** Waits for the Resource Graph quota; tests record the waits instead of sleeping. */
  sleep?: Sleep;
}

let restCache: { config: Config; rest: ArmRest } | undefined;

function scopeError(scope: string, call: string, err: unknown): DiscoveryError {
  const issue = armIssue(call, err);
  return {
    subscriptionId: '',
    scope,
    errorClass: issue.errorClass,
    message: `${scope}: ${issue.message}`,
    ...(issue.status ? { status: issue.status } : {}),
  };
}

/**
 * Every private cloud in HCXMON_DISCOVERY_SCOPE, then the configured connectors. Fail closed throughout: a
 * subscription the identity can see but not read is an error (its clouds' findings then turn stale, and the
 * scan reports it), a partial Resource Graph answer is completed by the per-subscription listing where the
 * subscriptions are known, and otherwise reported — a shrunken target set is never presented as complete.
 */
export async function discoverEstate(config: Config, deps: DiscoverDeps = {}): Promise<EstateDiscovery> {
  const scope: DiscoveryScope = config.discoveryScope ?? {
    kind: 'subscriptions',
    subscriptionIds: config.subscriptionIds,
  };
  const stats: DiscoveryStats = {
    path: 'none',
    graphPages: 0,
    subscriptionListCalls: 0,
    armListings: 0,
    quotaWaits: 0,
    quotaWaitedMs: 0,
  };
  const label = scopeLabel(scope);
  const log = deps.log ?? ((line: string) => console.error(line));
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const errors: DiscoveryError[] = [];
  const clouds: Target[] = [];
  const read = new Set<string>();
  let subscriptions: DiscoveredSubscription[] = [];
  if (scope.kind !== 'none') {
    if (!deps.rest && restCache?.config !== config) restCache = { config, rest: createArmRest(config) };
    const rest = deps.rest ?? restCache!.rest;

    // The tenant's subscription list is read while Resource Graph answers (neither needs the other's answer).
    const listing: Promise<{ list: DiscoveredSubscription[] } | { error: unknown }> | undefined =
      scope.kind === 'tenant'
        ? listSubscriptions(rest, stats).then(
            (list) => ({ list }),
            (error: unknown) => ({ error }),
          )
        : undefined;

    const rows: Row[] = [];
    let graphFailure: string | undefined;
    let graphFailureClass: DiscoveryError['errorClass'] = 'http';
    let graphFailureStatus: number | undefined;
    try {
      const graph = await queryGraph(rest, scope, stats, sleep, rows);
      if (graph.truncated) graphFailure = graph.truncated;
    } catch (err) {
      const issue = armIssue('resourceGraph.resources', err);
      graphFailure = `failed (${issue.message})`;
      graphFailureClass = issue.errorClass;
      graphFailureStatus = issue.status;
    }

    // The subscriptions Resource Graph's answer must account for: listed (tenant) or configured (subscriptions).
    // A management group's are whatever Resource Graph reads below it.
    let expected: DiscoveredSubscription[] | undefined;
    const subscriptionList = await listing;
    if (subscriptionList && 'list' in subscriptionList) {
      subscriptions = subscriptionList.list;
      expected = subscriptions.filter((s) => !INACTIVE_STATES.has((s.state ?? '').toLowerCase()));
    } else if (subscriptionList) {
      errors.push(scopeError(label, 'subscriptions.list', subscriptionList.error));
    } else if (scope.kind === 'subscriptions') {
      expected = scope.subscriptionIds.map((subscriptionId) => ({ subscriptionId }));
    }

    const readable = new Set<string>();
    for (const row of rows) {
      const type = str(row.type)?.toLowerCase();
      if (type === 'microsoft.resources/subscriptions') {
        const sub = str(row.subscriptionId);
        if (sub) readable.add(sub.toLowerCase());
      } else if (type === 'microsoft.avs/privateclouds') {
        try {
          clouds.push(graphRowToTarget(row));
        } catch (err) {
          errors.push(scopeError(label, 'resourceGraph.resources', err));
        }
      }
    }

    let toList: string[] = [];
    if (graphFailure === undefined) {
      stats.path = 'resource-graph';
      // Seen in the subscription list (or configured) but not readable by Resource Graph: the ARM listing says
      // why (a 403 becomes this subscription's discovery error) or finds what the index has not caught up with.
      // A subscription whose clouds Resource Graph did return is readable where they are (rights granted on their
      // resource groups only, HCXMON_AVS_RESOURCE_GROUP_IDS): listing it whole would only draw a 403.
      const withClouds = new Set(clouds.map((t) => t.arm!.subscriptionId.toLowerCase()));
      toList = (expected ?? [])
        .map((s) => s.subscriptionId)
        .filter((s) => !readable.has(s.toLowerCase()) && !withClouds.has(s.toLowerCase()));
    } else if (expected) {
      stats.path = 'arm';
      toList = expected.map((s) => s.subscriptionId);
      log(
        `discovery (${label}): Resource Graph ${graphFailure}; falling back to the per-subscription ARM listing (privateClouds.listInSubscription) of ${toList.length} subscription(s)`,
      );
    } else {
      stats.path = 'resource-graph';
      errors.push({
        subscriptionId: '',
        scope: label,
        // A 403 here is the identity's rights at the management group: the finding then says it cannot read it.
        errorClass: graphFailureClass,
        ...(graphFailureStatus !== undefined ? { status: graphFailureStatus } : {}),
        message: `${label}: Resource Graph ${graphFailure}; no subscription list to fall back on, so private clouds of this scope may be missing from this scan (their findings are kept and reported stale)`,
      });
      log(`discovery (${label}): Resource Graph ${graphFailure}; no per-subscription fallback for this scope`);
    }
    if (toList.length > 0) {
      stats.armListings += toList.length;
      const listed = await discoverTargets(
        { ...config, connectors: [] },
        { armClients: deps.armClients, subscriptionIds: toList },
      );
      clouds.push(...listed.targets);
      errors.push(...listed.errors);
      for (const s of listed.read ?? []) read.add(s);
    }
    // Resource Graph answered for these (their subscription row, or their clouds).
    for (const s of readable) read.add(s);
    for (const t of clouds) read.add(t.arm!.subscriptionId.toLowerCase());

    // A tenant or management group in which nothing at all could be read is a failure, not an empty estate.
    if ((scope.kind === 'tenant' || scope.kind === 'managementGroup') && read.size === 0) {
      if (!errors.some((e) => !e.subscriptionId)) {
        errors.push({
          subscriptionId: '',
          scope: label,
          errorClass: 'auth',
          message: `${label}: discovery read no subscription in this scope (the identity may lack read there, or the scope is wrong); private clouds of this scope may be missing from this scan (their findings are kept and reported stale)`,
        });
      }
      log(`discovery (${label}): no subscription of this scope was readable`);
    }

    // Label every cloud with its subscription's tenant (Lighthouse: the customer's) from the subscription list.
    const bySub = new Map(subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s]));
    for (const t of clouds) {
      const s = bySub.get(t.arm!.subscriptionId.toLowerCase());
      if (s?.tenantId) t.arm!.tenantId = s.tenantId;
      if (s?.delegated) t.arm!.delegated = true;
    }
  }

  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const t of [...clouds, ...connectorTargets(config)]) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    targets.push(t);
  }
  return { targets, errors, read: [...read].sort(), subscriptions, stats };
}
