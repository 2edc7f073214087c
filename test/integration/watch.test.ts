import { upgradeScenario } from '../../dev/lab';
import { runCli } from '../../lib/cli';
import { labRuntime, type LabRuntime } from '../support/runtime';

/** `hcxmon watch` in process against the lab and Azurite; its waits move the test's clock instead of waiting. */
describe('hcxmon watch (lab + Azurite, injected sleep)', () => {
  let ctx: LabRuntime;
  const sleeps: number[] = [];

  async function watch(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(['watch', ...args], {
      io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: ctx.env },
      openRuntime: async () => ctx.rt,
      sleep: async (ms) => {
        sleeps.push(ms);
        ctx.clock.advance(ms / 3_600_000);
      },
    });
    return { code, out, err };
  }

  beforeAll(async () => {
    ctx = await labRuntime('wa', { lab: { scenario: upgradeScenario() }, start: '2026-12-01T05:00:00Z' });
    await ctx.rt.scan({ trigger: 'cli' });
  });
  afterAll(async () => ctx.stop());

  it('shows the checklist every round as plain lines and exits 0 once the upgrade has converged', async () => {
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.3', lagScans: 2 });
    ctx.clock.advance(1);
    const r = await watch(['--target', 'avs-up', '--every', '15m', '--expect-upgrade']);
    expect(r.code).toBe(0);
    const heads = r.out.split('\n').filter((l) => l.startsWith('['));
    expect(heads).toHaveLength(3);
    expect(heads[0]).toMatch(/^\[2026-12-01T06:00:00\.000Z\] avs-up 4\.11\.3 — upgraded from 4\.11\.2 to 4\.11\.3 .*window ends 2026-12-01T14:00:00\.000Z: NOT CONVERGED$/);
    expect(heads[2]).toMatch(/^\[2026-12-01T06:30:00\.000Z\] .*: CONVERGED$/);
    expect(r.out).toMatch(/ {2}FAIL {4}Every Service Mesh converged .*mesh sm-up is OUT_OF_SYNC/);
    expect(r.out).not.toContain('\x1b');
    expect(sleeps).toEqual([900_000, 900_000]);
  });

  it('exits 3 when --until passes and the upgrade has not converged', async () => {
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.4', lagScans: 100 });
    ctx.clock.advance(1);
    const r = await watch(['--target', 'avs-up', '--every', '10m', '--until', '2026-12-01T07:50:00Z']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('not converged by 2026-12-01T07:50:00.000Z');
    const heads = r.out.split('\n').filter((l) => l.startsWith('['));
    expect(heads.map((h) => h.slice(1, 21))).toEqual(['2026-12-01T07:30:00.', '2026-12-01T07:40:00.', '2026-12-01T07:50:00.']);
    expect(heads.every((h) => h.endsWith('NOT CONVERGED'))).toBe(true);
  });

  it('a round whose scan stored nothing is never CONVERGED on the previous round’s inventory (exit 3 at --until)', async () => {
    // The target is converged on what is stored; this round's scan fails before its commit (simulated: it stores nothing).
    ctx.lab.upgradeManager('avs-up', { toVersion: '4.11.5', lagScans: 0 });
    ctx.clock.advance(1);
    await ctx.rt.scan({ trigger: 'cli' });
    ctx.clock.advance(1);
    let out = '';
    let err = '';
    const code = await runCli(['watch', '--target', 'avs-up', '--every', '10m', '--until', '2026-12-01T10:20:00Z'], {
      io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: ctx.env },
      openRuntime: async () => ({ ...ctx.rt, scan: async () => ({}) as never }),
      sleep: async (ms) => {
        ctx.clock.advance(ms / 3_600_000);
      },
    });
    expect(code).toBe(3);
    expect(out).not.toMatch(/: CONVERGED$/m);
    expect(out).toMatch(/UNKNOWN This round’s scan: it stored no inventory \(the latest is from 2026-12-01T08:50/);
    expect(err).toContain('not converged by 2026-12-01T10:20:00.000Z');
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await watch(['--target', 'avs-up', '--every', 'soon'])).code).toBe(2);
    expect((await watch(['--target', 'avs-up', '--until', 'later'])).code).toBe(2);
    expect((await watch(['--target', 'nope'])).code).toBe(2);
  });
});
