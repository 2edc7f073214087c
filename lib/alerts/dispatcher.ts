import type { AlertEvent } from '../domain/alert';
import type { Severity } from '../domain/evaluation';
import { errorMessage } from '../errors';
import { scanCompletedRow, shouldPage, toAlertRow, type ScanCompletedInfo } from './rows';
import type {
  AlertLogger,
  AlertRow,
  AlertSink,
  DispatchReport,
  OutboxEntry,
  OutboxKey,
  OutboxPort,
  TestEventResult,
} from './types';

export interface DispatcherOptions {
  outbox: OutboxPort;
  /** Undefined when no alert endpoint is configured: the outbox is kept and only its depth is reported. */
  sink?: AlertSink;
  minSeverity: Severity;
  dashboardUrl?: string;
  /** Rows read from the outbox per run (a later run drains the rest). */
  maxRows?: number;
  /** Rows per upload call, so one rejected batch does not hold back the others. */
  batchSize?: number;
  now?: () => Date;
  logger?: AlertLogger;
}

const DEFAULT_MAX_ROWS = 5000;
const DEFAULT_BATCH_SIZE = 500;

/**
 * Moves outbox rows to on-call. At-least-once: a row is removed only after the service accepted it; a failed
 * row stays for the next run. Rows below the paging threshold are removed unsent and counted as skipped.
 */
export class AlertDispatcher {
  private readonly maxRows: number;
  private readonly batchSize: number;
  private readonly now: () => Date;

  constructor(private readonly opts: DispatcherOptions) {
    this.maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
    this.now = opts.now ?? (() => new Date());
  }

  get configured(): boolean {
    return this.opts.sink !== undefined;
  }

  async dispatch(): Promise<DispatchReport> {
    const { outbox, sink, logger } = this.opts;
    if (!sink) {
      const remaining = await outbox.depth();
      if (remaining > 0) {
        logger?.warn(
          `alerts: no alert endpoint configured (HCXMON_ALERT_ENDPOINT); ${remaining} event(s) kept in the outbox`,
        );
      }
      return { configured: false, sent: 0, skipped: 0, failed: 0, remaining, errors: [] };
    }

    const entries = await outbox.list(this.maxRows);
    const notPaged: OutboxKey[] = [];
    const toSend: OutboxEntry[] = [];
    for (const entry of entries) {
      if (shouldPage(entry.event, this.opts.minSeverity)) toSend.push(entry);
      else notPaged.push(entry.key);
    }
    if (notPaged.length > 0) await outbox.remove(notPaged);

    let sent = 0;
    let failed = 0;
    const errors = new Set<string>();
    for (let start = 0; start < toSend.length; start += this.batchSize) {
      const batch = toSend.slice(start, start + this.batchSize);
      const result = await this.deliver(batch.map((e) => toAlertRow(e.event, this.opts.dashboardUrl)));
      const delivered = result.accepted.map((i) => batch[i].key);
      // Removed batch by batch: a crash later in the run must not resend what was already accepted.
      if (delivered.length > 0) await outbox.remove(delivered);
      sent += delivered.length;
      failed += result.failed.length;
      for (const f of result.failed) errors.add(f.error);
    }

    const remaining = await outbox.depth();
    const report: DispatchReport = {
      configured: true,
      sent,
      skipped: notPaged.length,
      failed,
      remaining,
      errors: [...errors],
    };
    if (failed > 0) {
      logger?.warn(`alerts: ${failed} event(s) not delivered, kept for the next run: ${report.errors.join('; ')}`);
    }
    logger?.info(`alerts: sent ${sent}, not paged ${notPaged.length}, failed ${failed}, remaining ${remaining}`);
    return report;
  }

  /** Writes the heartbeat the dead-man's-switch alert waits for. False when not configured or not accepted. */
  async recordScanCompleted(info: ScanCompletedInfo): Promise<boolean> {
    if (!this.opts.sink) return false;
    const result = await this.deliver([scanCompletedRow(info, this.opts.dashboardUrl)]);
    if (result.failed.length > 0)
      this.opts.logger?.warn(`alerts: scan heartbeat not delivered: ${result.failed[0].error}`);
    return result.accepted.length === 1;
  }

  /** One synthetic event straight to the service (not through the outbox), for `POST /api/alerts/test`. */
  async sendTestEvent(requestedBy = 'unknown'): Promise<TestEventResult> {
    if (!this.opts.sink) return { status: 'not-configured' };
    const at = this.now().toISOString();
    // A fresh finding id per test, so each test raises its own alert instead of joining one already firing.
    const findingId = `hcxmon-test-${at.replace(/[^0-9]/g, '')}`;
    const event: AlertEvent = {
      id: `test~${findingId}`,
      event: 'test',
      findingId,
      ruleId: 'hcxmon-alert-test',
      severity: this.opts.minSeverity,
      title: 'Test alert from hcx-compliance-monitor',
      message: `Synthetic event requested by ${requestedBy} at ${at} to check the path to on-call. No action needed.`,
      targetId: 'hcxmon',
      targetName: 'hcx-compliance-monitor',
      subjectId: 'alert-path',
      subjectName: 'alert path',
      owner: 'customer',
      createdAt: at,
    };
    const result = await this.deliver([toAlertRow(event, this.opts.dashboardUrl)]);
    if (result.accepted.length === 1) return { status: 'sent', findingId, eventId: event.id };
    return { status: 'failed', findingId, eventId: event.id, error: result.failed[0]?.error ?? 'not accepted' };
  }

  private async deliver(rows: AlertRow[]): Promise<{ accepted: number[]; failed: { index: number; error: string }[] }> {
    try {
      return await this.opts.sink!.send(rows);
    } catch (err) {
      const error = errorMessage(err);
      return { accepted: [], failed: rows.map((_, index) => ({ index, error })) };
    }
  }
}
