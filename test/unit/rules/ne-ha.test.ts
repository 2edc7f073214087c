import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
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
});
