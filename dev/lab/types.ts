/**
 * The lab: a simulated AVS + HCX estate over real HTTPS (a CA generated at start), used by the tests, the demo
 * and the benchmarks. This file is the contract between the lab and everything that drives it.
 */

/** Fault knobs, per manager (hcx-api.md §14.4). All optional; set at start from a scenario or at run time. */
export interface ManagerFaults {
  /**
   * Nothing listens at the manager's address: at start, its URL is a dead port (connection refused); set at run
   * time, `hcxUrl`/ARM/`lab.env` move to the dead port and requests that still reach the shared port (a client
   * holding the old URL, e.g. a Connector read from settings) get their connection dropped (ECONNRESET).
   */
  unreachable?: boolean;
  /** Added latency per request, in ms (for timeouts and benchmarks). */
  latencyMs?: number;
  /** Answer 5xx (default 500) on requests whose path contains this string. */
  http5xxOnPath?: string;
  http5xxStatus?: number;
  /** Answer 429 with this Retry-After (seconds) this many times, then serve normally. */
  throttle?: { times: number; retryAfterSeconds: number; onPath?: string };
  /**
   * The first session to make this many authenticated calls expires: its next call, and every later call with its
   * token, gets 401. It happens once per `setFaults` that sets it (or once per lab, from a scenario): sessions
   * issued afterwards, a re-login's included, do not expire.
   */
  tokenExpiryAfterCalls?: number;
  /** Never answer requests whose path contains this string: hold them open until the client gives up. */
  stallOnPath?: string;
  /** Answer `{"items": [` (truncated JSON) on requests whose path contains this string. */
  malformedJsonOnPath?: string;
  /**
   * Serve this manager with a certificate from a CA the product does not trust: `hcxUrl`/ARM/`lab.env` move to the
   * untrusted server. The trusted server keeps serving it, so a client holding the old URL is not affected.
   */
  wrongCertificate?: boolean;
  /** The appliance-management (9443) interface is down (connection refused). */
  applianceUnreachable?: boolean;
  /** Every interconnect metrics page names a next page (a server that never stops paging). */
  metricsEndlessPaging?: boolean;
  /**
   * The migration query's `paging.totalSize` counts this many rows no page ever delivers (a list that shrank while
   * it was paged): a client paging to totalSize meets an empty page.
   */
  migrationPhantomRows?: number;
}

export interface ArmFaults {
  /** 429 with Retry-After this many times on paths containing `onPath` (or any path). */
  throttle?: { times: number; retryAfterSeconds: number; onPath?: string };
  /** 5xx on paths containing this string. */
  http5xxOnPath?: string;
  /** Status for http5xxOnPath (default 500; 501 is not retried by the Azure SDK, which keeps tests fast). */
  http5xxStatus?: number;
  /** Added latency per ARM request, in ms (benchmarks model ARM's round trip with it). */
  latencyMs?: number;
  /** Resource Graph answers 403 (a tenant or policy that does not permit it): discovery must fall back to ARM. */
  graphForbidden?: boolean;
  /** Resource Graph answers 429 (quota headers, no Retry-After) this many times. */
  graphThrottle?: { times: number; resetsAfterSeconds: number };
  /** Every Resource Graph page says `resultTruncated: "true"`. */
  graphTruncated?: boolean;
  /** Resource Graph answers 500 on this page (1-based) and later. */
  graphFailFromPage?: number;
  /** GET /subscriptions (the subscription list) answers this status (e.g. 501: not retried by the pipeline). */
  subscriptionListStatus?: number;
  /** Every page of the subscription list has a nextLink (a list that never ends). */
  subscriptionListEndless?: boolean;
  /** Every Resource Graph page carries `x-ms-tenant-subscription-limit-hit: true` (only 10,000 subscriptions queried). */
  graphSubscriptionLimitHit?: boolean;
  /** The last Resource Graph page's totalRecords counts this many rows no page delivers (count < totalRecords). */
  graphPhantomRecords?: number;
}

export interface LabRequestRecord {
  at: number;
  server: 'arm' | 'hcx' | 'appliance';
  /** Manager id for hcx/appliance requests. */
  manager?: string;
  method: string;
  path: string;
  status: number;
  /** HCX/appliance requests: how many of this manager's requests to this server were open when it arrived, itself included. */
  inFlight?: number;
}

export interface LabHandle {
  /** https://127.0.0.1:PORT — set as HCXMON_ARM_ENDPOINT. */
  armEndpoint: string;
  /** Bearer token the fake ARM accepts — HCXMON_ARM_ACCESS_TOKEN. */
  armToken: string;
  /** PEM file of the generated CA; trusted for ARM (HCXMON_ARM_CA_FILE) and HCX (HCXMON_HCX_CA_FILE). */
  caFile: string;
  caPem: string;
  subscriptionIds: string[];
  /**
   * Every setting that points the product at this lab: HCXMON_SUBSCRIPTION_IDS, HCXMON_ARM_ENDPOINT,
   * HCXMON_ARM_ACCESS_TOKEN, HCXMON_ARM_CA_FILE, HCXMON_HCX_CA_FILE, HCXMON_CONNECTORS and the password
   * settings the connectors name. Secrets included: never print it whole.
   */
  env: Record<string, string>;
  /** The passwords the lab accepts (tests use them as canaries that must never leak). */
  secrets: string[];
  /** Manager ids (one per private cloud and per connector) in scenario order. */
  managerIds: string[];
  /** Change a manager's faults at run time (merged; pass `{}` to clear). */
  setFaults(managerId: string, faults: ManagerFaults): void;
  setArmFaults(faults: ArmFaults): void;
  /**
   * Upgrade a manager between two scans (issue 16): new version now, appliances and the first mesh lagging (out of
   * sync) for `lagScans` scans, then converged.
   */
  upgradeManager(managerId: string, upgrade: { toVersion: string; lagScans: number; meshState?: string }): void;
  /** Mutate a manager's simulated state at run time (e.g. remove WAN-Opt from a mesh). */
  updateManager(managerId: string, mutate: (state: LabManagerState) => void): void;
  requests: LabRequestRecord[];
  stop(): Promise<void>;

  // --- additions (lab-side conveniences; the product never needs them) ---
  /** Current hybridity base URL of a manager, with a trailing slash (follows wrongCertificate/unreachable). */
  hcxUrl(managerId: string): string;
  /** Current appliance-management (9443) base URL of a connector, with a trailing slash; undefined for clouds. */
  applianceUrl(managerId: string): string | undefined;
  /** The live state object of a manager (mutations are seen by the next request). */
  getManager(managerId: string): LabManagerState;
  /** The scenario the lab was started from (after defaults were applied). */
  scenario: LabScenario;
  /** How long startLab took, in ms (certificates + servers). */
  startedInMs: number;
}

// ---------------------------------------------------------------------------------------------------------------
// A manager's simulated state, in the lab's own words; the servers render it to the HCX wire shapes
// (hcx-api.md) on every request, so a mutation through updateManager() is seen by the next call.
// Enum-like values are free strings on purpose: the product must keep unknown values opaque.
// ---------------------------------------------------------------------------------------------------------------

export type ManagerRole = 'cloud' | 'connector';

export interface LabManagerState {
  /** URL-safe id; also the path prefix `/hcx/<id>/` and `/appliance/<id>/`. */
  id: string;
  role: ManagerRole;
  name: string;
  /** Dotted HCX version, e.g. `4.11.3`. */
  version: string;
  build: string;
  /** `yyyyMMddHHmmssSSS-<uuid>` like real HCX. */
  endpointId: string;
  /** Hybridity (SSO) login: cloudadmin@vsphere.local for clouds. */
  username: string;
  password: string;
  sitePairs: LabSitePair[];
  serviceMeshes: LabServiceMesh[];
  appliances: LabAppliance[];
  haGroups: LabHaGroup[];
  extensions: LabExtension[];
  migrations: LabMigration[];
  /**
   * Which shape an UNFILTERED migration query answers with: the legacy rows under `rows` or `items` (hcx-api.md
   * §8.3; a filtered query always answers `items`), or `current`: the newer API's `{data:{items}}` with top-level
   * `state`, `entity` and the `progress` flags (§8.4).
   */
  migrationQueryVariant: 'rows' | 'items' | 'current';
  /** Rows per page of the migration query when the request names no `paging.pageSize` (default: all at once). */
  migrationPageSize?: number;
  /** Items per page of the interconnect metrics (default: all at once); pages are chained by `paging.next`. */
  metricsPageSize?: number;
  /** `POST …/metrics/interconnect` answers 404 (a build without the metrics API). */
  metricsUnsupported?: boolean;
  /** Rendered verbatim at the top level of the replication summary; `{}` values are realistic. */
  replicationSummary: LabReplicationSummary;
  /** HCX's own alerts; `undefined` makes `alerts?action=query` answer 404 (older builds). */
  alerts?: LabAlert[];
  /** Appliance management (9443); connectors only. */
  applianceMgmt?: LabApplianceMgmt;
  faults: ManagerFaults;
  /** Set by LabHandle.upgradeManager (dev/lab/upgrade.ts): scans left before the estate converges. */
  upgradeLag?: { toVersion: string; scansLeft: number };
}

export interface LabSitePair {
  /** Another lab manager: its name/url/version are read live from that manager's state. */
  remoteManagerId?: string;
  /** Or a literal remote (not simulated). */
  endpointId?: string;
  cloudName?: string;
  url?: string;
  /** The remote version; overrides a paired lab manager's (e.g. `N/A`, as a pairing that lost its remote reports). */
  version?: string;
  build?: string;
  cloudType?: string;
  username?: string;
  /**
   * Only rendered when set (the real field is unverified): `status` and `error` on the cloudConfigs item, e.g.
   * `DEGRADED`, `NOT_CONNECTED`, `UNKNOWN`.
   */
  status?: string;
  error?: string;
}

export interface LabServiceMesh {
  serviceMeshId: string;
  name: string;
  /** COMMITTED when healthy; UPDATE_FAILED, DEPLOYING… otherwise. */
  state: string;
  /** INTERCONNECT, VMOTION, BULK_MIGRATION, RAV, NETWORK_EXTENSION, WANOPT, DISASTER_RECOVERY, … */
  services: string[];
  /** Per-service status (`status.services[]`); defaults to `UP` for every service. */
  serviceStatuses?: Record<string, string>;
  updateAvailable?: boolean;
  /** The remote site of the mesh (endpointId and name), for computeProfiles. */
  remoteEndpointId: string;
  remoteEndpointName: string;
  isInitiator: boolean;
  /** NE appliances per switch pair (`switchPairCount[].l2cApplianceCount`). */
  neApplianceCount: number;
  /**
   * `lastTaskDetails` (interconnect task, hcx-api.md §2.4): default `{type:'updateServiceMesh', status:'SUCCESS'}`;
   * `QUEUED`/`RUNNING` is an operation still queued or running on the mesh.
   */
  lastTask?: { type: string; status: string };
}

export interface LabAppliance {
  applianceId: string;
  /** HCX-WAN-IX, HCX-NET-EXT, HCX-WAN-OPT, … */
  applianceType: string;
  applianceName: string;
  /** Absent: the appliance belongs to no listed mesh (e.g. a WAN-OPT left behind); it is then in no metrics query. */
  serviceMeshId?: string;
  /** Dotted version, rendered as applianceVersion {major,minor,patch,revision,build}. */
  version: string;
  build: number;
  /** applianceStatus.state, e.g. UP, DEGRADED, DOWN, ERROR. */
  state: string;
  /**
   * Tunnels, and how many are up (`tunnelActive < tunnelTotal`: tunnels down). The metrics answer splits them
   * between `transportSummary[0]` and `encryptionTunnelSummary`, so the sum over both is these numbers.
   */
  tunnelTotal: number;
  tunnelActive: number;
  /** `false`: the appliance is missing from the interconnect metrics answer (its tunnels are not reported). */
  metricsReported?: boolean;
  /** The metrics `summary.overallStatus`; default: `state`, or `DEGRADED` when a tunnel of an UP appliance is down. */
  metricsStatus?: string;
  updateAvailable: boolean;
  availableVersion?: string;
  networkExtensionCount: number;
}

export interface LabHaGroup {
  groupId: string;
  name: string;
  serviceMeshId: string;
  members: { applianceId: string; applianceName: string; role: string }[];
  /** e.g. HEALTHY / DEGRADED / FAILED_OVER (values undocumented). */
  groupState: string;
  availabilityState: string;
  statusMessage?: string;
}

export interface LabExtension {
  stretchId: string;
  networkName: string;
  applianceId: string;
  applianceName: string;
  /** operationStatus.state, e.g. EXTENDED. */
  state: string;
  /** ISO instant. */
  creationDate: string;
  haGroupId?: string;
}

export interface LabMigration {
  migrationId: string;
  /** vMotion, Cold, VR, bulkVMotion, … */
  migrationType: string;
  /**
   * MIGRATING, MIGRATED, MIGRATE_FAILED, MIGRATE_CANCELED (hcx-api.md §8.3), or any other value (e.g. a
   * non-terminal SCHEDULED / VALIDATING / SWITCHOVER_IN_PROGRESS): rendered verbatim in either query shape.
   */
  state: string;
  entityName: string;
  progressPercentage?: number;
  /**
   * The newer query API's `progress` flags (`migrationQueryVariant: 'current'` only). `isDone` defaults to true for
   * MIGRATED/MIGRATE_FAILED/MIGRATE_CANCELED, `isCancelled` to true for MIGRATE_CANCELED; `draftState` is rendered
   * only when set (its values are undocumented, e.g. `DRAFT`); `waitingForMaintWindow` →
   * `progress.state.isWaitingForMaintWindow` (default false).
   */
  isDone?: boolean;
  isCancelled?: boolean;
  draftState?: string;
  waitingForMaintWindow?: boolean;
}

export type LabCounts = { outgoing?: number; incoming?: number };

export interface LabReplicationSummary {
  activeReplicationCnt: LabCounts;
  configuringReplicationCnt: LabCounts;
  recoveringReplicationCnt: LabCounts;
  syncingReplicationCnt: LabCounts;
}

export interface LabAlert {
  id: string;
  /** CRITICAL, WARNING, INFO (values undocumented; kept opaque by the product). */
  severity: string;
  message: string;
  creationDate: string;
}

export interface LabRegistration {
  url: string;
  name?: string;
  version?: string;
  buildNumber?: string;
  userName?: string;
  UUID: string;
  /** Rendered only when set. */
  error?: string;
}

export interface LabApplianceMgmt {
  /** The `admin` password for HTTP Basic on 9443. */
  adminPassword: string;
  /** `/api/admin/licenses`: `undefined` answers 404 (builds before 4.11 have no such API). */
  licenses?: Record<string, unknown>[];
  /** `/api/admin/global/config/hcx`: the legacy activation config; `undefined` answers an empty items list. */
  activation?: { url: string; activationKey: string };
  /** `/license/hcx/activationStatus`. */
  activationStatus: {
    activationType: string;
    activationStatus: string;
    activationDone: boolean;
    expiryTimeInMillis?: number;
  };
  vcenter: LabRegistration[];
  nsx: LabRegistration[];
  lookupservice: LabRegistration[];
  /** `/components/<name>/status` result, e.g. `{ appengine: 'RUNNING', web: 'RUNNING', planengine: 'RUNNING' }`. */
  components: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios: data that describes an estate. `startLab({ scenario })` fills defaults, generates passwords and
// renders ARM + HCX from it.
// ---------------------------------------------------------------------------------------------------------------

/** What a scenario says about a manager; everything not given gets a neutral default (empty lists). */
export type ManagerSpec = Partial<Omit<LabManagerState, 'id' | 'role' | 'password' | 'applianceMgmt'>> & {
  version: string;
  applianceMgmt?: Partial<Omit<LabApplianceMgmt, 'adminPassword'>>;
};

export interface LabCloudSpec {
  /** Manager id (URL-safe, unique in the lab). */
  id: string;
  /** ARM private cloud name. */
  name: string;
  resourceGroup: string;
  location?: string;
  provisioningState?: string;
  /** `null`: no HCX add-on. */
  hcxAddon: { offer?: string; provisioningState?: string } | null;
  /** Also list Microsoft's SRM add-on example next to HCX. */
  srmAddon?: boolean;
  enterpriseSites?: { name: string; activationKey: string; status: string }[];
  clusters?: { name: string; size: number }[];
  /** The HCX Cloud Manager; absent when HCX is not deployed (its URL then refuses connections). */
  manager?: ManagerSpec;
  /**
   * `GET …/maintenances` (api-version 2025-09-01, issue 16): each item is Microsoft's Maintenances_Get example with
   * these fields replaced. Absent: `{ value: [] }`.
   */
  maintenances?: LabMaintenance[];
  /** `…/maintenances` answers this status (e.g. 404: the API is not offered in this region or api-version). */
  maintenancesStatus?: number;
  /** `…/maintenances` answers this body verbatim (an unexpected shape). */
  maintenancesBody?: unknown;
}

export interface LabMaintenance {
  name: string;
  displayName?: string;
  component?: string;
  scheduledStartTime: string;
  estimatedDurationInMinutes?: number;
  /** `state.name`, e.g. Scheduled, InProgress, Completed. */
  state?: string;
}

/** A Service Health planned-maintenance event (Events_ListBySubscriptionId, eventType PlannedMaintenance). */
export interface LabPlannedMaintenance {
  trackingId: string;
  title: string;
  impactStartTime: string;
  impactMitigationTime?: string;
  /** `impact[].impactedService`; default Azure VMware Solution. */
  service?: string;
  region?: string;
  status?: string;
}

export interface LabSubscriptionSpec {
  id: string;
  clouds: LabCloudSpec[];
  displayName?: string;
  /** The subscription's tenant; another tenant than the scenario's makes it Lighthouse-delegated. */
  tenantId?: string;
  /** The management group it sits below (Resource Graph `managementGroups` scope); default `lab-root`. */
  managementGroup?: string;
  /** Listed by GET /subscriptions, but the identity cannot read it: ARM answers 403, Resource Graph leaves it out. */
  forbidden?: boolean;
  /** Service Health events of the subscription (`Microsoft.ResourceHealth/events`, issue 16). */
  plannedMaintenance?: LabPlannedMaintenance[];
  /** The events list answers this status. */
  eventsStatus?: number;
}

export interface LabConnectorSpec {
  /** Manager id and connector name (HCXMON_CONNECTORS `name`). */
  id: string;
  manager: ManagerSpec;
  /** SSO user for the hybridity API; default administrator@vsphere.local. */
  username?: string;
  /** Setting names that hold the passwords; default HCXMON_LAB_<ID>_PASSWORD / _ADMIN_PASSWORD. */
  passwordSetting?: string;
  adminPasswordSetting?: string;
  /** Configure the 9443 interface in HCXMON_CONNECTORS (default true when applianceMgmt is given). */
  configureAppliance?: boolean;
}

export interface LabScenario {
  name: string;
  description?: string;
  subscriptions: LabSubscriptionSpec[];
  connectors: LabConnectorSpec[];
  /** privateClouds.listInSubscription page size (default 2). */
  armPageSize?: number;
  armFaults?: ArmFaults;
  /** The identity's home tenant (Lighthouse-delegated subscriptions name it in managedByTenants). */
  tenantId?: string;
  /** Resource Graph rows per page at most (default 1000, the API's `$top` limit). */
  graphPageRows?: number;
  /** Subscriptions per page of GET /subscriptions (default 50; each page but the last has an absolute nextLink). */
  subscriptionPageSize?: number;
  /** Resource Graph queries allowed per quota window before x-ms-user-quota-remaining reaches 0 (default 15). */
  graphQuota?: number;
}
