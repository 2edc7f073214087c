import { DateTime } from 'luxon';
import { upgradeSettings } from '../config';
import { resolveQueuedTarget, TargetRefused } from '../collect';
import { MessageRefused } from '../queue';
import { failedOutcome, scanOneTarget, type ScanDeps, type ScanRecord, type TargetScanResult } from '../scan';
import { logSafe } from '../text';
import { followUpScanId, type FollowUpMessage } from './followup';
import { latestUpgrade } from './history';

export interface FollowUpResult {
  /** The stored name of the target (for logs; the message carries none). */
  targetName?: string;
  /** Why nothing was scanned: the upgrade already converged, a newer one replaced it, or this step already ran. */
  skipped?: 'converged' | 'superseded' | 'done';
  scanId: string;
  result?: TargetScanResult;
}

/**
 * One follow-up rescan. The message is checked against storage first (MessageRefused, nothing collected or read
 * beyond the target's history): the target's history must hold the upgrade it names, the step must be one the
 * settings define, and the stored target must be of the kind it names. The rescan is a scan of its own (trigger
 * `followup`, one target, a deterministic id), completed at once; the caller dispatches the alerts it produced.
 */
export async function runFollowUp(deps: ScanDeps, msg: FollowUpMessage): Promise<FollowUpResult> {
  const { stores, config } = deps;
  const now = () => (deps.now ?? (() => DateTime.utc()))();
  const who = logSafe(msg.target.id.slice(0, 120));
  const steps = upgradeSettings(config).followUpMinutes;
  if (msg.step >= steps.length) throw new MessageRefused(`follow-up step ${msg.step} is not configured; message refused`);
  const [summary, history] = await Promise.all([
    stores.inventory.getSummary(msg.target.id),
    stores.inventory.getHistory(msg.target.id),
  ]);
  if (!summary || summary.targetKind !== msg.target.kind)
    throw new MessageRefused(`no stored target ${who}; follow-up message refused`);
  const u = history.upgrades?.find((x) => x.firstSeenToAt === msg.upgradeAt);
  if (!u) throw new MessageRefused(`no upgrade of ${who} was observed at that time; follow-up message refused`);
  const scanId = followUpScanId(msg);
  const targetName = summary.targetName;
  if (u.convergedAt) return { skipped: 'converged', scanId, targetName };
  if (latestUpgrade(history)?.firstSeenToAt !== u.firstSeenToAt) return { skipped: 'superseded', scanId, targetName };
  // The stored name, never the message's.
  const ref = { id: summary.targetId, name: summary.targetName, kind: summary.targetKind };
  let scan = await stores.scans.record(scanId);
  if (scan?.status === 'completed') return { skipped: 'done', scanId, targetName };
  const started = now();
  if (!scan) {
    scan = {
      scanId,
      trigger: 'followup',
      asOf: started.toUTC().toISO()!,
      startedAt: started.toUTC().toISO()!,
      targets: [ref],
      targetFilter: ref.id,
      discoveryErrors: [],
      status: 'running',
    } satisfies ScanRecord;
    await stores.scans.start(scan);
  }
  let result: TargetScanResult;
  try {
    // A stored target was discovered by an earlier scan: under a tenant scope that is the set it may come from.
    const target = resolveQueuedTarget(config, ref, new Set([ref.id]));
    result = await scanOneTarget(deps, { scanId, target, asOf: DateTime.fromISO(scan.asOf, { zone: 'utc' }) });
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err;
    const at = now();
    const outcome = failedOutcome(scanId, ref, at, at, err.message);
    await stores.scans.recordTarget(outcome);
    result = { outcome, findings: [], events: [] };
  }
  await stores.scans.complete(scanId, now().toUTC().toISO()!, scan);
  return { scanId, result, targetName };
}

/**
 * A follow-up message that failed every delivery: its scan row (if the worker got that far) gets a failed outcome and
 * is completed, so no follow-up scan stays `running` for ever. Nothing is collected; the finding keeps its status.
 */
export async function recordFollowUpPoison(deps: ScanDeps, msg: FollowUpMessage): Promise<string | undefined> {
  const { stores } = deps;
  const scanId = followUpScanId(msg);
  const scan = await stores.scans.record(scanId);
  if (!scan || scan.status !== 'running') return undefined;
  const ref = scan.targets[0];
  const at = (deps.now ?? (() => DateTime.utc()))();
  if (!(await stores.scans.getTarget(scanId, ref.id)))
    await stores.scans.recordTarget(
      failedOutcome(scanId, ref, at, at, 'the follow-up rescan failed repeatedly (poison message); its findings keep their last status'),
    );
  await stores.scans.complete(scanId, at.toUTC().toISO()!, scan);
  return scanId;
}
