/**
 * Inventories that between them make every rule say each of its verdicts: the healthy targets, a Connector and a
 * cloud with something wrong in every family, nothing collected, a cloud without the HCX add-on, and a private cloud
 * seen by ARM only. Shared by the fail-closed property and the four-verdicts test.
 */
import type { Inventory } from '../../../lib/domain/inventory';
import type { RuleContext } from '../../../lib/rules/types';
import {
  appliance,
  ctxAt,
  emptyCloud,
  emptyConnector,
  extension,
  haGroup,
  healthyCloud,
  healthyConnector,
  mesh,
  neAppliance,
  observation,
  sitePair,
} from '../../support/inventoryBuilder';

export const BASES: Inventory[] = [
  healthyConnector(),
  healthyCloud(),
  // A Connector with something wrong in every family, so there are fails and unknowns to protect.
  healthyConnector({
    manager: { version: '4.10.3' },
    licensing: { model: 'activation-key', keyLast4: 'WXYZ', activationServerUrl: 'https://connect.hcx.vmware.com' },
    sitePairs: [
      sitePair({ status: 'DEGRADED', remoteVersion: '4.11.3' }),
      sitePair({ id: 'p2', remoteVersion: 'N/A' }),
    ],
    serviceMeshes: [
      mesh({ services: ['INTERCONNECT', 'WANOPT', 'NETWORK_EXTENSION'], lastTask: { status: 'QUEUED' } }),
      mesh({ id: 'mesh-2', name: 'sm-2', state: 'UPDATE_FAILED', neApplianceCount: 1 }),
    ],
    appliances: [
      appliance({ state: 'DOWN', tunnelActive: 1 }),
      neAppliance(1, { version: '4.2.0' }),
      neAppliance(2, { serviceMeshId: 'mesh-2', state: 'DEPLOYING' }),
      appliance({ id: 'wo', name: 'wo', type: 'HCX-WAN-OPT', serviceMeshId: undefined }),
    ],
    tunnelMetrics: [{ applianceId: 'app-ix-1', tunnelTotal: 2, tunnelActive: 0 }],
    haGroups: [haGroup({ members: [{ applianceId: 'app-ne-1' }, { applianceId: 'app-ne-2', role: 'STANDBY' }] })],
    extensions: [extension({ haGroupId: undefined, applianceId: 'app-ne-9', createdAt: '2025-01-01T00:00:00Z' })],
    migrations: [{ id: 'm1', state: 'MIGRATING', type: 'V2T' }, { id: 'm2' }],
    replicationSummary: {
      active: { outgoing: 1, incoming: 0 },
      configuring: { outgoing: 0, incoming: 0 },
      recovering: { outgoing: 0, incoming: 0 },
      syncing: { outgoing: 0, incoming: 0 },
    },
    hcxAlerts: [{ id: 'x', severity: 'CRITICAL', message: 'boom' }],
    registrations: {
      vcenter: [{ url: 'https://vc.corp.local', version: '6.7.0' }],
      nsx: [{ url: 'https://nsx', version: '6.4.1' }],
      lookupService: [],
    },
    services: [{ name: 'appengine', result: 'STOPPED' }],
  }),
  healthyCloud({
    arm: {
      ...healthyCloud().arm!,
      hcxAddon: { offer: 'VMware MaaS Cloud Provider' },
      enterpriseSites: [
        { name: 's1', keyLast4: 'AAAA', status: 'Consumed' },
        { name: 's2', keyLast4: 'BBBB' },
      ],
    },
    manager: { version: '4.11.0' },
  }),
];

export const CORPUS_CTX: RuleContext = ctxAt('2026-03-01T06:00:00Z', {
  history: { versions: [observation('4.11.0', '2025-08-01T00:00:00Z', '2026-03-01T00:00:00Z')] },
});

export const UPGRADED_CTX: RuleContext = ctxAt(undefined, {
  history: {
    versions: [observation('4.11.2', '2026-01-01T00:00:00Z', '2026-02-01T05:00:00Z'), observation('4.11.3', '2026-02-02T05:00:00Z', '2026-02-02T05:00:00Z')],
    upgrades: [
      { fromVersion: '4.11.2', toVersion: '4.11.3', lastSeenFromAt: '2026-02-01T05:00:00Z', firstSeenToAt: '2026-02-02T05:00:00Z', extensionsBefore: 0 },
    ],
  },
});

export const CORPUS: { inv: Inventory; ctx: RuleContext }[] = [
  ...BASES.map((inv) => ({ inv, ctx: CORPUS_CTX })),
  { inv: emptyConnector(), ctx: ctxAt() },
  { inv: emptyCloud(), ctx: ctxAt() },
  { inv: healthyCloud({ arm: { ...healthyCloud().arm!, hcxAddon: null } }), ctx: ctxAt() },
  { inv: healthyCloud({ haGroups: [haGroup({ groupState: 'FAILED' })] }), ctx: ctxAt() },
  // Below 4.4.0: the .local DNS issue, with and without .local registrations.
  { inv: healthyConnector({ manager: { version: '4.3.2' } }), ctx: ctxAt() },
  {
    inv: healthyConnector({
      manager: { version: '4.3.2' },
      registrations: {
        vcenter: [{ url: 'https://vc.corp.example', version: '8.0.3' }],
        nsx: [],
        lookupService: [{ url: 'https://vc.corp.example' }],
      },
    }),
    ctx: ctxAt(),
  },
  // Unreachable now, last success long ago / never.
  {
    inv: {
      ...emptyConnector(),
      reachability: { hybridity: { ok: false, errorClass: 'timeout', message: 'login: timeout after 30000 ms' } },
      issues: [{ source: 'hcx', call: 'login', errorClass: 'timeout', message: 'login: timeout after 30000 ms' }],
    },
    ctx: ctxAt('2026-03-10T06:00:00Z'),
  },
  { inv: emptyConnector(), ctx: ctxAt(undefined, { history: { lastSuccessfulCollectionAt: undefined } }) },
  // After an observed upgrade to 4.11.3 (issue 16): converged, a mesh out of sync, and nothing collected.
  { inv: healthyCloud(), ctx: UPGRADED_CTX },
  { inv: healthyCloud({ serviceMeshes: [mesh({ state: 'OUT_OF_SYNC' })] }), ctx: UPGRADED_CTX },
  { inv: emptyCloud(), ctx: UPGRADED_CTX },
  // A maintenance window scheduled (issue 16): nothing in the way, and WAN Optimization blocking the gate.
  { inv: healthyCloud({ arm: { ...healthyCloud().arm!, maintenance: { windows: [], problems: [] } } }), ctx: ctxAt() },
  {
    inv: healthyCloud({
      arm: { ...healthyCloud().arm!, maintenance: { windows: [{ source: 'avs-maintenance', id: 'm1', title: 'HCX upgrade', startsAt: '2026-03-10T22:00:00.000Z' }], problems: [] } },
      serviceMeshes: [mesh({ services: ['INTERCONNECT', 'WANOPT'] })],
    }),
    ctx: ctxAt(),
  },
];
