import { DateTime } from 'luxon';
import type { Finding, UpgradeRecord } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import { escapeHtml, statusPill, table } from '../api/html';
import { UPGRADE_NOT_CONVERGED_RULE } from '../rules/upgrade-convergence';
import { convergenceChecklist, type Checklist } from './checklist';
import { latestUpgrade } from './history';
import { upcomingWindows, type MaintenanceWindow } from './schedule';

const AVS_UPGRADE_DOC = 'https://learn.microsoft.com/azure/azure-vmware/upgrade-hcx-azure-vmware-solutions';
/** Who upgrades what, as that guide states it (the page must not leave the Connector or the mesh to Microsoft). */
const OWNERSHIP =
  'Microsoft upgrades the HCX Cloud Manager; the HCX Connector and the Service Mesh appliances are upgraded by the customer.';

/** What the target page shows about upgrades (issue 16): the ones observed, and the live checklist during a window. */
export interface UpgradeView {
  upgrades: UpgradeRecord[];
  /** The latest upgrade while it has not converged, with the checklist on the latest inventory. */
  window?: { upgrade: UpgradeRecord; checklist: Checklist; windowEndsAt?: string };
  /** Private clouds: the maintenance windows not yet over; `unread` when the schedule could not be read. */
  scheduled?: { windows: MaintenanceWindow[]; problems: string[] } | 'unread';
}

/** Pure: the target's history, its latest inventory and its stored findings in, the view out. */
export function upgradeView(
  upgrades: UpgradeRecord[] | undefined,
  inv: Inventory,
  findings: readonly Finding[],
  asOf: DateTime = DateTime.utc(),
): UpgradeView {
  const list = upgrades ?? [];
  const latest = latestUpgrade({ upgrades: list });
  const m = inv.arm?.maintenance;
  const scheduled: UpgradeView['scheduled'] =
    inv.target.kind !== 'avs-private-cloud' ? undefined : m ? { windows: upcomingWindows(m, asOf), problems: m.problems } : 'unread';
  if (!latest || latest.convergedAt) return scheduled ? { upgrades: list, scheduled } : { upgrades: list };
  const f = findings.find((x) => x.ruleId === UPGRADE_NOT_CONVERGED_RULE && x.subjectId === 'manager');
  const end = f?.evidence.windowEndsAt;
  return {
    upgrades: list,
    ...(scheduled ? { scheduled } : {}),
    window: {
      upgrade: latest,
      checklist: convergenceChecklist(inv, latest),
      ...(typeof end === 'string' ? { windowEndsAt: end } : {}),
    },
  };
}

/** The checklist as HTML rows (the target page) — the same items `hcxmon watch` prints. */
export function renderChecklist(c: Checklist): string {
  return table(
    'convergence',
    `Convergence checklist: ${c.status}`,
    [{ label: 'Check' }, { label: 'Status' }, { label: 'Details' }],
    c.items.map((i) => ({
      cells: [escapeHtml(i.title), statusPill(i.status), i.details.map((d) => escapeHtml(d)).join('<br>')],
    })),
    'nothing to check',
  );
}

function renderScheduled(s: NonNullable<UpgradeView['scheduled']>): string {
  if (s === 'unread')
    return `<h2>Scheduled maintenance</h2><p>${statusPill('unknown')} The maintenance schedule could not be read this scan (AVS maintenances, Service Health); whether a window is coming is unknown.</p>`;
  return (
    `<h2>Scheduled maintenance</h2>` +
    (s.problems.length ? `<p>${statusPill('unknown')} Part of the schedule could not be read: ${s.problems.map((p) => escapeHtml(p)).join('; ')}</p>` : '') +
    table(
      'maintenance',
      'Maintenance windows not yet over (AVS maintenances and Service Health planned maintenance), earliest first',
      [{ label: 'Maintenance' }, { label: 'Source' }, { label: 'Starts' }, { label: 'Ends' }, { label: 'State' }],
      s.windows.map((w) => ({
        cells: [
          escapeHtml(w.title) + (w.component ? ` <span class="muted">(${escapeHtml(w.component)})</span>` : ''),
          w.source === 'avs-maintenance' ? 'AVS maintenance' : 'Service Health',
          escapeHtml(w.startsAt),
          w.endsAt ? escapeHtml(w.endsAt) : '<span class="muted">not given</span>',
          escapeHtml(w.state ?? ''),
        ],
      })),
      'nothing scheduled',
    )
  );
}

export function renderUpgradeSection(v: UpgradeView): string {
  let out = v.scheduled ? renderScheduled(v.scheduled) : '';
  if (v.window) {
    const u = v.window.upgrade;
    out +=
      `<h2>Upgrade window</h2>` +
      `<p>Upgraded from ${escapeHtml(u.fromVersion)} to ${escapeHtml(u.toVersion)} (seen ${escapeHtml(u.firstSeenToAt)}); ` +
      (v.window.windowEndsAt ? `the window ends ${escapeHtml(v.window.windowEndsAt)}. ` : '') +
      `Convergence as <a href="${AVS_UPGRADE_DOC}">Microsoft Learn, “Upgrade HCX on Azure VMware Solution”</a> defines it: all services returned to a fully converged state. ` +
      `${OWNERSHIP}</p>` +
      renderChecklist(v.window.checklist);
  }
  if (v.upgrades.length === 0) return out;
  return (
    out +
    `<h2>Upgrades</h2>` +
    table(
      'upgrades',
      'Version changes seen between two scans, newest first',
      [{ label: 'Upgrade' }, { label: 'Last seen on the old version' }, { label: 'First seen on the new version' }, { label: 'Converged' }],
      [...v.upgrades].reverse().map((u) => ({
        cells: [
          `${escapeHtml(u.fromVersion)} → ${escapeHtml(u.toVersion)}`,
          escapeHtml(u.lastSeenFromAt),
          escapeHtml(u.firstSeenToAt),
          u.convergedAt ? escapeHtml(u.convergedAt) : statusPill('open', 'not yet'),
        ],
      })),
      'no upgrade observed',
    )
  );
}
