import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import '../../functions/index';
import { scanTarget } from '../../functions/scanTarget';
import { startLab, type LabHandle } from '../../dev/lab';
import { generateLabCerts, type LabCerts } from '../../dev/lab/certs';
import { createRuntime, setRuntime, type Runtime } from '../../lib/runtime';
import { testStorage, uniquePrefix } from '../support/runtime';
import { recordingServer, type RecordingServer } from './support';

/**
 * Attack: whoever can write to the scan queue forges a message. Before, the worker took the target's URLs, TLS pin
 * and password setting names from the message, so a forged one made it log in with the cloudadmin password (or
 * the value of any app setting) at a server of the attacker's choosing, pinned by the attacker's certificate.
 */
const context = (): InvocationContext =>
  new InvocationContext({ functionName: 'scanTarget', invocationId: 'sec', logHandler: () => {} });

const FOREIGN_SUB = '00000000-0000-0000-0000-00000000dead';

describe('a forged scan queue message cannot steer credentials (queue worker, lab, Azurite)', () => {
  let lab: LabHandle;
  let certs: LabCerts;
  let foreign: RecordingServer;
  let rt: Runtime;
  const reads = new Set<string>();
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  const scanId = `sec-${randomBytes(4).toString('hex')}`;
  const asOf = '2026-11-21T05:00:00.000Z';
  let cloudId: string;
  const foreignCloud = `/subscriptions/${FOREIGN_SUB}/resourcegroups/rg/providers/microsoft.avs/privateclouds/planted`;
  // Dot segments: resolved by the URL the ARM request is built from, they climb out of the cloud's own path.
  const dotted = (sub: string): string[] => [
    `/subscriptions/${sub}/resourcegroups/../providers/microsoft.avs/privateclouds/..`,
    `/subscriptions/${sub}/resourcegroups/./providers/microsoft.avs/privateclouds/.`,
    `/subscriptions/${sub}/resourcegroups/rg./providers/microsoft.avs/privateclouds/cloud.`,
  ];

  beforeAll(async () => {
    [lab, certs] = await Promise.all([startLab(), generateLabCerts()]);
    // The attacker's server, with a certificate from the attacker's own CA: only a pin would make us talk to it.
    foreign = await recordingServer(certs.untrusted);
    const base: Record<string, string> = {
      ...lab.env,
      HCXMON_STORAGE: testStorage(),
      AzureWebJobsStorage: testStorage(),
      HCXMON_CANARY_SECRET: canary,
    };
    const env = new Proxy(base, {
      get: (t, k) => {
        if (typeof k === 'string') reads.add(k);
        return t[k as string];
      },
    });
    rt = createRuntime({ env, tablePrefix: uniquePrefix('secq'), queueName: `q${uniquePrefix('secq').toLowerCase()}` });
    setRuntime(rt);
    cloudId = (await rt.deps.discover()).targets.find((t) => t.name === 'avs-prod-weu')!.id;
    // The scan row the messages belong to (a worker refuses a message its scan row does not list). It also lists a
    // Connector and a cloud the configuration does not have, as a row written before the configuration changed would.
    await rt.stores.scans.start({
      scanId,
      trigger: 'timer',
      asOf,
      startedAt: asOf,
      status: 'running',
      discoveryErrors: [],
      targets: [
        { id: 'connector:onprem-dc1', name: 'onprem-dc1', kind: 'hcx-connector' },
        { id: cloudId, name: 'avs-prod-weu', kind: 'avs-private-cloud' },
        { id: 'connector:planted', name: 'planted', kind: 'hcx-connector' },
        { id: foreignCloud, name: 'planted', kind: 'avs-private-cloud' },
        ...dotted(lab.subscriptionIds[0]).map((id) => ({ id, name: '..', kind: 'avs-private-cloud' as const })),
      ],
    });
    reads.clear();
    lab.requests.length = 0;
  });
  afterAll(async () => {
    setRuntime(undefined);
    await Promise.all([lab?.stop(), foreign?.stop(), certs?.remove()]);
  });

  const send = (target: Record<string, unknown>): Promise<void> =>
    scanTarget({ scanId, asOf, expected: 4, target }, context());
  const outcome = async (targetId: string) => rt.stores.scans.getTarget(scanId, targetId);

  it("a Connector message with a foreign URL, pin and setting names scans the configured Connector, and reads no other setting", async () => {
    await send({
      id: 'connector:onprem-dc1',
      name: 'onprem-dc1',
      kind: 'hcx-connector',
      hcxUrl: foreign.url,
      applianceUrl: foreign.url,
      trust: { certSha256: foreign.fingerprint256 },
      connector: {
        username: 'administrator@vsphere.local',
        passwordSetting: 'HCXMON_ARM_ACCESS_TOKEN',
        adminPasswordSetting: 'HCXMON_CANARY_SECRET',
      },
    });
    expect(foreign.requests).toEqual([]);
    expect(reads.has('HCXMON_ARM_ACCESS_TOKEN')).toBe(false);
    expect(reads.has('HCXMON_CANARY_SECRET')).toBe(false);
    // The configured Connector was scanned at its configured address, with its configured password setting.
    expect(reads.has('HCXMON_LAB_ONPREM_DC1_PASSWORD')).toBe(true);
    expect(lab.requests.some((r) => r.manager === 'onprem-dc1' && r.server === 'hcx')).toBe(true);
    expect((await outcome('connector:onprem-dc1'))?.status).toMatch(/^(ok|partial)$/);
  });

  it('a private cloud message with a foreign URL, pin and provisioningState reads the cloud from ARM and logs in only there', async () => {
    const [, rg, name] = /resourcegroups\/([^/]+)\/providers\/microsoft\.avs\/privateclouds\/([^/]+)$/.exec(cloudId)!;
    await send({
      id: cloudId,
      name: 'avs-prod-weu',
      kind: 'avs-private-cloud',
      hcxUrl: foreign.url,
      trust: { certSha256: foreign.fingerprint256 },
      arm: { subscriptionId: lab.subscriptionIds[0], resourceGroup: rg, privateCloudName: name, provisioningState: 'Succeeded' },
    });
    expect(foreign.requests).toEqual([]);
    const armCalls = lab.requests.filter((r) => r.server === 'arm').map((r) => `${r.method} ${r.path.split('?')[0]}`);
    // The cloud is re-read from ARM (its HCX endpoint comes from there), not taken from the message.
    expect(armCalls).toContainEqual(expect.stringMatching(/^GET .*\/privateClouds\/avs-prod-weu$/i));
    expect(lab.requests.some((r) => r.manager === 'avs-prod-weu' && r.server === 'hcx')).toBe(true);
    expect((await outcome(cloudId))?.status).toBe('ok');
  });

  it('a target that is neither a configured Connector nor a cloud of a configured subscription is refused and recorded failed', async () => {
    lab.requests.length = 0;
    await send({ id: 'connector:planted', name: 'planted', kind: 'hcx-connector', hcxUrl: foreign.url, connector: { username: 'u', passwordSetting: 'HCXMON_CANARY_SECRET' } });
    await send({ id: foreignCloud, name: 'planted', kind: 'avs-private-cloud', hcxUrl: foreign.url });
    expect(foreign.requests).toEqual([]);
    expect(reads.has('HCXMON_CANARY_SECRET')).toBe(false);
    expect(lab.requests).toEqual([]);
    expect(await outcome('connector:planted')).toMatchObject({ status: 'failed', message: expect.stringContaining('not a Connector in HCXMON_CONNECTORS') });
    expect(await outcome(foreignCloud)).toMatchObject({ status: 'failed', message: expect.stringContaining('HCXMON_SUBSCRIPTION_IDS') });
  });

  it("a private cloud id with '.' or '..' segments (or a name ending in '.') is refused before any ARM request leaves", async () => {
    lab.requests.length = 0;
    for (const id of dotted(lab.subscriptionIds[0])) {
      await send({ id, name: '..', kind: 'avs-private-cloud' });
      expect(await outcome(id)).toMatchObject({ status: 'failed', message: expect.stringContaining("ending in '.'") });
    }
    // Before, the first one became POST /subscriptions/<sub>/providers/Microsoft.AVS/listAdminCredentials.
    expect(lab.requests).toEqual([]);
  });
});
