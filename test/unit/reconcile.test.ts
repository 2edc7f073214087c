import type { Deadline, DeadlineBand, Evaluation, EvaluationStatus, Severity } from '../../lib/domain/evaluation';
import type { Finding, Suppression } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { findingId } from '../../lib/findings/ids';
import { countByStatus, reconcile, type ReconcileInput, type ReconcileResult, type RuleLookup } from '../../lib/findings/reconcile';

const target: TargetRef = { id: 'connector:onprem-1', name: 'onprem-1', kind: 'hcx-connector' };
const rules: RuleLookup = (id) =>
  id === 'unlisted-rule'
    ? undefined
    : { title: `Title of ${id}`, owner: { 'avs-private-cloud': 'microsoft', 'hcx-connector': 'customer' } };

const T0 = '2026-01-01T05:00:00.000Z';
const T1 = '2026-01-02T05:00:00.000Z';
const T2 = '2026-01-03T05:00:00.000Z';
const T3 = '2026-01-04T05:00:00.000Z';
const T4 = '2026-01-05T05:00:00.000Z';

function ev(
  status: EvaluationStatus,
  opts: { rule?: string; subject?: string; severity?: Severity; deadline?: Partial<Deadline> & { band: DeadlineBand } } = {},
): Evaluation {
  return {
    ruleId: opts.rule ?? 'hcx-wan-optimization-enabled',
    targetId: target.id,
    subjectId: opts.subject ?? 'mesh-1',
    subjectName: `name of ${opts.subject ?? 'mesh-1'}`,
    subjectKind: 'service-mesh',
    status,
    severity: opts.severity ?? 'high',
    message: `${status} message`,
    evidence: { source: 'hcx', services: ['WANOPT'] },
    ...(opts.deadline ? { deadline: { date: '2026-07-27', basis: 'catalog', daysLeft: 100, ...opts.deadline } } : {}),
  };
}

function run(asOf: string, evaluations: Evaluation[], stored: Finding[], extra: Partial<ReconcileInput> = {}): ReconcileResult {
  return reconcile({ target, asOf, evaluations, stored, suppressions: [], rules, scanId: `scan-${asOf}`, ...extra });
}

/** Applies a run's result to a store the way the repository does (changed rows replace stored ones). */
function persist(stored: Finding[], result: ReconcileResult): Finding[] {
  const byId = new Map(stored.map((f) => [f.id, f]));
  for (const f of result.changed) byId.set(f.id, f);
  return [...byId.values()];
}

function only(result: ReconcileResult): Finding {
  expect(result.all).toHaveLength(1);
  return result.all[0];
}

describe('reconcile: lifecycle transitions', () => {
  it('opens a new finding on fail with firstSeenAt = lastSeenAt = asOf, rule title and target-kind owner', () => {
    const r = run(T0, [ev('fail')], []);
    const f = only(r);
    expect(f).toMatchObject({
      id: findingId('hcx-wan-optimization-enabled', target.id, 'mesh-1'),
      status: 'open',
      title: 'Title of hcx-wan-optimization-enabled',
      owner: 'customer',
      firstSeenAt: T0,
      lastSeenAt: T0,
      openedAt: T0,
      reopenCount: 0,
      targetName: 'onprem-1',
      targetKind: 'hcx-connector',
      scanId: `scan-${T0}`,
    });
    expect(r.changed).toEqual([f]);
  });

  it('keeps firstSeenAt while lastSeenAt moves and severity follows the rule', () => {
    const s1 = persist([], run(T0, [ev('fail', { severity: 'high' })], []));
    const f = only(run(T1, [ev('fail', { severity: 'critical' })], s1));
    expect(f).toMatchObject({ status: 'open', firstSeenAt: T0, lastSeenAt: T1, severity: 'critical', reopenCount: 0 });
  });

  it('resolves on pass with resolvedAt, and stores nothing for a subject that passes from the start', () => {
    expect(run(T0, [ev('pass')], []).all).toEqual([]);
    const s1 = persist([], run(T0, [ev('fail')], []));
    const f = only(run(T1, [ev('pass')], s1));
    expect(f).toMatchObject({ status: 'resolved', resolvedAt: T1, lastSeenAt: T0, firstSeenAt: T0, severity: 'high' });
  });

  it('keeps resolvedAt at the first passing scan while later scans keep passing', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    stored = persist(stored, run(T1, [ev('pass')], stored));
    const r2 = run(T2, [ev('pass')], stored);
    expect(only(r2)).toMatchObject({ status: 'resolved', resolvedAt: T1, lastEvaluatedAt: T2, lastSeenAt: T0 });
    stored = persist(stored, r2);
    expect(only(run(T3, [ev('not_applicable')], stored))).toMatchObject({ status: 'resolved', resolvedAt: T1 });
    expect(run(T3, [ev('pass')], stored).events).toEqual([]);
  });

  it('keeps the deadline and severity the finding had while failing when it resolves', () => {
    const deadline = { band: 'd90' as const, date: '2026-03-20', daysLeft: 78 };
    const stored = persist([], run(T0, [ev('fail', { severity: 'critical', deadline })], []));
    const f = only(run(T1, [ev('pass', { severity: 'info' })], stored));
    expect(f.status).toBe('resolved');
    expect(f.severity).toBe('critical');
    expect(f.deadline).toEqual({ basis: 'catalog', band: 'd90', date: '2026-03-20', daysLeft: 78 });
  });

  it('reopens a resolved finding that fails again and counts each reopening', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    stored = persist(stored, run(T1, [ev('pass')], stored));
    let r = run(T2, [ev('fail')], stored);
    expect(only(r)).toMatchObject({ status: 'open', reopenCount: 1, firstSeenAt: T0, openedAt: T2 });
    expect(only(r).resolvedAt).toBeUndefined();
    stored = persist(stored, r);
    stored = persist(stored, run(T3, [ev('pass')], stored));
    r = run(T4, [ev('fail')], stored);
    expect(only(r)).toMatchObject({ status: 'open', reopenCount: 2, firstSeenAt: T0 });
  });

  it('keeps unknown apart from pass: an open finding becomes unknown, not resolved, and keeps firstSeenAt', () => {
    const s1 = persist([], run(T0, [ev('fail')], []));
    const f = only(run(T1, [ev('unknown')], s1));
    expect(f.status).toBe('unknown');
    expect(f.resolvedAt).toBeUndefined();
    expect(f.firstSeenAt).toBe(T0);
  });

  it('stores a new subject whose first verdict is unknown, without opening it', () => {
    const r = run(T0, [ev('unknown')], []);
    expect(only(r)).toMatchObject({ status: 'unknown', firstSeenAt: T0, reopenCount: 0 });
    expect(only(r).openedAt).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('does not count open → unknown → open as a reopening', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    stored = persist(stored, run(T1, [ev('unknown')], stored));
    const r = run(T2, [ev('fail')], stored);
    expect(only(r)).toMatchObject({ status: 'open', reopenCount: 0, openedAt: T0 });
    expect(r.events.map((e) => e.event)).toEqual(['still-open']);
  });

  it('resolves on not_applicable only when a finding existed', () => {
    expect(run(T0, [ev('not_applicable')], []).all).toEqual([]);
    const s1 = persist([], run(T0, [ev('fail')], []));
    expect(only(run(T1, [ev('not_applicable')], s1))).toMatchObject({ status: 'resolved', resolvedAt: T1 });
  });

  it('resolves a finding whose subject vanished from this run', () => {
    const s1 = persist([], run(T0, [ev('fail', { subject: 'mesh-1' }), ev('fail', { subject: 'mesh-2' })], []));
    const r = run(T1, [ev('fail', { subject: 'mesh-1' })], s1);
    const gone = r.all.find((f) => f.subjectId === 'mesh-2');
    expect(gone).toMatchObject({ status: 'resolved', resolvedAt: T1 });
    expect(gone?.evidence).toMatchObject({ source: 'observed', reason: 'subject-vanished' });
    expect(r.all.find((f) => f.subjectId === 'mesh-1')?.status).toBe('open');
  });

  it('resolves every finding of a rule whose subjects all vanished (collected, none left)', () => {
    const s1 = persist([], run(T0, [ev('fail', { subject: 'mesh-1' })], []));
    expect(only(run(T1, [], s1))).toMatchObject({ status: 'resolved' });
  });

  it('fails closed: a vanished subject of a rule that reported unknown this run becomes unknown, not resolved', () => {
    const s1 = persist([], run(T0, [ev('fail', { subject: 'mesh-1' })], []));
    const r = run(T1, [ev('unknown', { subject: 'manager' })], s1);
    expect(r.all.find((f) => f.subjectId === 'mesh-1')?.status).toBe('unknown');
  });

  it('leaves findings of rules that did not run alone when evaluatedRuleIds is given', () => {
    const s1 = persist([], run(T0, [ev('fail', { rule: 'hcx-ne-ha-group-degraded' })], []));
    const r = run(T1, [], s1, { evaluatedRuleIds: ['hcx-wan-optimization-enabled'] });
    expect(r.changed).toEqual([]);
    expect(only(r).status).toBe('open');
  });

  it('does not rewrite a resolved finding whose subject stays gone', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    stored = persist(stored, run(T1, [], stored));
    const r = run(T2, [], stored);
    expect(r.changed).toEqual([]);
    expect(only(r).resolvedAt).toBe(T1);
  });

  it('gives the same finding id across runs and different ids per subject, rule and target', () => {
    const a = only(run(T0, [ev('fail')], [])).id;
    const b = only(run(T3, [ev('fail')], [])).id;
    expect(a).toBe(b);
    const ids = new Set([
      findingId('r-a', 't1', 's1'),
      findingId('r-b', 't1', 's1'),
      findingId('r-a', 't2', 's1'),
      findingId('r-a', 't1', 's2'),
    ]);
    expect(ids.size).toBe(4);
  });

  it('falls back to the rule id as title when the rule is unknown to the lookup', () => {
    expect(only(run(T0, [ev('fail', { rule: 'unlisted-rule' })], [])).title).toBe('unlisted-rule');
  });

  it('takes the most alarming verdict when a subject is reported twice', () => {
    const f = only(run(T0, [ev('pass'), ev('fail', { severity: 'low' }), ev('unknown')], []));
    expect(f).toMatchObject({ status: 'open', severity: 'low' });
  });

  it('between two verdicts of the same status, keeps the higher severity whatever the order', () => {
    const fails = [ev('fail', { severity: 'low' }), ev('fail', { severity: 'critical' }), ev('fail', { severity: 'medium' })];
    expect(only(run(T0, fails, [])).severity).toBe('critical');
    expect(only(run(T0, [...fails].reverse(), [])).severity).toBe('critical');
    const unknowns = [ev('unknown', { severity: 'medium' }), ev('unknown', { severity: 'high' })];
    expect(only(run(T0, unknowns, []))).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(only(run(T0, [...unknowns].reverse(), []))).toMatchObject({ status: 'unknown', severity: 'high' });
    // Same status and severity: the first report stands.
    const twins = [{ ...ev('fail'), message: 'first' }, { ...ev('fail'), message: 'second' }];
    expect(only(run(T0, twins, [])).message).toBe('first');
  });

  it('uses the owner for the target kind', () => {
    const cloud: TargetRef = { id: '/subscriptions/x/privateclouds/pc1', name: 'pc1', kind: 'avs-private-cloud' };
    const r = reconcile({ target: cloud, asOf: T0, evaluations: [{ ...ev('fail'), targetId: cloud.id }], stored: [], suppressions: [], rules });
    expect(only(r).owner).toBe('microsoft');
  });
});

describe('reconcile: rows and ordering', () => {
  it('returns all rows and events sorted by id, whatever the order of the evaluations', () => {
    const subjects = ['mesh-c', 'mesh-a', 'mesh-b'];
    const r = run(T0, subjects.map((subject) => ev('fail', { subject })), []);
    const ids = r.all.map((f) => f.id);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual([...ids].sort());
    expect(r.changed.map((f) => f.id)).toEqual(ids);
    const eventIds = r.events.map((e) => e.id);
    expect(eventIds).toHaveLength(3);
    expect(eventIds).toEqual([...eventIds].sort());
  });

  it('a replay changes nothing even when the store hands rows back with other key order and empty fields', () => {
    const stored = persist([], run(T0, [ev('fail', { deadline: { band: 'd90' } })], []));
    const reorder = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reorder)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)]))
          : v;
    const fromStore = stored.map((f) => ({ ...(reorder(f) as Finding), suppressionId: undefined }));
    const r = run(T0, [ev('fail', { deadline: { band: 'd90' } })], fromStore);
    expect(r.changed).toEqual([]);
    expect(r.events).toEqual([]);
    // A real change is still a change.
    expect(run(T0, [ev('fail', { severity: 'critical', deadline: { band: 'd90' } })], fromStore).changed).toHaveLength(1);
  });

  it('explains a vanished subject, and one not reported while its rule was unsure', () => {
    const stored = persist([], run(T0, [ev('fail')], []));
    const gone = only(run(T1, [], stored));
    expect(gone).toMatchObject({
      status: 'resolved',
      message: 'name of mesh-1 is no longer present on onprem-1.',
      evidence: { source: 'observed', reason: 'subject-vanished', lastSeenAt: T0 },
    });
    const unsure = run(T1, [ev('unknown', { subject: 'mesh-2' })], stored).all.find((f) => f.subjectId === 'mesh-1')!;
    expect(unsure).toMatchObject({
      status: 'unknown',
      message:
        'name of mesh-1 was not reported this scan and the rule could not decide everything it needed; status unknown until a complete collection.',
      evidence: { reason: 'subject-not-reported' },
    });
  });

  it('names a subject by the evaluation, else by the stored row, else by its id', () => {
    const stored = persist([], run(T0, [ev('fail')], []));
    expect(only(run(T1, [{ ...ev('fail'), subjectName: '' }], stored)).subjectName).toBe('name of mesh-1');
    expect(only(run(T1, [{ ...ev('fail'), subjectName: '' }], [])).subjectName).toBe('mesh-1');
  });

  it('refuses an evaluation of another target and an invalid asOf', () => {
    expect(() => run(T0, [{ ...ev('fail'), targetId: 'connector:other' }], [])).toThrow(
      'evaluation of hcx-wan-optimization-enabled is about target connector:other, not connector:onprem-1',
    );
    expect(() => run('yesterday', [ev('fail')], [])).toThrow('not a valid instant: yesterday');
  });

  it('reads a stored suppressed row without its underlying status as open (fail closed)', () => {
    const stored = persist([], run(T0, [ev('fail')], [])).map((f) => ({ ...f, status: 'suppressed' as const }));
    const r = run(T1, [ev('pass')], stored);
    expect(only(r)).toMatchObject({ status: 'resolved', resolvedAt: T1 });
    expect(r.events.map((e) => e.event)).toEqual(['resolved']);
  });

  it('owns a finding of a rule it does not know as customer', () => {
    expect(only(run(T0, [ev('fail', { rule: 'unlisted-rule' })], [])).owner).toBe('customer');
  });

  it('counts findings by status', () => {
    const stored = persist([], run(T0, [ev('fail'), ev('unknown', { subject: 'm2' }), ev('fail', { subject: 'm3' })], []));
    const r = run(T1, [ev('fail'), ev('unknown', { subject: 'm2' }), ev('pass', { subject: 'm3' })], stored);
    expect(countByStatus(r.all)).toEqual({ open: 1, unknown: 1, suppressed: 0, resolved: 1 });
  });
});

describe('reconcile: suppressions', () => {
  const base: Suppression = {
    id: 'sup-1',
    ruleId: 'hcx-wan-optimization-enabled',
    reason: 'WAN-Opt removal planned in the March window',
    category: 'waiver',
    createdBy: 'alice@example.com',
    createdAt: '2025-12-01T00:00:00.000Z',
    expiresAt: T2,
  };

  it('shows an active suppression as suppressed with the real status underneath, still evaluated', () => {
    const stored = persist([], run(T0, [ev('fail')], []));
    const r = run(T1, [ev('fail')], stored, { suppressions: [base] });
    expect(only(r)).toMatchObject({ status: 'suppressed', underlyingStatus: 'open', suppressionId: 'sup-1', lastSeenAt: T1 });
    expect(r.matchedSuppressionIds).toEqual(['sup-1']);
  });

  it('suppresses unknown too, and never a resolution', () => {
    const stored = persist([], run(T0, [ev('fail')], []));
    expect(only(run(T1, [ev('unknown')], stored, { suppressions: [base] }))).toMatchObject({
      status: 'suppressed',
      underlyingStatus: 'unknown',
    });
    const r = run(T1, [ev('pass')], stored, { suppressions: [base] });
    expect(only(r).status).toBe('resolved');
    expect(r.matchedSuppressionIds).toEqual([]);
  });

  it('stops applying by itself once expired: the finding returns to its real status and pages', () => {
    let stored = persist([], run(T0, [ev('fail')], [], { suppressions: [base] }));
    expect(only({ all: stored } as ReconcileResult).status).toBe('suppressed');
    stored = persist(stored, run(T1, [ev('fail')], stored, { suppressions: [base] }));
    const r = run(T2, [ev('fail')], stored, { suppressions: [base] }); // expiresAt === T2: expired
    expect(only(r)).toMatchObject({ status: 'open' });
    expect(only(r).underlyingStatus).toBeUndefined();
    expect(only(r).suppressionId).toBeUndefined();
    expect(r.events.map((e) => e.event)).toEqual(['opened']);
  });

  it('honours the scope: another target or subject is not covered; the narrowest suppression wins', () => {
    const otherTarget = { ...base, id: 'sup-t', targetId: 'connector:elsewhere' };
    const otherSubject = { ...base, id: 'sup-s', targetId: target.id, subjectId: 'mesh-9' };
    expect(only(run(T0, [ev('fail')], [], { suppressions: [otherTarget, otherSubject] })).status).toBe('open');
    const narrow = { ...base, id: 'sup-n', targetId: target.id, subjectId: 'mesh-1', expiresAt: T1 };
    const r = run(T0, [ev('fail')], [], { suppressions: [base, narrow] });
    expect(only(r).suppressionId).toBe('sup-n');
  });

  it('between suppressions of the same scope, the one that expires last wins, then the smaller id', () => {
    const early = { ...base, id: 'sup-a', expiresAt: T3 };
    const late = { ...base, id: 'sup-z', expiresAt: T4 };
    expect(only(run(T0, [ev('fail')], [], { suppressions: [early, late] })).suppressionId).toBe('sup-z');
    expect(only(run(T0, [ev('fail')], [], { suppressions: [late, early] })).suppressionId).toBe('sup-z');
    const twin = { ...late, id: 'sup-b' };
    expect(only(run(T0, [ev('fail')], [], { suppressions: [late, twin] })).suppressionId).toBe('sup-b');
    expect(only(run(T0, [ev('fail')], [], { suppressions: [twin, late] })).suppressionId).toBe('sup-b');
  });

  it('the narrower scope wins over a longer-lasting wider one: subject over target over rule-wide; other rules never match', () => {
    const ruleWide = { ...base, id: 'sup-r', expiresAt: T4 };
    const targetOnly = { ...base, id: 'sup-t', targetId: target.id, expiresAt: T3 };
    const subject = { ...base, id: 'sup-s', targetId: target.id, subjectId: 'mesh-1', expiresAt: T2 };
    const otherRule = { ...base, id: 'sup-o', ruleId: 'hcx-other-rule', targetId: target.id, subjectId: 'mesh-1', expiresAt: T4 };
    const pick = (list: Suppression[]) => only(run(T0, [ev('fail')], [], { suppressions: list })).suppressionId;
    expect(pick([ruleWide, targetOnly])).toBe('sup-t');
    expect(pick([targetOnly, ruleWide])).toBe('sup-t');
    expect(pick([ruleWide, subject, targetOnly])).toBe('sup-s');
    expect(pick([otherRule])).toBeUndefined();
    expect(pick([otherRule, ruleWide])).toBe('sup-r');
  });

  it('lists the suppressions that matched, sorted', () => {
    const a = { ...base, id: 'sup-a', targetId: target.id, subjectId: 'mesh-2' };
    const z = { ...base, id: 'sup-z', targetId: target.id, subjectId: 'mesh-1' };
    const r = run(T0, [ev('fail', { subject: 'mesh-1' }), ev('fail', { subject: 'mesh-2' })], [], { suppressions: [z, a] });
    expect(r.matchedSuppressionIds).toEqual(['sup-a', 'sup-z']);
  });

  it('does not apply a suppression before it was created', () => {
    const future = { ...base, createdAt: T1, expiresAt: T4 };
    expect(only(run(T0, [ev('fail')], [], { suppressions: [future] })).status).toBe('open');
  });

  it('does not page for a suppressed finding', () => {
    const r = run(T0, [ev('fail', { severity: 'critical' })], [], { suppressions: [base] });
    expect(r.events).toEqual([]);
  });
});

describe('reconcile: alert events', () => {
  it('open → escalate → reminder → resolve, each event once, carrying severity and band', () => {
    let r = run(T0, [ev('fail', { severity: 'medium', deadline: { band: 'd180', daysLeft: 150 } })], []);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ event: 'opened', severity: 'medium', band: 'd180', deadline: '2026-07-27', createdAt: T0 });
    let stored = persist([], r);

    // Same verdict the next day: only the daily keep-alive that stops Azure Monitor from auto-resolving it.
    r = run(T1, [ev('fail', { severity: 'medium', deadline: { band: 'd180', daysLeft: 149 } })], stored);
    expect(r.events.map((e) => [e.event, e.severity])).toEqual([['still-open', 'medium']]);
    stored = persist(stored, r);

    r = run(T2, [ev('fail', { severity: 'high', deadline: { band: 'd90', daysLeft: 90 } })], stored);
    expect(r.events.map((e) => [e.event, e.severity, e.band])).toEqual([['escalated', 'high', 'd90']]);
    stored = persist(stored, r);

    // d30 → passed keeps the severity critical: a reminder, not an escalation.
    stored = persist(stored, run(T3, [ev('fail', { severity: 'critical', deadline: { band: 'd30', daysLeft: 1 } })], stored));
    r = run(T4, [ev('fail', { severity: 'critical', deadline: { band: 'passed', daysLeft: 0 } })], stored);
    expect(r.events.map((e) => [e.event, e.band])).toEqual([['reminder', 'passed']]);
    stored = persist(stored, r);

    r = run('2026-01-06T05:00:00.000Z', [ev('pass')], stored);
    expect(r.events.map((e) => [e.event, e.severity])).toEqual([['resolved', 'critical']]);
  });

  it('does not re-alert when severity or band goes down (the daily keep-alive carries the new severity)', () => {
    const stored = persist([], run(T0, [ev('fail', { severity: 'critical', deadline: { band: 'd30' } })], []));
    const r = run(T1, [ev('fail', { severity: 'medium', deadline: { band: 'd180' } })], stored);
    expect(r.events.map((e) => [e.event, e.severity])).toEqual([['still-open', 'medium']]);
  });

  it('sends a still-open keep-alive once a day per open finding, also while it reads unknown, never when suppressed', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    // Same day, a second scan: nothing.
    expect(run('2026-01-01T17:00:00.000Z', [ev('fail')], stored).events).toEqual([]);
    let r = run(T1, [ev('fail')], stored);
    expect(r.events.map((e) => e.event)).toEqual(['still-open']);
    stored = persist(stored, r);
    // The manager became unreachable: the episode is not over, so the alert must stay up.
    r = run(T2, [ev('unknown')], stored);
    expect(r.events.map((e) => e.event)).toEqual(['still-open']);
    stored = persist(stored, r);
    // Suppressed: silent.
    const sup: Suppression = {
      id: 'sup-keepalive',
      ruleId: 'hcx-wan-optimization-enabled',
      reason: 'accepted until the window',
      category: 'waiver',
      createdBy: 'alice@example.com',
      createdAt: T0,
      expiresAt: T4,
    };
    expect(run(T3, [ev('fail')], stored, { suppressions: [sup] }).events).toEqual([]);
    // A finding that was only ever unknown never pages.
    const unknownOnly = persist([], run(T0, [ev('unknown')], []));
    expect(run(T1, [ev('unknown')], unknownOnly).events).toEqual([]);
  });

  it('pages a reopening as opened', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    stored = persist(stored, run(T1, [ev('pass')], stored));
    const r = run(T2, [ev('fail')], stored);
    expect(r.events.map((e) => e.event)).toEqual(['opened']);
  });

  it('sends resolved when an open episode ends through unknown, and nothing for a finding that was only ever unknown', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    stored = persist(stored, run(T1, [ev('unknown')], stored));
    expect(run(T2, [ev('pass')], stored).events.map((e) => e.event)).toEqual(['resolved']);

    const onlyUnknown = persist([], run(T0, [ev('unknown')], []));
    const r = run(T1, [ev('pass')], onlyUnknown);
    expect(only(r).status).toBe('resolved');
    expect(r.events).toEqual([]);
  });

  it('opens (and pages) a finding that was unknown and now fails for the first time', () => {
    const stored = persist([], run(T0, [ev('unknown')], []));
    const r = run(T1, [ev('fail')], stored);
    expect(only(r)).toMatchObject({ status: 'open', reopenCount: 0, firstSeenAt: T0, openedAt: T1 });
    expect(r.events.map((e) => e.event)).toEqual(['opened']);
  });

  it('is idempotent: replaying the same scan against the same stored state gives the same rows and event ids', () => {
    const stored = persist([], run(T0, [ev('fail', { severity: 'medium' })], []));
    const evals = [ev('fail', { severity: 'critical' }), ev('fail', { subject: 'mesh-2' })];
    const a = run(T1, evals, stored);
    const b = run(T1, [...evals].reverse(), stored);
    expect(b).toEqual(a);
    expect(a.events.map((e) => e.event).sort()).toEqual(['escalated', 'opened']);
    // Once persisted, the replay changes nothing and pages nothing.
    const again = run(T1, evals, persist(stored, a));
    expect(again.changed).toEqual([]);
    expect(again.events).toEqual([]);
  });

  it('gives every page of a long episode its own id (no page replaces an earlier one in the outbox)', () => {
    const days = Array.from({ length: 12 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}T05:00:00.000Z`);
    const script: Evaluation[][] = [
      [ev('fail', { severity: 'high' })], // opened
      [ev('fail', { severity: 'critical' })], // escalated
      [ev('fail', { severity: 'high' })], // still-open (lower: no page)
      [ev('fail', { severity: 'critical' })], // escalated again
      [ev('fail', { severity: 'critical', deadline: { band: 'd180' } })], // reminder d180 (no deadline before)
      [ev('fail', { severity: 'critical', deadline: { band: 'd90' } })], // reminder d90
      [ev('fail', { severity: 'critical', deadline: { band: 'd30' } })], // reminder d30
      [ev('pass')], // resolved
      [ev('fail', { severity: 'critical' })], // opened (reopening)
      [ev('pass')], // resolved again
    ];
    let stored: Finding[] = [];
    const events: { event: string; id: string }[] = [];
    script.forEach((evaluations, i) => {
      const r = run(days[i], evaluations, stored);
      events.push(...r.events.map((e) => ({ event: e.event, id: e.id })));
      stored = persist(stored, r);
    });
    expect(events.map((e) => e.event)).toEqual([
      'opened', 'escalated', 'still-open', 'escalated', 'reminder', 'reminder', 'reminder', 'resolved', 'opened', 'resolved',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('a daily keep-alive has its own id each day', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    const r1 = run(T1, [ev('fail')], stored);
    stored = persist(stored, r1);
    const r2 = run(T2, [ev('fail')], stored);
    expect([r1.events[0]?.event, r2.events[0]?.event]).toEqual(['still-open', 'still-open']);
    expect(r1.events[0].id).not.toBe(r2.events[0].id);
  });

  it('gives event ids that differ per finding, kind and occasion', () => {
    let stored = persist([], run(T0, [ev('fail')], []));
    const opened1 = run(T0, [ev('fail')], []).events[0].id;
    stored = persist(stored, run(T1, [ev('pass')], stored));
    const reopened = run(T2, [ev('fail')], stored).events[0].id;
    expect(reopened).not.toBe(opened1);
    expect(opened1).toMatch(/^[a-z0-9]+$/);
  });
});
