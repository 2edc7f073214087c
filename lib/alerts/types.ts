import type { AlertEvent } from '../domain/alert';

/** Table keys of one outbox row (the findings table: PartitionKey = targetKey, RowKey = `outbox~…`). */
export interface OutboxKey {
  partitionKey: string;
  rowKey: string;
}

export interface OutboxEntry {
  key: OutboxKey;
  event: AlertEvent;
}

/**
 * What the dispatcher needs from the outbox. The store implements it over the findings table; tests use an
 * in-memory one. `list` returns the oldest rows first so a backlog drains in order.
 */
export interface OutboxPort {
  list(limit?: number): Promise<OutboxEntry[]>;
  remove(keys: readonly OutboxKey[]): Promise<void>;
  depth(): Promise<number>;
}

/**
 * One row of the custom table `HcxComplianceFindings_CL` (the stream `Custom-HcxComplianceFindings_CL`).
 * Column names and types must match infra/modules/monitoring.bicep: the DCR drops columns it does not declare.
 */
export interface AlertRow {
  /** When the event happened (the outbox row's createdAt), so "latest event per finding" survives resends. */
  TimeGenerated: string;
  FindingId: string;
  RuleId: string;
  Severity: string;
  /** opened | escalated | resolved | reminder | test | scan-completed */
  Event: string;
  Target: string;
  Subject: string;
  /** The rule's title. Not `Title`: Log Analytics reserves that column name. */
  FindingTitle: string;
  Message: string;
  /** `YYYY-MM-DD`, or '' when the finding has no deadline. */
  Deadline: string;
  Owner: string;
  DashboardLink: string;
}

/** Result of one delivery attempt: indexes into the rows given, each either accepted or failed. */
export interface SinkResult {
  accepted: number[];
  failed: { index: number; error: string }[];
}

/** Where alert rows go. The Logs Ingestion sink is the production one. */
export interface AlertSink {
  send(rows: readonly AlertRow[]): Promise<SinkResult>;
}

export interface DispatchReport {
  /** False when no alert endpoint is configured: nothing was sent or removed. */
  configured: boolean;
  /** Accepted by the service and removed from the outbox. */
  sent: number;
  /** Below the paging threshold: removed from the outbox without sending ("not paged"). */
  skipped: number;
  /** Rejected or not delivered: kept in the outbox for the next run. */
  failed: number;
  /** Outbox depth after this run. */
  remaining: number;
  /** Distinct error messages of failed deliveries (no secrets: messages come from the HTTP layer). */
  errors: string[];
}

export type TestEventResult =
  | { status: 'sent'; findingId: string; eventId: string }
  | { status: 'not-configured' }
  | { status: 'failed'; findingId: string; eventId: string; error: string };

export interface AlertLogger {
  info(message: string): void;
  warn(message: string): void;
}
