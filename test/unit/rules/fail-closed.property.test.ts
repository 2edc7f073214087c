/**
 * Fail closed, as a property: losing any collected part of an Inventory (a call that failed this scan) never turns a
 * verdict that was not `pass` into a `pass`. Bases are varied inventories with real fails and unknowns in them.
 */
import fc from 'fast-check';
import type { Evaluation } from '../../../lib/domain/evaluation';
import type { Inventory } from '../../../lib/domain/inventory';
import { evaluateTarget } from '../../../lib/rules';
import {
  appliance,
  ctxAt,
  extension,
  haGroup,
  healthyCloud,
  healthyConnector,
  mesh,
  neAppliance,
  observation,
  sitePair,
} from '../../support/inventoryBuilder';

/** Every part a collection fills: removing one models that call failing (its field left `undefined`). */
const PARTS = [
  'manager',
  'sitePairs',
  'serviceMeshes',
  'appliances',
  'tunnelMetrics',
  'haGroups',
  'extensions',
  'migrations',
  'replicationSummary',
  'hcxAlerts',
  'licensing',
  'registrations',
  'services',
  'arm.hcxAddon',
  'arm.enterpriseSites',
  'arm.provisioningState',
] as const;
type Part = (typeof PARTS)[number];

function without(inv: Inventory, parts: readonly Part[]): Inventory {
  const out: Inventory = structuredClone(inv);
  for (const p of parts) {
    if (p.startsWith('arm.')) {
      if (out.arm) delete (out.arm as unknown as Record<string, unknown>)[p.slice(4)];
    } else delete (out as unknown as Record<string, unknown>)[p];
  }
  return out;
}

const BASES: Inventory[] = [
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

const key = (e: Evaluation) => `${e.ruleId}|${e.subjectId}`;

describe('fail closed: removing collected parts never turns a fail or unknown into a pass (or not applicable)', () => {
  const ctx = ctxAt('2026-03-01T06:00:00Z', {
    history: { versions: [observation('4.11.0', '2025-08-01T00:00:00Z', '2026-03-01T00:00:00Z')] },
  });

  test('the bases carry fails and unknowns (so the property has something to protect)', () => {
    const all = BASES.flatMap((b) => evaluateTarget(b, ctx));
    expect(all.filter((e) => e.status === 'fail').length).toBeGreaterThan(20);
    expect(all.filter((e) => e.status === 'unknown').length).toBeGreaterThan(3);
  });

  test('property', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: BASES.length - 1 }),
        fc.subarray([...PARTS], { minLength: 1 }),
        (b, parts) => {
          const before = new Map(evaluateTarget(BASES[b], ctx).map((e) => [key(e), e.status]));
          for (const e of evaluateTarget(without(BASES[b], parts), ctx)) {
            const was = before.get(key(e));
            if (was === 'fail' || was === 'unknown') {
              if (e.status === 'pass' || e.status === 'not_applicable')
                throw new Error(`${key(e)} was ${was}, became ${e.status} without ${parts.join(', ')}: ${e.message}`);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
