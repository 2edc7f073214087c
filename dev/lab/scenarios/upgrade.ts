import type { LabMaintenance, LabPlannedMaintenance, LabScenario } from '../types';
import { ENTERPRISE_OFFER, meshSide, SERVICES_CORE } from './builders';

export const UPGRADE_SUBSCRIPTION = '16161616-aaaa-4bbb-8ccc-161616161616';

/**
 * One private cloud on 4.11.2 paired with one Connector on 4.11.3 over one Service Mesh, everything healthy: the
 * estate the upgrade-window tests and `hcxmon watch` drive with `lab.upgradeManager('avs-up', …)` (issue 16).
 */
export function upgradeScenario(
  opts: { wanOpt?: boolean; maintenances?: LabMaintenance[]; plannedMaintenance?: LabPlannedMaintenance[] } = {},
): LabScenario {
  const services = opts.wanOpt ? [...SERVICES_CORE, 'WANOPT'] : SERVICES_CORE;
  const cloud = meshSide({
    meshId: 'sm-up',
    meshName: 'sm-up',
    localId: 'avs-up',
    remoteId: 'dc-up',
    remoteName: 'hcx-connector-dc-up',
    services,
    version: '4.11.2',
    initiator: false,
  });
  const onprem = meshSide({
    meshId: 'sm-up',
    meshName: 'sm-up',
    localId: 'dc-up',
    remoteId: 'avs-up',
    remoteName: 'hcx-cloud-avs-up',
    services,
    version: '4.11.3',
    initiator: true,
  });
  const extension = {
    stretchId: 'ext-up-1',
    networkName: 'app-vlan-10',
    applianceId: 'sm-up-avs-up-NE-1',
    applianceName: 'sm-up-NE-R1',
    state: 'EXTENDED',
    creationDate: '2026-11-15T08:00:00Z',
  };
  return {
    name: 'upgrade',
    description: 'A cloud on 4.11.2 paired with a Connector on 4.11.3: Microsoft upgrades the cloud during a window.',
    subscriptions: [
      {
        id: UPGRADE_SUBSCRIPTION,
        plannedMaintenance: opts.plannedMaintenance,
        clouds: [
          {
            id: 'avs-up',
            name: 'avs-up',
            resourceGroup: 'rg-up',
            location: 'westeurope',
            hcxAddon: { offer: ENTERPRISE_OFFER },
            maintenances: opts.maintenances,
            manager: {
              name: 'hcx-cloud-avs-up',
              version: '4.11.2',
              sitePairs: [{ remoteManagerId: 'dc-up' }],
              serviceMeshes: [cloud.mesh],
              appliances: cloud.appliances,
              extensions: [extension],
            },
          },
        ],
      },
    ],
    connectors: [
      {
        id: 'dc-up',
        manager: {
          name: 'hcx-connector-dc-up',
          version: '4.11.3',
          sitePairs: [{ remoteManagerId: 'avs-up' }],
          serviceMeshes: [onprem.mesh],
          appliances: onprem.appliances,
        },
      },
    ],
  };
}
