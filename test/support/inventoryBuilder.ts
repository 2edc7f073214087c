/**
 * Typed test inventories for rules, reconcile, API and CLI tests.
 *
 * `healthyConnector()` / `healthyCloud()` are fully collected, compliant targets (every rule passes on them at
 * HEALTHY_AS_OF); a test changes one thing with an override and asserts the one verdict that moves.
 * `emptyConnector()` / `emptyCloud()` have nothing collected (every optional field `undefined`).
 */
import type { Fact, TargetHistory, VersionObservation } from '../../lib/domain/finding';
import {
  emptyInventory,
  type Appliance,
  type HaGroup,
  type Inventory,
  type NetworkExtension,
  type ServiceMesh,
  type SitePair,
} from '../../lib/domain/inventory';
import type { TargetRef } from '../../lib/domain/target';
import { defaultRuleContext, type RuleContextInput } from '../../lib/rules';
import type { RuleContext } from '../../lib/rules/types';

export const CONNECTOR_REF: TargetRef = { id: 'connector:onprem-1', name: 'onprem-1', kind: 'hcx-connector' };
export const CLOUD_REF: TargetRef = {
  id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-avs/providers/microsoft.avs/privateclouds/pc-weu-1',
  name: 'pc-weu-1',
  kind: 'avs-private-cloud',
};

/** A date at which the healthy inventories pass every rule (4.11.3 is supported until 2027-10-11). */
export const HEALTHY_AS_OF = '2026-03-01T06:00:00Z';
export const COLLECTED_AT = '2026-03-01T05:00:00Z';

export const REMOTE_ENDPOINT = '20250101000000000-aaaa-bbbb';
export const LOCAL_ENDPOINT = '20250101000000000-cccc-dddd';

export function sitePair(over: Partial<SitePair> = {}): SitePair {
  return {
    id: REMOTE_ENDPOINT,
    name: 'avs-cloud',
    url: 'https://hcx.abc.westeurope.avs.azure.com',
    remoteVersion: '4.11.3',
    remoteBuild: '24972693',
    ...over,
  };
}

export function mesh(over: Partial<ServiceMesh> = {}): ServiceMesh {
  return {
    id: 'mesh-1',
    name: 'sm-avs',
    state: 'COMMITTED',
    services: ['INTERCONNECT', 'VMOTION', 'BULK_MIGRATION', 'NETWORK_EXTENSION'],
    serviceStatuses: [
      { name: 'INTERCONNECT', status: 'UP' },
      { name: 'NETWORK_EXTENSION', status: 'up' },
    ],
    endpointIds: [LOCAL_ENDPOINT, REMOTE_ENDPOINT],
    neApplianceCount: 2,
    ...over,
  };
}

export function appliance(over: Partial<Appliance> = {}): Appliance {
  return {
    id: 'app-ix-1',
    name: 'sm-avs-IX-I1',
    type: 'HCX-WAN-IX',
    serviceMeshId: 'mesh-1',
    version: '4.11.3',
    state: 'UP',
    tunnelTotal: 2,
    tunnelActive: 2,
    updateAvailable: false,
    ...over,
  };
}

export function neAppliance(n: number, over: Partial<Appliance> = {}): Appliance {
  return appliance({ id: `app-ne-${n}`, name: `sm-avs-NE-I${n}`, type: 'HCX-NET-EXT', ...over });
}

export function haGroup(over: Partial<HaGroup> = {}): HaGroup {
  return {
    id: 'ha-1',
    name: 'ha-group-1',
    serviceMeshId: 'mesh-1',
    members: [
      { applianceId: 'app-ne-1', applianceName: 'sm-avs-NE-I1', role: 'ACTIVE' },
      { applianceId: 'app-ne-2', applianceName: 'sm-avs-NE-I2', role: 'STANDBY' },
    ],
    groupState: 'HEALTHY',
    availabilityState: 'HEALTHY',
    ...over,
  };
}

export function extension(over: Partial<NetworkExtension> = {}): NetworkExtension {
  return {
    id: 'ext-1',
    networkName: 'vlan-100',
    applianceId: 'app-ne-1',
    applianceName: 'sm-avs-NE-I1',
    state: 'EXTENSION_COMPLETE',
    createdAt: '2026-02-20T00:00:00Z',
    haGroupId: 'ha-1',
    ...over,
  };
}

function hcxCommon(): Partial<Inventory> {
  return {
    manager: { version: '4.11.3', build: '24972695', endpointId: LOCAL_ENDPOINT, name: 'hcx-manager' },
    sitePairs: [sitePair()],
    serviceMeshes: [mesh()],
    appliances: [appliance(), neAppliance(1), neAppliance(2)],
    haGroups: [haGroup()],
    extensions: [extension()],
    migrations: [{ id: 'm-1', type: 'vMotion', state: 'MIGRATED', entityName: 'vm-1' }],
    replicationSummary: {
      active: { outgoing: 0, incoming: 0 },
      configuring: { outgoing: 0, incoming: 0 },
      recovering: { outgoing: 0, incoming: 0 },
      syncing: { outgoing: 0, incoming: 0 },
    },
    hcxAlerts: [{ id: 'a-1', severity: 'WARNING', message: 'disk 70%' }],
  };
}

export function healthyConnector(over: Partial<Inventory> = {}): Inventory {
  return {
    ...emptyInventory(CONNECTOR_REF, COLLECTED_AT),
    reachability: { hybridity: { ok: true }, applianceManagement: { ok: true } },
    ...hcxCommon(),
    licensing: { model: 'license-key', keyLast4: 'AB12' },
    registrations: {
      vcenter: [{ url: 'https://vc.corp.local', version: '8.0.3' }],
      nsx: [{ url: 'https://nsx.corp.local', version: '4.2.1' }],
      lookupService: [{ url: 'https://vc.corp.local/lookupservice/sdk' }],
    },
    services: [{ name: 'appengine', result: 'RUNNING' }],
    ...over,
  };
}

export function healthyCloud(over: Partial<Inventory> = {}): Inventory {
  const common = hcxCommon();
  return {
    ...emptyInventory(CLOUD_REF, COLLECTED_AT),
    reachability: { hybridity: { ok: true } },
    arm: {
      subscriptionId: '00000000-0000-0000-0000-000000000001',
      resourceGroup: 'rg-avs',
      privateCloudName: 'pc-weu-1',
      location: 'westeurope',
      provisioningState: 'Succeeded',
      hcxCloudManagerUrl: 'https://hcx.abc.westeurope.avs.azure.com/',
      hcxAddon: { offer: 'VMware MaaS Cloud Provider (Enterprise)', provisioningState: 'Succeeded' },
      enterpriseSites: [{ name: 'site-unused', keyLast4: 'ZZ99', status: 'Available' }],
      // The schedule was read and nothing is scheduled (issue 16).
      maintenance: { windows: [], problems: [] },
    },
    ...common,
    manager: { ...common.manager, build: '24972693' },
    sitePairs: [],
    ...over,
  };
}

export function emptyConnector(): Inventory {
  return emptyInventory(CONNECTOR_REF, COLLECTED_AT);
}

export function emptyCloud(): Inventory {
  return emptyInventory(CLOUD_REF, COLLECTED_AT);
}

export function fact(targetId: string, value: string, over: Partial<Fact> = {}): Fact {
  return {
    targetId,
    name: 'upgradedTo411At',
    value,
    setBy: 'ops@example.com',
    setAt: '2026-01-05T10:00:00Z',
    source: 'cli',
    ...over,
  };
}

export function observation(version: string, firstSeenAt: string, lastSeenAt: string): VersionObservation {
  return { version, firstSeenAt, lastSeenAt };
}

/** A rule context at `asOf` (default HEALTHY_AS_OF), with a fresh successful collection on record. */
export function ctxAt(asOf: string = HEALTHY_AS_OF, over: Omit<RuleContextInput, 'asOf'> = {}): RuleContext {
  const history: Partial<TargetHistory> = { lastSuccessfulCollectionAt: COLLECTED_AT, ...over.history };
  return defaultRuleContext({ ...over, asOf, history });
}
