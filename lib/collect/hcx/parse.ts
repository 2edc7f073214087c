/**
 * Pure parsers from HCX wire JSON (hcx-api.md §4–§11) to Inventory types. Each takes the decoded body and the
 * call name, and throws a `malformed` CollectionError when the body is not the shape that call returns.
 * Enum-like strings are kept exactly as sent; unknown fields are ignored; unknown values stay opaque.
 */
import type {
  Appliance,
  HaGroup,
  HcxAlert,
  Licensing,
  ManagerInfo,
  Migration,
  NetworkExtension,
  Registration,
  ReplicationCounts,
  ReplicationSummary,
  ServiceComponent,
  ServiceMesh,
  SitePair,
  TunnelMetric,
} from '../../domain/inventory';
import { CollectionError } from '../../errors';

type Json = Record<string, unknown>;
type Source = 'hcx' | 'appliance';

export function malformed(call: string, what: string, source: Source = 'hcx'): CollectionError {
  return new CollectionError('malformed', `${call}: malformed (${what})`, { source, call });
}

export function parseJsonBody(body: Buffer | string, call: string, source: Source = 'hcx'): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(call, 'response is not valid JSON', source);
  }
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
const obj = (v: unknown): Json => (isObj(v) ? v : {});
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * The list inside any of the envelopes HCX uses: bare `{items}`, `{rows}` (legacy migration query), the
 * hybridity envelope `{success, data:{items}}`, and `{data:[…]}`. A hybridity envelope with `success:false`
 * is an error reported in-band (HTTP 200), and is malformed for our purposes.
 */
export function listOf(body: unknown, call: string, source: Source = 'hcx'): Json[] {
  if (Array.isArray(body)) return body.filter(isObj);
  if (!isObj(body)) throw malformed(call, 'expected a JSON object', source);
  if (body.success === false) throw malformed(call, 'the response reports success=false', source);
  for (const key of ['items', 'rows']) {
    if (Array.isArray(body[key])) return (body[key] as unknown[]).filter(isObj);
  }
  const data = body.data;
  if (Array.isArray(data)) return data.filter(isObj);
  if (isObj(data)) {
    for (const key of ['items', 'rows']) {
      if (Array.isArray(data[key])) return (data[key] as unknown[]).filter(isObj);
    }
  }
  throw malformed(call, 'no items or rows list', source);
}

function requireId(item: Json, keys: string[], call: string): string {
  for (const k of keys) {
    const v = str(item[k]);
    if (v) return v;
  }
  throw malformed(call, `an item has no ${keys[0]}`);
}

/** `GET /hybridity/api/metainfo/context/support` → the local endpoint's identity and version. */
export function parseSupportContext(body: unknown, call = 'manager'): ManagerInfo {
  if (!isObj(body)) throw malformed(call, 'expected a JSON object');
  if (body.success === false) throw malformed(call, 'the response reports success=false');
  const data = obj(body.data);
  const eps = Array.isArray(data.localEndpoints) ? (data.localEndpoints as unknown[]).filter(isObj) : undefined;
  if (!eps || eps.length === 0) throw malformed(call, 'no data.localEndpoints');
  const ep = isObj(eps[0].endpoint) ? eps[0].endpoint : eps[0];
  const info = defined<ManagerInfo>({
    version: str(ep.version),
    build: str(ep.buildNumber) ?? str(ep.build),
    endpointId: str(ep.endpointId),
    name: str(ep.name),
  });
  if (!info.version) throw malformed(call, 'the local endpoint has no version');
  return info;
}

/** `GET /hybridity/api/cloudConfigs` (hybridity envelope). */
export function parseCloudConfigs(body: unknown, call = 'sitePairs'): SitePair[] {
  return listOf(body, call).map((it) =>
    defined<SitePair>({
      id: requireId(it, ['endpointId', 'id'], call),
      name: str(it.cloudName) ?? str(it.name),
      url: str(it.url),
      cloudType: str(it.cloudType),
      remoteVersion: str(it.version),
      remoteBuild: str(it.buildNumber),
      // No documented health field; take whichever the build sends, verbatim.
      status: str(it.status) ?? str(it.state) ?? str(it.health) ?? str(obj(it.status).state),
      error: str(it.error) ?? str(it.errorMessage) ?? str(obj(it.status).errorMessage),
    }),
  );
}

/** `GET /hybridity/api/interconnect/serviceMesh` (bare `{items}`). */
export function parseServiceMeshes(body: unknown, call = 'serviceMeshes'): ServiceMesh[] {
  return listOf(body, call).map((it) => {
    const services = Array.isArray(it.services)
      ? (it.services as unknown[]).map((s) => (isObj(s) ? str(s.name) : str(s))).filter((s): s is string => !!s)
      : [];
    const statusServices = Array.isArray(obj(it.status).services) ? (obj(it.status).services as unknown[]).filter(isObj) : undefined;
    const cps = Array.isArray(it.computeProfiles) ? (it.computeProfiles as unknown[]).filter(isObj) : undefined;
    const spc = Array.isArray(it.switchPairCount) ? (it.switchPairCount as unknown[]).filter(isObj) : undefined;
    return defined<ServiceMesh>({
      id: requireId(it, ['serviceMeshId', 'id'], call),
      name: str(it.name) ?? '',
      state: str(it.state),
      services,
      serviceStatuses: statusServices?.map((s) =>
        defined({
          name: str(s.serviceName) ?? str(s.name) ?? '',
          status: str(s.status) ?? '',
          reason: Array.isArray(s.reason) ? (s.reason as unknown[]).map(String) : undefined,
        }),
      ),
      updateAvailable: bool(it.updateAvailable),
      endpointIds: cps?.map((c) => str(c.endpointId)).filter((s): s is string => !!s),
      neApplianceCount: spc ? spc.reduce((n, p) => n + (num(p.l2cApplianceCount) ?? 0), 0) : undefined,
      lastTask: isObj(it.lastTaskDetails)
        ? defined({ type: str(it.lastTaskDetails.type), status: str(it.lastTaskDetails.status) })
        : undefined,
    });
  });
}

/** `applianceVersion {major,minor,patch}` → "4.11.3"; falls back to a dotted `currentVersion`. */
export function applianceVersion(it: Json): string | undefined {
  const v = it.applianceVersion;
  if (isObj(v)) {
    const parts = [num(v.major), num(v.minor), num(v.patch)];
    if (parts[0] !== undefined && parts[1] !== undefined) return parts.filter((p) => p !== undefined).join('.');
  }
  if (typeof v === 'string' && /^\d+(\.\d+)+$/.test(v)) return v;
  return str(it.currentVersion) ?? str(it.CurrentVersion);
}

/** One `{totalTunnelCount, totalActiveTunnelCount}` pair (or `{total, active}`); undefined unless both are there. */
function tunnelPair(c: Json): { total: number; active: number } | undefined {
  const total = num(c.totalTunnelCount) ?? num(c.total);
  const active = num(c.totalActiveTunnelCount) ?? num(c.active);
  return total !== undefined && active !== undefined ? { total, active } : undefined;
}

const transportSummaries = (summary: Json): Json[] =>
  Array.isArray(summary.transportSummary) ? (summary.transportSummary as unknown[]).filter(isObj) : [];

function tunnelCounts(it: Json): { total?: number; active?: number } {
  const summary = obj(obj(it.status).summary);
  const candidates = [obj(it.tunnelStatus), obj(it.tunnels), obj(summary.encryptionTunnelSummary), obj(it.tunnelSummary)];
  for (const c of candidates) {
    const pair = tunnelPair(c);
    if (pair) return pair;
  }
  const transports = transportSummaries(summary);
  if (transports.length > 0) {
    return {
      total: transports.reduce((n, t) => n + (num(t.totalTunnelCount) ?? 0), 0),
      active: transports.reduce((n, t) => n + (num(t.totalActiveTunnelCount) ?? 0), 0),
    };
  }
  return {};
}

/** `GET /hybridity/api/interconnect/appliances` (bare `{items}`). */
export function parseAppliances(body: unknown, call = 'appliances'): Appliance[] {
  return listOf(body, call).map((it) => {
    const tunnels = tunnelCounts(it);
    const st = obj(it.applianceStatus);
    return defined<Appliance>({
      id: requireId(it, ['applianceId', 'id'], call),
      name: str(it.applianceName) ?? str(it.name) ?? '',
      type: str(it.applianceType) ?? str(it.type) ?? '',
      serviceMeshId: str(it.serviceMeshId),
      endpointId: str(it.endpointId),
      version: applianceVersion(it),
      state: str(st.state) ?? (typeof it.status === 'string' ? it.status : undefined) ?? str(obj(obj(it.status).summary).overallStatus),
      tunnelTotal: tunnels.total,
      tunnelActive: tunnels.active,
      updateAvailable: bool(it.updateAvailable),
      availableVersion: str(it.availableVersion),
      networkExtensionCount: num(it.networkExtensionCount),
    });
  });
}

/**
 * Tunnel counts of a metrics `summary`, summed over `transportSummary[]` and `encryptionTunnelSummary`
 * (hcx-api.md §6.4). `{}` (not reported) when no part carries both counts, or when a part carries only one of
 * them: a sum that left out a half-reported part could read as "all up".
 */
function summedTunnels(summary: Json): { total?: number; active?: number } {
  const parts = [...transportSummaries(summary), ...(isObj(summary.encryptionTunnelSummary) ? [summary.encryptionTunnelSummary] : [])];
  let total: number | undefined;
  let active: number | undefined;
  for (const part of parts) {
    const pair = tunnelPair(part);
    if (!pair) {
      if (num(part.totalTunnelCount) !== undefined || num(part.totalActiveTunnelCount) !== undefined) return {};
      continue;
    }
    total = (total ?? 0) + pair.total;
    active = (active ?? 0) + pair.active;
  }
  return { total, active };
}

/**
 * `POST /hybridity/api/metrics/interconnect` (bare `{items}`, hcx-api.md §6.4) → one metric per appliance. Items
 * are samples with a `timestamp`: the latest sample of an appliance wins (the later item on a tie). The
 * PascalCase `statistics` block (per-tunnel agent detail) is not read: the summary's counts are the
 * value-independent "tunnel up" test.
 */
export function parseInterconnectMetrics(body: unknown, call = 'tunnelMetrics'): TunnelMetric[] {
  const latest = new Map<string, { at: number; metric: TunnelMetric }>();
  for (const it of listOf(body, call)) {
    const applianceId = requireId(it, ['applianceId'], call);
    const at = num(it.timestamp) ?? Number.NEGATIVE_INFINITY;
    const seen = latest.get(applianceId);
    if (seen && seen.at > at) continue;
    const summary = obj(it.summary);
    const tunnels = summedTunnels(summary);
    const metric = defined<TunnelMetric>({
      applianceId,
      serviceMeshId: str(it.serviceMeshId),
      applianceType: str(it.applianceType),
      overallStatus: str(summary.overallStatus),
      tunnelTotal: tunnels.total,
      tunnelActive: tunnels.active,
    });
    latest.set(applianceId, { at, metric });
  }
  return [...latest.values()].map((v) => v.metric);
}

/** The opaque cursor of the next metrics page (`paging.next`), when the server says there is one. */
export function metricsNextPage(body: unknown): string | undefined {
  const next = isObj(body) ? str(obj(body.paging).next) : undefined;
  return next && next.trim() !== '' ? next : undefined;
}

/** `GET …/appliances/ha/groups?serviceMeshId=` (bare `{items}`). */
export function parseHaGroups(body: unknown, serviceMeshId: string | undefined, call = 'haGroups'): HaGroup[] {
  return listOf(body, call).map((it) => {
    const status = obj(it.status);
    const members = Array.isArray(it.groupMembers) ? (it.groupMembers as unknown[]).filter(isObj) : [];
    return defined<HaGroup>({
      id: requireId(it, ['groupId', 'id'], call),
      name: str(it.name) ?? '',
      serviceMeshId: str(it.serviceMeshId) ?? serviceMeshId,
      members: members.map((m) =>
        defined({ applianceId: str(m.applianceId) ?? '', applianceName: str(m.applianceName), role: str(m.role) }),
      ),
      groupState: str(status.groupState),
      availabilityState: str(status.availabilityState),
      statusMessage: str(status.statusMessage),
    });
  });
}

/** An ISO-8601 date-time with no `Z` and no offset, e.g. `2025-01-02T03:04:05` or `2025-01-02 03:04:05.123`. */
const ZONELESS_ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * Accepts an ISO-like string or epoch milliseconds; anything unparseable is left out. An ISO date-time without a
 * zone (`Z` or `±hh:mm`) is read as **UTC**: HCX sends instants, and `Date.parse` would read such a string in the
 * monitor's own host zone, so the same wire value would give different ages on different hosts.
 */
export function parseDate(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v).toISOString();
  if (typeof v === 'string' && v.trim() !== '') {
    const s = v.trim();
    if (/^\d{10,}$/.test(s)) return new Date(Number(s)).toISOString();
    const zoneless = ZONELESS_ISO.exec(s);
    const t = Date.parse(zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : s);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return undefined;
}

/** `GET /hybridity/api/l2Extensions` (bare `{items}`). */
export function parseL2Extensions(body: unknown, call = 'extensions'): NetworkExtension[] {
  return listOf(body, call).map((it) => {
    const src = obj(it.sourceNetwork);
    const app = obj(it.sourceAppliance);
    return defined<NetworkExtension>({
      id: requireId(it, ['stretchId', 'id'], call),
      networkName: str(src.networkName) ?? str(it.networkName),
      applianceId: str(app.applianceId) ?? str(it.applianceId),
      applianceName: str(app.applianceName),
      state: str(obj(it.operationStatus).state) ?? (typeof it.state === 'string' ? it.state : undefined),
      createdAt: parseDate(it.creationDate),
      haGroupId: str(obj(it.haConfig).haGroupId),
    });
  });
}

/**
 * A `progress.draftState` that says the row is a draft (values undocumented). Anything else, an unknown value
 * included, is not read as a draft: a draft is left out of "in progress", so guessing "draft" could hide a
 * running migration.
 */
function isDraftState(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = str(v);
  if (s === undefined) return undefined;
  return /draft/i.test(s) && !/(^|[^a-z])(not|non|no)[ _-]?draft/i.test(s);
}

/**
 * `POST /hybridity/api/migrations?action=query`: `rows` (no filter) or `items` (filtered, or the newer API).
 * `state` is the raw `jobInfo.state` (legacy, §8.3), the top-level `state` (newer API, §8.4) or, failing both,
 * `progress.state.status`. The newer API's `progress` flags give `done` (`isDone || isCancelled`), `draft` and
 * `scheduled` (`isWaitingForMaintWindow`); each stays undefined when the wire has no such flag.
 */
export function parseMigrations(body: unknown, call = 'migrations'): Migration[] {
  return listOf(body, call).map((it) => {
    const info = obj(it.migrationInfo);
    const job = obj(it.jobInfo);
    const progress = obj(it.progress);
    const progressState = obj(progress.state);
    const isDone = bool(progress.isDone);
    const isCancelled = bool(progress.isCancelled);
    return defined<Migration>({
      id: requireId(it, ['migrationId', 'id'], call),
      type: str(info.migrationType) ?? str(it.migrationType),
      state: str(job.state) ?? (typeof it.state === 'string' ? it.state : undefined) ?? str(progressState.status),
      entityName: str(obj(info.entityDetails).entityName) ?? str(obj(it.entity).entityName),
      done: isDone === undefined && isCancelled === undefined ? undefined : isDone === true || isCancelled === true,
      draft: isDraftState(progress.draftState),
      scheduled: bool(progressState.isWaitingForMaintWindow),
    });
  });
}

/** Paging of a migration query response, when the server sends any. */
export function migrationPaging(body: unknown): { totalSize?: number; offset?: number; pageSize?: number } {
  const p = isObj(body) ? obj(body.paging ?? obj(body.data).paging) : {};
  return defined({ totalSize: num(p.totalSize), offset: num(p.offset), pageSize: num(p.pageSize) });
}

const REPLICATION_KEYS = {
  active: 'activeReplicationCnt',
  configuring: 'configuringReplicationCnt',
  recovering: 'recoveringReplicationCnt',
  syncing: 'syncingReplicationCnt',
} as const;

/**
 * `POST /hybridity/api/replications?action=query {"type":"summary"}`: four counters at the top level (seen in
 * Microsoft's code; a `data` wrapper is accepted too). An empty object `{}` means zero. A body without any of
 * the four keys is not a summary.
 */
export function parseReplicationSummary(body: unknown, call = 'replicationSummary'): ReplicationSummary {
  if (!isObj(body)) throw malformed(call, 'expected a JSON object');
  const root = Object.values(REPLICATION_KEYS).some((k) => k in body) ? body : obj(body.data);
  if (!Object.values(REPLICATION_KEYS).some((k) => k in root)) throw malformed(call, 'no replication counters');
  const counts = (v: unknown): ReplicationCounts => {
    const o = obj(v);
    return { outgoing: num(o.outgoing) ?? 0, incoming: num(o.incoming) ?? 0 };
  };
  return {
    active: counts(root[REPLICATION_KEYS.active]),
    configuring: counts(root[REPLICATION_KEYS.configuring]),
    recovering: counts(root[REPLICATION_KEYS.recovering]),
    syncing: counts(root[REPLICATION_KEYS.syncing]),
  };
}

/** `POST /hybridity/api/alerts?action=query` (shape undocumented; any list envelope). */
export function parseHcxAlerts(body: unknown, call = 'hcxAlerts'): HcxAlert[] {
  return listOf(body, call).map((it, i) =>
    defined<HcxAlert>({
      id: str(it.id) ?? str(it.alertId) ?? str(it.uuid) ?? `alert-${i}`,
      severity: str(it.severity) ?? str(it.level),
      message: str(it.message) ?? str(it.description) ?? str(it.text) ?? str(it.summary),
    }),
  );
}

// ---------------------------------------------------------------- 9443 (appliance management)

/** The section/config envelope `{data:{items:[{section, config}]}}` → the configs. */
export function sectionConfigs(body: unknown, call: string): Json[] {
  return listOf(body, call, 'appliance').map((it) => (isObj(it.config) ? it.config : it));
}

/** `GET /api/admin/global/config/{vcenter,nsx}` */
export function parseRegistrations(body: unknown, call: string): Registration[] {
  return sectionConfigs(body, call).map((c) =>
    defined<Registration>({
      url: str(c.url),
      version: str(c.version),
      error:
        str(c.error) ??
        str(c.errorMessage) ??
        (typeof c.status === 'string' && /err|fail/i.test(c.status) ? c.status : undefined),
    }),
  );
}

/** `GET /api/admin/global/config/lookupservice` */
export function parseLookupService(body: unknown, call: string): Registration[] {
  return sectionConfigs(body, call).map((c) =>
    defined<Registration>({ url: str(c.lookupServiceUrl) ?? str(c.url), version: str(c.version), error: str(c.error) }),
  );
}

/** `GET /components/<name>/status` → `{result, operationStatus}`. */
export function parseComponentStatus(body: unknown, name: string, call = 'services'): ServiceComponent {
  if (!isObj(body)) throw malformed(call, 'expected a JSON object', 'appliance');
  const root = isObj(body.data) && 'result' in body.data ? body.data : body;
  const result = str(root.result);
  if (result === undefined) throw malformed(call, 'no result', 'appliance');
  return { name, result };
}

export function last4(key: string | undefined): string | undefined {
  if (!key) return undefined;
  const k = key.trim();
  return k.length <= 4 ? undefined : k.slice(-4);
}

/** `GET /api/admin/licenses` → `{licenses:[…]}`. Returns the entries, or throws malformed. */
export function parseLicenses(body: unknown, call = 'licensing'): Json[] {
  if (isObj(body) && Array.isArray(body.licenses)) return (body.licenses as unknown[]).filter(isObj);
  if (isObj(body) && isObj(body.data) && Array.isArray(body.data.licenses)) return (body.data.licenses as unknown[]).filter(isObj);
  return listOf(body, call, 'appliance');
}

const EVAL_RE = /eval/i;

/** An entry that says "evaluation" in any of its string fields (the only value seen is EVALUATION_MODE). */
export function isEvaluationLicense(entry: Json): boolean {
  return Object.values(entry).some((v) => typeof v === 'string' && EVAL_RE.test(v));
}

/** `GET /api/admin/global/config/hcx` → the legacy activation config, if any. */
export function parseActivationConfig(body: unknown, call = 'licensing'): { url?: string; keyLast4?: string; hasKey: boolean } {
  const configs = sectionConfigs(body, call);
  const c = configs.find((x) => str(x.activationKey)) ?? configs[0];
  if (!c) return { hasKey: false };
  const key = str(c.activationKey);
  return defined({ url: str(c.url), keyLast4: last4(key), hasKey: !!key && key.trim() !== '' });
}

/** `GET /license/hcx/activationStatus` (hybridity envelope). */
export function parseActivationStatus(body: unknown, call = 'licensing'): {
  status?: string;
  expiresAt?: string;
  type?: string;
} {
  if (!isObj(body)) throw malformed(call, 'expected a JSON object', 'appliance');
  if (body.success === false) throw malformed(call, 'the response reports success=false', 'appliance');
  const d = isObj(body.data) ? body.data : body;
  const more = obj(d.moreInfo);
  return defined({
    status: str(d.activationStatus),
    type: str(d.activationType),
    expiresAt: parseDate(num(more.expiryTimeInMillis) ?? num(d.gracePeriodExpiration)) ?? parseDate(more.expiryTime),
  });
}

/**
 * Licensing model, best evidence first: a real licence (new 4.11+ model) → `license-key`; an activation key in
 * the legacy config → `activation-key`; only evaluation entries / an evaluation activation → `evaluation`.
 */
export function decideLicensing(input: {
  licenses?: Json[];
  activation?: { url?: string; keyLast4?: string; hasKey: boolean };
  status?: { status?: string; expiresAt?: string; type?: string };
}): Licensing {
  const real = (input.licenses ?? []).filter((l) => !isEvaluationLicense(l));
  const evalOnly = (input.licenses ?? []).length > 0 && real.length === 0;
  let model: Licensing['model'] = 'unknown';
  if (real.length > 0) model = 'license-key';
  else if (input.activation?.hasKey) model = 'activation-key';
  else if (evalOnly || EVAL_RE.test(input.status?.type ?? '') || EVAL_RE.test(input.status?.status ?? '')) model = 'evaluation';
  return defined<Licensing>({
    model,
    activationServerUrl: input.activation?.url,
    keyLast4: model === 'activation-key' ? input.activation?.keyLast4 : undefined,
    activationExpiresAt: input.status?.expiresAt,
    activationStatus: input.status?.status,
  });
}
