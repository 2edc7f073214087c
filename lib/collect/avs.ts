/**
 * ARM discovery of AVS private clouds with @azure/arm-avs 4.0.0 (reference/avs-arm.md), plus the ARM facts of
 * one private cloud for its Inventory and the cloudadmin credentials for its HCX login.
 */
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { AzureVMwareSolutionAPI } from '@azure/arm-avs';
import type { Addon, AzureVMwareSolutionAPIOptionalParams, HcxEnterpriseSite, PrivateCloud } from '@azure/arm-avs';
import type { TokenCredential } from '@azure/core-auth';
import * as https from 'node:https';
import type { HttpClient, PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { Limiter } from '../pool';
import { sharedSecureContext } from './hcx/http';
import { DefaultAzureCredential } from '@azure/identity';
import { DEFAULTS, type Config } from '../config';
import type { ArmFacts, CollectionIssue, EnterpriseSite, ErrorClass, HcxAddon } from '../domain/inventory';
import { connectorTargetId, privateCloudTargetId, type Target } from '../domain/target';
import { CollectionError } from '../errors';
import type { Credentials } from './hcx/client';
import { classifyNetworkError } from './hcx/errors';
import { last4 } from './hcx/parse';

/** The part of the SDK client we use; tests may hand in anything with this shape. */
export type AvsClient = Pick<AzureVMwareSolutionAPI, 'privateClouds' | 'addons' | 'hcxEnterpriseSites'>;

/** Returns the (cached) client for a subscription. */
export type ArmClientFactory = (subscriptionId: string) => AvsClient;

export interface ArmClientOptions {
  /** Overrides the credential choice (tests). */
  credential?: TokenCredential;
  /** Replaces the SDK's HTTP client (unit tests serve canned responses without sockets). */
  httpClient?: HttpClient;
  /** SDK retry options (tests shorten the waits). */
  retryOptions?: AzureVMwareSolutionAPIOptionalParams['retryOptions'];
}

/** A bearer token obtained elsewhere (CI, the lab): handed out as is, whatever scope is asked for. */
export function staticTokenCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }) };
}

/**
 * SDK options for the configured ARM endpoint.
 *
 * Scope: the SDK asks the credential for `${endpoint}/.default`. With the public endpoint that is right and we
 * leave it alone. With a custom endpoint and a REAL credential (a sovereign cloud: management.usgovcloudapi.net,
 * …) the resource's own `/.default` is the audience Entra issues tokens for, so we state it explicitly rather
 * than rely on the SDK's derivation. With a static token the scope is never used (the token is handed out as
 * is), so we set nothing — that is what keeps the lab's `https://127.0.0.1:P` from being sent to Entra.
 */
export function armClientOptions(
  config: Config,
  credentialIsStatic: boolean,
  extra: ArmClientOptions = {},
): AzureVMwareSolutionAPIOptionalParams {
  const opts: AzureVMwareSolutionAPIOptionalParams = {};
  const custom = config.armEndpoint !== DEFAULTS.armEndpoint;
  if (custom) {
    opts.endpoint = config.armEndpoint;
    if (!credentialIsStatic) opts.credentialScopes = [`${config.armEndpoint}/.default`];
  }
  if (config.armCaFile) {
    let pem: string;
    try {
      pem = fs.readFileSync(config.armCaFile, 'utf8');
    } catch (err) {
      throw new CollectionError(
        'config',
        `HCXMON_ARM_CA_FILE: cannot read ${config.armCaFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          source: 'arm',
        },
      );
    }
    // `ca` replaces the default store; keep the public roots so a proxy or real ARM still verifies.
    opts.tlsOptions = { ca: [...tls.rootCertificates, pem].join('\n') };
  }
  if (extra.httpClient) opts.httpClient = extra.httpClient;
  if (extra.retryOptions) opts.retryOptions = extra.retryOptions;
  return opts;
}

/**
 * Limits on ARM traffic (documented in README "Reliability"): at most ARM_MAX_IN_FLIGHT requests in flight per
 * process (every ARM call goes to one host, so this is also the per-host cap), and a Retry-After longer than
 * ARM_RETRY_AFTER_CAP_MS is shortened to the cap before the SDK's retry policy reads it (the SDK has no cap of
 * its own). Both are counted in `armThrottleStats`.
 */
export const ARM_MAX_IN_FLIGHT = 16;
export const ARM_RETRY_AFTER_CAP_MS = 30_000;
export const armRequestLimiter = new Limiter(ARM_MAX_IN_FLIGHT);
export const armThrottleStats = { requests: 0, throttled: 0, retryAfterCapped: 0 };

const armAgents = new Map<string, https.Agent>();

/**
 * One keep-alive pool for all of ARM (one host), shared by the per-subscription clients: each client would
 * otherwise open its own connections, a TLS handshake each (435 for a 28-subscription, 700-cloud scan instead of
 * at most ARM_MAX_IN_FLIGHT). With a `ca` it also holds one TLS context, which a `ca` option would otherwise
 * re-parse (~150 roots) on every new connection.
 */
function sharedArmAgent(ca: string | undefined): https.Agent {
  let agent = armAgents.get(ca ?? '');
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, ...(ca ? { secureContext: sharedSecureContext([ca]) } : {}) });
    armAgents.set(ca ?? '', agent);
  }
  return agent;
}

/** The pipeline's AbortSignalLike as the AbortSignal the limiter takes (the SDK passes the caller's own through). */
function abortSignalOf(s: PipelineRequest['abortSignal']): AbortSignal | undefined {
  if (!s || s instanceof AbortSignal) return s;
  const c = new AbortController();
  if (s.aborted) c.abort();
  else s.addEventListener('abort', () => c.abort(), { once: true });
  return c.signal;
}

/**
 * Runs on every attempt (after the SDK's retry policies, next to the wire): takes a slot of the process-wide ARM
 * cap, sends through the shared ARM connection pool (unless a proxy agent is already set), and caps Retry-After.
 */
export function armLimitsPolicy(ca: string | undefined): PipelinePolicy {
  const agent = sharedArmAgent(ca);
  return {
    name: 'hcxmonArmLimits',
    sendRequest: async (req, next) => {
      if (!req.agent) req.agent = agent;
      // A caller that gives up (its target's budget) while waiting for a slot leaves the queue instead of sending.
      const res = await armRequestLimiter.run(() => next(req), abortSignalOf(req.abortSignal));
      armThrottleStats.requests++;
      if (res.status === 429 || res.status === 503) {
        const ra = res.headers.get('retry-after');
        if (ra !== undefined) {
          armThrottleStats.throttled++;
          const secs = Number(ra);
          const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(ra) - Date.now();
          if (Number.isFinite(ms) && ms > ARM_RETRY_AFTER_CAP_MS) {
            armThrottleStats.retryAfterCapped++;
            res.headers.set('retry-after', String(Math.round(ARM_RETRY_AFTER_CAP_MS / 1000)));
          }
        }
      }
      return res;
    },
  };
}

/**
 * Every ARM request goes to the configured ARM origin and nowhere else. ARM's answers are data: a `nextLink` (or
 * an operation URL) on another origin would otherwise be followed with the bearer token attached. Runs per call,
 * outside the retry policy, so a refused request never reaches a socket and is not retried.
 */
export function armOriginPolicy(armEndpoint: string): PipelinePolicy {
  const origin = new URL(armEndpoint).origin;
  return {
    name: 'hcxmonArmOrigin',
    sendRequest: async (req, next) => {
      let target: string;
      try {
        target = new URL(req.url).origin;
      } catch {
        target = 'an unparsable URL';
      }
      if (target !== origin) {
        throw new CollectionError(
          'malformed',
          `ARM sent a link to ${target.slice(0, 100)}, not to the configured ARM endpoint ${origin}; not followed (the ARM token is only sent to ${origin})`,
          { source: 'arm' },
        );
      }
      return next(req);
    },
  };
}

/** One client per subscription, built lazily and cached for the life of the factory. */
export function createArmClientFactory(config: Config, extra: ArmClientOptions = {}): ArmClientFactory {
  const cache = new Map<string, AvsClient>();
  let credential = extra.credential;
  const isStatic = !extra.credential && config.armAccessToken !== undefined;
  return (subscriptionId) => {
    let client = cache.get(subscriptionId);
    if (!client) {
      credential ??= config.armAccessToken
        ? staticTokenCredential(config.armAccessToken)
        : new DefaultAzureCredential();
      const options = armClientOptions(config, isStatic || !!extra.credential, extra);
      const ca = options.tlsOptions?.ca;
      options.additionalPolicies = [
        ...(options.additionalPolicies ?? []),
        { policy: armOriginPolicy(config.armEndpoint), position: 'perCall' },
        { policy: armLimitsPolicy(typeof ca === 'string' ? ca : undefined), position: 'perRetry' },
      ];
      client = new AzureVMwareSolutionAPI(credential, subscriptionId, options);
      cache.set(subscriptionId, client);
    }
    return client;
  };
}

/**
 * Class of an ARM failure. Messages built from it name the call, the status and the ARM error code only —
 * never the SDK's message, which may quote a response body (listAdminCredentials returns passwords).
 */
export function classifyArmError(err: unknown): { errorClass: ErrorClass; status?: number; code?: string } {
  if (err instanceof CollectionError) return { errorClass: err.errorClass, status: err.details.status };
  const e = err as { name?: string; statusCode?: number; code?: string };
  const code = typeof e?.code === 'string' && /^[A-Za-z0-9_.]+$/.test(e.code) ? e.code : undefined;
  if (e?.name === 'AbortError' || code === 'ABORT_ERR') return { errorClass: 'timeout', code };
  if (typeof e?.statusCode === 'number' && e.statusCode > 0) {
    return { errorClass: e.statusCode === 401 || e.statusCode === 403 ? 'auth' : 'http', status: e.statusCode, code };
  }
  if (code) return { errorClass: classifyNetworkError(err), code };
  return { errorClass: 'http' };
}

export function armIssue(call: string, err: unknown): CollectionIssue {
  const { errorClass, status, code } = classifyArmError(err);
  const detail = [status !== undefined ? `HTTP ${status}` : undefined, code].filter(Boolean).join(' ');
  const message =
    err instanceof CollectionError ? err.message : `arm ${call}: ${errorClass}${detail ? ` (${detail})` : ''}`;
  return { source: 'arm', call, errorClass, message, ...(status !== undefined ? { status } : {}) };
}

function armSignal(config: Config, abandoned?: AbortSignal): AbortSignal {
  // The SDK honours Retry-After without a cap; this bounds one ARM operation (all its pages and retries).
  const timeout = AbortSignal.timeout(Math.max(60_000, config.httpTimeoutMs * 4));
  return abandoned ? AbortSignal.any([timeout, abandoned]) : timeout;
}

/** ARM resource id → its resource group (`/subscriptions/s/resourceGroups/<rg>/…`). */
export function resourceGroupOf(id: string): string {
  const parts = id.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === 'resourcegroups');
  return i >= 0 && parts[i + 1] ? parts[i + 1] : '';
}

export function privateCloudToTarget(pc: PrivateCloud, subscriptionId: string): Target {
  if (!pc.id || !pc.name)
    throw new CollectionError('malformed', 'arm privateClouds: a private cloud has no id or name', { source: 'arm' });
  const t: Target = {
    id: privateCloudTargetId(pc.id),
    name: pc.name,
    kind: 'avs-private-cloud',
    arm: { subscriptionId, resourceGroup: resourceGroupOf(pc.id), privateCloudName: pc.name, location: pc.location },
  };
  if (pc.provisioningState) t.arm!.provisioningState = pc.provisioningState;
  if (pc.endpoints?.hcxCloudManager) t.hcxUrl = pc.endpoints.hcxCloudManager;
  return t;
}

export function connectorTargets(config: Config): Target[] {
  return config.connectors.map((c) => {
    const t: Target = {
      id: connectorTargetId(c.name),
      name: c.name,
      kind: 'hcx-connector',
      hcxUrl: c.url,
      connector: { username: c.username, passwordSetting: c.passwordSetting, adminUsername: c.adminUsername },
    };
    if (c.applianceUrl) t.applianceUrl = c.applianceUrl;
    if (c.adminPasswordSetting) t.connector!.adminPasswordSetting = c.adminPasswordSetting;
    if (c.caFile || c.certSha256) {
      t.trust = {};
      if (c.caFile) t.trust.caFile = c.caFile;
      if (c.certSha256) t.trust.certSha256 = c.certSha256;
    }
    return t;
  });
}

export interface DiscoveryError {
  /** The subscription that could not be listed; empty when the failure is the whole scope's (`scope` says which). */
  subscriptionId: string;
  /** A management group or the tenant whose discovery failed (HCXMON_DISCOVERY_SCOPE form). */
  scope?: string;
  errorClass: ErrorClass;
  message: string;
  status?: number;
}

export interface DiscoveryResult {
  targets: Target[];
  errors: DiscoveryError[];
  /**
   * Lower-case ids of the subscriptions this discovery actually read (listed with a 200, or answered for by Resource
   * Graph): only their discovery findings may be resolved.
   */
  read?: string[];
}

/**
 * Every private cloud of every configured subscription, then the configured connectors. Subscriptions are
 * listed in parallel; one that fails is reported in `errors` and does not hide the others.
 */
export async function discoverTargets(
  config: Config,
  // `subscriptionIds`: the subscriptions to list when they are not config's (Resource Graph's fallback, lib/collect/discovery.ts).
  deps: { armClients?: ArmClientFactory; subscriptionIds?: readonly string[] } = {},
): Promise<DiscoveryResult> {
  const errors: DiscoveryError[] = [];
  const read: string[] = [];
  const perSub = await Promise.all(
    (deps.subscriptionIds ?? config.subscriptionIds).map(async (subscriptionId) => {
      try {
        const client = (deps.armClients ?? defaultFactory(config))(subscriptionId);
        const out: Target[] = [];
        for await (const pc of client.privateClouds.listInSubscription({ abortSignal: armSignal(config) })) {
          out.push(privateCloudToTarget(pc, subscriptionId));
        }
        read.push(subscriptionId.toLowerCase());
        return out;
      } catch (err) {
        const issue = armIssue('privateClouds.listInSubscription', err);
        errors.push({
          subscriptionId,
          errorClass: issue.errorClass,
          message: `subscription ${subscriptionId}: ${issue.message}`,
          ...(issue.status ? { status: issue.status } : {}),
        });
        return [];
      }
    }),
  );
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const t of [...perSub.flat(), ...connectorTargets(config)]) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    targets.push(t);
  }
  return { targets, errors, read };
}

let factoryCache: { config: Config; factory: ArmClientFactory } | undefined;
function defaultFactory(config: Config): ArmClientFactory {
  if (factoryCache?.config !== config) factoryCache = { config, factory: createArmClientFactory(config) };
  return factoryCache.factory;
}

/** The ARM client a target's scan uses (one per subscription, shared). */
export function armClientFor(config: Config, target: Target, factory?: ArmClientFactory): AvsClient {
  if (!target.arm) throw new CollectionError('config', `${target.id}: not a private cloud`, { source: 'arm' });
  return (factory ?? defaultFactory(config))(target.arm.subscriptionId);
}

export function parseHcxAddon(addons: Addon[]): HcxAddon | null {
  const hcx = addons.find((a) => a.properties?.addonType === 'HCX' || a.name?.toLowerCase() === 'hcx');
  if (!hcx) return null;
  const props = (hcx.properties ?? {}) as { offer?: string; provisioningState?: string };
  const out: HcxAddon = {};
  if (props.offer !== undefined) out.offer = props.offer;
  if (props.provisioningState !== undefined) out.provisioningState = props.provisioningState;
  return out;
}

export function parseEnterpriseSites(sites: HcxEnterpriseSite[]): EnterpriseSite[] {
  return sites.map((s) => {
    const out: EnterpriseSite = { name: s.name ?? '' };
    const k = last4(s.activationKey);
    if (k) out.keyLast4 = k;
    if (s.status !== undefined) out.status = s.status;
    return out;
  });
}

async function listAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * ARM facts for one private cloud: the cloud itself (provisioning state, HCX URL), the HCX add-on and the HCX
 * enterprise sites. Each failing call leaves its field undefined and adds an issue; nothing throws.
 */
export async function collectArmFacts(
  config: Config,
  target: Target,
  client: AvsClient,
  abandoned?: AbortSignal,
): Promise<{ arm: ArmFacts; hcxUrl?: string; issues: CollectionIssue[] }> {
  const a = target.arm!;
  const issues: CollectionIssue[] = [];
  const arm: ArmFacts = {
    subscriptionId: a.subscriptionId,
    resourceGroup: a.resourceGroup,
    privateCloudName: a.privateCloudName,
  };
  if (a.location) arm.location = a.location;
  // Discovery's labels (Lighthouse: the customer's tenant) travel into the inventory, where the API shows them.
  if (a.sku) arm.sku = a.sku;
  if (a.tenantId) arm.tenantId = a.tenantId;
  if (a.delegated) arm.delegated = true;
  let hcxUrl = target.hcxUrl;
  // The discovery listing already carries every property of the cloud (ARM lists full resources): a target
  // discovered by this scan skips the per-cloud GET (a quarter of the ARM calls of a fleet scan).
  const fresh = a.provisioningState !== undefined && hcxUrl !== undefined;
  if (fresh) arm.provisioningState = a.provisioningState;
  const [pc, addons, sites] = await Promise.allSettled([
    fresh
      ? Promise.resolve(undefined)
      : client.privateClouds.get(a.resourceGroup, a.privateCloudName, { abortSignal: armSignal(config, abandoned) }),
    listAll(client.addons.list(a.resourceGroup, a.privateCloudName, { abortSignal: armSignal(config, abandoned) })),
    listAll(client.hcxEnterpriseSites.list(a.resourceGroup, a.privateCloudName, { abortSignal: armSignal(config, abandoned) })),
  ]);
  if (pc.status === 'fulfilled') {
    const cloud = pc.value;
    if (cloud?.location) arm.location = cloud.location;
    if (cloud?.provisioningState) arm.provisioningState = cloud.provisioningState;
    if (cloud?.endpoints?.hcxCloudManager) hcxUrl = cloud.endpoints.hcxCloudManager;
  } else issues.push(armIssue('privateCloud', pc.reason));
  if (hcxUrl) arm.hcxCloudManagerUrl = hcxUrl;
  if (addons.status === 'fulfilled') arm.hcxAddon = parseHcxAddon(addons.value);
  else issues.push(armIssue('addons', addons.reason));
  if (sites.status === 'fulfilled') arm.enterpriseSites = parseEnterpriseSites(sites.value);
  else issues.push(armIssue('enterpriseSites', sites.reason));
  return { arm, hcxUrl, issues };
}

/**
 * cloudadmin credentials for the cloud's HCX Manager (`listAdminCredentials`). The caller holds them for one
 * target's scan and drops them; they are never put on a Target, an Inventory, a log line or an error.
 */
export async function cloudAdminCredentials(
  config: Config,
  target: Target,
  client: AvsClient,
  abandoned?: AbortSignal,
): Promise<Credentials> {
  const a = target.arm!;
  const creds = await client.privateClouds.listAdminCredentials(a.resourceGroup, a.privateCloudName, {
    abortSignal: armSignal(config, abandoned),
  });
  if (!creds.vcenterUsername || !creds.vcenterPassword) {
    throw new CollectionError('malformed', 'arm listAdminCredentials: malformed (no vCenter credentials)', {
      source: 'arm',
      call: 'listAdminCredentials',
    });
  }
  return { username: creds.vcenterUsername, password: creds.vcenterPassword };
}
