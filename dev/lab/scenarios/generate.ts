import type { LabCloudSpec, LabConnectorSpec, LabScenario, ManagerSpec } from '../types';
import { ENTERPRISE_OFFER, SERVICES_CORE, haGroupFor, meshSide } from './builders';

export interface GenerateEstateOptions {
  /** Share of targets that are connectors (0..1); default 0.3. */
  connectorShare?: number;
  /** Private clouds per subscription; default 25. */
  cloudsPerSubscription?: number;
  /** Added latency for every manager (hybridity and 9443), in ms. */
  latencyMs?: number;
  /** privateClouds.listInSubscription page size; default 10. */
  armPageSize?: number;
  /** Seed for the deterministic mix of versions and features; default 1. */
  seed?: number;
}

const VERSIONS = ['4.11.3', '4.11.3', '4.11.3', '4.11.2', '4.11.1', '4.10.3', '4.9.2'];

/** Small deterministic PRNG (mulberry32): the same n and seed give the same estate (the fault suite replays with it too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function subscriptionId(i: number): string {
  return `5ab0c0de-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/**
 * An estate of `n` targets for benchmarks: private clouds spread over subscriptions and connectors paired with
 * them, each with a mesh and appliances and a deterministic mix of versions, WAN-Opt, DR, migrations and HA.
 */
export function generateEstate(n: number, opts: GenerateEstateOptions = {}): LabScenario {
  if (!Number.isInteger(n) || n < 1) throw new Error('generateEstate: n must be a positive integer');
  const r = rng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const nConnectors = Math.min(n - 1, Math.round(n * (opts.connectorShare ?? 0.3)));
  const nClouds = n - nConnectors;
  const perSub = Math.max(1, opts.cloudsPerSubscription ?? 25);
  const faults = opts.latencyMs ? { latencyMs: opts.latencyMs } : {};

  const scenario: LabScenario = {
    name: `generated-${n}`,
    subscriptions: [],
    connectors: [],
    armPageSize: opts.armPageSize ?? 10,
  };
  const cloudIds: string[] = [];
  for (let i = 0; i < nClouds; i++) {
    const subIndex = Math.floor(i / perSub);
    if (!scenario.subscriptions[subIndex])
      scenario.subscriptions[subIndex] = { id: subscriptionId(subIndex + 1), clouds: [] };
    const id = `gen-cloud-${String(i + 1).padStart(5, '0')}`;
    cloudIds.push(id);
    const version = pick(VERSIONS);
    const services = r() < 0.15 ? [...SERVICES_CORE, 'WANOPT'] : [...SERVICES_CORE];
    const ha = r() < 0.5;
    const side = meshSide({
      meshId: `sm-${id}`,
      meshName: `sm-${id}`,
      localId: id,
      remoteId: `remote-${id}`,
      remoteName: `remote-${id}`,
      services,
      version,
      initiator: false,
      neCount: ha ? 2 : 1,
    });
    const manager: ManagerSpec = {
      version,
      serviceMeshes: [side.mesh],
      appliances: side.appliances,
      haGroups: ha ? [haGroupFor(side)] : [],
      faults: { ...faults },
      alerts: [],
    };
    const cloud: LabCloudSpec = {
      id,
      name: id,
      resourceGroup: `rg-${subIndex + 1}`,
      location: pick(['westeurope', 'northeurope', 'eastus', 'uksouth']),
      hcxAddon: { offer: ENTERPRISE_OFFER },
      enterpriseSites: [
        {
          name: `site-${i + 1}`,
          activationKey: `${(i + 1).toString(16).padStart(8, '0').toUpperCase()}A1B2C3D4E5F6A7B8C9D0E1F2`,
          status: pick(['Available', 'Consumed']),
        },
      ],
      manager,
    };
    scenario.subscriptions[subIndex].clouds.push(cloud);
  }
  for (let i = 0; i < nConnectors; i++) {
    const id = `gen-conn-${String(i + 1).padStart(5, '0')}`;
    const cloud = cloudIds[i % cloudIds.length];
    const version = pick(VERSIONS);
    const dr = r() < 0.2;
    const services = dr ? [...SERVICES_CORE, 'DISASTER_RECOVERY'] : [...SERVICES_CORE];
    const side = meshSide({
      meshId: `sm-${id}`,
      meshName: `sm-${id}`,
      localId: id,
      remoteId: cloud,
      remoteName: `hcx-cloud-${cloud}`,
      services,
      version,
      initiator: true,
      build: 24972695,
    });
    const connector: LabConnectorSpec = {
      id,
      manager: {
        version,
        sitePairs: [{ remoteManagerId: cloud }],
        serviceMeshes: [side.mesh],
        appliances: side.appliances,
        migrations:
          r() < 0.3
            ? [{ migrationId: `mig-${id}`, migrationType: 'vMotion', state: 'MIGRATING', entityName: `vm-${i + 1}` }]
            : [],
        migrationQueryVariant: r() < 0.5 ? 'rows' : 'items',
        replicationSummary: dr
          ? {
              activeReplicationCnt: { outgoing: 2 },
              configuringReplicationCnt: {},
              recoveringReplicationCnt: {},
              syncingReplicationCnt: {},
            }
          : undefined,
        faults: { ...faults },
        applianceMgmt: {
          licenses: version.startsWith('4.11') ? [] : undefined,
          activation: {
            url: 'https://connect.hcx.vmware.com',
            activationKey: `${(i + 1).toString(16).padStart(8, '0').toUpperCase()}FFEEDDCCBBAA99887766554433`,
          },
        },
      },
    };
    scenario.connectors.push(connector);
  }
  return scenario;
}
