import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
import { appliance, ctxAt, healthyCloud, healthyConnector, mesh, sitePair } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory) => ruleById(id)!.evaluate(inv, ctxAt());
const wanMesh = mesh({ services: ['INTERCONNECT', 'WANOPT'] });

describe('hcx-wan-optimization-enabled', () => {
  test('private cloud below 4.11.3 with WANOPT → critical (the Cloud Manager cannot be upgraded)', () => {
    const e = run(
      'hcx-wan-optimization-enabled',
      healthyCloud({ manager: { version: '4.11.2' }, serviceMeshes: [wanMesh] }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'critical', subjectId: 'mesh-1', subjectKind: 'service-mesh' });
    expect(e.message).toMatch(/cannot be upgraded to 4\.11\.3/);
  });

  test('private cloud at 4.11.3 → high', () => {
    expect(run('hcx-wan-optimization-enabled', healthyCloud({ serviceMeshes: [wanMesh] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });

  test('private cloud version unknown → critical', () => {
    expect(
      run('hcx-wan-optimization-enabled', healthyCloud({ manager: undefined, serviceMeshes: [wanMesh] }))[0],
    ).toMatchObject({ severity: 'critical' });
  });

  test('connector: the remote Cloud Manager of the mesh decides (site pair whose endpoint is in the mesh)', () => {
    const at = (remoteVersion: string | undefined, id = '20250101000000000-aaaa-bbbb') =>
      run(
        'hcx-wan-optimization-enabled',
        healthyConnector({
          manager: { version: '4.11.3' },
          serviceMeshes: [wanMesh],
          sitePairs: [sitePair({ id, remoteVersion })],
        }),
      )[0];
    expect(at('4.11.2')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(at('4.11.3')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(at(undefined)).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(at('4.11.3', 'some-other-endpoint')).toMatchObject({ status: 'fail', severity: 'critical' });
  });

  test('a WAN-Opt appliance in the mesh counts even when the service list does not show it', () => {
    const inv = healthyCloud({
      appliances: [appliance(), appliance({ id: 'wo', name: 'sm-WO-I1', type: 'HCX-WAN-OPT' })],
    });
    expect(run('hcx-wan-optimization-enabled', inv)[0]).toMatchObject({ status: 'fail', severity: 'high' });
  });

  test('no WANOPT → pass; appliances not collected → unknown; meshes not collected → * unknown', () => {
    expect(run('hcx-wan-optimization-enabled', healthyCloud())[0].status).toBe('pass');
    expect(run('hcx-wan-optimization-enabled', healthyCloud({ appliances: undefined }))[0].status).toBe('unknown');
    expect(run('hcx-wan-optimization-enabled', healthyCloud({ serviceMeshes: undefined }))[0]).toMatchObject({
      subjectId: '*',
      status: 'unknown',
    });
  });
});

describe('hcx-disaster-recovery-in-use', () => {
  const zero = { outgoing: 0, incoming: 0 };
  const summary = { active: zero, configuring: zero, recovering: zero, syncing: zero };

  test('a mesh with DISASTER_RECOVERY → high', () => {
    const e = run(
      'hcx-disaster-recovery-in-use',
      healthyConnector({ serviceMeshes: [mesh({ services: ['INTERCONNECT', 'DISASTER_RECOVERY'] })] }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'high', subjectId: 'manager' });
  });

  test.each(['active', 'configuring', 'recovering', 'syncing'] as const)('an incoming %s replication → high', (k) => {
    const e = run(
      'hcx-disaster-recovery-in-use',
      healthyConnector({ replicationSummary: { ...summary, [k]: { outgoing: 0, incoming: 1 } } }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.message).toContain(k);
  });

  test('positive evidence wins even when the other collection is missing', () => {
    const e = run(
      'hcx-disaster-recovery-in-use',
      healthyConnector({
        serviceMeshes: undefined,
        replicationSummary: { ...summary, active: { outgoing: 2, incoming: 0 } },
      }),
    )[0];
    expect(e.status).toBe('fail');
  });

  test('nothing → pass; either collection missing → unknown', () => {
    expect(run('hcx-disaster-recovery-in-use', healthyConnector())[0].status).toBe('pass');
    expect(run('hcx-disaster-recovery-in-use', healthyConnector({ replicationSummary: undefined }))[0].status).toBe(
      'unknown',
    );
    expect(run('hcx-disaster-recovery-in-use', healthyConnector({ serviceMeshes: undefined }))[0].status).toBe(
      'unknown',
    );
  });
});

describe('hcx-v2t-migration-in-use', () => {
  test('a V2T migration → high', () => {
    const e = run(
      'hcx-v2t-migration-in-use',
      healthyCloud({ migrations: [{ id: 'm9', type: 'V2T_BULK', state: 'MIGRATING', entityName: 'vm-9' }] }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'high', evidence: { source: 'hcx' } });
  });

  test('inferred: a Connector registered to NSX-V (6.x) while paired → medium, basis inferred', () => {
    const regs = {
      vcenter: [{ url: 'https://vc' }],
      nsx: [{ url: 'https://nsxv', version: '6.4.14' }],
      lookupService: [],
    };
    const e = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs }))[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'medium', evidence: { source: 'inferred' } });
    expect(e.message).toMatch(/Inferred/);
    // Not paired with anything: no inference.
    expect(run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs, sitePairs: [] }))[0].status).toBe(
      'pass',
    );
  });

  test('inferred: NSX-V registration with site pairs NOT collected fails closed (not read as "not paired")', () => {
    const regs = {
      vcenter: [{ url: 'https://vc' }],
      nsx: [{ url: 'https://nsxv', version: '6.4.14' }],
      lookupService: [],
    };
    const e = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs, sitePairs: undefined }))[0];
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'medium',
      evidence: { source: 'inferred', sitePairs: undefined },
    });
    expect(e.message).toContain('(site pairs not collected)');
    const paired = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs }))[0];
    expect(paired.message).toContain('(1 site pair(s))');
    expect(paired.evidence).toMatchObject({ nsxVersions: ['6.4.14'], sitePairs: 1 });
  });

  test('no V2T → pass; migrations missing → unknown; Connector registrations missing → unknown', () => {
    expect(run('hcx-v2t-migration-in-use', healthyConnector())[0].status).toBe('pass');
    expect(run('hcx-v2t-migration-in-use', healthyCloud())[0].status).toBe('pass');
    expect(run('hcx-v2t-migration-in-use', healthyCloud({ migrations: undefined }))[0].status).toBe('unknown');
    const e = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: undefined }))[0];
    expect(e.status).toBe('unknown');
    expect(e.message).toMatch(/9443/);
  });
});

describe('hcx-wan-optimization-enabled: what counts as WAN Optimization', () => {
  const wan = (inv: Inventory) => run('hcx-wan-optimization-enabled', inv);

  test.each(['HCX-WAN-OPT', 'HCX-WAN_OPT', 'wan opt', 'HCX-WANOPT'])(
    'an appliance of type %s in the mesh is a WAN-Opt appliance',
    (type) => {
      const out = wan(healthyCloud({ appliances: [appliance(), appliance({ id: 'wo', name: 'sm-WO-I1', type })] }));
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({
        status: 'fail',
        subjectId: 'mesh-1',
        evidence: { wanOptAppliances: ['sm-WO-I1'] },
      });
      expect(out[0].message).toContain('WAN-Opt appliance(s) sm-WO-I1 belong to it');
    },
  );

  test.each(['HCX-WAN-IX', 'HCX-NET-EXT', 'HCX-SDWAN'])('an appliance of type %s is not', (type) => {
    const out = wan(healthyCloud({ appliances: [appliance({ type })] }));
    expect(out).toEqual([expect.objectContaining({ status: 'pass', severity: 'info' })]);
  });

  test('the service name is read in any case; every WAN-Opt appliance of the mesh is named', () => {
    const inv = healthyCloud({
      serviceMeshes: [mesh({ services: ['interconnect', 'wanopt'] })],
      appliances: [
        appliance(),
        appliance({ id: 'wo1', name: 'sm-WO-I1', type: 'HCX-WAN-OPT' }),
        appliance({ id: 'wo2', name: 'sm-WO-I2', type: 'HCX-WAN-OPT' }),
      ],
    });
    const [e] = wan(inv);
    expect(e).toMatchObject({ status: 'fail', evidence: { wanOptAppliances: ['sm-WO-I1', 'sm-WO-I2'] } });
    expect(e.message).toContain('its services include WANOPT');

    const onlyAppliances = wan({ ...inv, serviceMeshes: [mesh()] })[0];
    expect(onlyAppliances.message).toContain('sm-WO-I1, sm-WO-I2 belong to it');
  });

  test('a WAN-Opt appliance of another mesh does not make this mesh fail', () => {
    const out = wan(
      healthyCloud({
        serviceMeshes: [mesh(), mesh({ id: 'mesh-2', name: 'sm-other' })],
        appliances: [
          appliance(),
          appliance({ id: 'wo', name: 'sm-other-WO', type: 'HCX-WAN-OPT', serviceMeshId: 'mesh-2' }),
        ],
      }),
    );
    expect(out.map((e) => [e.subjectId, e.status])).toEqual([
      ['mesh-1', 'pass'],
      ['mesh-2', 'fail'],
    ]);
    expect(out[1].evidence).toMatchObject({ wanOptAppliances: ['sm-other-WO'] });
  });
});

describe('hcx-wan-optimization-enabled: what the verdict tells the operator', () => {
  const wan = (inv: Inventory) => run('hcx-wan-optimization-enabled', inv);

  test('a fail names the mesh, what was found, and the Cloud Manager version that makes it critical', () => {
    const [e] = wan(healthyCloud({ manager: { version: '4.11.2' }, serviceMeshes: [wanMesh] }));
    expect(e).toMatchObject({ subjectName: 'sm-avs' });
    expect(e.message).toContain('mesh sm-avs');
    expect(e.message).toContain('this private cloud');
    expect(e.message).toContain('runs 4.11.2');
    expect(e.evidence).toEqual({
      source: 'hcx',
      services: ['INTERCONNECT', 'WANOPT'],
      wanOptAppliances: [],
      cloudManagerVersion: '4.11.2',
      cloudManagerAt: 'this private cloud',
    });
  });

  test('at or above 4.11.3 the fail is high and says WAN Optimization is removed in 4.11.4', () => {
    const [e] = wan(healthyCloud({ manager: { version: '4.11.4' }, serviceMeshes: [wanMesh] }));
    expect(e).toMatchObject({ status: 'fail', severity: 'high', evidence: { cloudManagerVersion: '4.11.4' } });
    expect(e.message).toContain('runs 4.11.4');
    expect(e.message).toContain('removed in 4.11.4');
    expect(e.message).not.toContain('cannot be upgraded');
  });

  test('an unknown Cloud Manager version says why it is unknown', () => {
    const [e] = wan(healthyCloud({ manager: undefined, serviceMeshes: [wanMesh] }));
    expect(e).toMatchObject({ severity: 'critical', evidence: { cloudManagerAt: 'this private cloud' } });
    expect(e.message).toContain('the HCX Manager was not collected this scan');
    expect(e.message).toContain('cannot be ruled out');
  });

  const connectorWith = (over: Partial<Inventory>) =>
    wan(healthyConnector({ manager: { version: '4.11.3' }, serviceMeshes: [wanMesh], ...over }))[0];

  test.each([
    ['site pairs not collected', { sitePairs: undefined }, 'site pairs were not collected'],
    [
      'no site pair of the mesh',
      { sitePairs: [sitePair({ id: 'elsewhere' })] },
      'no site pair matches the mesh endpoints',
    ],
    [
      'a mesh without endpoints',
      { serviceMeshes: [mesh({ services: ['WANOPT'], endpointIds: undefined })] },
      'no site pair matches the mesh endpoints',
    ],
  ])('connector, %s → critical, the remote Cloud Manager cannot be read', (_case, over, reason) => {
    const e = connectorWith(over);
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'critical',
      evidence: { cloudManagerAt: 'remote site', cloudManagerVersion: undefined },
    });
    expect(e.message).toContain(reason);
  });

  test.each([
    ['its name', sitePair(), 'remote site avs-cloud'],
    [
      'its URL when it has no name',
      sitePair({ name: undefined }),
      'remote site https://hcx.abc.westeurope.avs.azure.com',
    ],
    [
      'its endpoint id otherwise',
      sitePair({ name: undefined, url: undefined }),
      'remote site 20250101000000000-aaaa-bbbb',
    ],
  ])('connector: the remote site is named by %s', (_case, pair, where) => {
    const e = connectorWith({ sitePairs: [pair] });
    expect(e).toMatchObject({ severity: 'high', evidence: { cloudManagerAt: where, cloudManagerVersion: '4.11.3' } });
    expect(e.message).toContain(`(${where}) runs 4.11.3`);
  });

  test.each([
    [sitePair({ remoteVersion: undefined }), 'remote site avs-cloud did not report a version'],
    [
      sitePair({ remoteVersion: undefined, name: undefined }),
      'remote site 20250101000000000-aaaa-bbbb did not report a version',
    ],
  ])('connector: a remote site without a version → critical, naming the site', (pair, reason) => {
    const e = connectorWith({ sitePairs: [pair] });
    expect(e.severity).toBe('critical');
    expect(e.message).toContain(reason);
  });

  test('no WANOPT: pass, info, naming the mesh', () => {
    const [e] = wan(healthyCloud());
    expect(e).toMatchObject({ status: 'pass', severity: 'info', subjectName: 'sm-avs', subjectKind: 'service-mesh' });
    expect(e.message).toContain('not enabled in mesh sm-avs');
    expect(e.evidence).toEqual({ source: 'hcx', services: mesh().services, wanOptAppliances: [] });
  });

  test('appliances not collected: unknown and critical (a WAN-Opt appliance is not ruled out); WANOPT in services still fails', () => {
    const [e] = wan(healthyCloud({ appliances: undefined }));
    expect(e).toMatchObject({ status: 'unknown', severity: 'critical', evidence: { missing: ['appliances'] } });
    expect(e.message).toContain('appliances were not collected');
    expect(wan(healthyCloud({ appliances: undefined, serviceMeshes: [wanMesh] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });

  test('meshes not collected: one unknown for all meshes, critical, naming what is missing', () => {
    const out = wan(healthyCloud({ serviceMeshes: undefined, appliances: undefined }));
    expect(out).toEqual([
      expect.objectContaining({
        status: 'unknown',
        severity: 'critical',
        subjectId: '*',
        evidence: expect.objectContaining({ missing: ['serviceMeshes'] }),
      }),
    ]);
  });
});

describe('hcx-wan-optimization-enabled: a WAN-Opt appliance of no listed mesh still fails', () => {
  const wan = (inv: Inventory) => run('hcx-wan-optimization-enabled', inv);
  const stray = appliance({ id: 'wo', name: 'sm-WO-I1', type: 'HCX-WAN-OPT', serviceMeshId: 'mesh-9' });

  test('private cloud: a fail about the mesh it names, graded by this Cloud Manager', () => {
    const out = wan(healthyCloud({ appliances: [appliance(), stray] }));
    expect(out.map((e) => [e.subjectId, e.status])).toEqual([
      ['mesh-9', 'fail'],
      ['mesh-1', 'pass'],
    ]);
    expect(out[0]).toMatchObject({
      subjectName: 'mesh mesh-9',
      subjectKind: 'service-mesh',
      severity: 'high',
      evidence: {
        source: 'hcx',
        appliance: 'sm-WO-I1',
        type: 'HCX-WAN-OPT',
        serviceMeshId: 'mesh-9',
        cloudManagerVersion: '4.11.3',
        cloudManagerAt: 'this private cloud',
      },
    });
    expect(out[0].message).toContain('sm-WO-I1 (HCX-WAN-OPT) is deployed for mesh mesh-9');
    expect(out[0].message).toContain('runs 4.11.3');

    const below = wan(healthyCloud({ manager: { version: '4.11.2' }, appliances: [stray] }))[0];
    expect(below).toMatchObject({ subjectId: 'mesh-9', severity: 'critical' });
  });

  test('connector: an appliance that names no mesh is its own subject, critical (its remote site is unknown)', () => {
    const noMesh = { ...stray, serviceMeshId: undefined };
    const out = wan(healthyConnector({ appliances: [appliance(), noMesh] }));
    expect(out.map((e) => [e.subjectId, e.status])).toEqual([
      ['wo', 'fail'],
      ['mesh-1', 'pass'],
    ]);
    expect(out[0]).toMatchObject({
      subjectName: 'sm-WO-I1',
      subjectKind: 'appliance',
      severity: 'critical',
      evidence: { cloudManagerAt: 'remote site', cloudManagerVersion: undefined },
    });
    expect(out[0].message).toContain('without a Service Mesh id');
    expect(out[0].message).toContain('the appliance names no mesh');
  });

  test('meshes not collected: the appliance still fails, next to the unknown', () => {
    const out = wan(
      healthyConnector({ serviceMeshes: undefined, appliances: [{ ...stray, serviceMeshId: 'mesh-1' }] }),
    );
    expect(out.map((e) => [e.subjectId, e.status])).toEqual([
      ['mesh-1', 'fail'],
      ['*', 'unknown'],
    ]);
  });
});

describe('hcx-disaster-recovery-in-use: what the verdict tells the operator', () => {
  const dr = (inv: Inventory) => run('hcx-disaster-recovery-in-use', inv);
  const zero = { outgoing: 0, incoming: 0 };
  const summary = { active: zero, configuring: zero, recovering: zero, syncing: zero };

  test('names every DR mesh (service name in any case) and only those', () => {
    const [e] = dr(
      healthyConnector({
        serviceMeshes: [
          mesh({ name: 'sm-a', services: ['DISASTER_RECOVERY'] }),
          mesh({ name: 'sm-plain' }),
          mesh({ name: 'sm-b', services: ['INTERCONNECT', 'disaster_recovery'] }),
        ],
      }),
    );
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'high',
      evidence: { source: 'hcx', drMeshes: ['sm-a', 'sm-b'] },
    });
    expect(e.message).toContain('sm-a, sm-b include DISASTER_RECOVERY');
    expect(e.message).not.toContain('sm-plain');
    expect(e.message).toContain('deprecated since 4.11.0');
  });

  test('outgoing replications count too, and every busy state is named', () => {
    const rs = { ...summary, active: { outgoing: 3, incoming: 0 }, syncing: { outgoing: 1, incoming: 0 } };
    const [e] = dr(healthyConnector({ replicationSummary: rs }));
    expect(e).toMatchObject({ status: 'fail', evidence: { replicationSummary: rs, drMeshes: [] } });
    expect(e.message).toContain('replications are active/syncing');
  });

  test('both kinds of evidence are reported together', () => {
    const [e] = dr(
      healthyConnector({
        serviceMeshes: [mesh({ services: ['DISASTER_RECOVERY'] })],
        replicationSummary: { ...summary, recovering: { outgoing: 0, incoming: 1 } },
      }),
    );
    expect(e.message).toContain('sm-avs include DISASTER_RECOVERY; replications are recovering');
  });

  test('both collections missing → unknown naming both; nothing found → pass, info', () => {
    const [u] = dr(healthyConnector({ serviceMeshes: undefined, replicationSummary: undefined }));
    expect(u).toMatchObject({
      status: 'unknown',
      severity: 'high',
      subjectId: 'manager',
      evidence: { missing: ['serviceMeshes', 'replicationSummary'] },
    });
    expect(u.message).toContain('serviceMeshes and replicationSummary not collected');
    const [one] = dr(healthyConnector({ replicationSummary: undefined }));
    expect(one.evidence).toMatchObject({ missing: ['replicationSummary'] });

    const [p] = dr(healthyConnector());
    expect(p).toMatchObject({ status: 'pass', severity: 'info', evidence: { source: 'hcx', drMeshes: [] } });
    expect(p.message).toMatch(/No mesh includes DISASTER_RECOVERY/);
  });
});

describe('hcx-v2t-migration-in-use: what counts and what the verdict says', () => {
  const v2t = (inv: Inventory) => run('hcx-v2t-migration-in-use', inv);
  const nsx = (...versions: (string | undefined)[]) => ({
    vcenter: [{ url: 'https://vc' }],
    nsx: versions.map((version, i) => ({ url: `https://nsx-${i}`, version })),
    lookupService: [],
  });

  test('counts only V2T migrations, names an example (VM, else id) and lists at most 10 in the evidence', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ id: `v${i}`, type: 'v2t bulk', state: 'MIGRATING' }));
    const [e] = v2t(
      healthyCloud({ migrations: [{ id: 'm-1', type: 'vMotion', state: 'MIGRATED' }, { id: 'm-2' }, ...many] }),
    );
    expect(e).toMatchObject({ status: 'fail', severity: 'high', subjectId: 'manager' });
    expect(e.message).toContain('12 V2T migration(s)');
    expect(e.message).toContain('e.g. v0');
    expect(e.message).toContain('deprecated since 4.11.0');
    const listed = e.evidence.v2tMigrations as unknown[];
    expect(listed).toHaveLength(10);
    expect(listed[0]).toEqual({ id: 'v0', type: 'v2t bulk', state: 'MIGRATING' });

    const named = v2t(healthyCloud({ migrations: [{ id: 'm9', type: 'V2T_BULK', entityName: 'vm-9' }] }))[0];
    expect(named.message).toContain('1 V2T migration(s) present (e.g. vm-9)');
  });

  test('a migration without a type is not V2T', () => {
    expect(v2t(healthyCloud({ migrations: [{ id: 'm-x', state: 'MIGRATING' }] }))[0].status).toBe('pass');
  });

  test('inferred: only 6.x NSX registrations count, and the message names the version', () => {
    const [e] = v2t(healthyConnector({ registrations: nsx('4.2.1', undefined, '6.4.14') }));
    expect(e).toMatchObject({ status: 'fail', severity: 'medium', evidence: { nsxVersions: ['6.4.14'] } });
    expect(e.message).toContain('NSX for vSphere 6.4.14');
  });

  test.each(['4.2.1', '3.2.6.1', '16.0.0'])('NSX %s is not NSX for vSphere → pass', (version) => {
    expect(v2t(healthyConnector({ registrations: nsx(version) }))[0].status).toBe('pass');
  });

  test('a private cloud is never inferred from NSX registrations (the inference is about the Connector)', () => {
    const e = v2t(healthyCloud({ registrations: nsx('6.4.14'), sitePairs: [sitePair()] }))[0];
    expect(e).toMatchObject({ status: 'pass', severity: 'info', evidence: { source: 'hcx', migrations: 1 } });
    expect(e.message).toBe('No V2T migration found.');
  });

  test('a Connector pass says the NSX registration was checked too (read from the appliance)', () => {
    const e = v2t(healthyConnector())[0];
    expect(e).toMatchObject({ status: 'pass', severity: 'info', evidence: { source: 'appliance', migrations: 1 } });
    expect(e.message).toContain('no NSX for vSphere registration');
  });

  test('missing collections → unknown naming each; a private cloud needs no registrations', () => {
    const [both] = v2t(healthyConnector({ migrations: undefined, registrations: undefined }));
    expect(both).toMatchObject({
      status: 'unknown',
      severity: 'high',
      evidence: { source: 'hcx', missing: ['migrations', 'registrations (port 9443; configure applianceUrl)'] },
    });
    expect(both.message).toContain('migrations and registrations (port 9443; configure applianceUrl) not collected');
    expect(v2t(healthyConnector({ migrations: undefined }))[0]).toMatchObject({
      status: 'unknown',
      evidence: { missing: ['migrations'] },
    });
    expect(v2t(healthyCloud({ registrations: undefined }))[0].status).toBe('pass');
  });
});
