/** HCX wire JSON → Inventory, for every envelope variant in hcx-api.md (fixtures are taken from it). */
import { CollectionError } from '../../lib/errors';
import * as p from '../../lib/collect/hcx/parse';

const malformed = (fn: () => unknown): void => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CollectionError);
    expect((err as CollectionError).errorClass).toBe('malformed');
    return;
  }
  throw new Error('expected a malformed error');
};

describe('envelopes', () => {
  it('reads bare {items}, {rows}, hybridity {success,data:{items}} and {data:[…]} lists', () => {
    expect(p.listOf({ items: [{ a: 1 }] }, 'x')).toEqual([{ a: 1 }]);
    expect(p.listOf({ rows: [{ a: 2 }] }, 'x')).toEqual([{ a: 2 }]);
    expect(p.listOf({ success: true, completed: true, data: { items: [{ a: 3 }] } }, 'x')).toEqual([{ a: 3 }]);
    expect(p.listOf({ data: [{ a: 4 }] }, 'x')).toEqual([{ a: 4 }]);
    expect(p.listOf({ items: [] }, 'x')).toEqual([]);
  });

  it('treats success:false, a missing list and non-JSON as malformed', () => {
    malformed(() => p.listOf({ success: false, errors: [{ text: 'boom' }], data: { items: [] } }, 'x'));
    malformed(() => p.listOf({ something: [] }, 'x'));
    malformed(() => p.listOf('nope', 'x'));
    malformed(() => p.parseJsonBody('{"items": [', 'x'));
  });
});

describe('manager version (metainfo/context/support)', () => {
  it('takes version, build, endpointId and name of the first local endpoint', () => {
    const body = {
      success: true,
      completed: true,
      time: 1733000000000,
      data: {
        localEndpoints: [
          { endpoint: { endpointId: '20250522180456277-46f92f26', name: 'hcx-cloud-01', version: '4.11.3', buildNumber: '24972693' } },
        ],
      },
    };
    expect(p.parseSupportContext(body)).toEqual({ version: '4.11.3', build: '24972693', endpointId: '20250522180456277-46f92f26', name: 'hcx-cloud-01' });
  });

  it('is malformed without a local endpoint or a version', () => {
    malformed(() => p.parseSupportContext({ success: true, data: { localEndpoints: [] } }));
    malformed(() => p.parseSupportContext({ success: true, data: { localEndpoints: [{ endpoint: { name: 'x' } }] } }));
  });
});

describe('site pairs (cloudConfigs)', () => {
  it('maps endpointId, cloudName, url, cloudType, remote version and build', () => {
    const body = {
      success: true,
      completed: true,
      time: 1733000000000,
      version: '1.0',
      data: {
        items: [
          {
            endpointId: '20250522180456277-46f92f26',
            cloudName: 'hcx-cloud-avs',
            cloudType: 'opaque-type',
            url: 'https://hcx.a1b2c3d4e5f6.westeurope.avs.azure.com',
            username: 'cloudadmin@vsphere.local',
            version: '4.11.3',
            buildNumber: '24972693',
          },
        ],
      },
    };
    expect(p.parseCloudConfigs(body)).toEqual([
      {
        id: '20250522180456277-46f92f26',
        name: 'hcx-cloud-avs',
        cloudType: 'opaque-type',
        url: 'https://hcx.a1b2c3d4e5f6.westeurope.avs.azure.com',
        remoteVersion: '4.11.3',
        remoteBuild: '24972693',
      },
    ]);
  });

  it('keeps a status or error the pairing carries, verbatim', () => {
    const [pair] = p.parseCloudConfigs({ data: { items: [{ endpointId: 'e1', status: 'ERROR', errorMessage: 'remote unreachable' }] } });
    expect(pair).toMatchObject({ status: 'ERROR', error: 'remote unreachable' });
  });

  it('is malformed when an item has no endpointId', () => {
    malformed(() => p.parseCloudConfigs({ data: { items: [{ cloudName: 'x' }] } }));
  });
});

describe('service meshes', () => {
  const mesh = {
    serviceMeshId: 'sm-1',
    name: 'sm-onprem-avs',
    state: 'COMMITTED',
    updateAvailable: false,
    computeProfiles: [
      { endpointId: 'ep-local', computeProfileId: 'cp1' },
      { endpointId: 'ep-remote', computeProfileId: 'cp2' },
    ],
    services: [{ name: 'INTERCONNECT' }, { name: 'WANOPT' }, { name: 'NETWORK_EXTENSION' }, { name: 'SOMETHING_NEW' }],
    switchPairCount: [{ switches: [], l2cApplianceCount: 2 }, { switches: [], l2cApplianceCount: 1 }],
    status: { timestamp: 0, services: [{ serviceName: 'NETWORK_EXTENSION', status: 'degraded', reason: ['tunnel down'] }] },
  };

  it('maps services (unknown names kept), per-service status, endpoints and the NE appliance count', () => {
    expect(p.parseServiceMeshes({ items: [mesh] })).toEqual([
      {
        id: 'sm-1',
        name: 'sm-onprem-avs',
        state: 'COMMITTED',
        services: ['INTERCONNECT', 'WANOPT', 'NETWORK_EXTENSION', 'SOMETHING_NEW'],
        serviceStatuses: [{ name: 'NETWORK_EXTENSION', status: 'degraded', reason: ['tunnel down'] }],
        updateAvailable: false,
        endpointIds: ['ep-local', 'ep-remote'],
        neApplianceCount: 3,
      },
    ]);
  });

  it('leaves optional parts out rather than inventing them', () => {
    const [m] = p.parseServiceMeshes({ items: [{ serviceMeshId: 'sm-2', name: 'bare', services: [] }] });
    expect(m).toEqual({ id: 'sm-2', name: 'bare', services: [] });
  });

  it('keeps the last interconnect task (type and status, verbatim) so a queued operation is visible', () => {
    const last = { interconnectTaskId: 't-9', type: 'updateServiceMesh', status: 'QUEUED' };
    const [m] = p.parseServiceMeshes({ items: [{ ...mesh, lastTaskDetails: last }] });
    expect(m.lastTask).toEqual({ type: 'updateServiceMesh', status: 'QUEUED' });
    const [partial] = p.parseServiceMeshes({ items: [{ ...mesh, lastTaskDetails: { status: 'running' } }] });
    expect(partial.lastTask).toEqual({ status: 'running' });
  });
});

describe('appliances', () => {
  it('builds the dotted version from applianceVersion {major,minor,patch} and keeps type/state opaque', () => {
    const body = {
      items: [
        {
          applianceId: 'a1',
          applianceType: 'HCX-WAN-IX',
          applianceName: 'sm-onprem-avs-IX-I1',
          serviceMeshId: 'sm-1',
          endpointId: 'ep-local',
          applianceStatus: { state: 'UP', detailedMessage: '' },
          applianceVersion: { major: 4, minor: 11, patch: 3, revision: 0, build: 24972693 },
          networkExtensionCount: 0,
          status: { summary: { overallStatus: 'x', reasons: [] } },
          updateAvailable: true,
          availableVersion: '4.11.4',
        },
      ],
    };
    expect(p.parseAppliances(body)).toEqual([
      {
        id: 'a1',
        name: 'sm-onprem-avs-IX-I1',
        type: 'HCX-WAN-IX',
        serviceMeshId: 'sm-1',
        endpointId: 'ep-local',
        version: '4.11.3',
        state: 'UP',
        updateAvailable: true,
        availableVersion: '4.11.4',
        networkExtensionCount: 0,
      },
    ]);
  });

  it('reads updateAvailable as a boolean whether HCX sends true or "true"; anything else is not collected', () => {
    const flag = (v: unknown) => p.parseAppliances({ items: [{ applianceId: 'a1', updateAvailable: v }] })[0].updateAvailable;
    expect([flag(true), flag('true'), flag(false), flag('false')]).toEqual([true, true, false, false]);
    expect([flag('yes'), flag(1), flag(null), flag(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
    const mesh = (v: unknown) => p.parseServiceMeshes({ items: [{ serviceMeshId: 'sm', updateAvailable: v }] })[0].updateAvailable;
    expect([mesh('true'), mesh('false'), mesh('TRUE')]).toEqual([true, false, undefined]);
  });

  it('falls back to currentVersion and reads tunnel counts from a tunnel summary', () => {
    const [a] = p.parseAppliances({
      items: [
        {
          applianceId: 'a2',
          applianceType: 'HCX-NET-EXT',
          applianceName: 'ne',
          currentVersion: '4.2.1',
          status: { summary: { transportSummary: [{ totalTunnelCount: 2, totalActiveTunnelCount: 1 }, { totalTunnelCount: 1, totalActiveTunnelCount: 1 }] } },
        },
      ],
    });
    expect(a).toMatchObject({ version: '4.2.1', tunnelTotal: 3, tunnelActive: 2 });
  });

  it('has no version when none is given (not collected, not guessed)', () => {
    const [a] = p.parseAppliances({ items: [{ applianceId: 'a3', applianceType: 'HCX-WAN-OPT', applianceName: 'w' }] });
    expect(a.version).toBeUndefined();
  });

  it('takes applianceStatus.state verbatim over the summary overallStatus, which only fills in when it is missing', () => {
    const [down, bare] = p.parseAppliances({
      items: [
        { applianceId: 'a4', applianceType: 'HCX-WAN-IX', applianceStatus: { state: 'Down' }, status: { summary: { overallStatus: 'UP' } } },
        { applianceId: 'a5', applianceType: 'HCX-WAN-IX', status: { summary: { overallStatus: 'ERROR' } } },
      ],
    });
    expect(down.state).toBe('Down');
    expect(bare.state).toBe('ERROR');
  });
});

describe('interconnect metrics (POST /hybridity/api/metrics/interconnect)', () => {
  // §6.4 item, PascalCase agent statistics included.
  const item = (applianceId: string, timestamp: number, summary: Record<string, unknown>) => ({
    timestamp,
    applianceId,
    serviceMeshId: 'sm-1',
    computeProfileId: 'cp-1',
    applianceType: 'HCX-WAN-IX',
    summary,
    statistics: {
      SystemStatus: { State: 0, Components: 0, Details: [] },
      PeerSiteConnectivity: { LocalSiteIp: '10.0.0.1', PeerSiteIp: '10.0.0.2', Summary: 'Up' },
      Tunnels: [{ Id: 't1', LocalAddress: '10.0.0.1', LocalPort: 4500, RemoteAddress: '10.0.0.2', RemotePort: 4500, Timestamp: 0, Summary: 'Down', Counters: {} }],
    },
  });
  const twoUplinks = {
    overallStatus: 'Degraded',
    transportSummary: [
      { transportIp: '10.0.0.1', name: 'uplink-1', totalTunnelCount: 2, totalActiveTunnelCount: 2, aggregatedTunnelStatus: 'UP' },
      { transportIp: '10.0.0.3', name: 'uplink-2', totalTunnelCount: 2, totalActiveTunnelCount: 0, aggregatedTunnelStatus: 'DOWN' },
    ],
    encryptionTunnelSummary: { totalTunnelCount: 1, totalActiveTunnelCount: 1, aggregatedTunnelStatus: 'UP' },
  };

  it('sums transport and encryption tunnels, keeps overallStatus verbatim and ignores the agent statistics', () => {
    expect(p.parseInterconnectMetrics({ paging: { count: 1 }, items: [item('ix-1', 1733000000000, twoUplinks)] })).toEqual([
      { applianceId: 'ix-1', serviceMeshId: 'sm-1', applianceType: 'HCX-WAN-IX', overallStatus: 'Degraded', tunnelTotal: 5, tunnelActive: 3 },
    ]);
  });

  it('keeps only the latest sample of an appliance, whatever the item order', () => {
    const up = { overallStatus: 'UP', encryptionTunnelSummary: { totalTunnelCount: 1, totalActiveTunnelCount: 1 } };
    const down = { overallStatus: 'DOWN', encryptionTunnelSummary: { totalTunnelCount: 1, totalActiveTunnelCount: 0 } };
    const metrics = p.parseInterconnectMetrics({ items: [item('ix-1', 2000, down), item('ne-1', 1000, up), item('ix-1', 1000, up)] });
    expect(metrics).toHaveLength(2);
    expect(metrics.find((m) => m.applianceId === 'ix-1')).toMatchObject({ overallStatus: 'DOWN', tunnelActive: 0 });
    expect(p.parseInterconnectMetrics({ items: [item('ix-1', 1000, up), item('ix-1', 2000, down)] })[0]).toMatchObject({ overallStatus: 'DOWN' });
  });

  it('leaves the counts out when no summary part reports them, or when a part reports only one of the two', () => {
    const [none] = p.parseInterconnectMetrics({ items: [item('wo-1', 1, { overallStatus: 'UP', transportSummary: [], wanOptStatus: 'UP' })] });
    expect(none).toEqual({ applianceId: 'wo-1', serviceMeshId: 'sm-1', applianceType: 'HCX-WAN-IX', overallStatus: 'UP' });
    const halfReported = { transportSummary: [{ totalTunnelCount: 2, totalActiveTunnelCount: 2 }, { totalTunnelCount: 2 }] };
    const [half] = p.parseInterconnectMetrics({ items: [item('ix-2', 1, halfReported)] });
    expect(half.tunnelTotal).toBeUndefined();
    expect(half.tunnelActive).toBeUndefined();
  });

  it('reads the next-page cursor; an item without applianceId or a body without items is malformed', () => {
    expect(p.metricsNextPage({ paging: { count: 50, next: 'c2' }, items: [] })).toBe('c2');
    expect(p.metricsNextPage({ paging: { count: 0, next: '' }, items: [] })).toBeUndefined();
    expect(p.metricsNextPage({ items: [] })).toBeUndefined();
    malformed(() => p.parseInterconnectMetrics({ items: [{ timestamp: 1, summary: {} }] }));
    malformed(() => p.parseInterconnectMetrics({ paging: {} }));
  });
});

describe('NE HA groups', () => {
  it('maps members, roles and status, defaulting the mesh id to the one queried', () => {
    const body = {
      items: [
        {
          groupId: 'g1',
          name: 'ha-group-1',
          groupMembers: [
            { applianceId: 'ne1', applianceName: 'sm-NE-I1', peerApplianceId: 'r1', role: 'ACTIVE' },
            { applianceId: 'ne2', applianceName: 'sm-NE-I2', peerApplianceId: 'r2', role: 'STANDBY' },
          ],
          status: { groupState: 'HEALTHY', statusMessage: 'ok', availabilityState: 'AVAILABLE' },
        },
      ],
    };
    expect(p.parseHaGroups(body, 'sm-1')).toEqual([
      {
        id: 'g1',
        name: 'ha-group-1',
        serviceMeshId: 'sm-1',
        members: [
          { applianceId: 'ne1', applianceName: 'sm-NE-I1', role: 'ACTIVE' },
          { applianceId: 'ne2', applianceName: 'sm-NE-I2', role: 'STANDBY' },
        ],
        groupState: 'HEALTHY',
        availabilityState: 'AVAILABLE',
        statusMessage: 'ok',
      },
    ]);
    expect(p.parseHaGroups({ items: [] }, 'sm-1')).toEqual([]);
  });
});

describe('L2 extensions', () => {
  it('maps network, NE appliance, state, creation date and HA group', () => {
    const body = {
      items: [
        {
          stretchId: 's1',
          operationStatus: { state: 'EXTENDED' },
          sourceNetwork: { networkId: 'dvportgroup-123', networkName: 'VM-Net-100', networkType: 'DistributedVirtualPortgroup' },
          sourceAppliance: { applianceId: 'ne1', applianceName: 'sm-NE-I1', applianceType: 'HCX-NET-EXT' },
          creationDate: '2025-06-12T10:33:39.000Z',
          haConfig: { haGroupId: 'g1' },
        },
      ],
    };
    expect(p.parseL2Extensions(body)).toEqual([
      { id: 's1', networkName: 'VM-Net-100', applianceId: 'ne1', applianceName: 'sm-NE-I1', state: 'EXTENDED', createdAt: '2025-06-12T10:33:39.000Z', haGroupId: 'g1' },
    ]);
  });

  it('reads an ISO date-time without a zone as UTC, whatever the host zone', () => {
    // Simulates a monitor running in America/Los_Angeles: the engine reads a zone-less ISO date-time as local
    // time there (8 h behind UTC in January). The parse must not depend on it.
    const realParse = Date.parse.bind(Date);
    const zoneless = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
    const spy = jest.spyOn(Date, 'parse').mockImplementation((s: string) => (zoneless.test(s) ? realParse(`${s}Z`) + 8 * 3600_000 : realParse(s)));
    try {
      expect(p.parseDate('2025-01-02T03:04:05')).toBe('2025-01-02T03:04:05.000Z');
      expect(p.parseDate('2025-01-02 03:04:05.120')).toBe('2025-01-02T03:04:05.120Z');
      expect(p.parseDate('2025-01-02T03:04')).toBe('2025-01-02T03:04:00.000Z');
      expect(p.parseDate('2025-01-02T03:04:05+02:00')).toBe('2025-01-02T01:04:05.000Z');
      expect(p.parseDate('2025-01-02T03:04:05Z')).toBe('2025-01-02T03:04:05.000Z');
    } finally {
      spy.mockRestore();
    }
    expect(p.parseDate('2025-01-02T03:04:05')).toBe('2025-01-02T03:04:05.000Z');
  });

  it('accepts epoch milliseconds and drops an unparseable date', () => {
    const [a, b] = p.parseL2Extensions({
      items: [
        { stretchId: 'a', creationDate: 1749724419000 },
        { stretchId: 'b', creationDate: 'last tuesday' },
      ],
    });
    expect(a.createdAt).toBe('2025-06-12T10:33:39.000Z');
    expect(b.createdAt).toBeUndefined();
  });
});

describe('migrations', () => {
  const row = {
    migrationId: 'm1',
    jobInfo: { state: 'MIGRATING', username: 'administrator@vsphere.local' },
    migrationInfo: { entityDetails: { entityId: 'vm-1234', entityName: 'app01' }, migrationType: 'vMotion' },
  };
  const expected = [{ id: 'm1', type: 'vMotion', state: 'MIGRATING', entityName: 'app01' }];

  it('accepts the legacy rows shape and the items shape alike', () => {
    expect(p.parseMigrations({ rows: [row], paging: { totalSize: 1, offset: 0, pageSize: 1 } })).toEqual(expected);
    expect(p.parseMigrations({ items: [row] })).toEqual(expected);
  });

  it('accepts the newer query API shape (data.items with top-level state and entity)', () => {
    const body = { data: { items: [{ id: 'x', migrationId: 'm2', migrationType: 'V2T_BULK', state: 'RUNNING', entity: { entityName: 'db01' } }] } };
    expect(p.parseMigrations(body)).toEqual([{ id: 'm2', type: 'V2T_BULK', state: 'RUNNING', entityName: 'db01' }]);
  });

  it('reads the newer API flags: done (isDone or isCancelled), draft, waiting for its maintenance window', () => {
    const mig = (id: string, progress: Record<string, unknown>, state?: unknown) => ({ id: `x-${id}`, migrationId: id, migrationType: 'Bulk', state, entity: { entityName: `vm-${id}` }, progress });
    const rows = p.parseMigrations({
      data: {
        items: [
          mig('run', { isDone: false, isCancelled: false, draftState: 'NOT_DRAFT', state: { status: 'TRANSFER_IN_PROGRESS', isWaitingForMaintWindow: false } }, 'RUNNING'),
          mig('done', { isDone: true, isCancelled: false, didFail: false }, 'COMPLETED'),
          mig('cancel', { isDone: false, isCancelled: true }, 'CANCELED'),
          mig('draft', { isDone: false, draftState: 'DRAFT' }),
          mig('sched', { isDone: false, state: { status: 'SCHEDULED', isWaitingForMaintWindow: true } }, { code: 1 }),
          mig('odd', { draftState: 'SOMETHING_NEW' }),
        ],
      },
    });
    expect(rows).toEqual([
      { id: 'run', type: 'Bulk', state: 'RUNNING', entityName: 'vm-run', done: false, draft: false, scheduled: false },
      { id: 'done', type: 'Bulk', state: 'COMPLETED', entityName: 'vm-done', done: true },
      { id: 'cancel', type: 'Bulk', state: 'CANCELED', entityName: 'vm-cancel', done: true },
      { id: 'draft', type: 'Bulk', entityName: 'vm-draft', done: false, draft: true },
      // a non-string top-level state falls back to progress.state.status
      { id: 'sched', type: 'Bulk', state: 'SCHEDULED', entityName: 'vm-sched', done: false, scheduled: true },
      // an unknown draftState is not read as a draft (a draft would be left out of "in progress")
      { id: 'odd', type: 'Bulk', entityName: 'vm-odd', draft: false },
    ]);
  });

  it('leaves done/draft/scheduled out for the legacy shape, which has no such flags', () => {
    const [m] = p.parseMigrations({ rows: [row] });
    expect(m).not.toHaveProperty('done');
    expect(m).not.toHaveProperty('draft');
    expect(m).not.toHaveProperty('scheduled');
  });

  it('reads paging', () => {
    expect(p.migrationPaging({ rows: [], paging: { totalSize: 120, offset: 0, pageSize: 50 } })).toEqual({ totalSize: 120, offset: 0, pageSize: 50 });
    expect(p.migrationPaging({ rows: [] })).toEqual({});
  });
});

describe('replication summary', () => {
  it('reads the four top-level counters; {} and missing incoming count as 0', () => {
    const body = {
      activeReplicationCnt: { outgoing: 2, incoming: 1 },
      configuringReplicationCnt: {},
      recoveringReplicationCnt: { outgoing: 0 },
      syncingReplicationCnt: { outgoing: 0, incoming: 3 },
    };
    expect(p.parseReplicationSummary(body)).toEqual({
      active: { outgoing: 2, incoming: 1 },
      configuring: { outgoing: 0, incoming: 0 },
      recovering: { outgoing: 0, incoming: 0 },
      syncing: { outgoing: 0, incoming: 3 },
    });
  });

  it('accepts the counters under data, and rejects a body with none of them', () => {
    expect(p.parseReplicationSummary({ success: true, data: { activeReplicationCnt: { outgoing: 1 } } }).active.outgoing).toBe(1);
    malformed(() => p.parseReplicationSummary({ success: true, data: {} }));
    malformed(() => p.parseReplicationSummary([]));
  });
});

describe('HCX alerts', () => {
  it('maps id, severity and message from any list envelope', () => {
    expect(p.parseHcxAlerts({ items: [{ id: 'al1', severity: 'CRITICAL', message: 'NE down' }] })).toEqual([
      { id: 'al1', severity: 'CRITICAL', message: 'NE down' },
    ]);
    expect(p.parseHcxAlerts({ data: { items: [{ alertId: 'al2', level: 'warning', description: 'x' }] } })).toEqual([
      { id: 'al2', severity: 'warning', message: 'x' },
    ]);
  });
});

describe('9443 section/config envelope', () => {
  it('reads vCenter and NSX registrations', () => {
    const vc = {
      data: {
        items: [
          {
            section: 'vcenter',
            config: { name: 'vcsa.example.com', userName: 'administrator@vsphere.local', url: 'https://vcsa.example.com', vcuuid: 'u', buildNumber: '24322831', UUID: 'U', version: '8.0.3' },
          },
        ],
      },
    };
    expect(p.parseRegistrations(vc, 'registrations')).toEqual([{ url: 'https://vcsa.example.com', version: '8.0.3' }]);
    const nsx = { data: { items: [{ section: 'nsx', config: { url: 'https://nsx.example.com', userName: 'admin', version: '6.4.14', status: 'ERROR_CONNECTING' } }] } };
    expect(p.parseRegistrations(nsx, 'registrations')).toEqual([{ url: 'https://nsx.example.com', version: '6.4.14', error: 'ERROR_CONNECTING' }]);
    expect(p.parseRegistrations({ data: { items: [] } }, 'registrations')).toEqual([]);
  });

  it('reads the lookup service URL', () => {
    const body = { data: { items: [{ section: 'lookupservice', config: { lookupServiceUrl: 'https://vcsa.example.com/lookupservice/sdk', providerType: 'PSC', UUID: 'x' } }] } };
    expect(p.parseLookupService(body, 'registrations')).toEqual([{ url: 'https://vcsa.example.com/lookupservice/sdk' }]);
  });

  it('reads component status', () => {
    expect(p.parseComponentStatus({ result: 'RUNNING', operationStatus: 'SUCCESS' }, 'appengine')).toEqual({ name: 'appengine', result: 'RUNNING' });
    expect(p.parseComponentStatus({ result: 'SOME_NEW_STATE' }, 'appengine').result).toBe('SOME_NEW_STATE');
    malformed(() => p.parseComponentStatus({ operationStatus: 'SUCCESS' }, 'appengine'));
  });
});

describe('licensing', () => {
  const activationConfig = {
    data: { items: [{ section: 'hcx', config: { url: 'https://connect.hcx.vmware.com', activationKey: 'ABCD-EFGH-1234-5678-WXYZ', UUID: 'u' } }] },
  };
  const activationStatus = {
    success: true,
    completed: true,
    data: {
      activationType: 'standalone',
      activationDone: true,
      moreInfo: { isGraceExpired: false, expiryTime: 'Wed Nov 27 10:30:45 PST 2025', expiryTimeInMillis: 1732732245000 },
      activationStatus: 'activated',
      gracePeriodExpiration: 1732732245000,
    },
  };

  it('keeps only the last 4 characters of an activation key', () => {
    const a = p.parseActivationConfig(activationConfig);
    expect(a).toEqual({ url: 'https://connect.hcx.vmware.com', keyLast4: 'WXYZ', hasKey: true });
    expect(JSON.stringify(a)).not.toContain('ABCD');
    expect(p.last4('abc')).toBeUndefined();
  });

  it('never shows a key of four characters or fewer whole: last 4 only of a longer key, trimmed', () => {
    expect(p.last4('ABCD')).toBeUndefined();
    expect(p.last4('  ABCD  ')).toBeUndefined();
    expect(p.last4('ABCDE')).toBe('BCDE');
    expect(p.last4(' ABCDE\n')).toBe('BCDE');
    expect(p.last4('')).toBeUndefined();
    expect(p.last4(undefined)).toBeUndefined();
    const config = (c: Record<string, string>) => ({ data: { items: [{ section: 'hcx', config: c }] } });
    expect(p.parseActivationConfig(config({ url: 'https://connect.hcx.vmware.com', activationKey: 'WXYZ' }))).toEqual({
      url: 'https://connect.hcx.vmware.com',
      hasKey: true,
    });
    expect(p.parseActivationConfig(config({ activationKey: '   ' }))).toEqual({ hasKey: false });
  });

  it('reads the activation status and its expiry', () => {
    expect(p.parseActivationStatus(activationStatus)).toEqual({ status: 'activated', type: 'standalone', expiresAt: '2024-11-27T18:30:45.000Z' });
  });

  it('licence entries → license-key; activation key only → activation-key (url + last 4); evaluation → evaluation', () => {
    const licenses = p.parseLicenses({ licenses: [{ licenseKey: '*****-12345', edition: 'HCX Enterprise' }] });
    const act = p.parseActivationConfig(activationConfig);
    expect(p.decideLicensing({ licenses, activation: act }).model).toBe('license-key');
    expect(p.decideLicensing({ licenses: [], activation: act, status: p.parseActivationStatus(activationStatus) })).toEqual({
      model: 'activation-key',
      activationServerUrl: 'https://connect.hcx.vmware.com',
      keyLast4: 'WXYZ',
      activationExpiresAt: '2024-11-27T18:30:45.000Z',
      activationStatus: 'activated',
    });
    expect(p.decideLicensing({ licenses: undefined, activation: act }).model).toBe('activation-key');
    const evalOnly = p.parseLicenses({ licenses: [{ type: 'EVALUATION_MODE', gracePeriodEnd: '2026-01-01' }] });
    expect(p.decideLicensing({ licenses: evalOnly, activation: { hasKey: false } }).model).toBe('evaluation');
    expect(p.decideLicensing({ licenses: [], activation: { hasKey: false } }).model).toBe('unknown');
  });
});

describe('what a malformed answer is called (the message an operator reads in the scan outcome)', () => {
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(CollectionError);
      return `${(err as CollectionError).details.source} ${(err as Error).message}`;
    }
    throw new Error('accepted');
  };

  it('names the call, the source and what was wrong', () => {
    expect(message(() => p.parseJsonBody('{', 'sitePairs'))).toBe('hcx sitePairs: malformed (response is not valid JSON)');
    expect(message(() => p.parseJsonBody(Buffer.from('nope'), 'licensing', 'appliance'))).toBe(
      'appliance licensing: malformed (response is not valid JSON)',
    );
    expect(message(() => p.parseSupportContext('x'))).toBe('hcx manager: malformed (expected a JSON object)');
    expect(message(() => p.parseSupportContext({ success: false }))).toBe('hcx manager: malformed (the response reports success=false)');
    expect(message(() => p.parseSupportContext({ data: {} }))).toBe('hcx manager: malformed (no data.localEndpoints)');
    expect(message(() => p.parseSupportContext({ data: { localEndpoints: [{ endpoint: { name: 'm' } }] } }))).toBe(
      'hcx manager: malformed (the local endpoint has no version)',
    );
    expect(message(() => p.parseCloudConfigs(42))).toBe('hcx sitePairs: malformed (expected a JSON object)');
    expect(message(() => p.parseCloudConfigs({ success: false, data: { items: [] } }))).toBe(
      'hcx sitePairs: malformed (the response reports success=false)',
    );
    expect(message(() => p.parseCloudConfigs({ data: { other: [] } }))).toBe('hcx sitePairs: malformed (no items or rows list)');
    expect(message(() => p.parseCloudConfigs({ items: [{ cloudName: 'x' }] }))).toBe('hcx sitePairs: malformed (an item has no endpointId)');
    expect(message(() => p.parseServiceMeshes({ items: [{}] }))).toBe('hcx serviceMeshes: malformed (an item has no serviceMeshId)');
    expect(message(() => p.parseAppliances({ items: [{}] }))).toBe('hcx appliances: malformed (an item has no applianceId)');
    expect(message(() => p.parseHaGroups({ items: [{}] }, 'sm'))).toBe('hcx haGroups: malformed (an item has no groupId)');
    expect(message(() => p.parseL2Extensions({ items: [{}] }))).toBe('hcx extensions: malformed (an item has no stretchId)');
    expect(message(() => p.parseMigrations({ items: [{}] }))).toBe('hcx migrations: malformed (an item has no migrationId)');
    expect(message(() => p.parseReplicationSummary([]))).toBe('hcx replicationSummary: malformed (expected a JSON object)');
    expect(message(() => p.parseComponentStatus('x', 'appengine'))).toBe('appliance services: malformed (expected a JSON object)');
    expect(message(() => p.parseComponentStatus({}, 'appengine'))).toBe('appliance services: malformed (no result)');
    expect(message(() => p.parseActivationStatus('x'))).toBe('appliance licensing: malformed (expected a JSON object)');
    expect(message(() => p.parseActivationStatus({ success: false }))).toBe(
      'appliance licensing: malformed (the response reports success=false)',
    );
    expect(message(() => p.parseLicenses('x'))).toBe('appliance licensing: malformed (expected a JSON object)');
  });

  it('reads every list envelope, and keeps only the objects in it', () => {
    const item = { endpointId: 'e1' };
    for (const body of [[item, 3], { items: [item, 'x'] }, { rows: [item, null] }, { data: [item, 1] }, { data: { items: [item] } }, { data: { rows: [item, []] } }]) {
      expect(p.parseCloudConfigs(body).map((s) => s.id)).toEqual(['e1']);
    }
  });
});

describe('scalar fields as HCX sends them', () => {
  it('numbers may come as digit strings; anything else is not a number', () => {
    const count = (v: unknown) => p.parseAppliances({ items: [{ applianceId: 'a', networkExtensionCount: v }] })[0].networkExtensionCount;
    expect([count(3), count('12'), count('1.5'), count('x12'), count('12x'), count(''), count(Infinity), count(null)]).toEqual([
      3, 12, undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it('texts may come as numbers (a build number), never as objects or NaN', () => {
    const build = (v: unknown) =>
      p.parseSupportContext({ data: { localEndpoints: [{ endpoint: { version: '4.11.3', buildNumber: v } }] } }).build;
    expect([build('24972693'), build(24972693), build(NaN), build({ n: 1 }), build(true)]).toEqual(['24972693', '24972693', undefined, undefined, undefined]);
  });

  it('an appliance version from parts, a dotted string or currentVersion — never a partial guess', () => {
    const version = (it: Record<string, unknown>) => p.applianceVersion(it);
    expect(version({ applianceVersion: { major: 4, minor: 11, patch: 3 } })).toBe('4.11.3');
    expect(version({ applianceVersion: { major: '9', minor: '0' } })).toBe('9.0');
    expect(version({ applianceVersion: { major: 4 }, currentVersion: '4.10.2' })).toBe('4.10.2');
    expect(version({ applianceVersion: { minor: 11, patch: 3 } })).toBeUndefined();
    expect(version({ applianceVersion: '4.11.3.0' })).toBe('4.11.3.0');
    expect(version({ applianceVersion: '4' })).toBeUndefined();
    expect(version({ applianceVersion: 'v4.11' })).toBeUndefined();
    expect(version({ applianceVersion: '4.11.x' })).toBeUndefined();
    expect(version({ CurrentVersion: '4.9.1' })).toBe('4.9.1');
  });

  it('dates: epoch milliseconds as number or digit string, ISO text; nothing for 0, blanks or short numbers', () => {
    expect(p.parseDate(1732732245000)).toBe('2024-11-27T18:30:45.000Z');
    expect(p.parseDate(' 1732732245000 ')).toBe('2024-11-27T18:30:45.000Z');
    expect(p.parseDate(0)).toBeUndefined();
    expect(p.parseDate(-5)).toBeUndefined();
    expect(p.parseDate('   ')).toBeUndefined();
    expect(p.parseDate(' 2026-03-01T05:00:00Z ')).toBe('2026-03-01T05:00:00.000Z');
    expect(p.parseDate('123456789')).toBeUndefined();
    expect(p.parseDate(NaN)).toBeUndefined();
  });
});

describe('licensing model (best evidence first)', () => {
  const key = { url: 'https://connect.hcx.vmware.com', keyLast4: 'WXYZ', hasKey: true };
  it('only evaluation entries → evaluation, even with an activation status that says nothing', () => {
    expect(p.decideLicensing({ licenses: [{ type: 'EVALUATION_MODE' }], status: { status: 'activated' } })).toEqual({
      model: 'evaluation',
      activationStatus: 'activated',
    });
  });
  it('no licence entries and no key: unknown unless the activation itself says evaluation (type or status)', () => {
    expect(p.decideLicensing({ licenses: [] }).model).toBe('unknown');
    expect(p.decideLicensing({}).model).toBe('unknown');
    expect(p.decideLicensing({ status: { type: 'Evaluation' } }).model).toBe('evaluation');
    expect(p.decideLicensing({ status: { status: 'EVAL' } }).model).toBe('evaluation');
    expect(p.decideLicensing({ status: { status: 'activated', type: 'standard' } }).model).toBe('unknown');
  });
  it('shows the last 4 of the key only for the activation-key model; the server URL whenever known', () => {
    expect(p.decideLicensing({ activation: key })).toEqual({ model: 'activation-key', activationServerUrl: key.url, keyLast4: 'WXYZ' });
    expect(p.decideLicensing({ licenses: [{ type: 'NSX' }], activation: key })).toEqual({
      model: 'license-key',
      activationServerUrl: key.url,
    });
    expect(p.decideLicensing({ activation: { url: key.url, hasKey: false } })).toEqual({ model: 'unknown', activationServerUrl: key.url });
  });
  it('an evaluation licence is one whose text fields say so; numbers do not count', () => {
    expect(p.isEvaluationLicense({ mode: 'EVALUATION_MODE' })).toBe(true);
    expect(p.isEvaluationLicense({ mode: 'PERPETUAL', days: 60 })).toBe(false);
  });
  it('reads the activation expiry from moreInfo millis, the grace period, or moreInfo text', () => {
    const status = (data: Record<string, unknown>) => p.parseActivationStatus({ success: true, data }).expiresAt;
    expect(status({ moreInfo: { expiryTimeInMillis: 1732732245000 }, gracePeriodExpiration: 1 })).toBe('2024-11-27T18:30:45.000Z');
    expect(status({ gracePeriodExpiration: '1732732245000' })).toBe('2024-11-27T18:30:45.000Z');
    expect(status({ moreInfo: { expiryTime: '2026-12-25T00:00:00Z' } })).toBe('2026-12-25T00:00:00.000Z');
    expect(status({})).toBeUndefined();
  });
});
