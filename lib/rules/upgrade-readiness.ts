import type { Evaluation } from '../domain/evaluation';
import type { Appliance, Inventory, Migration, Registration } from '../domain/inventory';
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
  readState,
  readVersion,
  type Subject,
} from './common';

const CONN = { id: 'hcx-manager-connection-unhealthy', defaultSeverity: 'high' } as const;
const PAIR = { id: 'hcx-site-pair-unhealthy', defaultSeverity: 'high' } as const;
const MESH = { id: 'hcx-service-mesh-degraded', defaultSeverity: 'high' } as const;
const MIGR = { id: 'hcx-migrations-in-progress', defaultSeverity: 'low' } as const;

const CONNECTION_SUBJECTS: Record<'vcenter' | 'nsx' | 'sso' | 'appengine' | 'alerts', Subject> = {
  vcenter: { id: 'vcenter', name: 'vCenter Server registration', kind: 'connection' },
  nsx: { id: 'nsx', name: 'NSX Manager registration', kind: 'connection' },
  sso: { id: 'lookup-service', name: 'SSO lookup service registration', kind: 'connection' },
  appengine: { id: 'appengine', name: 'HCX app engine', kind: 'connection' },
  alerts: { id: 'alerts', name: 'HCX critical alerts', kind: 'connection' },
};

export const HEALTHY_SERVICE = /^(up|healthy|running|active)$/i;

/** Alert severities below critical. Anything else (blank, FATAL, P1, a number) may be critical: it cannot pass. */
const NOT_CRITICAL = /^(info|informational|notice|debug|warning|warn|minor|major|moderate|low|medium|high|error)$/i;

/** Appliance types that carry tunnels (Interconnect and Network Extension); WAN-Opt and OSAM appliances do not. */
const TUNNELLED = /wan[-_ ]?ix|interconnect|net[-_ ]?ext|l2c|l2concentrator/i;

export const managerConnectionUnhealthy = defineRule({
  id: CONN.id,
  title: 'HCX Manager connections unhealthy',
  family: 'upgrade-readiness',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  // Needs the appliance-management interface (9443), which AVS does not expose for the Cloud Manager.
  appliesTo: ['hcx-connector'],
  references: [REF.avsUpgrade, REF.upgradeManager],
  action:
    'Fix the vCenter and NSX registrations and the app engine on the appliance management interface (9443), and clear critical HCX alerts, before upgrading.',
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
        notCollected(CONN, inv, S.sso, 'registrations', 'appliance'),
      );
    } else {
      out.push(requiredRegistration(inv, S.vcenter, regs.vcenter, 'vCenter Server registration'));
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
            `${named('NSX Manager registration', broken[0].url)} reports an error: ${broken[0].error?.trim() || 'no detail'}.`,
            nev,
          ),
        );
      // Optional, but an entry that names neither URL nor version cannot vouch for a healthy registration.
      else if (regs.nsx.length && !regs.nsx.some((r) => r.url?.trim() || r.version?.trim()))
        out.push(
          evaluation(
            CONN,
            inv,
            S.nsx,
            'unknown',
            'high',
            'The NSX Manager registration was reported without a URL or version: whether it works cannot be told.',
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
    // HCX signs in through vCenter's SSO. A registration in error fails; an empty list while our SSO login to this
    // very manager worked contradicts itself, so it is unknown rather than a missing registration.
    if (regs !== undefined) {
      const sso = regs.lookupService;
      if (sso.length === 0 && inv.reachability.hybridity?.ok === true)
        out.push(
          evaluation(
            CONN,
            inv,
            S.sso,
            'unknown',
            'high',
            'The SSO lookup service registration was not reported, although the SSO login worked.',
            {
              source: 'appliance',
              registrations: [],
            },
          ),
        );
      else out.push(requiredRegistration(inv, S.sso, sso, 'SSO lookup service registration'));
    }
    if (inv.services === undefined) out.push(notCollected(CONN, inv, S.appengine, 'services', 'appliance'));
    else {
      const ae = inv.services.find((c) => lc(c.name) === 'appengine');
      const ev = { source: 'appliance' as const, appengine: ae?.result };
      // A blank result reports no more of a state than a missing one.
      if (!ae?.result?.trim())
        out.push(evaluation(CONN, inv, S.appengine, 'unknown', 'high', 'The app engine status was not reported.', ev));
      else if (ae.result.trim().toUpperCase() !== 'RUNNING')
        out.push(
          evaluation(
            CONN,
            inv,
            S.appengine,
            'fail',
            'high',
            `The HCX app engine is ${ae.result.trim()}, not RUNNING.`,
            ev,
          ),
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
      // Padding is not a severity: ' CRITICAL ' is critical (the parser passes the wire's strings as sent).
      const critical = inv.hcxAlerts.filter((a) => lc(a.severity?.trim()) === 'critical');
      // The alerts API is undocumented: an alert without a severity, or with one not known to be below critical,
      // may be the critical one, so it cannot pass.
      const unrated = inv.hcxAlerts.filter(
        (a) => !critical.includes(a) && !NOT_CRITICAL.test(a.severity?.trim() ?? ''),
      );
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
            `HCX raises ${critical.length} critical alert(s): ${critical[0].message?.trim() || critical[0].id}.`,
            ev,
          ),
        );
      else if (unrated.length)
        out.push(
          evaluation(
            CONN,
            inv,
            S.alerts,
            'unknown',
            'high',
            `HCX raises ${unrated.length} alert(s) with a missing or unfamiliar severity (first: ${unrated[0].message?.trim() || unrated[0].id}): whether one is critical cannot be told.`,
            { ...ev, unrated: unrated.slice(0, 10).map((a) => a.id) },
          ),
        );
      else out.push(evaluation(CONN, inv, S.alerts, 'pass', 'info', 'HCX raises no critical alert.', ev));
    }
    return out;
  },
});

/** A registration the manager cannot work without: none, or none without an error, fails. */
function requiredRegistration(inv: Inventory, s: Subject, regs: readonly Registration[], what: string): Evaluation {
  const ev = {
    source: 'appliance' as const,
    registrations: regs.map((r) => ({ url: r.url, version: r.version, error: r.error })),
  };
  // An entry with neither URL nor version (nor error) says nothing about a working registration (hcx-api.md reads
  // "vCenter registered" as a non-empty config; the lookup service's documented shape has a URL and no version).
  const working = regs.filter((r) => !r.error && !!(r.url?.trim() || r.version?.trim()));
  if (regs.length === 0) return evaluation(CONN, inv, s, 'fail', 'high', `The HCX Manager has no ${what}.`, ev);
  const broken = regs.find((r) => r.error);
  if (working.length === 0 && broken)
    return evaluation(
      CONN,
      inv,
      s,
      'fail',
      'high',
      `No working ${what}: ${broken.error?.trim() || 'an error without detail'}.`,
      ev,
    );
  if (working.length === 0)
    return evaluation(
      CONN,
      inv,
      s,
      'unknown',
      'high',
      `The ${what} was reported without a URL or version: whether it works cannot be told.`,
      ev,
    );
  return evaluation(CONN, inv, s, 'pass', 'info', `${named(what, working[0].url)} is healthy.`, ev);
}

/** A registration as the message names it: with its URL when it reports one (no gap where it does not). */
function named(what: string, url: string | undefined): string {
  return url ? `${what} ${url}` : what;
}

const PAIRS = allSubjects('site-pair', 'site pairs');

export const sitePairUnhealthy = defineRule({
  id: PAIR.id,
  title: 'Site pair unhealthy',
  family: 'upgrade-readiness',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.upgradeManager],
  action:
    'Check the site pair (Infrastructure > Site Pairing): credentials, certificates and reachability of the remote manager; re-pair if needed.',
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
      const state = readState(p.status);
      if (state === 'bad')
        return evaluation(PAIR, inv, s, 'fail', 'high', `Site pair ${s.name} reports status ${p.status}.`, ev);
      const remote = readVersion(p.remoteVersion, `the remote site of ${s.name}`);
      if (!remote.ok)
        return evaluation(
          PAIR,
          inv,
          s,
          'fail',
          'high',
          `The remote site's version cannot be read through site pair ${s.name} (${remote.reason}): the pairing is not healthy.`,
          ev,
        );
      if (state === 'unknown')
        return evaluation(
          PAIR,
          inv,
          s,
          'unknown',
          'high',
          `Site pair ${s.name} reports status ${p.status}, which is not a known healthy state; confirm it in the HCX UI (Infrastructure > Site Pairing).`,
          ev,
        );
      return evaluation(
        PAIR,
        inv,
        s,
        'pass',
        'info',
        `Site pair ${s.name} is ${p.status ? `${p.status}` : 'reachable'} (remote HCX ${remote.raw}).`,
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
  action:
    'Resync or edit the Service Mesh (Interconnect > Service Mesh) until it is committed, its services are up and every tunnel is active.',
  remediation:
    'The HCX Manager must report healthy connections to its Interconnect service components, and the Service Mesh must be fully converged before upgrading (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'In the HCX UI (Interconnect > Service Mesh) resync or edit the mesh until it is committed, check appliance tunnels (all "Tunnel Up"), and fix the reported service reasons. Customer-owned.',
  needs: ['serviceMeshes', 'appliances', 'tunnelMetrics'],
  hcxDependent: true,
  naSubject: MESHES,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.serviceMeshes === undefined) return [notCollected(MESH, inv, MESHES, 'serviceMeshes')];
    // Ids are compared as sent (as deprecated-features does): one that names no listed mesh, blank or padded
    // included, leaves the appliance without a mesh.
    const meshIds = new Set(inv.serviceMeshes.map((m) => m.id));
    const orphans = inv.appliances?.filter((a) => a.serviceMeshId === undefined || !meshIds.has(a.serviceMeshId)) ?? [];
    const orphanProblems = orphans.flatMap((a) => applianceTunnels(inv, a).problems);
    return inv.serviceMeshes.map((m) => {
      const s: Subject = { id: m.id, name: m.name, kind: 'service-mesh' };
      const problems: string[] = [];
      const unknowns: string[] = [];
      // The parser passes the wire's strings as sent: a blank state was not reported, and padding is not a fault
      // (the same reading as the upgrade checklist).
      const state = m.state?.trim();
      if (!state) unknowns.push('mesh state not reported');
      else if (state.toUpperCase() !== 'COMMITTED') problems.push(`state ${m.state}`);
      for (const st of m.serviceStatuses ?? []) {
        const status = st.status.trim();
        if (status === '') unknowns.push(`service ${st.name || '(unnamed)'} reports no status`);
        else if (!HEALTHY_SERVICE.test(status))
          problems.push(`service ${st.name} is ${st.status}${st.reason?.length ? ` (${st.reason.join('; ')})` : ''}`);
      }
      if (m.lastTask?.status && /fail/i.test(m.lastTask.status))
        problems.push(
          `its last interconnect task${m.lastTask.type ? ` (${m.lastTask.type})` : ''} ${m.lastTask.status}`,
        );
      const members = inv.appliances?.filter((a) => a.serviceMeshId === m.id);
      const tunnels = members?.map((a) => applianceTunnels(inv, a));
      // A mesh with no appliance listed has nothing reported down (RULES.md fails on appliances that are); the
      // evidence says so rather than calling it unknown.
      if (members === undefined) unknowns.push('appliances not collected');
      // An appliance reported down without the mesh it serves may be this mesh's: the mesh cannot be confirmed.
      for (const p of orphanProblems) unknowns.push(`${p}, reported without its Service Mesh`);
      for (const t of tunnels ?? []) {
        problems.push(...t.problems);
        unknowns.push(...t.unknowns);
      }
      const ev = {
        source: 'hcx' as const,
        state: m.state,
        serviceStatuses: m.serviceStatuses,
        lastTask: m.lastTask,
        appliances: tunnels?.map((t) => t.evidence),
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
      if (unknowns.length)
        return evaluation(
          MESH,
          inv,
          s,
          'unknown',
          'high',
          `Cannot confirm Service Mesh ${m.name} is healthy: ${unknowns.join('; ')}. What was not reported is never read as healthy.`,
          { ...ev, missing: unknowns },
        );
      return evaluation(
        MESH,
        inv,
        s,
        'pass',
        'info',
        `Service Mesh ${m.name} is committed, its appliances are up and every tunnel is active.`,
        ev,
      );
    });
  },
});

/**
 * One appliance's health: its reported state, and its tunnels (the interconnect metrics first, then any counts the
 * appliance list carries). Active < total, or no tunnel at all, fails; counts nobody reported are unknown.
 */
export function applianceTunnels(
  inv: Inventory,
  a: Appliance,
): { problems: string[]; unknowns: string[]; evidence: Record<string, unknown> } {
  const problems: string[] = [];
  const unknowns: string[] = [];
  const state = readState(a.state);
  if (state === 'bad') problems.push(`appliance ${a.name} is ${a.state}`);
  const metric = inv.tunnelMetrics?.find((t) => t.applianceId === a.id);
  if (metric?.overallStatus !== undefined && readState(metric.overallStatus) === 'bad')
    problems.push(`appliance ${a.name} reports ${metric.overallStatus}`);
  const total = metric?.tunnelTotal ?? a.tunnelTotal;
  const active = metric?.tunnelActive ?? a.tunnelActive;
  const evidence = { appliance: a.name, type: a.type, state: a.state, tunnelsActive: active, tunnelsTotal: total };
  // One test for "both counts reported", shared by the two uses below (it also narrows both for the compiler).
  const counted = total !== undefined && active !== undefined;
  // An unfamiliar state (hcx-api.md §14.3: values undocumented) is unknown unless its tunnels prove it up.
  const provenUp = counted && total > 0 && active >= total;
  if (state === 'unknown' && !(TUNNELLED.test(a.type) && provenUp))
    unknowns.push(`appliance ${a.name} reports state ${a.state}`);
  if (!TUNNELLED.test(a.type)) return { problems, unknowns, evidence };
  if (counted) {
    if (total === 0) problems.push(`appliance ${a.name} has no tunnel`);
    else if (active < total) problems.push(`appliance ${a.name} has ${active}/${total} tunnels up`);
  } else if (inv.tunnelMetrics === undefined) {
    unknowns.push(
      `tunnel status of ${a.name} not collected (interconnect metrics ${inv.unsupported?.includes('tunnelMetrics') ? 'not offered by this HCX build' : 'not collected'})`,
    );
  } else {
    unknowns.push(`tunnel status of ${a.name} not reported`);
  }
  return { problems, unknowns, evidence };
}

export const migrationsInProgress = defineRule({
  id: MIGR.id,
  title: 'Migrations in progress',
  family: 'upgrade-readiness',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.avsUpgrade2025],
  action: 'Let running migrations finish, or cancel them, before any HCX Manager or Service Mesh upgrade.',
  remediation:
    'No VM migrations may be in progress while HCX Managers or Service Mesh appliances are upgraded, and the window must have no queued HCX operations (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'Let running migrations finish (or cancel them) before Microsoft’s Cloud Manager window and before you upgrade the Connector. ' +
    UPGRADE_NOTES,
  needs: ['migrations'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.migrations === undefined) return [notCollected(MIGR, inv, MANAGER, 'migrations')];
    const read = inv.migrations.map((m) => ({ m, phase: migrationPhase(m) }));
    const running = read.filter((r) => r.phase === 'running').map((r) => r.m);
    const unclear = read.filter((r) => r.phase === 'unknown').map((r) => r.m);
    const ev = {
      source: 'hcx' as const,
      inProgress: running.length,
      sample: running.slice(0, 10).map((m) => ({ migration: m.entityName ?? m.id, state: m.state })),
      withoutState: unclear.length,
    };
    if (running.length) {
      const first = running[0];
      return [
        evaluation(
          MIGR,
          inv,
          MANAGER,
          'fail',
          'low',
          `${running.length} migration(s) are not finished (e.g. ${first.entityName ?? first.id}${first.state ? `, ${first.state}` : ''}); no upgrade may start while they run.`,
          ev,
        ),
      ];
    }
    if (unclear.length)
      return [
        evaluation(
          MIGR,
          inv,
          MANAGER,
          'unknown',
          'low',
          `${unclear.length} migration(s) report no state (e.g. ${unclear[0].entityName ?? unclear[0].id}); cannot rule out one in progress.`,
          ev,
        ),
      ];
    return [evaluation(MIGR, inv, MANAGER, 'pass', 'info', 'No migration is in progress.', ev)];
  },
});

/** Terminal states of the legacy query (hcx-api.md §8.3); every other state is still in progress. */
const TERMINAL_MIGRATION = new Set(['MIGRATED', 'MIGRATE_FAILED', 'MIGRATE_CANCELED', 'MIGRATE_CANCELLED']);

/**
 * A migration is finished when the newer API says `isDone`/`isCancelled`, or its state is terminal; any other state
 * (MIGRATING, a queued, scheduled or switchover phase) is in progress. Drafts are not operations. No state → unknown.
 */
export function migrationPhase(m: Migration): 'done' | 'running' | 'unknown' {
  if (m.draft === true) return 'done';
  if (m.done === true) return 'done';
  if (m.done === false) return 'running';
  if (m.state === undefined || m.state.trim() === '') return 'unknown';
  return TERMINAL_MIGRATION.has(m.state.trim().toUpperCase()) ? 'done' : 'running';
}

const QUEUED = { id: 'hcx-operations-queued', defaultSeverity: 'low' } as const;
const ACTIVE_TASK = /^(queued|running|in[_ ]?progress|pending|scheduled)$/i;
/** Interconnect task statuses that end a task (hcx-api.md §2.4: SUCCESS, FAILED; STOPPED and REALIZED seen in code). */
const FINISHED_TASK = /^(success|failed|stopped|realized)$/i;

export const operationsQueued = defineRule({
  id: QUEUED.id,
  title: 'HCX operations queued or running',
  family: 'upgrade-readiness',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade, REF.avsUpgrade2025],
  action: 'Wait for running Service Mesh tasks to finish and move scheduled migrations out of the upgrade window.',
  remediation:
    'Apply HCX service updates during a maintenance window where no new HCX operations are queued up (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'Wait for running Service Mesh tasks (create, update, resync, redeploy) to finish and move scheduled migrations out of the upgrade window before Microsoft’s Cloud Manager window or your Connector upgrade. Customer-owned.',
  needs: ['serviceMeshes', 'migrations'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    // `?.` then `?? []` (not `(x ?? []).`): an uncollected list stays empty here and is reported as missing below.
    const tasks =
      inv.serviceMeshes?.flatMap((m) =>
        m.lastTask?.status !== undefined && ACTIVE_TASK.test(m.lastTask.status.trim())
          ? [`${m.lastTask.type ?? 'task'} on mesh ${m.name} is ${m.lastTask.status.trim()}`]
          : [],
      ) ?? [];
    // A last task whose status is blank or one HCX is not known to send may still be running: it cannot pass.
    const unclear =
      inv.serviceMeshes?.flatMap((m) => {
        const status = m.lastTask?.status?.trim();
        if (m.lastTask === undefined || ACTIVE_TASK.test(status ?? '') || FINISHED_TASK.test(status ?? '')) return [];
        return [`the last task on mesh ${m.name} reports ${status ? `status ${status}` : 'no status'}`];
      }) ?? [];
    const scheduled = inv.migrations?.filter((m) => m.scheduled === true && migrationPhase(m) !== 'done') ?? [];
    const found = [...tasks];
    if (scheduled.length)
      found.push(
        `${scheduled.length} migration(s) scheduled or waiting for their window (e.g. ${scheduled[0].entityName ?? scheduled[0].id})`,
      );
    const ev = { source: 'hcx' as const, tasks, scheduledMigrations: scheduled.length };
    if (found.length)
      return [
        evaluation(
          QUEUED,
          inv,
          MANAGER,
          'fail',
          'low',
          `HCX operations are queued or running: ${found.join('; ')}.`,
          ev,
        ),
      ];
    const missing = [
      inv.serviceMeshes === undefined ? 'serviceMeshes' : undefined,
      inv.migrations === undefined ? 'migrations' : undefined,
    ].filter((x): x is string => x !== undefined);
    if (missing.length || unclear.length)
      return [
        evaluation(
          QUEUED,
          inv,
          MANAGER,
          'unknown',
          'low',
          `Cannot rule out queued HCX operations: ${[...(missing.length ? [`${missing.join(' and ')} not collected`] : []), ...unclear].join('; ')}.`,
          { ...ev, missing, unclear },
        ),
      ];
    return [
      evaluation(QUEUED, inv, MANAGER, 'pass', 'info', 'No Service Mesh task or scheduled migration is pending.', ev),
    ];
  },
});

export const UPGRADE_READINESS_RULES = [
  managerConnectionUnhealthy,
  sitePairUnhealthy,
  serviceMeshDegraded,
  migrationsInProgress,
  operationsQueued,
];
