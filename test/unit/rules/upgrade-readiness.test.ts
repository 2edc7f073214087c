import { ruleById } from '../../../lib/rules';
import { applianceTunnels } from '../../../lib/rules/upgrade-readiness';
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

  test('vCenter: the message names what is missing or broken, and a pass names the working registration', () => {
    expect(bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [] }) })).vcenter).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: 'The HCX Manager has no vCenter Server registration.',
      evidence: { source: 'appliance', registrations: [] },
    });
    expect(
      bySubject(
        CONN,
        healthyConnector({ registrations: regs({ vcenter: [{ url: 'https://vc', error: 'certificate expired' }] }) }),
      ).vcenter,
    ).toMatchObject({
      message: 'No working vCenter Server registration: certificate expired.',
      evidence: { source: 'appliance', registrations: [{ url: 'https://vc', error: 'certificate expired' }] },
    });
    expect(bySubject(CONN, healthyConnector()).vcenter).toEqual(
      expect.objectContaining({
        status: 'pass',
        severity: 'info',
        message: 'vCenter Server registration https://vc.corp.local is healthy.',
        evidence: { source: 'appliance', registrations: [{ url: 'https://vc.corp.local', version: '8.0.3' }] },
      }),
    );
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [{ url: 'a', error: 'x' }, { url: 'b' }] }) }))
        .vcenter.message,
    ).toBe('vCenter Server registration b is healthy.');
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [{ version: '8.0.3' }] }) })).vcenter.message,
    ).toBe('vCenter Server registration is healthy.');
  });

  test('vCenter and SSO: an entry reporting neither URL nor version nor error is unknown, never healthy', () => {
    const s = bySubject(
      CONN,
      healthyConnector({ registrations: regs({ vcenter: [{}], lookupService: [{ url: ' ', version: '' }] }) }),
    );
    expect(s.vcenter).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message:
        'The vCenter Server registration was reported without a URL or version: whether it works cannot be told.',
    });
    expect(s['lookup-service']).toMatchObject({
      status: 'unknown',
      message:
        'The SSO lookup service registration was reported without a URL or version: whether it works cannot be told.',
    });
    // Beside an entry in error, the error is what is known: fail. Beside a working one, pass.
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [{}, { error: 'x' }] }) })).vcenter,
    ).toMatchObject({ status: 'fail', message: 'No working vCenter Server registration: x.' });
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [{}, { url: 'https://vc' }] }) })).vcenter,
    ).toMatchObject({ status: 'pass', message: 'vCenter Server registration https://vc is healthy.' });
  });

  test('NSX: the verdict says whether one is registered, names a broken one and lists them all as evidence', () => {
    expect(bySubject(CONN, healthyConnector()).nsx).toEqual(
      expect.objectContaining({
        status: 'pass',
        severity: 'info',
        message: 'NSX Manager registration is healthy.',
        evidence: { source: 'appliance', nsx: [{ url: 'https://nsx.corp.local', version: '4.2.1' }] },
      }),
    );
    expect(bySubject(CONN, healthyConnector({ registrations: regs({ nsx: [] }) })).nsx).toEqual(
      expect.objectContaining({
        status: 'pass',
        severity: 'info',
        message: 'No NSX Manager is registered (optional).',
        evidence: { source: 'appliance', nsx: [] },
      }),
    );
    expect(
      bySubject(
        CONN,
        healthyConnector({
          registrations: regs({
            nsx: [
              { url: 'https://nsx', version: '4.2.1' },
              { url: 'https://nsx2', error: 'unauthorized' },
            ],
          }),
        }),
      ).nsx,
    ).toEqual(
      expect.objectContaining({
        status: 'fail',
        severity: 'high',
        message: 'NSX Manager registration https://nsx2 reports an error: unauthorized.',
        evidence: {
          source: 'appliance',
          nsx: [
            { url: 'https://nsx', version: '4.2.1' },
            { url: 'https://nsx2', error: 'unauthorized' },
          ],
        },
      }),
    );
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ nsx: [{ error: 'unauthorized' }] }) })).nsx.message,
    ).toBe('NSX Manager registration reports an error: unauthorized.');
  });

  test('SSO: an empty list while the SSO login worked is unknown; without a working login it is a missing registration', () => {
    expect(bySubject(CONN, healthyConnector({ registrations: regs({ lookupService: [] }) }))['lookup-service']).toEqual(
      expect.objectContaining({
        status: 'unknown',
        severity: 'high',
        message: 'The SSO lookup service registration was not reported, although the SSO login worked.',
        evidence: { source: 'appliance', registrations: [] },
      }),
    );
    const missing = {
      status: 'fail',
      severity: 'high',
      message: 'The HCX Manager has no SSO lookup service registration.',
    };
    expect(
      bySubject(
        CONN,
        healthyConnector({
          registrations: regs({ lookupService: [] }),
          reachability: { hybridity: { ok: false, errorClass: 'auth' }, applianceManagement: { ok: true } },
        }),
      )['lookup-service'],
    ).toMatchObject(missing);
    // Only the 9443 interface was tried: no SSO login vouches for a registration.
    expect(
      bySubject(
        CONN,
        healthyConnector({
          registrations: regs({ lookupService: [] }),
          reachability: { applianceManagement: { ok: true } },
        }),
      )['lookup-service'],
    ).toMatchObject(missing);
    expect(
      bySubject(
        CONN,
        healthyConnector({
          registrations: regs({
            lookupService: [{ url: 'https://psc/lookupservice/sdk', error: 'untrusted certificate' }],
          }),
        }),
      )['lookup-service'],
    ).toMatchObject({ status: 'fail', message: 'No working SSO lookup service registration: untrusted certificate.' });
  });

  test('app engine: the appengine component is judged whatever its case, and its state is the evidence', () => {
    expect(
      bySubject(
        CONN,
        healthyConnector({
          services: [
            { name: 'web', result: 'RUNNING' },
            { name: 'AppEngine', result: 'STOPPED' },
          ],
        }),
      ).appengine,
    ).toEqual(
      expect.objectContaining({
        status: 'fail',
        severity: 'high',
        message: 'The HCX app engine is STOPPED, not RUNNING.',
        evidence: { source: 'appliance', appengine: 'STOPPED' },
      }),
    );
    expect(bySubject(CONN, healthyConnector()).appengine).toEqual(
      expect.objectContaining({
        status: 'pass',
        severity: 'info',
        message: 'The HCX app engine is RUNNING.',
        evidence: { source: 'appliance', appengine: 'RUNNING' },
      }),
    );
  });

  test('app engine: a component without a result, or with a blank one, is unknown (not reported), never a verdict', () => {
    for (const services of [
      [],
      [{ name: 'web', result: 'RUNNING' }],
      [{ name: 'appengine' }],
      [{ name: 'appengine', result: ' ' }],
    ])
      expect(bySubject(CONN, healthyConnector({ services })).appengine).toMatchObject({
        status: 'unknown',
        severity: 'high',
        message: 'The app engine status was not reported.',
        evidence: { source: 'appliance' },
      });
  });

  test('alerts: a severity not known to be below critical (FATAL, P1, a number) may be critical → unknown', () => {
    for (const severity of ['FATAL', 'P1', '1', 'Critical!'])
      expect(
        bySubject(CONN, healthyConnector({ hcxAlerts: [{ id: 'a', severity, message: 'm' }] })).alerts,
      ).toMatchObject({
        status: 'unknown',
        evidence: { unrated: ['a'] },
      });
    for (const severity of ['INFO', 'warning', ' MAJOR ', 'minor', 'ERROR'])
      expect(
        bySubject(CONN, healthyConnector({ hcxAlerts: [{ id: 'a', severity, message: 'm' }] })).alerts.status,
      ).toBe('pass');
  });

  test('NSX: entries reporting neither URL nor version are unknown, not a healthy registration; an error without text says so', () => {
    expect(bySubject(CONN, healthyConnector({ registrations: regs({ nsx: [{}, { url: ' ' }] }) })).nsx).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message: 'The NSX Manager registration was reported without a URL or version: whether it works cannot be told.',
    });
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ nsx: [{}, { version: '4.2' }] }) })).nsx.status,
    ).toBe('pass');
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ nsx: [{ url: 'https://nsx', error: ' ' }] }) })).nsx
        .message,
    ).toBe('NSX Manager registration https://nsx reports an error: no detail.');
    expect(
      bySubject(CONN, healthyConnector({ registrations: regs({ vcenter: [{ url: 'https://vc', error: ' ' }] }) }))
        .vcenter.message,
    ).toBe('No working vCenter Server registration: an error without detail.');
  });

  test('app engine: padding around the reported state is not a state', () => {
    expect(
      bySubject(CONN, healthyConnector({ services: [{ name: 'appengine', result: ' RUNNING ' }] })).appengine.status,
    ).toBe('pass');
    expect(
      bySubject(CONN, healthyConnector({ services: [{ name: 'appengine', result: ' STOPPED ' }] })).appengine,
    ).toMatchObject({ status: 'fail', message: 'The HCX app engine is STOPPED, not RUNNING.' });
  });

  test('alerts: a padded CRITICAL is critical, and an alert with a blank message is named by its id', () => {
    expect(
      bySubject(CONN, healthyConnector({ hcxAlerts: [{ id: 'a-1', severity: ' CRITICAL ', message: ' ' }] })).alerts,
    ).toMatchObject({ status: 'fail', severity: 'high', message: 'HCX raises 1 critical alert(s): a-1.' });
    expect(bySubject(CONN, healthyConnector({ hcxAlerts: [{ id: 'a-2', message: '' }] })).alerts.message).toBe(
      'HCX raises 1 alert(s) with a missing or unfamiliar severity (first: a-2): whether one is critical cannot be told.',
    );
  });

  test('alerts: a fail counts the critical alerts, names the first and lists at most ten of them', () => {
    const critical = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, severity: 'critical', message: `m${i}` }));
    const alerts = bySubject(
      CONN,
      healthyConnector({ hcxAlerts: [{ id: 'w', severity: 'WARNING', message: 'disk 70%' }, ...critical] }),
    ).alerts;
    expect(alerts).toMatchObject({ status: 'fail', severity: 'high', message: 'HCX raises 12 critical alert(s): m0.' });
    expect(alerts.evidence).toEqual({
      source: 'hcx',
      critical: critical.slice(0, 10).map(({ id, message }) => ({ id, message })),
      total: 13,
    });
  });

  test('alerts: only non-critical alerts → pass, with the total as evidence', () => {
    expect(bySubject(CONN, healthyConnector()).alerts).toEqual(
      expect.objectContaining({
        status: 'pass',
        severity: 'info',
        message: 'HCX raises no critical alert.',
        evidence: { source: 'hcx', critical: [], total: 1 },
      }),
    );
  });

  test('alerts: an alert whose severity was not reported may be critical → unknown, never "no critical alert"', () => {
    for (const severity of [undefined, ' ']) {
      const alerts = bySubject(
        CONN,
        healthyConnector({
          hcxAlerts: [
            { id: 'w', severity: 'WARNING', message: 'disk 70%' },
            { id: 'x', severity, message: 'IX tunnel down' },
            { id: 'y' },
          ],
        }),
      ).alerts;
      expect(alerts).toEqual(
        expect.objectContaining({
          status: 'unknown',
          severity: 'high',
          message:
            'HCX raises 2 alert(s) with a missing or unfamiliar severity (first: IX tunnel down): whether one is critical cannot be told.',
          evidence: { source: 'hcx', critical: [], unrated: ['x', 'y'], total: 3 },
        }),
      );
    }
    expect(bySubject(CONN, healthyConnector({ hcxAlerts: [{ id: 'y' }] })).alerts.message).toBe(
      'HCX raises 1 alert(s) with a missing or unfamiliar severity (first: y): whether one is critical cannot be told.',
    );
    const many = Array.from({ length: 12 }, (_, i) => ({ id: `u${i}` }));
    expect(bySubject(CONN, healthyConnector({ hcxAlerts: many })).alerts).toMatchObject({
      message: expect.stringMatching(/^HCX raises 12 alert\(s\) with a missing or unfamiliar severity/),
      evidence: { unrated: many.slice(0, 10).map((a) => a.id) },
    });
    // A critical alert settles it whatever the others say.
    expect(
      bySubject(
        CONN,
        healthyConnector({ hcxAlerts: [{ id: 'y' }, { id: 'c', severity: 'Critical', message: 'NE down' }] }),
      ).alerts.status,
    ).toBe('fail');
  });

  test('alerts: a build without the alerts API says so in the evidence; alerts that were collected are still judged', () => {
    expect(bySubject(CONN, healthyConnector({ hcxAlerts: undefined, unsupported: ['hcxAlerts'] })).alerts).toEqual(
      expect.objectContaining({
        status: 'not_applicable',
        severity: 'info',
        message: 'This HCX build has no alerts API; the other connection checks still apply.',
        evidence: { source: 'hcx', unsupported: 'hcxAlerts' },
      }),
    );
    expect(
      bySubject(
        CONN,
        healthyConnector({
          hcxAlerts: [{ id: 'a', severity: 'critical', message: 'IX tunnel down' }],
          unsupported: ['hcxAlerts'],
        }),
      ).alerts.status,
    ).toBe('fail');
  });

  test('not collected: each unknown names the collection that is missing and where it comes from', () => {
    const s = bySubject(
      CONN,
      healthyConnector({ registrations: undefined, services: undefined, hcxAlerts: undefined }),
    );
    for (const id of ['vcenter', 'nsx', 'lookup-service'])
      expect(s[id]).toMatchObject({
        status: 'unknown',
        message: expect.stringMatching(/^Cannot evaluate: registrations was not collected/),
        evidence: { source: 'appliance', missing: ['registrations'] },
      });
    expect(s.appengine).toMatchObject({ evidence: { source: 'appliance', missing: ['services'] } });
    expect(s.alerts).toMatchObject({ evidence: { source: 'hcx', missing: ['hcxAlerts'] } });
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
  test('the site pair is named by its name, else its URL, else its endpoint id', () => {
    const id = sitePair().id;
    const names = (over: Parameters<typeof sitePair>[0]) =>
      run(P, healthyConnector({ sitePairs: [sitePair(over)] })).map((e) => [e.subjectId, e.subjectName]);
    expect(names({})).toEqual([[id, 'avs-cloud']]);
    expect(names({ name: undefined })).toEqual([[id, 'https://hcx.abc.westeurope.avs.azure.com']]);
    expect(names({ name: undefined, url: undefined })).toEqual([[id, id]]);
  });
  test('an error or a faulty status fails high, quoting what the pairing reports, with the pairing as evidence', () => {
    expect(
      run(P, healthyConnector({ sitePairs: [sitePair({ status: 'CONNECTED', error: 'remote unreachable' })] }))[0],
    ).toEqual(
      expect.objectContaining({
        status: 'fail',
        severity: 'high',
        message: 'Site pair avs-cloud reports an error: remote unreachable.',
        evidence: {
          source: 'hcx',
          url: 'https://hcx.abc.westeurope.avs.azure.com',
          status: 'CONNECTED',
          error: 'remote unreachable',
          remoteVersion: '4.11.3',
        },
      }),
    );
    expect(run(P, healthyConnector({ sitePairs: [sitePair({ status: 'DISCONNECTED' })] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: 'Site pair avs-cloud reports status DISCONNECTED.',
    });
  });
  test('a remote version that cannot be read fails high and says why', () => {
    expect(run(P, healthyConnector({ sitePairs: [sitePair({ remoteVersion: undefined })] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
      message:
        "The remote site's version cannot be read through site pair avs-cloud (the remote site of avs-cloud did not report a version): the pairing is not healthy.",
    });
  });
  test('a status that is neither known healthy nor faulty is unknown, pointing at the HCX UI', () => {
    expect(run(P, healthyConnector({ sitePairs: [sitePair({ status: 'PENDING' })] }))[0]).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message:
        'Site pair avs-cloud reports status PENDING, which is not a known healthy state; confirm it in the HCX UI (Infrastructure > Site Pairing).',
    });
  });
  test('a healthy pairing passes with its status (or "reachable" when it reports none) and the remote version', () => {
    expect(run(P, healthyConnector({ sitePairs: [sitePair({ status: 'CONNECTED' })] }))[0]).toMatchObject({
      status: 'pass',
      severity: 'info',
      message: 'Site pair avs-cloud is CONNECTED (remote HCX 4.11.3).',
    });
    expect(run(P, healthyConnector())[0]).toMatchObject({
      status: 'pass',
      severity: 'info',
      message: 'Site pair avs-cloud is reachable (remote HCX 4.11.3).',
    });
  });
  test('not collected → * unknown', () => {
    expect(run(P, healthyConnector({ sitePairs: undefined }))).toEqual([
      expect.objectContaining({
        subjectId: '*',
        status: 'unknown',
        evidence: { source: 'hcx', missing: ['sitePairs'] },
      }),
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
  test('meshes not collected → the message and evidence name serviceMeshes', () => {
    expect(run(M, healthyConnector({ serviceMeshes: undefined }))[0]).toMatchObject({
      message: expect.stringMatching(/serviceMeshes was not collected/),
      evidence: { missing: ['serviceMeshes'] },
    });
  });
  test('a healthy mesh passes as info, reported as its own service-mesh subject with its appliances as evidence', () => {
    expect(run(M, healthyConnector({ appliances: [appliance()] }))).toEqual([
      expect.objectContaining({
        subjectId: 'mesh-1',
        subjectName: 'sm-avs',
        subjectKind: 'service-mesh',
        status: 'pass',
        severity: 'info',
        message: 'Service Mesh sm-avs is committed, its appliances are up and every tunnel is active.',
        evidence: {
          source: 'hcx',
          state: 'COMMITTED',
          serviceStatuses: mesh().serviceStatuses,
          lastTask: undefined,
          appliances: [
            { appliance: 'sm-avs-IX-I1', type: 'HCX-WAN-IX', state: 'UP', tunnelsActive: 2, tunnelsTotal: 2 },
          ],
        },
      }),
    ]);
  });
  test('a mesh that reports no per-service statuses is judged on its state and appliances', () => {
    expect(run(M, healthyConnector({ serviceMeshes: [mesh({ serviceStatuses: undefined })] }))[0].status).toBe('pass');
  });
  test('every problem is named in the fail message: service reasons, the failed task with and without its type', () => {
    const one = (over: Parameters<typeof mesh>[0]) => run(M, healthyConnector({ serviceMeshes: [mesh(over)] }))[0];
    expect(
      one({
        serviceStatuses: [
          { name: 'NETWORK_EXTENSION', status: 'DOWN', reason: ['NE appliance down', 'tunnel lost'] },
          { name: 'INTERCONNECT', status: 'DEGRADED' },
        ],
        lastTask: { type: 'resyncServiceMesh', status: 'FAILED' },
      }).message,
    ).toBe(
      'Service Mesh sm-avs is degraded: service NETWORK_EXTENSION is DOWN (NE appliance down; tunnel lost); ' +
        'service INTERCONNECT is DEGRADED; its last interconnect task (resyncServiceMesh) FAILED.',
    );
    expect(one({ lastTask: { status: 'FAILED' } })).toMatchObject({
      status: 'fail',
      message: 'Service Mesh sm-avs is degraded: its last interconnect task FAILED.',
    });
  });
  test('a blank service status is unknown (high), naming the service or "(unnamed)", with what is missing as evidence', () => {
    const e = run(
      M,
      healthyConnector({
        serviceMeshes: [
          mesh({
            state: undefined,
            serviceStatuses: [
              { name: 'INTERCONNECT', status: '  ' },
              { name: '', status: '' },
            ],
          }),
        ],
      }),
    )[0];
    const missing = [
      'mesh state not reported',
      'service INTERCONNECT reports no status',
      'service (unnamed) reports no status',
    ];
    expect(e).toMatchObject({
      status: 'unknown',
      severity: 'high',
      message: `Cannot confirm Service Mesh sm-avs is healthy: ${missing.join('; ')}. What was not reported is never read as healthy.`,
      evidence: { source: 'hcx', missing },
    });
  });
  test('appliances not collected → unknown that says so', () => {
    expect(run(M, healthyConnector({ appliances: undefined }))[0].message).toMatch(/: appliances not collected\./);
  });
  test('an appliance of another mesh does not count against this one', () => {
    const s = bySubject(
      M,
      healthyConnector({
        serviceMeshes: [mesh(), mesh({ id: 'mesh-2', name: 'sm-other' })],
        appliances: [
          appliance(),
          appliance({ id: 'app-ix-2', name: 'other-IX', serviceMeshId: 'mesh-2', state: 'DOWN' }),
        ],
      }),
    );
    expect(s['mesh-1'].status).toBe('pass');
    expect(s['mesh-2']).toMatchObject({ status: 'fail', message: expect.stringMatching(/appliance other-IX is DOWN/) });
  });
  test('an appliance reported down without its mesh makes every mesh unknown; one that is up does not', () => {
    const orphan = (state: string) =>
      bySubject(
        M,
        healthyConnector({
          serviceMeshes: [mesh(), mesh({ id: 'mesh-2', name: 'sm-other' })],
          appliances: [appliance(), appliance({ id: 'app-x', name: 'lost-IX', serviceMeshId: ' ', state })],
        }),
      );
    const down = orphan('DOWN');
    for (const id of ['mesh-1', 'mesh-2'])
      expect(down[id]).toMatchObject({
        status: 'unknown',
        severity: 'high',
        message: expect.stringContaining('appliance lost-IX is DOWN, reported without its Service Mesh'),
      });
    expect(orphan('UP')['mesh-1'].status).toBe('pass');
  });

  test('an appliance down under a mesh id that names no listed mesh (padded or unknown) makes the meshes unknown', () => {
    for (const serviceMeshId of [' mesh-1 ', 'mesh-9', undefined])
      expect(
        run(
          M,
          healthyConnector({
            appliances: [appliance(), appliance({ id: 'app-x', name: 'lost-IX', serviceMeshId, state: 'DOWN' })],
          }),
        )[0],
      ).toMatchObject({
        status: 'unknown',
        message: expect.stringContaining('appliance lost-IX is DOWN, reported without its Service Mesh'),
      });
  });

  test("the interconnect metrics of the mesh's own appliance are read, not another appliance's", () => {
    const e = run(
      M,
      healthyConnector({
        appliances: [appliance()],
        tunnelMetrics: [
          { applianceId: 'app-other', tunnelTotal: 2, tunnelActive: 0 },
          { applianceId: 'app-ix-1', overallStatus: 'DOWN', tunnelTotal: 2, tunnelActive: 2 },
        ],
      }),
    )[0];
    expect(e).toMatchObject({
      status: 'fail',
      message: 'Service Mesh sm-avs is degraded: appliance sm-avs-IX-I1 reports DOWN.',
    });
  });
  test('tunnel counts nobody reported → unknown, saying whether the metrics were not collected, not offered or silent', () => {
    const msg = (over: Partial<Inventory>) =>
      run(
        M,
        healthyConnector({ appliances: [appliance({ tunnelTotal: undefined, tunnelActive: undefined })], ...over }),
      )[0].message;
    expect(msg({})).toMatch(/: tunnel status of sm-avs-IX-I1 not collected \(interconnect metrics not collected\)\./);
    expect(msg({ unsupported: ['tunnelMetrics'] })).toMatch(
      /: tunnel status of sm-avs-IX-I1 not collected \(interconnect metrics not offered by this HCX build\)\./,
    );
    expect(msg({ tunnelMetrics: [] })).toMatch(/: tunnel status of sm-avs-IX-I1 not reported\./);
  });
  test.each([
    ['only the active count', { tunnelTotal: undefined, tunnelActive: 2 }],
    ['only the total', { tunnelTotal: 2, tunnelActive: undefined }],
  ])('an appliance reporting %s is unknown, never up', (_, counts) => {
    expect(run(M, healthyConnector({ appliances: [appliance(counts)] }))[0]).toMatchObject({
      status: 'unknown',
      message: expect.stringMatching(/tunnel status of sm-avs-IX-I1 not collected/),
    });
  });
  test('an unfamiliar appliance state is unknown and named, unless its tunnels prove it up', () => {
    const e = (over: Parameters<typeof appliance>[0]) =>
      run(M, healthyConnector({ appliances: [appliance({ state: 'SLEEPY', ...over })] }))[0];
    expect(e({}).status).toBe('pass');
    expect(e({ tunnelTotal: undefined, tunnelActive: undefined }).message).toMatch(
      /: appliance sm-avs-IX-I1 reports state SLEEPY; tunnel status of sm-avs-IX-I1 not collected/,
    );
  });
  test('an appliance without tunnels (WAN-Opt) is judged on its state alone', () => {
    const wanopt = (state: string) =>
      run(
        M,
        healthyConnector({
          appliances: [
            appliance(),
            appliance({
              id: 'app-wo',
              name: 'sm-avs-WO-I1',
              type: 'HCX-WAN-OPT',
              state,
              tunnelTotal: undefined,
              tunnelActive: undefined,
            }),
          ],
        }),
      )[0];
    expect(wanopt('UP').status).toBe('pass');
    expect(wanopt('SLEEPY')).toMatchObject({
      status: 'unknown',
      message: expect.stringMatching(/: appliance sm-avs-WO-I1 reports state SLEEPY\. /),
    });
  });
  test('tunnel counts do not vouch for an unfamiliar state of an appliance that carries no tunnels', () => {
    expect(
      run(
        M,
        healthyConnector({
          appliances: [appliance({ type: 'HCX-WAN-OPT', state: 'SLEEPY', tunnelTotal: 2, tunnelActive: 2 })],
        }),
      )[0].status,
    ).toBe('unknown');
  });
  const oneMesh = (over: Parameters<typeof mesh>[0]) => run(M, healthyConnector({ serviceMeshes: [mesh(over)] }))[0];
  test('a blank mesh state is not reported (unknown), not a failed state', () => {
    expect(oneMesh({ state: ' ' })).toMatchObject({
      status: 'unknown',
      message: expect.stringMatching(/: mesh state not reported\./),
    });
  });
  test('padding around COMMITTED or around a healthy service status is still healthy', () => {
    expect(oneMesh({ state: ' COMMITTED ', serviceStatuses: [{ name: 'INTERCONNECT', status: ' UP ' }] }).status).toBe(
      'pass',
    );
    expect(oneMesh({ state: 'COMMITTED', serviceStatuses: [{ name: 'INTERCONNECT', status: 'UP\n' }] }).status).toBe(
      'pass',
    );
    expect(oneMesh({ state: ' COMMITTED\t' }).status).toBe('pass');
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
  test('not collected → unknown naming migrations', () => {
    expect(run(G, healthyCloud({ migrations: undefined }))[0]).toMatchObject({
      message: expect.stringMatching(/migrations was not collected/),
      evidence: { missing: ['migrations'] },
    });
  });
  test('a running migration fails, naming the first by VM (else id) and state, with a sample of at most ten', () => {
    const migrations = [
      { id: 'm-1', state: 'MIGRATING', entityName: 'vm-1' },
      { id: 'm-2', state: 'MIGRATED', entityName: 'vm-2' },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `m-q${i}`, state: 'QUEUED' })),
    ];
    const e = run(G, healthyCloud({ migrations }))[0];
    expect(e).toMatchObject({
      subjectId: 'manager',
      status: 'fail',
      severity: 'low',
      message: '11 migration(s) are not finished (e.g. vm-1, MIGRATING); no upgrade may start while they run.',
      evidence: { source: 'hcx', inProgress: 11, withoutState: 0 },
    });
    const sample = e.evidence.sample as unknown[];
    expect(sample).toHaveLength(10);
    expect(sample.slice(0, 2)).toEqual([
      { migration: 'vm-1', state: 'MIGRATING' },
      { migration: 'm-q0', state: 'QUEUED' },
    ]);
  });
  test('a migration the newer API reports not done is running even without a state', () => {
    expect(run(G, healthyCloud({ migrations: [{ id: 'm-9', done: false }] }))[0]).toMatchObject({
      status: 'fail',
      message: '1 migration(s) are not finished (e.g. m-9); no upgrade may start while they run.',
    });
  });
  test('a migration with a blank state is unknown (low), named, never a pass', () => {
    expect(
      run(
        G,
        healthyCloud({
          migrations: [
            { id: 'm-1', state: ' ', entityName: 'vm-1' },
            { id: 'm-2', state: '' },
          ],
        }),
      )[0],
    ).toMatchObject({
      status: 'unknown',
      severity: 'low',
      message: '2 migration(s) report no state (e.g. vm-1); cannot rule out one in progress.',
      evidence: { inProgress: 0, withoutState: 2 },
    });
  });
  test('finished migrations pass as info: terminal states in any case or padding, done flags and drafts', () => {
    expect(
      run(
        G,
        healthyCloud({
          migrations: [
            { id: '1', state: ' migrated ' },
            { id: '2', state: 'MIGRATE_CANCELLED' },
            { id: '3', state: 'MIGRATING', done: true },
            { id: '4', state: 'MIGRATING', draft: true },
          ],
        }),
      )[0],
    ).toMatchObject({
      status: 'pass',
      severity: 'info',
      message: 'No migration is in progress.',
      evidence: { inProgress: 0, sample: [], withoutState: 0 },
    });
  });
});

describe('applianceTunnels (shared with the upgrade checklist, which reports problems and unknowns side by side)', () => {
  const read = (over: Parameters<typeof appliance>[0]) =>
    applianceTunnels(healthyConnector(), appliance({ state: 'SLEEPY', ...over }));
  test('tunnels that are all up vouch for an unfamiliar state', () => {
    expect(read({})).toEqual({
      problems: [],
      unknowns: [],
      evidence: { appliance: 'sm-avs-IX-I1', type: 'HCX-WAN-IX', state: 'SLEEPY', tunnelsActive: 2, tunnelsTotal: 2 },
    });
  });
  test.each([
    [{ tunnelTotal: 0, tunnelActive: 0 }, 'appliance sm-avs-IX-I1 has no tunnel'],
    [{ tunnelTotal: 2, tunnelActive: 1 }, 'appliance sm-avs-IX-I1 has 1/2 tunnels up'],
  ])('%j: a tunnel problem, and the unfamiliar state stays unknown', (counts, problem) => {
    expect(read(counts)).toMatchObject({
      problems: [problem],
      unknowns: ['appliance sm-avs-IX-I1 reports state SLEEPY'],
    });
  });
});

describe('hcx-operations-queued', () => {
  const Q = 'hcx-operations-queued';
  const task = (lastTask: { type?: string; status?: string }) => [mesh({ lastTask })];
  test('nothing queued → pass (info)', () => {
    expect(run(Q, healthyConnector())[0]).toMatchObject({
      subjectId: 'manager',
      status: 'pass',
      severity: 'info',
      message: 'No Service Mesh task or scheduled migration is pending.',
      evidence: { source: 'hcx', tasks: [], scheduledMigrations: 0 },
    });
  });
  test('a queued or running mesh task and a scheduled migration fail (low), each named', () => {
    expect(
      run(
        Q,
        healthyConnector({
          serviceMeshes: task({ type: 'resyncServiceMesh', status: 'RUNNING' }),
          migrations: [{ id: 'm-1', scheduled: true, state: 'QUEUED', entityName: 'vm-1' }],
        }),
      )[0],
    ).toMatchObject({
      status: 'fail',
      severity: 'low',
      message:
        'HCX operations are queued or running: resyncServiceMesh on mesh sm-avs is RUNNING; ' +
        '1 migration(s) scheduled or waiting for their window (e.g. vm-1).',
      evidence: { tasks: ['resyncServiceMesh on mesh sm-avs is RUNNING'], scheduledMigrations: 1 },
    });
    expect(run(Q, healthyConnector({ serviceMeshes: task({ status: 'QUEUED' }) }))[0].message).toBe(
      'HCX operations are queued or running: task on mesh sm-avs is QUEUED.',
    );
  });
  test('finished tasks, finished or draft scheduled migrations and unscheduled running ones are not queued operations', () => {
    expect(
      run(
        Q,
        healthyConnector({
          serviceMeshes: task({ type: 'resyncServiceMesh', status: 'SUCCESS' }),
          migrations: [
            { id: '1', scheduled: true, state: 'MIGRATED' },
            { id: '2', scheduled: true, done: true },
            { id: '3', scheduled: true, draft: true },
            { id: '4', state: 'MIGRATING' },
          ],
        }),
      )[0].status,
    ).toBe('pass');
  });
  test('a padded active status is active; finished statuses (SUCCESS, FAILED, STOPPED, REALIZED) and no last task pass', () => {
    for (const status of ['PENDING', 'in_progress', 'IN PROGRESS', 'scheduled'])
      expect(run(Q, healthyConnector({ serviceMeshes: task({ status }) }))[0].status).toBe('fail');
    expect(run(Q, healthyConnector({ serviceMeshes: task({ status: ' RUNNING ' }) }))[0]).toMatchObject({
      status: 'fail',
      message: 'HCX operations are queued or running: task on mesh sm-avs is RUNNING.',
    });
    for (const status of ['SUCCESS', 'failed', ' STOPPED ', 'REALIZED'])
      expect(run(Q, healthyConnector({ serviceMeshes: task({ status }) }))[0].status).toBe('pass');
    expect(run(Q, healthyConnector({ serviceMeshes: [mesh({ lastTask: undefined })] }))[0].status).toBe('pass');
  });
  test('a last task whose status is blank or unfamiliar may still be running → unknown, never a pass', () => {
    expect(run(Q, healthyConnector({ serviceMeshes: task({ status: 'STARTED' }) }))[0]).toMatchObject({
      status: 'unknown',
      severity: 'low',
      message: 'Cannot rule out queued HCX operations: the last task on mesh sm-avs reports status STARTED.',
      evidence: { missing: [], unclear: ['the last task on mesh sm-avs reports status STARTED'] },
    });
    for (const lastTask of [{ status: ' ' }, { type: 'updateServiceMesh' }])
      expect(run(Q, healthyConnector({ serviceMeshes: [mesh({ lastTask })], migrations: undefined }))[0].message).toBe(
        'Cannot rule out queued HCX operations: migrations not collected; the last task on mesh sm-avs reports no status.',
      );
  });
  test('a list not collected → unknown (low) naming it, never a pass', () => {
    const e = (over: Partial<Inventory>) => run(Q, healthyConnector(over))[0];
    expect(e({ serviceMeshes: undefined })).toMatchObject({
      status: 'unknown',
      severity: 'low',
      message: 'Cannot rule out queued HCX operations: serviceMeshes not collected.',
      evidence: { missing: ['serviceMeshes'] },
    });
    expect(e({ migrations: undefined }).message).toBe(
      'Cannot rule out queued HCX operations: migrations not collected.',
    );
    expect(e({ serviceMeshes: undefined, migrations: undefined }).message).toBe(
      'Cannot rule out queued HCX operations: serviceMeshes and migrations not collected.',
    );
  });
  test('what was collected still fails when the other list is missing', () => {
    expect(
      run(Q, healthyConnector({ serviceMeshes: undefined, migrations: [{ id: 'm-1', scheduled: true }] }))[0],
    ).toMatchObject({
      status: 'fail',
      message: 'HCX operations are queued or running: 1 migration(s) scheduled or waiting for their window (e.g. m-1).',
    });
  });
});
