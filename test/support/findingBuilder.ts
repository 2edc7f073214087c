import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';

/** An open, medium, customer-owned appliance finding `i` of `target`, as the store holds it; `over` sets the rest. */
export function makeFinding(target: TargetRef, i: number, over: Partial<Finding> = {}): Finding {
  return {
    id: `f-${target.name}-${i}`,
    ruleId: 'hcx-appliance-outdated',
    title: `Finding ${i}`,
    targetId: target.id,
    targetName: target.name,
    targetKind: target.kind,
    subjectId: `s-${i}`,
    subjectName: `Subject ${i}`,
    subjectKind: 'appliance',
    status: 'open',
    severity: 'medium',
    owner: 'customer',
    message: `message ${i}`,
    evidence: { source: 'hcx' },
    firstSeenAt: '2026-03-01T05:00:00.000Z',
    lastSeenAt: '2026-03-01T05:00:00.000Z',
    lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
    reopenCount: 0,
    ...over,
  };
}

/** A catalog deadline on `date` (the day count and band are recomputed by whoever reads it). */
export const due = (date: string): Finding['deadline'] => ({ date, basis: 'catalog', daysLeft: 0, band: 'later' });
