import { DateTime } from 'luxon';
import type { Evaluation, Reference, RuleFamily, RuleMeta, Severity } from '../domain/evaluation';
import type { Fact, TargetHistory } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import type { Owner, TargetKind } from '../domain/target';
import { ALL_SUBJECTS, REF, evaluation } from './common';
import { DEPRECATED_FEATURE_RULES } from './deprecated-features';
import { DEFAULT_CATALOG, type LifecycleCatalog } from './lifecycle';
import { LICENSING_RULES } from './licensing';
import { LIFECYCLE_RULES } from './lifecycle-versions';
import { DISCOVERY_SCOPE_RULE, MONITOR_HEALTH_RULES } from './monitor-health';
import { NE_HA_RULES } from './ne-ha';
import type { ConnectorKeyDeadline, Rule, RuleContext, RuleSettings } from './types';
import { PREREQUISITE_RULES } from './prerequisites';
import { UPGRADE_READINESS_RULES } from './upgrade-readiness';
import { UPGRADE_CONVERGENCE_RULES } from './upgrade-convergence';
import { escalateForWindow, UPGRADE_WINDOW_RULES } from './upgrade-window';

export { ALL_SUBJECTS } from './common';
export type { ConnectorKeyDeadline, Rule, RuleContext, RuleSettings } from './types';

/** Every rule, in catalog order (RULES.md). Ids are stable and never reused. */
export const RULES: readonly Rule[] = [
  ...LIFECYCLE_RULES,
  ...DEPRECATED_FEATURE_RULES,
  ...LICENSING_RULES,
  ...UPGRADE_READINESS_RULES,
  ...UPGRADE_CONVERGENCE_RULES,
  ...UPGRADE_WINDOW_RULES,
  ...NE_HA_RULES,
  ...PREREQUISITE_RULES,
  ...MONITOR_HEALTH_RULES,
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

export { DISCOVERY_SCOPE_RULE };

/**
 * Rules the scan judges itself from what discovery could read (no inventory to evaluate): listed, filterable and
 * suppressible like the engine's, never evaluated by it.
 */
export const SCAN_RULES: readonly RuleMeta[] = [DISCOVERY_SCOPE_RULE];

/** The whole catalog: the engine's rules, then the scan's. What `hcxmon rules` and `GET /api/rules` list. */
export const CATALOG_RULES: readonly RuleMeta[] = [...RULES, ...SCAN_RULES];

const META_BY_ID = new Map<string, RuleMeta>(CATALOG_RULES.map((r) => [r.id, r]));

/** Any rule of the catalog, the scan's included: for filters, suppressions and references. */
export function ruleMetaById(id: string): RuleMeta | undefined {
  return META_BY_ID.get(id);
}

export interface NotChecked {
  id: string;
  title: string;
  reason: string;
  references: readonly Reference[];
}

const AVS_UPGRADE = REF.avsUpgrade;
const UPGRADE_MANAGER = REF.upgradeManager;

/**
 * What the upgrade guides ask for that no HCX or ARM API exposes: said so in `GET /api/rules` and `hcxmon rules`
 * (and on the upgrade gate) so that silence is never read as compliance.
 */
export const NOT_CHECKED: readonly NotChecked[] = [
  {
    id: 'hcx-vcenter-plugin-in-use',
    title: 'vCenter Server plug-in for HCX (deprecated in 4.11.0)',
    reason:
      'No HCX API exposes whether the vCenter Server plug-in is used; use the HCX 443 console instead of the plug-in.',
    references: [AVS_UPGRADE],
  },
  {
    id: 'hcx-migration-tracking-page-in-use',
    title: 'Migration "Tracking" page of the HCX UI (deprecated in 4.11.0)',
    reason: 'No HCX API exposes whether the Tracking page of the Migration interface is used.',
    references: [AVS_UPGRADE],
  },
  {
    id: 'hcx-connector-backup-before-upgrade',
    title: 'Backup of the HCX Connector before an upgrade',
    reason:
      'The guides ask for a configuration backup of the on-premises HCX Connector (appliance management interface) before upgrading; no API we read reports when the last backup was taken. Azure VMware Solution backs up the HCX Cloud Manager configuration daily.',
    references: [AVS_UPGRADE, UPGRADE_MANAGER],
  },
  {
    id: 'hcx-connector-snapshot-before-upgrade',
    title: 'vSphere snapshot of the HCX Manager before an upgrade',
    reason:
      'Snapshots of the Connector VM live in vCenter, which this product does not read; the Cloud Manager is snapshotted automatically during upgrades to 4.4 or later (kept 24 hours), and an HCX Run command takes one kept 72 hours.',
    references: [AVS_UPGRADE, UPGRADE_MANAGER],
  },
  {
    id: 'hcx-cloud-director-rmq-connection',
    title: 'Connections to Cloud Director / RabbitMQ (where applicable)',
    reason:
      'VMware’s upgrade procedure asks for healthy connections to Cloud Director and its RMQ broker where they are registered; the HCX API calls we read expose no such registration, so where you use Cloud Director, verify it in the appliance management interface.',
    references: [UPGRADE_MANAGER],
  },
  {
    id: 'hcx-interoperability-matrix',
    title: 'Upgrade path and product interoperability beyond the vSphere version',
    reason:
      'The guides send you to the VMware Product Interoperability Matrix for the upgrade path and compatibility; the product checks the documented path (4.4–4.8.x via 4.9.2, below 4.4 via 4.4.2), the vSphere version HCX is registered to and 4.x–9.x pairing, not every matrix cell.',
    references: [AVS_UPGRADE, REF.interop],
  },
];

export const DEFAULT_RULE_SETTINGS: RuleSettings = { extensionMaxDays: 30, scanPeriodHours: 24 };

export interface RuleContextInput {
  asOf?: DateTime | string;
  catalog?: LifecycleCatalog;
  settings?: Partial<RuleSettings>;
  facts?: readonly Fact[];
  history?: Partial<TargetHistory>;
  connectorKeys?: readonly ConnectorKeyDeadline[];
}

/** A RuleContext with defaults: now, the bundled catalog, default settings, no facts, empty history. */
export function defaultRuleContext(input: RuleContextInput = {}): RuleContext {
  let asOf: DateTime;
  if (input.asOf === undefined) asOf = DateTime.utc();
  // Stryker disable next-line ConditionalExpression: forced true, a DateTime goes through fromISO via its ISO string: the same instant for any asOf a caller passes (modern offsets are whole minutes); forced false (killed by any string asOf) shares the line
  else if (typeof input.asOf === 'string') asOf = DateTime.fromISO(input.asOf, { zone: 'utc' });
  else asOf = input.asOf.toUTC();
  if (!asOf.isValid) throw new Error(`invalid asOf: ${String(input.asOf)}`);
  const settings: RuleSettings = { ...DEFAULT_RULE_SETTINGS };
  for (const [k, v] of Object.entries(input.settings ?? {}))
    if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v;
  return {
    asOf,
    catalog: input.catalog ?? DEFAULT_CATALOG,
    settings,
    facts: input.facts ?? [],
    history: {
      versions: input.history?.versions ?? [],
      lastSuccessfulCollectionAt: input.history?.lastSuccessfulCollectionAt,
      ...(input.history?.upgrades ? { upgrades: input.history.upgrades } : {}),
    },
    connectorKeys: input.connectorKeys ?? [],
  };
}

/**
 * Runs every rule against one target's inventory. A rule that throws yields one `unknown` evaluation on `*`
 * naming the error — never a pass, and never a crash of the scan.
 */
export function evaluateTarget(inventory: Inventory, ctx: RuleContext, rules: readonly Rule[] = RULES): Evaluation[] {
  const out: Evaluation[] = [];
  for (const rule of rules) {
    try {
      out.push(...rule.evaluate(inventory, ctx));
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const msg = err instanceof Error ? err.message : String(err);
      out.push(
        evaluation(
          rule,
          inventory,
          { id: ALL_SUBJECTS, name: 'all subjects', kind: 'target' },
          'unknown',
          rule.defaultSeverity,
          `Rule ${rule.id} failed to evaluate (${name}: ${msg.slice(0, 200)}); its verdict is unknown.`,
          { source: 'inferred', error: name },
        ),
      );
    }
  }
  // A scheduled maintenance window dates the gate's failing prerequisites (issue 16).
  return escalateForWindow(out, inventory, ctx);
}

export interface RuleListItem {
  id: string;
  title: string;
  family: RuleFamily;
  severity: Severity;
  owner: Record<TargetKind, Owner>;
  appliesTo: readonly TargetKind[];
  references: readonly Reference[];
  remediation: string;
  action: string;
  needs: readonly string[];
}

export interface RuleList {
  catalog: { asOf: string; catalogVersion: string; baseline: string };
  rules: RuleListItem[];
  notChecked: readonly NotChecked[];
}

/** Data for `hcxmon rules` and `GET /api/rules`. */
export function formatRuleList(catalog: LifecycleCatalog = DEFAULT_CATALOG): RuleList {
  return {
    catalog: { asOf: catalog.asOf, catalogVersion: catalog.catalogVersion, baseline: catalog.baseline },
    rules: CATALOG_RULES.map((r) => ({
      id: r.id,
      title: r.title,
      family: r.family,
      severity: r.defaultSeverity,
      owner: r.owner,
      appliesTo: r.appliesTo,
      references: r.references,
      remediation: r.remediation,
      action: r.action,
      needs: r.needs,
    })),
    notChecked: NOT_CHECKED,
  };
}
