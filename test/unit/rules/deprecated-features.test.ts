import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
import { appliance, ctxAt, healthyCloud, healthyConnector, mesh, sitePair } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory) => ruleById(id)!.evaluate(inv, ctxAt());
const wanMesh = mesh({ services: ['INTERCONNECT', 'WANOPT'] });

describe('hcx-wan-optimization-enabled', () => {
  test('private cloud below 4.11.3 with WANOPT → critical (the Cloud Manager cannot be upgraded)', () => {
    const e = run(
      'hcx-wan-optimization-enabled',
      healthyCloud({ manager: { version: '4.11.2' }, serviceMeshes: [wanMesh] }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'critical', subjectId: 'mesh-1', subjectKind: 'service-mesh' });
    expect(e.message).toMatch(/cannot be upgraded to 4\.11\.3/);
  });

  test('private cloud at 4.11.3 → high', () => {
    expect(run('hcx-wan-optimization-enabled', healthyCloud({ serviceMeshes: [wanMesh] }))[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });

  test('private cloud version unknown → critical', () => {
    expect(
      run('hcx-wan-optimization-enabled', healthyCloud({ manager: undefined, serviceMeshes: [wanMesh] }))[0],
    ).toMatchObject({ severity: 'critical' });
  });

  test('connector: the remote Cloud Manager of the mesh decides (site pair whose endpoint is in the mesh)', () => {
    const at = (remoteVersion: string | undefined, id = '20250101000000000-aaaa-bbbb') =>
      run(
        'hcx-wan-optimization-enabled',
        healthyConnector({
          manager: { version: '4.11.3' },
          serviceMeshes: [wanMesh],
          sitePairs: [sitePair({ id, remoteVersion })],
        }),
      )[0];
    expect(at('4.11.2')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(at('4.11.3')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(at(undefined)).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(at('4.11.3', 'some-other-endpoint')).toMatchObject({ status: 'fail', severity: 'critical' });
  });

  test('a WAN-Opt appliance in the mesh counts even when the service list does not show it', () => {
    const inv = healthyCloud({
      appliances: [appliance(), appliance({ id: 'wo', name: 'sm-WO-I1', type: 'HCX-WAN-OPT' })],
    });
    expect(run('hcx-wan-optimization-enabled', inv)[0]).toMatchObject({ status: 'fail', severity: 'high' });
  });

  test('no WANOPT → pass; appliances not collected → unknown; meshes not collected → * unknown', () => {
    expect(run('hcx-wan-optimization-enabled', healthyCloud())[0].status).toBe('pass');
    expect(run('hcx-wan-optimization-enabled', healthyCloud({ appliances: undefined }))[0].status).toBe('unknown');
    expect(run('hcx-wan-optimization-enabled', healthyCloud({ serviceMeshes: undefined }))[0]).toMatchObject({
      subjectId: '*',
      status: 'unknown',
    });
  });
});

describe('hcx-disaster-recovery-in-use', () => {
  const zero = { outgoing: 0, incoming: 0 };
  const summary = { active: zero, configuring: zero, recovering: zero, syncing: zero };

  test('a mesh with DISASTER_RECOVERY → high', () => {
    const e = run(
      'hcx-disaster-recovery-in-use',
      healthyConnector({ serviceMeshes: [mesh({ services: ['INTERCONNECT', 'DISASTER_RECOVERY'] })] }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'high', subjectId: 'manager' });
  });

  test.each(['active', 'configuring', 'recovering', 'syncing'] as const)('an incoming %s replication → high', (k) => {
    const e = run(
      'hcx-disaster-recovery-in-use',
      healthyConnector({ replicationSummary: { ...summary, [k]: { outgoing: 0, incoming: 1 } } }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.message).toContain(k);
  });

  test('positive evidence wins even when the other collection is missing', () => {
    const e = run(
      'hcx-disaster-recovery-in-use',
      healthyConnector({
        serviceMeshes: undefined,
        replicationSummary: { ...summary, active: { outgoing: 2, incoming: 0 } },
      }),
    )[0];
    expect(e.status).toBe('fail');
  });

  test('nothing → pass; either collection missing → unknown', () => {
    expect(run('hcx-disaster-recovery-in-use', healthyConnector())[0].status).toBe('pass');
    expect(run('hcx-disaster-recovery-in-use', healthyConnector({ replicationSummary: undefined }))[0].status).toBe(
      'unknown',
    );
    expect(run('hcx-disaster-recovery-in-use', healthyConnector({ serviceMeshes: undefined }))[0].status).toBe(
      'unknown',
    );
  });
});

describe('hcx-v2t-migration-in-use', () => {
  test('a V2T migration → high', () => {
    const e = run(
      'hcx-v2t-migration-in-use',
      healthyCloud({ migrations: [{ id: 'm9', type: 'V2T_BULK', state: 'MIGRATING', entityName: 'vm-9' }] }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'high', evidence: { source: 'hcx' } });
  });

  test('inferred: a Connector registered to NSX-V (6.x) while paired → medium, basis inferred', () => {
    const regs = {
      vcenter: [{ url: 'https://vc' }],
      nsx: [{ url: 'https://nsxv', version: '6.4.14' }],
      lookupService: [],
    };
    const e = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs }))[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'medium', evidence: { source: 'inferred' } });
    expect(e.message).toMatch(/Inferred/);
    // Not paired with anything: no inference.
    expect(run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs, sitePairs: [] }))[0].status).toBe(
      'pass',
    );
  });

  test('inferred: NSX-V registration with site pairs NOT collected fails closed (not read as "not paired")', () => {
    const regs = {
      vcenter: [{ url: 'https://vc' }],
      nsx: [{ url: 'https://nsxv', version: '6.4.14' }],
      lookupService: [],
    };
    const e = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs, sitePairs: undefined }))[0];
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'medium',
      evidence: { source: 'inferred', sitePairs: undefined },
    });
    expect(e.message).toContain('(site pairs not collected)');
    const paired = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: regs }))[0];
    expect(paired.message).toContain('(1 site pair(s))');
    expect(paired.evidence).toMatchObject({ nsxVersions: ['6.4.14'], sitePairs: 1 });
  });

  test('no V2T → pass; migrations missing → unknown; Connector registrations missing → unknown', () => {
    expect(run('hcx-v2t-migration-in-use', healthyConnector())[0].status).toBe('pass');
    expect(run('hcx-v2t-migration-in-use', healthyCloud())[0].status).toBe('pass');
    expect(run('hcx-v2t-migration-in-use', healthyCloud({ migrations: undefined }))[0].status).toBe('unknown');
    const e = run('hcx-v2t-migration-in-use', healthyConnector({ registrations: undefined }))[0];
    expect(e.status).toBe('unknown');
    expect(e.message).toMatch(/9443/);
  });
});
