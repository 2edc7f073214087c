import type {
  Appliance,
  HaGroup,
  HcxAlert,
  Licensing,
  ManagerInfo,
  Migration,
  NetworkExtension,
  Registration,
  ReplicationSummary,
  ServiceComponent,
  ServiceMesh,
  SitePair,
  TunnelMetric,
} from '../../domain/inventory';
import { CollectionError } from '../../errors';
import { collectionError } from './errors';
import type { HttpTransport, RawResponse, RequestSpec } from './http';
import * as p from './parse';
import { describeUrl } from './url';

export interface Credentials {
  username: string;
  password: string;
}

export const HCX_PATHS = {
  sessions: '/hybridity/api/sessions',
  support: '/hybridity/api/metainfo/context/support',
  cloudConfigs: '/hybridity/api/cloudConfigs',
  serviceMesh: '/hybridity/api/interconnect/serviceMesh',
  appliances: '/hybridity/api/interconnect/appliances',
  haGroups: '/hybridity/api/interconnect/appliances/ha/groups',
  l2Extensions: '/hybridity/api/l2Extensions',
  migrationsQuery: '/hybridity/api/migrations?action=query',
  replicationsQuery: '/hybridity/api/replications?action=query',
  alertsQuery: '/hybridity/api/alerts?action=query',
  interconnectMetrics: '/hybridity/api/metrics/interconnect',
} as const;

/** Items per metrics page we ask for (hcx-api.md §6.4 `paging.count`). */
const METRICS_PAGE_COUNT = 50;

export const APPLIANCE_PATHS = {
  licenses: '/api/admin/licenses',
  hcxConfig: '/api/admin/global/config/hcx',
  activationStatus: '/license/hcx/activationStatus',
  vcenter: '/api/admin/global/config/vcenter',
  nsx: '/api/admin/global/config/nsx',
  lookupservice: '/api/admin/global/config/lookupservice',
  appengine: '/components/appengine/status',
} as const;

/** Status → error for a response that is not 2xx. Never includes the body (it may echo a credential). */
function statusError(res: RawResponse, source: 'hcx' | 'appliance', spec: RequestSpec, url: URL): CollectionError {
  const cls = res.status === 401 || res.status === 403 ? 'auth' : 'http';
  return collectionError(cls, source, spec.call, `${spec.method} ${describeUrl(url)}: HTTP ${res.status}`, res.status);
}

/**
 * The hybridity API (port 443): session login, then read calls with `x-hm-authorization`. A 401/403 on a call
 * triggers one re-login and one retry of that call; concurrent calls that hit the same expired token share a
 * single re-login.
 */
export class HybridityClient {
  private token?: string;
  private loginInFlight?: Promise<string>;
  /** Logins performed (the first one included). */
  logins = 0;

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: Credentials,
  ) {}

  async login(): Promise<void> {
    await this.freshToken(undefined);
  }

  private freshToken(stale: string | undefined): Promise<string> {
    if (this.token !== undefined && this.token !== stale) return Promise.resolve(this.token);
    if (!this.loginInFlight) {
      this.loginInFlight = this.doLogin().finally(() => (this.loginInFlight = undefined));
    }
    return this.loginInFlight;
  }

  private async doLogin(): Promise<string> {
    const spec: RequestSpec = {
      method: 'POST',
      path: HCX_PATHS.sessions,
      call: 'login',
      json: { username: this.credentials.username, password: this.credentials.password },
    };
    this.logins++;
    const res = await this.transport.request(spec);
    if (res.status !== 200 && res.status !== 202) {
      // A refused login (4xx) is an authentication failure from the operator's point of view; a server error
      // (e.g. SSO not ready yet) stays `http`.
      const cls = res.status >= 400 && res.status < 500 ? 'auth' : 'http';
      throw collectionError(cls, 'hcx', 'login', `POST ${describeUrl(this.transport.url(spec.path))}: HTTP ${res.status}`, res.status);
    }
    const raw = res.headers['x-hm-authorization'];
    const tok = Array.isArray(raw) ? raw[0] : raw;
    if (!tok) throw collectionError('auth', 'hcx', 'login', 'no x-hm-authorization header in the login response', res.status);
    this.token = tok;
    return tok;
  }

  /** GET/POST a JSON resource, with one re-login on 401/403. */
  async json(spec: RequestSpec): Promise<unknown> {
    let token = await this.freshToken(undefined);
    let res = await this.transport.request({ ...spec, headers: { ...spec.headers, 'x-hm-authorization': token } });
    if (res.status === 401 || res.status === 403) {
      token = await this.freshToken(token);
      res = await this.transport.request({ ...spec, headers: { ...spec.headers, 'x-hm-authorization': token } });
    }
    if (res.status < 200 || res.status >= 300) throw statusError(res, 'hcx', spec, this.transport.url(spec.path));
    return p.parseJsonBody(res.body, spec.call);
  }

  async version(): Promise<ManagerInfo> {
    return p.parseSupportContext(await this.json({ method: 'GET', path: HCX_PATHS.support, call: 'manager' }));
  }

  async sitePairs(): Promise<SitePair[]> {
    return p.parseCloudConfigs(await this.json({ method: 'GET', path: HCX_PATHS.cloudConfigs, call: 'sitePairs' }));
  }

  async serviceMeshes(): Promise<ServiceMesh[]> {
    return p.parseServiceMeshes(await this.json({ method: 'GET', path: HCX_PATHS.serviceMesh, call: 'serviceMeshes' }));
  }

  async appliances(): Promise<Appliance[]> {
    return p.parseAppliances(await this.json({ method: 'GET', path: HCX_PATHS.appliances, call: 'appliances' }));
  }

  async haGroups(serviceMeshId: string): Promise<HaGroup[]> {
    const path = `${HCX_PATHS.haGroups}?serviceMeshId=${encodeURIComponent(serviceMeshId)}`;
    return p.parseHaGroups(await this.json({ method: 'GET', path, call: 'haGroups' }), serviceMeshId);
  }

  async extensions(): Promise<NetworkExtension[]> {
    return p.parseL2Extensions(await this.json({ method: 'GET', path: HCX_PATHS.l2Extensions, call: 'extensions' }));
  }

  /**
   * Follows `paging` when the server pages the legacy query, bounded so a looping server cannot hang a scan. A list
   * that ends short of `totalSize` (the page cap, or an empty page) is an error, never a partial list read as the
   * whole: a missing row could be the migration in progress.
   */
  async migrations(maxPages = 50): Promise<Migration[]> {
    const call = 'migrations';
    const first = await this.json({ method: 'POST', path: HCX_PATHS.migrationsQuery, call, json: {} });
    const out = p.parseMigrations(first, call);
    let paging = p.migrationPaging(first);
    for (let page = 1; paging.totalSize !== undefined && out.length < paging.totalSize; page++) {
      const incomplete = `the list was incomplete: ${out.length} of ${paging.totalSize} rows`;
      if (page >= maxPages) throw p.malformed(call, `${incomplete} after the cap of ${maxPages} pages`);
      const pageSize = paging.pageSize ?? out.length;
      if (pageSize <= 0) throw p.malformed(call, `${incomplete}, and no page size to ask for the rest`);
      const next = await this.json({ method: 'POST', path: HCX_PATHS.migrationsQuery, call, json: { paging: { offset: out.length, pageSize } } });
      const rows = p.parseMigrations(next, call);
      if (rows.length === 0) throw p.malformed(call, `${incomplete}, then an empty page`);
      out.push(...rows);
      paging = p.migrationPaging(next);
    }
    return out;
  }

  /**
   * Tunnel metrics of the appliances of these meshes (hcx-api.md §6.4), every page: the next page is asked for by
   * sending the server's `paging.next` cursor back (the reference gives the cursor, not how it is returned;
   * inferred). Still paging at the cap is an error, never a partial list: an appliance missing from the list
   * reads as "not reported". No meshes: no interconnect appliances to ask about (and an empty filter could mean
   * "all").
   */
  async tunnelMetrics(serviceMeshIds: string[], maxPages = 20): Promise<TunnelMetric[]> {
    const call = 'tunnelMetrics';
    if (serviceMeshIds.length === 0) return [];
    const items: unknown[] = [];
    let next: string | undefined;
    for (let page = 0; page === 0 || next !== undefined; page++) {
      if (page >= maxPages) throw p.malformed(call, `the list was incomplete: still paging after the cap of ${maxPages} pages`);
      const paging = next === undefined ? { count: METRICS_PAGE_COUNT } : { count: METRICS_PAGE_COUNT, next };
      const body = await this.json({ method: 'POST', path: HCX_PATHS.interconnectMetrics, call, json: { filter: { serviceMeshIds }, paging } });
      items.push(...p.listOf(body, call));
      next = p.metricsNextPage(body);
    }
    return p.parseInterconnectMetrics({ items }, call);
  }

  async replicationSummary(): Promise<ReplicationSummary> {
    const body = await this.json({ method: 'POST', path: HCX_PATHS.replicationsQuery, call: 'replicationSummary', json: { type: 'summary' } });
    return p.parseReplicationSummary(body);
  }

  async alerts(): Promise<HcxAlert[]> {
    return p.parseHcxAlerts(await this.json({ method: 'POST', path: HCX_PATHS.alertsQuery, call: 'hcxAlerts', json: {} }));
  }
}

/** The appliance-management API (port 9443): HTTP Basic as the local `admin` on every request. */
export class ApplianceClient {
  private readonly authHeader: string;

  constructor(
    private readonly transport: HttpTransport,
    credentials: Credentials,
  ) {
    this.authHeader = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }

  /** Returns `undefined` on 404 (the call does not exist on this build). */
  async json(spec: RequestSpec, allow404 = false): Promise<unknown> {
    const res = await this.transport.request({ ...spec, headers: { ...spec.headers, Authorization: this.authHeader } });
    if (allow404 && res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw statusError(res, 'appliance', spec, this.transport.url(spec.path));
    return p.parseJsonBody(res.body, spec.call, 'appliance');
  }

  /**
   * Licensing: the 4.11+ licence API first; a 404 there (older builds) or an empty list falls back to the legacy
   * activation config. The activation status is extra detail; its failure does not hide the model.
   */
  async licensing(): Promise<{ licensing: Licensing; statusError?: CollectionError }> {
    const call = 'licensing';
    const licBody = await this.json({ method: 'GET', path: APPLIANCE_PATHS.licenses, call }, true);
    const licenses = licBody === undefined ? undefined : p.parseLicenses(licBody, call);
    const activationBody = await this.json({ method: 'GET', path: APPLIANCE_PATHS.hcxConfig, call }, true);
    const activation = activationBody === undefined ? undefined : p.parseActivationConfig(activationBody, call);
    if (licenses === undefined && activation === undefined) {
      throw collectionError('http', 'appliance', call, 'neither the licence API nor the activation config exists (HTTP 404)', 404);
    }
    let status: ReturnType<typeof p.parseActivationStatus> | undefined;
    let statusError: CollectionError | undefined;
    try {
      const body = await this.json({ method: 'GET', path: APPLIANCE_PATHS.activationStatus, call: 'licensing.activationStatus' }, true);
      status = body === undefined ? undefined : p.parseActivationStatus(body, 'licensing.activationStatus');
    } catch (err) {
      if (!(err instanceof CollectionError)) throw err;
      statusError = err;
    }
    return { licensing: p.decideLicensing({ licenses, activation, status }), statusError };
  }

  async registrations(): Promise<{ vcenter: Registration[]; nsx: Registration[]; lookupService: Registration[] }> {
    const call = 'registrations';
    const vcenter = p.parseRegistrations(await this.json({ method: 'GET', path: APPLIANCE_PATHS.vcenter, call }), call);
    const nsx = p.parseRegistrations(await this.json({ method: 'GET', path: APPLIANCE_PATHS.nsx, call }), call);
    const lookupService = p.parseLookupService(await this.json({ method: 'GET', path: APPLIANCE_PATHS.lookupservice, call }), call);
    return { vcenter, nsx, lookupService };
  }

  async services(): Promise<ServiceComponent[]> {
    const body = await this.json({ method: 'GET', path: APPLIANCE_PATHS.appengine, call: 'services' });
    return [p.parseComponentStatus(body, 'appengine')];
  }
}
