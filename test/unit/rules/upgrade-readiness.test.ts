import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
import { appliance, ctxAt, healthyCloud, healthyConnector, mesh, sitePair } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory) => ruleById(id)!.evaluate(inv, ctxAt());
const bySubject = (id: string, inv: Inventory) => Object.fromEntries(run(id, inv).map((e) => [e.subjectId, e]));
const regs = (over: Partial<NonNullable<Inventory['registrations']>>) => ({
  vcenter: [{ url: 'https://vc' }],
  nsx: [],
  lookupService: [],
  ...over,
});

describe('hcx-manager-connection-unhealthy', () => {
  const CONN = 'hcx-manager-connection-unhealthy';

  test('healthy Connector: the five subjects pass', () => {
    const s = bySubject(CONN, healthyConnector());
    expect(Object.keys(s).sort()).toEqual(['alerts', 'appengine', 'lookup-service', 'nsx', 'vcenter']);
    expect(Object.values(s).every((e) => e.status === 'pass')).toBe(true);
  });

  test('vCenter: none registered or all in error → fail', () => {
    expect(bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [] }) })).vcenter.status).toBe('fail');
    expect(
      bySubject(
        CONN,
        healthyConnector({ registrations: regs({ vcenter: [{ url: 'https://vc', error: 'certificate expired' }] }) }),
      ).vcenter,
    ).toMatchObject({ status: 'fail', severity: 'high' });
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [{ url: 'a', error: 'x' }, { url: 'b' }] }) }))
        .vcenter.status,
    ).toBe('pass');
  });

  test('NSX: optional, but a registration in error fails', () => {
    expect(bySubject(CONN, healthyConnector({ registrations: regs({ nsx: [] }) })).nsx.status).toBe('pass');
    expect(
      bySubject(
        CONN,
        healthyConnector({ registrations: regs({ nsx: [{ url: 'https://nsx', error: 'unauthorized' }] }) }),
      ).nsx.status,
    ).toBe('fail');
  });

  test('app engine not RUNNING → fail; missing status → unknown', () => {
    expect(
      bySubject(CONN, healthyConnector({ services: [{ name: 'appengine', result: 'STOPPED' }] })).appengine.status,
    ).toBe('fail');
    expect(
      bySubject(CONN, healthyConnector({ services: [{ name: 'appengine', result: 'running' }] })).appengine.status,
    ).toBe('pass');
    expect(bySubject(CONN, healthyConnector({ services: [] })).appengine.status).toBe('unknown');
  });

  test('a critical HCX alert → fail', () => {
    expect(
      bySubject(CONN, healthyConnector({ hcxAlerts: [{ id: 'a', severity: 'CRITICAL', message: 'IX tunnel down' }] }))
        .alerts,
    ).toMatchObject({ status: 'fail', message: expect.stringMatching(/IX tunnel down/) });
  });

  test('an HCX build without the alerts API → not_applicable for alerts only, never a pass', () => {
    const s = bySubject(CONN, healthyConnector({ hcxAlerts: undefined, unsupported: ['hcxAlerts'] }));
    expect(s.alerts).toMatchObject({ status: 'not_applicable' });
    expect(s.vcenter.status).toBe('pass');
  });

  test('not collected → unknown per subject; private cloud → not_applicable', () => {
    const s = bySubject(
      CONN,
      healthyConnector({ registrations: undefined, services: undefined, hcxAlerts: undefined }),
    );
    expect(Object.values(s).map((e) => e.status)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(run(CONN, healthyCloud())).toEqual([expect.objectContaining({ status: 'not_applicable' })]);
  });
});

describe('hcx-site-pair-unhealthy', () => {
  const P = 'hcx-site-pair-unhealthy';
  test.each([
    [{ error: 'remote unreachable' }, 'fail'],
    [{ status: 'DISCONNECTED' }, 'fail'],
    [{ remoteVersion: undefined }, 'fail'],
    [{ status: 'CONNECTED' }, 'pass'],
  ])('%j → %s', (over, status) => {
    expect(run(P, healthyConnector({ sitePairs: [sitePair(over)] }))[0]).toMatchObject({
      status,
      subjectKind: 'site-pair',
    });
  });
  test('not collected → * unknown', () => {
    expect(run(P, healthyConnector({ sitePairs: undefined }))).toEqual([
      expect.objectContaining({ subjectId: '*', status: 'unknown' }),
    ]);
  });
});

describe('hcx-service-mesh-degraded', () => {
  const M = 'hcx-service-mesh-degraded';
  test('not COMMITTED → fail', () => {
    expect(run(M, healthyConnector({ serviceMeshes: [mesh({ state: 'UPDATE_FAILED' })] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: expect.stringMatching(/UPDATE_FAILED/),
    });
  });
  test('a service not in a healthy state → fail (healthy values in any case pass)', () => {
    expect(
      run(
        M,
        healthyConnector({
          serviceMeshes: [
            mesh({ serviceStatuses: [{ name: 'NETWORK_EXTENSION', status: 'DOWN', reason: ['NE appliance down'] }] }),
          ],
        }),
      )[0].status,
    ).toBe('fail');
    expect(
      run(
        M,
        healthyConnector({
          serviceMeshes: [
            mesh({
              serviceStatuses: [
                { name: 'X', status: 'Healthy' },
                { name: 'Y', status: 'RUNNING' },
                { name: 'Z', status: 'active' },
              ],
            }),
          ],
        }),
      )[0].status,
    ).toBe('pass');
  });
  test('an appliance with fewer active tunnels than tunnels → fail', () => {
    expect(run(M, healthyConnector({ appliances: [appliance({ tunnelActive: 1, tunnelTotal: 2 })] }))[0]).toMatchObject(
      { status: 'fail', message: expect.stringMatching(/1\/2 tunnels/) },
    );
  });
  test('state or appliances missing → unknown; meshes missing → * unknown', () => {
    expect(run(M, healthyConnector({ serviceMeshes: [mesh({ state: undefined })] }))[0].status).toBe('unknown');
    expect(run(M, healthyConnector({ appliances: undefined }))[0].status).toBe('unknown');
    expect(run(M, healthyConnector({ serviceMeshes: undefined }))[0]).toMatchObject({
      subjectId: '*',
      status: 'unknown',
    });
  });
});

describe('hcx-migrations-in-progress', () => {
  const G = 'hcx-migrations-in-progress';
  test('MIGRATING → low; none → pass; not collected → unknown', () => {
    expect(
      run(
        G,
        healthyCloud({
          migrations: [
            { id: '1', state: 'MIGRATING', entityName: 'vm-1' },
            { id: '2', state: 'MIGRATED' },
          ],
        }),
      )[0],
    ).toMatchObject({ status: 'fail', severity: 'low' });
    expect(run(G, healthyCloud({ migrations: [] }))[0].status).toBe('pass');
    expect(run(G, healthyCloud({ migrations: undefined }))[0].status).toBe('unknown');
  });
});
