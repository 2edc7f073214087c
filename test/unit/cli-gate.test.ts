import { evaluateGate } from '../../lib/cli/gate';
import type { Finding } from '../../lib/domain/finding';

const f = (id: string, status: Finding['status'], severity: Finding['severity']): Finding =>
  ({ id, status, severity, ruleId: `r-${id}`, targetName: 't', subjectName: 's' }) as Finding;

describe('scan --fail-on gate', () => {
  const findings = [
    f('a', 'open', 'medium'),
    f('b', 'unknown', 'high'),
    f('c', 'unknown', 'low'),
    f('d', 'suppressed', 'critical'),
    f('e', 'resolved', 'critical'),
  ];

  test('an unknown at or above the threshold fails the gate; below it does not', () => {
    const g = evaluateGate(findings, 'high', false);
    expect(g.failed).toBe(true);
    expect(g.causes.map((c) => [c.id, c.status])).toEqual([['b', 'unknown']]);
  });

  test('--allow-unknown lets unknowns through, never open findings', () => {
    expect(evaluateGate(findings, 'high', true).failed).toBe(false);
    expect(evaluateGate(findings, 'medium', true).causes.map((c) => c.id)).toEqual(['a']);
  });

  test('suppressed and resolved findings never fail it; summary counts open, unknown and suppressed by severity', () => {
    const g = evaluateGate(findings, 'critical', false);
    expect(g.failed).toBe(false);
    expect(g.summary).toMatchObject({ open: 1, unknown: 2, suppressed: 1 });
    expect(g.summary.bySeverity.high).toEqual({ open: 0, unknown: 1 });
  });

  test('without --fail-on nothing fails', () => {
    expect(evaluateGate(findings, undefined, false)).toMatchObject({ failed: false, causes: [] });
  });
});
