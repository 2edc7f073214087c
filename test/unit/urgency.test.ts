import { DateTime } from 'luxon';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { daysUntil, dueText, headlines, sortFindingsBy, summarize } from '../../lib/findings/urgency';
import { makeFinding, due } from '../support/findingBuilder';

const ASOF = DateTime.fromISO('2026-03-02T15:30:00Z', { zone: 'utc' });
const A: TargetRef = { id: 'connector:a', name: 'a', kind: 'hcx-connector' };
const B: TargetRef = { id: 'connector:b', name: 'b', kind: 'hcx-connector' };

describe('urgency', () => {
  it('counts days from the day of asOf, and says them in words', () => {
    expect(daysUntil('2026-03-26', ASOF)).toBe(24);
    expect(daysUntil('2026-03-02', ASOF)).toBe(0);
    expect(daysUntil('2025-07-27', ASOF)).toBe(-218);
    expect([dueText(24), dueText(1), dueText(0), dueText(-1), dueText(-218)]).toEqual([
      '24 days left',
      '1 day left',
      'due today',
      'overdue by 1 day',
      'overdue by 218 days',
    ]);
  });

  it('the next deadline is the nearest one not yet passed; passed ones are counted as overdue, not chosen', () => {
    const findings = [
      makeFinding(A, 0, { severity: 'critical', deadline: due('2025-07-27') }),
      makeFinding(A, 1, { severity: 'low', deadline: due('2027-01-01') }),
      makeFinding(B, 2, { severity: 'high', title: 'key expires', deadline: due('2026-03-26') }),
      makeFinding(B, 3, { severity: 'high', deadline: due('2026-03-26') }),
      // A suppressed finding's deadline asks for nothing.
      makeFinding(B, 4, { status: 'suppressed', deadline: due('2026-03-03') }),
    ];
    const s = summarize(findings, ASOF);
    expect(s.nextDeadline).toMatchObject({ date: '2026-03-26', daysLeft: 24, targetName: 'b', sameDay: 1 });
    expect(s.overdue).toBe(1);
    expect(s.targets.map((t) => t.targetName)).toEqual(['a', 'b']);
    const lines = headlines(s);
    expect(lines.nextDeadline).toBe(
      'Next deadline: 2026-03-26, 24 days left — b: key expires (+1 more that day) (1 already overdue)',
    );
    expect(lines.worstTarget).toBe(
      'Worst target: a — 1 critical, 1 low open; next deadline 2027-01-01 (305 days left)',
    );
  });

  it('one critical outweighs any number of highs; ties go to the nearer deadline', () => {
    const highs = Array.from({ length: 5 }, (_, i) => makeFinding(B, i, { severity: 'high' }));
    expect(summarize([...highs, makeFinding(A, 9, { severity: 'critical' })], ASOF).targets[0].targetName).toBe('a');
    const tie = summarize(
      [
        makeFinding(A, 1, { severity: 'high', deadline: due('2026-09-01') }),
        makeFinding(B, 2, { severity: 'high', deadline: due('2026-04-01') }),
      ],
      ASOF,
    );
    expect(tie.targets.map((t) => t.targetName)).toEqual(['b', 'a']);
  });

  it('sorts by urgency (worst target, then deadline), by deadline and by severity', () => {
    const f = [
      makeFinding(B, 1, { severity: 'high', deadline: due('2026-05-01') }),
      makeFinding(A, 2, { severity: 'info' }),
      makeFinding(A, 3, { severity: 'critical', deadline: due('2026-12-01') }),
      makeFinding(A, 4, { severity: 'low', deadline: due('2026-04-01') }),
    ];
    const titles = (list: Finding[]) => list.map((x) => x.title);
    expect(titles(sortFindingsBy(f, 'urgency', ASOF))).toEqual(['Finding 4', 'Finding 3', 'Finding 2', 'Finding 1']);
    expect(titles(sortFindingsBy(f, 'deadline', ASOF))).toEqual(['Finding 4', 'Finding 1', 'Finding 3', 'Finding 2']);
    expect(titles(sortFindingsBy(f, 'severity', ASOF))).toEqual(['Finding 3', 'Finding 1', 'Finding 4', 'Finding 2']);
  });
});
