/**
 * Verdicts the upgrade and NE HA guides demand (issue 11): each `describe` is one defect found by reviewing the
 * rules against Microsoft Learn “Upgrade HCX on Azure VMware Solution”, VMware “Upgrading the HCX Manager” and
 * Microsoft Learn “Configure HCX network extension high availability”. Every test here failed on the code before.
 */
import { evaluateReadiness } from '../../../lib/api/readiness';
import type { Inventory } from '../../../lib/domain/inventory';
import { reconcile } from '../../../lib/findings';
import { ruleById } from '../../../lib/rules';
import { readState } from '../../../lib/rules/common';
import {
  CLOUD_REF,
  COLLECTED_AT,
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

const run = (id: string, inv: Inventory, asOf?: string, over = {}) => ruleById(id)!.evaluate(inv, ctxAt(asOf, over));
const one = (id: string, inv: Inventory, asOf?: string, over = {}) => {
  const out = run(id, inv, asOf, over);
  expect(out).toHaveLength(1);
  return out[0];
};

describe('interconnect appliances down are not healthy (mesh + upgrade gate)', () => {
  const M = 'hcx-service-mesh-degraded';
  const downNoMetrics = healthyConnector({
    appliances: [appliance({ state: 'DOWN', tunnelTotal: undefined, tunnelActive: undefined })],
    tunnelMetrics: undefined,
  });

  test('COMMITTED mesh whose IX appliance reports DOWN, with no tunnel metrics → fail', () => {
    expect(one(M, downNoMetrics)).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: expect.stringMatching(/DOWN/),
    });
    expect(one(M, healthyConnector({ appliances: [appliance({ state: 'ERROR' })] })).status).toBe('fail');
  });

  test('the upgrade gate’s interconnect check fails with it', () => {
    const r = evaluateReadiness(downNoMetrics, '4.11.3');
    expect(r.checks.find((c) => c.id === 'interconnect-healthy')?.status).toBe('fail');
    expect(r.verdict).toBe('blocked');
  });

  test('tunnel metrics: active < total fails, no tunnel at all fails, a bad overall status fails', () => {
    const withMetric = (m: object) =>
      healthyConnector({
        appliances: [appliance({ tunnelTotal: undefined, tunnelActive: undefined })],
        tunnelMetrics: [{ applianceId: 'app-ix-1', serviceMeshId: 'mesh-1', ...m }],
      });
    expect(one(M, withMetric({ tunnelTotal: 2, tunnelActive: 1 }))).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/1\/2 tunnels/),
    });
    expect(one(M, withMetric({ tunnelTotal: 0, tunnelActive: 0 }))).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/no tunnel/),
    });
    expect(one(M, withMetric({ tunnelTotal: 2, tunnelActive: 2, overallStatus: 'DOWN' })).status).toBe('fail');
    expect(one(M, withMetric({ tunnelTotal: 2, tunnelActive: 2, overallStatus: 'UP' })).status).toBe('pass');
  });

  test('tunnel data nobody reported is unknown, never pass', () => {
    const noCounts = appliance({ tunnelTotal: undefined, tunnelActive: undefined });
    expect(one(M, healthyConnector({ appliances: [noCounts], tunnelMetrics: [] }))).toMatchObject({
      status: 'unknown',
      message: expect.stringMatching(/not reported/),
    });
    expect(one(M, healthyConnector({ appliances: [noCounts], tunnelMetrics: undefined })).status).toBe('unknown');
    expect(
      one(M, healthyConnector({ appliances: [noCounts], tunnelMetrics: undefined, unsupported: ['tunnelMetrics'] }))
        .status,
    ).toBe('unknown');
  });

  test('an unfamiliar appliance state is unknown unless its tunnels prove it up (hcx-api.md §14.3)', () => {
    const noCounts = { tunnelTotal: undefined, tunnelActive: undefined };
    expect(
      one(M, healthyConnector({ appliances: [appliance({ state: 'DEPLOYING', ...noCounts })], tunnelMetrics: [] }))
        .status,
    ).toBe('unknown');
    expect(one(M, healthyConnector({ appliances: [appliance({ state: 'DEPLOYED' })] })).status).toBe('pass');
    // No appliance listed for the mesh: nothing reported down, as RULES.md reads it.
    expect(one(M, healthyConnector({ appliances: [] })).status).toBe('pass');
  });

  test('a service that reports no status is unknown, not "degraded"', () => {
    const e = one(
      M,
      healthyConnector({ serviceMeshes: [mesh({ serviceStatuses: [{ name: 'INTERCONNECT', status: '' }] })] }),
    );
    expect(e.status).toBe('unknown');
  });

  test.each([
    ['PAIRED', 'healthy'],
    ['CONFIGURED', 'unknown'],
    ['REGISTERED', 'unknown'],
    ['NO_ERROR', 'healthy'],
    ['FAILED_OVER', 'bad'],
    ['NOT_CONNECTED', 'bad'],
    ['OUT_OF_SYNC', 'bad'],
    ['UPDATE_FAILED', 'bad'],
    ['Tunnel Up', 'healthy'],
    ['DEPLOYING', 'unknown'],
  ])('undocumented state %s reads as %s (whole words, never a substring)', (value, want) => {
    expect(readState(value)).toBe(want);
  });

  test('a failed last interconnect task (out of sync) fails the mesh', () => {
    expect(
      one(M, healthyConnector({ serviceMeshes: [mesh({ lastTask: { type: 'updateServiceMesh', status: 'FAILED' } })] }))
        .status,
    ).toBe('fail');
  });
});

describe('site pairs that are not healthy do not pass', () => {
  const P = 'hcx-site-pair-unhealthy';
  test.each(['DEGRADED', 'NOT_CONNECTED', 'Disconnected', 'ERROR'])('status %s → fail', (status) => {
    expect(one(P, healthyConnector({ sitePairs: [sitePair({ status })] }))).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });
  test('status UNKNOWN or an unfamiliar value → unknown, not "healthy"', () => {
    expect(one(P, healthyConnector({ sitePairs: [sitePair({ status: 'UNKNOWN' })] })).status).toBe('unknown');
    expect(one(P, healthyConnector({ sitePairs: [sitePair({ status: 'SYNCING_CONFIG' })] })).status).toBe('unknown');
  });
  test('remote version "N/A" (unreadable) → fail, agreeing with the skew rule', () => {
    const inv = healthyConnector({ sitePairs: [sitePair({ remoteVersion: 'N/A' })] });
    expect(one(P, inv)).toMatchObject({ status: 'fail', message: expect.stringMatching(/cannot be read/) });
    expect(one('hcx-site-pair-version-skew', inv).status).not.toBe('pass');
  });
  test('connected with a readable version → pass', () => {
    expect(one(P, healthyConnector({ sitePairs: [sitePair({ status: 'CONNECTED' })] })).status).toBe('pass');
  });
});

describe('activation keys that will die page someone', () => {
  const K = 'hcx-activation-key-expiry';
  const keyed = (over: Partial<Inventory> = {}) =>
    healthyConnector({ licensing: { model: 'activation-key', keyLast4: 'WXYZ' }, ...over });

  test('undatable key at >= 4.11.0 → fail high, asking for the fact with the exact command', () => {
    expect(one(K, keyed())).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: expect.stringContaining('hcxmon fact set connector:onprem-1 upgradedTo411At YYYY-MM-DD'),
    });
  });

  test('only an upper bound (first seen at 4.11.x): fail with that bound + 450 days "at the latest"', () => {
    const history = { versions: [observation('4.11.3', '2025-06-01T00:00:00Z', '2026-03-01T00:00:00Z')] };
    const e = one(K, keyed(), '2026-03-01T06:00:00Z', { history });
    expect(e).toMatchObject({ status: 'fail', severity: 'high', deadline: { date: '2026-08-25', basis: 'observed' } });
    expect(e.message).toMatch(/at the latest/);
    // Within 30 days of the bound: critical.
    expect(one(K, keyed(), '2026-08-01T06:00:00Z', { history }).severity).toBe('critical');
  });

  test('once that bound has passed it is critical, not unknown', () => {
    const history = { versions: [observation('4.11.0', '2024-01-10T00:00:00Z', '2026-03-01T00:00:00Z')] };
    expect(one(K, keyed(), '2026-03-01T06:00:00Z', { history })).toMatchObject({
      status: 'fail',
      severity: 'critical',
      deadline: { date: '2025-04-04', daysLeft: expect.any(Number) },
    });
  });

  test('a first sighting made by this very scan is no bound: the key still fails high, asking for the fact, without a deadline', () => {
    const history = { versions: [observation('4.11.3', COLLECTED_AT, COLLECTED_AT)] };
    const e = one(K, keyed(), '2026-03-01T06:00:00Z', { history });
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.deadline).toBeUndefined();
    expect(e.message).toMatch(/hcxmon fact set/);
  });

  test('a private cloud key used by a monitored Connector dated only "at the latest" stays at the latest (high), not low', () => {
    const inv = healthyCloud({
      arm: { ...healthyCloud().arm!, enterpriseSites: [{ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }] },
    });
    const connectorKeys = [
      {
        targetId: 'connector:dc1',
        targetName: 'dc1',
        keyLast4: 'k123',
        deadline: {
          date: '2027-01-01',
          basis: 'observed' as const,
          daysLeft: 306,
          band: 'later' as const,
          atTheLatest: true,
        },
      },
    ];
    const e = one(K, inv, '2026-03-01T06:00:00Z', { connectorKeys });
    expect(e).toMatchObject({ status: 'fail', severity: 'high', deadline: { date: '2027-01-01', atTheLatest: true } });
    expect(e.message).toMatch(/at the latest: the same key \(…K123\) is used by Connector dc1/);
    const dated = [
      {
        ...connectorKeys[0],
        deadline: { date: '2026-11-07', basis: 'operator' as const, daysLeft: 251, band: 'later' as const },
      },
    ];
    expect(one(K, inv, '2026-03-01T06:00:00Z', { connectorKeys: dated })).toMatchObject({
      status: 'fail',
      severity: 'low',
      deadline: { date: '2026-11-07', basis: 'operator' },
    });
  });

  test('a private cloud below 4.11.0 still lists its consumed keys: their clocks are their Connectors’', () => {
    const inv = healthyCloud({
      manager: { version: '4.10.3' },
      arm: { ...healthyCloud().arm!, enterpriseSites: [{ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }] },
    });
    expect(one(K, inv)).toMatchObject({ status: 'fail', subjectId: 'site-a' });
  });

  test('the licensing model not collected stays unknown (an activation key is not confirmed)', () => {
    expect(one(K, healthyConnector({ licensing: undefined })).status).toBe('unknown');
  });

  test('a Consumed enterprise-site key with no date fails high on the private cloud', () => {
    const inv = healthyCloud({
      arm: { ...healthyCloud().arm!, enterpriseSites: [{ name: 'site-a', keyLast4: 'K123', status: 'Consumed' }] },
    });
    expect(one(K, inv)).toMatchObject({ status: 'fail', severity: 'high', subjectId: 'site-a' });
  });
});

describe('an enterprise site without a status is unknown, and its open finding does not resolve', () => {
  const K = 'hcx-activation-key-expiry';
  const cloudWith = (status: string | undefined) =>
    healthyCloud({ arm: { ...healthyCloud().arm!, enterpriseSites: [{ name: 'site-a', keyLast4: 'K123', status }] } });

  test('no status → unknown for that site', () => {
    expect(one(K, cloudWith(undefined))).toMatchObject({ status: 'unknown', subjectId: 'site-a' });
  });

  test('reconcile keeps the finding (unknown) and sends no "resolved" event', () => {
    const open = reconcile({
      target: CLOUD_REF,
      asOf: '2026-03-01T06:00:00Z',
      evaluations: run(K, cloudWith('Consumed')),
      stored: [],
      suppressions: [],
      rules: (id) => ruleById(id),
    });
    expect(open.all.find((f) => f.subjectId === 'site-a')?.status).toBe('open');
    const next = reconcile({
      target: CLOUD_REF,
      asOf: '2026-03-02T06:00:00Z',
      evaluations: run(K, cloudWith(undefined)),
      stored: open.all,
      suppressions: [],
      rules: (id) => ruleById(id),
    });
    expect(next.all.find((f) => f.subjectId === 'site-a')?.status).toBe('unknown');
    expect(next.events.map((e) => e.event)).not.toContain('resolved');
  });
});

describe('WAN Optimization is found wherever its appliance shows up', () => {
  const W = 'hcx-wan-optimization-enabled';
  const wanOpt = (over = {}) =>
    appliance({ id: 'wo-1', name: 'sm-avs-WO-I1', type: 'HCX-WAN-OPT', serviceMeshId: undefined, ...over });

  test('a WAN-OPT appliance with no service-mesh id → fail', () => {
    const out = run(W, healthyCloud({ appliances: [appliance(), wanOpt()] }));
    expect(out.find((e) => e.subjectId === 'wo-1')).toMatchObject({ status: 'fail', severity: 'high' });
  });

  test('the mesh list failed but the appliance list shows one → fail (plus unknown for the unlisted meshes)', () => {
    const out = run(
      W,
      healthyConnector({ serviceMeshes: undefined, appliances: [wanOpt({ serviceMeshId: 'mesh-9' })] }),
    );
    expect(out.find((e) => e.subjectId === 'mesh-9')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(out.find((e) => e.subjectId === '*')?.status).toBe('unknown');
  });
});

describe('HA group members without a reported role are unknown, not "no Active member"', () => {
  const G = 'hcx-ne-ha-group-degraded';
  test('roles not reported → unknown', () => {
    const members = [
      { applianceId: 'app-ne-1', applianceName: 'ne-1' },
      { applianceId: 'app-ne-2', applianceName: 'ne-2' },
    ];
    expect(one(G, healthyConnector({ haGroups: [haGroup({ members })] }))).toMatchObject({ status: 'unknown' });
  });
  test('an unfamiliar role value → unknown; two Actives and no Standby → fail', () => {
    const m = (role: string, n: number) => ({ applianceId: `app-ne-${n}`, applianceName: `ne-${n}`, role });
    expect(
      one(G, healthyConnector({ haGroups: [haGroup({ members: [m('PRIMARY', 1), m('SECONDARY', 2)] })] })).status,
    ).toBe('unknown');
    expect(
      one(G, healthyConnector({ haGroups: [haGroup({ members: [m('ACTIVE', 1), m('ACTIVE', 2)] })] })),
    ).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/no Standby/),
    });
  });
  test('a degraded state still fails even when roles are missing', () => {
    const members = [{ applianceId: 'app-ne-1' }, { applianceId: 'app-ne-2' }];
    expect(one(G, healthyConnector({ haGroups: [haGroup({ members, groupState: 'DEGRADED' })] })).status).toBe('fail');
  });
});

describe('the upgrade gate can say "ready" for a system that needs the upgrade', () => {
  test('a healthy Connector below the baseline is ready to start; the version path is shown beside the gate', () => {
    const inv = healthyConnector({
      manager: { version: '4.10.3', endpointId: 'x' },
      appliances: [appliance({ version: '4.10.3' })],
    });
    const r = evaluateReadiness(inv, '4.11.3');
    expect(r.checks.map((c) => c.id)).not.toContain('version-path');
    expect(r.verdict).toBe('ready');
    expect(r.versionChecks.find((c) => c.id === 'version-path')?.status).toBe('fail');
    expect(r.upgradePath).toEqual(['4.11.3']);
  });
  test('the gate holds the guides’ prerequisites: queued operations and NE HA health block it', () => {
    const queued = healthyConnector({
      serviceMeshes: [mesh({ lastTask: { type: 'updateServiceMesh', status: 'QUEUED' } })],
    });
    expect(evaluateReadiness(queued, '4.11.3').checks.find((c) => c.id === 'no-queued-operations')?.status).toBe(
      'fail',
    );
    const ha = healthyConnector({ haGroups: [haGroup({ groupState: 'FAILED' })] });
    expect(evaluateReadiness(ha, '4.11.3')).toMatchObject({ verdict: 'blocked' });
  });
});

describe('smaller verdict defects', () => {
  test('migrations: a non-terminal state other than MIGRATING is in progress; done/draft flags of the newer API count', () => {
    const G = 'hcx-migrations-in-progress';
    const mig = (m: object) => healthyCloud({ migrations: [{ id: '1', ...m }] });
    expect(one(G, mig({ state: 'QUEUED' })).status).toBe('fail');
    expect(one(G, mig({ state: 'SWITCHOVER_IN_PROGRESS' })).status).toBe('fail');
    expect(one(G, mig({ state: 'MIGRATE_FAILED' })).status).toBe('pass');
    expect(one(G, mig({ done: false })).status).toBe('fail');
    expect(one(G, mig({ state: 'anything', done: true })).status).toBe('pass');
    expect(one(G, mig({ state: 'DRAFT', draft: true })).status).toBe('pass');
    expect(one(G, mig({})).status).toBe('unknown');
  });

  test('an appliance version reported without a patch number is not "older"', () => {
    const e = run('hcx-appliance-outdated', healthyConnector({ appliances: [appliance({ version: '4.11' })] }));
    expect(e[0].status).toBe('pass');
    expect(
      run('hcx-appliance-outdated', healthyConnector({ appliances: [appliance({ version: '4.10' })] }))[0].status,
    ).toBe('fail');
  });

  test('a past --as-of never yields negative ages', () => {
    const e = one(
      'hcx-network-extension-long-lived',
      healthyConnector({ extensions: [extension({ createdAt: '2026-02-20T00:00:00Z' })] }),
      '2020-01-01T00:00:00Z',
    );
    expect(e.evidence.ageDays).toBe(0);
    expect(e.message).not.toMatch(/-\d+ days/);
    expect(e.message).toMatch(/after the evaluation date/);
    const stale = one('hcx-scan-stale', healthyConnector(), '2020-01-01T00:00:00Z');
    expect(stale.evidence.ageHours).toBe(0);
  });
});

describe('prerequisites no rule checked before', () => {
  test('hcx-operations-queued: a mesh task QUEUED/RUNNING or a migration waiting for its window fails; meshes not collected → unknown', () => {
    const Q = 'hcx-operations-queued';
    expect(one(Q, healthyConnector()).status).toBe('pass');
    expect(
      one(
        Q,
        healthyConnector({ serviceMeshes: [mesh({ lastTask: { type: 'resyncServiceMesh', status: 'RUNNING' } })] }),
      ).status,
    ).toBe('fail');
    expect(
      one(
        Q,
        healthyConnector({ serviceMeshes: [mesh({ lastTask: { type: 'resyncServiceMesh', status: 'SUCCESS' } })] }),
      ).status,
    ).toBe('pass');
    expect(one(Q, healthyConnector({ migrations: [{ id: 'm', state: 'SCHEDULED', scheduled: true }] })).status).toBe(
      'fail',
    );
    expect(one(Q, healthyConnector({ serviceMeshes: undefined })).status).toBe('unknown');
  });

  test('hcx-ne-ha-prerequisites-unmet: Enterprise edition, scale-out count >= 2, two NE appliances, extension-free appliances', () => {
    const N = 'hcx-ne-ha-prerequisites-unmet';
    expect(one(N, healthyCloud()).status).toBe('pass');
    const advanced = healthyCloud({
      arm: {
        ...healthyCloud().arm!,
        hcxAddon: { offer: 'VMware MaaS Cloud Provider', provisioningState: 'Succeeded' },
      },
    });
    expect(one(N, advanced)).toMatchObject({ status: 'fail', message: expect.stringMatching(/not HCX Enterprise/) });
    expect(one(N, healthyConnector({ serviceMeshes: [mesh({ neApplianceCount: 1 })] })).status).toBe('fail');
    expect(one(N, healthyConnector({ appliances: [appliance(), neAppliance(1)] })).status).toBe('fail');
    const busy = healthyConnector({
      haGroups: [],
      extensions: [extension({ haGroupId: undefined })],
      appliances: [
        appliance(),
        neAppliance(1, { networkExtensionCount: 3 }),
        neAppliance(2, { networkExtensionCount: 0 }),
      ],
    });
    expect(one(N, busy)).toMatchObject({ status: 'fail', message: expect.stringMatching(/no networks extended/) });
    expect(one(N, healthyConnector({ serviceMeshes: [mesh({ neApplianceCount: undefined })] })).status).toBe('unknown');
    expect(run(N, healthyConnector({ serviceMeshes: [mesh({ services: ['INTERCONNECT'] })] }))).toEqual([]);
    // NE HA neither used nor asked for (no group, every extension protected or none): the prerequisites do not apply,
    // whatever the appliance count (hcx-api.md's example mesh has one NE appliance per switch pair).
    const plain = healthyConnector({ haGroups: [], extensions: [], serviceMeshes: [mesh({ neApplianceCount: 1 })] });
    expect(one(N, plain).status).toBe('not_applicable');
    // Both sites listed (hcx-api.md §6.3): two per site, counted per endpoint.
    const oneEach = healthyConnector({
      appliances: [appliance(), neAppliance(1, { endpointId: 'local' }), neAppliance(2, { endpointId: 'remote' })],
    });
    expect(one(N, oneEach)).toMatchObject({ status: 'fail', message: expect.stringMatching(/site local/) });
  });

  test('hcx-vsphere-version-legacy: vCenter past its end of general support fails; current passes; not collected → unknown', () => {
    const V = 'hcx-vsphere-version-legacy';
    const vc = (version: string) =>
      healthyConnector({
        registrations: {
          vcenter: [{ url: 'https://vc', version }],
          nsx: [],
          lookupService: [{ url: 'https://vc/lookupservice/sdk' }],
        },
      });
    expect(one(V, vc('6.7.0'))).toMatchObject({ status: 'fail', severity: 'low', deadline: { date: '2022-10-15' } });
    expect(one(V, vc('7.0.3'))).toMatchObject({ status: 'fail', deadline: { date: '2025-10-02' } });
    expect(one(V, vc('8.0.3')).status).toBe('pass');
    expect(one(V, vc('8.0.3'), '2027-06-01T00:00:00Z')).toMatchObject({ status: 'fail', severity: 'low' });
    expect(one(V, healthyConnector({ registrations: undefined })).status).toBe('unknown');
    expect(one(V, healthyCloud()).status).toBe('not_applicable');
  });

  test('hcx-local-domain-dns: below 4.4.0 with .local registrations fails; 4.4.0 and later does not apply', () => {
    const D = 'hcx-local-domain-dns';
    const old = healthyConnector({ manager: { version: '4.3.2' } });
    expect(one(D, old)).toMatchObject({ status: 'fail', message: expect.stringMatching(/vc\.corp\.local/) });
    expect(one(D, healthyConnector()).status).toBe('not_applicable');
    const corp = healthyConnector({
      manager: { version: '4.3.2' },
      registrations: { vcenter: [{ url: 'https://vc.corp.example' }], nsx: [], lookupService: [] },
    });
    expect(one(D, corp).status).toBe('pass');
  });

  test('hcx-service-mesh-upgrade-order: an update pending while the paired manager is not yet updated fails low; the source site (Connector) only', () => {
    const O = 'hcx-service-mesh-upgrade-order';
    expect(one(O, healthyConnector()).status).toBe('pass');
    // Plain patch skew with the mesh current: no update pending, nothing to say here (the skew rule speaks).
    expect(one(O, healthyConnector({ sitePairs: [sitePair({ remoteVersion: '4.11.2' })] })).status).toBe('pass');
    const pending = healthyConnector({
      manager: { version: '4.11.4' },
      sitePairs: [sitePair({ remoteVersion: '4.11.3' })],
      serviceMeshes: [mesh({ updateAvailable: true })],
    });
    expect(one(O, pending)).toMatchObject({
      status: 'fail',
      severity: 'low',
      message: expect.stringMatching(/paired manager/),
    });
    const ready = healthyConnector({
      manager: { version: '4.11.4' },
      sitePairs: [sitePair({ remoteVersion: '4.11.4' })],
      serviceMeshes: [mesh({ updateAvailable: true })],
    });
    expect(one(O, ready).status).toBe('pass');
    expect(one(O, healthyCloud({ serviceMeshes: [mesh({ updateAvailable: true })] })).status).toBe('not_applicable');
  });

  test('the SSO lookup service registration is evaluated, not only collected (an empty list after a working SSO login is unknown)', () => {
    const s = run(
      'hcx-manager-connection-unhealthy',
      healthyConnector({ registrations: { vcenter: [{ url: 'https://vc' }], nsx: [], lookupService: [] } }),
    );
    expect(s.find((e) => e.subjectId === 'lookup-service')).toMatchObject({ status: 'unknown' });
    const broken = run(
      'hcx-manager-connection-unhealthy',
      healthyConnector({
        registrations: {
          vcenter: [{ url: 'https://vc' }],
          nsx: [],
          lookupService: [{ url: 'https://vc/lookupservice/sdk', error: 'certificate expired' }],
        },
      }),
    );
    expect(broken.find((e) => e.subjectId === 'lookup-service')).toMatchObject({ status: 'fail', severity: 'high' });
  });
});
