import type { DateTime } from 'luxon';
import type { Evaluation, RuleMeta } from '../domain/evaluation';
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
}

export interface RuleContext {
  /** The evaluation instant (UTC). The CLI's --as-of sets it; the functions use now. */
  asOf: DateTime;
  catalog: LifecycleCatalog;
  settings: RuleSettings;
  /** Facts for this target (all subjects). */
  facts: readonly Fact[];
  history: TargetHistory;
}

export interface Rule extends RuleMeta {
  /** Pure: same inputs, same evaluations. One evaluation per subject. */
  evaluate(inventory: Inventory, ctx: RuleContext): Evaluation[];
}
