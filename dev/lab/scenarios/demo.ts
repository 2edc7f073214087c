import { randomUUID } from 'node:crypto';
import type { LabScenario } from '../types';
import { ENTERPRISE_OFFER, SERVICES_CORE, haGroupFor, meshSide } from './builders';

/**
 * The default demo estate (two subscriptions, five private clouds, three on-premises connectors):
 *
 *  prod subscription (3 clouds, so a page size of 1 pages three times)
 *   (a) avs-prod-weu     4.11.3, compliant: healthy mesh without WAN-Opt, healthy NE HA group, no migrations
 *   (b) avs-legacy-neu   4.11.2, WAN-Opt in its mesh with onprem-dc1 (+ a WAN-Opt appliance), a Consumed site key
 *       avs-sandbox-weu  no HCX add-on
 *  dr subscription
 *       avs-dr-eus       4.11.3, DR mesh with onprem-dc2
 *       avs-failed-eus   HCX add-on whose provisioning failed
 *  connectors
 *   (c) onprem-dc1  4.10.3, legacy activation via connect.hcx.vmware.com, NSX-V 6.4, paired with (b)
 *   (d) onprem-dc2  4.11.3, DR replications, extension without NE HA, an appliance behind its manager,
 *                   a migration in MIGRATING, legacy activation key with an activationStatus expiry
 *   (e) onprem-dc3  unreachable (its address refuses connections)
 */

export const DEMO_SUBSCRIPTIONS = {
  prod: '6f1c2a4e-3b7d-4c1e-9a2f-5d8e7b6c1a01',
  dr: '0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c02',
} as const;

/** Upgrade of onprem-dc2 to 4.11.0 (2025-10-01) + 450 days: the key stops working on 2026-12-25. */
export const DEMO_DC2_ACTIVATION_EXPIRY = Date.UTC(2026, 11, 25);

export function demoScenario(): LabScenario {
  // (a) a mesh to a connector the customer has not configured for monitoring.
  const aMesh = meshSide({
    meshId: 'sm-prod-dc9',
    meshName: 'sm-prod-dc9',
    localId: 'avs-prod-weu',
    remoteId: 'dc9',
    remoteName: 'hcx-connector-dc9',
    services: SERVICES_CORE,
    version: '4.11.3',
    initiator: false,
    neCount: 2,
  });

  // (b) <-> (c): WAN-Opt on both sides.
  const wanServices = [...SERVICES_CORE, 'WANOPT'];
  const bMesh = meshSide({
    meshId: 'sm-dc1-legacy',
    meshName: 'sm-dc1-legacy',
    localId: 'avs-legacy-neu',
    remoteId: 'onprem-dc1',
    remoteName: 'hcx-connector-dc1',
    services: wanServices,
    version: '4.11.2',
    initiator: false,
  });
  const cMesh = meshSide({
    meshId: 'sm-dc1-legacy',
    meshName: 'sm-dc1-legacy',
    localId: 'onprem-dc1',
    remoteId: 'avs-legacy-neu',
    remoteName: 'hcx-cloud-legacy-neu',
    services: wanServices,
    version: '4.10.3',
    build: 24305206,
    initiator: true,
  });

  // avs-dr-eus <-> (d): Disaster Recovery, one NE appliance (no HA), the connector's NE one patch behind.
  const drServices = ['INTERCONNECT', 'VMOTION', 'BULK_MIGRATION', 'NETWORK_EXTENSION', 'DISASTER_RECOVERY'];
  const drCloudMesh = meshSide({
    meshId: 'sm-dc2-dr',
    meshName: 'sm-dc2-dr',
    localId: 'avs-dr-eus',
    remoteId: 'onprem-dc2',
    remoteName: 'hcx-connector-dc2',
    services: drServices,
    version: '4.11.3',
    initiator: false,
  });
  const dMesh = meshSide({
    meshId: 'sm-dc2-dr',
    meshName: 'sm-dc2-dr',
    localId: 'onprem-dc2',
    remoteId: 'avs-dr-eus',
    remoteName: 'hcx-cloud-dr-eus',
    services: drServices,
    version: '4.11.3',
    build: 24972695,
    initiator: true,
    overrides: {
      'NE-1': {
        version: '4.11.1',
        build: 24781310,
        updateAvailable: true,
        availableVersion: '4.11.3',
        networkExtensionCount: 1,
      },
    },
  });
  dMesh.mesh.updateAvailable = true;

  return {
    name: 'demo',
    description: 'Two subscriptions, five private clouds, three connectors: one of each compliance story.',
    armPageSize: 2,
    subscriptions: [
      {
        id: DEMO_SUBSCRIPTIONS.prod,
        clouds: [
          {
            id: 'avs-prod-weu',
            name: 'avs-prod-weu',
            resourceGroup: 'rg-avs-prod',
            location: 'westeurope',
            hcxAddon: { offer: ENTERPRISE_OFFER },
            srmAddon: true,
            enterpriseSites: [{ name: 'dc9', activationKey: '7C1F0A2B9D3E4F5A8B6C7D8E9F0A1B2C', status: 'Available' }],
            clusters: [
              { name: 'Cluster-1', size: 3 },
              { name: 'Cluster-2', size: 4 },
            ],
            manager: {
              name: 'hcx-cloud-prod-weu',
              version: '4.11.3',
              serviceMeshes: [aMesh.mesh],
              appliances: aMesh.appliances,
              haGroups: [haGroupFor(aMesh)],
              alerts: [],
            },
          },
          {
            id: 'avs-legacy-neu',
            name: 'avs-legacy-neu',
            resourceGroup: 'rg-avs-legacy',
            location: 'northeurope',
            hcxAddon: { offer: ENTERPRISE_OFFER },
            enterpriseSites: [
              { name: 'onprem-dc1', activationKey: '0276EF1A9A1749A5A362BF73EA9F8D0D', status: 'Consumed' },
              { name: 'spare', activationKey: '5B8E2C1D4A3F4E6B9C7D1E2F3A4B5C6D', status: 'Available' },
            ],
            manager: {
              name: 'hcx-cloud-legacy-neu',
              version: '4.11.2',
              build: '24699201',
              serviceMeshes: [bMesh.mesh],
              appliances: bMesh.appliances,
              alerts: [],
            },
          },
          {
            id: 'avs-sandbox-weu',
            name: 'avs-sandbox-weu',
            resourceGroup: 'rg-avs-sandbox',
            location: 'westeurope',
            hcxAddon: null,
          },
        ],
      },
      {
        id: DEMO_SUBSCRIPTIONS.dr,
        clouds: [
          {
            id: 'avs-dr-eus',
            name: 'avs-dr-eus',
            resourceGroup: 'rg-avs-dr',
            location: 'eastus',
            hcxAddon: { offer: ENTERPRISE_OFFER },
            enterpriseSites: [
              { name: 'onprem-dc2', activationKey: '9A8B7C6D5E4F40312A1B2C3D4E5F6A7B', status: 'Consumed' },
              { name: 'old-dc', activationKey: '1F2E3D4C5B6A47988796A5B4C3D2E1F0', status: 'Deactivated' },
            ],
            manager: {
              name: 'hcx-cloud-dr-eus',
              version: '4.11.3',
              serviceMeshes: [drCloudMesh.mesh],
              appliances: drCloudMesh.appliances,
              replicationSummary: {
                activeReplicationCnt: { outgoing: 0, incoming: 3 },
                configuringReplicationCnt: {},
                recoveringReplicationCnt: { outgoing: 0, incoming: 0 },
                syncingReplicationCnt: { incoming: 1 },
              },
              alerts: [],
            },
          },
          {
            id: 'avs-failed-eus',
            name: 'avs-failed-eus',
            resourceGroup: 'rg-avs-dr',
            location: 'eastus',
            hcxAddon: { offer: ENTERPRISE_OFFER, provisioningState: 'Failed' },
          },
        ],
      },
    ],
    connectors: [
      {
        id: 'onprem-dc1',
        manager: {
          name: 'hcx-connector-dc1',
          version: '4.10.3',
          build: '24305206',
          sitePairs: [{ remoteManagerId: 'avs-legacy-neu' }],
          serviceMeshes: [cMesh.mesh],
          appliances: cMesh.appliances,
          migrations: [
            {
              migrationId: 'mig-dc1-0001',
              migrationType: 'vMotion',
              state: 'MIGRATED',
              entityName: 'web-01',
              progressPercentage: 100,
            },
          ],
          // Exercise the other variant of the unfiltered migration query.
          migrationQueryVariant: 'items',
          applianceMgmt: {
            // No /api/admin/licenses before 4.11: 404.
            licenses: undefined,
            activation: { url: 'https://connect.hcx.vmware.com', activationKey: 'D41C7E5A0B9F4E2C8A1D3F5B7C9E0A24' },
            activationStatus: { activationType: 'standalone', activationStatus: 'activated', activationDone: true },
            vcenter: [
              {
                url: 'https://vcsa-01.dc1.corp.example',
                name: 'vcsa-01.dc1.corp.example',
                version: '7.0.3',
                buildNumber: '21477706',
                userName: 'administrator@vsphere.local',
                UUID: randomUUID(),
              },
            ],
            nsx: [
              {
                url: 'https://nsxv-01.dc1.corp.example',
                version: '6.4.14',
                buildNumber: '21008026',
                userName: 'admin',
                UUID: randomUUID(),
              },
            ],
            lookupservice: [{ url: 'https://vcsa-01.dc1.corp.example/lookupservice/sdk', UUID: randomUUID() }],
          },
        },
      },
      {
        id: 'onprem-dc2',
        manager: {
          name: 'hcx-connector-dc2',
          version: '4.11.3',
          sitePairs: [{ remoteManagerId: 'avs-dr-eus' }],
          serviceMeshes: [dMesh.mesh],
          appliances: dMesh.appliances,
          extensions: [
            {
              stretchId: 'stretch-dc2-0120',
              networkName: 'VM-Net-120',
              applianceId: dMesh.appliances.find((a) => a.applianceType === 'HCX-NET-EXT')!.applianceId,
              applianceName: dMesh.appliances.find((a) => a.applianceType === 'HCX-NET-EXT')!.applianceName,
              state: 'EXTENDED',
              creationDate: '2026-09-14T08:00:00.000Z',
            },
          ],
          migrations: [
            {
              migrationId: 'mig-dc2-0001',
              migrationType: 'VR',
              state: 'MIGRATING',
              entityName: 'db-02',
              progressPercentage: 42,
            },
            {
              migrationId: 'mig-dc2-0002',
              migrationType: 'bulkVMotion',
              state: 'MIGRATED',
              entityName: 'app-07',
              progressPercentage: 100,
            },
          ],
          replicationSummary: {
            activeReplicationCnt: { outgoing: 3, incoming: 0 },
            configuringReplicationCnt: {},
            recoveringReplicationCnt: {},
            syncingReplicationCnt: { outgoing: 1 },
          },
          alerts: [
            {
              id: 'alert-dc2-1',
              severity: 'WARNING',
              message: 'Appliance sm-dc2-dr-NE-I1 has an update available',
              creationDate: '2026-11-20T06:00:00.000Z',
            },
          ],
          applianceMgmt: {
            licenses: [],
            activation: { url: 'https://connect.hcx.vmware.com', activationKey: '3E5F7A9B1C2D4E6F8A0B2C4D6E8F1A39' },
            activationStatus: {
              activationType: 'standalone',
              activationStatus: 'activated',
              activationDone: true,
              expiryTimeInMillis: DEMO_DC2_ACTIVATION_EXPIRY,
            },
            vcenter: [
              {
                url: 'https://vcsa-01.dc2.corp.example',
                name: 'vcsa-01.dc2.corp.example',
                version: '8.0.3',
                buildNumber: '24322831',
                userName: 'administrator@vsphere.local',
                UUID: randomUUID(),
              },
            ],
            nsx: [
              {
                url: 'https://nsx-01.dc2.corp.example',
                version: '4.2.1',
                buildNumber: '24304122',
                userName: 'admin',
                UUID: randomUUID(),
              },
            ],
            lookupservice: [{ url: 'https://vcsa-01.dc2.corp.example/lookupservice/sdk', UUID: randomUUID() }],
          },
        },
      },
      {
        id: 'onprem-dc3',
        manager: {
          name: 'hcx-connector-dc3',
          version: '4.11.3',
          faults: { unreachable: true },
          applianceMgmt: {},
        },
      },
    ],
  };
}
