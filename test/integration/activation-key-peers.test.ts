/**
 * A private cloud's Consumed enterprise-site key used by a Connector that this product also monitors takes that
 * Connector's upgrade date (matched by the key's kept last characters) instead of asking for a fact — through the
 * real scan path: lab over HTTPS, Azurite, stored findings.
 */
import { join } from 'node:path';
import { loadScenario } from '../../dev/lab';
import type { LabScenario } from '../../dev/lab/types';
import { labRuntime, type LabRuntime } from '../support/runtime';

const KEY = '00112233445566778899AABBCCDDEEFF';

function scenario(connectorKey: string): LabScenario {
  const s = loadScenario(join(__dirname, '../../dev/lab/scenarios/minimal.json'));
  const dc1 = s.connectors![0];
  dc1.manager.applianceMgmt = {
    licenses: [],
    activation: { url: 'https://hcx-activation.corp.example', activationKey: connectorKey },
  };
  return s;
}

describe('activation keys: a cloud-side key takes the date of the monitored Connector that consumes it', () => {
  let ctx: LabRuntime;
  afterEach(async () => {
    await ctx?.stop();
  });

  /** First scan, then the operator dates the Connector's upgrade to 4.11.0. */
  const scanWithConnectorFact = async (tag: string, connectorKey: string): Promise<void> => {
    ctx = await labRuntime(tag, { lab: { scenario: scenario(connectorKey) } });
    const connector = (await ctx.rt.scan({ trigger: 'cli' })).targets.find((t) => t.outcome.targetName === 'dc1')!;
    await ctx.rt.setFact({
      targetId: connector.outcome.targetId,
      name: 'upgradedTo411At',
      value: '2025-09-01',
      setBy: 'test',
    });
  };

  const siteFinding = async () => {
    const stored = await ctx.rt.stores.findings.queryAll({ ruleId: 'hcx-activation-key-expiry' });
    return stored.find((f) => f.targetName === 'cloud-1' && f.subjectId === 'dc1');
  };

  it('same key: the Connector’s fact dates the cloud’s key (no fact asked for the cloud)', async () => {
    await scanWithConnectorFact('peerkey', KEY);
    // One scan after the fact: Connectors are scanned first, so the cloud takes this run's date.
    ctx.clock.advance(24);
    await ctx.rt.scan({ trigger: 'cli' });
    const f = await siteFinding();
    expect(f).toMatchObject({ status: 'open', deadline: { date: '2026-11-25', basis: 'operator' } });
    expect(f?.message).toMatch(/used by Connector dc1, monitored here/);
    expect(f?.evidence).toMatchObject({ connectorName: 'dc1', keyLast4: 'EEFF' });
  });

  it('another key: the cloud still asks for the fact, failing high so it pages', async () => {
    await scanWithConnectorFact('peerkey2', 'FFEEDDCCBBAA99887766554433221100');
    ctx.clock.advance(24);
    await ctx.rt.scan({ trigger: 'cli' });
    const f = await siteFinding();
    expect(f).toMatchObject({ status: 'open', severity: 'high' });
    expect(f?.deadline).toBeUndefined();
    expect(f?.message).toMatch(/hcxmon fact set/);
  });
});
