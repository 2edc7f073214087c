import { loadConfig, parseSchedule, readSecret } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

const conn = (over: Record<string, unknown> = {}) =>
  JSON.stringify([{ name: 'onprem', url: 'https://hcx.example.com', username: 'administrator@vsphere.local', passwordSetting: 'HCX_PW', ...over }]);

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      subscriptionIds: [],
      armEndpoint: 'https://management.azure.com',
      cloudCredentials: 'arm',
      connectors: [],
      storage: { kind: 'embedded' },
      scanSchedule: '0 0 5 * * *',
      scanPeriodHours: 24,
      concurrency: 8,
      httpTimeoutMs: 15000,
      extensionMaxDays: 30,
      alert: { stream: 'Custom-HcxComplianceFindings_CL', minSeverity: 'high' },
    });
  });

  it('parses connectors and checks the password settings they name exist', () => {
    const c = loadConfig({ HCXMON_CONNECTORS: conn(), HCX_PW: 'secret' });
    expect(c.connectors).toEqual([
      expect.objectContaining({ name: 'onprem', adminUsername: 'admin', passwordSetting: 'HCX_PW' }),
    ]);
    expect(() => loadConfig({ HCXMON_CONNECTORS: conn() })).toThrow(/HCX_PW names a setting that is not set/);
  });

  it.each([
    ['malformed JSON', '[{', /HCXMON_CONNECTORS: is not valid JSON/],
    ['not an array', '{}', /expected a JSON array/],
    ['missing url', JSON.stringify([{ name: 'a', username: 'u', passwordSetting: 'P' }]), /connector #1 "a": url/],
    ['http url', conn({ url: 'http://hcx' }), /url: .*https/],
    ['password inline', conn({ passwordSetting: 'pa ss!' }), /must name a setting/],
    ['appliance without admin password', conn({ applianceUrl: 'https://hcx:9443' }), /adminPasswordSetting/],
    ['bad pin', conn({ certSha256: 'abc' }), /SHA-256/],
  ])('rejects a connector list with %s', (_label, value, message) => {
    expect(() => loadConfig({ HCXMON_CONNECTORS: value, HCX_PW: 'x', P: 'x' })).toThrow(message);
  });

  it.each([
    ['HCXMON_CLOUD_CREDENTIALS', 'vault', /expected "arm" or "none"/],
    ['HCXMON_BASELINE_VERSION', '4.x', /expected a version/],
    ['HCXMON_SCAN_SCHEDULE', '0 5 * * *', /6 fields/],
    ['HCXMON_SCAN_SCHEDULE', '0 0 25 * * *', /out of range/],
    ['HCXMON_CONCURRENCY', '0', /whole number from 1/],
    ['HCXMON_HTTP_TIMEOUT_MS', 'fast', /whole number/],
    ['HCXMON_SUBSCRIPTION_IDS', 'not-a-guid', /not a subscription id/],
    ['HCXMON_ALERT_MIN_SEVERITY', 'urgent', /expected one of/],
    ['HCXMON_ARM_ENDPOINT', 'http://arm', /https/],
  ])('fails fast on a bad %s naming the setting', (name, value, message) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe(name);
    expect((err as Error).message).toMatch(message);
  });

  it('prefers HCXMON_STORAGE, then AzureWebJobsStorage, then identity URIs', () => {
    expect(loadConfig({ HCXMON_STORAGE: 'a', AzureWebJobsStorage: 'b' }).storage).toMatchObject({ connectionString: 'a' });
    expect(loadConfig({ AzureWebJobsStorage: 'b' }).storage).toMatchObject({ connectionString: 'b' });
    expect(
      loadConfig({
        AzureWebJobsStorage__tableServiceUri: 'https://s.table.core.windows.net',
        AzureWebJobsStorage__queueServiceUri: 'https://s.queue.core.windows.net',
      }).storage,
    ).toMatchObject({ kind: 'identity' });
  });

  it('requires the DCR id when an alert endpoint is set', () => {
    expect(() => loadConfig({ HCXMON_ALERT_ENDPOINT: 'https://dce.ingest.monitor.azure.com' })).toThrow(/HCXMON_ALERT_RULE_ID/);
  });

  it('never puts a secret value into a config error', () => {
    expect(() => readSecret({}, 'HCX_PW')).toThrow(/HCX_PW: is not set/);
  });
});

describe('parseSchedule', () => {
  it.each([
    ['0 0 5 * * *', 24],
    ['0 0 */6 * * *', 6],
    ['0 30 * * * *', 1],
    ['0 0 2,14 * * *', 12],
    ['0 0 5 * * mon-fri', 24],
  ])('%s has a period of %d h', (expr, hours) => {
    expect(parseSchedule(expr)).toBe(hours);
  });
});

describe('local.settings.sample.json', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sample = require('../../local.settings.sample.json') as { Values: Record<string, string> };

  it('lists every setting the product reads', () => {
    const { SETTINGS } = jest.requireActual('../../lib/config') as typeof import('../../lib/config');
    for (const name of Object.values(SETTINGS)) expect(Object.keys(sample.Values)).toContain(name);
  });

  it('is itself a valid configuration (defaults and the example connector)', () => {
    const values = Object.fromEntries(
      Object.entries(sample.Values).filter(([k]) => !['HCXMON_SUBSCRIPTION_IDS'].includes(k)),
    );
    expect(() => loadConfig(values)).not.toThrow();
  });
});
