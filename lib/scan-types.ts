import type { TargetKind, TargetRef } from './domain/target';
import type { Severity } from './domain/evaluation';
import type { ErrorClass } from './domain/inventory';
import type { FindingChanges, ScanTotals } from './findings/totals';

/** How one target's scan ended. `unreachable` and `failed` never make its findings pass. */
export type TargetScanStatus = 'ok' | 'partial' | 'unreachable' | 'failed';

export interface TargetOutcome {
  scanId: string;
  targetId: string;
  targetName: string;
  targetKind: TargetKind;
  status: TargetScanStatus;
  hcxVersion?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Findings of this target after the scan, by status. */
  counts: { open: number; unknown: number; suppressed: number; resolved: number };
  /** Open findings of this target after the scan, by severity (absent in outcomes written before it existed). */
  openBySeverity?: Record<Severity, number>;
  /** What this scan changed for the target: new, resolved, escalated findings. */
  changes?: FindingChanges;
  /** Collections that failed, e.g. `serviceMeshes: timeout`. */
  issues: string[];
  /** HCX requests this target cost (both ports): retries and Retry-After waits are counted, never hidden. */
  http?: { requests: number; retries: number; retryAfterWaits: number; waitedMs: number };
  errorClass?: ErrorClass;
  message?: string;
}

/** `followup`: a rescan queued after an observed upgrade (issue 16). */
export type ScanTrigger = 'timer' | 'http' | 'cli' | 'demo' | 'followup';

/** What discovery says about a private cloud beyond its id: its subscription's tenant, Lighthouse, its SKU. */
export interface TargetLabels {
  tenantId?: string;
  delegated?: boolean;
  sku?: string;
}

export interface ScanRecord {
  scanId: string;
  trigger: ScanTrigger;
  asOf: string;
  startedAt: string;
  targets: TargetRef[];
  /** Set when the scan covers only the targets matching it (then targets it did not reach are not judged stale). */
  targetFilter?: string;
  /** Subscriptions ARM discovery could not list; their clouds are missing from this scan. */
  discoveryErrors: {
    subscriptionId: string;
    /** A management group or the tenant whose discovery failed as a whole (then subscriptionId is empty). */
    scope?: string;
    errorClass: ErrorClass;
    message: string;
    status?: number;
  }[];
  /**
   * Lower-case ids of the subscriptions this scan's discovery read (absent: it did not say). Only their discovery
   * findings are resolved.
   */
  discoveryRead?: string[];
  /**
   * Discovery's labels of the private clouds it found (Lighthouse tenant, SKU), by target id: a queued target is
   * rebuilt from its id (lib/collect/resolve.ts), so the worker takes them from here — the scan row, never the message.
   */
  targetLabels?: Record<string, TargetLabels>;
  status: 'running' | 'completed';
  completedAt?: string;
  /** Recorded when the scan completes (absent on scans completed before totals existed). */
  totals?: ScanTotals;
  /** What the dispatcher did after the scan: the outbox depth tells on-call wiring that is not draining. */
  alerts?: { configured: boolean; sent: number; skipped: number; failed: number; remaining: number };
}
