/**
 * The upgrade prerequisites no other rule checks: NE HA set-up, the vSphere version HCX is registered to, `.local`
 * FQDNs before the move to Photon OS (4.4.0), and the Service Mesh upgrade order. Verdicts, severities, what the
 * message tells the operator and the evidence behind it.
 */
import type { Appliance, Inventory } from '../../../lib/domain/inventory';
import { ruleById } from '../../../lib/rules';
import {
  ctxAt,
  extension,
  haGroup,
  healthyCloud,
  healthyConnector,
  mesh,
  neAppliance,
  appliance,
  sitePair,
} from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory, asOf?: string) => ruleById(id)!.evaluate(inv, ctxAt(asOf));
const one = (id: string, inv: Inventory, asOf?: string) => {
  const out = run(id, inv, asOf);
  expect(out).toHaveLength(1);
  return out[0];
};

// ---- hcx-ne-ha-prerequisites-unmet ----------------------------------------------------------------------------

describe('hcx-ne-ha-prerequisites-unmet', () => {
  const N = 'hcx-ne-ha-prerequisites-unmet';
  /** A Connector whose mesh-1 uses NE HA (a group with members), with the given NE appliances. */
  const withNe = (appliances: Appliance[], over: Partial<Inventory> = {}) =>
    healthyConnector({ appliances: [appliance(), ...appliances], ...over });
  /** NE HA is asked for (an extension without HA over app-ne-1) but no group exists yet. */
  const wanted = (over: Partial<Inventory> = {}) =>
    healthyConnector({ haGroups: [], extensions: [extension({ haGroupId: undefined })], ...over });

  test('a mesh using NE HA that meets every prerequisite passes (info), with the appliances as evidence', () => {
    expect(one(N, healthyConnector())).toMatchObject({
      status: 'pass',
      severity: 'info',
      subjectId: 'mesh-1',
      subjectName: 'sm-avs',
      subjectKind: 'service-mesh',
      message: expect.stringContaining('sm-avs'),
      evidence: {
        source: 'hcx',
        neApplianceCount: 2,
        neAppliances: [
          { name: 'sm-avs-NE-I1', version: '4.11.3' },
          { name: 'sm-avs-NE-I2', version: '4.11.3' },
        ],
      },
    });
    expect(one(N, healthyCloud()).evidence).toMatchObject({ offer: 'VMware MaaS Cloud Provider (Enterprise)' });
  });

  test('service meshes not collected → unknown on every mesh, naming what is missing', () => {
    expect(one(N, healthyConnector({ serviceMeshes: undefined }))).toMatchObject({
      status: 'unknown',
      severity: 'low',
      subjectId: '*',
      subjectKind: 'service-mesh',
      evidence: { missing: ['serviceMeshes'] },
    });
  });

  test('only meshes with the Network Extension service (any case) are judged', () => {
    const two = healthyConnector({
      serviceMeshes: [
        mesh({ services: ['INTERCONNECT', 'network_extension'] }),
        mesh({ id: 'mesh-2', name: 'sm-ix', services: ['INTERCONNECT'] }),
      ],
    });
    expect(run(N, two).map((e) => [e.subjectId, e.status])).toEqual([['mesh-1', 'pass']]);
  });

  describe('NE HA neither used nor asked for → not_applicable, whatever the prerequisites', () => {
    const lonely = { serviceMeshes: [mesh({ neApplianceCount: 1 })], appliances: [appliance(), neAppliance(1)] };
    test.each<[string, Partial<Inventory>]>([
      ['no group, no extension', { haGroups: [], extensions: [] }],
      ['only a group of another mesh', { haGroups: [haGroup({ serviceMeshId: 'mesh-2' })], extensions: [] }],
      ['every extension has an HA group', { haGroups: [], extensions: [extension()] }],
      [
        'the extension runs over an appliance no mesh lists',
        { haGroups: [], extensions: [extension({ haGroupId: undefined, applianceId: 'x', applianceName: 'y' })] },
      ],
      [
        'the extension runs over an NE appliance of another mesh',
        {
          haGroups: [],
          appliances: [appliance(), neAppliance(1), neAppliance(3, { serviceMeshId: 'mesh-2' })],
          extensions: [extension({ haGroupId: undefined, applianceId: 'app-ne-3', applianceName: 'sm-avs-NE-I3' })],
        },
      ],
      [
        'the extension runs over a non-NE appliance of the mesh',
        {
          haGroups: [],
          extensions: [extension({ haGroupId: undefined, applianceId: 'app-ix-1', applianceName: 'sm-avs-IX-I1' })],
        },
      ],
      [
        'the extension’s appliance is already a member of some group',
        {
          haGroups: [haGroup({ serviceMeshId: 'mesh-2' })],
          extensions: [extension({ haGroupId: undefined })],
        },
      ],
      [
        'the extension’s appliance, named only, is already a member of some group',
        {
          haGroups: [haGroup({ serviceMeshId: 'mesh-2' })],
          extensions: [extension({ haGroupId: undefined, applianceId: undefined })],
        },
      ],
    ])('%s', (_, over) => {
      expect(one(N, healthyConnector({ ...lonely, ...over }))).toMatchObject({
        status: 'not_applicable',
        severity: 'info',
        message: expect.stringContaining('sm-avs'),
        evidence: { source: 'hcx' },
      });
    });
  });

  describe('NE HA asked for (an extension without HA over one of the mesh’s NE appliances) → judged', () => {
    const single = { appliances: [appliance(), neAppliance(1)] };
    test.each<[string, Partial<Inventory>]>([
      ['appliance named by id', { extensions: [extension({ haGroupId: undefined, applianceName: undefined })] }],
      ['appliance named by name', { extensions: [extension({ haGroupId: undefined, applianceId: undefined })] }],
      [
        'a group of another mesh holds other appliances',
        {
          haGroups: [haGroup({ serviceMeshId: 'mesh-2', members: [{ applianceId: 'other' }] })],
          extensions: [extension({ haGroupId: undefined })],
        },
      ],
    ])('%s', (_, over) => {
      expect(one(N, wanted({ ...single, ...over }))).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('1 Network Extension appliance(s) at this site'),
      });
    });
  });

  test.each<[string, Partial<Inventory>]>([
    [
      'the extension names no appliance, and an unreported member id elsewhere would have matched a blank one',
      {
        appliances: [appliance(), neAppliance(1, { name: '' }), neAppliance(2)],
        haGroups: [
          haGroup({
            id: 'ha-9',
            serviceMeshId: 'mesh-9',
            members: [{ applianceId: '', applianceName: 'x', role: 'ACTIVE' }],
          }),
        ],
        extensions: [extension({ haGroupId: undefined, applianceId: undefined, applianceName: '' })],
      },
    ],
    [
      'the extension names no appliance at all',
      { haGroups: [], extensions: [extension({ haGroupId: undefined, applianceId: '', applianceName: undefined })] },
    ],
  ])('NE HA asked for cannot be told (%s) → unknown, never not_applicable', (_, over) => {
    // HCX reports an unknown id or name as '': a blank reference names nothing, as in hcx-network-extension-without-ha.
    expect(one(N, healthyConnector(over)).status).toBe('unknown');
  });

  test('a blank appliance name ties an extension to nothing: over another appliance, NE HA is not asked for', () => {
    const inv = healthyConnector({
      appliances: [appliance(), neAppliance(1, { name: '' })],
      haGroups: [haGroup({ serviceMeshId: 'mesh-2', members: [{ applianceId: 'other' }] })],
      extensions: [extension({ haGroupId: undefined, applianceId: 'app-ne-9', applianceName: '' })],
    });
    expect(one(N, inv).status).toBe('not_applicable');
  });

  test.each<[string, Partial<Inventory>]>([
    ['HA groups', { haGroups: undefined, extensions: [] }],
    ['extensions', { haGroups: [], extensions: undefined }],
  ])('%s not collected, nothing unmet → unknown (never a pass), listing what is missing', (_, over) => {
    const e = one(N, healthyConnector(over));
    expect(e).toMatchObject({ status: 'unknown', severity: 'low', message: expect.stringContaining('sm-avs') });
    expect(e.message).toContain('HA groups or extensions were not collected');
    expect(e.evidence.missing).toContain('HA groups or extensions were not collected');
  });

  test.each<[string, Partial<Inventory>]>([
    ['HA in use', {}],
    ['no HA group', { haGroups: [] }],
  ])('appliances not collected (%s) → unknown', (_, over) => {
    const e = one(N, healthyConnector({ appliances: undefined, ...over }));
    expect(e).toMatchObject({ status: 'unknown', severity: 'low' });
    expect(e.evidence.missing).toContain('appliances were not collected');
    expect(e.message).toContain('appliances were not collected');
  });

  describe('HCX Enterprise (AVS add-on offer)', () => {
    const offer = (o: string | undefined) =>
      healthyCloud({ arm: { ...healthyCloud().arm!, hcxAddon: { offer: o, provisioningState: 'Succeeded' } } });
    test.each<[string | undefined, string, string | undefined]>([
      ['VMware MaaS Cloud Provider (Enterprise)', 'pass', undefined],
      ['vmware maas cloud provider (enterprise)', 'pass', undefined],
      ['VMware MaaS Cloud Provider', 'fail', 'the HCX add-on offer "VMware MaaS Cloud Provider" is not HCX Enterprise'],
      [undefined, 'unknown', 'the HCX add-on offer (edition) was not reported'],
    ])('offer %s → %s', (o, status, says) => {
      const e = one(N, offer(o));
      expect(e.status).toBe(status);
      if (says) expect(e.message).toContain(says);
    });
    test('a Connector has no add-on offer to read: it is not asked for', () => {
      expect(one(N, healthyConnector({ arm: undefined })).status).toBe('pass');
    });
    test.each<[string, Partial<Inventory>]>([
      ['ARM not collected', { arm: undefined }],
      ['no add-on reported', { arm: { ...healthyCloud().arm!, hcxAddon: undefined } }],
    ])('a private cloud whose offer is unread (%s) → unknown', (_, over) => {
      const e = one(N, healthyCloud(over));
      expect(e).toMatchObject({ status: 'unknown', evidence: { offer: undefined } });
      expect(e.message).toContain('the HCX add-on offer (edition) was not reported');
    });
  });

  test.each<[number | undefined, string, string | undefined]>([
    [0, 'fail', 'the mesh’s NE scale-out appliance count is 0 (at least 2 needed)'],
    [1, 'fail', 'the mesh’s NE scale-out appliance count is 1 (at least 2 needed)'],
    [2, 'pass', undefined],
    [4, 'pass', undefined],
    [undefined, 'unknown', 'the mesh’s NE appliance count was not reported'],
  ])('mesh NE appliance count %s → %s', (count, status, says) => {
    const e = one(N, healthyConnector({ serviceMeshes: [mesh({ neApplianceCount: count })] }));
    expect(e.status).toBe(status);
    if (says) expect(e.message).toContain(says);
  });

  describe('two NE appliances per site', () => {
    test.each<[string, Appliance[], string[], string[]]>([
      [
        'none at all',
        [],
        ['no Network Extension appliance (two per site, four in all, are needed)'],
        ['appliance(s) at'],
      ],
      ['one at this site', [neAppliance(1)], ['1 Network Extension appliance(s) at this site'], []],
      [
        'another mesh’s appliances do not count',
        [neAppliance(1), neAppliance(3, { serviceMeshId: 'mesh-2' })],
        ['1 Network Extension appliance(s) at this site'],
        [],
      ],
      [
        'both sites listed: two local, one remote',
        [
          neAppliance(1, { endpointId: 'local' }),
          neAppliance(2, { endpointId: 'local' }),
          neAppliance(3, { endpointId: 'remote' }),
        ],
        ['1 Network Extension appliance(s) at site remote'],
        ['site local', 'no Network Extension appliance'],
      ],
    ])('%s → fail', (_, ne, says, silent) => {
      const e = one(N, withNe(ne));
      expect(e).toMatchObject({ status: 'fail', severity: 'low' });
      expect(e.message).toContain('Network Extension HA cannot be activated on mesh sm-avs');
      for (const s of says) expect(e.message).toContain(s);
      for (const s of silent) expect(e.message).not.toContain(s);
    });
    test('two per site on both sites → pass', () => {
      const four = [1, 2, 3, 4].map((n) => neAppliance(n, { endpointId: n <= 2 ? 'local' : 'remote' }));
      expect(one(N, withNe(four)).status).toBe('pass');
    });
  });

  describe('NE appliances on HCX 4.3.0 or later', () => {
    test.each<[string | undefined, string, string | undefined]>([
      ['4.3.0', 'pass', undefined],
      ['4.11.3', 'pass', undefined],
      ['4.2.9', 'fail', 'NE appliance sm-avs-NE-I2 runs 4.2.9, below 4.3.0'],
      ['garbage', 'unknown', 'NE appliance sm-avs-NE-I2'],
      [undefined, 'unknown', 'NE appliance sm-avs-NE-I2 did not report a version'],
    ])('second appliance at %s → %s', (version, status, says) => {
      const e = one(N, withNe([neAppliance(1), neAppliance(2, { version })]));
      expect(e.status).toBe(status);
      if (says) expect(e.message).toContain(says);
      expect(e.message).not.toContain('sm-avs-NE-I1');
    });
  });

  describe('without an HA group yet, two appliances must be free of extensions', () => {
    /** HA wanted, or a group of this mesh with no members yet: either way no pair has been chosen. */
    const noPair = (counts: (number | undefined)[], over: Partial<Inventory> = {}) =>
      wanted({
        appliances: [appliance(), ...counts.map((c, i) => neAppliance(i + 1, { networkExtensionCount: c }))],
        ...over,
      });
    test.each<[(number | undefined)[], string]>([
      [[0, 0], 'pass'],
      [[0, 0, 5], 'pass'],
      [[0, 3], 'fail'],
      [[1, 1], 'fail'],
      [[0, undefined], 'unknown'],
    ])('extended networks per appliance %j → %s', (counts, status) => {
      const e = one(N, noPair(counts));
      expect(e.status).toBe(status);
      if (status === 'fail')
        expect(e.message).toContain(
          'fewer than two NE appliances have no networks extended over them, so none can be chosen for HA',
        );
      if (status === 'unknown')
        expect(e.message).toContain('the number of networks extended over each NE appliance was not reported');
    });
    test('evidence shows how many networks each appliance carries', () => {
      expect(one(N, noPair([0, 3])).evidence.neAppliances).toEqual([
        { name: 'sm-avs-NE-I1', version: '4.11.3', extended: 0 },
        { name: 'sm-avs-NE-I2', version: '4.11.3', extended: 3 },
      ]);
    });
    test('a group of this mesh without members has not chosen its pair yet', () => {
      expect(one(N, noPair([0, 3], { haGroups: [haGroup({ members: [] })] })).status).toBe('fail');
    });
    test('a group of another mesh has not chosen this mesh’s pair', () => {
      const elsewhere = haGroup({ serviceMeshId: 'mesh-2', members: [{ applianceId: 'other' }] });
      expect(one(N, noPair([0, 3], { haGroups: [elsewhere] })).status).toBe('fail');
    });
    test('a group of this mesh with members has: busy appliances no longer matter', () => {
      expect(one(N, noPair([3, 3], { haGroups: [haGroup()] })).status).toBe('pass');
    });
    test('a single appliance is reported as too few, not as busy', () => {
      const e = one(N, noPair([3]));
      expect(e.status).toBe('fail');
      expect(e.message).not.toContain('no networks extended');
    });
    test('HA groups not collected: whether a pair was chosen cannot be told', () => {
      const e = one(N, noPair([3, 3], { haGroups: undefined }));
      expect(e.status).toBe('unknown');
      expect(e.message).toContain('HA groups were not collected');
      expect(e.message).not.toContain('no networks extended');
    });
  });

  test('every unmet prerequisite is listed, and an unmet one wins over an unknown one', () => {
    const e = one(
      N,
      healthyConnector({
        serviceMeshes: [mesh({ neApplianceCount: 1 })],
        appliances: [appliance(), neAppliance(1, { version: '4.2.0' }), neAppliance(2, { version: undefined })],
      }),
    );
    expect(e).toMatchObject({ status: 'fail', severity: 'low' });
    expect(e.message).toContain('count is 1 (at least 2 needed); NE appliance sm-avs-NE-I1 runs 4.2.0, below 4.3.0.');
    expect(e.message).not.toContain('did not report');
  });

  test('every unknown is listed in the message and the evidence', () => {
    const e = one(
      N,
      healthyConnector({
        serviceMeshes: [mesh({ neApplianceCount: undefined })],
        appliances: [appliance(), neAppliance(1), neAppliance(2, { version: undefined })],
      }),
    );
    expect(e.message).toBe(
      'Cannot confirm the NE HA prerequisites of mesh sm-avs: the mesh’s NE appliance count was not reported; NE appliance sm-avs-NE-I2 did not report a version.',
    );
    expect(e.evidence).toMatchObject({
      source: 'hcx',
      missing: ['the mesh’s NE appliance count was not reported', 'NE appliance sm-avs-NE-I2 did not report a version'],
    });
  });
});

// ---- hcx-vsphere-version-legacy -------------------------------------------------------------------------------

describe('hcx-vsphere-version-legacy', () => {
  const V = 'hcx-vsphere-version-legacy';
  const vcs = (...vcenter: { url?: string; version?: string }[]) =>
    healthyConnector({ registrations: { vcenter, nsx: [], lookupService: [] } });
  const vc = (version: string | undefined) => vcs({ url: 'https://vc', version });

  test.each<[string, string]>([
    ['5.5', '2022-10-15'],
    ['6.0.0', '2022-10-15'],
    ['6.5.0', '2022-10-15'],
    ['6.7.0', '2022-10-15'],
    ['7.0.3', '2025-10-02'],
  ])('vSphere %s past its end of general support (%s) → fail low, legacy', (version, date) => {
    const e = one(V, vc(version));
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'low',
      subjectId: 'https://vc',
      subjectKind: 'connection',
      deadline: { date, basis: 'catalog', band: 'passed' },
      evidence: { source: 'appliance', vcenter: 'https://vc', version },
    });
    expect(e.message).toContain(`vSphere ${version}, past its end of general support (${date})`);
    expect(e.message).toContain('legacy vSphere');
  });

  test('a line the catalog has no date for, newer than every catalogued one → pass without a deadline', () => {
    const e = one(V, vc('9.0.0'));
    expect(e).toMatchObject({ status: 'pass', severity: 'info' });
    expect(e.deadline).toBeUndefined();
    expect(e.message).toContain('no end of general support is published for 9.0');
  });

  test.each<[string, string, string, string]>([
    ['2027-04-13T12:00:00Z', 'pass', 'info', 'later'],
    ['2027-04-14T00:00:00Z', 'fail', 'low', 'd180'],
    ['2027-10-10T23:00:00Z', 'fail', 'low', 'd30'],
    ['2027-10-11T00:00:00Z', 'fail', 'low', 'passed'],
  ])('vSphere 8.0 at %s → %s %s (band %s)', (asOf, status, severity, band) => {
    const e = one(V, vc('8.0.3'), asOf);
    expect(e).toMatchObject({ status, severity, deadline: { date: '2027-10-11', band } });
    expect(e.message).toContain('2027-10-11');
  });

  test('the message says how many days are left, or that the date has passed', () => {
    expect(one(V, vc('8.0.3')).message).toContain('in general support until 2027-10-11');
    expect(one(V, vc('8.0.3'), '2027-10-10T00:00:00Z').message).toContain(
      'whose general support ends on 2027-10-11 (1 days)',
    );
    expect(one(V, vc('8.0.3'), '2027-10-11T00:00:00Z').message).toContain('past its end of general support');
  });

  test('each vCenter is its own subject; one without a URL is named by its position', () => {
    const out = run(V, vcs({ url: 'https://vc-a', version: '8.0.3' }, { version: '7.0.3' }));
    expect(out.map((e) => [e.subjectId, e.subjectName, e.status])).toEqual([
      ['https://vc-a', 'https://vc-a', 'pass'],
      ['vcenter-1', 'vCenter 2', 'fail'],
    ]);
    expect(one(V, vcs({ version: '8.0.3' }))).toMatchObject({ subjectId: 'vcenter-0', subjectName: 'vCenter 1' });
  });

  test.each<[string | undefined, string]>([
    [undefined, 'vCenter https://vc did not report a version'],
    ['eight', 'vCenter https://vc: unparsable version "eight"'],
  ])('version %s → unknown, saying why', (version, why) => {
    const e = one(V, vc(version));
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'low',
      evidence: { source: 'appliance', vcenter: 'https://vc' },
    });
    expect(e.message).toBe(`Cannot tell the vSphere version: ${why}.`);
  });

  test('no vCenter registered → unknown low, pointing at the connection rule', () => {
    const e = one(V, vcs());
    expect(e).toMatchObject({ status: 'unknown', severity: 'low', subjectId: '*', evidence: { source: 'appliance' } });
    expect(e.message).toContain('hcx-manager-connection-unhealthy');
  });

  test('registrations not collected → unknown on every registration, read from the appliance interface', () => {
    expect(one(V, healthyConnector({ registrations: undefined }))).toMatchObject({
      status: 'unknown',
      subjectId: '*',
      subjectName: 'all vCenter registrations',
      subjectKind: 'connection',
      evidence: { source: 'appliance', missing: ['registrations'] },
    });
  });
});

// ---- hcx-local-domain-dns -------------------------------------------------------------------------------------

describe('hcx-local-domain-dns', () => {
  const D = 'hcx-local-domain-dns';
  const at = (version: string | undefined, over: Partial<Inventory> = {}) =>
    healthyConnector({ manager: { version }, ...over });
  const regs = (vcenter: string[], nsx: string[] = [], lookupService: string[] = []) => ({
    registrations: {
      vcenter: vcenter.map((url) => ({ url })),
      nsx: nsx.map((url) => ({ url })),
      lookupService: lookupService.map((url) => ({ url })),
    },
  });

  test.each<[string, string]>([
    ['4.4.0', 'not_applicable'],
    ['4.11.3', 'not_applicable'],
    ['4.3.9', 'fail'],
    ['4.2.0', 'fail'],
  ])('manager %s with .local registrations → %s', (version, status) => {
    expect(one(D, at(version)).status).toBe(status);
  });

  test('4.4.0 or later already runs Photon OS: not applicable, even without registrations', () => {
    expect(one(D, at('4.4.0', { registrations: undefined }))).toMatchObject({
      status: 'not_applicable',
      severity: 'info',
      subjectId: 'manager',
      message: expect.stringContaining('HCX 4.4.0 already runs Photon OS'),
      evidence: { source: 'hcx', version: '4.4.0' },
    });
  });

  test('a .local registration below 4.4.0 fails medium, naming each .local host once and the KB', () => {
    const e = one(
      D,
      at(
        '4.3.2',
        regs(
          ['https://VC.Corp.Local'],
          ['nsx.corp.local', 'https://nsx.corp.example'],
          ['https://vc.corp.local/lookupservice/sdk'],
        ),
      ),
    );
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'medium',
      subjectId: 'manager',
      evidence: { source: 'appliance', version: '4.3.2', localHosts: ['vc.corp.local', 'nsx.corp.local'] },
    });
    expect(e.message).toContain(
      'HCX 4.3.2 is below 4.4.0 and registers vc.corp.local, nsx.corp.local in the .local domain',
    );
    expect(e.message).toContain('KB 90082');
  });

  test.each<[string, ReturnType<typeof regs>]>([
    ['the lookup service', regs([], [], ['https://sso.corp.local/lookupservice/sdk'])],
    ['NSX', regs([], ['https://nsx.corp.local'])],
  ])('a .local host registered only as %s counts', (_, r) => {
    expect(one(D, at('4.3.2', r)).status).toBe('fail');
  });

  test('names outside .local, and registrations without a URL, pass (info)', () => {
    const r = {
      registrations: {
        vcenter: [{ url: 'https://vc.corp.example' }, {}],
        nsx: [{ url: 'https://local.corp.example' }],
        lookupService: [{ url: 'https://vc.localdomain' }],
      },
    };
    expect(one(D, at('4.3.2', r))).toMatchObject({
      status: 'pass',
      severity: 'info',
      message: 'No registration uses a .local FQDN.',
      evidence: { source: 'appliance', version: '4.3.2', localHosts: [] },
    });
  });

  test('registrations not collected below 4.4.0 → unknown', () => {
    expect(one(D, at('4.3.2', { registrations: undefined }))).toMatchObject({
      status: 'unknown',
      subjectId: 'manager',
      evidence: { source: 'appliance', missing: ['registrations'] },
    });
  });

  test.each<[Partial<Inventory>, string]>([
    [{ manager: undefined }, 'the HCX Manager was not collected this scan'],
    [{ manager: { version: undefined } }, 'the HCX Manager did not report its version'],
    [{ manager: { version: 'four' } }, 'unparsable version "four"'],
  ])('manager version unreadable (%j) → unknown medium, saying why', (over, why) => {
    expect(one(D, healthyConnector(over))).toMatchObject({
      status: 'unknown',
      severity: 'medium',
      message: `Cannot evaluate: ${why}.`,
      evidence: { source: 'hcx' },
    });
  });

  test('a private cloud is not applicable (its names are Microsoft’s)', () => {
    expect(one(D, healthyCloud({ manager: { version: '4.3.2' } })).status).toBe('not_applicable');
  });
});

// ---- hcx-service-mesh-upgrade-order ---------------------------------------------------------------------------

describe('hcx-service-mesh-upgrade-order', () => {
  const O = 'hcx-service-mesh-upgrade-order';
  /** The Connector at `local`, its paired Cloud Manager at `remote`, mesh-1 with the given update flag. */
  const pair = (local: string | undefined, remote: string | undefined, over: Partial<Inventory> = {}) =>
    healthyConnector({
      manager: { version: local },
      sitePairs: [sitePair({ remoteVersion: remote })],
      ...over,
    });
  const pending = (local: string | undefined, remote: string | undefined, over: Partial<Inventory> = {}) =>
    pair(local, remote, { serviceMeshes: [mesh({ updateAvailable: true })], ...over });

  test('no update pending → pass (info), whatever the paired manager runs', () => {
    expect(one(O, pair('4.11.3', '4.10.0'))).toMatchObject({
      status: 'pass',
      severity: 'info',
      subjectId: 'mesh-1',
      subjectKind: 'service-mesh',
      message: 'Mesh sm-avs has no update pending.',
    });
  });

  test('an update pending while the managers differ → fail low, naming both versions and the remote site', () => {
    const e = one(O, pending('4.11.4', '4.11.3'));
    expect(e).toMatchObject({ status: 'fail', severity: 'low' });
    expect(e.message).toContain('this one 4.11.4, remote site avs-cloud 4.11.3');
    expect(e.message).toContain('upgrade the paired manager before the Service Mesh');
    expect(e.evidence).toEqual({
      source: 'hcx',
      localManager: '4.11.4',
      pairedManager: '4.11.3',
      pairedAt: 'remote site avs-cloud',
      updateAvailable: true,
      appliances: [
        { name: 'sm-avs-IX-I1', version: '4.11.3' },
        { name: 'sm-avs-NE-I1', version: '4.11.3' },
        { name: 'sm-avs-NE-I2', version: '4.11.3' },
      ],
    });
  });

  test.each<[string, string]>([
    ['4.11.3', '4.11.4'],
    ['4.11.4', '4.10.0'],
    ['9.0.0', '4.11.3'],
  ])('managers %s and %s differ either way → fail', (local, remote) => {
    expect(one(O, pending(local, remote)).status).toBe('fail');
  });

  test('an update pending with both managers on the same release → pass, may be upgraded once converged', () => {
    const e = one(O, pending('4.11.4', '4.11.4'));
    expect(e).toMatchObject({ status: 'pass', severity: 'info' });
    expect(e.message).toContain('both paired managers run 4.11.4');
    expect(one(O, pending('4.11', '4.11.0')).status).toBe('pass');
  });

  describe('an appliance of the mesh below this manager is an update pending', () => {
    const members = (...as: Appliance[]) => pair('4.11.3', '4.11.2', { appliances: as });
    test.each<[string, Appliance[], string]>([
      ['one appliance below', [appliance(), neAppliance(1, { version: '4.11.2' })], 'fail'],
      ['every appliance current', [appliance(), neAppliance(1)], 'pass'],
      ['an appliance above', [appliance({ version: '4.11.4' })], 'pass'],
      ['an unreadable appliance version', [appliance({ version: 'n/a' })], 'pass'],
      ['an appliance reporting no version', [appliance({ version: undefined })], 'pass'],
      [
        'below, but in another mesh',
        [appliance(), neAppliance(3, { serviceMeshId: 'mesh-2', version: '4.10.0' })],
        'pass',
      ],
    ])('%s → %s', (_, as, status) => {
      expect(one(O, members(...as)).status).toBe(status);
    });
  });

  test('updateAvailable false and appliances current: nothing pending', () => {
    expect(one(O, pair('4.11.3', '4.11.2', { serviceMeshes: [mesh({ updateAvailable: false })] })).status).toBe('pass');
  });

  test('each mesh is judged, with or without Network Extension', () => {
    const two = pending('4.11.4', '4.11.3', {
      serviceMeshes: [
        mesh({ updateAvailable: true }),
        mesh({ id: 'mesh-2', name: 'sm-ix', services: ['INTERCONNECT'] }),
      ],
    });
    expect(run(O, two).map((e) => [e.subjectId, e.status])).toEqual([
      ['mesh-1', 'fail'],
      ['mesh-2', 'pass'],
    ]);
  });

  test.each<[string, Partial<Inventory>, string, string]>([
    ['site pairs not collected', { sitePairs: undefined }, 'site pairs were not collected', 'remote site'],
    [
      'no pair matches the mesh endpoints',
      { sitePairs: [sitePair({ id: 'other' })] },
      'no site pair of this manager matches the mesh endpoints',
      'remote site',
    ],
    [
      'a mesh with no endpoints',
      { serviceMeshes: [mesh({ updateAvailable: true, endpointIds: undefined })] },
      'no site pair of this manager matches the mesh endpoints',
      'remote site',
    ],
    [
      'the paired manager reports no version',
      { sitePairs: [sitePair({ remoteVersion: undefined })] },
      'remote site avs-cloud did not report a version',
      'remote site avs-cloud',
    ],
  ])('update pending, %s → unknown medium, saying why', (_, over, why, pairedAt) => {
    const e = one(O, pending('4.11.4', '4.11.3', over));
    expect(e).toMatchObject({ status: 'unknown', severity: 'medium', evidence: { pairedAt } });
    expect(e.message).toBe(
      `Mesh sm-avs has an update pending, but whether every paired manager is updated cannot be told (${why}).`,
    );
  });

  test('update pending but this manager’s version unreadable → unknown medium, saying why', () => {
    const e = one(O, pending(undefined, '4.11.3'));
    expect(e).toMatchObject({ status: 'unknown', severity: 'medium' });
    expect(e.message).toContain('(the HCX Manager did not report its version)');
  });

  test.each<[string, Partial<Inventory>, string]>([
    ['appliances not collected', { appliances: undefined }, 'appliances not collected'],
    ['this manager’s version unreadable', { manager: { version: 'x' } }, 'unparsable version "x"'],
  ])('no update flagged, %s → unknown medium: an appliance behind cannot be ruled out', (_, over, why) => {
    const e = one(O, pair('4.11.3', '4.11.3', over));
    expect(e).toMatchObject({ status: 'unknown', severity: 'medium' });
    expect(e.message).toBe(`Cannot tell whether mesh sm-avs has an update pending: ${why}.`);
  });

  test.each<[Partial<ReturnType<typeof sitePair>>, string]>([
    [{}, 'remote site avs-cloud'],
    [{ name: undefined }, 'remote site https://hcx.abc.westeurope.avs.azure.com'],
    [{ name: undefined, url: undefined }, 'remote site 20250101000000000-aaaa-bbbb'],
  ])('the remote site is named by its name, else URL, else id (%j)', (over, where) => {
    const e = one(O, pending('4.11.4', '4.11.3', { sitePairs: [sitePair(over)] }));
    expect(e.message).toContain(`${where} 4.11.3`);
    expect(e.evidence.pairedAt).toBe(where);
  });

  test('serviceMeshes not collected → unknown on every mesh; a private cloud is not applicable', () => {
    expect(one(O, healthyConnector({ serviceMeshes: undefined }))).toMatchObject({
      status: 'unknown',
      severity: 'medium',
      subjectId: '*',
      evidence: { missing: ['serviceMeshes'] },
    });
    expect(one(O, healthyCloud({ serviceMeshes: [mesh({ updateAvailable: true })] })).status).toBe('not_applicable');
  });
});
