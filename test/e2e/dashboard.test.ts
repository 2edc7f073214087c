import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLocalHost, type LocalHost } from '../../dev/host';
import { setApiPortsProvider, storePorts } from '../../lib/api/runtimePorts';
import { SEVERITIES } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { CLOUD_REF, CONNECTOR_REF, healthyCloud, healthyConnector } from '../support/inventoryBuilder';
import { artifactDir, launchChromium } from '../support/browser';
import { makeFinding, repos, seedFindings, seedInventory, seedScan } from './http.seed';

/**
 * The dashboard as an operator uses it, in headless Chromium (the npm-shipped one, test/support/browser.ts): the
 * fleet page, the findings list (filters, search, sort), a target page and its upgrade gate, at 1440 and 390 px.
 * Screenshots land in test-output/ as artifacts.
 */

const conn = process.env.HCXMON_TEST_STORAGE!;
const prefix = `dash${Date.now().toString(36)}`;
const EVIL: TargetRef = { id: 'connector:evil', name: '<b>evil</b> & "co"', kind: 'hcx-connector' };
const NOW = new Date('2026-03-02T00:00:00Z');
const EARLIER_SCAN = { scanId: '20260215T050000-seed0000', asOf: '2026-02-15T05:00:00.000Z' };

/** The local host wants a key for reads (issue 12): pages opened with it carry it along in their links. */
const FUNCTION_KEY = 'dashboard-test-function-key';
function withKey(url: string): string {
  const u = new URL(url);
  u.searchParams.set('code', FUNCTION_KEY);
  return u.toString();
}

let host: LocalHost;
let browser: Browser;
const seeded: Finding[] = [];
/** The activation key of onprem-1 dies in 24 days: it must not hide among long-ended support lines. */
let keyFinding: Finding;

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
          // A third were first seen by the scan before the latest one.
          ...(n % 3 === 0 ? { firstSeenAt: EARLIER_SCAN.asOf } : {}),
          ...(n % 9 === 0 ? { deadline: { date: '2026-07-01', basis: 'catalog', daysLeft: 121, band: 'd180' } } : {}),
          ...(n % 11 === 5
            ? { deadline: { date: '2025-07-27', basis: 'catalog', daysLeft: -218, band: 'passed' } }
            : {}),
        }),
      );
    }
    // The same deadline of the same rule on every target: one group on the timeline, not three markers.
    list.push(
      makeFinding(target, 800 + n, {
        ruleId: 'hcx-vsphere-version-legacy',
        title: 'vSphere 7 past end of general support',
        severity: 'medium',
        deadline: { date: '2026-10-02', basis: 'catalog', daysLeft: 214, band: 'later' },
      }),
    );
    if (target === CONNECTOR_REF) {
      keyFinding = makeFinding(target, 900, {
        ruleId: 'hcx-activation-key-expiry',
        title: 'HCX activation key expires',
        severity: 'high',
        deadline: { date: '2026-03-26', basis: 'hcx', daysLeft: 24, band: 'd30' },
      });
      list.push(keyFinding);
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
  // An earlier scan whose outcomes carry totals (the trend adds them up per scan).
  await r.scans.start({
    ...EARLIER_SCAN,
    trigger: 'timer',
    startedAt: EARLIER_SCAN.asOf,
    targets: [CLOUD_REF, CONNECTOR_REF, EVIL],
    discoveryErrors: [],
    status: 'running',
  });
  for (const [i, t] of [CLOUD_REF, CONNECTOR_REF, EVIL].entries()) {
    await r.scans.recordTarget({
      scanId: EARLIER_SCAN.scanId,
      targetId: t.id,
      targetName: t.name,
      targetKind: t.kind,
      status: 'ok',
      startedAt: EARLIER_SCAN.asOf,
      finishedAt: EARLIER_SCAN.asOf,
      durationMs: 1000,
      counts: { open: 10 + i, unknown: 2, suppressed: 0, resolved: 1 },
      issues: [],
    });
  }
  await r.scans.complete(EARLIER_SCAN.scanId, EARLIER_SCAN.asOf);
  await r.facts.set({
    targetId: CONNECTOR_REF.id,
    name: 'upgradedTo411At',
    value: '2025-11-20',
    setBy: 'ops@example.com',
    setAt: '2025-11-21T09:00:00.000Z',
    source: 'change CHG-1234',
  });
  host = await startLocalHost({
    entry: require.resolve('../../functions/http'),
    env: { HCXMON_LOCAL_FUNCTION_KEY: FUNCTION_KEY, HCXMON_LOCAL_ADMIN_KEY: '' },
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

const open = (f: Finding) => f.status === 'open';

/** The seeded target whose open findings are worst, severity by severity. */
function worstTargetName(): string {
  const names = [CLOUD_REF, CONNECTOR_REF, EVIL].map((t) => t.name);
  const counts = (name: string) =>
    SEVERITIES.map((s) => seeded.filter((f) => open(f) && f.targetName === name && f.severity === s).length);
  return names.sort((a, b) => {
    const ca = counts(a);
    const cb = counts(b);
    for (let i = 0; i < ca.length; i++) if (ca[i] !== cb[i]) return cb[i] - ca[i];
    return 0;
  })[0];
}

async function newPage(width: number): Promise<{ page: Page; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, dialogs };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactDir(), `${name}.png`), fullPage: true });
}

const rowsOf = (page: Page, table: string) => page.locator(`#${table} tbody tr[data-finding-id]`);

it('renders the fleet: severity counts match the store, every target appears, worst first', async () => {
  const { page, dialogs } = await newPage(1440);
  const res = await page.goto(withKey(`${host.url}/api/dashboard`));
  expect(res?.status()).toBe(200);
  for (const s of SEVERITIES) {
    const expected = seeded.filter((f) => open(f) && f.severity === s).length;
    expect(await page.locator(`[data-testid="count-${s}"]`).innerText()).toBe(String(expected));
  }
  expect(await page.locator('[data-testid="count-unknown"]').innerText()).toBe(
    String(seeded.filter((f) => f.status === 'unknown').length),
  );
  const names = await page.locator('#targets tbody th.name a').allInnerTexts();
  expect([...names].sort()).toEqual([CLOUD_REF.name, CONNECTOR_REF.name, EVIL.name].sort());
  expect(names[0]).toBe(worstTargetName());
  // Every target row says its next deadline in days, not only as a date.
  expect(await page.locator(`tr[data-target-id="${CONNECTOR_REF.id}"]`).innerText()).toContain(
    '2026-03-26 (24 days left)',
  );
  expect(await page.locator('svg.timeline g.event').count()).toBeGreaterThan(0);
  expect(dialogs).toEqual([]);
  await shot(page, 'dashboard-1440');
});

it('says the next deadline and the worst target first, so a key dying in 24 days is not lost', async () => {
  const { page } = await newPage(1440);
  await page.goto(withKey(`${host.url}/api/dashboard`));
  const next = await page.locator('[data-testid="next-deadline"]').innerText();
  expect(next).toContain('Next deadline: 2026-03-26, 24 days left');
  expect(next).toContain('HCX activation key expires');
  const overdue = seeded.filter((f) => f.deadline?.date === '2025-07-27' && f.status !== 'resolved').length;
  expect(next).toContain(`${overdue} already overdue`);
  expect(await page.locator('[data-testid="worst-target"]').innerText()).toContain(
    `Worst target: ${worstTargetName()}`,
  );
});

it('each severity card links to exactly the findings it counts', async () => {
  const { page } = await newPage(1440);
  for (const s of SEVERITIES) {
    await page.goto(withKey(`${host.url}/api/dashboard`));
    const count = Number(await page.locator(`[data-testid="count-${s}"]`).innerText());
    await page.locator(`a.card:has([data-testid="count-${s}"])`).click();
    expect(new URL(page.url()).pathname).toBe('/api/dashboard/findings');
    expect(await page.locator('#findings caption').innerText()).toContain(`severity exactly ${s}`);
    expect(await rowsOf(page, 'findings').count()).toBe(count);
    const sevs = await rowsOf(page, 'findings').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-severity')));
    expect(new Set(sevs)).toEqual(count ? new Set([s]) : new Set());
  }
});

it('findings list: filters, free-text search and sort, every row with its days left, each row opening its panel', async () => {
  const { page, dialogs } = await newPage(1440);
  await page.goto(withKey(`${host.url}/api/dashboard/findings`));
  const current = seeded.filter((f) => f.status !== 'resolved');
  expect(await rowsOf(page, 'findings').count()).toBe(current.length);
  // Urgency: the worst target's findings come first, its earliest deadline first.
  const firstTarget = await rowsOf(page, 'findings').first().locator('td[data-label="Target"]').innerText();
  expect(firstTarget).toBe(worstTargetName());
  // Every row with a deadline says how many days are left or how long ago it passed.
  for (const f of current.filter((x) => x.deadline)) {
    const text = await page.locator(`#findings tr[data-finding-id="${f.id}"] td[data-label="Deadline"]`).innerText();
    expect(text).toMatch(/\((\d+ days? left|due today|overdue by \d+ days?)\)/);
  }

  // Filter by target and owner through the form, as a person would.
  await page.selectOption('select[name="target"]', EVIL.id);
  await page.selectOption('select[name="owner"]', 'customer');
  await page.click('button[type="submit"]');
  const evil = current.filter((f) => f.targetId === EVIL.id);
  expect(await rowsOf(page, 'findings').count()).toBe(evil.length);
  expect(new Set(await page.locator('#findings td[data-label="Target"]').allInnerTexts())).toEqual(
    new Set([EVIL.name]),
  );

  // Sort by deadline: dated rows first, earliest (overdue) first.
  await page.selectOption('select[name="target"]', '');
  await page.selectOption('select[name="sort"]', 'deadline');
  await page.click('button[type="submit"]');
  const days = await page
    .locator('#findings td[data-label="Deadline"] .due')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-days'))));
  expect(days.length).toBe(current.filter((f) => f.deadline).length);
  expect(days).toEqual([...days].sort((a, b) => a - b));
  expect(days[0]).toBeLessThan(0);

  // Severity at least high, due before a date, and words: the key finding alone.
  await page.selectOption('select[name="severity"]', 'high');
  await page.fill('input[name="dueBefore"]', '2026-04-01');
  await page.fill('input[name="q"]', 'activation key');
  await page.click('button[type="submit"]');
  expect(await rowsOf(page, 'findings').count()).toBe(1);
  await shot(page, 'findings-filtered-1440');

  // The row opens the finding's panel on the dashboard, with what to do.
  await rowsOf(page, 'findings').first().locator('a').first().click();
  expect(new URL(page.url()).searchParams.get('finding')).toBe(keyFinding.id);
  expect(await page.locator('#focus').getAttribute('data-finding-id')).toBe(keyFinding.id);
  expect(await page.locator('#focus').innerText()).toContain('24 days left');
  expect(dialogs).toEqual([]);
});

it('refuses an unknown rule id in the findings filter instead of answering an empty list', async () => {
  const res = await fetch(withKey(`${host.url}/api/dashboard/findings?rule=hcx-no-such-rule`));
  expect(res.status).toBe(400);
  // A page, not raw JSON: the API's words, and a way back.
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const body = await res.text();
  expect(body).toContain('no rule &quot;hcx-no-such-rule&quot;');
  expect(body).toContain('Back to the fleet');
});

it('a target page shows versions, history, findings, facts and readiness; its gate page shows the checks', async () => {
  const { page } = await newPage(1440);
  await page.goto(withKey(`${host.url}/api/dashboard`));
  await page.locator(`tr[data-target-id="${CONNECTOR_REF.id}"] th.name a`).click();
  expect(await page.locator('h1').innerText()).toBe(CONNECTOR_REF.name);
  expect(await page.locator('main').innerText()).toContain('4.11.3');
  expect(await page.locator('#versions tbody tr').count()).toBeGreaterThan(0);
  const mine = seeded.filter((f) => f.targetId === CONNECTOR_REF.id && f.status !== 'resolved');
  expect(await rowsOf(page, 'target-findings').count()).toBe(mine.length);
  // Most urgent first: the activation key (the nearest deadline) leads this target's list.
  expect(await rowsOf(page, 'target-findings').first().getAttribute('data-finding-id')).toBe(
    seeded
      .filter((f) => f.targetId === CONNECTOR_REF.id && f.deadline && f.status !== 'resolved')
      .sort((a, b) => a.deadline!.date.localeCompare(b.deadline!.date))[0].id,
  );
  expect(await page.locator('#facts tbody').innerText()).toContain('change CHG-1234');
  await shot(page, 'target-1440');
  await page.locator('a', { hasText: 'the upgrade gate, check by check' }).click();
  expect(await page.locator('h1').innerText()).toContain(`Upgrade gate: ${CONNECTOR_REF.name}`);
  expect(await page.locator('[data-testid="verdict"]').innerText()).toMatch(/^(ready|blocked|unknown): /);
  expect(await page.locator('#checks tbody tr[data-check-id]').count()).toBeGreaterThan(0);
  expect(await page.locator('#version-checks tbody tr[data-check-id]').count()).toBeGreaterThan(0);
  await shot(page, 'readiness-1440');
});

it('the timeline: passed deadlines keep to their lane, one group per day and rule, each linked to its findings, as text too', async () => {
  const { page } = await newPage(1440);
  await page.goto(withKey(`${host.url}/api/dashboard`));
  // The axis starts 30 days back: deadlines passed long ago do not squeeze the year ahead.
  const todayX = Number(await page.locator('svg.timeline line[data-band="0"]').getAttribute('x1'));
  expect(todayX).toBeLessThan(200);
  const passed = page.locator('svg.timeline g.event[data-date="2025-07-27"] circle');
  expect(await passed.count()).toBeGreaterThan(0);
  for (const cx of await passed.evaluateAll((cs) => cs.map((c) => c.getAttribute('cx')))) expect(cx).toBe('40.0');
  // No two labels share a row.
  const ys = await page.locator('svg.timeline g.event text').evaluateAll((ts) => ts.map((t) => t.getAttribute('y')));
  expect(new Set(ys).size).toBe(ys.length);
  // One group for the three targets, in the chart and in the table that says it in words.
  const group = page.locator('#deadlines tbody tr[data-date="2026-10-02"]');
  expect(await group.count()).toBe(1);
  expect(await group.innerText()).toContain('3 targets: vSphere 7 past end of general support');
  expect(await group.innerText()).toContain('(214 days left)');
  await group.locator('a').click();
  expect(new URL(page.url()).pathname).toBe('/api/dashboard/findings');
  const ids = await rowsOf(page, 'findings').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-finding-id')));
  expect(ids.sort()).toEqual(
    seeded
      .filter((f) => f.ruleId === 'hcx-vsphere-version-legacy')
      .map((f) => f.id)
      .sort(),
  );
});

it('says what the latest scan found new, and the trend page adds up each of the last scans', async () => {
  const { page } = await newPage(1440);
  await page.goto(withKey(`${host.url}/api/dashboard`));
  const current = seeded.filter((f) => f.status === 'open' || f.status === 'unknown');
  const fresh = current.filter((f) => f.firstSeenAt === '2026-03-01T05:00:00.000Z');
  expect(fresh.length).toBeGreaterThan(0);
  expect(fresh.length).toBeLessThan(current.length);
  const line = page.locator('[data-testid="new-since"]');
  expect(await line.innerText()).toContain(
    `New since the previous scan: ${fresh.length} new finding(s) in the latest scan`,
  );
  await line.locator('a', { hasText: 'new finding' }).click();
  const ids = await rowsOf(page, 'findings').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-finding-id')));
  expect(ids.sort()).toEqual(fresh.map((f) => f.id).sort());

  await page.goto(withKey(`${host.url}/api/dashboard`));
  await page.locator('[data-testid="new-since"] a', { hasText: 'trend' }).click();
  expect(new URL(page.url()).pathname).toBe('/api/dashboard/trend');
  const earlier = page.locator(`#trend tr[data-scan-id="${EARLIER_SCAN.scanId}"]`);
  const cell = (label: string) => earlier.locator(`td[data-label="${label}"]`).innerText();
  expect(await cell('Open')).toBe('33');
  expect(await cell('Unknown')).toBe('6');
  expect(await cell('Resolved')).toBe('3');
  expect(await cell('New, still open')).toBe(String(current.filter((f) => f.firstSeenAt === EARLIER_SCAN.asOf).length));
  expect(await page.locator('#trend tbody tr[data-scan-id]').count()).toBe(2);
  // Its "new" link lists exactly what that scan found first.
  await earlier.locator('td[data-label="New, still open"] a').click();
  expect(await rowsOf(page, 'findings').count()).toBe(
    current.filter((f) => f.firstSeenAt === EARLIER_SCAN.asOf).length,
  );
  await page.goBack();
  expect(await page.locator('svg.trend polyline.open').count()).toBe(1);
  await shot(page, 'trend-1440');
});

/** Every page a person reaches from the fleet page. */
async function pageUrls(): Promise<string[]> {
  const enc = encodeURIComponent;
  return [
    withKey(`${host.url}/api/dashboard`),
    withKey(`${host.url}/api/dashboard/findings`),
    withKey(`${host.url}/api/dashboard/targets/${enc(CLOUD_REF.id)}`),
    withKey(`${host.url}/api/dashboard/targets/${enc(CLOUD_REF.id)}/readiness`),
    withKey(`${host.url}/api/dashboard?finding=${enc(keyFinding.id)}`),
    withKey(`${host.url}/api/dashboard/trend`),
  ];
}

it('no link on any dashboard page lands on raw JSON', async () => {
  const { page } = await newPage(1440);
  const seen = new Set<string>();
  for (const url of await pageUrls()) {
    await page.goto(url);
    // SVG links too (their href is not a string property): resolve each attribute against the page.
    const links = await page
      .locator('a[href]')
      .evaluateAll((as) => as.map((a) => new URL(a.getAttribute('href')!, document.baseURI).href));
    for (const link of links) {
      const u = new URL(link);
      if (u.origin !== new URL(host.url).origin || seen.has(link)) continue;
      seen.add(link);
      const res = await page.request.get(link);
      expect({ link, status: res.status() }).toEqual({ link, status: 200 });
      const type = res.headers()['content-type'] ?? '';
      // The CSV link is a download; everything else is a page.
      if (u.searchParams.get('format') === 'csv') expect(type).toMatch(/^text\/csv/);
      else expect({ link, type }).toEqual({ link, type: expect.stringMatching(/^text\/html/) });
    }
  }
  expect(seen.size).toBeGreaterThan(10);
});

it('is accessible: AA contrast for every text, captions and scoped headers on every table', async () => {
  const { page } = await newPage(1440);
  for (const url of await pageUrls()) {
    await page.goto(url);
    const failures = await page.evaluate(() => {
      const parse = (c: string): number[] | undefined => {
        const m = c.match(/rgba?\(([^)]+)\)/);
        if (!m) return undefined;
        const p = m[1].split(',').map((x) => Number(x.trim()));
        return p.length === 4 && p[3] === 0 ? undefined : p.slice(0, 3);
      };
      const lum = (rgb: number[]) => {
        const [r, g, b] = rgb.map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const background = (el: Element | null): number[] => {
        for (let e = el; e; e = e.parentElement) {
          const bg = parse(getComputedStyle(e).backgroundColor);
          if (bg) return bg;
        }
        return [255, 255, 255];
      };
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !n.textContent?.trim() || el.closest('.sr')) continue;
        const style = getComputedStyle(el);
        const isSvg = el instanceof SVGElement;
        const fg = parse(isSvg ? style.fill : style.color);
        if (!fg) continue;
        const bg = isSvg ? [255, 255, 255] : background(el);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        if (ratio < 4.5) out.push(`${ratio.toFixed(2)} "${n.textContent.trim().slice(0, 40)}"`);
      }
      for (const t of document.querySelectorAll('table')) {
        if (!t.querySelector(':scope > caption')) out.push(`table #${t.id} has no caption`);
        for (const th of t.querySelectorAll('thead th'))
          if (th.getAttribute('scope') !== 'col') out.push(`#${t.id} th without scope`);
      }
      return out;
    });
    expect({ url, failures }).toEqual({ url, failures: [] });
  }
});

it('fits a 390 px phone: no page scrolls sideways', async () => {
  const { page } = await newPage(390);
  const names = ['dashboard', 'findings', 'target', 'readiness', 'finding-panel', 'trend'];
  const urls = await pageUrls();
  for (let i = 0; i < urls.length; i++) {
    await page.goto(urls[i]);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect({ page: names[i], width }).toEqual({ page: names[i], width: 390 });
    // Fitting by squeezing columns to a few letters is not fitting: every table cell keeps a readable width.
    const narrow = await page
      .locator('tbody td, tbody th')
      .evaluateAll((cells) =>
        cells.filter((c) => c.getBoundingClientRect().width < 100).map((c) => c.textContent?.slice(0, 30)),
      );
    expect({ page: names[i], narrow }).toEqual({ page: names[i], narrow: [] });
    await shot(page, `${names[i]}-390`);
  }
});
