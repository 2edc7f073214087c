/**
 * Fail closed, as a property: losing any collected part of an Inventory (a call that failed this scan) never turns a
 * verdict that was not `pass` into a `pass`. Bases are varied inventories with real fails and unknowns in them.
 */
import fc from 'fast-check';
import type { Evaluation } from '../../../lib/domain/evaluation';
import type { Inventory } from '../../../lib/domain/inventory';
import { evaluateTarget } from '../../../lib/rules';
import type { EvaluationStatus } from '../../../lib/domain/evaluation';
import { RULES } from '../../../lib/rules';
import { BASES, CORPUS } from './status-corpus';
import { ctxAt, observation } from '../../support/inventoryBuilder';

/** Every part a collection fills: removing one models that call failing (its field left `undefined`). */
const PARTS = [
  'manager',
  'sitePairs',
  'serviceMeshes',
  'appliances',
  'tunnelMetrics',
  'haGroups',
  'extensions',
  'migrations',
  'replicationSummary',
  'hcxAlerts',
  'licensing',
  'registrations',
  'services',
  'arm.hcxAddon',
  'arm.enterpriseSites',
  'arm.provisioningState',
  'arm.maintenance',
] as const;
type Part = (typeof PARTS)[number];

function without(inv: Inventory, parts: readonly Part[]): Inventory {
  const out: Inventory = structuredClone(inv);
  for (const p of parts) {
    if (p.startsWith('arm.')) {
      if (out.arm) delete (out.arm as unknown as Record<string, unknown>)[p.slice(4)];
    } else delete (out as unknown as Record<string, unknown>)[p];
  }
  return out;
}

const key = (e: Evaluation) => `${e.ruleId}|${e.subjectId}`;

describe('fail closed: removing collected parts never turns a fail or unknown into a pass (or not applicable)', () => {
  const ctx = ctxAt('2026-03-01T06:00:00Z', {
    history: { versions: [observation('4.11.0', '2025-08-01T00:00:00Z', '2026-03-01T00:00:00Z')] },
  });

  test('the bases carry fails and unknowns (so the property has something to protect)', () => {
    const all = BASES.flatMap((b) => evaluateTarget(b, ctx));
    expect(all.filter((e) => e.status === 'fail').length).toBeGreaterThan(20);
    expect(all.filter((e) => e.status === 'unknown').length).toBeGreaterThan(3);
  });

  test('property', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: BASES.length - 1 }),
        fc.subarray([...PARTS], { minLength: 1 }),
        (b, parts) => {
          const before = new Map(evaluateTarget(BASES[b], ctx).map((e) => [key(e), e.status]));
          for (const e of evaluateTarget(without(BASES[b], parts), ctx)) {
            const was = before.get(key(e));
            if (was === 'fail' || was === 'unknown') {
              if (e.status === 'pass' || e.status === 'not_applicable')
                throw new Error(`${key(e)} was ${was}, became ${e.status} without ${parts.join(', ')}: ${e.message}`);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

test('every rule can say each of pass, fail, unknown and not_applicable (and the corpus shows it)', () => {
  const seen = new Map<string, Set<EvaluationStatus>>(RULES.map((r) => [r.id, new Set()]));
  for (const { inv, ctx } of CORPUS) for (const e of evaluateTarget(inv, ctx)) seen.get(e.ruleId)!.add(e.status);
  const missing = RULES.flatMap((r) =>
    (['pass', 'fail', 'unknown', 'not_applicable'] as const)
      .filter((st) => !seen.get(r.id)!.has(st))
      .map((st) => `${r.id}: ${st}`),
  );
  expect(missing).toEqual([]);
});
