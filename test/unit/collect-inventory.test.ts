/** collectInventory's fail-closed paths that need no network: missing secrets and missing URLs. */
import { loadConfig } from '../../lib/config';
import { connectorTargets } from '../../lib/collect/avs';
import { collectInventory, issueFrom, type CollectStats } from '../../lib/collect/inventory';
import { CollectionError, ConfigError } from '../../lib/errors';
import type { CollectionIssue } from '../../lib/domain/inventory';

const connectors = JSON.stringify([
  {
    name: 'dc1',
    url: 'https://hcx.dc1.example/',
    username: 'administrator@vsphere.local',
    passwordSetting: 'DC1_PW',
    applianceUrl: 'https://hcx.dc1.example:9443/',
    adminPasswordSetting: 'DC1_ADMIN_PW',
  },
]);
const config = loadConfig({ HCXMON_CONNECTORS: connectors, DC1_PW: 'x', DC1_ADMIN_PW: 'y' });

/** The two interfaces are collected side by side: their issues in a fixed order (hcx, then appliance). */
const bySource = (issues: CollectionIssue[]): CollectionIssue[] =>
  [...issues].sort((a, b) => b.source.localeCompare(a.source));

describe('collectInventory without reaching anything', () => {
  it('a connector password setting that is empty at scan time → config issue on both interfaces, nothing collected, no throw', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(target, { config, env: {}, asOf: new Date('2026-03-01T00:00:00Z') });
    expect(inv.target).toEqual({ id: 'connector:dc1', name: 'dc1', kind: 'hcx-connector' });
    expect(inv.collectedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(inv.reachability.hybridity).toMatchObject({
      ok: false,
      errorClass: 'config',
      message: expect.stringContaining('DC1_PW'),
    });
    expect(inv.reachability.applianceManagement).toMatchObject({
      ok: false,
      errorClass: 'config',
      message: expect.stringContaining('DC1_ADMIN_PW'),
    });
    expect(inv.issues.map((i) => [i.source, i.errorClass])).toEqual([
      ['hcx', 'config'],
      ['appliance', 'config'],
    ]);
    expect(inv.manager).toBeUndefined();
    expect(inv.licensing).toBeUndefined();
  });

  it('a target without an HCX URL → config issue on the hybridity login, not a pass', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(
      { ...target, hcxUrl: undefined, applianceUrl: undefined },
      { config, env: { DC1_PW: 'x' } },
    );
    const message = 'login: config (no HCX Manager URL known for this target)';
    expect(inv.issues).toEqual([{ source: 'hcx', call: 'login', errorClass: 'config', message }]);
    expect(inv.reachability).toEqual({ hybridity: { ok: false, errorClass: 'config', message } });
  });

  it('the empty password setting is recorded against the hybridity login', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory({ ...target, applianceUrl: undefined }, { config, env: {} });
    expect(inv.issues).toEqual([
      { source: 'hcx', call: 'login', errorClass: 'config', message: expect.stringContaining('DC1_PW') },
    ]);
  });

  it('a connector target that carries no credentials at all → config issue on both interfaces naming HCXMON_CONNECTORS', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(
      { ...target, connector: undefined },
      { config, env: { DC1_PW: 'x', DC1_ADMIN_PW: 'y' } },
    );
    expect(bySource(inv.issues)).toEqual([
      {
        source: 'hcx',
        call: 'login',
        errorClass: 'config',
        message: 'HCXMON_CONNECTORS: connector dc1 has no credentials configured',
      },
      {
        source: 'appliance',
        call: 'applianceManagement',
        errorClass: 'config',
        message: 'HCXMON_CONNECTORS: connector dc1: applianceUrl needs adminPasswordSetting',
      },
    ]);
    expect(inv.reachability).toMatchObject({
      hybridity: { ok: false, errorClass: 'config' },
      applianceManagement: { ok: false, errorClass: 'config' },
    });
  });

  it('an appliance URL without an admin password setting → config issue on 9443, the hybridity side unaffected by it', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(
      { ...target, hcxUrl: undefined, connector: { ...target.connector!, adminPasswordSetting: undefined } },
      { config, env: { DC1_PW: 'x', DC1_ADMIN_PW: 'y' } },
    );
    expect(bySource(inv.issues)).toEqual([
      expect.objectContaining({ source: 'hcx', call: 'login', errorClass: 'config' }),
      {
        source: 'appliance',
        call: 'applianceManagement',
        errorClass: 'config',
        message: 'HCXMON_CONNECTORS: connector dc1: applianceUrl needs adminPasswordSetting',
      },
    ]);
    expect(inv.reachability.applianceManagement).toEqual({
      ok: false,
      errorClass: 'config',
      message: 'HCXMON_CONNECTORS: connector dc1: applianceUrl needs adminPasswordSetting',
    });
  });

  it('an unreadable CA file → config issue on each interface, each under its own source, and zero requests counted', async () => {
    const [target] = connectorTargets(config);
    let stats: CollectStats = {};
    const inv = await collectInventory(
      { ...target, trust: { caFile: '/nonexistent/hcx-ca.pem' } },
      { config, env: { DC1_PW: 'x', DC1_ADMIN_PW: 'y' }, onStats: (s) => (stats = s) },
    );
    const unreadable = { errorClass: 'config', message: expect.stringContaining('/nonexistent/hcx-ca.pem') };
    expect(bySource(inv.issues)).toEqual([
      { source: 'hcx', call: 'login', ...unreadable },
      { source: 'appliance', call: 'applianceManagement', ...unreadable },
    ]);
    const none = { requests: 0, retries: 0, waits: 0, waitedMs: 0, retryAfterWaits: 0 };
    expect(stats).toEqual({ hybridity: { ...none, logins: 0 }, appliance: none });
  });

  it('a malformed certificate pin → config issue on each interface, each under its own source', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(
      { ...target, trust: { certSha256: 'abc' } },
      { config, env: { DC1_PW: 'x', DC1_ADMIN_PW: 'y' } },
    );
    const badPin = { errorClass: 'config', message: 'certSha256 is not a SHA-256 fingerprint (64 hex digits)' };
    expect(bySource(inv.issues)).toEqual([
      { source: 'hcx', call: 'login', ...badPin },
      { source: 'appliance', call: 'applianceManagement', ...badPin },
    ]);
  });

  it('an unreadable per-target CA file → config issue naming the file', async () => {
    const [target] = connectorTargets(config);
    const inv = await collectInventory(
      { ...target, applianceUrl: undefined, trust: { caFile: '/nonexistent/hcx-ca.pem' } },
      { config, env: { DC1_PW: 'x' } },
    );
    expect(inv.reachability.hybridity).toMatchObject({
      ok: false,
      errorClass: 'config',
      message: expect.stringContaining('/nonexistent/hcx-ca.pem'),
    });
  });
});

describe('issueFrom: what a failed call records', () => {
  it('files the issue under the interface being collected, whatever source the error carries', () => {
    const err = new CollectionError('config', 'certSha256 is not a SHA-256 fingerprint (64 hex digits)', {
      source: 'hcx',
    });
    expect(issueFrom(err, 'appliance', 'applianceManagement')).toEqual({
      source: 'appliance',
      call: 'applianceManagement',
      errorClass: 'config',
      message: 'certSha256 is not a SHA-256 fingerprint (64 hex digits)',
    });
    expect(
      issueFrom(new CollectionError('http', 'sitePairs: http 503', { source: 'hcx', status: 503 }), 'hcx', 'sitePairs'),
    ).toEqual({
      source: 'hcx',
      call: 'sitePairs',
      errorClass: 'http',
      status: 503,
      message: 'sitePairs: http 503',
    });
  });

  it('a configuration error is a config issue; anything else is malformed, named by its type only', () => {
    expect(issueFrom(new ConfigError('HCXMON_CONNECTORS', 'no password'), 'hcx', 'login')).toMatchObject({
      source: 'hcx',
      call: 'login',
      errorClass: 'config',
    });
    expect(issueFrom(new RangeError('token=abc123'), 'appliance', 'licensing')).toEqual({
      source: 'appliance',
      call: 'licensing',
      errorClass: 'malformed',
      message: 'licensing: malformed (unexpected RangeError)',
    });
    expect(issueFrom('boom', 'arm', 'arm').message).toBe('arm: malformed (unexpected string)');
  });
});
