import { DateTime } from 'luxon';
import type { Evaluation, EvaluationStatus } from '../domain/evaluation';
import type { Inventory } from '../domain/inventory';
import { defaultRuleContext, evaluateTarget, RULES } from '../rules';
import { compareVersionStrings } from '../rules/version';

/**
 * The upgrade gate: the seeds' prerequisites for upgrading HCX (Microsoft Learn “Upgrade HCX on Azure VMware Solution”, VMware “Upgrading the HCX Manager”) as a checklist.
 * Every check is the verdict of the rules that track it, run on the latest inventory — the same rules, the same
 * evidence as the findings, so the gate and the findings can never disagree. Missing data is `unknown`, never `pass`,
 * so a target we could not read never looks ready.
 */

export type CheckStatus = EvaluationStatus;

export interface ReadinessCheck {
  id: string;
  title: string;
  status: CheckStatus;
  /** Why, in a sentence. */
  message: string;
  evidence: Record<string, unknown> & { source: string };
  /** The rule whose findings track this prerequisite. */
  ruleIds: string[];
  /** Seed document the prerequisite comes from. */
  reference: string;
}

export interface Readiness {
  targetId: string;
  targetName: string;
  targetKind: string;
  collectedAt?: string;
  currentVersion?: string;
  baselineVersion: string;
  /**
   * "May I start the upgrade now?" — ready: every prerequisite passes (or does not apply); blocked: one fails;
   * unknown: otherwise. Being below the baseline is why you upgrade, not a reason you cannot: it is not a check here.
   */
  verdict: 'ready' | 'blocked' | 'unknown';
  checks: ReadinessCheck[];
  /** Where the version stands and what follows the manager upgrade: shown beside the gate, never part of it. */
  versionChecks: ReadinessCheck[];
  /** Steps from the current version to the baseline (seeds: 4.4–4.8.x through 4.9.2, below 4.4 through 4.4.2). */
  upgradePath?: string[];
  notes: string[];
}

const DOC_AVS_UPGRADE = 'https://learn.microsoft.com/azure/azure-vmware/upgrade-hcx-azure-vmware-solutions';
const DOC_NE_HA = 'https://learn.microsoft.com/azure/azure-vmware/configure-hcx-network-extension-high-availability';
const DOC_UPGRADE_MANAGER =
  'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-11/vmware-hcx-user-guide-4-11/updating-vmware-hcx/hcx-service-update-procedures/upgrade-hcx-manager-for-connected-sites.html';

interface CheckSpec {
  id: string;
  title: string;
  /** Rules whose verdicts decide the check (worst wins). */
  rules: string[];
  /** Only these subjects of those rules (e.g. the 443 endpoint, not 9443). */
  subjects?: string[];
  reference: string;
  /** Said when everything passes. */
  ok: string;
}

const CHECKS: readonly CheckSpec[] = [
  {
    id: 'manager-reachable',
    title: 'HCX Manager reachable',
    rules: ['hcx-endpoint-unreachable'],
    subjects: ['hybridity'],
    reference: DOC_AVS_UPGRADE,
    ok: 'the hybridity API answered and accepted our credentials',
  },
  {
    id: 'vcenter-nsx-connections',
    title: 'Healthy connections to vCenter Server and NSX Manager',
    rules: ['hcx-manager-connection-unhealthy'],
    reference: DOC_UPGRADE_MANAGER,
    ok: 'vCenter and NSX registrations healthy, app engine running, no critical HCX alert',
  },
  {
    id: 'interconnect-healthy',
    title: 'Interconnect (Service Mesh) healthy and in sync',
    rules: ['hcx-service-mesh-degraded'],
    reference: DOC_AVS_UPGRADE,
    ok: 'every Service Mesh is committed, its services healthy and its tunnels up',
  },
  {
    id: 'site-pairs-healthy',
    title: 'Site pairs healthy',
    rules: ['hcx-site-pair-unhealthy'],
    reference: DOC_AVS_UPGRADE,
    ok: 'every site pair is healthy and its remote version readable',
  },
  {
    id: 'no-migrations-in-progress',
    title: 'No migrations in progress',
    rules: ['hcx-migrations-in-progress'],
    reference: DOC_AVS_UPGRADE,
    ok: 'no migration in progress',
  },
  {
    id: 'wan-optimization-disabled',
    title: 'WAN Optimization not enabled (blocks 4.11.3)',
    rules: ['hcx-wan-optimization-enabled'],
    reference: DOC_AVS_UPGRADE,
    ok: 'no Service Mesh uses WAN Optimization',
  },
  {
    id: 'no-queued-operations',
    title: 'No HCX operations queued',
    rules: ['hcx-operations-queued'],
    reference: DOC_AVS_UPGRADE,
    ok: 'no Service Mesh task or scheduled migration pending',
  },
  {
    id: 'ne-ha-healthy',
    title: 'Network Extension HA groups healthy',
    rules: ['hcx-ne-ha-group-degraded'],
    reference: DOC_NE_HA,
    ok: 'every NE HA group has an Active and a Standby member',
  },
];

/** Not prerequisites of starting the upgrade: the version path, and the Service Mesh appliances that follow it. */
const VERSION_CHECKS: readonly CheckSpec[] = [
  {
    id: 'appliances-current',
    title: 'Service Mesh appliances current',
    rules: ['hcx-appliance-outdated'],
    reference: DOC_AVS_UPGRADE,
    ok: 'every Service Mesh appliance runs its manager’s version',
  },
  {
    id: 'version-path',
    title: 'Version at the AVS-validated baseline and in support',
    rules: ['hcx-version-below-baseline', 'hcx-version-end-of-support'],
    subjects: ['manager'],
    reference: DOC_AVS_UPGRADE,
    ok: 'at or above the baseline and supported',
  },
];

const RANK: Record<EvaluationStatus, number> = { fail: 3, unknown: 2, pass: 1, not_applicable: 0 };

/** Worst verdict wins; a check no rule spoke to does not apply. */
function combine(spec: CheckSpec, evaluations: readonly Evaluation[]): ReadinessCheck {
  const relevant = evaluations.filter(
    (e) =>
      spec.rules.includes(e.ruleId) && (!spec.subjects || spec.subjects.includes(e.subjectId) || e.subjectId === '*'),
  );
  const status = relevant.reduce<EvaluationStatus>(
    (s, e) => (RANK[e.status] > RANK[s] ? e.status : s),
    'not_applicable',
  );
  const speaking = relevant.filter((e) => e.status === status);
  const message =
    status === 'pass'
      ? spec.ok
      : speaking.length
        ? speaking
            .map((e) =>
              e.subjectId === 'manager' || e.subjectId === '*' ? e.message : `${e.subjectName}: ${e.message}`,
            )
            .join(' ')
        : 'does not apply to this target';
  return {
    id: spec.id,
    title: spec.title,
    status,
    message,
    evidence: {
      source: 'rules',
      verdicts: relevant.map((e) => ({
        ruleId: e.ruleId,
        subject: e.subjectName,
        status: e.status,
        evidence: e.evidence,
      })),
    },
    ruleIds: spec.rules,
    reference: spec.reference,
  };
}

/** Upgrade path from `current` to `target` per the seeds' remediation notes. */
export function upgradePath(current: string, target: string): string[] | undefined {
  const cmp = compareVersionStrings(current, target);
  if (cmp === undefined) return undefined;
  if (cmp >= 0) return [];
  const steps: string[] = [];
  if ((compareVersionStrings(current, '4.4.0') ?? 0) < 0) steps.push('4.4.2');
  const from = steps.length ? '4.4.2' : current;
  if ((compareVersionStrings(from, '4.9.0') ?? 0) < 0 && (compareVersionStrings(target, '4.9.2') ?? 0) > 0)
    steps.push('4.9.2');
  steps.push(target);
  return steps;
}

/** The rules behind the gate's prerequisites (not the version checks beside it): lib/rules/upgrade-window.ts's list. */
export const GATE_PREREQUISITE_RULES: readonly string[] = CHECKS.flatMap((c) => c.rules);

const GATE_RULES = new Set([...CHECKS, ...VERSION_CHECKS].flatMap((c) => c.rules));

export function evaluateReadiness(inv: Inventory, baseline: string, asOf: DateTime = DateTime.utc()): Readiness {
  const ctx = defaultRuleContext({ asOf, settings: { baselineVersion: baseline } });
  const evaluations = evaluateTarget(
    inv,
    ctx,
    RULES.filter((r) => GATE_RULES.has(r.id)),
  );
  const checks = CHECKS.map((spec) => combine(spec, evaluations));
  const versionChecks = VERSION_CHECKS.map((spec) => combine(spec, evaluations));
  const version = inv.manager?.version;
  const path = version ? upgradePath(version, baseline) : undefined;
  const versionCheck = versionChecks.find((c) => c.id === 'version-path');
  if (versionCheck && path && path.length) versionCheck.message += ` Path: ${[version, ...path].join(' → ')}.`;

  const statuses = checks.map((c) => c.status);
  const verdict = statuses.includes('fail') ? 'blocked' : statuses.includes('unknown') ? 'unknown' : 'ready';
  const isCloud = inv.target.kind === 'avs-private-cloud';
  const notes = [
    'Back up the HCX Connector (appliance management interface) and snapshot it before upgrading; not observable through the API.',
    'Upgrade the Connector and the Cloud Manager together for compatibility, in a window with no queued HCX operations.',
    'Upgrade the Service Mesh appliances after every paired manager is upgraded and services have converged.',
  ];
  if (isCloud)
    notes.unshift(
      'Microsoft upgrades the HCX Cloud Manager in an agreed maintenance window; Connector and Service Mesh upgrades stay with the customer.',
    );
  return {
    targetId: inv.target.id,
    targetName: inv.target.name,
    targetKind: inv.target.kind,
    collectedAt: inv.collectedAt,
    currentVersion: version,
    baselineVersion: baseline,
    verdict,
    checks,
    versionChecks,
    upgradePath: path,
    notes,
  };
}
