import type {
  Deadline,
  Evaluation,
  EvaluationStatus,
  Evidence,
  EvidenceSource,
  Reference,
  RuleMeta,
  Severity,
  SubjectKind,
} from '../domain/evaluation';
import type { Inventory } from '../domain/inventory';
import type { Owner, TargetKind } from '../domain/target';
import type { Rule, RuleContext } from './types';
import { parseVersion, type HcxVersion } from './version';

/**
 * Subject id of an evaluation that speaks for every subject of its rule on this target: the rule could not
 * enumerate its subjects (the collection it needs is `undefined`) or it crashed. Reconcile must read an
 * `unknown` on `*` as "every existing finding of this rule and target is unknown" — never as "they vanished".
 * A `not_applicable` on `*` (e.g. the HCX add-on is gone) does mean the subjects are gone.
 */
export const ALL_SUBJECTS = '*';

export interface Subject {
  id: string;
  name: string;
  kind: SubjectKind;
}

/** Most rules are the customer's whatever the target (only the Cloud Manager's own version is Microsoft's). */
export const CUSTOMER = { 'avs-private-cloud': 'customer', 'hcx-connector': 'customer' } as const;
/** Rules that apply to both kinds of target. */
export const BOTH = ['avs-private-cloud', 'hcx-connector'] as const;

export const MANAGER: Subject = { id: 'manager', name: 'HCX Manager', kind: 'manager' };
export const TARGET: Subject = { id: 'target', name: 'Target', kind: 'target' };

export function allSubjects(kind: SubjectKind, what: string): Subject {
  return { id: ALL_SUBJECTS, name: `all ${what}`, kind };
}

// ---- references (public documents, cited by title and URL) --------------------------------------------------------------

export const REF = {
  avsUpgrade: {
    source: 'https://learn.microsoft.com/azure/azure-vmware/upgrade-hcx-azure-vmware-solutions',
    title: 'Microsoft Learn: Upgrade HCX on Azure VMware Solution (2025-10-14)',
  },
  avsUpgrade2025: {
    source: 'https://learn.microsoft.com/azure/azure-vmware/upgrade-hcx-azure-vmware-solutions',
    title: 'Microsoft Learn: Upgrade HCX on Azure VMware Solution (2025-01-10)',
  },
  avsNeHa: {
    source: 'https://learn.microsoft.com/azure/azure-vmware/configure-hcx-network-extension-high-availability',
    title: 'Microsoft Learn: Configure HCX network extension high availability',
  },
  rn411: {
    source:
      'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-11/hcx-4-11-release-notes/vmware-hcx-411-release-notes.html',
    title: 'VMware HCX 4.11 release notes',
  },
  skew: {
    source:
      'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-10/vmware-hcx-support-and-lifecycle-policies-4-10/software-versioning-skew-and-legacy-support-policies.html',
    title: 'VMware HCX software versioning, skew and legacy support policies',
  },
  planning: {
    source:
      'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-10/vmware-hcx-user-guide-4-10/updating-vmware-hcx/planning-for-hcx-updates.html',
    title: 'VMware HCX: Planning for HCX updates',
  },
  upgradeManager: {
    source:
      'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-11/vmware-hcx-user-guide-4-11/updating-vmware-hcx/hcx-service-update-procedures/upgrade-hcx-manager-for-connected-sites.html',
    title: 'VMware HCX: Upgrading the HCX Manager',
  },
  upgradeMesh: {
    source:
      'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-10/vmware-hcx-user-guide-4-10/updating-vmware-hcx/hcx-service-update-procedures/upgrade-the-hcx-service-mesh-appliances.html',
    title: 'VMware HCX: Upgrading the HCX Service Mesh appliances',
  },
  neHa: {
    source:
      'https://techdocs.broadcom.com/us/en/vmware-cis/hcx/vmware-hcx/4-9/vmware-hcx-user-guide-4-9/extending-networks-with-vmware-hcx/understand-network-extension-high-availability.html',
    title: 'VMware HCX: Network Extension high availability',
  },
  kb427904: { source: 'Broadcom KB 427904', title: 'HCX 4.x to 9.x site pairing is not supported' },
  avsHcxAddon: {
    source: 'https://learn.microsoft.com/azure/azure-vmware/install-vmware-hcx',
    title: 'Microsoft Learn: Install and activate VMware HCX in Azure VMware Solution',
  },
  legacyVsphere: {
    source: 'https://knowledge.broadcom.com/external/article?legacyId=82702',
    title: 'Broadcom KB 82702: HCX support policy for legacy vSphere environments',
  },
  interop: {
    source: 'https://interopmatrix.broadcom.com/Interoperability?col=660,&row=0,',
    title: 'Broadcom Product Interoperability Matrix: VMware HCX',
  },
  kb90082: {
    source: 'https://knowledge.broadcom.com/external/article?legacyId=90082',
    title: 'VMware KB 90082: DNS resolution fails for .local FQDNs after upgrading HCX to 4.4 (Photon OS)',
  },
  activationStatus: {
    source:
      'https://developer.broadcom.com/xapis/hcx-manager-appliance-management-apis/latest/license/hcx/activationStatus/get/',
    title: 'HCX appliance management API: activation status',
  },
} satisfies Record<string, Reference>;

// ---- remediation texts shared by several rules ------------------------------------------------------------

export const UPGRADE_NOTES = [
  'Upgrade the HCX Connector and the HCX Cloud Manager together for compatibility (Microsoft upgrades the Cloud Manager in its waves or in the window you pick; the Connector and the Service Mesh appliances are yours) — Microsoft Learn, “Upgrade HCX on Azure VMware Solution”.',
  'Upgrade only in a maintenance window with no queued HCX operations and no migrations in progress — Microsoft Learn, “Upgrade HCX on Azure VMware Solution”.',
  'Upgrade paths: from 4.4–4.8.x go through 4.9.2 first; from below 4.4 go through 4.4.2 first (upgrading from < 4.4 also requires upgrading every Service Mesh appliance: Photon OS) — 4.9 release notes, VMware, “Upgrading the HCX Manager”.',
  'From 4.11.0 on there are no System Updates notifications (local mode): AVS customers find the Connector bundles in the vSAN datastore folder "AVS_Official_HCX_Connector_Binaries" — Microsoft Learn, “Upgrade HCX on Azure VMware Solution”.',
].join(' ');

export const NE_HA_PREREQUISITES =
  'NE HA prerequisites (Microsoft Learn, “Configure HCX network extension high availability”): HCX Enterprise (AVS add-on offer "(Enterprise)"); four Network Extension appliances, two per site; the Service Mesh Network Extension appliance scale-out count set to at least 2; HCX 4.3.0 or later on the NE appliances; the appliances chosen for HA must have no networks extended over them.';

// ---- evaluation helpers -----------------------------------------------------------------------------------

export function ownerOf(rule: RuleMeta, kind: TargetKind): Owner {
  return rule.owner[kind];
}

export function evaluation(
  rule: Pick<RuleMeta, 'id'>,
  inv: Inventory,
  subject: Subject,
  status: EvaluationStatus,
  severity: Severity,
  message: string,
  evidence: Evidence,
  deadline?: Deadline,
): Evaluation {
  const e: Evaluation = {
    ruleId: rule.id,
    targetId: inv.target.id,
    subjectId: subject.id,
    subjectName: subject.name,
    subjectKind: subject.kind,
    status,
    severity,
    message,
    evidence,
  };
  if (deadline) e.deadline = deadline;
  return e;
}

/** The private cloud was inventoried by ARM and has no HCX add-on at all. */
export function hcxAddonAbsent(inv: Inventory): boolean {
  return inv.target.kind === 'avs-private-cloud' && inv.arm?.hcxAddon === null;
}

export interface RuleDefinition extends RuleMeta {
  /** Reads HCX data: not_applicable for a private cloud without the HCX add-on. */
  hcxDependent: boolean;
  /** The subject a not_applicable verdict is given for (a singleton like `manager`, or `*`). */
  naSubject: Subject;
  evaluate(inventory: Inventory, ctx: RuleContext): Evaluation[];
}

/** Wraps a rule: target kinds outside `appliesTo`, and HCX rules on clouds without the add-on, are not_applicable. */
export function defineRule(def: RuleDefinition): Rule {
  const { hcxDependent, naSubject, evaluate, ...meta } = def;
  return {
    ...meta,
    evaluate(inv, ctx) {
      if (!meta.appliesTo.includes(inv.target.kind)) {
        const source: EvidenceSource = inv.target.kind === 'avs-private-cloud' ? 'arm' : 'operator';
        return [
          evaluation(
            meta,
            inv,
            naSubject,
            'not_applicable',
            meta.defaultSeverity,
            `Not applicable to ${kindLabel(inv.target.kind)} targets.`,
            {
              source,
              targetKind: inv.target.kind,
            },
          ),
        ];
      }
      if (hcxDependent && hcxAddonAbsent(inv)) {
        return [
          evaluation(
            meta,
            inv,
            naSubject,
            'not_applicable',
            meta.defaultSeverity,
            'The private cloud has no HCX add-on, so there is no HCX Cloud Manager to check (see avs-hcx-addon-missing).',
            { source: 'arm', hcxAddon: null },
          ),
        ];
      }
      return evaluate(inv, ctx);
    },
  };
}

export function kindLabel(kind: TargetKind): string {
  return kind === 'avs-private-cloud' ? 'AVS private cloud (HCX Cloud Manager)' : 'on-premises HCX Connector';
}

export type VersionRead = { ok: true; version: HcxVersion; raw: string } | { ok: false; reason: string; raw?: string };

/** The target's own HCX version, or why it cannot be used. */
export function managerVersion(inv: Inventory): VersionRead {
  if (!inv.manager) return { ok: false, reason: 'the HCX Manager was not collected this scan' };
  const raw = inv.manager.version;
  if (raw === undefined) return { ok: false, reason: 'the HCX Manager did not report its version' };
  const p = parseVersion(raw);
  return p.ok ? { ok: true, version: p.version, raw } : { ok: false, reason: p.reason, raw };
}

export function readVersion(raw: string | undefined, what: string): VersionRead {
  if (raw === undefined) return { ok: false, reason: `${what} did not report a version` };
  const p = parseVersion(raw);
  return p.ok ? { ok: true, version: p.version, raw } : { ok: false, reason: `${what}: ${p.reason}`, raw };
}

/**
 * HCX documents no value sets for site-pair, appliance or tunnel status (hcx-api.md §14.3, §16): a value we know
 * to be healthy passes, one that names a fault fails, and anything else is `unknown` — never healthy by default.
 */
const HEALTHY_STATE =
  /^(up|connected|paired|healthy|running|active|ok|success|green|tunnel[ _-]?up|in[ _-]?sync|synced|available|normal|online|ready|operational|succeeded)$/i;
// Whole words only (`_`, `-` and spaces separate words): PAIRED or CONFIGURED are not "red", NO_ERROR is no error.
const BAD_WORD =
  /(?<![a-z])(down|errors?|fail(ed|ure|ing|s)?|degraded?|disconnected|unreachable|unhealthy|invalid|critical|broken|lost|red)(?![a-z])/i;
const BAD_PHRASE = /(?<![a-z])(not[ _-]?connected|out[ _-]?of[ _-]?sync)(?![a-z])/i;
const NEGATED = /^(no|zero|without)[ _-]?(errors?|failures?)$/i;

export type StateRead = 'healthy' | 'bad' | 'unknown';

export function readState(value: string | undefined): StateRead | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (NEGATED.test(v)) return 'healthy';
  if (BAD_PHRASE.test(v) || BAD_WORD.test(v.replace(/_/g, ' '))) return 'bad';
  if (HEALTHY_STATE.test(v)) return 'healthy';
  return 'unknown';
}

/** Host name of a URL or bare host, lower case; undefined when it is neither. */
export function hostOf(url: string | undefined): string | undefined {
  // Stryker disable next-line ConditionalExpression: '' makes `https://`, which new URL refuses, and undefined throws inside the try: both undefined
  if (!url) return undefined;
  try {
    return new URL(url.includes('://') ? url : `https://${url}`).hostname.toLowerCase();
    // Stryker disable next-line BlockStatement: an empty catch block also returns undefined
  } catch {
    return undefined;
  }
}

export function lc(s: string | undefined): string {
  return (s ?? '').toLowerCase();
}

/** Unknown on `*`: the collection this rule enumerates was not collected. */
export function notCollected(
  rule: Pick<RuleMeta, 'id' | 'defaultSeverity'>,
  inv: Inventory,
  subject: Subject,
  field: string,
  source: EvidenceSource = 'hcx',
): Evaluation {
  const issue = inv.issues.find((i) => i.call === field);
  const why = issue ? ` (${issue.errorClass}: ${issue.message})` : '';
  return evaluation(
    rule,
    inv,
    subject,
    'unknown',
    rule.defaultSeverity,
    `Cannot evaluate: ${field} was not collected this scan${why}. A failure to collect is never a pass.`,
    { source, missing: [field], ...(issue ? { errorClass: issue.errorClass } : {}) },
  );
}
