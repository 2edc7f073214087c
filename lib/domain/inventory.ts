import type { TargetRef } from './target';
import type { MaintenanceSchedule } from '../upgrade/schedule';

/**
 * The one typed snapshot that rules read.
 *
 * Rule of thumb, everywhere below: a field that is `undefined` was NOT collected (the call failed, was not
 * attempted, or is not available for this kind of target); an empty array means "collected, and there are none".
 * A rule that needs an `undefined` field must report `unknown`, never `pass`.
 *
 * Enum-like strings from HCX are kept as the wire gave them (upper/lower case included): their value sets are
 * not documented, so the rules decide what is healthy, and unknown values stay opaque.
 */
export interface Inventory {
  schemaVersion: 1;
  target: TargetRef;
  /** ISO instant the collection started. */
  collectedAt: string;

  /** ARM facts; private clouds only. */
  arm?: ArmFacts;

  /** Whether each HCX API surface could be reached and authenticated this scan. `undefined` = not attempted. */
  reachability: {
    hybridity?: Reachability;
    applianceManagement?: Reachability;
  };

  /** The manager's own identity and version (`GET /hybridity/api/metainfo/context/support`). */
  manager?: ManagerInfo;
  sitePairs?: SitePair[];
  serviceMeshes?: ServiceMesh[];
  appliances?: Appliance[];
  /**
   * Tunnel health per appliance from `POST /hybridity/api/metrics/interconnect` (hcx-api.md §6.4). `undefined` =
   * not collected; an appliance missing from the list = its tunnels were not reported (unknown, never healthy).
   */
  tunnelMetrics?: TunnelMetric[];
  /** NE HA groups across all meshes; `undefined` when any mesh's group list failed. */
  haGroups?: HaGroup[];
  extensions?: NetworkExtension[];
  migrations?: Migration[];
  replicationSummary?: ReplicationSummary;
  /** HCX's own alerts (optional call). */
  hcxAlerts?: HcxAlert[];

  /** Appliance management (port 9443), connectors only. */
  licensing?: Licensing;
  registrations?: Registrations;
  /** Component status, e.g. `{ name: 'appengine', result: 'RUNNING' }`. */
  services?: ServiceComponent[];

  /** What could not be collected, and why. Never contains credentials. */
  issues: CollectionIssue[];
  /**
   * Optional collections this HCX build does not offer at all (e.g. `hcxAlerts` answered 404): their fields stay
   * `undefined`, and rules say `not_applicable` instead of an `unknown` nobody can ever fix.
   */
  unsupported?: string[];
}

export type ErrorClass = 'timeout' | 'tls' | 'refused' | 'dns' | 'auth' | 'http' | 'malformed' | 'config';

export interface Reachability {
  ok: boolean;
  errorClass?: ErrorClass;
  /** Safe, credential-free description. */
  message?: string;
  status?: number;
}

export interface CollectionIssue {
  source: 'arm' | 'hcx' | 'appliance';
  /** Which collection failed: an Inventory field name or an ARM call (`addons`, `enterpriseSites`, …). */
  call: string;
  errorClass: ErrorClass;
  message: string;
  status?: number;
}

export interface ArmFacts {
  subscriptionId: string;
  resourceGroup: string;
  privateCloudName: string;
  location?: string;
  provisioningState?: string;
  hcxCloudManagerUrl?: string;
  /** From Resource Graph discovery (in-process scans): the SKU, the subscription's tenant, and whether that
   *  subscription is another tenant's delegated through Azure Lighthouse. */
  sku?: string;
  tenantId?: string;
  delegated?: boolean;
  /** `null` = collected and there is no HCX add-on; `undefined` = not collected. */
  hcxAddon?: HcxAddon | null;
  enterpriseSites?: EnterpriseSite[];
  /**
   * Scheduled AVS maintenances and Service Health planned maintenance for this cloud (issue 16); `undefined` = not
   * collected (then the window rule is `unknown`). `problems` lists what was there but not in the documented shape.
   */
  maintenance?: MaintenanceSchedule;
}

export interface HcxAddon {
  /** e.g. `VMware MaaS Cloud Provider (Enterprise)`; "(Enterprise)" means HCX Enterprise. */
  offer?: string;
  provisioningState?: string;
}

export interface EnterpriseSite {
  name: string;
  /** Only the last 4 characters of an activation key are ever kept. */
  keyLast4?: string;
  /** Available | Consumed | Deactivated | Deleted (open set). */
  status?: string;
}

export interface ManagerInfo {
  version?: string;
  build?: string;
  endpointId?: string;
  name?: string;
}

export interface SitePair {
  /** The remote endpointId. */
  id: string;
  name?: string;
  url?: string;
  cloudType?: string;
  remoteVersion?: string;
  remoteBuild?: string;
  /** Health as reported, when the pairing carries any (field names vary; opaque). */
  status?: string;
  error?: string;
}

export interface ServiceMesh {
  id: string;
  name: string;
  /** COMMITTED when healthy; UPDATE_FAILED etc. otherwise. */
  state?: string;
  /** `services[].name`, e.g. INTERCONNECT, WANOPT, DISASTER_RECOVERY. */
  services: string[];
  /** `status.services[]`, when present. */
  serviceStatuses?: { name: string; status: string; reason?: string[] }[];
  updateAvailable?: boolean;
  /** Endpoint ids of the compute profiles (local and remote site). */
  endpointIds?: string[];
  /** Network Extension appliance count per switch pair, summed. */
  neApplianceCount?: number;
  /**
   * `lastTaskDetails` (interconnect task): a `QUEUED`/`RUNNING` status is an HCX operation still queued or running
   * on this mesh (hcx-api.md §2.4, §6.1).
   */
  lastTask?: { type?: string; status?: string };
}

export interface TunnelMetric {
  applianceId: string;
  serviceMeshId?: string;
  applianceType?: string;
  /** `summary.overallStatus` as sent (values undocumented: opaque). */
  overallStatus?: string;
  /** Sum over `summary.transportSummary[]` and `summary.encryptionTunnelSummary`; `undefined` when not reported. */
  tunnelTotal?: number;
  tunnelActive?: number;
}

export interface Appliance {
  id: string;
  name: string;
  /** HCX-WAN-IX, HCX-NET-EXT, HCX-WAN-OPT, … */
  type: string;
  serviceMeshId?: string;
  endpointId?: string;
  /** Dotted version from `applianceVersion {major,minor,patch}` (or CurrentVersion). */
  version?: string;
  state?: string;
  tunnelTotal?: number;
  tunnelActive?: number;
  updateAvailable?: boolean;
  availableVersion?: string;
  networkExtensionCount?: number;
}

export interface HaGroup {
  id: string;
  name: string;
  serviceMeshId?: string;
  members: { applianceId: string; applianceName?: string; role?: string }[];
  groupState?: string;
  availabilityState?: string;
  statusMessage?: string;
}

export interface NetworkExtension {
  id: string;
  networkName?: string;
  applianceId?: string;
  applianceName?: string;
  state?: string;
  /** ISO instant, when the wire gave a parseable date. */
  createdAt?: string;
  haGroupId?: string;
}

export interface Migration {
  id: string;
  /** vMotion, Cold, VR, bulkVMotion, … (opaque; a V2T type names "V2T"). */
  type?: string;
  /** MIGRATING, MIGRATED, MIGRATE_FAILED, MIGRATE_CANCELED (open set). */
  state?: string;
  entityName?: string;
  /**
   * The newer query API's `progress` flags (hcx-api.md §8.4): `done` = `isDone || isCancelled`; `undefined` when the
   * wire has no such flags (legacy `jobInfo.state` only).
   */
  done?: boolean;
  /** A draft (`progress.draftState`) is not an operation HCX will run. */
  draft?: boolean;
  /** Scheduled, or waiting for its maintenance window (`isWaitingForMaintWindow`, a schedule in the future). */
  scheduled?: boolean;
}

export interface ReplicationCounts {
  outgoing: number;
  incoming: number;
}

export interface ReplicationSummary {
  active: ReplicationCounts;
  configuring: ReplicationCounts;
  recovering: ReplicationCounts;
  syncing: ReplicationCounts;
}

export interface HcxAlert {
  id: string;
  severity?: string;
  message?: string;
}

export type LicensingModel = 'activation-key' | 'license-key' | 'evaluation' | 'unknown';

export interface Licensing {
  model: LicensingModel;
  /** Legacy activation server (`config/hcx` url), e.g. https://connect.hcx.vmware.com. */
  activationServerUrl?: string;
  keyLast4?: string;
  /** Expiry reported by `/license/hcx/activationStatus`, ISO instant. */
  activationExpiresAt?: string;
  activationStatus?: string;
}

export interface Registration {
  url?: string;
  version?: string;
  /** Any error/status text the registration carries. */
  error?: string;
}

export interface Registrations {
  vcenter: Registration[];
  nsx: Registration[];
  lookupService: Registration[];
}

export interface ServiceComponent {
  name: string;
  result?: string;
}

export function emptyInventory(target: TargetRef, collectedAt: string): Inventory {
  return { schemaVersion: 1, target, collectedAt, reachability: {}, issues: [] };
}
