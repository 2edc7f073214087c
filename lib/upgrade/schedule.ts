import { DateTime } from 'luxon';

/**
 * What is scheduled for a private cloud (issue 16), read from two ARM APIs whose wire shapes we know only from
 * Microsoft's published examples:
 *  - AVS maintenances, `GET …/privateClouds/{pc}/maintenances?api-version=2025-09-01` (example Maintenances_Get,
 *    in ARM's `value` list envelope). Fields relied on: `name`, `properties.scheduledStartTime`,
 *    `properties.estimatedDurationInMinutes` (optional), `properties.displayName`, `properties.component`,
 *    `properties.state.name`.
 *  - Service Health, `GET /subscriptions/{s}/providers/Microsoft.ResourceHealth/events?api-version=2025-05-01`
 *    (example Events_ListBySubscriptionId). Fields relied on: `name` (tracking id), `properties.eventType`
 *    (`PlannedMaintenance`), `properties.title`, `properties.status`, `properties.impactStartTime`,
 *    `properties.impactMitigationTime` (optional), `properties.impact[].impactedService`.
 * Anything else in those bodies is ignored. A body or an item that does not have the fields relied on is reported as
 * a problem (the schedule is then `unknown` to the rules), never dropped in silence.
 */
export interface MaintenanceWindow {
  source: 'avs-maintenance' | 'service-health';
  id: string;
  title: string;
  component?: string;
  /** `state.name` (AVS) or `status` (Service Health), opaque. */
  state?: string;
  startsAt: string;
  endsAt?: string;
}

export interface MaintenanceSchedule {
  windows: MaintenanceWindow[];
  /** Items or bodies we could not read (shape not as documented). */
  problems: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function instant(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const dt = DateTime.fromISO(s, { zone: 'utc' });
  return dt.isValid ? dt.toUTC().toISO()! : undefined;
}

/** The `value` array of an ARM list body, or why not. */
export function listItems(body: unknown, what: string): { items: unknown[] } | { problem: string } {
  if (!isObj(body) || !Array.isArray(body.value)) return { problem: `${what}: the answer has no "value" list` };
  return { items: body.value };
}

export function parseMaintenances(body: unknown): MaintenanceSchedule {
  const list = listItems(body, 'maintenances');
  if ('problem' in list) return { windows: [], problems: [list.problem] };
  const out: MaintenanceSchedule = { windows: [], problems: [] };
  list.items.forEach((item, i) => {
    const p = isObj(item) && isObj(item.properties) ? item.properties : undefined;
    const name = isObj(item) ? str(item.name) : undefined;
    const startsAt = instant(p?.scheduledStartTime);
    if (!p || !startsAt) {
      out.problems.push(`maintenance ${name ?? `#${i + 1}`}: no readable scheduledStartTime`);
      return;
    }
    const w: MaintenanceWindow = {
      source: 'avs-maintenance',
      id: name ?? `#${i + 1}`,
      title: str(p.displayName) ?? name ?? 'AVS maintenance',
      startsAt,
    };
    const component = str(p.component);
    if (component) w.component = component;
    const state = isObj(p.state) ? str(p.state.name) : undefined;
    if (state) w.state = state;
    const minutes = p.estimatedDurationInMinutes;
    if (typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0)
      w.endsAt = DateTime.fromISO(startsAt, { zone: 'utc' }).plus({ minutes }).toISO()!;
    out.windows.push(w);
  });
  return out;
}

/** Service Health's name of the service (impact[].impactedService); any other service's events are not ours. */
export const AVS_SERVICE_NAME = 'Azure VMware Solution';
// The name exactly, any case, with the plural some Microsoft pages use; not merely any name containing "VMware".
const AVS_SERVICE = /^azure vmware solutions?$/i;

/** "West Europe", "westeurope", "West-Europe" → "westeurope": Service Health names regions, ARM gives locations. */
const regionKey = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Planned-maintenance events of Azure VMware Solution that can concern a private cloud in `location` (its ARM
 * location). The events are the subscription's: another service's (a name merely containing "VMware" included) or
 * an AVS maintenance of another region (another private cloud of the subscription) is not this cloud's window. An
 * AVS event that names no region, or a global one, is kept (it may be this cloud's).
 */
export function parseServiceHealthEvents(body: unknown, location?: string): MaintenanceSchedule {
  const list = listItems(body, 'Service Health events');
  if ('problem' in list) return { windows: [], problems: [list.problem] };
  const out: MaintenanceSchedule = { windows: [], problems: [] };
  const here = location ? regionKey(location) : undefined;
  list.items.forEach((item, i) => {
    const p = isObj(item) && isObj(item.properties) ? item.properties : undefined;
    const name = isObj(item) ? str(item.name) : undefined;
    if (!p) {
      out.problems.push(`event ${name ?? `#${i + 1}`}: no properties`);
      return;
    }
    if (str(p.eventType) !== 'PlannedMaintenance') return;
    const avs = (Array.isArray(p.impact) ? p.impact : []).filter(
      (x): x is Obj => isObj(x) && AVS_SERVICE.test(str(x.impactedService)?.trim() ?? ''),
    );
    if (avs.length === 0) return;
    if (here) {
      const regions = avs.flatMap((x) =>
        Array.isArray(x.impactedRegions) ? x.impactedRegions.map((r) => (isObj(r) ? str(r.impactedRegion) : undefined)) : [],
      );
      const named = regions.filter((r): r is string => r !== undefined).map(regionKey);
      if (named.length > 0 && !named.some((r) => r === here || r === 'global')) return;
    }
    const startsAt = instant(p.impactStartTime);
    if (!startsAt) {
      out.problems.push(`planned maintenance ${name ?? `#${i + 1}`}: no readable impactStartTime`);
      return;
    }
    const w: MaintenanceWindow = {
      source: 'service-health',
      id: name ?? `#${i + 1}`,
      title: str(p.title) ?? 'Planned maintenance',
      startsAt,
    };
    const endsAt = instant(p.impactMitigationTime);
    if (endsAt) w.endsAt = endsAt;
    const state = str(p.status);
    if (state) w.state = state;
    out.windows.push(w);
  });
  return out;
}

// Maintenance state.name (2025-09-01: NotScheduled, Scheduled, InProgress, Success, Failed, Canceled) and Service
// Health status (Active, Resolved) values that end a window.
const OVER = /^(success|succeeded|completed|cancell?ed|resolved|failed)$/i;

/**
 * Windows that have not ended at `asOf`, earliest first: a window without an end counts until its start has passed
 * by a day (the estimate is missing, not the maintenance).
 */
export function upcomingWindows(s: MaintenanceSchedule, asOf: DateTime): MaintenanceWindow[] {
  return s.windows
    .filter((w) => !OVER.test(w.state ?? ''))
    .filter((w) => {
      const end = w.endsAt
        ? DateTime.fromISO(w.endsAt, { zone: 'utc' })
        : DateTime.fromISO(w.startsAt, { zone: 'utc' }).plus({ days: 1 });
      return end > asOf;
    })
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}
