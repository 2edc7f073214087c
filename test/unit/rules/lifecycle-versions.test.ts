import catalogJson from '../../../lib/rules/lifecycle.json';
import { ruleById } from '../../../lib/rules';
import type { Inventory } from '../../../lib/domain/inventory';
import { parseCatalog } from '../../../lib/rules/lifecycle-schema';
import { compareReported, upgradePathHint } from '../../../lib/rules/lifecycle-versions';
import type { RuleContext } from '../../../lib/rules/types';
import { parseVersion } from '../../../lib/rules/version';
import { appliance, ctxAt, healthyCloud, healthyConnector, sitePair } from '../../support/inventoryBuilder';

const run = (id: string, inv: Inventory, ctx: RuleContext = ctxAt()) => ruleById(id)!.evaluate(inv, ctx);
const withVersion = (make: typeof healthyConnector, version: string | undefined) =>
  make({ manager: { version, endpointId: 'x' } });
const CATALOG_NOTE = '(lifecycle catalog as of 2026-06-01)';

function v(s: string) {
  const p = parseVersion(s);
  if (!p.ok) throw new Error(p.reason);
  return p.version;
}

/** The bundled catalog with some entries changed, as an operator could supply it. */
function catalogWith(change: (e: (typeof catalogJson.entries)[number]) => object) {
  return parseCatalog({ ...catalogJson, entries: catalogJson.entries.map(change) });
}

describe('upgrade path hint (4.9 release notes)', () => {
  test.each([
    ['3.5.3', /through 4\.4\.2 first .*Photon OS/],
    ['4.3.9', /through 4\.4\.2 first/],
    ['4.4.0', /through 4\.9\.2 first/],
    ['4.8.9', /through 4\.9\.2 first/],
    ['4.9.0', undefined],
    ['4.11.2', undefined],
  ])('%s → %s', (version, hint) => {
    if (hint) expect(upgradePathHint(v(version))).toMatch(hint);
    else expect(upgradePathHint(v(version))).toBeUndefined();
  });
});

describe('hcx-version-end-of-support', () => {
  const eos = (version: string | undefined, asOf: string, make = healthyConnector) =>
    run('hcx-version-end-of-support', withVersion(make, version), ctxAt(asOf))[0];

  test('4.10.x is out of support since 2025-07-27 (critical), with the catalog asOf shown', () => {
    const e = eos('4.10.3', '2025-07-28T00:00:00Z');
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'critical',
      deadline: { date: '2025-07-27', daysLeft: -1, band: 'passed', basis: 'catalog' },
    });
    expect(e.evidence).toMatchObject({ source: 'catalog', catalogAsOf: '2026-06-01' });
    expect(e.message).toMatch(/as of 2026-06-01/);
  });

  test('4.11.0–4.11.2: deadline 2026-02-20; alternative 2025-12-24 mentioned, not used', () => {
    const e = eos('4.11.2', '2026-01-21T00:00:00Z');
    expect(e).toMatchObject({
      status: 'fail',
      severity: 'critical',
      deadline: { date: '2026-02-20', daysLeft: 30, band: 'd30' },
    });
    expect(e.message).toMatch(/2025-12-24/);
  });

  test.each([
    ['2027-10-11', 'fail', 'critical', 'passed'], // deadline today
    ['2027-10-12', 'fail', 'critical', 'passed'], // passed by one day
    ['2027-10-10', 'fail', 'critical', 'd30'], // 1 day
    ['2027-09-11', 'fail', 'critical', 'd30'], // 30 days
    ['2027-09-10', 'fail', 'high', 'd90'], // 31 days
    ['2027-07-13', 'fail', 'high', 'd90'], // 90 days
    ['2027-07-12', 'fail', 'medium', 'd180'], // 91 days
    ['2027-04-14', 'fail', 'medium', 'd180'], // 180 days
    ['2027-04-13', 'pass', 'info', 'later'], // 181 days
  ])('4.11.3 on %s → %s %s (%s)', (asOf, status, severity, band) => {
    const e = eos('4.11.3', `${asOf}T08:00:00Z`);
    expect(e).toMatchObject({ status, severity, deadline: { date: '2027-10-11', band } });
  });

  test('N-2: a 4.9 Connector is past support, with the upgrade path via 4.9.2; below 4.4 via 4.4.2', () => {
    expect(eos('4.9.0', '2026-01-01T00:00:00Z')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(eos('4.8.1', '2026-01-01T00:00:00Z').message).toMatch(/4\.9\.2/);
    expect(eos('4.3.3', '2026-01-01T00:00:00Z').message).toMatch(/4\.4\.2/);
  });

  test('no published date: pass with a note', () => {
    const e = eos('9.1.0.0', '2026-06-01T00:00:00Z');
    expect(e).toMatchObject({ status: 'pass' });
    expect(e.message).toMatch(/no end-of-support date published/);
    expect(e.deadline).toBeUndefined();
  });

  test('unknown: no manager, no version, unparsable version', () => {
    expect(run('hcx-version-end-of-support', healthyConnector({ manager: undefined }))[0].status).toBe('unknown');
    expect(eos(undefined, '2026-01-01T00:00:00Z').status).toBe('unknown');
    expect(eos('4.11.x', '2026-01-01T00:00:00Z').status).toBe('unknown');
  });

  test.each([
    ['2027-10-12', 'is out of support since 2027-10-11 (passed 1 day ago)'],
    ['2027-10-11', 'is out of support since 2027-10-11 (today: passed)'],
    ['2027-10-10', 'reaches end of support on 2027-10-11 (1 day left)'],
  ])('4.11.3 on %s: the message says it %s', (asOf, what) => {
    expect(eos('4.11.3', `${asOf}T08:00:00Z`).message).toBe(`HCX 4.11.3 (4.11.3) ${what}. ${CATALOG_NOTE}`);
  });

  test('a dated line: evidence carries the line, the date and no alternative when the catalog gives none', () => {
    const e = eos('4.11.3', '2027-10-10T00:00:00Z');
    expect(e.evidence).toEqual({
      source: 'catalog',
      version: '4.11.3',
      versionSource: 'hcx',
      line: '4.11.3',
      catalogAsOf: '2026-06-01',
      catalogVersion: '2026.06.1',
      support: 'dated',
      endOfSupport: '2027-10-11',
      alternatives: [],
    });
  });

  test('more than 180 days ahead: pass (info) naming the date and the days left', () => {
    const e = eos('4.11.3', '2027-04-13T08:00:00Z');
    expect(e).toMatchObject({ status: 'pass', severity: 'info' });
    expect(e.message).toBe(`HCX 4.11.3 is supported until 2027-10-11 (181 days left) ${CATALOG_NOTE}.`);
  });

  test('4.11.0–4.11.2: the alternative date and its source are named, no upgrade path is needed', () => {
    const e = eos('4.11.2', '2026-01-21T00:00:00Z');
    expect(e.message).toContain(
      "Another source gives 2025-12-24 (4.11.4 release notes as quoted by two secondary sources); the Microsoft document's date is used.",
    );
    expect(e.message).not.toMatch(/Upgrade through/);
    expect(e.evidence).toMatchObject({ line: '4.11.0 - 4.11.2', alternatives: ['2025-12-24'] });
  });

  test('every alternative date is named', () => {
    const catalog = catalogWith((e) =>
      e.id === '4.11.0-4.11.2'
        ? {
            ...e,
            endOfSupportAlternatives: [
              { date: '2025-12-24', source: 'source A', note: '' },
              { date: '2025-11-30', source: 'source B', note: '' },
            ],
          }
        : e,
    );
    const e = run(
      'hcx-version-end-of-support',
      withVersion(healthyConnector, '4.11.2'),
      ctxAt('2026-01-21T00:00:00Z', { catalog }),
    )[0];
    expect(e.message).toContain('Another source gives 2025-12-24 (source A), 2025-11-30 (source B);');
    expect(e.evidence).toMatchObject({ alternatives: ['2025-12-24', '2025-11-30'] });
  });

  test('a dated line below 4.9 (an operator catalog) still gives the upgrade path', () => {
    const catalog = catalogWith((e) =>
      e.id === '4.5-4.8' ? { ...e, support: 'dated', endOfSupport: '2026-02-01' } : e,
    );
    const e = run(
      'hcx-version-end-of-support',
      withVersion(healthyConnector, '4.8.1'),
      ctxAt('2026-01-21T00:00:00Z', { catalog }),
    )[0];
    expect(e.message).toBe(
      `HCX 4.8.1 (4.5 - 4.8) reaches end of support on 2026-02-01 (11 days left). Upgrade through 4.9.2 first (4.4–4.8.x). ${CATALOG_NOTE}`,
    );
  });

  test('a past line: the line, the catalog note and the reason are shown', () => {
    const e = eos('4.9.0', '2026-01-01T00:00:00Z');
    expect(e.message).toBe(`HCX 4.9.0 is out of support: 4.9.x is past end of support (N-2 policy). ${CATALOG_NOTE}`);
    expect(e.evidence).toEqual({
      source: 'catalog',
      version: '4.9.0',
      versionSource: 'hcx',
      line: '4.9.x',
      catalogAsOf: '2026-06-01',
      catalogVersion: '2026.06.1',
      support: 'past',
      note: "Ended before 4.10.x's end of support (2025-07-27).",
    });
    expect(eos('4.8.1', '2026-01-01T00:00:00Z').message).toContain(
      '4.5 - 4.8 is past end of support (N-2 policy). Upgrade through 4.9.2 first',
    );
  });

  test('older than every catalogued line: past support, with no line to name', () => {
    const catalog = parseCatalog({ ...catalogJson, entries: catalogJson.entries.filter((e) => e.id === '4.10') });
    const e = run(
      'hcx-version-end-of-support',
      withVersion(healthyConnector, '4.9.2'),
      ctxAt(undefined, { catalog }),
    )[0];
    expect(e).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(e.message).toMatch(/older than every catalogued release line/);
    expect(e.evidence).toMatchObject({ support: 'past', line: undefined, note: undefined });
  });

  test('no published date: info, the line shown; a version the catalog does not know says it may be stale', () => {
    const known = eos('9.1.0.0', '2026-06-01T00:00:00Z');
    expect(known).toMatchObject({ severity: 'info', evidence: { support: 'not-published', line: '9.1.0.x' } });
    expect(known.message).toBe(`HCX 9.1.0.0: no end-of-support date published for 9.1.0.x ${CATALOG_NOTE}.`);
    const unknown = eos('99.0.0', '2026-06-01T00:00:00Z');
    expect(unknown).toMatchObject({ status: 'pass', evidence: { support: 'not-published', line: undefined } });
    expect(unknown.message).toMatch(/not in the lifecycle catalog.*may be stale/);
  });

  test('unknown is high, says why, and keeps the raw version', () => {
    const e = eos('4.11.x', '2026-01-01T00:00:00Z');
    expect(e).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(e.message).toBe('Cannot determine end of support: unparsable version "4.11.x".');
    expect(e.evidence).toMatchObject({ source: 'hcx', version: '4.11.x', catalogAsOf: '2026-06-01' });
  });

  test('owner: microsoft for the Cloud Manager, customer for the Connector', () => {
    expect(ruleById('hcx-version-end-of-support')!.owner).toEqual({
      'avs-private-cloud': 'microsoft',
      'hcx-connector': 'customer',
    });
  });
});

describe('hcx-version-below-baseline', () => {
  const below = (inv: Inventory, baselineVersion?: string) =>
    run('hcx-version-below-baseline', inv, ctxAt(undefined, { settings: { baselineVersion } }))[0];

  test('below 4.11.3: medium on a Connector, low on a private cloud', () => {
    expect(below(withVersion(healthyConnector, '4.11.2'))).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(below(withVersion(healthyCloud, '4.11.2'))).toMatchObject({ status: 'fail', severity: 'low' });
  });

  test('at or above the baseline passes; 9.x is above 4.11.3', () => {
    expect(below(withVersion(healthyConnector, '4.11.3')).status).toBe('pass');
    expect(below(withVersion(healthyConnector, '9.0.0.0.24597083')).status).toBe('pass');
  });

  test('HCXMON_BASELINE_VERSION overrides the catalog', () => {
    const e = below(withVersion(healthyConnector, '4.11.3'), '4.11.4');
    expect(e).toMatchObject({ status: 'fail', evidence: { baseline: '4.11.4', baselineSource: 'setting' } });
    expect(e.message).toMatch(/HCXMON_BASELINE_VERSION/);
  });

  test('unknown (medium) on a missing version or an unparsable baseline, saying which', () => {
    const noVersion = below(withVersion(healthyConnector, undefined));
    expect(noVersion).toMatchObject({ status: 'unknown', severity: 'medium' });
    expect(noVersion.message).toBe('Cannot compare with baseline 4.11.3: the HCX Manager did not report its version.');
    const badBaseline = below(withVersion(healthyConnector, '4.11.3'), 'latest');
    expect(badBaseline).toMatchObject({ status: 'unknown', severity: 'medium' });
    expect(badBaseline.message).toBe('The baseline version cannot be used: unparsable version "latest".');
  });

  test('pass is info and names the version and the baseline', () => {
    const e = below(withVersion(healthyConnector, '4.11.3'));
    expect(e).toMatchObject({ severity: 'info', message: 'HCX 4.11.3 is at or above the baseline 4.11.3.' });
    expect(e.evidence).toMatchObject({ version: '4.11.3', versionSource: 'hcx', baselineSource: 'catalog' });
  });

  test('who upgrades: the customer on a Connector, Microsoft (in a window the customer picks) on a private cloud', () => {
    expect(below(withVersion(healthyConnector, '4.11.2')).message).toBe(
      'HCX 4.11.2 is below the baseline 4.11.3 (lifecycle catalog as of 2026-06-01). Upgrade the Connector (customer-managed), then its Service Mesh appliances.',
    );
    const cloud = below(withVersion(healthyCloud, '4.11.2')).message;
    expect(cloud).toMatch(/Microsoft schedules the Cloud Manager upgrade; choose your window when prompted\.$/);
    expect(cloud).not.toMatch(/Upgrade the Connector/);
  });

  test('far below the baseline: the upgrade path follows', () => {
    expect(below(withVersion(healthyConnector, '4.8.1')).message).toMatch(
      /then its Service Mesh appliances\. Upgrade through 4\.9\.2 first \(4\.4–4\.8\.x\)\.$/,
    );
  });
});

describe('hcx-site-pair-version-skew', () => {
  const skew = (local: string | undefined, remote: string | undefined) =>
    run(
      'hcx-site-pair-version-skew',
      healthyConnector({ manager: { version: local }, sitePairs: [sitePair({ remoteVersion: remote })] }),
    )[0];

  test.each([
    ['4.11.3', '4.11.3', 'pass', 'info'],
    ['4.11.2', '4.11.3', 'fail', 'low'],
    ['4.10.3', '4.11.3', 'fail', 'medium'],
    ['4.11.3', '9.0.0.0.24597083', 'fail', 'high'],
    ['9.0.0.0.1', '9.0.0.0.2', 'pass', 'info'], // builds differ by design
  ])('local %s, remote %s → %s %s', (l, r, status, severity) => {
    const e = skew(l, r);
    expect(e).toMatchObject({ status, severity, subjectId: '20250101000000000-aaaa-bbbb', subjectKind: 'site-pair' });
  });

  test.each([
    ['4.11.3', '9.1.0.0', 'major', /major versions differ .*KB 427904/],
    ['4.10.3', '4.11.3', 'minor', /: minor versions differ\. Update Connector and Cloud Manager together\.$/],
    ['4.11.2', '4.11.3', 'patch', /: patch versions differ\. Update Connector and Cloud Manager together\.$/],
    ['9.1.0.0', '9.1.0.1', 'patch', /: patch versions differ/],
  ])('local %s, remote %s: differs at the %s, said in the message', (l, r, differsAt, message) => {
    const e = skew(l, r);
    expect(e.evidence).toEqual({
      source: 'hcx',
      localVersion: l,
      remoteVersion: r,
      remoteUrl: 'https://hcx.abc.westeurope.avs.azure.com',
      differsAt,
    });
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`Local HCX ${l} and remote HCX ${r}`);
  });

  test('same release: the message names it (with the local build)', () => {
    expect(skew('4.11.3', '4.11.3').message).toBe('Both sites run HCX 4.11.3.');
    expect(skew('9.0.0.0.1', '9.0.0.0.2').message).toBe('Both sites run HCX 9.0.0.0 (build 1).');
  });

  test.each([
    ['its name', { name: 'avs-cloud' }, 'avs-cloud'],
    ['its URL without a name', { name: undefined }, 'https://hcx.abc.westeurope.avs.azure.com'],
    ['its endpoint id without name or URL', { name: undefined, url: undefined }, '20250101000000000-aaaa-bbbb'],
  ])('a site pair is shown by %s', (_what, over, subjectName) => {
    const inv = healthyConnector({ sitePairs: [sitePair(over)] });
    expect(run('hcx-site-pair-version-skew', inv)[0].subjectName).toBe(subjectName);
  });

  test('unknown is medium and says which side is missing', () => {
    expect(skew(undefined, '4.11.3')).toMatchObject({
      severity: 'medium',
      message: 'Cannot compare versions: the HCX Manager did not report its version.',
      evidence: { localVersion: undefined, remoteVersion: '4.11.3' },
    });
    expect(skew('4.11.3', undefined)).toMatchObject({
      severity: 'medium',
      message: 'Cannot compare versions: the remote site did not report a version.',
    });
  });

  test('site pairs not collected: the message and evidence name the missing collection', () => {
    const [e] = run('hcx-site-pair-version-skew', healthyConnector({ sitePairs: undefined }));
    expect(e.message).toMatch(/sitePairs was not collected/);
    expect(e.evidence).toMatchObject({ missing: ['sitePairs'] });
  });

  test('unknown when either version is missing; * unknown when site pairs were not collected; no pairs → no subjects', () => {
    expect(skew(undefined, '4.11.3').status).toBe('unknown');
    expect(skew('4.11.3', undefined).status).toBe('unknown');
    expect(run('hcx-site-pair-version-skew', healthyConnector({ sitePairs: undefined }))).toEqual([
      expect.objectContaining({ subjectId: '*', status: 'unknown' }),
    ]);
    expect(run('hcx-site-pair-version-skew', healthyConnector({ sitePairs: [] }))).toEqual([]);
  });
});

describe('hcx-appliance-outdated', () => {
  const out = (mgr: string | undefined, a: Partial<ReturnType<typeof appliance>>) =>
    run('hcx-appliance-outdated', healthyConnector({ manager: { version: mgr }, appliances: [appliance(a)] }))[0];

  test('older than the manager → medium; update available → medium', () => {
    expect(out('4.11.3', { version: '4.11.2' })).toMatchObject({
      status: 'fail',
      severity: 'medium',
      subjectId: 'app-ix-1',
    });
    expect(out('4.11.3', { version: '4.11.3', updateAvailable: true, availableVersion: '4.11.4' })).toMatchObject({
      status: 'fail',
      severity: 'medium',
    });
  });

  test('below 4.4.0 under a ≥ 4.4.0 manager → high (Photon OS)', () => {
    const e = out('4.4.2', { version: '4.3.3' });
    expect(e).toMatchObject({ status: 'fail', severity: 'high' });
    expect(e.message).toMatch(/Photon/);
    expect(out('4.3.3', { version: '4.3.0' })).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  test('current → pass; missing versions → unknown (unless an update is reported); not collected → * unknown', () => {
    expect(out('4.11.3', { version: '4.11.3' }).status).toBe('pass');
    expect(out('4.11.3', { version: undefined }).status).toBe('unknown');
    expect(out(undefined, { version: '4.11.3' }).status).toBe('unknown');
    expect(out(undefined, { version: undefined, updateAvailable: true }).status).toBe('fail');
    expect(run('hcx-appliance-outdated', healthyConnector({ appliances: undefined }))[0]).toMatchObject({
      subjectId: '*',
      status: 'unknown',
    });
  });

  test('messages name the appliance, its version and the manager version', () => {
    expect(out('4.11.3', { version: '4.11.2' }).message).toBe(
      'Appliance sm-avs-IX-I1 runs 4.11.2, older than its HCX Manager 4.11.3.',
    );
    expect(out('4.11.3', { version: '4.11.3' })).toMatchObject({
      severity: 'info',
      subjectName: 'sm-avs-IX-I1',
      subjectKind: 'appliance',
      message: 'Appliance sm-avs-IX-I1 runs 4.11.3, current with its HCX Manager 4.11.3.',
    });
  });

  test('an update reported by the appliance names the version offered, when given', () => {
    const offered = { version: '4.11.3', updateAvailable: true, availableVersion: '4.11.4' };
    expect(out('4.11.3', offered).message).toBe('Appliance sm-avs-IX-I1 reports an update available (4.11.4).');
    expect(out('4.11.3', { ...offered, availableVersion: undefined }).message).toBe(
      'Appliance sm-avs-IX-I1 reports an update available.',
    );
  });

  test('evidence carries both versions and what the appliance reports', () => {
    expect(out('4.11.3', { version: '4.11.3', updateAvailable: true, availableVersion: '4.11.4' }).evidence).toEqual({
      source: 'hcx',
      applianceVersion: '4.11.3',
      managerVersion: '4.11.3',
      updateAvailable: true,
      availableVersion: '4.11.4',
      type: 'HCX-WAN-IX',
    });
  });

  test('unknown is medium and says whose version is missing', () => {
    expect(out('4.11.3', { version: undefined })).toMatchObject({
      severity: 'medium',
      message: 'Cannot compare: appliance sm-avs-IX-I1 did not report a version.',
    });
    expect(out(undefined, { version: '4.11.3' })).toMatchObject({
      severity: 'medium',
      message: 'Cannot compare: the HCX Manager did not report its version.',
    });
  });

  test('appliances not collected: the message and evidence name the missing collection', () => {
    const [e] = run('hcx-appliance-outdated', healthyConnector({ appliances: undefined }));
    expect(e.message).toMatch(/appliances was not collected/);
    expect(e.evidence).toMatchObject({ missing: ['appliances'] });
  });

  test.each([
    ['4.11.4', '4.11.3'], // newer than its manager
    ['4.11', '4.11.3'], // reports no patch: the same line
    ['4.11.3', '4.11'],
  ])('appliance %s under manager %s → pass', (version, mgr) => {
    expect(out(mgr, { version }).status).toBe('pass');
  });
});

describe('compareReported: an appliance version against its manager, as far as the appliance reports', () => {
  test.each([
    ['4.11', '4.11.3', 0],
    ['4.11.3', '4.11', 0],
    ['4.11.3', '4.11.3', 0],
    ['4.11.2', '4.11.3', -1],
    ['4.10.9', '4.11.0', -1],
    ['4.12', '4.11.3', 1],
    ['4.11.13', '4.11.3', 1],
  ])('%s vs %s → %d', (a, m, expected) => {
    expect(compareReported(v(a), v(m))).toBe(expected);
  });
});
