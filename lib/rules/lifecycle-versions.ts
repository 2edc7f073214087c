import type { Evaluation, Severity } from '../domain/evaluation';
import type { Inventory } from '../domain/inventory';
import { describeDeadline, makeDeadline, severityForBand } from './deadline';
import {
  BOTH,
  MANAGER,
  REF,
  UPGRADE_NOTES,
  allSubjects,
  defineRule,
  evaluation,
  managerVersion,
  notCollected,
  readVersion,
  type Subject,
} from './common';
import { baselineVersion, supportStatus } from './lifecycle';
import type { RuleContext } from './types';
import {
  compareVersions,
  firstDifference,
  formatVersion,
  parseVersion,
  versionLessThan,
  type HcxVersion,
} from './version';

const EOS = { id: 'hcx-version-end-of-support' };
const SKEW = { id: 'hcx-site-pair-version-skew', defaultSeverity: 'medium' } as const;
const OUTDATED = { id: 'hcx-appliance-outdated', defaultSeverity: 'medium' } as const;

const VERSION_OWNER = { 'avs-private-cloud': 'microsoft', 'hcx-connector': 'customer' } as const;

function catalogEvidence(ctx: RuleContext) {
  return { catalogAsOf: ctx.catalog.asOf, catalogVersion: ctx.catalog.catalogVersion };
}

/** A hint on the upgrade path a version has to take (4.9 release notes). */
export function upgradePathHint(v: HcxVersion): string | undefined {
  if (versionLessThan(v, '4.4.0'))
    return 'Upgrade through 4.4.2 first (below 4.4), then upgrade every Service Mesh appliance (Photon OS).';
  if (versionLessThan(v, '4.9.0')) return 'Upgrade through 4.9.2 first (4.4–4.8.x).';
  return undefined;
}

export const versionEndOfSupport = defineRule({
  id: 'hcx-version-end-of-support',
  title: 'HCX version at or near end of support',
  family: 'lifecycle',
  defaultSeverity: 'critical',
  owner: VERSION_OWNER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.skew, REF.rn411],
  action:
    'Move the HCX Manager to a supported release before the date: Microsoft upgrades the Cloud Manager in a window you confirm; you upgrade the Connector and the Service Mesh appliances.',
  remediation:
    'Move the HCX Manager to a supported release (the AVS-validated baseline, 4.11.3 today) before its end-of-support date. ' +
    'On a private cloud Microsoft upgrades the HCX Cloud Manager: confirm or request your maintenance window when Microsoft prompts you (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'On-premises HCX Connectors and all Service Mesh appliances are upgraded by you (VMware “Upgrading the HCX Manager”, VMware, “Upgrading the HCX Manager”). ' +
    UPGRADE_NOTES,
  needs: ['manager.version'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv, ctx) {
    const v = managerVersion(inv);
    if (!v.ok) {
      return [
        evaluation(EOS, inv, MANAGER, 'unknown', 'high', `Cannot determine end of support: ${v.reason}.`, {
          source: 'hcx',
          version: v.raw,
          ...catalogEvidence(ctx),
        }),
      ];
    }
    const status = supportStatus(ctx.catalog, v.version);
    const base = {
      source: 'catalog' as const,
      version: v.raw,
      versionSource: 'hcx',
      line: status.entry?.label,
      ...catalogEvidence(ctx),
    };
    const hint = upgradePathHint(v.version);
    const suffix = ` (lifecycle catalog as of ${ctx.catalog.asOf})`;
    if (status.kind === 'past') {
      return [
        evaluation(
          EOS,
          inv,
          MANAGER,
          'fail',
          'critical',
          `HCX ${v.raw} is out of support: ${status.reason}.${hint ? ' ' + hint : ''}${suffix}`,
          { ...base, support: 'past', note: status.entry?.endOfSupportNote },
        ),
      ];
    }
    if (status.kind === 'no-date') {
      return [
        evaluation(EOS, inv, MANAGER, 'pass', 'info', `HCX ${v.raw}: ${status.reason}${suffix}.`, {
          ...base,
          support: 'not-published',
        }),
      ];
    }
    const deadline = makeDeadline(status.endOfSupport, 'catalog', ctx.asOf);
    const alternatives = status.entry.endOfSupportAlternatives ?? [];
    const alt = alternatives.length
      ? ` Another source gives ${alternatives.map((a) => `${a.date} (${a.source})`).join(', ')}; the Microsoft document's date is used.`
      : '';
    const evidence = {
      ...base,
      support: 'dated',
      endOfSupport: status.endOfSupport,
      alternatives: alternatives.map((a) => a.date),
    };
    const severity = severityForBand(deadline.band, 'info');
    if (deadline.band === 'later') {
      return [
        evaluation(
          EOS,
          inv,
          MANAGER,
          'pass',
          severity,
          `HCX ${v.raw} is supported until ${status.endOfSupport} (${deadline.daysLeft} days left)${suffix}.`,
          evidence,
          deadline,
        ),
      ];
    }
    const what = deadline.daysLeft <= 0 ? 'is out of support since' : 'reaches end of support on';
    return [
      evaluation(
        EOS,
        inv,
        MANAGER,
        'fail',
        severity,
        `HCX ${v.raw} (${status.entry.label}) ${what} ${describeDeadline(deadline)}.${alt}${hint ? ' ' + hint : ''}${suffix}`,
        evidence,
        deadline,
      ),
    ];
  },
});

export const versionBelowBaseline = defineRule({
  id: 'hcx-version-below-baseline',
  title: 'HCX version below the AVS-validated baseline',
  family: 'lifecycle',
  defaultSeverity: 'medium',
  owner: VERSION_OWNER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.upgradeManager],
  action:
    'Upgrade to the AVS-validated baseline: choose the window Microsoft offers for the Cloud Manager; upgrade the Connector yourself, Cloud Manager and Connector together.',
  remediation:
    'Bring the HCX Manager to the baseline validated for Azure VMware Solution (HCXMON_BASELINE_VERSION, else the lifecycle catalog: 4.11.3). ' +
    'Private cloud: Microsoft schedules the Cloud Manager upgrade; you choose the window when prompted (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'Connector: you upgrade it yourself, then the Service Mesh appliances (VMware, “Upgrading the HCX Manager”). ' +
    UPGRADE_NOTES,
  needs: ['manager.version'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv, ctx) {
    const rule = { id: 'hcx-version-below-baseline' };
    const baseline = baselineVersion(ctx.catalog, ctx.settings.baselineVersion);
    const evidence = {
      source: 'catalog' as const,
      baseline: baseline.version,
      baselineSource: baseline.source,
      ...catalogEvidence(ctx),
    };
    const b = parseVersion(baseline.version);
    if (!b.ok) {
      return [
        evaluation(
          rule,
          inv,
          MANAGER,
          'unknown',
          'medium',
          `The baseline version cannot be used: ${b.reason}.`,
          evidence,
        ),
      ];
    }
    const v = managerVersion(inv);
    if (!v.ok) {
      return [
        evaluation(
          rule,
          inv,
          MANAGER,
          'unknown',
          'medium',
          `Cannot compare with baseline ${baseline.version}: ${v.reason}.`,
          { ...evidence, version: v.raw },
        ),
      ];
    }
    const ev = { ...evidence, version: v.raw, versionSource: 'hcx' };
    if (compareVersions(v.version, b.version) >= 0) {
      return [
        evaluation(
          rule,
          inv,
          MANAGER,
          'pass',
          'info',
          `HCX ${v.raw} is at or above the baseline ${baseline.version}.`,
          ev,
        ),
      ];
    }
    const severity: Severity = inv.target.kind === 'avs-private-cloud' ? 'low' : 'medium';
    const who =
      inv.target.kind === 'avs-private-cloud'
        ? 'Microsoft schedules the Cloud Manager upgrade; choose your window when prompted.'
        : 'Upgrade the Connector (customer-managed), then its Service Mesh appliances.';
    const hint = upgradePathHint(v.version);
    return [
      evaluation(
        rule,
        inv,
        MANAGER,
        'fail',
        severity,
        `HCX ${v.raw} is below the baseline ${baseline.version} (${baseline.source === 'setting' ? 'HCXMON_BASELINE_VERSION' : `lifecycle catalog as of ${ctx.catalog.asOf}`}). ${who}${hint ? ' ' + hint : ''}`,
        ev,
      ),
    ];
  },
});

const SITE_PAIRS = allSubjects('site-pair', 'site pairs');

function pairSubject(p: { id: string; name?: string; url?: string }): Subject {
  return { id: p.id, name: p.name ?? p.url ?? p.id, kind: 'site-pair' };
}

export const sitePairVersionSkew = defineRule({
  id: 'hcx-site-pair-version-skew',
  title: 'Site-paired HCX Managers run different versions',
  family: 'lifecycle',
  defaultSeverity: 'medium',
  owner: { 'avs-private-cloud': 'customer', 'hcx-connector': 'customer' },
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.skew, REF.kb427904],
  action: 'Bring both ends of the site pair to the same HCX release; a 4.x to 9.x pairing is not supported.',
  remediation:
    'Bring both ends of the site pair to the same HCX release: Microsoft upgrades the AVS Cloud Manager, you upgrade the on-premises Connector — update both together for compatibility (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'A 4.x ↔ 9.x pairing is not supported even where HCX allows it (KB 427904). ' +
    UPGRADE_NOTES,
  needs: ['manager.version', 'sitePairs'],
  hcxDependent: true,
  naSubject: SITE_PAIRS,
  evaluate(inv: Inventory): Evaluation[] {
    const rule = SKEW;
    if (inv.sitePairs === undefined) return [notCollected(rule, inv, SITE_PAIRS, 'sitePairs')];
    const local = managerVersion(inv);
    return inv.sitePairs.map((p) => {
      const s = pairSubject(p);
      const remote = readVersion(p.remoteVersion, 'the remote site');
      const evidence = {
        source: 'hcx' as const,
        localVersion: local.raw,
        remoteVersion: p.remoteVersion,
        remoteUrl: p.url,
      };
      if (!local.ok)
        return evaluation(rule, inv, s, 'unknown', 'medium', `Cannot compare versions: ${local.reason}.`, evidence);
      if (!remote.ok)
        return evaluation(rule, inv, s, 'unknown', 'medium', `Cannot compare versions: ${remote.reason}.`, evidence);
      const d = firstDifference(local.version, remote.version);
      if (d < 0) {
        return evaluation(
          rule,
          inv,
          s,
          'pass',
          'info',
          `Both sites run HCX ${formatVersion(local.version)}.`,
          evidence,
        );
      }
      const [severity, level, differsAt]: [Severity, string, string] =
        d === 0
          ? ['high', 'major versions differ (4.x ↔ 9.x pairing is not supported, KB 427904)', 'major']
          : d === 1
            ? ['medium', 'minor versions differ', 'minor']
            : ['low', 'patch versions differ', 'patch'];
      return evaluation(
        rule,
        inv,
        s,
        'fail',
        severity,
        `Local HCX ${local.raw} and remote HCX ${remote.raw}: ${level}. Update Connector and Cloud Manager together.`,
        { ...evidence, differsAt },
      );
    });
  },
});

const APPLIANCES = allSubjects('appliance', 'Service Mesh appliances');

export const applianceOutdated = defineRule({
  id: 'hcx-appliance-outdated',
  title: 'Service Mesh appliance older than its HCX Manager',
  family: 'lifecycle',
  defaultSeverity: 'medium',
  owner: { 'avs-private-cloud': 'customer', 'hcx-connector': 'customer' },
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.avsUpgrade2025, REF.upgradeManager, REF.upgradeMesh],
  action:
    'Upgrade the Service Mesh appliances from the source site once every paired HCX Manager is updated and the services have converged.',
  remediation:
    'Upgrade the Service Mesh appliances from the source site (HCX UI or the 443 console) once every paired HCX Manager is updated and all services have converged; there is a short data-plane outage, consider in-service upgrade for Network Extension (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'Service Mesh appliance upgrades are customer-managed on AVS too. From below 4.4.0 to 4.4 or later every Service Mesh appliance must be upgraded (Photon OS, Microsoft Learn, “Upgrade HCX on Azure VMware Solution”; VMware, “Upgrading the HCX Manager”). ' +
    UPGRADE_NOTES,
  needs: ['manager.version', 'appliances'],
  hcxDependent: true,
  naSubject: APPLIANCES,
  evaluate(inv: Inventory): Evaluation[] {
    const rule = OUTDATED;
    if (inv.appliances === undefined) return [notCollected(rule, inv, APPLIANCES, 'appliances')];
    const mgr = managerVersion(inv);
    return inv.appliances.map((a) => {
      const s: Subject = { id: a.id, name: a.name, kind: 'appliance' };
      const av = readVersion(a.version, `appliance ${a.name}`);
      const evidence = {
        source: 'hcx' as const,
        applianceVersion: a.version,
        managerVersion: mgr.raw,
        updateAvailable: a.updateAvailable,
        availableVersion: a.availableVersion,
        type: a.type,
      };
      const photon = av.ok && mgr.ok && versionLessThan(av.version, '4.4.0') && !versionLessThan(mgr.version, '4.4.0');
      const severity: Severity = photon ? 'high' : 'medium';
      const photonNote = photon
        ? ' The appliance predates 4.4.0 (Photon OS): every Service Mesh appliance must be upgraded.'
        : '';
      if (av.ok && mgr.ok && compareReported(av.version, mgr.version) < 0) {
        return evaluation(
          rule,
          inv,
          s,
          'fail',
          severity,
          `Appliance ${a.name} runs ${av.raw}, older than its HCX Manager ${mgr.raw}.${photonNote}`,
          evidence,
        );
      }
      if (a.updateAvailable === true) {
        const to = a.availableVersion ? ` (${a.availableVersion})` : '';
        return evaluation(
          rule,
          inv,
          s,
          'fail',
          severity,
          `Appliance ${a.name} reports an update available${to}.${photonNote}`,
          evidence,
        );
      }
      if (!av.ok) return evaluation(rule, inv, s, 'unknown', 'medium', `Cannot compare: ${av.reason}.`, evidence);
      if (!mgr.ok) return evaluation(rule, inv, s, 'unknown', 'medium', `Cannot compare: ${mgr.reason}.`, evidence);
      return evaluation(
        rule,
        inv,
        s,
        'pass',
        'info',
        `Appliance ${a.name} runs ${av.raw}, current with its HCX Manager ${mgr.raw}.`,
        evidence,
      );
    });
  },
});

/**
 * Compares only as far as the appliance reports: "4.11" from an appliance that omits its patch number is the same
 * release line as a 4.11.3 manager, not an older one (a missing part is unknown, not zero).
 */
export function compareReported(appliance: HcxVersion, manager: HcxVersion): number {
  const n = Math.min(appliance.parts.length, manager.parts.length);
  for (let i = 0; i < n; i++) {
    const d = appliance.parts[i] - manager.parts[i];
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export const LIFECYCLE_RULES = [versionEndOfSupport, versionBelowBaseline, sitePairVersionSkew, applianceOutdated];
