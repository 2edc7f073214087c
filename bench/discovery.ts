/**
 * Discovery at tenant scale (issue 15): an estate of 500 subscriptions holding 700 private clouds, discovered once
 * through Resource Graph (the subscription list, paged 50 a page as ARM pages it, read alongside the paged query)
 * and once through the per-subscription ARM listing, in
 * one run against the lab over HTTPS with a modelled ARM round trip. Prints ARM calls and wall time of each path
 * and their ratio. Numbers, never assertions. `node dist/bench/discovery.js` runs it alone.
 */
import { startLab } from '../dev/lab';
import type { LabScenario } from '../dev/lab/types';
import { armThrottleStats, createArmClientFactory, discoverTargets } from '../lib/collect/avs';
import { createArmRest, discoverEstate } from '../lib/collect/discovery';
import { loadConfig } from '../lib/config';
import { round } from './support';

export interface DiscoveryBenchResult {
  subscriptions: number;
  clouds: number;
  armLatencyMs: number;
  /** `listPages`: GET /subscriptions pages (the lab pages the list 50 a page, as ARM does), read alongside the query. */
  graph: { armCalls: number; wallMs: number; found: number; pages: number; listPages: number };
  perSubscription: { armCalls: number; wallMs: number; found: number };
  /**
   * The same estate through Resource Graph under the two scopes that need no subscription list: the 500 ids
   * configured (`subscriptions:`) and the management group above them (`managementGroup:`).
   */
  scoped: { scope: string; armCalls: number; wallMs: number; found: number; pages: number }[];
  /** perSubscription / graph. */
  callRatio: number;
  wallRatio: number;
}

function subscriptionId(i: number): string {
  return `5ab5c000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/** `subs` subscriptions, the first `clouds - subs` of them with two clouds, the rest with one. */
export function discoveryEstate(subs: number, clouds: number): LabScenario {
  const doubles = Math.max(0, Math.min(subs, clouds - subs));
  return {
    name: `discovery-${subs}x${clouds}`,
    connectors: [],
    // ARM's own page size for this listing is not documented; 50 keeps every subscription to one call.
    armPageSize: 50,
    subscriptions: Array.from({ length: subs }, (_, i) => ({
      id: subscriptionId(i + 1),
      clouds: Array.from({ length: i < doubles ? 2 : 1 }, (_, j) => ({
        id: `bench-${i + 1}-${j + 1}`,
        name: `avs-bench-${i + 1}-${j + 1}`,
        resourceGroup: `rg-${i + 1}`,
        hcxAddon: null,
      })),
    })),
  };
}

export async function benchDiscovery(
  opts: { subscriptions?: number; clouds?: number; armLatencyMs?: number } = {},
): Promise<DiscoveryBenchResult> {
  const subs = opts.subscriptions ?? 500;
  const clouds = opts.clouds ?? 700;
  const armLatencyMs = opts.armLatencyMs ?? 50;
  const lab = await startLab({ scenario: discoveryEstate(subs, clouds) });
  try {
    lab.setArmFaults({ latencyMs: armLatencyMs });
    // Counted client-side (every ARM request, Resource Graph's included, passes the ARM limits policy): the lab
    // records a request only when its response closes, which can lag the caller's return.
    const armCalls = (): number => armThrottleStats.requests;

    const tenant = loadConfig({ ...lab.env, HCXMON_SUBSCRIPTION_IDS: undefined, HCXMON_DISCOVERY_SCOPE: 'tenant' });
    let before = armCalls();
    let t0 = performance.now();
    const viaGraph = await discoverEstate(tenant, { rest: createArmRest(tenant) });
    const graphWall = performance.now() - t0;
    const graphCalls = armCalls() - before;

    const scoped: DiscoveryBenchResult['scoped'] = [];
    for (const scope of [`subscriptions:${lab.env.HCXMON_SUBSCRIPTION_IDS}`, 'managementGroup:lab-root']) {
      const config = loadConfig({ ...lab.env, HCXMON_SUBSCRIPTION_IDS: undefined, HCXMON_DISCOVERY_SCOPE: scope });
      const b = armCalls();
      const t = performance.now();
      const r = await discoverEstate(config, { rest: createArmRest(config) });
      scoped.push({
        scope: scope.split(':')[0],
        armCalls: armCalls() - b,
        wallMs: round(performance.now() - t),
        found: r.targets.length,
        pages: r.stats.graphPages,
      });
    }

    const listed = loadConfig(lab.env);
    before = armCalls();
    t0 = performance.now();
    const viaArm = await discoverTargets(listed, { armClients: createArmClientFactory(listed) });
    const armWall = performance.now() - t0;
    const perSubCalls = armCalls() - before;

    return {
      subscriptions: subs,
      clouds,
      armLatencyMs,
      graph: {
        armCalls: graphCalls,
        wallMs: round(graphWall),
        found: viaGraph.targets.length,
        pages: viaGraph.stats.graphPages,
        listPages: viaGraph.stats.subscriptionListCalls,
      },
      perSubscription: { armCalls: perSubCalls, wallMs: round(armWall), found: viaArm.targets.length },
      scoped,
      callRatio: round(perSubCalls / Math.max(1, graphCalls)),
      wallRatio: round(armWall / Math.max(1, graphWall)),
    };
  } finally {
    await lab.stop();
  }
}

export function discoveryLines(r: DiscoveryBenchResult): string[] {
  return [
    `discovery of ${r.subscriptions} subscriptions / ${r.clouds} private clouds (${r.armLatencyMs} ms per ARM round trip):`,
    `  Resource Graph, tenant:        ${r.graph.armCalls} ARM calls (${r.graph.listPages} subscription-list pages alongside ${r.graph.pages} query pages), ${r.graph.wallMs} ms, ${r.graph.found} clouds (target ≤ 3 calls: ${r.graph.armCalls <= 3 ? 'met' : 'MISSED'})`,
    ...r.scoped.map(
      (x) =>
        `${`  Resource Graph, ${x.scope}:`.padEnd(33)}${x.armCalls} ARM calls (${x.pages} query pages, no subscription list), ${x.wallMs} ms, ${x.found} clouds (target ≤ 3 calls: ${x.armCalls <= 3 ? 'met' : 'MISSED'})`,
    ),
    `  per-subscription (ARM):        ${r.perSubscription.armCalls} ARM calls, ${r.perSubscription.wallMs} ms, ${r.perSubscription.found} clouds`,
    `  ratio (tenant):                ${r.callRatio}× fewer calls, ${r.wallRatio}× less wall time`,
  ];
}

if (require.main === module) {
  benchDiscovery()
    .then((r) => {
      for (const l of discoveryLines(r)) console.log(l);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
