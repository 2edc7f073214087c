import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { LabApplianceMgmt, LabManagerState, ManagerRole, ManagerSpec } from './types';

/** A password that looks like one and is unique per lab: the tests use them as leak canaries. */
export function labPassword(): string {
  return `Lab!${randomBytes(12).toString('base64url')}`;
}

/** `yyyyMMddHHmmssSSS-<uuid>`, the HCX endpointId format (hcx-api.md §2.5). */
export function endpointIdFor(seed: string, when = new Date('2025-06-06T14:18:04.337Z')): string {
  const ts = when.toISOString().replace(/[-:TZ.]/g, '');
  // Deterministic per id so that scenarios can name a remote endpoint before the lab starts.
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${ts}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const CLOUD_BUILD = '24972693';
export const CONNECTOR_BUILD = '24972695';

export function buildManagerState(
  id: string,
  role: ManagerRole,
  spec: ManagerSpec,
  username?: string,
): LabManagerState {
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    throw new Error(`lab: manager id "${id}" must be URL-safe (letters, digits, . _ -)`);
  const clone = structuredClone(spec);
  const state: LabManagerState = {
    id,
    role,
    name: clone.name ?? (role === 'cloud' ? `hcx-cloud-${id}` : `hcx-connector-${id}`),
    version: clone.version,
    build: clone.build ?? (role === 'cloud' ? CLOUD_BUILD : CONNECTOR_BUILD),
    endpointId: clone.endpointId ?? endpointIdFor(id),
    username:
      username ?? clone.username ?? (role === 'cloud' ? 'cloudadmin@vsphere.local' : 'administrator@vsphere.local'),
    password: labPassword(),
    sitePairs: clone.sitePairs ?? [],
    serviceMeshes: clone.serviceMeshes ?? [],
    appliances: clone.appliances ?? [],
    haGroups: clone.haGroups ?? [],
    extensions: clone.extensions ?? [],
    migrations: clone.migrations ?? [],
    migrationQueryVariant: clone.migrationQueryVariant ?? 'rows',
    migrationPageSize: clone.migrationPageSize,
    metricsPageSize: clone.metricsPageSize,
    metricsUnsupported: clone.metricsUnsupported,
    replicationSummary: clone.replicationSummary ?? {
      activeReplicationCnt: { outgoing: 0, incoming: 0 },
      configuringReplicationCnt: { outgoing: 0, incoming: 0 },
      recoveringReplicationCnt: {},
      syncingReplicationCnt: { outgoing: 0 },
    },
    alerts: clone.alerts,
    faults: clone.faults ?? {},
  };
  if (role === 'connector' && clone.applianceMgmt) state.applianceMgmt = buildApplianceMgmt(clone.applianceMgmt);
  return state;
}

function buildApplianceMgmt(spec: NonNullable<ManagerSpec['applianceMgmt']>): LabApplianceMgmt {
  return {
    adminPassword: labPassword(),
    licenses: spec.licenses,
    activation: spec.activation,
    activationStatus: spec.activationStatus ?? {
      activationType: 'standalone',
      activationStatus: 'activated',
      activationDone: true,
    },
    vcenter: spec.vcenter ?? [
      {
        url: 'https://vcsa-01.corp.example',
        name: 'vcsa-01.corp.example',
        version: '8.0.3',
        buildNumber: '24322831',
        userName: 'administrator@vsphere.local',
        UUID: randomUUID(),
      },
    ],
    nsx: spec.nsx ?? [],
    lookupservice: spec.lookupservice ?? [
      { url: 'https://vcsa-01.corp.example/lookupservice/sdk', UUID: randomUUID() },
    ],
    components: spec.components ?? { appengine: 'RUNNING', web: 'RUNNING', planengine: 'RUNNING' },
  };
}
