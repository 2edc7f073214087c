import { ruleById } from '../../../lib/rules';
import type { Inventory, NetworkExtension } from '../../../lib/domain/inventory';
import type { RuleContext } from '../../../lib/rules/types';
import { ctxAt, extension, haGroup, healthyCloud, neAppliance, appliance } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory, ctx: RuleContext = ctxAt()) => ruleById(id)!.evaluate(inv, ctx);

describe('hcx-network-extension-without-ha', () => {
  const R = 'hcx-network-extension-without-ha';
  test('an extension over an appliance in no HA group → medium', () => {
    const e = run(
      R,
      healthyCloud({
        extensions: [extension({ haGroupId: undefined, applianceId: 'app-ne-9', applianceName: 'NE-9' })],
      }),
    )[0];
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'medium',
      subjectId: 'ext-1',
      subjectKind: 'extended-network',
    });
  });
  test('haGroupId on the extension, or its appliance being a group member → pass', () => {
    expect(run(R, healthyCloud())[0].status).toBe('pass');
    expect(run(R, healthyCloud({ extensions: [extension({ haGroupId: undefined })] }))[0].status).toBe('pass');
    expect(
      run(R, healthyCloud({ extensions: [extension({ haGroupId: undefined, applianceId: undefined })] }))[0].status,
    ).toBe('pass');
  });
  test('HA groups not collected, or no appliance named → unknown; extensions missing → * unknown', () => {
    expect(
      run(R, healthyCloud({ haGroups: undefined, extensions: [extension({ haGroupId: undefined })] }))[0].status,
    ).toBe('unknown');
    expect(
      run(
        R,
        healthyCloud({
          extensions: [extension({ haGroupId: undefined, applianceId: undefined, applianceName: undefined })],
        }),
      )[0].status,
    ).toBe('unknown');
    expect(run(R, healthyCloud({ extensions: undefined }))[0]).toMatchObject({ subjectId: '*', status: 'unknown' });
  });
  test('remediation lists the NE HA prerequisites', () => {
    expect(ruleById(R)!.remediation).toMatch(/Enterprise/);
  });
  test('the subject is the network by name, or by extension id when the name is not reported', () => {
    const subj = (over: Partial<NetworkExtension>) => {
      const e = run(R, healthyCloud({ extensions: [extension(over)] }))[0];
      return [e.subjectId, e.subjectName];
    };
    expect(subj({})).toEqual(['ext-1', 'vlan-100']);
    expect(subj({ networkName: undefined })).toEqual(['ext-1', 'ext-1']);
  });
  test('an extension over an HA group passes even when its appliance is listed in no group (or groups were not collected)', () => {
    const ext = extension({ haGroupId: 'ha-7', applianceId: 'app-ne-9', applianceName: 'NE-9' });
    for (const haGroups of [[haGroup()], undefined]) {
      expect(run(R, healthyCloud({ haGroups, extensions: [ext] }))[0]).toMatchObject({
        status: 'pass',
        severity: 'info',
        message: expect.stringMatching(/vlan-100 .*HA group ha-7/),
        evidence: { source: 'hcx', appliance: 'NE-9', haGroupId: 'ha-7' },
      });
    }
  });
  test.each([
    ['by id (the appliance was renamed)', true, { applianceId: 'app-ne-2', applianceName: 'renamed' }],
    ['by name (the extension gives no id)', true, { applianceId: undefined, applianceName: 'sm-avs-NE-I2' }],
    ['by neither id nor name', false, { applianceId: 'app-ne-9', applianceName: 'NE-9' }],
    // A member that reports no name must not match an extension that reports no name.
    ['when only ids are known and they differ', false, { applianceId: 'app-ne-9', applianceName: undefined }],
    // The parser records a member without an id as '' (and a blank name as ''): blanks identify nothing.
    ['only by a blank id', false, { applianceId: '', applianceName: 'NE-9' }],
    ['only by a blank name', false, { applianceId: 'app-ne-9', applianceName: '' }],
  ])('the extension’s appliance matches a group member %s → in a group: %s', (_, inGroup, over) => {
    const members = [
      { applianceId: 'app-ne-1', role: 'ACTIVE' },
      { applianceId: 'app-ne-2', applianceName: 'sm-avs-NE-I2', role: 'STANDBY' },
      { applianceId: '', applianceName: '', role: 'STANDBY' },
    ];
    const groups = [
      haGroup({ id: 'ha-0', name: 'other', members: [] }),
      haGroup({ id: 'ha-3', name: 'grp-3', members }),
    ];
    const e = run(R, healthyCloud({ haGroups: groups, extensions: [extension({ haGroupId: undefined, ...over })] }))[0];
    if (inGroup)
      expect(e).toMatchObject({
        status: 'pass',
        severity: 'info',
        message: expect.stringMatching(/vlan-100.*HA group grp-3/),
        evidence: { haGroupId: 'ha-3' },
      });
    else expect(e).toMatchObject({ status: 'fail', severity: 'medium', evidence: { haGroupId: undefined } });
  });
  test('the failure names the network and its appliance (by name, else by id)', () => {
    const msg = (over: Partial<NetworkExtension>) =>
      run(R, healthyCloud({ haGroups: [], extensions: [extension({ haGroupId: undefined, ...over })] }))[0];
    expect(msg({ applianceId: 'app-ne-9', applianceName: 'NE-9' })).toMatchObject({
      message: expect.stringMatching(/vlan-100 .*NE appliance NE-9, which is in no HA group/),
      evidence: { source: 'hcx', appliance: 'NE-9' },
    });
    expect(msg({ applianceId: 'app-ne-9', applianceName: undefined })).toMatchObject({
      message: expect.stringMatching(/NE appliance app-ne-9,/),
      evidence: { appliance: 'app-ne-9' },
    });
  });
  test('unknown verdicts say what is missing', () => {
    const noGroups = run(
      R,
      healthyCloud({ haGroups: undefined, extensions: [extension({ haGroupId: undefined })] }),
    )[0];
    expect(noGroups).toMatchObject({
      severity: 'medium',
      message: expect.stringMatching(/HA groups were not collected/),
      evidence: { source: 'hcx', appliance: 'sm-avs-NE-I1', missing: ['haGroups'] },
    });
    const unnamed = run(
      R,
      healthyCloud({
        extensions: [extension({ haGroupId: undefined, applianceId: undefined, applianceName: undefined })],
      }),
    )[0];
    expect(unnamed).toMatchObject({
      severity: 'medium',
      message: expect.stringMatching(/does not name its NE appliance/),
      evidence: { source: 'hcx' },
    });
    expect(run(R, healthyCloud({ extensions: undefined }))[0]).toMatchObject({
      subjectName: 'all extended networks',
      subjectKind: 'extended-network',
      evidence: { missing: ['extensions'] },
    });
  });
});

describe('hcx-ne-ha-group-degraded', () => {
  const R = 'hcx-ne-ha-group-degraded';
  test.each([
    [{ members: [{ applianceId: 'a', role: 'ACTIVE' }] }, 'fail'],
    [
      {
        members: [
          { applianceId: 'a', role: 'STANDBY' },
          { applianceId: 'b', role: 'STANDBY' },
        ],
      },
      'fail',
    ],
    [{ groupState: 'DEGRADED' }, 'fail'],
    [{ availabilityState: 'FAILED_OVER' }, 'fail'],
    [{ groupState: 'Down' }, 'fail'],
    [{ availabilityState: 'ERROR' }, 'fail'],
    [{}, 'pass'],
    [
      {
        members: [
          { applianceId: 'a', role: 'Active' },
          { applianceId: 'b', role: 'Standby' },
        ],
      },
      'pass',
    ],
  ])('%j → %s', (over, status) => {
    expect(run(R, healthyCloud({ haGroups: [haGroup(over)] }))[0]).toMatchObject({
      status,
      subjectId: 'ha-1',
      subjectKind: 'ha-group',
    });
  });
  test('not collected → * unknown', () => {
    expect(run(R, healthyCloud({ haGroups: undefined }))[0]).toMatchObject({ subjectId: '*', status: 'unknown' });
  });
  const role = (r: string | undefined, n = 1) => ({ applianceId: `app-ne-${n}`, role: r });
  test('a healthy group passes (info) and says it has both roles', () => {
    expect(run(R, healthyCloud())[0]).toMatchObject({
      status: 'pass',
      severity: 'info',
      subjectName: 'ha-group-1',
      message: expect.stringMatching(/ha-group-1 has an Active and a Standby member/),
    });
  });
  test.each([
    [{ members: [role('STANDBY'), role('STANDBY', 2)] }, 'no Active member.'],
    [{ members: [role('ACTIVE'), role('ACTIVE', 2)] }, 'no Standby member.'],
    [{ members: [role('ACTIVE')], groupState: 'DEGRADED' }, 'no Standby member; group state DEGRADED.'],
    [
      { availabilityState: 'ERROR', statusMessage: 'Standby NE-2 unreachable' },
      'availability ERROR. Standby NE-2 unreachable',
    ],
  ])('%j → the failure lists every problem and HCX’s status message: "%s"', (over, problems) => {
    expect(run(R, healthyCloud({ haGroups: [haGroup(over)] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: `NE HA group ha-group-1 is degraded: ${problems}`,
    });
  });
  test('evidence carries the roles, both states and the status message as HCX reported them', () => {
    const g = haGroup({ members: [role('Active'), role(undefined, 2)], groupState: 'DEGRADED', statusMessage: 'sync' });
    expect(run(R, healthyCloud({ haGroups: [g] }))[0].evidence).toEqual({
      source: 'hcx',
      roles: ['Active', undefined],
      groupState: 'DEGRADED',
      availabilityState: 'HEALTHY',
      statusMessage: 'sync',
    });
  });
  test.each([
    ['no member reported', [], 'no member reported'],
    ['one unfamiliar role', [role('ACTIVE'), role('PRIMARY', 2)], 'member role PRIMARY'],
    ['two unread roles', [role(undefined), role('SECONDARY', 2)], 'member roles not reported, SECONDARY'],
    // The role must be exactly Active or Standby: a word that merely contains one is not a role we can read.
    ['a role containing "active"', [role('INACTIVE'), role('STANDBY', 2)], 'member role INACTIVE'],
    ['a role starting with "standby"', [role('ACTIVE'), role('STANDBY_PENDING', 2)], 'member role STANDBY_PENDING'],
  ])('%s → unknown (high), never a pass or a "no Active" failure', (_, members, unread) => {
    expect(run(R, healthyCloud({ haGroups: [haGroup({ members })] }))[0]).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message: `Cannot confirm NE HA group ha-group-1 is healthy: ${unread}.`,
      evidence: { source: 'hcx', unread: [unread] },
    });
  });
});

describe('hcx-ne-appliance-ha-incompatible', () => {
  const R = 'hcx-ne-appliance-ha-incompatible';
  test('NE appliances below 4.3.0 fail (low); others pass; non-NE appliances are not subjects', () => {
    const evals = run(
      R,
      healthyCloud({
        appliances: [
          appliance({ version: '4.2.0' }),
          neAppliance(1, { version: '4.2.9' }),
          neAppliance(2, { version: '4.3.0' }),
          neAppliance(3, { version: undefined }),
        ],
      }),
    );
    expect(evals.map((e) => [e.subjectId, e.status, e.severity])).toEqual([
      ['app-ne-1', 'fail', 'low'],
      ['app-ne-2', 'pass', 'info'],
      ['app-ne-3', 'unknown', 'low'],
    ]);
  });
  test('not collected → * unknown', () => {
    expect(run(R, healthyCloud({ appliances: undefined }))[0]).toMatchObject({ subjectId: '*', status: 'unknown' });
  });
  test.each([
    ['HCX-NET-EXT', true],
    ['NetExt', true],
    ['net ext', true],
    ['NET_EXT', true],
    ['Network Extension', true],
    ['NETWORK-EXTENSION', true],
    ['network_extension', true],
    ['NetworkExtension', true],
    ['NE', true],
    ['HCX-WAN-IX', false],
    ['HCX-WAN-OPT', false],
    ['HCX-SGW', false],
    ['HCX-SDWAN', false],
    // "ne" alone names the NE appliance; a type that merely starts or ends with those letters does not.
    ['Network Gateway', false],
    ['Routing-Engine', false],
  ])('an appliance of type %j is a Network Extension appliance: %s', (type, isNe) => {
    const evals = run(R, healthyCloud({ appliances: [appliance({ type })] }));
    expect(evals.map((e) => e.subjectId)).toEqual(isNe ? ['app-ix-1'] : []);
  });
  test('messages name the appliance, its version and 4.3.0; evidence carries version and type', () => {
    const at = (version: string | undefined) => run(R, healthyCloud({ appliances: [neAppliance(1, { version })] }))[0];
    expect(at('4.2.9')).toMatchObject({
      subjectName: 'sm-avs-NE-I1',
      subjectKind: 'appliance',
      message: expect.stringMatching(/sm-avs-NE-I1 runs 4\.2\.9, below 4\.3\.0: it cannot join an HA group/),
      evidence: { source: 'hcx', version: '4.2.9', type: 'HCX-NET-EXT' },
    });
    expect(at('4.10.0').message).toMatch(/sm-avs-NE-I1 runs 4\.10\.0 and can join an HA group/);
    expect(at(undefined)).toMatchObject({
      message: expect.stringMatching(
        /sm-avs-NE-I1 can join an HA group: NE appliance sm-avs-NE-I1 did not report a version/,
      ),
      evidence: { source: 'hcx', version: undefined, type: 'HCX-NET-EXT' },
    });
    expect(at('four.two')).toMatchObject({
      status: 'unknown',
      severity: 'low',
      message: expect.stringMatching(/four\.two/),
    });
  });
});

describe('hcx-network-extension-long-lived', () => {
  const R = 'hcx-network-extension-long-lived';
  const at = (asOf: string, max?: number) =>
    run(
      R,
      healthyCloud({ extensions: [extension({ createdAt: '2026-01-01T10:00:00Z' })] }),
      ctxAt(asOf, { settings: { extensionMaxDays: max } }),
    )[0];
  test('longer than HCXMON_EXTENSION_MAX_DAYS (30) → low; exactly 30 days passes', () => {
    expect(at('2026-01-31T00:00:00Z')).toMatchObject({ status: 'pass', evidence: { ageDays: 30 } });
    expect(at('2026-02-01T00:00:00Z')).toMatchObject({ status: 'fail', severity: 'low', evidence: { ageDays: 31 } });
    expect(at('2026-02-01T00:00:00Z', 45).status).toBe('pass');
  });
  test('no creation date → unknown; extensions missing → * unknown', () => {
    expect(run(R, healthyCloud({ extensions: [extension({ createdAt: undefined })] }))[0].status).toBe('unknown');
    expect(run(R, healthyCloud({ extensions: undefined }))[0]).toMatchObject({ subjectId: '*', status: 'unknown' });
  });
  test('messages give the age in days and the limit; evidence carries creation date, age and limit', () => {
    expect(at('2026-02-01T00:00:00Z')).toMatchObject({
      subjectName: 'vlan-100',
      message: expect.stringMatching(/vlan-100 has been extended for 31 days \(more than 30\)/),
      evidence: { source: 'hcx', createdAt: '2026-01-01T10:00:00Z', ageDays: 31, maxDays: 30 },
    });
    expect(at('2026-01-11T00:00:00Z', 45)).toMatchObject({
      severity: 'info',
      message: 'Network vlan-100 has been extended for 10 days (limit 45).',
      evidence: { ageDays: 10, maxDays: 45 },
    });
  });
  test.each([
    ['the day it was created', '2026-01-01T23:00:00Z', ''],
    [
      'an --as-of before its creation',
      '2025-12-30T00:00:00Z',
      ' (created 2026-01-01, after the evaluation date 2025-12-30: age counted as 0)',
    ],
  ])('evaluated %s → age 0, passes', (_, asOf, note) => {
    expect(at(asOf)).toMatchObject({
      status: 'pass',
      message: `Network vlan-100 has been extended for 0 days (limit 30)${note}.`,
      evidence: { ageDays: 0 },
    });
  });
  test('an unreported creation date is unknown (low) and says so', () => {
    expect(run(R, healthyCloud({ extensions: [extension({ createdAt: undefined })] }))[0]).toMatchObject({
      severity: 'low',
      message: expect.stringMatching(/vlan-100: the extension's creation date was not reported/),
      evidence: { source: 'hcx', ageDays: undefined, maxDays: 30 },
    });
  });
});

describe('a collection that failed makes each rule unknown on all its subjects, naming the missing collection', () => {
  test.each([
    ['hcx-network-extension-without-ha', 'extensions', 'all extended networks', 'medium'],
    ['hcx-ne-ha-group-degraded', 'haGroups', 'all NE HA groups', 'high'],
    ['hcx-ne-appliance-ha-incompatible', 'appliances', 'all Network Extension appliances', 'low'],
    ['hcx-network-extension-long-lived', 'extensions', 'all extended networks', 'low'],
  ])('%s without %s', (id, field, subjectName, severity) => {
    const evals = run(id, healthyCloud({ [field]: undefined }));
    expect(evals).toEqual([
      expect.objectContaining({
        subjectId: '*',
        subjectName,
        status: 'unknown',
        severity,
        message: expect.stringContaining(`${field} was not collected`),
        evidence: expect.objectContaining({ source: 'hcx', missing: [field] }),
      }),
    ]);
  });
});
