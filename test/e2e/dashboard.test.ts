import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { setApiPortsProvider, storePorts } from '../../lib/api/runtimePorts';
import { SEVERITIES } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { CLOUD_REF, CONNECTOR_REF, healthyCloud, healthyConnector } from '../support/inventoryBuilder';
import { artifactDir, launchChromium } from '../support/browser';
import { makeFinding, repos, seedFindings, seedInventory, seedScan } from './http.seed';

const conn = process.env.HCXMON_TEST_STORAGE!;
const prefix = `dash${Date.now().toString(36)}`;
const EVIL: TargetRef = { id: 'connector:evil', name: '<b>evil</b> & "co"', kind: 'hcx-connector' };
const NOW = new Date('2026-03-02T00:00:00Z');

let host: LocalHost;
let browser: Browser;
const seeded: Finding[] = [];

beforeAll(async () => {
  const r = repos(conn, prefix);
  let n = 0;
  for (const [target, count] of [
    [CLOUD_REF, 23],
    [CONNECTOR_REF, 17],
    [EVIL, 6],
  ] as [TargetRef, number][]) {
    const list: Finding[] = [];
    for (let i = 0; i < count; i++, n++) {
      list.push(
        makeFinding(target, n, {
          status: n % 8 === 7 ? 'unknown' : 'open',
          ...(n % 9 === 0 ? { deadline: { date: '2026-07-01', basis: 'catalog', daysLeft: 121, band: 'd180' } } : {}),
        }),
      );
    }
    await seedFindings(r, target, list);
    seeded.push(...list);
  }
  await seedInventory(r, healthyCloud(), 'seed');
  await seedInventory(r, healthyConnector(), 'seed');
  await seedInventory(r, { ...healthyConnector(), target: EVIL, manager: { version: '4.10.2' } }, 'seed');
  await seedScan(r, [CLOUD_REF, CONNECTOR_REF, EVIL], {
    [CLOUD_REF.id]: '4.11.3',
    [CONNECTOR_REF.id]: '4.11.3',
    [EVIL.id]: '4.10.2',
  });
  host = await startLocalHost({
    entry: require.resolve('../../functions/http'),
    env: { HCXMON_LOCAL_FUNCTION_KEY: '', HCXMON_LOCAL_ADMIN_KEY: '' },
    log: () => {},
  });
  setApiPortsProvider(() => storePorts(r, { config: {}, now: () => NOW, log: () => {} }));
  ({ browser } = await launchChromium());
});

afterAll(async () => {
  await browser?.close();
  setApiPortsProvider(undefined);
  await host?.stop();
});

it('renders the fleet in headless Chromium: severity counts match the store, every target appears', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const scripts: string[] = [];
  page.on('dialog', (d) => {
    scripts.push(d.message());
    void d.dismiss();
  });
  const res = await page.goto(`${host.url}/api/dashboard`);
  expect(res?.status()).toBe(200);
  for (const s of SEVERITIES) {
    const expected = seeded.filter((f) => f.status === 'open' && f.severity === s).length;
    expect(await page.locator(`[data-testid="count-${s}"]`).innerText()).toBe(String(expected));
  }
  expect(await page.locator('[data-testid="count-unknown"]').innerText()).toBe(
    String(seeded.filter((f) => f.status === 'unknown').length),
  );
  const rows = page.locator('#targets tbody tr');
  expect(await rows.count()).toBe(3);
  const names = await page.locator('#targets td.name a').allInnerTexts();
  expect(names.sort()).toEqual([CLOUD_REF.name, CONNECTOR_REF.name, EVIL.name].sort());
  // The timeline SVG drew the deadlines.
  expect(await page.locator('svg.timeline g.event').count()).toBeGreaterThan(0);
  // Links go to the API routes and resolve.
  const href = await page
    .locator(`tr[data-target-id="${CLOUD_REF.id}"] a`, { hasText: 'readiness' })
    .getAttribute('href');
  const readiness = await page.request.get(new URL(href!, `${host.url}/api/dashboard`).toString());
  expect(readiness.status()).toBe(200);
  expect(scripts).toEqual([]);
  await page.screenshot({ path: path.join(artifactDir(), 'dashboard.png'), fullPage: true });
});
