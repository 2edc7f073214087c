/**
 * The fast slice of the fault-injection suite (the full one is `npm run test:faults`): one round of random HCX
 * faults, a queue message delivered twice, two overlapping scans of one target, a target over its time budget.
 * Every run checks the invariants of test/faults/support.ts; the random round uses a fixed seed (FAULT_SEED=<n>
 * overrides it).
 */
import { budgetExceeded, clearFaults, duplicateDelivery, faultWorld, overlappingScans, randomFaultRounds, stuckManager, type FaultWorld } from '../faults/scenarios';
import { checkInvariants, faultSeed } from '../faults/support';

/** Fixed so `npm test` is deterministic; random seeds belong to `npm run test:faults` (FAULT_SEED still overrides). */
const SLICE_SEED = 20261122;

describe('faults (fast slice)', () => {
  let w: FaultWorld;
  beforeAll(async () => {
    w = await faultWorld('fslice');
  });
  afterAll(async () => w?.stop());
  afterEach(() => clearFaults(w));

  it('a round of random HCX and ARM faults never reads as compliant, loses or duplicates a finding, or leaks a secret', async () => {
    await randomFaultRounds(w, faultSeed(SLICE_SEED), 1);
  });

  it('a redelivered queue message and two overlapping scans page each transition once', async () => {
    await duplicateDelivery(w);
    const results = await overlappingScans(w);
    await checkInvariants({ ...w, results, logs: [], context: 'redelivery + overlap' });
  });

  it('a target over its time budget ends failed with a clear message and keeps its findings', async () => {
    const r = await budgetExceeded(w);
    await checkInvariants({ ...w, results: [r], logs: [], context: 'budget' });
  });

  it('a manager that never answers does not make a healthy target wait for it, and abandoning it ends its requests', async () => {
    await stuckManager(w);
  });
});
