import { randomBytes } from 'node:crypto';
import { generateLabCerts, type LabCerts } from '../../dev/lab/certs';
import { createArmClientFactory, discoverEstate, discoverTargets } from '../../lib/collect';
import { loadConfig } from '../../lib/config';
import { recordingServer, type RecordingServer } from './support';

// Attack: ARM's answers are data. A `nextLink` on another origin must not be followed with the bearer token.
const SUB_FORGED = '00000000-0000-0000-0000-0000000000aa';
const SUB_HONEST = '00000000-0000-0000-0000-0000000000bb';
const TOKEN = `arm-token-${randomBytes(12).toString('hex')}`;

function cloud(sub: string, name: string): unknown {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/${name}`,
    name,
    type: 'Microsoft.AVS/privateClouds',
    location: 'westeurope',
    sku: { name: 'AV36' },
    properties: { provisioningState: 'Succeeded', endpoints: { hcxCloudManager: `https://hcx.${name}.example/` } },
  };
}

describe('ARM requests are pinned to the configured ARM origin', () => {
  let certs: LabCerts;
  let arm: RecordingServer;
  let foreign: RecordingServer;

  beforeAll(async () => {
    certs = await generateLabCerts();
    // Same certificate, another port: another origin, which TLS alone would happily accept.
    foreign = await recordingServer(certs.trusted, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: [cloud(SUB_FORGED, 'planted')] }));
    });
    arm = await recordingServer(certs.trusted, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Discovery at tenant scope (issue 15): the subscription list's nextLink is data too.
      if (req.url.startsWith('/subscriptions?')) {
        res.end(JSON.stringify({ value: [{ subscriptionId: SUB_HONEST, tenantId: SUB_HONEST, state: 'Enabled' }], nextLink: `${foreign.origin}/subscriptions?api-version=2022-12-01&page=2` }));
        return;
      }
      if (req.url.startsWith('/providers/Microsoft.ResourceGraph/resources')) {
        res.end(JSON.stringify({ data: [], count: 0, totalRecords: 0, resultTruncated: 'false' }));
        return;
      }
      const forged = req.url.includes(SUB_FORGED);
      res.end(
        JSON.stringify({
          value: [cloud(forged ? SUB_FORGED : SUB_HONEST, forged ? 'first-page' : 'honest')],
          ...(forged ? { nextLink: `${foreign.origin}/subscriptions/${SUB_FORGED}/providers/Microsoft.AVS/privateClouds?api-version=2023-09-01&$skipToken=1` } : {}),
        }),
      );
    });
  });
  afterAll(async () => {
    await Promise.all([arm?.stop(), foreign?.stop()]);
    await certs?.remove();
  });

  it('a nextLink to another origin is not followed: no request (and no token) leaves, that subscription fails with a clear message', async () => {
    const config = loadConfig({
      HCXMON_SUBSCRIPTION_IDS: `${SUB_FORGED},${SUB_HONEST}`,
      HCXMON_ARM_ENDPOINT: arm.origin,
      HCXMON_ARM_ACCESS_TOKEN: TOKEN,
      HCXMON_ARM_CA_FILE: certs.caFile,
    });
    const result = await discoverTargets(config, { armClients: createArmClientFactory(config) });

    expect(foreign.requests).toEqual([]);
    expect(arm.requests.length).toBeGreaterThan(0);
    expect(result.errors).toEqual([
      expect.objectContaining({ subscriptionId: SUB_FORGED, message: expect.stringContaining(`not to the configured ARM endpoint ${arm.origin}`) }),
    ]);
    expect(result.errors[0].message).toContain(foreign.origin);
    // Nothing of a subscription that could not be listed whole is reported (a partial list would hide clouds).
    expect(result.targets.map((t) => t.name)).toEqual(['honest']);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('Resource Graph discovery goes through the same pin: the subscription list\'s foreign nextLink is not followed', async () => {
    const config = loadConfig({
      HCXMON_DISCOVERY_SCOPE: 'tenant',
      HCXMON_ARM_ENDPOINT: arm.origin,
      HCXMON_ARM_ACCESS_TOKEN: TOKEN,
      HCXMON_ARM_CA_FILE: certs.caFile,
    });
    const result = await discoverEstate(config, { log: () => undefined });
    expect(foreign.requests).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({ scope: 'tenant', message: expect.stringMatching(/not followed/) }),
    ]);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    // Resource Graph itself was asked at the configured origin, with the token.
    expect(arm.requests.some((r) => r.method === 'POST' && r.url.startsWith('/providers/Microsoft.ResourceGraph/resources'))).toBe(true);
  });
});
