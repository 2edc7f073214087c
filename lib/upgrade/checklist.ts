import type { Inventory } from '../domain/inventory';
import { readState } from '../rules/common';
import { applianceTunnels, HEALTHY_SERVICE } from '../rules/upgrade-readiness';
import { compareVersionStrings, parseVersion } from '../rules/version';

/**
 * The post-upgrade convergence checklist, as the upgrade guides define "converged": Microsoft Learn ("Upgrade HCX on
 * Azure VMware Solution") lets the Service Mesh be upgraded once "all paired HCX Managers … are updated and all
 * services are returned to a fully converged state"; VMware ("Upgrading the HCX Manager") expects the Service Mesh
 * to reflect an available update once the managers are upgraded. Pure: one inventory in, one checklist out.
 * Anything not collected is `unknown`, never `pass` (fail closed).
 */
export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface ChecklistItem {
  id: 'manager-services' | 'site-pairs' | 'service-meshes' | 'extensions';
  title: string;
  status: CheckStatus;
  /** One line per problem (or the reason it cannot be told); empty when it passes. */
  details: string[];
}

export interface Checklist {
  status: CheckStatus;
  items: ChecklistItem[];
}

/** What a checklist compares with: the manager's version after the upgrade and the extensions seen before it. */
export interface ChecklistBasis {
  /** Extended networks seen by the last scan before the upgrade (`undefined`: not known). */
  extensionsBefore?: number;
}

const RUNNING = /^(running|up|started|healthy|active)$/i;

function item(id: ChecklistItem['id'], title: string, details: string[], unknown: string[]): ChecklistItem {
  if (details.length > 0) return { id, title, status: 'fail', details: [...details, ...unknown] };
  if (unknown.length > 0) return { id, title, status: 'unknown', details: unknown };
  return { id, title, status: 'pass', details: [] };
}

function managerServices(inv: Inventory): ChecklistItem {
  const title = 'HCX Manager services running';
  const reach = inv.reachability.hybridity;
  if (!reach) return item('manager-services', title, [], ['the HCX Manager was not contacted this scan']);
  if (!reach.ok) return item('manager-services', title, [`the HCX Manager API did not answer (${reach.errorClass ?? 'error'})`], []);
  const bad: string[] = [];
  const unknown: string[] = [];
  if (!inv.manager?.version) unknown.push('the HCX Manager did not report its version');
  // The appliance components (9443) are readable on Connectors only; a Cloud Manager's API answering is the signal.
  if (inv.services) {
    for (const s of inv.services) if (!RUNNING.test(s.result ?? '')) bad.push(`service ${s.name} is ${s.result ?? 'not reported'}`);
  } else if (inv.target.kind === 'hcx-connector') {
    // Not read is not running: without 9443 (not configured, or not answering) the services are unknown.
    const am = inv.reachability.applianceManagement;
    unknown.push(
      am && !am.ok
        ? 'the appliance management interface (9443) did not answer, so the services could not be read'
        : 'the services were not read (configure the appliance management interface, port 9443, for this Connector)',
    );
  }
  return item('manager-services', title, bad, unknown);
}

function sitePairs(inv: Inventory): ChecklistItem {
  const title = 'Site pairs connected, both versions readable';
  if (!inv.sitePairs) return item('site-pairs', title, [], ['site pairs were not collected this scan']);
  const bad: string[] = [];
  for (const p of inv.sitePairs) {
    const name = p.name ?? p.id;
    if (p.error || readState(p.status) === 'bad') bad.push(`site pair ${name} reports ${p.error ?? p.status}`);
    if (!parseVersion(p.remoteVersion).ok)
      bad.push(`site pair ${name}: the remote site's version cannot be read (${p.remoteVersion ?? 'none'})`);
  }
  return item('site-pairs', title, bad, []);
}

function serviceMeshes(inv: Inventory): ChecklistItem {
  const title = 'Every Service Mesh converged (appliances on the manager version, tunnels up, no error or out-of-sync)';
  const unknown: string[] = [];
  if (!inv.serviceMeshes) unknown.push('service meshes were not collected this scan');
  if (!inv.appliances) unknown.push('appliances were not collected this scan');
  const version = inv.manager?.version;
  if (!version) unknown.push('the manager version is not known');
  if (!inv.serviceMeshes || !inv.appliances) return item('service-meshes', title, [], unknown);
  const bad: string[] = [];
  // The same reading of a mesh and its appliances as hcx-service-mesh-degraded (a state, a service status or tunnel
  // counts nobody reported are unknown, never up), plus the upgrade's own condition: appliances on the manager's
  // version and no update pending ("With the HCX Managers upgraded, the HCX Service Mesh reflects that an update is
  // available" — until it is applied the mesh has not converged).
  for (const m of inv.serviceMeshes) {
    if (m.state === undefined || m.state.trim() === '') unknown.push(`mesh ${m.name} reports no state`);
    else if (!/^committed$/i.test(m.state.trim())) bad.push(`mesh ${m.name} is ${m.state}`);
    for (const s of m.serviceStatuses ?? []) {
      if (s.status.trim() === '') unknown.push(`mesh ${m.name}: service ${s.name || '(unnamed)'} reports no status`);
      else if (!HEALTHY_SERVICE.test(s.status.trim())) bad.push(`mesh ${m.name}: service ${s.name} is ${s.status}`);
    }
    if (m.lastTask?.status && /fail/i.test(m.lastTask.status))
      bad.push(`mesh ${m.name}: its last interconnect task${m.lastTask.type ? ` (${m.lastTask.type})` : ''} ${m.lastTask.status}`);
  }
  for (const a of inv.appliances) {
    const mesh = inv.serviceMeshes.find((m) => m.id === a.serviceMeshId);
    const where = mesh ? ` (mesh ${mesh.name})` : '';
    if (version) {
      const cmp = compareVersionStrings(a.version, version);
      if (cmp === undefined) unknown.push(`appliance ${a.name}${where} did not report a readable version`);
      else if (cmp < 0) bad.push(`appliance ${a.name}${where} runs ${a.version}, the manager ${version}`);
    }
    if (a.updateAvailable === true)
      bad.push(`appliance ${a.name}${where} reports an update available${a.availableVersion ? ` (${a.availableVersion})` : ''}`);
    const t = applianceTunnels(inv, a);
    bad.push(...t.problems.map((p) => `${p}${where}`));
    unknown.push(...t.unknowns.map((p) => `${p}${where}`));
  }
  return item('service-meshes', title, bad, unknown);
}

function extensions(inv: Inventory, basis: ChecklistBasis): ChecklistItem {
  const title = 'No network extension lost';
  if (!inv.extensions) return item('extensions', title, [], ['extended networks were not collected this scan']);
  const bad: string[] = [];
  for (const e of inv.extensions)
    if (readState(e.state) === 'bad') bad.push(`extension ${e.networkName ?? e.id} is ${e.state}`);
  if (basis.extensionsBefore !== undefined && inv.extensions.length < basis.extensionsBefore)
    bad.push(`${basis.extensionsBefore} network(s) were extended before the upgrade, ${inv.extensions.length} now`);
  return item('extensions', title, bad, []);
}

export function convergenceChecklist(inv: Inventory, basis: ChecklistBasis = {}): Checklist {
  const items = [managerServices(inv), sitePairs(inv), serviceMeshes(inv), extensions(inv, basis)];
  const status: CheckStatus = items.some((i) => i.status === 'fail')
    ? 'fail'
    : items.some((i) => i.status === 'unknown')
      ? 'unknown'
      : 'pass';
  return { status, items };
}
