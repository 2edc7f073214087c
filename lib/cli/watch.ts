import { Option, type Command } from 'commander';
import { DateTime } from 'luxon';
import type { UpgradeRecord } from '../domain/finding';
import { requireTarget } from '../domain/targetLookup';
import { ValidationError } from '../errors';
import { UPGRADE_NOT_CONVERGED_RULE } from '../rules/upgrade-convergence';
import type { Runtime } from '../runtime';
import { printable } from '../text';
import { convergenceChecklist, type Checklist } from '../upgrade/checklist';
import { latestUpgrade } from '../upgrade/history';
import type { CliContext } from './index';

/**
 * `hcxmon watch` (issue 16): a maintenance-window watch for people. Every `--every` it scans one target (in process,
 * persisted like `hcxmon scan --target`) and prints the post-upgrade convergence checklist — the same checklist as
 * hcx-upgrade-not-converged and the target page. Exit 0 when converged, 3 when the deadline passes unconverged.
 */
export interface WatchOptions {
  /** Waits between rounds (tests inject one that moves their clock instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}

const EXIT_OK = 0;
const EXIT_DEADLINE = 3;
const MAX_ROUNDS = 100_000;

export function parseEvery(value: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(value.trim());
  const n = m ? Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 's' ? 1000 : 60_000) : NaN;
  if (!(n >= 10_000 && n <= 24 * 3_600_000))
    throw new ValidationError(`--every must be a duration from 10s to 24h, e.g. 2m (got "${value}")`, '--every');
  return n;
}

export type Until = { kind: 'converged' } | { kind: 'time'; at: DateTime };

export function parseUntil(value: string): Until {
  if (value === 'converged') return { kind: 'converged' };
  // A date is required: Luxon reads a bare "13:00" as that time on the machine's today, which is neither the window's
  // day nor anything the user wrote (past it, the first round would exit 3). A missing zone means UTC.
  const at = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? DateTime.fromISO(value.trim(), { zone: 'utc' }) : DateTime.invalid('no date');
  if (!at.isValid)
    throw new ValidationError(`--until must be "converged" or an ISO date-time (UTC unless it names a zone), e.g. 2026-12-02T13:00Z (got "${value}")`, '--until');
  return { kind: 'time', at };
}

export interface WatchRound {
  at: DateTime;
  version?: string;
  upgrade?: UpgradeRecord;
  checklist: Checklist;
  /** The upgrade's window end from its finding (hcx-upgrade-not-converged), when one is open. */
  windowEndsAt?: string;
  converged: boolean;
}

/** Plain lines, one per check: readable in a pipe and a log file alike. */
export function renderRound(name: string, r: WatchRound): string {
  const head =
    `[${r.at.toUTC().toISO()}] ${name} ${r.version ?? '(version unknown)'}` +
    (r.upgrade ? ` — upgraded from ${r.upgrade.fromVersion} to ${r.upgrade.toVersion} (seen ${r.upgrade.firstSeenToAt})` : ' — no upgrade observed yet') +
    (r.windowEndsAt ? `; window ends ${r.windowEndsAt}` : '') +
    `: ${r.converged ? 'CONVERGED' : r.checklist.status === 'unknown' ? 'UNKNOWN' : 'NOT CONVERGED'}`;
  const lines = r.checklist.items.map(
    (i) => `  ${i.status.toUpperCase().padEnd(7)} ${i.title}${i.details.length ? `: ${i.details.slice(0, 5).join('; ')}` : ''}`,
  );
  return printable([head, ...lines].join('\n')) + '\n';
}

async function round(rt: Runtime, targetId: string, expectUpgradeAfter?: string): Promise<WatchRound> {
  const now = (rt.deps.now ?? (() => DateTime.utc()))();
  await rt.scan({ trigger: 'cli', targetFilter: targetId });
  const [inv, history, findings] = await Promise.all([
    rt.stores.inventory.getLatest(targetId),
    rt.stores.inventory.getHistory(targetId),
    rt.stores.findings.listForTarget(targetId),
  ]);
  const u = latestUpgrade(history);
  const relevant = u && (!expectUpgradeAfter || u.firstSeenToAt >= expectUpgradeAfter) ? u : undefined;
  // Only this round's collection counts: a scan that stored nothing (it failed before its commit) leaves the previous
  // round's inventory as the latest, and judging that one could print CONVERGED (exit 0) on data this round never read.
  const fresh = inv !== undefined && DateTime.fromISO(inv.collectedAt, { zone: 'utc' }) >= now;
  const checklist: Checklist = fresh
    ? convergenceChecklist(inv, relevant ?? {})
    : {
        status: 'unknown',
        items: [
          {
            id: 'manager-services',
            title: 'This round’s scan',
            status: 'unknown',
            details: [inv ? `it stored no inventory (the latest is from ${inv.collectedAt}): not judged on old data` : 'no inventory of this target is stored'],
          },
        ],
      };
  const f = findings.find((x) => x.ruleId === UPGRADE_NOT_CONVERGED_RULE && x.status !== 'resolved');
  const end = f?.evidence.windowEndsAt;
  // Waiting for an upgrade (--expect-upgrade) is never "converged" before the upgrade is seen.
  const converged =
    fresh && checklist.status === 'pass' && (!expectUpgradeAfter || relevant !== undefined) && (!relevant || relevant.toVersion === inv?.manager?.version);
  const r: WatchRound = { at: now, checklist, converged };
  if (inv?.manager?.version) r.version = inv.manager.version;
  if (relevant) r.upgrade = relevant;
  if (typeof end === 'string') r.windowEndsAt = end;
  return r;
}

export function registerWatch(program: Command, ctx: CliContext, opts: WatchOptions = {}): void {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  program
    .command('watch')
    .description('during a maintenance window: rescan one target every --every and show the post-upgrade convergence checklist')
    .requiredOption('--target <id|name>', 'the target to watch')
    .addOption(new Option('--every <duration>', 'time between rescans (10s–24h)').default(120_000, '2m').argParser(parseEvery))
    .addOption(
      new Option('--until <converged|instant>', 'stop when converged (exit 0), or at this instant (exit 3 unless converged)')
        .default({ kind: 'converged' }, 'converged')
        .argParser(parseUntil),
    )
    .option('--expect-upgrade', 'the upgrade has not happened yet: converged only after a version change is seen')
    .action(async (o: { target: string; every: number; until: Until; expectUpgrade?: boolean }) => {
      await ctx.withRuntime(async (rt) => {
        const targets = await rt.stores.inventory.listTargets();
        const id = requireTarget(o.target, targets, '--target', 'hcxmon scan stores targets; hcxmon findings lists them');
        const name = targets.find((t) => t.targetId === id)?.targetName ?? id;
        const startedAt = (rt.deps.now ?? (() => DateTime.utc()))().toUTC().toISO()!;
        const tty = !!ctx.io.stdout.isTTY;
        for (let i = 0; i < MAX_ROUNDS; i++) {
          const r = await round(rt, id, o.expectUpgrade ? startedAt : undefined);
          // A terminal gets the checklist redrawn in place; a pipe gets every round appended.
          ctx.io.stdout.write((tty ? '\x1b[2J\x1b[H' : '') + renderRound(name, r));
          if (r.converged) {
            ctx.setExitCode(EXIT_OK);
            return;
          }
          const deadline = o.until.kind === 'time' ? o.until.at : r.windowEndsAt ? DateTime.fromISO(r.windowEndsAt, { zone: 'utc' }) : undefined;
          if (deadline && r.at >= deadline) {
            ctx.io.stderr.write(`not converged by ${deadline.toUTC().toISO()}\n`);
            ctx.setExitCode(EXIT_DEADLINE);
            return;
          }
          await sleep(o.every);
        }
      });
    });
}
