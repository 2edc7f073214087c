import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { DateTime } from 'luxon';
import type { Config, Env } from './config';
import type { AlertEvent } from './domain/alert';
import type { Evaluation } from './domain/evaluation';
import type { Fact, Finding, Suppression, TargetHistory, UpgradeRecord } from './domain/finding';
import { emptyInventory, type Inventory } from './domain/inventory';
import type { Target, TargetRef } from './domain/target';
import { errorMessage } from './errors';
import { countByStatus, reconcile, type ReconcileResult } from './findings';
import { findingChanges, openBySeverity, scanTotals, type FindingChanges } from './findings/totals';
import { mapPool } from './pool';
import type { LifecycleCatalog } from './rules/lifecycle';
import { ACTIVATION_KEY_RULE } from './rules/licensing';
import type { ConnectorKeyDeadline } from './rules/types';
import { updateHistory, type Stores, type TargetState } from './store';
import type { ScanMessage } from './queue';
import { recordDiscoveryFindings } from './scan-discovery';
import { newUpgrades, upgradeEvent } from './upgrade/events';
import type { ScanRecord, ScanTrigger, TargetLabels, TargetOutcome, TargetScanStatus } from './scan-types';

export type { ScanRecord, ScanTrigger, TargetOutcome, TargetScanStatus } from './scan-types';

export interface RuleEngine {
  catalog: LifecycleCatalog;
  /** Every rule, or only the rules named. */
  evaluate(
    inventory: Inventory,
    ctx: {
      asOf: DateTime;
      history: TargetHistory;
      facts: readonly Fact[];
      connectorKeys?: readonly ConnectorKeyDeadline[];
    },
    only?: readonly string[],
  ): Evaluation[];
  ruleIds(): string[];
  lookup(ruleId: string): { title: string; owner: Record<Target['kind'], 'microsoft' | 'customer'> } | undefined;
}

export interface ScanDeps {
  config: Config;
  env: Env;
  stores: Stores;
  rules: RuleEngine;
  discover(): Promise<{ targets: Target[]; errors: ScanRecord['discoveryErrors']; read?: string[] }>;
  /**
   * `onStats` receives the target's HCX request counts when its collection ends; `signal` aborts when the scan
   * abandons the collection (its budget ran out), so its pending requests end instead of holding connections.
   */
  collect(
    target: Target,
    asOf: DateTime,
    onStats?: (stats: CollectionStats) => void,
    signal?: AbortSignal,
  ): Promise<Inventory>;
  now?: () => DateTime;
  /** Longest one target's collection may take (default TARGET_BUDGET_MS); tests shorten it. */
  targetBudgetMs?: number;
}

/**
 * One target's collection must end well inside host.json's functionTimeout (10 min): the queue sends one message
 * per target, so a slow target is recorded `failed` with a clear message (its findings keep their last status)
 * instead of the host killing the invocation and redelivering it until it turns poison. 8 min leaves 2 min for
 * the Table writes. Each HCX request is bounded by HCXMON_HTTP_TIMEOUT_MS anyway; this bounds their sum.
 */
export const TARGET_BUDGET_MS = 8 * 60_000;

/** A private cloud whose HCX enterprise sites hand activation keys to on-premises Connectors. */
function consumesActivationKeys(inv: Inventory): boolean {
  return (
    inv.target.kind === 'avs-private-cloud' &&
    (inv.arm?.enterpriseSites ?? []).some((s) => s.keyLast4 && /consumed/i.test(s.status ?? ''))
  );
}

/**
 * The activation-key deadlines dated on the Connectors monitored here, from their stored findings (one query):
 * a cloud-side key consumed by one of them takes that Connector's date (its latest stored scan's).
 */
async function connectorKeyDeadlines(stores: Stores): Promise<ConnectorKeyDeadline[]> {
  return keyDeadlinesOf(
    await stores.findings.queryAll({ ruleId: ACTIVATION_KEY_RULE, status: ['open', 'unknown', 'suppressed'] }),
  );
}

/** This run's Connector verdicts win over what an earlier scan stored for the same Connector. */
function mergeKeyDeadlines(fresh: ConnectorKeyDeadline[], stored: ConnectorKeyDeadline[]): ConnectorKeyDeadline[] {
  const seen = new Set(fresh.map((k) => k.targetId));
  return [...fresh, ...stored.filter((k) => !seen.has(k.targetId))];
}

function keyDeadlinesOf(findings: readonly Finding[]): ConnectorKeyDeadline[] {
  const out: ConnectorKeyDeadline[] = [];
  for (const f of findings) {
    if (f.ruleId !== ACTIVATION_KEY_RULE || f.status === 'resolved') continue;
    const keyLast4 = f.evidence.keyLast4;
    if (f.targetKind !== 'hcx-connector' || !f.deadline || typeof keyLast4 !== 'string') continue;
    out.push({ targetId: f.targetId, targetName: f.targetName, keyLast4, deadline: f.deadline });
  }
  return out;
}

export class TargetBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(
      `collection did not finish within the per-target budget of ${Math.round(budgetMs / 1000)} s (kept below the 10-minute Functions timeout); the target's findings keep their last status`,
    );
    this.name = 'TargetBudgetExceeded';
  }
}

/** Runs `work` with a budget; past it, the work is aborted (not just abandoned) and the budget error returned. */
function withinBudget<T>(work: (signal: AbortSignal) => Promise<T>, budgetMs: number): Promise<T> {
  const abandon = new AbortController();
  // Every queued and in-flight request of the target listens to it (each removes its listener when it settles).
  setMaxListeners(1024, abandon.signal);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TargetBudgetExceeded(budgetMs);
      abandon.abort(err);
      reject(err);
    }, budgetMs);
  });
  return Promise.race([work(abandon.signal), limit]).finally(() => clearTimeout(timer));
}

export interface ScanOptions {
  trigger: ScanTrigger;
  /** Evaluation instant; now when absent. */
  asOf?: DateTime;
  /** Scan only targets whose id or name matches. */
  targetFilter?: string;
  /** false: evaluate and reconcile in memory only ("what if", e.g. --as-of in the future); nothing is written. */
  persist?: boolean;
  concurrency?: number;
  onTargetDone?: (outcome: TargetOutcome) => void;
  onStart?: (targets: TargetRef[]) => void;
}

export interface TargetScanResult {
  outcome: TargetOutcome;
  /** Every finding of the target after the scan. */
  findings: Finding[];
  events: AlertEvent[];
  /** true when a redelivered message found the work already done. */
  skipped?: boolean;
  /** This scan saw the manager's version change (issue 16): follow-up rescans verify convergence. */
  upgrade?: UpgradeRecord;
}

export interface ScanResult {
  scan: ScanRecord;
  targets: TargetScanResult[];
}

export function nowOf(deps: Pick<ScanDeps, 'now'>): DateTime {
  return (deps.now ?? (() => DateTime.utc()))();
}

export function newScanId(at: DateTime): string {
  return `${at.toUTC().toFormat("yyyyLLdd'T'HHmmss")}-${randomUUID().slice(0, 8)}`;
}

function statusOf(inv: Inventory): TargetScanStatus {
  const reach = inv.reachability.hybridity;
  if (reach && !reach.ok) return 'unreachable';
  if (inv.issues.length > 0) return 'partial';
  return 'ok';
}

function labelEntry(id: string, arm: NonNullable<Target['arm']>): [string, TargetLabels][] {
  const l: TargetLabels = {};
  if (arm.tenantId) l.tenantId = arm.tenantId;
  if (arm.delegated) l.delegated = true;
  if (arm.sku) l.sku = arm.sku;
  return Object.keys(l).length > 0 ? [[id, l]] : [];
}

/** A queued target rebuilt from its id gets the labels discovery gave it in this scan (its scan row's). */
export function withScanLabels(target: Target, scan: Pick<ScanRecord, 'targetLabels'>): Target {
  const l = scan.targetLabels?.[target.id];
  if (!l || !target.arm) return target;
  return { ...target, arm: { ...target.arm, ...l } };
}

/** Discovers the targets and writes the scan row (the timer's and POST /scans' first step). */
export async function startScan(
  deps: ScanDeps,
  opts: Pick<ScanOptions, 'trigger' | 'asOf' | 'targetFilter' | 'persist'> & {
    /**
     * Leave a scan without targets running: the caller completes it (judging the missed targets and discovery)
     * instead of it being completed at once with nothing judged.
     */
    holdEmpty?: boolean;
  },
): Promise<{ scan: ScanRecord; targets: Target[] }> {
  const started = nowOf(deps);
  const asOf = opts.asOf ?? started;
  const discovered = await deps.discover();
  const filter = opts.targetFilter?.toLowerCase();
  const targets = filter
    ? discovered.targets.filter((t) => t.id.toLowerCase() === filter || t.name.toLowerCase() === filter)
    : discovered.targets;
  const scan: ScanRecord = {
    scanId: newScanId(started),
    trigger: opts.trigger,
    asOf: asOf.toUTC().toISO()!,
    startedAt: started.toUTC().toISO()!,
    targets: targets.map((t) => ({ id: t.id, name: t.name, kind: t.kind })),
    discoveryErrors: discovered.errors,
    status: targets.length === 0 && !opts.holdEmpty ? 'completed' : 'running',
  };
  if (opts.targetFilter) scan.targetFilter = opts.targetFilter;
  if (discovered.read) scan.discoveryRead = discovered.read;
  const labels = Object.fromEntries(targets.flatMap((t) => (t.arm ? labelEntry(t.id, t.arm) : [])));
  if (Object.keys(labels).length > 0) scan.targetLabels = labels;
  if (scan.status === 'completed') scan.completedAt = scan.startedAt;
  if (opts.persist !== false) await deps.stores.scans.start(scan);
  return { scan, targets };
}

/** Per-interface transport counters of one collection (hybridity and 9443). */
export interface CollectionStats {
  hybridity?: { requests: number; retries: number; retryAfterWaits: number; waitedMs: number };
  appliance?: { requests: number; retries: number; retryAfterWaits: number; waitedMs: number };
}

function sumStats(st: CollectionStats): NonNullable<TargetOutcome['http']> {
  const parts = [st.hybridity, st.appliance].filter((p): p is NonNullable<typeof p> => p !== undefined);
  return {
    requests: parts.reduce((n, p) => n + p.requests, 0),
    retries: parts.reduce((n, p) => n + p.retries, 0),
    retryAfterWaits: parts.reduce((n, p) => n + p.retryAfterWaits, 0),
    waitedMs: Math.round(parts.reduce((n, p) => n + p.waitedMs, 0)),
  };
}

/**
 * Timer and POST /api/scans: start the scan, then one queue message per target (scanTarget fans out). A scan of the
 * whole estate that found no target (discovery failed, or nothing is there) is left running: no message will ever
 * complete it, so the caller must (lib/runtime completes it at once, and completeStalledScans retries) — completing
 * it here would skip the missed-target and discovery judgement, and leave every cloud its last state.
 */
export async function enqueueScan(
  deps: ScanDeps,
  queue: { send(messages: ScanMessage[]): Promise<void> },
  opts: Pick<ScanOptions, 'trigger' | 'asOf' | 'targetFilter'>,
): Promise<{ scan: ScanRecord; targets: Target[] }> {
  const started = await startScan(deps, { ...opts, holdEmpty: !opts.targetFilter });
  const expected = started.targets.length;
  await queue.send(
    started.scan.targets.map((target) => ({ scanId: started.scan.scanId, asOf: started.scan.asOf, target, expected })),
  );
  return started;
}

/**
 * One target end to end: collect → evaluate → reconcile → persist. Idempotent per (scan, target): a redelivered
 * queue message finds the outcome already recorded and changes nothing. Never throws for the target's own
 * failures: they become a `failed` outcome (and the target's findings keep their status — never resolved by it).
 */
export async function scanOneTarget(
  deps: ScanDeps,
  args: {
    scanId: string;
    target: Target;
    asOf: DateTime;
    persist?: boolean;
    /** The caller created this scan in this process (runScan): no earlier delivery can have recorded it. */
    fresh?: boolean;
    /** Suppressions already read for this scan (runScan reads them once instead of once per target). */
    suppressions?: Suppression[];
    /** This target's facts, already read for this scan (runScan reads every target's facts at once). */
    facts?: Fact[];
    /**
     * Connector key deadlines, asked for only by a private cloud that consumes a key: runScan's one shared read
     * (this run's Connectors first, then the stored ones); else the target reads the stored ones itself.
     */
    connectorKeys?: () => Promise<readonly ConnectorKeyDeadline[]>;
    /** The caller records the outcome itself (runScan writes them in batches); the queue path writes its own. */
    deferOutcome?: boolean;
  },
): Promise<TargetScanResult> {
  const persist = args.persist !== false;
  const { target } = args;
  const { stores } = deps;
  const ref: TargetRef = { id: target.id, name: target.name, kind: target.kind };
  if (persist && !args.fresh) {
    const done = await stores.scans.getTarget(args.scanId, target.id);
    if (done)
      return { outcome: done, findings: await stores.findings.listForTarget(target.id), events: [], skipped: true };
  }
  const started = nowOf(deps);
  const asOfIso = args.asOf.toUTC().toISO()!;
  let result: TargetScanResult;
  try {
    let http: TargetOutcome['http'];
    const inventory = await withinBudget(
      (signal) => deps.collect(target, args.asOf, (st) => (http = sumStats(st)), signal),
      deps.targetBudgetMs ?? TARGET_BUDGET_MS,
    );
    const [facts, suppressions, connectorKeys] = await Promise.all([
      args.facts ?? stores.facts.list(target.id),
      args.suppressions ?? stores.suppressions.list({ activeAt: asOfIso }),
      !consumesActivationKeys(inventory) ? [] : (args.connectorKeys?.() ?? connectorKeyDeadlines(stores)),
    ]);
    let changes: FindingChanges | undefined;
    const compute = (state: TargetState): ReconcileResult => {
      // Rules judge the version they see now, so this scan's observation joins the history first.
      const history: TargetHistory = updateHistory(state.history, inventory);
      const evaluations = deps.rules.evaluate(inventory, { asOf: args.asOf, history, facts, connectorKeys });
      const result = reconcile({
        target: ref,
        asOf: args.asOf,
        evaluations,
        stored: state.findings,
        suppressions,
        rules: (id) => deps.rules.lookup(id),
        scanId: args.scanId,
        evaluatedRuleIds: deps.rules.ruleIds(),
      });
      // Against the state this (possibly retried) commit read, so a retry counts the changes once.
      changes = findingChanges(state.findings, result.all);
      return result;
    };
    let rec: ReconcileResult;
    let upgrade: UpgradeRecord | undefined;
    if (persist) {
      // One partition read and one transaction: findings + outbox + latest + snapshot + history + pruning.
      rec = await stores.targetScans.commit({
        targetId: target.id,
        inventory,
        scanId: args.scanId,
        historyDays: deps.config.historyDays,
        compute,
        // An observed upgrade is an info alert event, stored with the history that records it.
        historyEvents: (before, after) => {
          upgrade = newUpgrades(before, after)[0];
          return upgrade ? [upgradeEvent(ref, upgrade)] : [];
        },
      });
      if (rec.matchedSuppressionIds.length) await stores.suppressions.markMatched(rec.matchedSuppressionIds, asOfIso);
    } else {
      rec = compute(await stores.targetScans.read(target.id));
    }
    const counts = countByStatus(rec.all);
    const finished = nowOf(deps);
    const outcome: TargetOutcome = {
      scanId: args.scanId,
      targetId: target.id,
      targetName: target.name,
      targetKind: target.kind,
      status: statusOf(inventory),
      startedAt: started.toUTC().toISO()!,
      finishedAt: finished.toUTC().toISO()!,
      durationMs: Math.max(0, finished.toMillis() - started.toMillis()),
      counts: { open: counts.open, unknown: counts.unknown, suppressed: counts.suppressed, resolved: counts.resolved },
      openBySeverity: openBySeverity(rec.all),
      issues: inventory.issues.map((i) => `${i.call}: ${i.errorClass}`),
    };
    if (changes) outcome.changes = changes;
    if (http) outcome.http = http;
    if (inventory.manager?.version) outcome.hcxVersion = inventory.manager.version;
    const down = inventory.reachability.hybridity;
    if (down && !down.ok) {
      outcome.errorClass = down.errorClass;
      if (down.message) outcome.message = down.message;
    }
    result = { outcome, findings: rec.all, events: upgrade ? [...rec.events, upgradeEvent(ref, upgrade)] : rec.events };
    if (upgrade) result.upgrade = upgrade;
  } catch (err) {
    const finished = nowOf(deps);
    result = {
      outcome: failedOutcome(args.scanId, ref, started, finished, errorMessage(err)),
      findings: persist ? await stores.findings.listForTarget(target.id).catch(() => []) : [],
      events: [],
    };
  }
  if (persist && !args.deferOutcome) await stores.scans.recordTarget(result.outcome);
  return result;
}

export function failedOutcome(
  scanId: string,
  target: TargetRef,
  started: DateTime,
  finished: DateTime,
  message: string,
): TargetOutcome {
  return {
    scanId,
    targetId: target.id,
    targetName: target.name,
    targetKind: target.kind,
    status: 'failed',
    startedAt: started.toUTC().toISO()!,
    finishedAt: finished.toUTC().toISO()!,
    durationMs: Math.max(0, finished.toMillis() - started.toMillis()),
    counts: { open: 0, unknown: 0, suppressed: 0, resolved: 0 },
    issues: [],
    message,
  };
}

/** The rule that speaks for targets a scan did not reach. */
export const STALE_RULE_ID = 'hcx-scan-stale';

/**
 * Targets stored by earlier scans that this scan did not reach (their subscription could not be listed, or they
 * left the configuration) would otherwise keep their last findings silently: hcx-scan-stale is evaluated for them
 * — fail closed — and nothing else about them changes.
 */
export async function evaluateMissedTargets(deps: ScanDeps, scan: ScanRecord): Promise<TargetRef[]> {
  const inScan = new Set(scan.targets.map((t) => t.id));
  const missed = (await deps.stores.inventory.listTargets()).filter((t) => !inScan.has(t.targetId));
  const asOf = DateTime.fromISO(scan.asOf, { zone: 'utc' });
  const refs: TargetRef[] = missed.map((t) => ({ id: t.targetId, name: t.targetName, kind: t.targetKind }));
  for (const ref of refs) {
    const history = await deps.stores.inventory.getHistory(ref.id);
    // Nothing was collected for it this time: an empty inventory says exactly that.
    const evaluations = deps.rules.evaluate(emptyInventory(ref, scan.asOf), { asOf, history, facts: [] }, [
      STALE_RULE_ID,
    ]);
    await deps.stores.findings.saveReconciled(ref.id, (stored) =>
      reconcile({
        target: ref,
        asOf,
        evaluations,
        stored,
        suppressions: [],
        rules: (id) => deps.rules.lookup(id),
        scanId: scan.scanId,
        evaluatedRuleIds: [STALE_RULE_ID],
      }),
    );
  }
  // The scopes discovery could not read are findings of their own (issue 15), opened and resolved here too.
  await recordDiscoveryFindings(deps.stores, scan);
  return refs;
}

/**
 * Target outcomes of an in-process scan, written ≤ 100 per transaction (one scan is one partition) as they
 * accumulate instead of one request per target. A failed write keeps them pending for the next flush.
 */
class OutcomeWriter {
  private pending: TargetOutcome[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stores: Stores,
    private readonly persist: boolean,
  ) {}

  async add(outcome: TargetOutcome): Promise<void> {
    if (!this.persist) return;
    this.pending.push(outcome);
    if (this.pending.length >= 100) await this.flush().catch(() => undefined);
  }

  /** Writes what is pending; serialised so a batch is never written twice or lost between two flushes. */
  flush(): Promise<void> {
    const next = this.writing
      .catch(() => undefined)
      .then(async () => {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.stores.scans.recordTargets(batch);
        } catch (err) {
          this.pending = [...batch, ...this.pending];
          throw err;
        }
      });
    this.writing = next;
    return next;
  }
}

/** The in-process run the CLI uses: start, then every target through a bounded pool, then complete. */
export async function runScan(deps: ScanDeps, opts: ScanOptions): Promise<ScanResult> {
  const persist = opts.persist !== false;
  const { scan, targets } = await startScan(deps, opts);
  opts.onStart?.(scan.targets);
  const asOf = DateTime.fromISO(scan.asOf, { zone: 'utc' });
  const [suppressions, facts] =
    targets.length > 0
      ? await Promise.all([deps.stores.suppressions.list({ activeAt: scan.asOf }), deps.stores.facts.listAll()])
      : [[], new Map<string, Fact[]>()];
  const outcomes = new OutcomeWriter(deps.stores, persist);
  const scanPool = (list: Target[], connectorKeys?: () => Promise<readonly ConnectorKeyDeadline[]>) =>
    mapPool(list, opts.concurrency ?? deps.config.concurrency, async (target) => {
      const r = await scanOneTarget(deps, {
        scanId: scan.scanId,
        target,
        asOf,
        persist,
        fresh: true,
        suppressions,
        facts: facts.get(target.id) ?? [],
        deferOutcome: true,
        connectorKeys,
      });
      await outcomes.add(r.outcome);
      opts.onTargetDone?.(r.outcome);
      return r;
    });
  // Connectors first: a private cloud's enterprise-site key used by one of them takes the date this very run
  // gives it (a fact set just before `hcxmon scan`, or a planning --as-of that stores nothing).
  const connectors = targets.filter((t) => t.kind === 'hcx-connector');
  const clouds = targets.filter((t) => t.kind !== 'hcx-connector');
  const firstRound = await scanPool(connectors);
  const thisRun = firstRound.flatMap((r) => (r.status === 'fulfilled' ? keyDeadlinesOf(r.value.findings) : []));
  // One store read for the whole run, and only if some cloud consumes a key.
  let keys: Promise<readonly ConnectorKeyDeadline[]> | undefined;
  const secondRound = await scanPool(
    clouds,
    () => (keys ??= connectorKeyDeadlines(deps.stores).then((stored) => mergeKeyDeadlines(thisRun, stored))),
  );
  const byTarget = new Map<Target, (typeof firstRound)[number]>();
  connectors.forEach((t, i) => byTarget.set(t, firstRound[i]));
  clouds.forEach((t, i) => byTarget.set(t, secondRound[i]));
  const settled = targets.map((t) => byTarget.get(t)!);
  const results = settled.map((s, i) => {
    if (s.status === 'fulfilled') return s.value;
    // Only storage failures get here (scanOneTarget absorbs the target's own): report, never hide.
    const t = targets[i];
    const now = nowOf(deps);
    return {
      outcome: failedOutcome(scan.scanId, t, now, now, errorMessage(s.reason)),
      findings: [],
      events: [],
    };
  });
  for (let i = 0; i < settled.length; i++) if (settled[i].status === 'rejected') await outcomes.add(results[i].outcome);
  // Outcomes a storage outage kept from being written go now; if storage is still down the scan fails loudly.
  await outcomes.flush();
  if (persist && !scan.targetFilter) await evaluateMissedTargets(deps, scan);
  if (persist && targets.length > 0) {
    const completedAt = nowOf(deps).toUTC().toISO()!;
    const totals = scanTotals(results.map((r) => r.outcome));
    await deps.stores.scans.complete(scan.scanId, completedAt, scan, totals);
    scan.status = 'completed';
    scan.completedAt = completedAt;
    scan.totals = totals;
  }
  return { scan, targets: results };
}
