import type { Config } from '../config';
import type { CollectionIssue, Inventory } from '../domain/inventory';
import type { Target } from '../domain/target';
import { errorMessage } from '../errors';
import { parseMaintenances, parseServiceHealthEvents, type MaintenanceSchedule } from '../upgrade/schedule';
import { createArmRest, type ArmRest } from './discovery';

/** `@azure/arm-avs` 4.0.0 has no maintenances operations: this api-version is called through the ARM REST pipeline. */
export const MAINTENANCES_API_VERSION = '2025-09-01';
/** Service Health events (Microsoft.ResourceHealth). */
export const EVENTS_API_VERSION = '2025-05-01';
/** A list with more pages than this is read no further (and says so: the schedule is then unknown). */
const MAX_PAGES = 10;

const rests = new WeakMap<Config, ArmRest>();

/** One authenticated ARM pipeline per configuration (pinned to HCXMON_ARM_ENDPOINT, like discovery's). */
function restFor(config: Config): ArmRest {
  let r = rests.get(config);
  if (!r) rests.set(config, (r = createArmRest(config)));
  return r;
}

function issue(call: string, message: string, status?: number): CollectionIssue {
  const i: CollectionIssue = {
    source: 'arm',
    call,
    errorClass: status === 401 || status === 403 ? 'auth' : status ? 'http' : 'malformed',
    message,
  };
  if (status) i.status = status;
  return i;
}

/**
 * Reads what is scheduled for one private cloud (AVS maintenances, Service Health planned maintenance for AVS) into
 * `inv.arm.maintenance`. Either call failing leaves `maintenance` undefined and records an issue: an unread schedule
 * is `unknown` to the rules, never "nothing scheduled". Never throws.
 */
export async function collectMaintenance(config: Config, target: Target, inv: Inventory, given?: ArmRest): Promise<void> {
  const arm = target.arm;
  if (!arm || !inv.arm) return;
  const base = `/subscriptions/${encodeURIComponent(arm.subscriptionId)}`;
  const cloud = `${base}/resourceGroups/${encodeURIComponent(arm.resourceGroup)}/providers/Microsoft.AVS/privateClouds/${encodeURIComponent(arm.privateCloudName)}`;
  const schedule: MaintenanceSchedule = { windows: [], problems: [] };
  // A page link is followed only when it points back to the configured ARM endpoint (the pipeline refuses other
  // origins too); any other link means pages exist that were not read: a problem (unknown), never the end of the list.
  const nextOf = (body: unknown, what: string): string | undefined => {
    const next = (body as { nextLink?: unknown } | undefined)?.nextLink;
    if (next === undefined || next === null || next === '') return undefined;
    if (typeof next === 'string' && next.startsWith(`${config.armEndpoint}/`)) return next;
    schedule.problems.push(`${what}: a next page was announced at another address and not read`);
    return undefined;
  };
  try {
    const rest = given ?? restFor(config);
    let url: string | undefined = `${cloud}/maintenances?api-version=${MAINTENANCES_API_VERSION}`;
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) {
        schedule.problems.push(`maintenances: more than ${MAX_PAGES} pages; the rest was not read`);
        break;
      }
      const r = await rest.send('GET', url);
      if (r.status !== 200) {
        inv.issues.push(issue('maintenances', `arm maintenances: HTTP ${r.status}`, r.status));
        return;
      }
      const m = parseMaintenances(r.json);
      schedule.windows.push(...m.windows);
      schedule.problems.push(...m.problems);
      url = nextOf(r.json, 'maintenances');
    }
    url = `${base}/providers/Microsoft.ResourceHealth/events?api-version=${EVENTS_API_VERSION}`;
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) {
        schedule.problems.push(`Service Health events: more than ${MAX_PAGES} pages; the rest was not read`);
        break;
      }
      const e = await rest.send('GET', url);
      if (e.status !== 200) {
        inv.issues.push(issue('serviceHealthEvents', `arm Service Health events: HTTP ${e.status}`, e.status));
        return;
      }
      // Only this cloud's region: the subscription's other private clouds have their own windows.
      const parsed = parseServiceHealthEvents(e.json, inv.arm.location);
      schedule.windows.push(...parsed.windows);
      schedule.problems.push(...parsed.problems);
      url = nextOf(e.json, 'Service Health events');
    }
    inv.arm.maintenance = schedule;
  } catch (err) {
    inv.issues.push({ source: 'arm', call: 'maintenances', errorClass: 'http', message: `arm maintenances: ${errorMessage(err).slice(0, 200)}` });
  }
}
