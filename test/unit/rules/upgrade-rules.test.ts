import { Settings } from 'luxon';
import type { Evaluation } from '../../../lib/domain/evaluation';
import type { Inventory } from '../../../lib/domain/inventory';
import { evaluateTarget, ruleById } from '../../../lib/rules';
import { escalateForWindow } from '../../../lib/rules/upgrade-window';
import type { MaintenanceWindow } from '../../../lib/upgrade/schedule';
import { appliance, ctxAt, healthyCloud, mesh, observation, sitePair } from '../../support/inventoryBuilder';

/** Runs `fn` with luxon's default zone set to `zone`: dates must not depend on where the monitor runs. */
function inZone<T>(zone: string, fn: () => T): T {
  const before = Settings.defaultZone;
  Settings.defaultZone = zone;
  try {
    return fn();
  } finally {
    Settings.defaultZone = before;
  }
}

describe('hcx-upgrade-not-converged: what the operator is told', () => {
  const RULE = ruleById('hcx-upgrade-not-converged')!;
  const upgrade = {
    fromVersion: '4.11.2',
    toVersion: '4.11.3',
    lastSeenFromAt: '2026-02-01T05:00:00Z',
    firstSeenToAt: '2026-02-02T05:00:00Z',
  };
  const history = {
    versions: [
      observation('4.11.2', '2026-01-01T00:00:00Z', '2026-02-01T05:00:00Z'),
      observation('4.11.3', '2026-02-02T05:00:00Z', '2026-02-02T05:00:00Z'),
    ],
    upgrades: [upgrade],
  };
  const INSIDE = '2026-02-02T06:00:00Z';
  const AFTER = '2026-02-02T14:00:00Z';
  const WINDOW_END = '2026-02-02T13:00:00.000Z';
  const run = (inv: Inventory, asOf = INSIDE, h: object = history) =>
    evaluateTarget(inv, ctxAt(asOf, { history: h }), [RULE])[0];
  const bracketFacts = ['4.11.2', '4.11.3', upgrade.lastSeenFromAt, upgrade.firstSeenToAt];

  it('without an observed upgrade: not applicable, info, saying no upgrade was seen', () => {
    const e = run(healthyCloud(), INSIDE, { versions: [] });
    expect(e).toMatchObject({ status: 'not_applicable', severity: 'info', evidence: { source: 'observed' } });
    expect(e.message).toMatch(/no upgrade/i);
  });

  it('a recorded convergence passes at info and tells both versions, the bracket and when it converged', () => {
    const done = { ...history, upgrades: [{ ...upgrade, convergedAt: '2026-02-02T07:00:00Z' }] };
    const e = run(healthyCloud({ serviceMeshes: [mesh({ state: 'ERROR' })] }), AFTER, done);
    expect(e).toMatchObject({ status: 'pass', severity: 'info' });
    expect(e.evidence).toEqual({ source: 'observed', ...upgrade, convergedAt: '2026-02-02T07:00:00Z' });
    for (const fact of [...bracketFacts, '2026-02-02T07:00:00Z']) expect(e.message).toContain(fact);
  });

  it('converging this scan passes at info, with the collection time as the convergence time', () => {
    const inv = healthyCloud();
    const e = run(inv);
    expect(e).toMatchObject({ status: 'pass', severity: 'info' });
    expect(e.deadline).toBeUndefined();
    expect(e.evidence).toMatchObject({
      source: 'observed',
      ...upgrade,
      windowEndsAt: WINDOW_END,
      convergedAt: inv.collectedAt,
    });
    for (const fact of bracketFacts) expect(e.message).toContain(fact);
    expect(e.message).toMatch(/converged/);
  });

  it.each([
    ['inside the window', INSIDE, 'medium'],
    ['after the window', AFTER, 'critical'],
  ])(
    'a manager now on yet another version is unknown %s (%s, %s), never judged against the old target',
    (_, asOf, severity) => {
      const e = run(healthyCloud({ manager: { version: '4.11.4' } }), asOf);
      expect(e).toMatchObject({ status: 'unknown', severity, deadline: { date: '2026-02-02', basis: 'observed' } });
      expect(e.message).toContain('now reports 4.11.4');
      expect(e.message).toContain('against 4.11.3');
      expect(e.evidence).toMatchObject({ windowEndsAt: WINDOW_END, toVersion: '4.11.3' });
    },
  );

  it('a manager that reported no version is judged by the checklist (unknown), not as a version change', () => {
    const e = run(healthyCloud({ manager: undefined }));
    expect(e.status).toBe('unknown');
    expect(e.message).not.toContain('now reports');
    expect(e.message).toContain('unknown — the HCX Manager did not report its version');
  });

  it.each([
    ['inside the window', INSIDE, 'medium', `the window ends at ${WINDOW_END}`],
    ['after the window', AFTER, 'critical', `the window ended at ${WINDOW_END}`],
  ])('not converged %s: %s, and the message says when the window ends', (_, asOf, severity, when) => {
    const e = run(healthyCloud({ serviceMeshes: [mesh({ state: 'OUT_OF_SYNC' })] }), asOf);
    expect(e).toMatchObject({ status: 'fail', severity });
    expect(e.message).toContain(when);
    for (const fact of bracketFacts) expect(e.message).toContain(fact);
  });

  it('the message lists only the failing and unknown checklist items, with their first three problems', () => {
    const lagging = ['a1', 'a2', 'a3', 'a4'].map((n) =>
      appliance({ id: n, name: n, version: '4.11.2', tunnelTotal: 2, tunnelActive: 2 }),
    );
    const inv = healthyCloud({ appliances: lagging, extensions: undefined });
    const e = run(inv);
    expect(e.status).toBe('fail');
    const meshTitle =
      'Every Service Mesh converged (appliances on the manager version, tunnels up, no error or out-of-sync)';
    const problems = ['a1', 'a2', 'a3'].map((n) => `appliance ${n} (mesh sm-avs) runs 4.11.2, the manager 4.11.3`);
    // A failing item: its problems follow its title directly; an unknown item is marked unknown; items apart with ' | '.
    expect(e.message).toContain(
      `${meshTitle}: ${problems.join('; ')} | No network extension lost: unknown — extended networks were not collected this scan`,
    );
    expect(e.message).not.toContain('appliance a4');
    // Items that pass are not mentioned.
    expect(e.message).not.toContain('HCX Manager services running');
    expect(e.message).not.toContain('Site pairs connected');
  });

  it('an estate that cannot be confirmed is unknown and names what could not be read', () => {
    const e = run(healthyCloud({ sitePairs: undefined }), AFTER);
    expect(e).toMatchObject({ status: 'unknown', severity: 'critical' });
    expect(e.message).toContain(`the window ended at ${WINDOW_END}`);
    expect(e.message).toContain(
      'Site pairs connected, both versions readable: unknown — site pairs were not collected this scan',
    );
  });

  it('the evidence carries every checklist item with its status and at most ten problems', () => {
    const many = Array.from({ length: 11 }, (_, i) => appliance({ id: `a${i}`, name: `a${i}`, version: '4.11.2' }));
    const e = run(healthyCloud({ appliances: many, sitePairs: [sitePair({ remoteVersion: 'N/A' })] }));
    const checklist = e.evidence.checklist as { id: string; status: string; details: string[] }[];
    expect(checklist.map((i) => [i.id, i.status])).toEqual([
      ['manager-services', 'pass'],
      ['site-pairs', 'fail'],
      ['service-meshes', 'fail'],
      ['extensions', 'pass'],
    ]);
    expect(checklist[1].details).toEqual(["site pair avs-cloud: the remote site's version cannot be read (N/A)"]);
    expect(checklist[2].details).toHaveLength(10);
    expect(checklist[2].details[0]).toContain('appliance a0');
  });
});

describe('hcx-upgrade-window-blocked: what the operator is told', () => {
  const RULE = ruleById('hcx-upgrade-window-blocked')!;
  const AS_OF = '2026-03-01T06:00:00Z';
  const avs: MaintenanceWindow = {
    source: 'avs-maintenance',
    id: 'm1',
    title: 'HCX upgrade',
    component: 'HCX',
    startsAt: '2026-03-10T22:00:00.000Z',
  };
  const health: MaintenanceWindow = {
    source: 'service-health',
    id: 'sh1',
    title: 'Planned AVS work',
    startsAt: '2026-03-12T22:00:00.000Z',
  };
  const withSchedule = (maintenance: unknown, over: Partial<Inventory> = {}) =>
    healthyCloud({ arm: { ...healthyCloud().arm!, maintenance: maintenance as never }, ...over });
  const run = (inv: Inventory, asOf = AS_OF) => evaluateTarget(inv, ctxAt(asOf), [RULE])[0];
  const wanOpt = { serviceMeshes: [mesh({ services: ['INTERCONNECT', 'WANOPT'] })] };

  it.each([
    ['maintenances', true],
    ['serviceHealthEvents', true],
    ['sitePairs', false],
  ])('an unread schedule is unknown (high); a failed %s call is given as the reason: %s', (call, named) => {
    const inv = withSchedule(undefined, {
      issues: [{ source: 'arm', call, errorClass: 'http', message: 'HTTP 403 Forbidden', status: 403 }],
    });
    const e = run(inv);
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'high',
      evidence: { source: 'arm', missing: ['arm.maintenance'] },
    });
    expect(e.message).toMatch(/maintenance schedule .* could not be read/);
    if (named) expect(e.message).toContain('could not be read (HTTP 403 Forbidden);');
    else expect(e.message).toContain('could not be read; whether');
  });

  it('a partly read schedule with no readable window is unknown (high) and quotes the first two problems', () => {
    const problems = ['p1 unreadable', 'p2 unreadable', 'p3 unreadable', 'p4', 'p5', 'p6'];
    const e = run(withSchedule({ windows: [], problems }));
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'high',
      evidence: { source: 'arm', upcoming: [], problems: problems.slice(0, 5) },
    });
    expect(e.message).toContain('(p1 unreadable; p2 unreadable)');
    expect(e.message).not.toContain('p3');
  });

  it('nothing scheduled passes at info and says so', () => {
    const e = run(withSchedule({ windows: [], problems: [] }));
    expect(e).toMatchObject({
      status: 'pass',
      severity: 'info',
      evidence: { source: 'arm', upcoming: [], problems: [] },
    });
    expect(e.message).toMatch(/no maintenance window is scheduled/i);
  });

  it.each([
    [
      'an AVS maintenance with its component',
      avs,
      'AVS maintenance "HCX upgrade" (HCX) starting 2026-03-10T22:00:00.000Z',
    ],
    [
      'a Service Health planned maintenance',
      health,
      'Service Health planned maintenance "Planned AVS work" starting 2026-03-12T22:00:00.000Z',
    ],
  ])('the window is described as %s', (_, w, text) => {
    const pass = run(withSchedule({ windows: [w], problems: [] }));
    expect(pass).toMatchObject({ status: 'pass', severity: 'info' });
    expect(pass.message).toContain(`${text};`);
    expect(pass.message).toMatch(/gate passes/);
    const blocked = run(withSchedule({ windows: [w], problems: [] }, wanOpt));
    expect(blocked.message).toContain(`${text},`);
  });

  it('the evidence lists at most five upcoming windows, earliest first', () => {
    const windows = Array.from({ length: 6 }, (_, i) => ({
      ...avs,
      id: `m${i}`,
      startsAt: `2026-03-1${i}T22:00:00.000Z`,
    }));
    const e = run(withSchedule({ windows, problems: ['p1'] }));
    expect((e.evidence.upcoming as MaintenanceWindow[]).map((w) => w.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(e.evidence).toMatchObject({ source: 'arm', problems: ['p1'], failing: [], unknown: [] });
  });

  it('a blocked gate names every failing prerequisite once, in the message and the evidence', () => {
    const e = run(
      withSchedule(
        { windows: [avs], problems: [] },
        { ...wanOpt, sitePairs: [sitePair({ error: 'connection lost' })] },
      ),
    );
    expect(e).toMatchObject({ status: 'fail', deadline: { date: '2026-03-10', basis: 'arm' } });
    expect([...(e.evidence.failing as string[])].sort()).toEqual([
      'hcx-site-pair-unhealthy',
      'hcx-wan-optimization-enabled',
    ]);
    const named = /blocked by ([^:]+):/.exec(e.message)![1].split(', ');
    expect([...named].sort()).toEqual(['hcx-site-pair-unhealthy', 'hcx-wan-optimization-enabled']);
    expect(e.message).toContain('clear them before 2026-03-10 (9 days left)');
  });

  it('a gate that cannot be confirmed is unknown (high), with the window start as deadline and the unread prerequisites named', () => {
    const e = run(withSchedule({ windows: [avs], problems: [] }, { sitePairs: undefined }));
    expect(e).toMatchObject({ status: 'unknown', severity: 'high', deadline: { date: '2026-03-10', basis: 'arm' } });
    expect(e.evidence).toMatchObject({ failing: [], unknown: ['hcx-site-pair-unhealthy'] });
    expect(e.message).toContain('AVS maintenance "HCX upgrade" (HCX) starting 2026-03-10T22:00:00.000Z;');
    expect(e.message).toContain('(hcx-site-pair-unhealthy could not be read)');
  });

  it('the deadline is the UTC date of the window start wherever the monitor runs', () => {
    const late = { ...avs, startsAt: '2026-03-10T23:30:00.000Z' };
    const e = inZone('Asia/Tokyo', () => run(withSchedule({ windows: [late], problems: [] }, wanOpt)));
    expect(e.deadline).toMatchObject({ date: '2026-03-10' });
  });
});

describe('escalateForWindow: failing gate prerequisites take the window start as deadline', () => {
  const window: MaintenanceWindow = {
    source: 'avs-maintenance',
    id: 'm1',
    title: 'HCX upgrade',
    startsAt: '2026-03-10T23:30:00.000Z',
  };
  const inv = healthyCloud({ arm: { ...healthyCloud().arm!, maintenance: { windows: [window], problems: [] } } });
  const ctx = ctxAt('2026-03-01T06:00:00Z');
  const ev = (over: Partial<Evaluation>): Evaluation => ({
    ruleId: 'hcx-site-pair-unhealthy',
    targetId: inv.target.id,
    subjectId: 'p1',
    subjectName: 'p1',
    subjectKind: 'site-pair',
    status: 'fail',
    severity: 'low',
    message: 'Site pair down.',
    evidence: { source: 'observed', pair: 'p1' },
    ...over,
  });
  const deadline = (date: string, daysLeft: number) => ({
    date,
    basis: 'observed' as const,
    daysLeft,
    band: 'd30' as const,
  });

  it.each([
    ['a failing rule outside the gate', ev({ ruleId: 'hcx-version-end-of-support' })],
    ['a gate prerequisite that passes', ev({ status: 'pass', severity: 'info' })],
    ['a gate prerequisite that is unknown', ev({ status: 'unknown' })],
    ['a failure already due before the window', ev({ deadline: deadline('2026-03-05', 4) })],
    ['a failure due the day the window starts', ev({ deadline: deadline('2026-03-10', 9) })],
  ])('leaves %s as it is', (_, e) => {
    expect(escalateForWindow([e], inv, ctx)).toEqual([e]);
  });

  it.each([
    ['without a deadline', ev({})],
    ['due after the window', ev({ deadline: deadline('2026-04-01', 31) })],
  ])('a failing gate prerequisite %s is due when the window starts, and says it blocks the upgrade', (_, e) => {
    const [out] = escalateForWindow([e], inv, ctx);
    expect(out.deadline).toEqual({ date: '2026-03-10', basis: 'arm', daysLeft: 9, band: 'd30' });
    expect(out.severity).toBe('critical');
    expect(out.message).toContain(
      'Site pair down. It blocks the upgrade: AVS maintenance "HCX upgrade" starting 2026-03-10T23:30:00.000Z',
    );
    expect(out.evidence).toEqual({ source: 'observed', pair: 'p1', maintenanceWindow: window });
  });

  it('takes the UTC date of the window start wherever the monitor runs', () => {
    const [out] = inZone('Asia/Tokyo', () => escalateForWindow([ev({})], inv, ctx));
    expect(out.deadline).toMatchObject({ date: '2026-03-10' });
  });
});
