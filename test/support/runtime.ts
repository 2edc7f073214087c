import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { startLab, type LabHandle, type StartLabOptions } from '../../dev/lab';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../lib/runtime';

export function testStorage(): string {
  const cs = process.env.HCXMON_TEST_STORAGE;
  if (!cs) throw new Error('HCXMON_TEST_STORAGE is not set: integration tests need the Azurite of test/support/globalSetup');
  return cs;
}

/** A table prefix of its own per test file: letters and digits. */
export function uniquePrefix(tag: string): string {
  return `${tag}${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9]/g, '');
}

/** A clock the test moves by hand: every timestamp the pipeline writes comes from it. */
export class TestClock {
  constructor(public current: DateTime) {}
  now = (): DateTime => this.current;
  advance(hours: number): DateTime {
    this.current = this.current.plus({ hours });
    return this.current;
  }
}

export interface LabRuntime {
  lab: LabHandle;
  rt: Runtime;
  clock: TestClock;
  env: Record<string, string>;
  queueName: string;
  stop(): Promise<void>;
}

/** The lab + a runtime bound to the test Azurite (own tables, own queue) with a hand-moved clock. */
export async function labRuntime(
  tag: string,
  opts: { lab?: StartLabOptions; runtime?: Partial<RuntimeOptions>; start?: string; env?: Record<string, string> } = {},
): Promise<LabRuntime> {
  const lab = await startLab(opts.lab);
  const clock = new TestClock(DateTime.fromISO(opts.start ?? '2026-11-21T05:00:00Z', { zone: 'utc' }));
  const prefix = uniquePrefix(tag);
  const env = { ...lab.env, HCXMON_STORAGE: testStorage(), AzureWebJobsStorage: testStorage(), ...opts.env };
  const queueName = `q${prefix.toLowerCase()}`;
  const rt = createRuntime({
    env,
    tablePrefix: prefix,
    queueName,
    now: clock.now,
    ...opts.runtime,
  });
  return { lab, rt, clock, env, queueName, stop: () => lab.stop() };
}
