import { endpointIdFor } from '../state';
import type { LabAppliance, LabHaGroup, LabServiceMesh } from '../types';

/** Helpers that keep scenario files short: one side of a service mesh with its appliances. */

export interface MeshSideOptions {
  meshId: string;
  meshName: string;
  /** The manager this side lives on (id is only used to name appliances). */
  localId: string;
  /** The remote site: another lab manager id (its endpointId is derived the same way) or any name. */
  remoteId: string;
  remoteName: string;
  services: string[];
  /** Version of every appliance unless overridden. */
  version: string;
  build?: number;
  initiator: boolean;
  /** Network Extension appliances (default 1; 2 for an HA pair). */
  neCount?: number;
  /** Per-appliance overrides by role, e.g. `{ 'NE-2': { version: '4.11.1', updateAvailable: true } }`. */
  overrides?: Record<string, Partial<LabAppliance>>;
  state?: string;
  serviceStatuses?: Record<string, string>;
}

export interface MeshSide {
  mesh: LabServiceMesh;
  appliances: LabAppliance[];
}

export function meshSide(o: MeshSideOptions): MeshSide {
  const build = o.build ?? 24972693;
  const side = o.initiator ? 'I' : 'R';
  const mk = (role: string, type: string, extra: Partial<LabAppliance> = {}): LabAppliance => ({
    applianceId: `${o.meshId}-${o.localId}-${role}`,
    applianceType: type,
    applianceName: `${o.meshName}-${role.replace(/-\d+$/, '')}-${side}${role.match(/\d+$/)?.[0] ?? '1'}`,
    serviceMeshId: o.meshId,
    version: o.version,
    build,
    state: 'UP',
    tunnelTotal: 2,
    tunnelActive: 2,
    updateAvailable: false,
    networkExtensionCount: 0,
    ...extra,
    ...o.overrides?.[role],
  });
  const appliances = [mk('IX-1', 'HCX-WAN-IX')];
  if (o.services.includes('NETWORK_EXTENSION')) {
    for (let i = 1; i <= (o.neCount ?? 1); i++) appliances.push(mk(`NE-${i}`, 'HCX-NET-EXT'));
  }
  if (o.services.includes('WANOPT')) appliances.push(mk('WO-1', 'HCX-WAN-OPT', { tunnelTotal: 0, tunnelActive: 0 }));
  return {
    mesh: {
      serviceMeshId: o.meshId,
      name: o.meshName,
      state: o.state ?? 'COMMITTED',
      services: [...o.services],
      serviceStatuses: o.serviceStatuses,
      updateAvailable: appliances.some((a) => a.updateAvailable),
      remoteEndpointId: endpointIdFor(o.remoteId),
      remoteEndpointName: o.remoteName,
      isInitiator: o.initiator,
      neApplianceCount: o.services.includes('NETWORK_EXTENSION') ? (o.neCount ?? 1) : 0,
    },
    appliances,
  };
}

/** An NE HA group over the first two NE appliances of a mesh side (Active/Standby, healthy unless told). */
export function haGroupFor(side: MeshSide, groupState = 'HEALTHY', availabilityState = 'AVAILABLE'): LabHaGroup {
  const ne = side.appliances.filter((a) => a.applianceType === 'HCX-NET-EXT').slice(0, 2);
  if (ne.length < 2) throw new Error(`lab scenario: mesh ${side.mesh.name} needs two NE appliances for an HA group`);
  return {
    groupId: `ha-${side.mesh.serviceMeshId}`,
    name: `${side.mesh.name}-ha-1`,
    serviceMeshId: side.mesh.serviceMeshId,
    members: [
      { applianceId: ne[0].applianceId, applianceName: ne[0].applianceName, role: 'ACTIVE' },
      { applianceId: ne[1].applianceId, applianceName: ne[1].applianceName, role: 'STANDBY' },
    ],
    groupState,
    availabilityState,
  };
}

export const SERVICES_CORE = ['INTERCONNECT', 'VMOTION', 'BULK_MIGRATION', 'RAV', 'NETWORK_EXTENSION'];
export const ENTERPRISE_OFFER = 'VMware MaaS Cloud Provider (Enterprise)';
