import type { Evaluation } from '../domain/evaluation';
import type { Inventory } from '../domain/inventory';
import {
  BOTH,
  CUSTOMER,
  MANAGER,
  REF,
  UPGRADE_NOTES,
  allSubjects,
  defineRule,
  evaluation,
  lc,
  notCollected,
  type Subject,
} from './common';

const CONN = { id: 'hcx-manager-connection-unhealthy', defaultSeverity: 'high' } as const;
const PAIR = { id: 'hcx-site-pair-unhealthy', defaultSeverity: 'high' } as const;
const MESH = { id: 'hcx-service-mesh-degraded', defaultSeverity: 'high' } as const;
const MIGR = { id: 'hcx-migrations-in-progress', defaultSeverity: 'low' } as const;

const CONNECTION_SUBJECTS: Record<'vcenter' | 'nsx' | 'appengine' | 'alerts', Subject> = {
  vcenter: { id: 'vcenter', name: 'vCenter Server registration', kind: 'connection' },
  nsx: { id: 'nsx', name: 'NSX Manager registration', kind: 'connection' },
  appengine: { id: 'appengine', name: 'HCX app engine', kind: 'connection' },
  alerts: { id: 'alerts', name: 'HCX critical alerts', kind: 'connection' },
};

const HEALTHY_SERVICE = /^(up|healthy|running|active)$/i;
const UNHEALTHY_PAIR = /error|fail|down|disconnect|unreachable|unhealthy|invalid/i;

export const managerConnectionUnhealthy = defineRule({
  id: CONN.id,
  title: 'HCX Manager connections unhealthy',
  family: 'upgrade-readiness',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  // Needs the appliance-management interface (9443), which AVS does not expose for the Cloud Manager.
  appliesTo: ['hcx-connector'],
  references: [REF.avsUpgrade, REF.upgradeManager],
  remediation:
    'Before upgrading, the HCX Manager must report healthy connections to vCenter Server and NSX Manager (if registered), its services must be running and HCX must not be raising critical alerts (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”; VMware, “Upgrading the HCX Manager”). ' +
    'Fix the registration on the Connector’s appliance management interface (https://<connector>:9443, Configuration), restart the app engine there if it is not RUNNING, and clear critical alerts in the HCX UI. Customer-owned.',
  needs: ['registrations', 'services', 'hcxAlerts'],
  hcxDependent: true,
  naSubject: allSubjects('connection', 'manager connections'),
  evaluate(inv: Inventory): Evaluation[] {
    const out: Evaluation[] = [];
    const S = CONNECTION_SUBJECTS;
    const regs = inv.registrations;
    if (regs === undefined) {
      out.push(
        notCollected(CONN, inv, S.vcenter, 'registrations', 'appliance'),
        notCollected(CONN, inv, S.nsx, 'registrations', 'appliance'),
      );
    } else {
      const working = regs.vcenter.filter((r) => !r.error);
      const ev = { source: 'appliance' as const, vcenter: regs.vcenter.map((r) => ({ url: r.url, error: r.error })) };
      if (regs.vcenter.length === 0)
        out.push(
          evaluation(CONN, inv, S.vcenter, 'fail', 'high', 'The HCX Manager has no vCenter Server registration.', ev),
        );
      else if (working.length === 0)
        out.push(
          evaluation(
            CONN,
            inv,
            S.vcenter,
            'fail',
            'high',
            `No working vCenter Server registration: ${regs.vcenter[0].error}.`,
            ev,
          ),
        );
      else
        out.push(
          evaluation(
            CONN,
            inv,
            S.vcenter,
            'pass',
            'info',
            `vCenter Server registration ${working[0].url ?? ''} is healthy.`.replace('  ', ' '),
            ev,
          ),
        );
      const broken = regs.nsx.filter((r) => r.error);
      const nev = {
        source: 'appliance' as const,
        nsx: regs.nsx.map((r) => ({ url: r.url, version: r.version, error: r.error })),
      };
      if (broken.length)
        out.push(
          evaluation(
            CONN,
            inv,
            S.nsx,
            'fail',
            'high',
            `NSX Manager registration ${broken[0].url ?? ''} reports an error: ${broken[0].error}.`,
            nev,
          ),
        );
      else
        out.push(
          evaluation(
            CONN,
            inv,
            S.nsx,
            'pass',
            'info',
            regs.nsx.length ? 'NSX Manager registration is healthy.' : 'No NSX Manager is registered (optional).',
            nev,
          ),
        );
    }
    if (inv.services === undefined) out.push(notCollected(CONN, inv, S.appengine, 'services', 'appliance'));
    else {
      const ae = inv.services.find((c) => lc(c.name) === 'appengine');
      const ev = { source: 'appliance' as const, appengine: ae?.result };
      if (!ae || ae.result === undefined)
        out.push(evaluation(CONN, inv, S.appengine, 'unknown', 'high', 'The app engine status was not reported.', ev));
      else if (ae.result.toUpperCase() !== 'RUNNING')
        out.push(
          evaluation(CONN, inv, S.appengine, 'fail', 'high', `The HCX app engine is ${ae.result}, not RUNNING.`, ev),
        );
      else out.push(evaluation(CONN, inv, S.appengine, 'pass', 'info', 'The HCX app engine is RUNNING.', ev));
    }
    if (inv.hcxAlerts === undefined && inv.unsupported?.includes('hcxAlerts')) {
      out.push(
        evaluation(
          CONN,
          inv,
          S.alerts,
          'not_applicable',
          'info',
          'This HCX build has no alerts API; the other connection checks still apply.',
          {
            source: 'hcx',
            unsupported: 'hcxAlerts',
          },
        ),
      );
    } else if (inv.hcxAlerts === undefined) out.push(notCollected(CONN, inv, S.alerts, 'hcxAlerts'));
    else {
      const critical = inv.hcxAlerts.filter((a) => lc(a.severity) === 'critical');
      const ev = {
        source: 'hcx' as const,
        critical: critical.slice(0, 10).map((a) => ({ id: a.id, message: a.message })),
        total: inv.hcxAlerts.length,
      };
      if (critical.length)
        out.push(
          evaluation(
            CONN,
            inv,
            S.alerts,
            'fail',
            'high',
            `HCX raises ${critical.length} critical alert(s): ${critical[0].message ?? critical[0].id}.`,
            ev,
          ),
        );
      else out.push(evaluation(CONN, inv, S.alerts, 'pass', 'info', 'HCX raises no critical alert.', ev));
    }
    return out;
  },
});

const PAIRS = allSubjects('site-pair', 'site pairs');

export const sitePairUnhealthy = defineRule({
  id: PAIR.id,
  title: 'Site pair unhealthy',
  family: 'upgrade-readiness',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.upgradeManager],
  remediation:
    'Site pair configurations must be healthy before any HCX upgrade (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”; VMware, “Upgrading the HCX Manager”). Check the pairing in the HCX UI (Infrastructure > Site Pairing): credentials, certificates and reachability of the remote HCX Manager; re-pair if needed. ' +
    'The pairing is configured from the Connector side, so the customer owns it; open a Microsoft support request if the AVS Cloud Manager itself is unreachable.',
  needs: ['sitePairs'],
  hcxDependent: true,
  naSubject: PAIRS,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.sitePairs === undefined) return [notCollected(PAIR, inv, PAIRS, 'sitePairs')];
    return inv.sitePairs.map((p) => {
      const s: Subject = { id: p.id, name: p.name ?? p.url ?? p.id, kind: 'site-pair' };
      const ev = {
        source: 'hcx' as const,
        url: p.url,
        status: p.status,
        error: p.error,
        remoteVersion: p.remoteVersion,
      };
      if (p.error)
        return evaluation(PAIR, inv, s, 'fail', 'high', `Site pair ${s.name} reports an error: ${p.error}.`, ev);
      if (p.status && UNHEALTHY_PAIR.test(p.status))
        return evaluation(PAIR, inv, s, 'fail', 'high', `Site pair ${s.name} reports status ${p.status}.`, ev);
      if (!p.remoteVersion)
        return evaluation(
          PAIR,
          inv,
          s,
          'fail',
          'high',
          `The remote site's version cannot be read through site pair ${s.name}.`,
          ev,
        );
      return evaluation(
        PAIR,
        inv,
        s,
        'pass',
        'info',
        `Site pair ${s.name} is healthy (remote HCX ${p.remoteVersion}).`,
        ev,
      );
    });
  },
});

const MESHES = allSubjects('service-mesh', 'service meshes');

export const serviceMeshDegraded = defineRule({
  id: MESH.id,
  title: 'Service Mesh degraded',
  family: 'upgrade-readiness',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.upgradeManager, REF.upgradeMesh],
  remediation:
    'The HCX Manager must report healthy connections to its Interconnect service components, and the Service Mesh must be fully converged before upgrading (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'In the HCX UI (Interconnect > Service Mesh) resync or edit the mesh until it is committed, check appliance tunnels (all "Tunnel Up"), and fix the reported service reasons. Customer-owned.',
  needs: ['serviceMeshes', 'appliances'],
  hcxDependent: true,
  naSubject: MESHES,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.serviceMeshes === undefined) return [notCollected(MESH, inv, MESHES, 'serviceMeshes')];
    return inv.serviceMeshes.map((m) => {
      const s: Subject = { id: m.id, name: m.name, kind: 'service-mesh' };
      const problems: string[] = [];
      if (m.state !== undefined && m.state.toUpperCase() !== 'COMMITTED') problems.push(`state ${m.state}`);
      for (const st of m.serviceStatuses ?? []) {
        if (!HEALTHY_SERVICE.test(st.status))
          problems.push(`service ${st.name} is ${st.status}${st.reason?.length ? ` (${st.reason.join('; ')})` : ''}`);
      }
      const members = inv.appliances?.filter((a) => a.serviceMeshId === m.id);
      for (const a of members ?? []) {
        if (a.tunnelTotal !== undefined && a.tunnelActive !== undefined && a.tunnelActive < a.tunnelTotal) {
          problems.push(`appliance ${a.name} has ${a.tunnelActive}/${a.tunnelTotal} tunnels up`);
        }
      }
      const ev = {
        source: 'hcx' as const,
        state: m.state,
        serviceStatuses: m.serviceStatuses,
        tunnels: members?.map((a) => ({ appliance: a.name, active: a.tunnelActive, total: a.tunnelTotal })),
      };
      if (problems.length)
        return evaluation(
          MESH,
          inv,
          s,
          'fail',
          'high',
          `Service Mesh ${m.name} is degraded: ${problems.join('; ')}.`,
          ev,
        );
      const missing = [
        m.state === undefined ? 'mesh state' : undefined,
        members === undefined ? 'appliances (tunnel status)' : undefined,
      ].filter((x): x is string => x !== undefined);
      if (missing.length)
        return evaluation(
          MESH,
          inv,
          s,
          'unknown',
          'high',
          `Cannot confirm Service Mesh ${m.name} is healthy: ${missing.join(' and ')} not collected.`,
          { ...ev, missing },
        );
      return evaluation(
        MESH,
        inv,
        s,
        'pass',
        'info',
        `Service Mesh ${m.name} is committed and its services and tunnels are up.`,
        ev,
      );
    });
  },
});

export const migrationsInProgress = defineRule({
  id: MIGR.id,
  title: 'Migrations in progress',
  family: 'upgrade-readiness',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.avsUpgrade2025],
  remediation:
    'No VM migrations may be in progress while HCX Managers or Service Mesh appliances are upgraded, and the window must have no queued HCX operations (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'Let running migrations finish (or cancel them) before Microsoft’s Cloud Manager window and before you upgrade the Connector. ' +
    UPGRADE_NOTES,
  needs: ['migrations'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.migrations === undefined) return [notCollected(MIGR, inv, MANAGER, 'migrations')];
    const running = inv.migrations.filter((m) => (m.state ?? '').toUpperCase() === 'MIGRATING');
    const ev = {
      source: 'hcx' as const,
      migrating: running.length,
      sample: running.slice(0, 10).map((m) => m.entityName ?? m.id),
    };
    if (running.length) {
      return [
        evaluation(
          MIGR,
          inv,
          MANAGER,
          'fail',
          'low',
          `${running.length} migration(s) are in progress (e.g. ${ev.sample[0]}); no upgrade may start while they run.`,
          ev,
        ),
      ];
    }
    return [evaluation(MIGR, inv, MANAGER, 'pass', 'info', 'No migration is in progress.', ev)];
  },
});

export const UPGRADE_READINESS_RULES = [
  managerConnectionUnhealthy,
  sitePairUnhealthy,
  serviceMeshDegraded,
  migrationsInProgress,
];
