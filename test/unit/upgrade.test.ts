import { DateTime } from 'luxon';
import type { TargetHistory } from '../../lib/domain/finding';
import { evaluateTarget, ruleById } from '../../lib/rules';
import { updateHistory } from '../../lib/upgrade/history';
import { convergenceChecklist } from '../../lib/upgrade/checklist';
import { upgradeEvent } from '../../lib/upgrade/events';
import { detectUpgrade } from '../../lib/upgrade/history';
import { appliance, ctxAt, healthyCloud, healthyConnector, mesh, observation, sitePair } from '../support/inventoryBuilder';

const RULE = ruleById('hcx-upgrade-not-converged')!;
const at = (iso: string) => ({ collectedAt: iso });

describe('upgrade detection', () => {
  const before: TargetHistory = { versions: [observation('4.11.2', '2026-01-01T05:00:00Z', '2026-02-01T05:00:00Z')], lastExtensionCount: 3 };

  it('a version change between two scans is an upgrade with both versions and the bracketing scan times', () => {
    expect(detectUpgrade(before, { ...healthyCloud(), ...at('2026-02-02T05:00:00Z') })).toEqual({
      fromVersion: '4.11.2',
      toVersion: '4.11.3',
      lastSeenFromAt: '2026-02-01T05:00:00Z',
      firstSeenToAt: '2026-02-02T05:00:00Z',
      extensionsBefore: 3,
    });
  });

  it('no event: same version, no version read, no earlier observation, or an out-of-order collection', () => {
    const same = { ...healthyCloud({ manager: { version: '4.11.2' } }), ...at('2026-02-02T05:00:00Z') };
    expect(detectUpgrade(before, same)).toBeUndefined();
    expect(detectUpgrade(before, { ...healthyCloud({ manager: undefined }), ...at('2026-02-02T05:00:00Z') })).toBeUndefined();
    expect(detectUpgrade({ versions: [] }, { ...healthyCloud(), ...at('2026-02-02T05:00:00Z') })).toBeUndefined();
    expect(detectUpgrade(before, { ...healthyCloud(), ...at('2026-01-15T05:00:00Z') })).toBeUndefined();
  });

  it('no event for a downgrade (snapshot rollback), the same version written otherwise, or an unreadable version', () => {
    const v = (version: string) => ({ ...healthyCloud({ manager: { version } }), ...at('2026-02-02T05:00:00Z') });
    expect(detectUpgrade(before, v('4.11.0'))).toBeUndefined();
    expect(detectUpgrade(before, v('4.11.2.0'))).toBeUndefined();
    expect(detectUpgrade(before, v('unknown'))).toBeUndefined();
    // An unreadable version once read does not hide the next real upgrade: it is compared with the last readable one.
    const garbled: TargetHistory = { versions: [...before.versions, observation('N/A', '2026-02-01T17:00:00Z', '2026-02-01T17:00:00Z')] };
    expect(detectUpgrade(garbled, v('4.11.3'))).toMatchObject({ fromVersion: '4.11.2', toVersion: '4.11.3', lastSeenFromAt: '2026-02-01T05:00:00Z' });
    // A rollback then a new upgrade: the re-upgrade is an event of its own, from the version rolled back to.
    const rolledBack: TargetHistory = {
      versions: [observation('4.11.3', '2026-01-01T05:00:00Z', '2026-01-20T05:00:00Z'), observation('4.11.2', '2026-01-21T05:00:00Z', '2026-02-01T05:00:00Z')],
    };
    expect(detectUpgrade(rolledBack, v('4.11.3'))).toMatchObject({ fromVersion: '4.11.2', toVersion: '4.11.3' });
  });

  it('the history records the upgrade once, and its convergence when a later scan passes the checklist', () => {
    const lagging = healthyCloud({ serviceMeshes: [mesh({ state: 'OUT_OF_SYNC' })], collectedAt: '2026-02-02T05:00:00Z' });
    const h1 = updateHistory({ versions: before.versions }, lagging);
    expect(h1.upgrades).toHaveLength(1);
    expect(h1.upgrades![0].convergedAt).toBeUndefined();
    const h2 = updateHistory(h1, healthyCloud({ collectedAt: '2026-02-02T06:00:00Z' }));
    expect(h2.upgrades).toHaveLength(1);
    expect(h2.upgrades![0].convergedAt).toBe('2026-02-02T06:00:00Z');
  });

  it('the info alert event names both versions and no finding (its row must not read as an open finding in Azure Monitor)', () => {
    const inv = healthyCloud();
    const u = detectUpgrade(before, { ...inv, ...at('2026-02-02T05:00:00Z') })!;
    const ev = upgradeEvent(inv.target, u);
    expect(ev).toMatchObject({ event: 'upgraded', severity: 'info', ruleId: RULE.id, owner: 'microsoft', subjectId: 'manager' });
    expect(ev.findingId).toBe('');
    expect(ev.message).toContain('from 4.11.2 to 4.11.3');
    // Ownership as the guide states it: Microsoft the Cloud Manager, the customer the Connector and the Service Mesh.
    expect(ev.message).toContain('Microsoft upgrades the HCX Cloud Manager; upgrading the paired HCX Connector(s) and then the Service Mesh appliances is the customer’s.');
    expect(upgradeEvent(healthyConnector().target, u).message).toMatch(/The Connector is the customer’s to upgrade, and so are the Service Mesh appliances/);
    expect(upgradeEvent(inv.target, u).id).toBe(ev.id);
  });
});

describe('convergence checklist', () => {
  it('passes on a healthy estate and fails closed on what was not collected', () => {
    expect(convergenceChecklist(healthyCloud()).status).toBe('pass');
    const missing = convergenceChecklist(healthyCloud({ sitePairs: undefined }));
    expect(missing.status).toBe('unknown');
    expect(missing.items.find((i) => i.id === 'site-pairs')).toMatchObject({ status: 'unknown' });
  });

  it('fails on lagging appliances, tunnels down, a mesh in error, an unreadable remote version, a stopped service, a lost extension', () => {
    const c = convergenceChecklist(
      healthyConnector({
        appliances: [appliance({ version: '4.11.2', tunnelTotal: 2, tunnelActive: 1 })],
        tunnelMetrics: [],
        serviceMeshes: [mesh({ state: 'ERROR' })],
        sitePairs: [sitePair({ remoteVersion: 'N/A' })],
        services: [{ name: 'appengine', result: 'STOPPED' }],
        extensions: [],
      }),
      { extensionsBefore: 2 },
    );
    expect(c.status).toBe('fail');
    expect(Object.fromEntries(c.items.map((i) => [i.id, i.status]))).toEqual({
      'manager-services': 'fail',
      'site-pairs': 'fail',
      'service-meshes': 'fail',
      extensions: 'fail',
    });
    const text = c.items.flatMap((i) => i.details).join('\n');
    expect(text).toMatch(/runs 4\.11\.2, the manager 4\.11\.3/);
    expect(text).toMatch(/sm-avs-IX-I1 has 1\/2 tunnels up/);
    expect(text).toMatch(/2 network\(s\) were extended before the upgrade, 0 now/);
  });
});

describe('convergence checklist: what was not reported is never converged', () => {
  const meshItem = (inv: Parameters<typeof convergenceChecklist>[0]) =>
    convergenceChecklist(inv).items.find((i) => i.id === 'service-meshes')!;

  it('tunnel counts nobody reported are unknown, and an appliance with no tunnel is not up', () => {
    const noCounts = meshItem(healthyCloud({ appliances: [appliance({ tunnelTotal: undefined, tunnelActive: undefined })] }));
    expect(noCounts.status).toBe('unknown');
    expect(noCounts.details.join('\n')).toMatch(/tunnel status of sm-avs-IX-I1 not collected/);
    expect(meshItem(healthyCloud({ appliances: [appliance({ tunnelTotal: 0, tunnelActive: 0 })] })).status).toBe('fail');
  });

  it('a Connector whose services were not read (9443 not configured) is unknown, never running', () => {
    const c = convergenceChecklist(healthyConnector({ services: undefined, reachability: { hybridity: { ok: true } } }));
    expect(c.items.find((i) => i.id === 'manager-services')).toMatchObject({ status: 'unknown' });
    expect(c.status).toBe('unknown');
    // A Cloud Manager exposes no 9443: its API answering is the signal.
    expect(convergenceChecklist(healthyCloud()).items.find((i) => i.id === 'manager-services')?.status).toBe('pass');
  });

  it('a mesh service in an unfamiliar or empty status, a failed interconnect task, a pending appliance update', () => {
    const svc = (status: string) => mesh({ serviceStatuses: [{ name: 'INTERCONNECT', status }] });
    expect(meshItem(healthyCloud({ serviceMeshes: [svc('DEGRADED_PERFORMANCE')] })).status).toBe('fail');
    expect(meshItem(healthyCloud({ serviceMeshes: [svc('')] })).status).toBe('unknown');
    expect(meshItem(healthyCloud({ serviceMeshes: [mesh({ state: undefined })] })).status).toBe('unknown');
    expect(meshItem(healthyCloud({ serviceMeshes: [mesh({ lastTask: { type: 'UPGRADE', status: 'FAILED' } })] })).status).toBe('fail');
    const pending = meshItem(healthyCloud({ appliances: [appliance({ updateAvailable: true, availableVersion: '4.11.3.1' })] }));
    expect(pending.status).toBe('fail');
    expect(pending.details.join('\n')).toMatch(/reports an update available \(4\.11\.3\.1\)/);
  });
});

describe('hcx-upgrade-not-converged', () => {
  const history = {
    versions: [observation('4.11.2', '2026-01-01T00:00:00Z', '2026-02-01T05:00:00Z'), observation('4.11.3', '2026-02-02T05:00:00Z', '2026-02-02T05:00:00Z')],
    upgrades: [{ fromVersion: '4.11.2', toVersion: '4.11.3', lastSeenFromAt: '2026-02-01T05:00:00Z', firstSeenToAt: '2026-02-02T05:00:00Z' }],
  };
  const lagging = healthyCloud({ serviceMeshes: [mesh({ state: 'OUT_OF_SYNC' })] });
  const run = (inv = lagging, asOf = '2026-02-02T06:00:00Z', windowHours?: number) =>
    evaluateTarget(inv, ctxAt(asOf, { history, settings: { upgradeWindowHours: windowHours } }), [RULE]);

  it('not applicable until an upgrade is observed', () => {
    expect(evaluateTarget(lagging, ctxAt(), [RULE])[0].status).toBe('not_applicable');
  });

  it('fails with the window end as deadline: medium inside the window, critical once it has passed (± the edge)', () => {
    const inside = run(lagging, '2026-02-02T12:59:59Z')[0];
    expect(inside).toMatchObject({ status: 'fail', severity: 'medium', deadline: { date: '2026-02-02', basis: 'observed' } });
    expect(inside.evidence).toMatchObject({ windowEndsAt: '2026-02-02T13:00:00.000Z', fromVersion: '4.11.2', toVersion: '4.11.3' });
    expect(run(lagging, '2026-02-02T13:00:00Z')[0]).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(run(lagging, '2026-02-02T13:00:00Z', 24)[0]).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('passes on convergence, and is unknown when the data to judge it was not collected', () => {
    expect(run(healthyCloud())[0].status).toBe('pass');
    expect(run(healthyCloud({ serviceMeshes: undefined }))[0].status).toBe('unknown');
  });

  it('a recorded convergence keeps passing (a later mesh problem is hcx-service-mesh-degraded’s, not the upgrade’s)', () => {
    const done = { ...history, upgrades: [{ ...history.upgrades[0], convergedAt: '2026-02-02T06:00:00Z' }] };
    const e = evaluateTarget(lagging, ctxAt('2026-02-05T00:00:00Z', { history: done }), [RULE])[0];
    expect(e).toMatchObject({ status: 'pass' });
    expect(DateTime.fromISO(e.evidence.convergedAt as string).isValid).toBe(true);
  });
});

describe('hcx-upgrade-window-blocked', () => {
  const WINDOW = ruleById('hcx-upgrade-window-blocked')!;
  const withSchedule = (maintenance: unknown, over = {}) =>
    healthyCloud({ arm: { ...healthyCloud().arm!, maintenance: maintenance as never }, ...over });
  const window = { source: 'avs-maintenance', id: 'm1', title: 'HCX upgrade', startsAt: '2026-03-10T22:00:00.000Z' };

  it('unknown when the schedule was not read, or only partly read', () => {
    expect(evaluateTarget(withSchedule(undefined), ctxAt(), [WINDOW])[0].status).toBe('unknown');
    expect(evaluateTarget(withSchedule({ windows: [], problems: ['maintenances: the answer has no "value" list'] }), ctxAt(), [WINDOW])[0].status).toBe('unknown');
  });

  it('fails with the window start as deadline when the gate is blocked; the gate findings take the same deadline', () => {
    const inv = withSchedule({ windows: [window], problems: [] }, { serviceMeshes: [mesh({ services: ['INTERCONNECT', 'WANOPT'] })] });
    const all = evaluateTarget(inv, ctxAt('2026-03-01T06:00:00Z'));
    const w = all.find((e) => e.ruleId === WINDOW.id)!;
    expect(w).toMatchObject({ status: 'fail', severity: 'critical', deadline: { date: '2026-03-10', daysLeft: 9, basis: 'arm' } });
    const wan = all.find((e) => e.ruleId === 'hcx-wan-optimization-enabled' && e.status === 'fail')!;
    expect(wan.deadline).toMatchObject({ date: '2026-03-10' });
    expect(wan.message).toContain('It blocks the upgrade');
  });

  it('the window finding follows the deadline bands and never rises as the window moves away', () => {
    const blocked = withSchedule({ windows: [window], problems: [] }, { serviceMeshes: [mesh({ services: ['INTERCONNECT', 'WANOPT'] })] });
    const sev = (asOf: string) => evaluateTarget(blocked, ctxAt(asOf), [WINDOW])[0].severity;
    expect(sev('2026-03-11T06:00:00Z')).toBe('critical'); // started (passed)
    expect(sev('2026-01-01T06:00:00Z')).toBe('high'); // 68 days
    expect(sev('2025-11-01T06:00:00Z')).toBe('medium'); // 129 days
    expect(sev('2025-08-01T06:00:00Z')).toBe('low'); // 221 days
  });

  it('passes when the gate passes, or nothing is scheduled; not applicable to Connectors', () => {
    expect(evaluateTarget(withSchedule({ windows: [window], problems: [] }), ctxAt('2026-03-01T06:00:00Z'), [WINDOW])[0].status).toBe('pass');
    expect(evaluateTarget(withSchedule({ windows: [], problems: [] }), ctxAt(), [WINDOW])[0].status).toBe('pass');
    expect(evaluateTarget(healthyConnector(), ctxAt(), [WINDOW])[0].status).toBe('not_applicable');
  });
});
