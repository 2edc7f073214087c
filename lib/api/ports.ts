import type { RuleMeta, Severity } from '../domain/evaluation';
import type { Fact, Finding, FindingStatus, Suppression, TargetHistory } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import type { Owner, TargetKind, TargetRef } from '../domain/target';
import type { ScanRecord, TargetOutcome } from '../scan-types';

/**
 * What the HTTP handlers need from the rest of the product, as narrow interfaces. lib/api/runtimePorts.ts wires
 * them to the Table repositories, the rules and the scan pipeline; tests pass in-memory versions.
 */

export interface FindingFilter {
  statuses: FindingStatus[];
  minSeverity?: Severity;
  ruleId?: string;
  targetId?: string;
  owner?: Owner;
  /** YYYY-MM-DD: only findings whose deadline date is before it. */
  dueBefore?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque store token; absent on the last page. */
  continuationToken?: string;
}

export interface FindingsPort {
  list(filter: FindingFilter, page: { limit: number; continuationToken?: string }): Promise<Page<Finding>>;
  /** `undefined` for an id that is not a finding (malformed ids included). */
  get(id: string): Promise<Finding | undefined>;
}

export interface TargetSummary {
  targetId: string;
  targetName: string;
  targetKind: TargetKind;
  collectedAt: string;
  hcxVersion?: string;
}

export interface InventoryPort {
  latest(targetId: string): Promise<Inventory | undefined>;
  /** Every target with a stored inventory. */
  listTargets(): Promise<TargetSummary[]>;
  /** One target's summary by its exact id (a point read). */
  summary(targetId: string): Promise<TargetSummary | undefined>;
  history(targetId: string): Promise<TargetHistory>;
}

export interface ScanDetail {
  scan: ScanRecord;
  outcomes: TargetOutcome[];
}

export interface ScansPort {
  list(page: { limit: number; continuationToken?: string }): Promise<Page<ScanRecord>>;
  get(scanId: string): Promise<ScanDetail | undefined>;
  /** The latest outcome per target (for GET targets). */
  latestOutcomes(): Promise<TargetOutcome[]>;
}

export interface SuppressionsPort {
  list(): Promise<Suppression[]>;
  create(s: Suppression): Promise<void>;
  /** false when there is no such suppression. */
  delete(id: string): Promise<boolean>;
}

export interface FactsPort {
  list(targetId: string): Promise<Fact[]>;
  put(fact: Fact): Promise<void>;
}

export interface StartedScan {
  scanId: string;
  asOf: string;
  targets: TargetRef[];
  /** Messages put on the scan queue. */
  enqueued: number;
}

export interface ScanStarterPort {
  /** Discovers targets (optionally one), writes the scan row and enqueues one message per target. */
  start(request: { targetId?: string; requestedBy: string }): Promise<StartedScan>;
}

export interface AlertsPort {
  sendTest(requestedBy: string): Promise<{ sent: boolean; detail: string }>;
}

export interface RuleCatalogPort {
  rules: readonly RuleMeta[];
  /** Things the seeds name that no API exposes; reported so their absence is not read as compliance. */
  notChecked: readonly {
    id: string;
    title: string;
    reason: string;
    references?: readonly { source: string; title: string }[];
  }[];
}

export interface LifecyclePort {
  baseline: { version: string; source: 'setting' | 'catalog' };
  catalogAsOf: string;
  /** The support line of a version: label, end-of-support date (if published), status. */
  supportOf(version: string | undefined): SupportLine | undefined;
}

export interface SupportLine {
  label: string;
  status: 'supported' | 'ending' | 'ended' | 'not-published' | 'unknown';
  endOfSupport?: string;
  note?: string;
}

export interface ApiPorts {
  now(): Date;
  findings: FindingsPort;
  inventory: InventoryPort;
  scans: ScansPort;
  suppressions: SuppressionsPort;
  facts: FactsPort;
  scanStarter?: ScanStarterPort;
  alerts?: AlertsPort;
  rules: RuleCatalogPort;
  lifecycle: LifecyclePort;
  log(message: string): void;
  /** Audit names may come from the x-ms-client-principal headers (App Service Authentication sets them). */
  platformAuth?: boolean;
}
