import type { DateTime } from 'luxon';
import type { Deadline, Evaluation, RuleMeta } from '../domain/evaluation';
import type { Fact, TargetHistory } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import type { LifecycleCatalog } from './lifecycle';

export interface RuleSettings {
  /** HCXMON_BASELINE_VERSION; else the catalog's AVS-validated baseline. */
  baselineVersion?: string;
  /** HCXMON_EXTENSION_MAX_DAYS (30). */
  extensionMaxDays: number;
  /** Period of the scan schedule in hours (24 for the daily default); stale after twice this. */
  scanPeriodHours: number;
  /** HCXMON_UPGRADE_WINDOW_HOURS: how long after an observed upgrade convergence may take (default 8). */
  upgradeWindowHours?: number;
}

export interface RuleContext {
  /** The evaluation instant (UTC). The CLI's --as-of sets it; the functions use now. */
  asOf: DateTime;
  catalog: LifecycleCatalog;
  settings: RuleSettings;
  /** Facts for this target (all subjects). */
  facts: readonly Fact[];
  history: TargetHistory;
  /**
   * Dated activation-key deadlines of the Connectors monitored here (their stored findings), so a private cloud's
   * Consumed enterprise-site key used by one of them takes that Connector's date instead of asking for a fact.
   */
  connectorKeys: readonly ConnectorKeyDeadline[];
}

export interface ConnectorKeyDeadline {
  targetId: string;
  targetName: string;
  /** The last characters of the key, the only part ever kept. */
  keyLast4: string;
  deadline: Deadline;
}

export interface Rule extends RuleMeta {
  /** Pure: same inputs, same evaluations. One evaluation per subject. */
  evaluate(inventory: Inventory, ctx: RuleContext): Evaluation[];
}
