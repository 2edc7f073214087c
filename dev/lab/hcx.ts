import { onVersionRead } from './upgrade';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { record, type LabContext } from './context';
import { parseJson, readBody, sendJson, sendRaw, versionParts } from './http';
import type {
  LabAppliance,
  LabApplianceMgmt,
  LabManagerState,
  LabMigration,
  LabRegistration,
  LabRequestRecord,
} from './types';

/**
 * The fake HCX Manager: every manager's hybridity API under `/hcx/<managerId>/hybridity/api/...` and every
 * connector's appliance-management (9443) API under `/appliance/<managerId>/...`, rendered from LabManagerState
 * with the wire shapes of hcx-api.md. Where the reference leaves a field open, the choice is documented in
 * dev/lab/README.md (and at the render function).
 */

type Served = 'hcx' | 'appliance';

export function createHcxHandler(ctx: LabContext, serves: Served[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(ctx, serves, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ text: `lab error: ${(err as Error).message}` }] });
      else res.destroy();
    });
  };
}

async function handle(ctx: LabContext, serves: Served[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://lab.invalid');
  const method = req.method ?? 'GET';
  const m = /^\/(hcx|appliance)\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const kind = m?.[1] as Served | undefined;
  const managerId = m ? decodeURIComponent(m[2]) : undefined;
  const sub = m?.[3] ?? '/';
  const manager = managerId ? ctx.managers.get(managerId) : undefined;
  const server: LabRequestRecord['server'] = kind === 'appliance' ? 'appliance' : 'hcx';
  // Concurrency per endpoint, as the server sees it: what a client's connection limit promises.
  const key = `${server}/${managerId ?? ''}`;
  const inFlight = (ctx.open.get(key) ?? 0) + 1;
  ctx.open.set(key, inFlight);
  res.once('close', () => {
    ctx.open.set(key, (ctx.open.get(key) ?? 1) - 1);
    record(ctx, server, managerId, method, url.pathname + url.search, res.headersSent ? res.statusCode : 0, inFlight);
  });

  if (!kind || !serves.includes(kind) || !manager || (kind === 'appliance' && !manager.applianceMgmt)) {
    await readBody(req).catch(() => '');
    sendJson(res, 404, { errors: [{ text: 'Not Found' }] });
    return;
  }
  const f = manager.faults;
  // A manager switched to unreachable at run time: the port is shared, so drop the connection instead.
  if ((kind === 'hcx' && f.unreachable) || (kind === 'appliance' && f.applianceUnreachable)) {
    req.socket.destroy();
    return;
  }
  const body = await readBody(req);
  if (f.latencyMs) await ctx.delay(f.latencyMs);
  if (res.destroyed) return;
  if (f.stallOnPath && sub.includes(f.stallOnPath)) return void (await new Promise((r) => res.once('close', r)));

  if (f.throttle && (!f.throttle.onPath || sub.includes(f.throttle.onPath))) {
    const left = ctx.throttleLeft.get(manager.id) ?? 0;
    if (left > 0) {
      ctx.throttleLeft.set(manager.id, left - 1);
      sendJson(
        res,
        429,
        { errors: [{ text: 'Too Many Requests' }] },
        { 'retry-after': String(f.throttle.retryAfterSeconds) },
      );
      return;
    }
  }
  if (f.http5xxOnPath && sub.includes(f.http5xxOnPath)) {
    sendJson(res, f.http5xxStatus ?? 500, { errors: [{ text: 'Internal Server Error' }] });
    return;
  }
  if (kind === 'hcx') hybridity(ctx, manager, method, sub, url.searchParams, body, req, res);
  else applianceMgmt(manager, manager.applianceMgmt as LabApplianceMgmt, method, sub, req, res);
}

// --------------------------------------------------------------------------------------------------------------
// Hybridity API (port 443)
// --------------------------------------------------------------------------------------------------------------

function envelope<T>(data: T): Record<string, unknown> {
  return { success: true, completed: true, time: Date.now(), version: '1.0', data };
}

function malformed(manager: LabManagerState, sub: string, res: ServerResponse): boolean {
  const p = manager.faults.malformedJsonOnPath;
  if (p && sub.includes(p)) {
    sendRaw(res, 200, '{"items": [');
    return true;
  }
  return false;
}

function hybridity(
  ctx: LabContext,
  manager: LabManagerState,
  method: string,
  sub: string,
  query: URLSearchParams,
  bodyText: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const path = sub.replace(/\/+$/, '');
  const body = parseJson(bodyText);

  if (path === '/hybridity/api/sessions' && method === 'POST') {
    const creds = body as { username?: unknown; password?: unknown } | undefined;
    if (body instanceof Error || !creds || typeof creds !== 'object') {
      sendJson(res, 400, { errors: [{ text: 'request body must be JSON {username,password}' }] });
      return;
    }
    if (creds.username !== manager.username || creds.password !== manager.password) {
      // The real status is undocumented (hcx-api.md §3.1); the lab answers 401 like S2's "Login failure".
      sendJson(res, 401, { errors: [{ error: 'Login failure', text: 'Authentication failed' }] });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    ctx.sessions.set(token, { managerId: manager.id, calls: 0 });
    if (malformed(manager, sub, res)) return;
    sendJson(res, 200, {}, { 'x-hm-authorization': token });
    return;
  }

  const token = req.headers['x-hm-authorization'];
  const session = typeof token === 'string' ? ctx.sessions.get(token) : undefined;
  if (!session || session.managerId !== manager.id) {
    sendJson(res, 401, { errors: [{ text: 'Unauthorized' }] });
    return;
  }
  const limit = manager.faults.tokenExpiryAfterCalls;
  // One expiry per arming, as a real session timeout would: the re-login's session lasts, so a client that
  // re-logs in once recovers whatever its calls' interleaving (a fresh session expiring too would make the outcome
  // depend on how many concurrent calls reach the second limit first).
  if (limit !== undefined && ctx.sessionExpiryArmed.has(manager.id) && session.calls >= limit) {
    ctx.sessionExpiryArmed.delete(manager.id);
    ctx.sessions.delete(token as string);
    sendJson(res, 401, { errors: [{ text: 'session expired' }] });
    return;
  }
  session.calls++;
  if (malformed(manager, sub, res)) return;

  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /hybridity/api/metainfo/context/support':
      onVersionRead(manager);
      sendJson(res, 200, envelope({ localEndpoints: [{ endpoint: localEndpoint(manager) }] }));
      return;
    case 'GET /hybridity/api/cloudConfigs':
      sendJson(res, 200, envelope({ items: cloudConfigs(ctx, manager) }));
      return;
    case 'GET /hybridity/api/interconnect/serviceMesh':
      sendJson(res, 200, { items: manager.serviceMeshes.map((s) => renderMesh(manager, s)) });
      return;
    case 'GET /hybridity/api/interconnect/appliances':
      sendJson(res, 200, { items: manager.appliances.map((a) => renderAppliance(manager, a)) });
      return;
    case 'GET /hybridity/api/interconnect/appliances/ha/groups': {
      const meshId = query.get('serviceMeshId');
      const groups = manager.haGroups.filter((g) => !meshId || g.serviceMeshId === meshId);
      sendJson(res, 200, { items: groups.map(renderHaGroup) });
      return;
    }
    case 'GET /hybridity/api/l2Extensions':
      sendJson(res, 200, { items: manager.extensions.map((e) => renderExtension(manager, e)) });
      return;
    case 'POST /hybridity/api/migrations': {
      if (query.get('action') !== 'query') break;
      if (body instanceof Error) {
        sendJson(res, 400, { errors: [{ text: 'invalid JSON' }] });
        return;
      }
      sendJson(res, 200, migrationQuery(manager, body));
      return;
    }
    case 'POST /hybridity/api/metrics/interconnect': {
      if (manager.metricsUnsupported) break;
      const answer = interconnectMetrics(manager, body);
      if (answer instanceof Error) {
        sendJson(res, 400, { errors: [{ text: answer.message }] });
        return;
      }
      sendJson(res, 200, answer);
      return;
    }
    case 'POST /hybridity/api/replications': {
      if (query.get('action') !== 'query') break;
      if (body instanceof Error || (body as { type?: unknown } | undefined)?.type !== 'summary') {
        sendJson(res, 400, { errors: [{ text: 'only {"type":"summary"} is supported' }] });
        return;
      }
      sendJson(res, 200, manager.replicationSummary);
      return;
    }
    case 'POST /hybridity/api/alerts': {
      if (query.get('action') !== 'query' || manager.alerts === undefined) break;
      sendJson(res, 200, { items: manager.alerts });
      return;
    }
  }
  sendJson(res, 404, { errors: [{ text: `No handler for ${method} ${path}` }] });
}

function localEndpoint(m: LabManagerState): Record<string, unknown> {
  return {
    endpointId: m.endpointId,
    name: m.name,
    version: m.version,
    buildNumber: m.build,
    // Opaque in the reference; the lab says which side it is.
    cloudType: m.role === 'cloud' ? 'hcx-cloud' : 'hcx-enterprise',
  };
}

function cloudConfigs(ctx: LabContext, m: LabManagerState): Record<string, unknown>[] {
  return m.sitePairs.map((p) => {
    const remote = p.remoteManagerId ? ctx.managers.get(p.remoteManagerId) : undefined;
    const item: Record<string, unknown> = {
      endpointId: remote?.endpointId ?? p.endpointId,
      cloudName: remote?.name ?? p.cloudName,
      name: remote?.name ?? p.cloudName,
      cloudType: p.cloudType ?? (remote?.role === 'connector' ? 'hcx-enterprise' : 'hcx-cloud'),
      // cloudConfigs urls carry no trailing slash (hcx-api.md §5.1, S4).
      url: (remote ? ctx.hcxUrl(remote.id) : (p.url ?? '')).replace(/\/+$/, ''),
      username: p.username ?? remote?.username ?? 'cloudadmin@vsphere.local',
      version: p.version ?? remote?.version,
      buildNumber: remote?.build ?? p.build,
    };
    if (p.status !== undefined) item.status = p.status;
    if (p.error !== undefined) item.error = p.error;
    return item;
  });
}

function renderMesh(m: LabManagerState, s: LabManagerState['serviceMeshes'][number]): Record<string, unknown> {
  const local = {
    endpointId: m.endpointId,
    endpointName: m.name,
    computeProfileId: `cp-${m.id}`,
    computeProfileName: `cp-${m.name}`,
  };
  const remote = {
    endpointId: s.remoteEndpointId,
    endpointName: s.remoteEndpointName,
    computeProfileId: `cp-${s.remoteEndpointId.slice(-12)}`,
    computeProfileName: `cp-${s.remoteEndpointName}`,
  };
  const mesh: Record<string, unknown> = {
    serviceMeshId: s.serviceMeshId,
    name: s.name,
    isLocalMesh: false,
    state: s.state,
    updateAvailable: s.updateAvailable ?? false,
    backingApplianceType: 'PHOTON',
    computeProfiles: [
      { ...local, isInitiator: s.isInitiator },
      { ...remote, isInitiator: !s.isInitiator },
    ],
    services: s.services.map((name) => ({ name })),
    switchPairCount: [
      {
        switches: [
          {
            cmpId: m.endpointId.slice(-36),
            id: 'dvs-35',
            name: 'DSwitch',
            type: 'VmwareDistributedVirtualSwitch',
            maxMtu: 1500,
          },
          {
            cmpId: s.remoteEndpointId.slice(-36),
            id: 'tz-overlay',
            name: 'TNT-OVERLAY-TZ',
            type: 'NsxtTransportZone',
            maxMtu: 1500,
          },
        ],
        l2cApplianceCount: s.neApplianceCount,
      },
    ],
    trafficEnggCfg: { isAppPathResiliencyEnabled: false, isTcpFlowConditioningEnabled: false },
    lastTaskDetails: {
      interconnectTaskId: `task-${s.serviceMeshId}`,
      type: s.lastTask?.type ?? 'updateServiceMesh',
      status: s.lastTask?.status ?? 'SUCCESS',
    },
    status: {
      timestamp: Date.now(),
      services: s.services.map((name) => ({
        serviceName: name,
        status: s.serviceStatuses?.[name] ?? 'UP',
        reason: [],
      })),
    },
  };
  if (s.services.includes('WANOPT')) mesh.wanoptConfig = { uplinkMaxBandwidth: 10000 };
  return mesh;
}

function renderAppliance(m: LabManagerState, a: LabManagerState['appliances'][number]): Record<string, unknown> {
  const v = versionParts(a.version);
  const up = a.tunnelActive >= a.tunnelTotal;
  return {
    applianceId: a.applianceId,
    applianceType: a.applianceType,
    applianceName: a.applianceName,
    ...(a.serviceMeshId !== undefined ? { serviceMeshId: a.serviceMeshId } : {}),
    computeProfileId: `cp-${m.id}`,
    endpointId: m.endpointId,
    isInitiator: m.role === 'connector',
    applianceStatus: { state: a.state, detailedMessage: '' },
    applianceVersion: { major: v.major, minor: v.minor, patch: v.patch, revision: 0, build: a.build },
    networkExtensionCount: a.networkExtensionCount,
    // Tunnel counts: the metrics summary's field names (hcx-api.md §6.4) placed on the appliance item.
    status: {
      summary: {
        overallStatus: a.state,
        encryptionTunnelSummary: {
          totalTunnelCount: a.tunnelTotal,
          totalActiveTunnelCount: a.tunnelActive,
          aggregatedTunnelStatus: up ? 'UP' : 'DOWN',
        },
        reasons: [],
      },
    },
    // PowerCLI HCXInterconnectAppliance names (hcx-api.md §6.3, §15).
    tunnelStatus: up ? 'UP' : 'DOWN',
    updateAvailable: a.updateAvailable,
    ...(a.availableVersion ? { availableVersion: a.availableVersion } : {}),
  };
}

function renderHaGroup(g: LabManagerState['haGroups'][number]): Record<string, unknown> {
  return {
    groupId: g.groupId,
    name: g.name,
    serviceMeshId: g.serviceMeshId,
    groupType: 'NETWORK_EXTENSION',
    groupMembers: g.members.map((mb) => ({
      applianceId: mb.applianceId,
      applianceName: mb.applianceName,
      role: mb.role,
    })),
    policyInfo: { policy: 'NO_PREEMPTION' },
    status: {
      groupState: g.groupState,
      statusMessage: g.statusMessage ?? '',
      availabilityState: g.availabilityState,
      availabilityDescription: '',
    },
    dvsId: 'dvs-35',
    dvsName: 'DSwitch',
    networkExtensionCount: 0,
    networkStretchCapacity: 8,
  };
}

function renderExtension(m: LabManagerState, e: LabManagerState['extensions'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    stretchId: e.stretchId,
    operationStatus: { state: e.state },
    sourceNetwork: {
      networkId: `dvportgroup-${e.stretchId.slice(-4)}`,
      networkName: e.networkName,
      networkType: 'DistributedVirtualPortgroup',
      dvsId: 'dvs-35',
      dvsName: 'DSwitch',
    },
    sourceAppliance: { applianceId: e.applianceId, applianceName: e.applianceName, applianceType: 'HCX-NET-EXT' },
    source: { endpointId: m.endpointId },
    gateway: '10.10.10.1',
    netmask: '255.255.255.0',
    features: { egressOptimization: false, mobilityOptimizedNetworking: false },
    creationDate: e.creationDate,
  };
  if (e.haGroupId) {
    const g = m.haGroups.find((x) => x.groupId === e.haGroupId);
    out.haConfig = { haGroupId: e.haGroupId, haGroupName: g?.name };
  }
  return out;
}

function renderMigration(mg: LabMigration): Record<string, unknown> {
  return {
    migrationId: mg.migrationId,
    jobInfo: {
      state: mg.state,
      username: 'administrator@vsphere.local',
      creationDate: '2026-01-05T09:00:00.000Z',
      lastUpdated: '2026-01-05T09:30:00.000Z',
    },
    migrationInfo: {
      entityDetails: { entityId: `vm-${mg.migrationId.slice(-4)}`, entityName: mg.entityName },
      progressDetails: { progressPercentage: mg.progressPercentage ?? (mg.state === 'MIGRATED' ? 100 : 0) },
      migrationType: mg.migrationType,
      message: '',
    },
  };
}

const TERMINAL_MIGRATION_STATES = ['MIGRATED', 'MIGRATE_FAILED', 'MIGRATE_CANCELED'];

/** A row of the newer query API (hcx-api.md §8.4): top-level state and entity, the `progress` flags. */
function renderCurrentMigration(mg: LabMigration): Record<string, unknown> {
  const isDone = mg.isDone ?? TERMINAL_MIGRATION_STATES.includes(mg.state);
  const entity = {
    entityId: `vm-${mg.migrationId.slice(-4)}`,
    entityType: 'VirtualMachine',
    entityName: mg.entityName,
  };
  return {
    id: `job-${mg.migrationId}`,
    migrationId: mg.migrationId,
    migrationType: mg.migrationType,
    state: mg.state,
    username: 'administrator@vsphere.local',
    creationDate: Date.parse('2026-01-05T09:00:00.000Z'),
    lastUpdated: Date.parse('2026-01-05T09:30:00.000Z'),
    entityId: entity.entityId,
    entityType: entity.entityType,
    entity,
    progress: {
      message: '',
      ...(mg.draftState !== undefined ? { draftState: mg.draftState } : {}),
      isCancelled: mg.isCancelled ?? mg.state === 'MIGRATE_CANCELED',
      isDone,
      didFail: mg.state === 'MIGRATE_FAILED',
      state: {
        status: mg.state,
        isWaitingForMaintWindow: mg.waitingForMaintWindow ?? false,
        isDone,
      },
    },
  };
}

/**
 * `POST …/migrations?action=query`: a filtered query answers legacy `items`; an unfiltered one the manager's
 * variant. Pages of `paging.pageSize` (or the manager's `migrationPageSize`) from `paging.offset`;
 * `migrationPhantomRows` inflates `totalSize`.
 */
function migrationQuery(manager: LabManagerState, body: unknown): Record<string, unknown> {
  const q = (body ?? {}) as { filter?: { migrationId?: string[] }; paging?: { pageSize?: number; offset?: number } };
  const ids = q.filter?.migrationId;
  const all = manager.migrations.filter((mg) => !ids || ids.includes(mg.migrationId));
  const offset = q.paging?.offset ?? 0;
  const pageSize = q.paging?.pageSize ?? manager.migrationPageSize ?? all.length;
  const page = all.slice(offset, offset + pageSize);
  const paging = { totalSize: all.length + (manager.faults.migrationPhantomRows ?? 0), offset, pageSize };
  const variant = q.filter !== undefined ? 'items' : manager.migrationQueryVariant;
  if (variant === 'current') return { data: { items: page.map(renderCurrentMigration) }, paging };
  return { [variant]: page.map(renderMigration), paging };
}

/**
 * `POST …/metrics/interconnect` (hcx-api.md §6.4): one sample per reported appliance of the requested meshes
 * (`filter.serviceMeshIds`; none = every appliance with a mesh). Pages of the manager's `metricsPageSize` (or
 * the request's `paging.count`), chained by an opaque `paging.next` the client sends back in `paging.next`.
 */
function interconnectMetrics(manager: LabManagerState, body: unknown): Record<string, unknown> | Error {
  if (body instanceof Error) return new Error('invalid JSON');
  const q = (body ?? {}) as { filter?: { serviceMeshIds?: string[] }; paging?: { count?: number; next?: string } };
  const meshIds = q.filter?.serviceMeshIds;
  const reported = manager.appliances.filter(
    (a) =>
      a.metricsReported !== false && a.serviceMeshId !== undefined && (!meshIds || meshIds.includes(a.serviceMeshId)),
  );
  let offset = 0;
  if (q.paging?.next !== undefined) {
    const cursor = /^page-(\d+)$/.exec(q.paging.next);
    if (!cursor) return new Error('unknown paging.next');
    offset = Number(cursor[1]);
  }
  const count = Math.max(1, manager.metricsPageSize ?? q.paging?.count ?? reported.length);
  const items = reported.slice(offset, offset + count).map((a) => renderMetrics(a));
  const more = offset + count < reported.length;
  const next = more || manager.faults.metricsEndlessPaging ? `page-${more ? offset + count : offset}` : undefined;
  return { paging: { count: items.length, ...(next ? { next } : {}) }, items };
}

/** A metrics sample: camelCase summary, PascalCase agent `statistics` (one Tunnels entry per tunnel), as in §6.4. */
function renderMetrics(a: LabAppliance): Record<string, unknown> {
  const up = a.tunnelActive >= a.tunnelTotal;
  const status = (n: number, active: number): string => (active >= n ? 'UP' : active === 0 ? 'DOWN' : 'DEGRADED');
  // Split the appliance's tunnels between the transport (uplink) and the encryption summary; the sums stay exact.
  const transportTotal = Math.ceil(a.tunnelTotal / 2);
  const transportActive = Math.min(a.tunnelActive, transportTotal);
  const encTotal = a.tunnelTotal - transportTotal;
  const encActive = a.tunnelActive - transportActive;
  return {
    timestamp: Date.now(),
    applianceId: a.applianceId,
    serviceMeshId: a.serviceMeshId,
    applianceType: a.applianceType,
    summary: {
      overallStatus: a.metricsStatus ?? (up || a.state !== 'UP' ? a.state : 'DEGRADED'),
      overallTransportStatus: status(transportTotal, transportActive),
      overallEncryptionTunnelStatus: status(encTotal, encActive),
      transportSummary: [
        {
          transportIp: '192.168.10.10',
          name: 'uplink-1',
          totalTunnelCount: transportTotal,
          totalActiveTunnelCount: transportActive,
          aggregatedTunnelStatus: status(transportTotal, transportActive),
        },
      ],
      encryptionTunnelSummary: {
        totalTunnelCount: encTotal,
        totalActiveTunnelCount: encActive,
        aggregatedTunnelStatus: status(encTotal, encActive),
      },
      reasons: up ? [] : [`${a.tunnelTotal - a.tunnelActive} tunnel(s) down`],
    },
    statistics: {
      SystemStatus: { State: 0, Components: 0, Details: [] },
      PeerSiteConnectivity: { LocalSiteIp: '192.168.10.10', PeerSiteIp: '192.168.20.10', Summary: up ? 'Up' : 'Down' },
      Tunnels: Array.from({ length: a.tunnelTotal }, (_, i) => ({
        Id: `${a.applianceId}-t${i + 1}`,
        LocalAddress: '192.168.10.10',
        LocalPort: 4500,
        RemoteAddress: '192.168.20.10',
        RemotePort: 4500,
        Timestamp: 0,
        Summary: i < a.tunnelActive ? 'Up' : 'Down',
        Counters: {},
      })),
    },
  };
}

// --------------------------------------------------------------------------------------------------------------
// Appliance management (port 9443), HTTP Basic admin
// --------------------------------------------------------------------------------------------------------------

function section(name: string, items: Record<string, unknown>[]): Record<string, unknown> {
  return { data: { items: items.map((config) => ({ section: name, config })) } };
}

function renderRegistration(r: LabRegistration): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  if (r.error === undefined) delete out.error;
  return out;
}

function applianceMgmt(
  manager: LabManagerState,
  a: LabApplianceMgmt,
  method: string,
  sub: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const auth = req.headers.authorization;
  if (!auth || !/^basic /i.test(auth)) {
    sendJson(res, 401, { errors: [{ text: 'Unauthorized' }] }, { 'www-authenticate': 'Basic realm="HCX"' });
    return;
  }
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  if (decoded !== `admin:${a.adminPassword}`) {
    // S7 saw 403, not 401, for a wrong admin password (hcx-api.md §3.2).
    sendJson(res, 403, { errors: [{ text: 'Forbidden' }] });
    return;
  }
  if (malformed(manager, sub, res)) return;
  const path = sub.replace(/\/+$/, '');
  if (method !== 'GET') {
    sendJson(res, 405, { errors: [{ text: 'the lab is read-only' }] });
    return;
  }
  switch (path) {
    case '/api/admin/licenses':
      if (a.licenses === undefined) sendJson(res, 404, { errors: [{ text: 'Not Found' }] });
      else sendJson(res, 200, { licenses: a.licenses });
      return;
    case '/api/admin/global/config/hcx':
      sendJson(res, 200, section('hcx', a.activation ? [{ ...a.activation, UUID: `act-${manager.id}` }] : []));
      return;
    case '/license/hcx/activationStatus': {
      const s = a.activationStatus;
      const data: Record<string, unknown> = {
        activationType: s.activationType,
        enableLicenseUpdate: true,
        enableTelemetry: false,
        hasCommunicationBroken: false,
        warnCommunicationBroken: false,
        activationDone: s.activationDone,
        activationStatus: s.activationStatus,
      };
      if (s.expiryTimeInMillis !== undefined) {
        data.moreInfo = {
          isGraceExpired: s.expiryTimeInMillis < Date.now(),
          expiryTime: new Date(s.expiryTimeInMillis).toUTCString(),
          expiryTimeInMillis: s.expiryTimeInMillis,
        };
        data.gracePeriodExpiration = s.expiryTimeInMillis;
      }
      sendJson(res, 200, { success: true, completed: true, time: Date.now(), data, errors: [] });
      return;
    }
    case '/api/admin/global/config/vcenter':
      sendJson(res, 200, section('vcenter', a.vcenter.map(renderRegistration)));
      return;
    case '/api/admin/global/config/nsx':
      sendJson(res, 200, section('nsx', a.nsx.map(renderRegistration)));
      return;
    case '/api/admin/global/config/lookupservice':
      sendJson(
        res,
        200,
        section(
          'lookupservice',
          a.lookupservice.map((r) => ({ lookupServiceUrl: r.url, providerType: 'PSC', UUID: r.UUID })),
        ),
      );
      return;
  }
  const comp = /^\/components\/([a-z]+)\/status$/.exec(path);
  if (comp && a.components[comp[1]] !== undefined) {
    sendJson(res, 200, { result: a.components[comp[1]], operationStatus: 'SUCCESS' });
    return;
  }
  sendJson(res, 404, { errors: [{ text: `No handler for ${method} ${path}` }] });
}
