/**
 * Prerequisites the upgrade and NE HA guides state that no other rule checks: the NE HA set-up, the vSphere
 * version HCX is registered to, the `.local` DNS issue of the move to Photon OS, and the order of the Service Mesh
 * upgrade (only after every paired HCX Manager is updated).
 */
import type { Evaluation } from '../domain/evaluation';
import type { Appliance, Inventory, ServiceMesh } from '../domain/inventory';
import { makeDeadline } from './deadline';
import {
  BOTH,
  CUSTOMER,
  MANAGER,
  NE_HA_PREREQUISITES,
  REF,
  UPGRADE_NOTES,
  allSubjects,
  defineRule,
  evaluation,
  hostOf,
  managerVersion,
  notCollected,
  readVersion,
  type Subject,
  type VersionRead,
} from './common';
import { compareReported } from './lifecycle-versions';
import { isNeAppliance, NE_HA_FROM } from './ne-ha';
import type { RuleContext } from './types';
import { compareVersions, versionLessThan, type HcxVersion } from './version';

const MESHES = allSubjects('service-mesh', 'service meshes');

// ---- NE HA prerequisites ------------------------------------------------------------------------------------

const NEPRE = { id: 'hcx-ne-ha-prerequisites-unmet', defaultSeverity: 'low' } as const;

/**
 * Whether a mesh uses NE HA (it has an HA group) or is asked to (a network extended over its NE appliances has no
 * HA, which hcx-network-extension-without-ha flags): only then do the prerequisites matter. `undefined`: cannot
 * be told.
 */
function haWanted(inv: Inventory, meshId: string): boolean | undefined {
  if (inv.haGroups?.some((g) => g.serviceMeshId === meshId)) return true;
  if (inv.haGroups === undefined || inv.extensions === undefined || inv.appliances === undefined) return undefined;
  // The parser writes '' for an id or name HCX did not report: a blank reference names nothing (as sameRef in
  // ne-ha.ts), so it neither ties an extension to an appliance nor counts as grouped.
  const named = (x: string | undefined): x is string => !!x;
  const mine = new Set(
    inv.appliances
      .filter((a) => a.serviceMeshId === meshId && isNeAppliance(a))
      .flatMap((a) => [a.id, a.name])
      .filter(named),
  );
  const grouped = new Set(
    inv.haGroups.flatMap((g) => g.members.flatMap((mb) => [mb.applianceId, mb.applianceName])).filter(named),
  );
  const ungrouped = inv.extensions.filter((e) => !e.haGroupId);
  if (ungrouped.some((e) => [e.applianceId, e.applianceName].some((x) => named(x) && mine.has(x) && !grouped.has(x))))
    return true;
  // An extension without HA that names no appliance may run over this mesh's: cannot be told (never "not asked for").
  return ungrouped.some((e) => !named(e.applianceId) && !named(e.applianceName)) ? undefined : false;
}

export const neHaPrerequisitesUnmet = defineRule({
  id: NEPRE.id,
  title: 'Network Extension HA prerequisites not met',
  family: 'ne-ha',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsNeHa, REF.neHa],
  action:
    'Meet the NE HA prerequisites: HCX Enterprise, two NE appliances per site, HCX 4.3.0 or later, no networks extended over the HA appliances.',
  remediation:
    'Network Extension HA needs HCX Enterprise, four NE appliances (two per site: the mesh’s NE scale-out appliance count at least 2), appliances on HCX 4.3.0 or later, and the appliances chosen for HA with no networks extended over them (Microsoft Learn, “Configure HCX network extension high availability”). ' +
    'Edit the Service Mesh to raise the Network Extension appliance count, upgrade the NE appliances, move extensions off the appliances you will pair, and on AVS choose the HCX add-on offer "(Enterprise)". Customer-owned. ' +
    NE_HA_PREREQUISITES,
  needs: ['serviceMeshes', 'appliances', 'haGroups', 'arm.hcxAddon'],
  hcxDependent: true,
  naSubject: MESHES,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.serviceMeshes === undefined) return [notCollected(NEPRE, inv, MESHES, 'serviceMeshes')];
    return inv.serviceMeshes
      .filter((m) => m.services.some((s) => s.toUpperCase() === 'NETWORK_EXTENSION'))
      .map((m) => {
        const s: Subject = { id: m.id, name: m.name, kind: 'service-mesh' };
        const wanted = haWanted(inv, m.id);
        if (wanted === false)
          return evaluation(
            NEPRE,
            inv,
            s,
            'not_applicable',
            'info',
            `Mesh ${m.name} has no NE HA group and no network extended over it without HA: NE HA is neither used nor asked for.`,
            { source: 'hcx' },
          );
        const unmet: string[] = [];
        const unknown: string[] = wanted === undefined ? ['HA groups or extensions were not collected'] : [];
        if (inv.target.kind === 'avs-private-cloud') {
          const offer = inv.arm?.hcxAddon?.offer;
          if (offer === undefined) unknown.push('the HCX add-on offer (edition) was not reported');
          else if (!/enterprise/i.test(offer)) unmet.push(`the HCX add-on offer "${offer}" is not HCX Enterprise`);
        }
        if (m.neApplianceCount === undefined) unknown.push('the mesh’s NE appliance count was not reported');
        else if (m.neApplianceCount < 2)
          unmet.push(`the mesh’s NE scale-out appliance count is ${m.neApplianceCount} (at least 2 needed)`);
        const ne = inv.appliances?.filter((a) => a.serviceMeshId === m.id && isNeAppliance(a));
        if (ne === undefined) unknown.push('appliances were not collected');
        else {
          // The appliance list may carry both sites (hcx-api.md §6.3): two per site, counted per endpoint.
          const perSite = new Map<string, number>();
          for (const a of ne)
            perSite.set(a.endpointId ?? 'this site', (perSite.get(a.endpointId ?? 'this site') ?? 0) + 1);
          const short = [...perSite.entries()].filter(([, n]) => n < 2);
          if (ne.length === 0) unmet.push('no Network Extension appliance (two per site, four in all, are needed)');
          for (const [site, n] of short)
            unmet.push(
              `${n} Network Extension appliance(s) at ${site === 'this site' ? site : `site ${site}`} (two per site, four in all, are needed)`,
            );
          for (const a of ne) {
            const v = readVersion(a.version, `NE appliance ${a.name}`);
            if (!v.ok) unknown.push(v.reason);
            else if (versionLessThan(v.version, NE_HA_FROM))
              unmet.push(`NE appliance ${a.name} runs ${v.raw}, below ${NE_HA_FROM}`);
          }
          const grouped = inv.haGroups?.some((g) => g.serviceMeshId === m.id && g.members.length > 0) ?? false;
          if (!grouped && ne.length >= 2) {
            if (inv.haGroups === undefined) unknown.push('HA groups were not collected');
            else {
              // Without a group yet, two appliances must be free of extensions to be chosen for HA.
              const counts = ne.map((a) => a.networkExtensionCount);
              if (counts.some((c) => c === undefined))
                unknown.push('the number of networks extended over each NE appliance was not reported');
              else if (counts.filter((c) => c === 0).length < 2)
                unmet.push(
                  'fewer than two NE appliances have no networks extended over them, so none can be chosen for HA',
                );
            }
          }
        }
        const ev = {
          source: 'hcx' as const,
          neApplianceCount: m.neApplianceCount,
          neAppliances: ne?.map((a) => ({ name: a.name, version: a.version, extended: a.networkExtensionCount })),
          offer: inv.arm?.hcxAddon?.offer,
        };
        if (unmet.length)
          return evaluation(
            NEPRE,
            inv,
            s,
            'fail',
            'low',
            `Network Extension HA cannot be activated on mesh ${m.name}: ${unmet.join('; ')}.`,
            ev,
          );
        if (unknown.length)
          return evaluation(
            NEPRE,
            inv,
            s,
            'unknown',
            'low',
            `Cannot confirm the NE HA prerequisites of mesh ${m.name}: ${unknown.join('; ')}.`,
            { ...ev, missing: unknown },
          );
        return evaluation(NEPRE, inv, s, 'pass', 'info', `Mesh ${m.name} meets the NE HA prerequisites.`, ev);
      });
  },
});

// ---- vSphere version ------------------------------------------------------------------------------------------

const VSPHERE = { id: 'hcx-vsphere-version-legacy', defaultSeverity: 'low' } as const;

/**
 * End of general support of the vSphere releases an HCX Connector may be registered to (Broadcom Product Lifecycle
 * Matrix). Past it, vSphere is "legacy": HCX supports it only to migrate away (HCX support policy for legacy
 * vSphere environments, Broadcom KB 82702).
 */
export const VSPHERE_END_OF_GENERAL_SUPPORT: readonly { line: string; date: string }[] = [
  { line: '6.5', date: '2022-10-15' },
  { line: '6.7', date: '2022-10-15' },
  { line: '7.0', date: '2025-10-02' },
  { line: '8.0', date: '2027-10-11' },
];

export const vsphereVersionLegacy = defineRule({
  id: VSPHERE.id,
  title: 'HCX registered to a legacy vSphere version',
  family: 'lifecycle',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  // The Connector's vCenter registration is read on 9443; AVS runs a vSphere Microsoft keeps current.
  appliesTo: ['hcx-connector'],
  references: [REF.avsUpgrade, REF.legacyVsphere, REF.interop],
  action:
    'Plan the migration off the legacy vSphere (or upgrade vCenter and ESXi) and check the interoperability matrix for the target HCX version.',
  remediation:
    'The upgrade guide sends you to the VMware compatibility matrix and the HCX support policy for legacy vSphere environments before any upgrade (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'A vCenter past its end of general support is legacy vSphere: HCX supports it only to migrate workloads away. Plan the migration off it (or upgrade vCenter/ESXi) and check the interoperability matrix for the HCX version you upgrade to. Customer-owned.',
  needs: ['registrations'],
  hcxDependent: true,
  naSubject: allSubjects('connection', 'vCenter registrations'),
  evaluate(inv: Inventory, ctx: RuleContext): Evaluation[] {
    const all = allSubjects('connection', 'vCenter registrations');
    if (inv.registrations === undefined) return [notCollected(VSPHERE, inv, all, 'registrations', 'appliance')];
    if (inv.registrations.vcenter.length === 0)
      return [
        evaluation(
          VSPHERE,
          inv,
          all,
          'unknown',
          'low',
          'No vCenter Server is registered, so the vSphere version cannot be read (hcx-manager-connection-unhealthy fails on the missing registration).',
          {
            source: 'appliance',
          },
        ),
      ];
    return inv.registrations.vcenter.map((r, i) => {
      const s: Subject = { id: r.url ?? `vcenter-${i}`, name: r.url ?? `vCenter ${i + 1}`, kind: 'connection' };
      const v = readVersion(r.version, `vCenter ${s.name}`);
      const ev = { source: 'appliance' as const, vcenter: r.url, version: r.version };
      if (!v.ok)
        return evaluation(VSPHERE, inv, s, 'unknown', 'low', `Cannot tell the vSphere version: ${v.reason}.`, ev);
      const line = `${v.version.major}.${v.version.minor}`;
      const known = VSPHERE_END_OF_GENERAL_SUPPORT.find((e) => e.line === line);
      const olderThanAll = versionLessThan(v.version, VSPHERE_END_OF_GENERAL_SUPPORT[0].line);
      if (!known && !olderThanAll)
        return evaluation(
          VSPHERE,
          inv,
          s,
          'pass',
          'info',
          `vCenter ${s.name} runs vSphere ${v.raw}; no end of general support is published for ${line} in our catalog.`,
          ev,
        );
      const date = known?.date ?? VSPHERE_END_OF_GENERAL_SUPPORT[0].date;
      const deadline = makeDeadline(date, 'catalog', ctx.asOf);
      if (deadline.band === 'later')
        return evaluation(
          VSPHERE,
          inv,
          s,
          'pass',
          'info',
          `vCenter ${s.name} runs vSphere ${v.raw}, in general support until ${date}.`,
          ev,
          deadline,
        );
      const msg =
        deadline.daysLeft <= 0
          ? `vCenter ${s.name} runs vSphere ${v.raw}, past its end of general support (${date}): legacy vSphere, which HCX supports only to migrate away from.`
          : `vCenter ${s.name} runs vSphere ${v.raw}, whose general support ends on ${date} (${deadline.daysLeft} days).`;
      // Low: the guides point at the legacy-vSphere policy but state no versions; the dates are Broadcom's.
      return evaluation(VSPHERE, inv, s, 'fail', 'low', msg, ev, deadline);
    });
  },
});

// ---- .local DNS on the move to 4.4 ---------------------------------------------------------------------------

const LOCALDNS = { id: 'hcx-local-domain-dns', defaultSeverity: 'medium' } as const;
const PHOTON_FROM = '4.4.0';

export const localDomainDns = defineRule({
  id: LOCALDNS.id,
  title: '.local FQDNs before the upgrade to HCX 4.4 or later',
  family: 'upgrade-readiness',
  defaultSeverity: 'medium',
  owner: CUSTOMER,
  appliesTo: ['hcx-connector'],
  references: [REF.upgradeManager, REF.kb90082],
  action:
    'Before upgrading from below 4.4.0, apply the VMware KB 90082 resolution or register vCenter, NSX and the lookup service by names outside .local.',
  remediation:
    'Starting with HCX 4.4.0 the appliances run Photon OS; when upgrading from below 4.4.0, DNS resolution might fail for FQDNs in the .local domain (VMware, “Upgrading the HCX Manager”; VMware KB 90082). ' +
    'Before the upgrade, apply the KB 90082 resolution or register vCenter, NSX and the lookup service by names outside .local. Customer-owned. ' +
    UPGRADE_NOTES,
  needs: ['manager.version', 'registrations'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    const v = managerVersion(inv);
    if (!v.ok)
      return [
        evaluation(LOCALDNS, inv, MANAGER, 'unknown', 'medium', `Cannot evaluate: ${v.reason}.`, { source: 'hcx' }),
      ];
    if (!versionLessThan(v.version, PHOTON_FROM))
      return [
        evaluation(
          LOCALDNS,
          inv,
          MANAGER,
          'not_applicable',
          'info',
          `HCX ${v.raw} already runs Photon OS (4.4.0 or later).`,
          {
            source: 'hcx',
            version: v.raw,
          },
        ),
      ];
    if (inv.registrations === undefined) return [notCollected(LOCALDNS, inv, MANAGER, 'registrations', 'appliance')];
    const regs = [...inv.registrations.vcenter, ...inv.registrations.nsx, ...inv.registrations.lookupService];
    const local = [...new Set(regs.map((r) => hostOf(r.url)).filter((h): h is string => !!h && h.endsWith('.local')))];
    const ev = { source: 'appliance' as const, version: v.raw, localHosts: local };
    if (local.length)
      return [
        evaluation(
          LOCALDNS,
          inv,
          MANAGER,
          'fail',
          'medium',
          `HCX ${v.raw} is below 4.4.0 and registers ${local.join(', ')} in the .local domain: DNS resolution may fail after the upgrade to 4.4 or later (KB 90082).`,
          ev,
        ),
      ];
    return [evaluation(LOCALDNS, inv, MANAGER, 'pass', 'info', 'No registration uses a .local FQDN.', ev)];
  },
});

// ---- Service Mesh upgrade order -------------------------------------------------------------------------------

const ORDER = { id: 'hcx-service-mesh-upgrade-order', defaultSeverity: 'medium' } as const;

/** The version of the HCX Manager at the other end of a mesh, through the site pair whose endpoint the mesh uses. */
function pairedManagerVersion(inv: Inventory, mesh: ServiceMesh): VersionRead & { where: string } {
  if (inv.sitePairs === undefined) return { ok: false, reason: 'site pairs were not collected', where: 'remote site' };
  const pair = inv.sitePairs.find((p) => mesh.endpointIds?.includes(p.id));
  if (!pair)
    return { ok: false, reason: 'no site pair of this manager matches the mesh endpoints', where: 'remote site' };
  const where = `remote site ${pair.name ?? pair.url ?? pair.id}`;
  return { ...readVersion(pair.remoteVersion, where), where };
}

/** An appliance's version against a manager's, as far as the appliance reports it; 0 when it reports none. */
function versusVersion(a: Appliance, v: HcxVersion): number {
  const av = readVersion(a.version, a.name);
  return av.ok ? compareReported(av.version, v) : 0;
}

export const serviceMeshUpgradeOrder = defineRule({
  id: ORDER.id,
  title: 'Service Mesh update pending before every paired manager is updated',
  family: 'upgrade-readiness',
  defaultSeverity: 'medium',
  owner: CUSTOMER,
  // The Service Mesh upgrade is started at the source site (Microsoft Learn: "initiated using the HCX plug-in of
  // vCenter or the 443 console at the source site"): the Connector.
  appliesTo: ['hcx-connector'],
  references: [REF.avsUpgrade, REF.upgradeManager, REF.upgradeMesh],
  action:
    'Upgrade the paired HCX Manager first; update the Service Mesh only when every paired manager is updated and the services have converged.',
  remediation:
    'The HCX Service Mesh can be upgraded once all paired HCX Managers on the source and target sites are updated and all services are returned to a fully converged state (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”; VMware, “Upgrading the HCX Manager”). ' +
    'Upgrade the paired manager first (Microsoft upgrades the AVS Cloud Manager in its window; the Connector is yours), wait for the mesh to converge (hcx-service-mesh-degraded passes), then update the appliances from the source site. Customer-owned.',
  needs: ['manager.version', 'sitePairs', 'serviceMeshes', 'appliances'],
  hcxDependent: true,
  naSubject: MESHES,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.serviceMeshes === undefined) return [notCollected(ORDER, inv, MESHES, 'serviceMeshes')];
    const local = managerVersion(inv);
    return inv.serviceMeshes.map((m) => {
      const s: Subject = { id: m.id, name: m.name, kind: 'service-mesh' };
      const members = inv.appliances?.filter((a) => a.serviceMeshId === m.id);
      const remote = pairedManagerVersion(inv, m);
      const ev = {
        source: 'hcx' as const,
        localManager: local.raw,
        pairedManager: remote.raw,
        pairedAt: remote.where,
        updateAvailable: m.updateAvailable,
        appliances: members?.map((a) => ({ name: a.name, version: a.version })),
      };
      const pending =
        m.updateAvailable === true ||
        (local.ok && (members?.some((a) => versusVersion(a, local.version) < 0) ?? false));
      if (!pending) {
        if (members === undefined || !local.ok)
          return evaluation(
            ORDER,
            inv,
            s,
            'unknown',
            'medium',
            `Cannot tell whether mesh ${m.name} has an update pending: ${!local.ok ? local.reason : 'appliances not collected'}.`,
            ev,
          );
        return evaluation(ORDER, inv, s, 'pass', 'info', `Mesh ${m.name} has no update pending.`, ev);
      }
      const cannotTell = (why: string) =>
        evaluation(
          ORDER,
          inv,
          s,
          'unknown',
          'medium',
          `Mesh ${m.name} has an update pending, but whether every paired manager is updated cannot be told (${why}).`,
          ev,
        );
      if (!local.ok) return cannotTell(local.reason);
      if (!remote.ok) return cannotTell(remote.reason);
      if (compareVersions(local.version, remote.version) !== 0)
        return evaluation(
          ORDER,
          inv,
          s,
          'fail',
          'low',
          `Mesh ${m.name} has an update pending while its managers differ (this one ${local.raw}, ${remote.where} ${remote.raw}): upgrade the paired manager before the Service Mesh.`,
          ev,
        );
      return evaluation(
        ORDER,
        inv,
        s,
        'pass',
        'info',
        `Mesh ${m.name} may be upgraded once it has converged: both paired managers run ${local.raw}.`,
        ev,
      );
    });
  },
});

export const PREREQUISITE_RULES = [
  neHaPrerequisitesUnmet,
  vsphereVersionLegacy,
  localDomainDns,
  serviceMeshUpgradeOrder,
];
