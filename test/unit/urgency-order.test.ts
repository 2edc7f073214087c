import { DateTime } from 'luxon';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import type { ScanRecord } from '../../lib/scan-types';
import type { ScanTotals } from '../../lib/findings/totals';
import {
  compareTargetUrgency,
  countsText,
  dueText,
  emptyCounts,
  FINDING_SORTS,
  findingSortOf,
  headlines,
  latestCompletedScan,
  latestScanTotals,
  sortFindingsBy,
  summarize,
  summaryJson,
  unknownSortMessage,
} from '../../lib/findings/urgency';
import { makeFinding as mk } from '../support/findingBuilder';

/** Urgency as every surface shows it: the counts, the day counts, the two headlines and the sort orders. */

const ASOF = DateTime.fromISO('2026-03-02T15:30:00Z', { zone: 'utc' });
const A: TargetRef = { id: 'connector:a', name: 'alpha', kind: 'hcx-connector' };
const B: TargetRef = { id: 'connector:b', name: 'bravo', kind: 'hcx-connector' };
const C: TargetRef = { id: 'connector:c', name: 'charlie', kind: 'hcx-connector' };

const due = (date: string): Finding['deadline'] => ({ date, basis: 'catalog', daysLeft: 999, band: 'later' });
const titles = (list: readonly Finding[]) => list.map((x) => x.title);

describe('dueText', () => {
  it('says days in the plural except one', () => {
    expect([dueText(2), dueText(1), dueText(0), dueText(-1), dueText(-2)]).toEqual([
      '2 days left',
      '1 day left',
      'due today',
      'overdue by 1 day',
      'overdue by 2 days',
    ]);
  });
});

describe('summarize: the fleet and per-target counts', () => {
  it('counts open by severity, unknown and suppressed for the fleet and each target; resolved nowhere', () => {
    const s = summarize(
      [
        mk(A, 1, { severity: 'critical' }),
        mk(A, 2, { severity: 'low' }),
        mk(A, 3, { status: 'unknown' }),
        mk(A, 4, { status: 'suppressed', underlyingStatus: 'open' }),
        mk(A, 5, { status: 'resolved', severity: 'critical' }),
        mk(B, 6, { severity: 'low' }),
        mk(B, 7, { status: 'unknown' }),
        mk(B, 8, { status: 'unknown' }),
      ],
      ASOF,
    );
    expect(s.asOf).toBe('2026-03-02T15:30:00.000Z');
    expect(s.openBySeverity).toEqual({ critical: 1, high: 0, medium: 0, low: 2, info: 0 });
    expect([s.unknown, s.suppressed, s.overdue]).toEqual([3, 1, 0]);
    expect(s.nextDeadline).toBeUndefined();
    expect(s.targets).toEqual([
      {
        targetId: A.id,
        targetName: 'alpha',
        open: { critical: 1, high: 0, medium: 0, low: 1, info: 0 },
        unknown: 1,
        suppressed: 1,
        overdue: 0,
      },
      {
        targetId: B.id,
        targetName: 'bravo',
        open: { critical: 0, high: 0, medium: 0, low: 1, info: 0 },
        unknown: 2,
        suppressed: 0,
        overdue: 0,
      },
    ]);
  });

  it('lists a target whose findings are all resolved, with nothing counted', () => {
    const s = summarize([mk(C, 1, { status: 'resolved', deadline: due('2026-03-05') })], ASOF);
    expect(s.targets).toEqual([
      { targetId: C.id, targetName: 'charlie', open: emptyCounts(), unknown: 0, suppressed: 0, overdue: 0 },
    ]);
    expect(s.nextDeadline).toBeUndefined();
  });

  it('a deadline due today is the next deadline (0 days), one due yesterday is overdue', () => {
    const s = summarize(
      [mk(A, 1, { deadline: due('2026-03-02') }), mk(A, 2, { deadline: due('2026-03-01') }), mk(B, 3)],
      ASOF,
    );
    expect(s.overdue).toBe(1);
    expect(s.targets.find((t) => t.targetId === A.id)).toMatchObject({ overdue: 1 });
    expect(s.targets.find((t) => t.targetId === B.id)).toMatchObject({ overdue: 0 });
    expect(s.nextDeadline).toEqual({
      date: '2026-03-02',
      daysLeft: 0,
      findingId: 'f-alpha-1',
      title: 'Finding 1',
      ruleId: 'hcx-appliance-outdated',
      targetId: A.id,
      targetName: 'alpha',
      sameDay: 0,
    });
  });

  it("an unknown finding's deadline counts; a suppressed or resolved one's does not, nor is it overdue", () => {
    const s = summarize(
      [
        mk(A, 1, { status: 'suppressed', deadline: due('2026-03-03') }),
        mk(A, 2, { status: 'resolved', deadline: due('2026-03-04') }),
        mk(A, 3, { status: 'suppressed', deadline: due('2026-01-01') }),
        mk(A, 4, { status: 'unknown', deadline: due('2026-03-10') }),
      ],
      ASOF,
    );
    expect(s.overdue).toBe(0);
    expect(s.nextDeadline).toMatchObject({ findingId: 'f-alpha-4', daysLeft: 8, sameDay: 0 });
    expect(s.targets[0].nextDeadline).toMatchObject({ findingId: 'f-alpha-4' });
  });

  it('keeps the nearest deadline whatever the order, and counts the others due that same day', () => {
    const list = [
      mk(A, 1, { deadline: due('2026-04-01') }),
      mk(A, 2, { deadline: due('2026-03-20') }),
      mk(B, 3, { deadline: due('2026-03-20') }),
      mk(B, 4, { deadline: due('2026-03-20') }),
      mk(A, 5, { deadline: due('2026-03-25') }),
    ];
    for (const order of [list, [...list].reverse()]) {
      const s = summarize(order, ASOF);
      expect(s.nextDeadline).toMatchObject({ date: '2026-03-20', daysLeft: 18, sameDay: 2 });
      const a = s.targets.find((t) => t.targetId === A.id)!;
      const b = s.targets.find((t) => t.targetId === B.id)!;
      expect(a.nextDeadline).toMatchObject({ date: '2026-03-20', sameDay: 0, targetName: 'alpha' });
      expect(b.nextDeadline).toMatchObject({ date: '2026-03-20', sameDay: 1, targetName: 'bravo' });
    }
    // The first one met stands for the day.
    expect(summarize(list, ASOF).nextDeadline?.findingId).toBe('f-alpha-2');
  });
});

describe('compareTargetUrgency: worst target first', () => {
  const t = (
    name: string,
    over: Partial<{ open: Partial<ReturnType<typeof emptyCounts>>; unknown: number; days: number }>,
  ) => ({
    targetName: name,
    open: { ...emptyCounts(), ...over.open },
    unknown: over.unknown ?? 0,
    ...(over.days !== undefined ? { nextDeadline: { daysLeft: over.days } } : {}),
  });
  const order = (...ts: ReturnType<typeof t>[]) => [...ts].sort(compareTargetUrgency).map((x) => x.targetName);

  it('compares severity by severity: more of a worse severity wins over any count of lesser ones', () => {
    expect(order(t('x', { open: { high: 9 } }), t('y', { open: { critical: 1 } }))).toEqual(['y', 'x']);
    expect(order(t('x', { open: { high: 1, low: 1 } }), t('y', { open: { high: 2 } }))).toEqual(['y', 'x']);
    expect(order(t('x', { open: { info: 1 } }), t('y', { open: { info: 3 } }))).toEqual(['y', 'x']);
  });

  it('then more unknowns, then the nearer next deadline (none is last), then the name', () => {
    expect(order(t('x', { unknown: 1 }), t('y', { unknown: 2 }))).toEqual(['y', 'x']);
    expect(order(t('x', { unknown: 5, days: 1 }), t('y', { open: { info: 1 } }))).toEqual(['y', 'x']);
    expect(order(t('x', { days: 30 }), t('y', { days: 3 }))).toEqual(['y', 'x']);
    expect(order(t('x', {}), t('y', { days: 300 }))).toEqual(['y', 'x']);
    expect(order(t('y', {}), t('x', {}))).toEqual(['x', 'y']);
    expect(order(t('b', { days: 3 }), t('a', { days: 3 }))).toEqual(['a', 'b']);
    expect(compareTargetUrgency(t('a', {}), t('a', {}))).toBe(0);
  });
});

describe('countsText and headlines', () => {
  it('lists the open counts worst first, or says nothing is open', () => {
    expect(countsText(emptyCounts())).toBe('nothing open');
    expect(countsText({ ...emptyCounts(), info: 2, critical: 1, medium: 3 })).toBe('1 critical, 3 medium, 2 info open');
  });

  it('with nothing at all', () => {
    expect(headlines(summarize([], ASOF))).toEqual({
      nextDeadline: 'Next deadline: none ahead',
      worstTarget: 'Worst target: none (nothing open or unknown)',
    });
  });

  it('only overdue deadlines ahead: none ahead, and how many are overdue', () => {
    const s = summarize([mk(A, 1, { deadline: due('2026-02-01') }), mk(A, 2, { deadline: due('2026-01-01') })], ASOF);
    expect(headlines(s)).toEqual({
      nextDeadline: 'Next deadline: none ahead (2 already overdue)',
      worstTarget: 'Worst target: alpha — 2 medium open',
    });
  });

  it('names the deadline without "more that day" when it is alone, and an unknown-only worst target', () => {
    const s = summarize([mk(A, 1, { status: 'unknown', title: 'key', deadline: due('2026-03-03') })], ASOF);
    expect(headlines(s)).toEqual({
      nextDeadline: 'Next deadline: 2026-03-03, 1 day left — alpha: key',
      worstTarget: 'Worst target: alpha — nothing open, 1 unknown; next deadline 2026-03-03 (1 day left)',
    });
  });

  it('a target with only suppressed findings is no worst target', () => {
    const s = summarize([mk(A, 1, { status: 'suppressed', underlyingStatus: 'open' })], ASOF);
    expect(headlines(s).worstTarget).toBe('Worst target: none (nothing open or unknown)');
  });
});

describe('sort names', () => {
  it('takes every sort by name and the JSON field aliases, nothing else', () => {
    for (const s of FINDING_SORTS) expect(findingSortOf(s)).toBe(s);
    expect(findingSortOf('lastSeen')).toBe('last-seen');
    expect(findingSortOf('firstSeen')).toBe('first-seen');
    for (const bad of ['', 'Urgency', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'last_seen'])
      expect(findingSortOf(bad)).toBeUndefined();
  });

  it('refuses with the choices, quoting at most 40 characters of the value', () => {
    expect(unknownSortMessage('x')).toBe(
      'no sort "x"; expected one of urgency, deadline, severity, target, rule, first-seen, last-seen, lastSeen, firstSeen',
    );
    expect(unknownSortMessage('y'.repeat(100))).toContain(`"${'y'.repeat(40)}"`);
  });
});

describe('sortFindingsBy', () => {
  it('does not reorder its input', () => {
    const f = [mk(B, 1), mk(A, 2)];
    sortFindingsBy(f, 'target', ASOF);
    expect(titles(f)).toEqual(['Finding 1', 'Finding 2']);
  });

  it('deadline: earliest first, findings without a deadline last, ties by severity then the stable order', () => {
    const f = [
      mk(A, 1, { severity: 'critical' }),
      mk(A, 2, { severity: 'low', deadline: due('2026-05-01') }),
      mk(A, 3, { severity: 'high', deadline: due('2026-05-01') }),
      mk(B, 4, { severity: 'info', deadline: due('2025-01-01') }),
      mk(B, 5, { severity: 'high' }),
    ];
    expect(titles(sortFindingsBy(f, 'deadline', ASOF))).toEqual([
      'Finding 4',
      'Finding 3',
      'Finding 2',
      'Finding 1',
      'Finding 5',
    ]);
  });

  it('severity: worst first, then the nearer deadline', () => {
    const f = [
      mk(A, 1, { severity: 'low', deadline: due('2026-04-01') }),
      mk(A, 2, { severity: 'high' }),
      mk(A, 3, { severity: 'high', deadline: due('2026-09-01') }),
      mk(A, 4, { severity: 'high', deadline: due('2026-06-01') }),
    ];
    expect(titles(sortFindingsBy(f, 'severity', ASOF))).toEqual(['Finding 4', 'Finding 3', 'Finding 2', 'Finding 1']);
  });

  it('target and rule: by name, then worst severity', () => {
    const f = [
      mk(B, 1, { ruleId: 'a-rule', severity: 'low' }),
      mk(A, 2, { ruleId: 'c-rule', severity: 'low' }),
      mk(A, 3, { ruleId: 'b-rule', severity: 'critical' }),
      mk(B, 4, { ruleId: 'a-rule', severity: 'high' }),
    ];
    expect(titles(sortFindingsBy(f, 'target', ASOF))).toEqual(['Finding 3', 'Finding 2', 'Finding 4', 'Finding 1']);
    expect(titles(sortFindingsBy(f, 'rule', ASOF))).toEqual(['Finding 4', 'Finding 1', 'Finding 3', 'Finding 2']);
  });

  it('first-seen and last-seen: newest first', () => {
    const f = [
      mk(A, 1, { firstSeenAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-03-01T00:00:00.000Z' }),
      mk(A, 2, { firstSeenAt: '2026-02-01T00:00:00.000Z', lastSeenAt: '2026-02-15T00:00:00.000Z' }),
      mk(A, 3, { firstSeenAt: '2025-12-01T00:00:00.000Z', lastSeenAt: '2026-03-02T00:00:00.000Z' }),
    ];
    expect(titles(sortFindingsBy(f, 'first-seen', ASOF))).toEqual(['Finding 2', 'Finding 1', 'Finding 3']);
    expect(titles(sortFindingsBy(f, 'last-seen', ASOF))).toEqual(['Finding 3', 'Finding 1', 'Finding 2']);
  });

  it('urgency: the worst target first, within it the nearest deadline, then severity', () => {
    const f = [
      mk(A, 1, { severity: 'high' }),
      mk(B, 2, { severity: 'low', deadline: due('2026-04-01') }),
      mk(B, 3, { severity: 'critical' }),
      mk(B, 4, { severity: 'medium' }),
      mk(A, 5, { severity: 'high', deadline: due('2026-03-10') }),
    ];
    expect(titles(sortFindingsBy(f, 'urgency', ASOF))).toEqual([
      'Finding 2',
      'Finding 3',
      'Finding 4',
      'Finding 5',
      'Finding 1',
    ]);
  });

  it('equal by the sort: by target name, rule, subject name, then id — the same order every time', () => {
    const f = [
      mk(B, 1, { ruleId: 'r-a', subjectName: 'x' }),
      mk(A, 2, { ruleId: 'r-b', subjectName: 'x' }),
      mk(A, 3, { ruleId: 'r-a', subjectName: 'y' }),
      mk(A, 4, { ruleId: 'r-a', subjectName: 'x', id: 'id-2' }),
      mk(A, 5, { ruleId: 'r-a', subjectName: 'x', id: 'id-1' }),
    ];
    const expected = ['Finding 5', 'Finding 4', 'Finding 3', 'Finding 2', 'Finding 1'];
    expect(titles(sortFindingsBy(f, 'severity', ASOF))).toEqual(expected);
    expect(titles(sortFindingsBy([...f].reverse(), 'first-seen', ASOF))).toEqual(expected);
    expect(titles(sortFindingsBy(f, 'deadline', ASOF))).toEqual(expected);
  });
});

describe('summaryJson', () => {
  const findings = Array.from({ length: 12 }, (_, i) =>
    mk(
      { id: `connector:t${String(i).padStart(2, '0')}`, name: `t${String(i).padStart(2, '0')}`, kind: 'hcx-connector' },
      i,
    ),
  );

  it('at most ten worst targets by default, with the count of all, the counts and the headlines', () => {
    const s = summarize(findings, ASOF);
    const j = summaryJson(s);
    expect(j.worstTargets.map((t) => t.targetName)).toEqual(s.targets.slice(0, 10).map((t) => t.targetName));
    expect(j.targetCount).toBe(12);
    expect(j).toMatchObject({
      asOf: '2026-03-02T15:30:00.000Z',
      openBySeverity: { medium: 12 },
      unknown: 0,
      suppressed: 0,
      overdue: 0,
      headlines: headlines(s),
    });
    expect(j).not.toHaveProperty('nextDeadline');
    expect(j).not.toHaveProperty('latestScan');
    expect(summaryJson(s, 3).worstTargets).toHaveLength(3);
  });

  it('carries the next deadline and the latest scan when there are some', () => {
    const s = summarize([mk(A, 1, { deadline: due('2026-03-10') })], ASOF);
    const latest = { scanId: 's1', asOf: '2026-03-02T00:00:00.000Z', totals: {} as ScanTotals };
    const j = summaryJson(s, 10, latest);
    expect(j.nextDeadline).toMatchObject({ date: '2026-03-10', daysLeft: 8 });
    expect(j.latestScan).toBe(latest);
  });
});

describe('the latest scan', () => {
  type Row = Pick<ScanRecord, 'scanId' | 'asOf' | 'status' | 'completedAt' | 'targetFilter' | 'totals' | 'targets'>;
  const totals: ScanTotals = {
    openBySeverity: emptyCounts(),
    open: 1,
    unknown: 0,
    suppressed: 0,
    new: 1,
    resolved: 0,
    escalated: 0,
  };
  const row = (scanId: string, over: Partial<Row> = {}): Row => ({
    scanId,
    asOf: '2026-03-02T00:00:00.000Z',
    status: 'completed',
    targets: [A],
    totals,
    ...over,
  });

  it('is the newest completed scan that reached a target (scans newest first)', () => {
    const scans = [row('running', { status: 'running' }), row('empty', { targets: [] }), row('s2'), row('s1')];
    expect(latestCompletedScan(scans)?.scanId).toBe('s2');
    expect(latestCompletedScan([row('running', { status: 'running' })])).toBeUndefined();
    expect(latestCompletedScan([])).toBeUndefined();
  });

  it('gives its totals, with completedAt and the target filter only when it has them', () => {
    expect(latestScanTotals([row('s1')])).toEqual({ scanId: 's1', asOf: '2026-03-02T00:00:00.000Z', totals });
    expect(latestScanTotals([row('s1', { completedAt: '2026-03-02T00:05:00.000Z', targetFilter: 'dc*' })])).toEqual({
      scanId: 's1',
      asOf: '2026-03-02T00:00:00.000Z',
      completedAt: '2026-03-02T00:05:00.000Z',
      targetFilter: 'dc*',
      totals,
    });
  });

  it('none when the latest scan recorded no totals, or there is none', () => {
    expect(latestScanTotals([row('s2', { totals: undefined }), row('s1')])).toBeUndefined();
    expect(latestScanTotals([])).toBeUndefined();
  });
});
