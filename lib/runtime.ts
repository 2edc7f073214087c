import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import { DateTime } from 'luxon';
import { HOST_STORAGE_SETTING, loadConfig, upgradeSettings, type Config, type Env } from './config';
import { scanTotals } from './findings/totals';
import { createAlertDispatcher, type AlertDispatcher, type DispatchReport } from './alerts';
import {
  collectInventory,
  discoverEstate,
  resolveQueuedTarget,
  TargetRefused,
  type ArmClientFactory,
  type ArmRest,
} from './collect';
import type { Fact, FactName, Suppression } from './domain/finding';
import type { Target, TargetRef } from './domain/target';
import { NotFoundError } from './errors';
import { isSuppressionActive, staleSuppressions } from './findings';
import { MessageRefused, queueClient, ScanQueue, SCAN_QUEUE, type QueueConnection, type ScanMessage } from './queue';
import { defaultRuleContext, evaluateTarget, ruleById, RULES } from './rules';
import { DEFAULT_CATALOG } from './rules/lifecycle';
import {
  failedOutcome,
  enqueueScan,
  evaluateMissedTargets,
  runScan,
  scanOneTarget,
  withScanLabels,
  type RuleEngine,
  type ScanDeps,
  type ScanOptions,
  type ScanRecord,
  type ScanResult,
  type ScanTrigger,
  type TargetScanResult,
} from './scan';
import { createStores, type Stores } from './store';
import { FOLLOWUP_QUEUE, FollowUpQueue, followUpMessages, type FollowUpMessage } from './upgrade/followup';
import { latestUpgrade } from './upgrade/history';
import { recordFollowUpPoison, runFollowUp, type FollowUpResult } from './upgrade/rescan';
import { logSafe } from './text';

export type SuppressionState = 'active' | 'expired' | 'stale';

/** Everything one process needs, built once (a Function instance's cold start, a CLI run, a local host). */
export interface Runtime {
  config: Config;
  env: Env;
  stores: Stores;
  deps: ScanDeps;
  dispatcher: AlertDispatcher;
  /** In-process scan (CLI, demo); persists and pages unless `persist: false`. */
  scan(opts: ScanOptions): Promise<ScanResult & { alerts?: string }>;
  /** Timer / POST /api/scans: discover, write the scan row, one queue message per target. */
  /** A scan of the whole estate that found no target is completed here (missed targets, discovery, heartbeat). */
  enqueueScan(
    trigger: ScanTrigger,
    opts?: { asOf?: DateTime; targetFilter?: string },
  ): Promise<{ scan: ScanRecord; targets: Target[] }>;
  /** The fan-out queue (created on first use). */
  scanQueue(): ScanQueue;
  /** Throws MessageRefused (nothing collected or written) unless the message's scan row is running and lists its target. */
  processScanMessage(msg: ScanMessage): Promise<TargetScanResult>;
  /** The follow-up rescans queue (issue 16; created on first use). */
  followUpQueue(): FollowUpQueue;
  /** One follow-up rescan after an observed upgrade; MessageRefused unless the target's history holds that upgrade. */
  processFollowUpMessage(msg: FollowUpMessage): Promise<FollowUpResult>;
  /** A follow-up that failed every delivery: its scan row, if any, ends failed instead of running for ever. */
  recordFollowUpPoison(msg: FollowUpMessage): Promise<string | undefined>;
  /** The same check as processScanMessage: a poison message for work no scan row holds records nothing. */
  recordPoison(msg: ScanMessage): Promise<void>;
  dispatchAlerts(): Promise<DispatchReport>;
  /** Completes queued scans whose every target reported but whose count was lost; returns how many it looked at. */
  completeStalledScans(olderThanMinutes?: number): Promise<number>;
  addSuppression(input: Omit<Suppression, 'id' | 'createdAt' | 'lastMatchedAt'>): Promise<Suppression>;
  listSuppressions(): Promise<(Suppression & { state: SuppressionState })[]>;
  expireSuppression(id: string): Promise<Suppression>;
  removeSuppression(id: string): Promise<void>;
  /** Deletes a decommissioned target's findings, inventory and facts (else a target no scan reaches turns stale). */
  forgetTarget(targetId: string): Promise<{ findings: number; inventory: number; facts: number }>;
  setFact(input: {
    targetId: string;
    subjectId?: string;
    name: FactName;
    value: string;
    setBy: string;
    source?: string;
  }): Promise<Fact>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  env?: Env;
  config?: Config;
  /** Connection string of an Azurite the caller started, used when no storage is configured. */
  embeddedConnectionString?: string;
  /** Table-name prefix (tests isolate themselves with it). */
  tablePrefix?: string;
  queueName?: string;
  armClients?: ArmClientFactory;
  /** ARM REST client for Resource Graph and the subscription list (tests shorten its retries). */
  armRest?: ArmRest;
  credential?: TokenCredential;
  now?: () => DateTime;
  /** Follow-up queue name and delay mapping (tests shorten minutes to seconds or to none). */
  followUpQueueName?: string;
  followUpDelaySeconds?: (minutes: number) => number;
  /** Extra pipeline policies on every table client (benchmarks count Table requests with one). */
  tablePolicies?: PipelinePolicy[];
}

export function ruleEngine(config: Config): RuleEngine {
  const settings = {
    baselineVersion: config.baselineVersion,
    extensionMaxDays: config.extensionMaxDays,
    scanPeriodHours: config.scanPeriodHours,
    upgradeWindowHours: upgradeSettings(config).windowHours,
  };
  const ids = RULES.map((r) => r.id);
  return {
    catalog: DEFAULT_CATALOG,
    evaluate: (inventory, c, only) =>
      evaluateTarget(
        inventory,
        defaultRuleContext({ asOf: c.asOf, facts: c.facts, history: c.history, connectorKeys: c.connectorKeys, settings }),
        only ? RULES.filter((r) => only.includes(r.id)) : RULES,
      ),
    ruleIds: () => ids,
    lookup: (id) => ruleById(id),
  };
}

/** The queue the Functions trigger reads: the host storage (AzureWebJobsStorage), else our own storage. */
function queueConnection(
  config: Config,
  env: Env,
  embedded: string | undefined,
  credential: () => TokenCredential,
): QueueConnection {
  const host = env[HOST_STORAGE_SETTING];
  if (host) return { kind: 'connectionString', connectionString: host };
  const uri = env[`${HOST_STORAGE_SETTING}__queueServiceUri`];
  if (uri) return { kind: 'identity', queueServiceUri: uri, credential: credential() };
  if (config.storage.kind === 'connectionString')
    return { kind: 'connectionString', connectionString: config.storage.connectionString };
  if (config.storage.kind === 'identity')
    return { kind: 'identity', queueServiceUri: config.storage.queueServiceUri, credential: credential() };
  if (embedded) return { kind: 'connectionString', connectionString: embedded };
  throw new NotFoundError('no queue storage configured (AzureWebJobsStorage)');
}

export function suppressionState(s: Suppression, asOf: string, stale: Set<string>): SuppressionState {
  if (!isSuppressionActive(s, asOf)) return 'expired';
  return stale.has(s.id) ? 'stale' : 'active';
}

export function createRuntime(opts: RuntimeOptions = {}): Runtime {
  const env = opts.env ?? process.env;
  const config = opts.config ?? loadConfig(env);
  const now = opts.now ?? (() => DateTime.utc());
  let credential: TokenCredential | undefined = opts.credential;
  const lazyCredential = (): TokenCredential => (credential ??= new DefaultAzureCredential());
  const stores = createStores(config.storage, {
    embeddedConnectionString: opts.embeddedConnectionString,
    tablePrefix: opts.tablePrefix,
    credential: opts.credential,
    policies: opts.tablePolicies,
  });
  const deps: ScanDeps = {
    config,
    env,
    stores,
    rules: ruleEngine(config),
    discover: () => discoverEstate(config, { armClients: opts.armClients, rest: opts.armRest }),
    collect: (target, asOf, onStats, signal) =>
      collectInventory(target, { config, env, asOf: asOf.toJSDate(), armClients: opts.armClients, armRest: opts.armRest, onStats, signal }),
    now,
  };
  const dispatcher = createAlertDispatcher(config, stores.outbox, { credential: opts.credential });
  let queue: ScanQueue | undefined;
  const scanQueue = (): ScanQueue =>
    (queue ??= new ScanQueue(
      queueClient(
        queueConnection(config, env, opts.embeddedConnectionString, lazyCredential),
        opts.queueName ?? SCAN_QUEUE,
      ),
    ));

  let followUps: FollowUpQueue | undefined;
  const followUpQueue = (): FollowUpQueue =>
    (followUps ??= new FollowUpQueue(
      queueClient(
        queueConnection(config, env, opts.embeddedConnectionString, lazyCredential),
        opts.followUpQueueName ?? FOLLOWUP_QUEUE,
      ),
      opts.followUpDelaySeconds,
    ));
  /** An observed upgrade queues its follow-up rescans (HCXMON_UPGRADE_FOLLOWUP_MINUTES). */
  const queueFollowUps = async (r: TargetScanResult, ref: TargetRef): Promise<void> => {
    let u = r.upgrade;
    // A redelivered scan message (its first delivery committed the scan, then failed before or while queueing the
    // follow-ups) finds its outcome recorded and skips the scan: the upgrade that scan recorded — first seen inside
    // that outcome's run — still gets its follow-ups. Sending them again is harmless: each has a deterministic scan id.
    if (!u && r.skipped && r.outcome.status !== 'failed') {
      const latest = latestUpgrade(await stores.inventory.getHistory(ref.id));
      const seen = latest && DateTime.fromISO(latest.firstSeenToAt, { zone: 'utc' });
      const from = DateTime.fromISO(r.outcome.startedAt, { zone: 'utc' });
      const to = DateTime.fromISO(r.outcome.finishedAt, { zone: 'utc' });
      if (latest && seen && !latest.convergedAt && seen >= from && seen <= to) u = latest;
    }
    if (u) await followUpQueue().send(followUpMessages(ref, u, upgradeSettings(config).followUpMinutes));
  };

  /**
   * Scan rows messages were checked against. A row's targets and asOf never change once written, and a running scan
   * that completes meanwhile has an outcome for every target it lists (a message for one of them is then skipped).
   */
  const runningScans = new Map<string, ScanRecord>();

  /**
   * The scan a queue message belongs to, from storage: whoever can write to the queue chooses the message, so it may
   * only point at work the timer or POST /api/scans started. The row must exist, be running and list the target;
   * the worker then takes asOf, the target's name and the target count from the row, never from the message.
   */
  async function scanOf(msg: ScanMessage): Promise<{ scan: ScanRecord; ref: TargetRef }> {
    const scanId = logSafe(msg.scanId.slice(0, 80));
    let scan = runningScans.get(msg.scanId);
    if (!scan) {
      scan = await stores.scans.record(msg.scanId);
      if (!scan) throw new MessageRefused(`no scan ${scanId} was started; message refused`);
      if (scan.status !== 'running') throw new MessageRefused(`scan ${scanId} is ${scan.status}; message refused`);
      runningScans.set(msg.scanId, scan);
      if (runningScans.size > 16) runningScans.delete(runningScans.keys().next().value!);
    }
    const ref = scan.targets.find((t) => t.id === msg.target.id && t.kind === msg.target.kind);
    if (!ref) {
      throw new MessageRefused(`scan ${scanId} does not cover ${logSafe(msg.target.id.slice(0, 120))}; message refused`);
    }
    return { scan, ref };
  }

  /** When the last target of a queued scan reports, the scan is completed and the heartbeat sent. */
  /**
   * After a message recorded its target: one keys-only count, and only the worker that sees every target reported
   * reads the outcome rows (reading them on every message made a 1000-target scan quadratic).
   */
  async function countAndComplete(scanId: string, expected?: number): Promise<void> {
    const [reported, total] = await Promise.all([
      stores.scans.countTargets(scanId),
      expected ?? stores.scans.expectedTargets(scanId),
    ]);
    if (total !== undefined && reported >= total) await completeIfDone(scanId);
  }

  async function completeIfDone(scanId: string): Promise<void> {
    const s = await stores.scans.get(scanId);
    if (!s || s.scan.status === 'completed') return;
    const done = new Set(s.targets.map((t) => t.targetId));
    if (!s.scan.targets.every((t) => done.has(t.id))) return;
    const completedAt = now().toUTC().toISO()!;
    if (!s.scan.targetFilter) await evaluateMissedTargets(deps, s.scan);
    await stores.scans.complete(scanId, completedAt, undefined, scanTotals(s.targets));
    await dispatcher.recordScanCompleted({
      scanId,
      completedAt,
      targets: s.scan.targets.length,
      failedTargets: s.targets.filter((t) => t.status === 'failed' || t.status === 'unreachable').length,
    });
    await dispatchAndRecord(scanId);
  }

  async function dispatchAndRecord(scanId: string): Promise<DispatchReport> {
    const report = await dispatcher.dispatch();
    const { configured, sent, skipped, failed, remaining } = report;
    await stores.scans.recordAlerts(scanId, { configured, sent, skipped, failed, remaining });
    return report;
  }

  const rt: Runtime = {
    config,
    env,
    stores,
    deps,
    dispatcher,
    async scan(o) {
      const result = await runScan(deps, o);
      if (o.persist === false) return result;
      const failed = result.targets.filter(
        (t) => t.outcome.status === 'failed' || t.outcome.status === 'unreachable',
      ).length;
      await dispatcher.recordScanCompleted({
        scanId: result.scan.scanId,
        completedAt: result.scan.completedAt ?? now().toUTC().toISO()!,
        targets: result.targets.length,
        failedTargets: failed,
      });
      const report = await dispatchAndRecord(result.scan.scanId);
      result.scan.alerts = {
        configured: report.configured,
        sent: report.sent,
        skipped: report.skipped,
        failed: report.failed,
        remaining: report.remaining,
      };
      const alerts = report.configured
        ? `alerts: ${report.sent} sent, ${report.skipped} below ${config.alert.minSeverity}, ${report.failed} failed; ${report.remaining} waiting in the outbox`
        : `alerts: no HCXMON_ALERT_ENDPOINT set; ${report.remaining} alert event(s) kept in the outbox`;
      return { ...result, alerts };
    },
    async enqueueScan(trigger, o = {}) {
      const started = await enqueueScan(deps, scanQueue(), { trigger, ...o });
      // No message will report for it: complete it now, with the same work as the last message's (if this fails, the
      // row stays running and completeStalledScans completes it).
      if (started.targets.length === 0 && started.scan.status === 'running') {
        await completeIfDone(started.scan.scanId);
        const done = await stores.scans.record(started.scan.scanId);
        if (done) started.scan = done;
      }
      return started;
    },
    scanQueue,
    async processScanMessage(msg) {
      const { scan, ref } = await scanOf(msg);
      let target;
      try {
        // Tenant / management-group scope: the cloud must be one this scan discovered — the scan row the message was
        // checked against lists exactly those.
        const discovered =
          (config.discoveryScope?.kind ?? 'subscriptions') === 'subscriptions'
            ? undefined
            : new Set(scan.targets.map((t) => t.id));
        // Discovery's labels (Lighthouse tenant, SKU) come from the scan row too, never from the message.
        target = withScanLabels(resolveQueuedTarget(config, ref, discovered), scan);
      } catch (err) {
        if (!(err instanceof TargetRefused)) throw err;
        const at = now();
        const outcome = failedOutcome(scan.scanId, ref, at, at, err.message);
        await stores.scans.recordTarget(outcome);
        await countAndComplete(scan.scanId, scan.targets.length);
        return { outcome, findings: [], events: [] };
      }
      const r = await scanOneTarget(deps, {
        scanId: scan.scanId,
        target,
        asOf: DateTime.fromISO(scan.asOf, { zone: 'utc' }),
      });
      if (!r.skipped) await countAndComplete(scan.scanId, scan.targets.length);
      await queueFollowUps(r, ref);
      return r;
    },
    followUpQueue,
    recordFollowUpPoison: (msg) => recordFollowUpPoison(deps, msg),
    async processFollowUpMessage(msg) {
      const done = await runFollowUp(deps, msg);
      if (done.result) {
        await dispatchAndRecord(done.scanId);
        // A follow-up that saw yet another version change starts that upgrade's own follow-ups.
        const o = done.result.outcome;
        await queueFollowUps(done.result, { id: o.targetId, name: o.targetName, kind: o.targetKind });
      }
      return done;
    },
    async recordPoison(msg) {
      const { scan, ref } = await scanOf(msg);
      const existing = await stores.scans.getTarget(scan.scanId, ref.id);
      if (!existing) {
        const at = now();
        await stores.scans.recordTarget(
          failedOutcome(
            scan.scanId,
            ref,
            at,
            at,
            'the scan of this target failed repeatedly (poison message); its findings keep their last status',
          ),
        );
        await countAndComplete(scan.scanId, scan.targets.length);
      } else await completeIfDone(scan.scanId);
    },
    dispatchAlerts: () => dispatcher.dispatch(),
    async completeStalledScans(olderThanMinutes = 30) {
      // A worker that died between recording its outcome and counting it leaves the count one short: the scan
      // would never complete (and the dead-man's switch would page). The 5-minute timer looks at recent running scans.
      const cutoff = now().minus({ minutes: olderThanMinutes }).toUTC().toISO()!;
      const page = await stores.scans.list({ pageSize: 20 });
      const stalled = page.items.filter((x) => x.status === 'running' && x.startedAt < cutoff);
      for (const x of stalled) await completeIfDone(x.scanId);
      return stalled.length;
    },
    async addSuppression(input) {
      return stores.suppressions.create(input, now());
    },
    async listSuppressions() {
      const asOf = now().toUTC().toISO()!;
      const list = await stores.suppressions.list();
      const stale = new Set(staleSuppressions(list, asOf).map((s) => s.id));
      return list.map((s) => ({ ...s, state: suppressionState(s, asOf, stale) }));
    },
    async expireSuppression(id) {
      const s = await stores.suppressions.get(id);
      if (!s) throw new NotFoundError(`no suppression ${id}`);
      const expired = { ...s, expiresAt: now().toUTC().toISO()! };
      await stores.suppressions.put(expired);
      return expired;
    },
    async removeSuppression(id) {
      if (!(await stores.suppressions.delete(id))) throw new NotFoundError(`no suppression ${id}`);
    },
    async forgetTarget(targetId) {
      const [findings, inventory, facts] = await Promise.all([
        stores.findings.deleteTarget(targetId),
        stores.inventory.deleteTarget(targetId),
        stores.facts.deleteTarget(targetId),
      ]);
      if (findings + inventory + facts === 0) throw new NotFoundError(`nothing is stored about target ${targetId}`);
      return { findings, inventory, facts };
    },
    async setFact(input) {
      const fact: Fact = { ...input, setAt: now().toUTC().toISO()! };
      if (fact.subjectId === undefined) delete fact.subjectId;
      if (fact.source === undefined) delete fact.source;
      await stores.facts.set(fact);
      return fact;
    },
    async close() {},
  };
  return rt;
}

let shared: Promise<Runtime> | undefined;

/** The per-process runtime the Functions use (built on the first invocation: the cold start). */
export function getRuntime(): Promise<Runtime> {
  shared ??= Promise.resolve().then(() => createRuntime());
  shared.catch(() => (shared = undefined));
  return shared;
}

/** Tests and the local host replace the shared runtime (e.g. with one bound to their Azurite and lab). */
export function setRuntime(rt: Runtime | undefined): void {
  shared = rt ? Promise.resolve(rt) : undefined;
}
