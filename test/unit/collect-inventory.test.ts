/** collectInventory's fail-closed paths that need no network: missing secrets and missing URLs. */
import { loadConfig } from '../../lib/config';
import { connectorTargets } from '../../lib/collect/avs';
import { collectInventory } from '../../lib/collect/inventory';

const connectors = JSON.stringify([
  { name: 'dc1', url: 'https://hcx.dc1.example/', username: 'administrator@vsphere.local', passwordSetting: 'DC1_PW', applianceUrl: 'https://hcx.dc1.example:9443/', adminPasswordSetting: 'DC1_ADMIN_PW' },
]);
const config = loadConfig({ HCXMON_CONNECTORS: connectors, DC1_PW: 'x', DC1_ADMIN_PW: 'y' });

describe('collectInventory without reaching anything', () => {
  it('a connector password setting that is empty at scan time → config issue on both interfaces, nothing collected, no throw', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(target, { config, env: {}, asOf: new Date('2026-03-01T00:00:00Z') });
    expect(inv.target).toEqual({ id: 'connector:dc1', name: 'dc1', kind: 'hcx-connector' });
    expect(inv.collectedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'config', message: expect.stringContaining('DC1_PW') });
    expect(inv.reachability.applianceManagement).toMatchObject({ ok: false, errorClass: 'config', message: expect.stringContaining('DC1_ADMIN_PW') });
    expect(inv.issues.map((i) => [i.source, i.errorClass])).toEqual([
      ['hcx', 'config'],
      ['appliance', 'config'],
    ]);
    expect(inv.manager).toBeUndefined();
    expect(inv.licensing).toBeUndefined();
  });

  it('a target without an HCX URL → config issue, not a pass', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory({ ...target, hcxUrl: undefined, applianceUrl: undefined }, { config, env: { DC1_PW: 'x' } });
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'config' });
    expect(inv.issues).toHaveLength(1);
  });

  it('an unreadable per-target CA file → config issue naming the file', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory({ ...target, applianceUrl: undefined, trust: { caFile: '/nonexistent/hcx-ca.pem' } }, { config, env: { DC1_PW: 'x' } });
    expect(inv.reachability.hybridity).toMatchObject({ ok: false, errorClass: 'config', message: expect.stringContaining('/nonexistent/hcx-ca.pem') });
  });
});
