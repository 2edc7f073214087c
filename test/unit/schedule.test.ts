/* eslint-disable @typescript-eslint/no-explicit-any -- an example body edited in place */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { GATE_PREREQUISITE_RULES } from '../../lib/api/readiness';
import { GATE_PREREQUISITES } from '../../lib/rules/upgrade-window';
import { parseMaintenances, parseServiceHealthEvents, upcomingWindows } from '../../lib/upgrade/schedule';

/** Microsoft's examples, unchanged (dev/lab/arm-examples). */
const example = (path: string): { responses: { '200': { body: Record<string, unknown> } } } =>
  JSON.parse(readFileSync(join(__dirname, '../../dev/lab/arm-examples', path), 'utf8'));

describe('maintenance schedule parsing (Microsoft examples verbatim)', () => {
  it('reads Maintenances_Get (2025-09-01) in the ARM list envelope: name, start, duration, title, component, state', () => {
    const body = example('2025-09-01/Maintenances_Get.json').responses['200'].body;
    expect(parseMaintenances({ value: [body] })).toEqual({
      windows: [
        {
          source: 'avs-maintenance',
          id: 'maintenance1',
          title: 'vcsa 7.0 upgrade',
          component: 'VCSA',
          state: 'Scheduled',
          startsAt: '2023-01-12T11:00:11.830Z',
          endsAt: '2023-01-13T03:00:11.830Z',
        },
      ],
      problems: [],
    });
  });

  it('Events_ListBySubscriptionId (2025-05-01): a ServiceIssue for Virtual Machines is not an AVS planned maintenance', () => {
    expect(parseServiceHealthEvents(example('resourcehealth/Events_ListBySubscriptionId.json').responses['200'].body)).toEqual({
      windows: [],
      problems: [],
    });
  });

  it('the same event as PlannedMaintenance of Azure VMware Solution is a window', () => {
    const body = structuredClone(example('resourcehealth/Events_ListBySubscriptionId.json').responses['200'].body) as any;
    body.value[0].properties.eventType = 'PlannedMaintenance';
    body.value[0].properties.impact[0].impactedService = 'Azure VMware Solution';
    expect(parseServiceHealthEvents(body).windows).toEqual([
      expect.objectContaining({ source: 'service-health', id: 'BC_1-FXZ', startsAt: '2025-05-12T14:45:48.120Z', endsAt: '2025-05-14T15:43:48.120Z' }),
    ]);
  });

  it('a maintenance ended as Success or Canceled (the 2025-09-01 state names) is no longer a window', () => {
    const w = (id: string, state: string) => ({ source: 'avs-maintenance' as const, id, title: id, state, startsAt: '2026-12-05T00:00:00.000Z', endsAt: '2026-12-05T08:00:00.000Z' });
    const s = { windows: [w('ok', 'Success'), w('off', 'Canceled'), w('bad', 'Failed'), w('on', 'InProgress')], problems: [] };
    expect(upcomingWindows(s, DateTime.fromISO('2026-12-05T01:00:00Z', { zone: 'utc' })).map((x) => x.id)).toEqual(['on']);
  });

  it("Service Health: only Azure VMware Solution's events, of the cloud's region (or none named, or global)", () => {
    const body = structuredClone(example('resourcehealth/Events_ListBySubscriptionId.json').responses['200'].body) as any;
    body.value[0].properties.eventType = 'PlannedMaintenance';
    body.value[0].properties.impact[0].impactedService = 'Azure VMware Solution';
    const inRegion = (region: unknown) => {
      const b = structuredClone(body);
      b.value[0].properties.impact[0].impactedRegions = region === undefined ? [] : [{ impactedRegion: region }];
      return b;
    };
    expect(parseServiceHealthEvents(inRegion('West US'), 'westus').windows).toHaveLength(1);
    expect(parseServiceHealthEvents(inRegion('West US'), 'westeurope').windows).toHaveLength(0);
    expect(parseServiceHealthEvents(inRegion('Global'), 'westeurope').windows).toHaveLength(1);
    expect(parseServiceHealthEvents(inRegion(undefined), 'westeurope').windows).toHaveLength(1);
    const other = structuredClone(body);
    other.value[0].properties.impact[0].impactedService = 'Azure VMware Solution by CloudSimple';
    expect(parseServiceHealthEvents(other, 'westus').windows).toHaveLength(0);
  });

  it('unexpected shapes are problems (the schedule is then unknown), never silence', () => {
    expect(parseMaintenances({ items: [] }).problems).toEqual(['maintenances: the answer has no "value" list']);
    expect(parseMaintenances({ value: [{ name: 'm', properties: { scheduledStartTime: 'soon' } }] }).problems).toEqual([
      'maintenance m: no readable scheduledStartTime',
    ]);
    expect(parseServiceHealthEvents('nope').problems).toHaveLength(1);
  });

  it('upcoming windows: not over, not completed, earliest first', () => {
    const s = {
      windows: [
        { source: 'avs-maintenance' as const, id: 'b', title: 'b', startsAt: '2026-12-10T00:00:00.000Z' },
        { source: 'avs-maintenance' as const, id: 'a', title: 'a', startsAt: '2026-12-05T00:00:00.000Z', endsAt: '2026-12-05T08:00:00.000Z' },
        { source: 'avs-maintenance' as const, id: 'old', title: 'old', startsAt: '2026-11-01T00:00:00.000Z', endsAt: '2026-11-01T08:00:00.000Z' },
        { source: 'avs-maintenance' as const, id: 'done', title: 'done', state: 'Completed', startsAt: '2026-12-20T00:00:00.000Z' },
      ],
      problems: [],
    };
    expect(upcomingWindows(s, DateTime.fromISO('2026-12-05T07:59:59Z', { zone: 'utc' })).map((w) => w.id)).toEqual(['a', 'b']);
    expect(upcomingWindows(s, DateTime.fromISO('2026-12-05T08:00:00Z', { zone: 'utc' })).map((w) => w.id)).toEqual(['b']);
  });

  it('the window rule’s gate is the readiness gate', () => {
    expect([...GATE_PREREQUISITES].sort()).toEqual([...GATE_PREREQUISITE_RULES].sort());
  });
});
