/** The helpers every rule is built on: the not-applicable wrapper, version and state reading, and "not collected". */
import {
  ALL_SUBJECTS,
  MANAGER,
  allSubjects,
  defineRule,
  evaluation,
  hcxAddonAbsent,
  hostOf,
  kindLabel,
  lc,
  managerVersion,
  notCollected,
  ownerOf,
  readState,
  readVersion,
} from '../../../lib/rules/common';
import type { Inventory } from '../../../lib/domain/inventory';
import { ctxAt, emptyCloud, emptyConnector, healthyCloud, healthyConnector } from '../../support/inventoryBuilder';

const META = {
  id: 'test-rule',
  title: 'A test rule',
  family: 'lifecycle' as const,
  defaultSeverity: 'high' as const,
  owner: { 'avs-private-cloud': 'microsoft', 'hcx-connector': 'customer' } as const,
  references: [],
  remediation: 'Do the thing.',
  action: 'Do the thing.',
  needs: ['manager'],
};

function ruleFor(appliesTo: Inventory['target']['kind'][], hcxDependent: boolean) {
  const calls: Inventory[] = [];
  const rule = defineRule({
    ...META,
    appliesTo,
    hcxDependent,
    naSubject: MANAGER,
    evaluate(inv) {
      calls.push(inv);
      return [evaluation(META, inv, MANAGER, 'pass', 'info', 'ran', { source: 'hcx' })];
    },
  });
  return { rule, calls };
}

describe('defineRule', () => {
  test('keeps the metadata and drops the wrapper fields', () => {
    const { rule } = ruleFor(['hcx-connector'], true);
    expect(rule).toMatchObject({ id: 'test-rule', appliesTo: ['hcx-connector'], defaultSeverity: 'high' });
    expect(rule).not.toHaveProperty('hcxDependent');
    expect(rule).not.toHaveProperty('naSubject');
  });

  test('a target kind outside appliesTo is not_applicable, naming the kind, without running the rule', () => {
    const { rule, calls } = ruleFor(['hcx-connector'], false);
    const [e] = rule.evaluate(healthyCloud(), ctxAt());
    expect(calls).toHaveLength(0);
    expect(e).toMatchObject({
      ruleId: 'test-rule',
      subjectId: 'manager',
      status: 'not_applicable',
      severity: 'high',
      message: 'Not applicable to AVS private cloud (HCX Cloud Manager) targets.',
      evidence: { source: 'arm', targetKind: 'avs-private-cloud' },
    });
    const other = ruleFor(['avs-private-cloud'], false);
    expect(other.rule.evaluate(healthyConnector(), ctxAt())[0]).toMatchObject({
      status: 'not_applicable',
      message: 'Not applicable to on-premises HCX Connector targets.',
      evidence: { source: 'operator', targetKind: 'hcx-connector' },
    });
  });

  test('an HCX rule on a private cloud without the HCX add-on is not_applicable, pointing at avs-hcx-addon-missing', () => {
    const { rule, calls } = ruleFor(['avs-private-cloud'], true);
    const inv = healthyCloud();
    inv.arm!.hcxAddon = null;
    const [e] = rule.evaluate(inv, ctxAt());
    expect(calls).toHaveLength(0);
    expect(e).toMatchObject({ status: 'not_applicable', evidence: { source: 'arm', hcxAddon: null } });
    expect(e.message).toContain('see avs-hcx-addon-missing');
  });

  test('a rule that does not read HCX runs on a cloud without the add-on; an HCX rule runs when it is there', () => {
    const inv = healthyCloud();
    inv.arm!.hcxAddon = null;
    expect(ruleFor(['avs-private-cloud'], false).rule.evaluate(inv, ctxAt())[0].message).toBe('ran');
    expect(ruleFor(['avs-private-cloud'], true).rule.evaluate(healthyCloud(), ctxAt())[0].message).toBe('ran');
    expect(ruleFor(['hcx-connector'], true).rule.evaluate(healthyConnector(), ctxAt())[0].message).toBe('ran');
  });
});

describe('hcxAddonAbsent', () => {
  test('only a private cloud whose ARM read says "no add-on" (null), not one never read', () => {
    const cloud = healthyCloud();
    expect(hcxAddonAbsent(cloud)).toBe(false);
    cloud.arm!.hcxAddon = null;
    expect(hcxAddonAbsent(cloud)).toBe(true);
    delete (cloud.arm as { hcxAddon?: unknown }).hcxAddon;
    expect(hcxAddonAbsent(cloud)).toBe(false);
    expect(hcxAddonAbsent(emptyCloud())).toBe(false);
    const connector = healthyConnector({ arm: { ...healthyCloud().arm!, hcxAddon: null } });
    expect(hcxAddonAbsent(connector)).toBe(false);
  });
});

describe('evaluation', () => {
  test('carries the rule, target and subject; a deadline only when given', () => {
    const inv = healthyConnector();
    const e = evaluation(META, inv, allSubjects('manager', 'managers'), 'fail', 'low', 'msg', { source: 'hcx' });
    expect(e).toEqual({
      ruleId: 'test-rule',
      targetId: inv.target.id,
      subjectId: ALL_SUBJECTS,
      subjectName: 'all managers',
      subjectKind: 'manager',
      status: 'fail',
      severity: 'low',
      message: 'msg',
      evidence: { source: 'hcx' },
    });
    const d = { date: '2026-06-01', basis: 'catalog' as const, daysLeft: 10, band: 'd30' as const };
    expect(evaluation(META, inv, MANAGER, 'fail', 'low', 'm', { source: 'hcx' }, d).deadline).toEqual(d);
    expect('deadline' in e).toBe(false);
  });

  test('ownerOf and kindLabel', () => {
    expect(ownerOf({ ...META, appliesTo: [] }, 'avs-private-cloud')).toBe('microsoft');
    expect(ownerOf({ ...META, appliesTo: [] }, 'hcx-connector')).toBe('customer');
    expect(kindLabel('hcx-connector')).toBe('on-premises HCX Connector');
  });
});

describe('reading versions', () => {
  test('managerVersion: not collected, not reported, unparsable, or the version', () => {
    expect(managerVersion(emptyConnector())).toEqual({
      ok: false,
      reason: 'the HCX Manager was not collected this scan',
    });
    const inv = healthyConnector();
    inv.manager = { ...inv.manager!, version: undefined };
    expect(managerVersion(inv)).toEqual({ ok: false, reason: 'the HCX Manager did not report its version' });
    inv.manager.version = 'n/a';
    expect(managerVersion(inv)).toEqual({ ok: false, reason: 'unparsable version "n/a"', raw: 'n/a' });
    inv.manager.version = '4.11.3';
    expect(managerVersion(inv)).toMatchObject({ ok: true, raw: '4.11.3', version: { parts: [4, 11, 3] } });
  });

  test('readVersion names what did not report', () => {
    expect(readVersion(undefined, 'appliance ix-1')).toEqual({
      ok: false,
      reason: 'appliance ix-1 did not report a version',
    });
    expect(readVersion('n/a', 'appliance ix-1')).toEqual({
      ok: false,
      reason: 'appliance ix-1: unparsable version "n/a"',
      raw: 'n/a',
    });
    expect(readVersion('4.10.3', 'x')).toMatchObject({ ok: true, raw: '4.10.3', version: { minor: 10 } });
  });
});

describe('readState: healthy only when known healthy, bad on a fault word, otherwise unknown', () => {
  test.each([
    ['UP', 'healthy'],
    [' connected ', 'healthy'],
    ['TUNNEL_UP', 'healthy'],
    ['tunnel-up', 'healthy'],
    ['In Sync', 'healthy'],
    ['succeeded', 'healthy'],
    ['NO_ERRORS', 'healthy'],
    ['zero failures', 'healthy'],
    ['without-error', 'healthy'],
    ['DOWN', 'bad'],
    ['TUNNEL_DOWN', 'bad'],
    ['partially-failed', 'bad'],
    ['FAILING', 'bad'],
    ['degrade', 'bad'],
    ['Not Connected', 'bad'],
    ['NOT_CONNECTED', 'bad'],
    ['out-of-sync', 'bad'],
    ['red', 'bad'],
    ['PAIRED', 'healthy'],
    ['CONFIGURED', 'unknown'],
    ['DOWNLOADING', 'unknown'],
    ['uptime', 'unknown'],
    ['mostly up', 'unknown'],
    ['no problems', 'unknown'],
    ['status: up', 'unknown'],
  ])('%j → %s', (value, read) => {
    expect(readState(value)).toBe(read);
  });

  test('nothing reported is undefined, not unknown', () => {
    expect(readState(undefined)).toBeUndefined();
    expect(readState('   ')).toBeUndefined();
  });
});

describe('hostOf and lc', () => {
  test('host of a URL or bare host, lower case; undefined otherwise', () => {
    expect(hostOf('https://HCX.Corp.Local:443/ui')).toBe('hcx.corp.local');
    expect(hostOf('VC.corp.local')).toBe('vc.corp.local');
    expect(hostOf('vc.corp.local/sdk')).toBe('vc.corp.local');
    expect(hostOf(undefined)).toBeUndefined();
    expect(hostOf('')).toBeUndefined();
    expect(hostOf('http://[bad')).toBeUndefined();
    expect(lc('ABC')).toBe('abc');
    expect(lc(undefined)).toBe('');
  });
});

describe('notCollected', () => {
  test('unknown on the subject, naming the field, the collection error when there is one, and "never a pass"', () => {
    const inv = emptyConnector();
    inv.issues = [
      { source: 'hcx', call: 'appliances', errorClass: 'timeout', message: 'no answer in 30 s' },
      { source: 'hcx', call: 'sitePairs', errorClass: 'auth', message: '401' },
    ];
    const e = notCollected(META, inv, allSubjects('appliance', 'appliances'), 'sitePairs');
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'high',
      subjectId: '*',
      message:
        'Cannot evaluate: sitePairs was not collected this scan (auth: 401). A failure to collect is never a pass.',
      evidence: { source: 'hcx', missing: ['sitePairs'], errorClass: 'auth' },
    });
    const bare = notCollected(META, inv, MANAGER, 'licensing', 'appliance');
    expect(bare.message).toBe(
      'Cannot evaluate: licensing was not collected this scan. A failure to collect is never a pass.',
    );
    expect(bare.evidence).toEqual({ source: 'appliance', missing: ['licensing'] });
  });
});
