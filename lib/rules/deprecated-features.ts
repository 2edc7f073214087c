import type { Evaluation, Severity } from '../domain/evaluation';
import type { Appliance, Inventory, ServiceMesh } from '../domain/inventory';
import {
  BOTH,
  CUSTOMER,
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
  type VersionRead,
} from './common';
import { versionLessThan } from './version';

const WANOPT = { id: 'hcx-wan-optimization-enabled', defaultSeverity: 'critical' } as const;
const DR = { id: 'hcx-disaster-recovery-in-use', defaultSeverity: 'high' } as const;
const V2T = { id: 'hcx-v2t-migration-in-use', defaultSeverity: 'high' } as const;

/** The first HCX Cloud Manager release that refuses to install while WAN Optimization is enabled (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). */
export const WANOPT_BLOCKED_FROM = '4.11.3';

const MESHES = allSubjects('service-mesh', 'service meshes');

export function isWanOptAppliance(a: Appliance): boolean {
  return /wan[-_ ]?opt/i.test(a.type);
}

function hasService(mesh: ServiceMesh, name: string): boolean {
  return mesh.services.some((s) => s.toUpperCase() === name);
}

/**
 * The version of the HCX Cloud Manager at the AVS end of a mesh: a private cloud is its own Cloud Manager; a
 * Connector's mesh reaches the remote site whose endpointId is among the mesh's compute-profile endpoints.
 */
function cloudManagerVersionFor(inv: Inventory, mesh: ServiceMesh): VersionRead & { where: string } {
  if (inv.target.kind === 'avs-private-cloud') return { ...managerVersion(inv), where: 'this private cloud' };
  if (inv.sitePairs === undefined) return { ok: false, reason: 'site pairs were not collected', where: 'remote site' };
  const pair = inv.sitePairs.find((p) => mesh.endpointIds?.includes(p.id));
  if (!pair) return { ok: false, reason: 'no site pair matches the mesh endpoints', where: 'remote site' };
  return {
    ...readVersion(pair.remoteVersion, `remote site ${pair.name ?? pair.id}`),
    where: `remote site ${pair.name ?? pair.url ?? pair.id}`,
  };
}

export const wanOptimizationEnabled = defineRule({
  id: WANOPT.id,
  title: 'WAN Optimization enabled in a Service Mesh',
  family: 'deprecated-features',
  defaultSeverity: 'critical',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.rn411],
  action:
    'Remove the WAN Optimization service from the Service Mesh: a Cloud Manager with it enabled cannot be upgraded to 4.11.3.',
  remediation:
    'Remove the WAN Optimization service from the Service Mesh (edit the mesh and its compute profiles) and plan an alternative. ' +
    'WAN Optimization is deprecated in 4.11.0, formally deprecated in 4.11.3 and removed in 4.11.4: an HCX Cloud Manager with WAN Optimization enabled cannot be upgraded to 4.11.3, ' +
    "so it blocks Microsoft's upgrade away from 4.11.0–4.11.2, which lose support on 2026-02-20 (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). The mesh configuration is yours to change on both sides. " +
    UPGRADE_NOTES,
  needs: ['serviceMeshes', 'appliances', 'manager.version', 'sitePairs'],
  hcxDependent: true,
  naSubject: MESHES,
  evaluate(inv: Inventory): Evaluation[] {
    const wanOptAppliances = inv.appliances?.filter(isWanOptAppliance) ?? [];
    const meshIds = new Set<string | undefined>(inv.serviceMeshes?.map((m) => m.id));
    // A WAN-Opt appliance is evidence of WAN Optimization whatever the mesh list says: one that names no mesh we
    // listed, no mesh at all, or arrives while the mesh list failed is still a fail, never a pass or a silent unknown.
    const orphans = wanOptAppliances.filter((a) => !meshIds.has(a.serviceMeshId));
    const out: Evaluation[] = orphans.map((a) => {
      const s: Subject = {
        id: a.serviceMeshId ?? a.id,
        name: a.serviceMeshId ? `mesh ${a.serviceMeshId}` : a.name,
        kind: a.serviceMeshId ? 'service-mesh' : 'appliance',
      };
      const { severity, why, cm } = wanOptSeverity(inv, undefined);
      return evaluation(
        WANOPT,
        inv,
        s,
        'fail',
        severity,
        `WAN Optimization appliance ${a.name} (${a.type}) is deployed${a.serviceMeshId ? ` for mesh ${a.serviceMeshId}` : ' without a Service Mesh id'}. ${why}`,
        {
          source: 'hcx',
          appliance: a.name,
          type: a.type,
          serviceMeshId: a.serviceMeshId,
          cloudManagerVersion: cm.raw,
          cloudManagerAt: cm.where,
        },
      );
    });
    if (inv.serviceMeshes === undefined) return [...out, notCollected(WANOPT, inv, MESHES, 'serviceMeshes')];
    return [
      ...out,
      ...inv.serviceMeshes.map((mesh) => {
        const s: Subject = { id: mesh.id, name: mesh.name, kind: 'service-mesh' };
        const inServices = hasService(mesh, 'WANOPT');
        const mine = wanOptAppliances.filter((a) => a.serviceMeshId === mesh.id).map((a) => a.name);
        const evidence = { source: 'hcx' as const, services: mesh.services, wanOptAppliances: mine };
        if (!inServices && mine.length === 0) {
          if (inv.appliances === undefined) {
            return evaluation(
              WANOPT,
              inv,
              s,
              'unknown',
              'critical',
              `The mesh's services do not include WANOPT, but its appliances were not collected, so a WAN-Opt appliance cannot be ruled out.`,
              { ...evidence, missing: ['appliances'] },
            );
          }
          return evaluation(
            WANOPT,
            inv,
            s,
            'pass',
            'info',
            `WAN Optimization is not enabled in mesh ${mesh.name}.`,
            evidence,
          );
        }
        const { severity, why, cm } = wanOptSeverity(inv, mesh);
        const found = inServices
          ? 'its services include WANOPT'
          : `WAN-Opt appliance(s) ${mine.join(', ')} belong to it`;
        return evaluation(
          WANOPT,
          inv,
          s,
          'fail',
          severity,
          `WAN Optimization is enabled in mesh ${mesh.name}: ${found}. ${why}`,
          { ...evidence, cloudManagerVersion: cm.raw, cloudManagerAt: cm.where },
        );
      }),
    ];
  },
});

/** Critical while the Cloud Manager at the AVS end is below 4.11.3 (or unknown): WAN-Opt blocks its upgrade. */
function wanOptSeverity(
  inv: Inventory,
  mesh: ServiceMesh | undefined,
): { severity: Severity; why: string; cm: VersionRead & { where: string } } {
  const cm: VersionRead & { where: string } = mesh
    ? cloudManagerVersionFor(inv, mesh)
    : inv.target.kind === 'avs-private-cloud'
      ? { ...managerVersion(inv), where: 'this private cloud' }
      : { ok: false, reason: 'the appliance names no mesh, so its remote site is unknown', where: 'remote site' };
  if (!cm.ok)
    return {
      severity: 'critical',
      why: `The HCX Cloud Manager version (${cm.where}) is unknown (${cm.reason}), so an upgrade block cannot be ruled out.`,
      cm,
    };
  if (versionLessThan(cm.version, WANOPT_BLOCKED_FROM))
    return {
      severity: 'critical',
      why: `The HCX Cloud Manager (${cm.where}) runs ${cm.raw}: it cannot be upgraded to ${WANOPT_BLOCKED_FROM} while WAN Optimization is enabled.`,
      cm,
    };
  return {
    severity: 'high',
    why: `The HCX Cloud Manager (${cm.where}) runs ${cm.raw}; WAN Optimization is deprecated and removed in 4.11.4.`,
    cm,
  };
}

export const disasterRecoveryInUse = defineRule({
  id: DR.id,
  title: 'HCX Disaster Recovery in use',
  family: 'deprecated-features',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.rn411],
  action:
    'Move protection to another disaster recovery product, then remove the Disaster Recovery service from the Service Mesh.',
  remediation:
    'HCX Disaster Recovery is deprecated in 4.11.0 and will be removed; upgrading to 9.x requires it removed from meshes and compute profiles first. ' +
    'Move protection to an alternative (e.g. VMware Live Site Recovery / JetStream on AVS), then remove the DISASTER_RECOVERY service from the Service Mesh. You own this change (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”).',
  needs: ['serviceMeshes', 'replicationSummary'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    const meshes = inv.serviceMeshes?.filter((m) => hasService(m, 'DISASTER_RECOVERY')).map((m) => m.name);
    const rs = inv.replicationSummary;
    const replications = rs
      ? (['active', 'configuring', 'recovering', 'syncing'] as const).filter((k) => rs[k].incoming + rs[k].outgoing > 0)
      : undefined;
    const evidence = { source: 'hcx' as const, drMeshes: meshes, replicationSummary: rs };
    const found: string[] = [];
    if (meshes?.length) found.push(`mesh(es) ${meshes.join(', ')} include DISASTER_RECOVERY`);
    if (replications?.length) found.push(`replications are ${replications.join('/')}`);
    if (found.length) {
      return [
        evaluation(
          DR,
          inv,
          MANAGER,
          'fail',
          'high',
          `HCX Disaster Recovery is in use: ${found.join('; ')}. It is deprecated since 4.11.0.`,
          evidence,
        ),
      ];
    }
    const missing = [
      inv.serviceMeshes === undefined ? 'serviceMeshes' : undefined,
      rs === undefined ? 'replicationSummary' : undefined,
    ].filter((x): x is string => x !== undefined);
    if (missing.length) {
      return [
        evaluation(
          DR,
          inv,
          MANAGER,
          'unknown',
          'high',
          `Cannot rule out Disaster Recovery: ${missing.join(' and ')} not collected.`,
          { ...evidence, missing },
        ),
      ];
    }
    return [
      evaluation(
        DR,
        inv,
        MANAGER,
        'pass',
        'info',
        'No mesh includes DISASTER_RECOVERY and no replication is active.',
        evidence,
      ),
    ];
  },
});

export const v2tMigrationInUse = defineRule({
  id: V2T.id,
  title: 'HCX V2T migration in use',
  family: 'deprecated-features',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.rn411],
  action:
    'Finish or cancel V2T migrations and plan the remaining NSX for vSphere workloads another way before upgrading to 9.x.',
  remediation:
    'HCX V2T Migration (NSX for vSphere → NSX) is deprecated in 4.11.0 and must be gone before upgrading to 9.x. Finish or cancel V2T migrations and plan the remaining NSX-V workloads another way. ' +
    'The NSX-V finding is an inference from the Connector’s NSX registration (version 6.x) while it is paired with AVS; confirm it with the migration team. Customer-owned (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”).',
  needs: ['migrations', 'registrations', 'sitePairs'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    const v2t = inv.migrations?.filter((m) => m.type?.toUpperCase().includes('V2T'));
    if (v2t?.length) {
      return [
        evaluation(
          V2T,
          inv,
          MANAGER,
          'fail',
          'high',
          `${v2t.length} V2T migration(s) present (e.g. ${v2t[0].entityName ?? v2t[0].id}); HCX V2T Migration is deprecated since 4.11.0.`,
          {
            source: 'hcx',
            v2tMigrations: v2t.slice(0, 10).map((m) => ({ id: m.id, type: m.type, state: m.state })),
          },
        ),
      ];
    }
    const connector = inv.target.kind === 'hcx-connector';
    const nsxV = connector ? inv.registrations?.nsx.filter((n) => n.version?.startsWith('6.')) : [];
    if (nsxV?.length) {
      const paired = inv.sitePairs === undefined ? 'site pairs not collected' : `${inv.sitePairs.length} site pair(s)`;
      if (inv.sitePairs === undefined || inv.sitePairs.length > 0) {
        return [
          evaluation(
            V2T,
            inv,
            MANAGER,
            'fail',
            'medium',
            `Inferred: the Connector is registered to NSX for vSphere ${nsxV[0].version} (NSX-V) while paired with AVS (${paired}), so V2T migration is likely in use.`,
            { source: 'inferred', nsxVersions: nsxV.map((n) => n.version), sitePairs: inv.sitePairs?.length },
          ),
        ];
      }
    }
    const missing = [
      inv.migrations === undefined ? 'migrations' : undefined,
      connector && inv.registrations === undefined ? 'registrations (port 9443; configure applianceUrl)' : undefined,
    ].filter((x): x is string => x !== undefined);
    if (missing.length) {
      return [
        evaluation(
          V2T,
          inv,
          MANAGER,
          'unknown',
          'high',
          `Cannot rule out V2T migration: ${missing.join(' and ')} not collected.`,
          { source: 'hcx', missing },
        ),
      ];
    }
    return [
      evaluation(
        V2T,
        inv,
        MANAGER,
        'pass',
        'info',
        'No V2T migration found' + (connector ? ' and no NSX for vSphere registration.' : '.'),
        {
          source: connector ? 'appliance' : 'hcx',
          // Stryker disable next-line OptionalChaining: migrations is defined here (a missing list returned unknown above); the chain only satisfies the type checker
          migrations: inv.migrations?.length,
        },
      ),
    ];
  },
});

export const DEPRECATED_FEATURE_RULES = [wanOptimizationEnabled, disasterRecoveryInUse, v2tMigrationInUse];
