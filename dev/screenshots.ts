/**
 * The README's screenshots, made by this script so they always show the dashboard as it is: the demo estate (the lab
 * over HTTPS, an embedded Azurite, one scan), the local host, and the npm-shipped Chromium (dev/browser.ts) at 1440
 * and 390 px. `npm run screenshots` writes docs/screenshots/*.png; nothing here needs Azure or the network.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRuntime } from '../lib/runtime';
import { startAzurite } from './azurite';
import { launchChromium } from './browser';
import { startLocalHost } from './host';
import { startLab } from './lab';

interface Shot {
  name: string;
  path: string;
  width: number;
  /** Only the top of a long page: what a reader sees first. */
  height: number;
}

const SHOTS: Shot[] = [
  { name: 'dashboard', path: 'dashboard', width: 1440, height: 1300 },
  { name: 'findings', path: 'dashboard/findings', width: 1440, height: 900 },
  { name: 'dashboard-phone', path: 'dashboard', width: 390, height: 1100 },
  { name: 'findings-phone', path: 'dashboard/findings', width: 390, height: 1100 },
];

export async function takeScreenshots(outDir: string, log: (line: string) => void = console.log): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const [lab, azurite] = await Promise.all([startLab(), startAzurite()]);
  const written: string[] = [];
  try {
    const env = { ...lab.env, HCXMON_STORAGE: azurite.connectionString, AzureWebJobsStorage: azurite.connectionString };
    const rt = createRuntime({ env });
    await rt.scan({ trigger: 'demo' });
    // No keys: the local host is on 127.0.0.1 only and the pictures must not show one in a link.
    const host = await startLocalHost({
      env: { ...env, HCXMON_LOCAL_FUNCTION_KEY: '', HCXMON_LOCAL_ADMIN_KEY: '' },
      log: () => {},
    });
    const { browser } = await launchChromium();
    try {
      const worst = await (await fetch(`${host.url}/api/summary`)).json();
      const target = (worst as { worstTargets: { targetId: string }[] }).worstTargets[0]?.targetId;
      const shots = target
        ? [
            ...SHOTS,
            { name: 'target', path: `dashboard/targets/${encodeURIComponent(target)}`, width: 1440, height: 1100 },
          ]
        : SHOTS;
      for (const s of shots) {
        const page = await browser.newPage({ viewport: { width: s.width, height: s.height } });
        await page.goto(`${host.url}/api/${s.path}`);
        const file = path.join(outDir, `${s.name}.png`);
        await page.screenshot({ path: file });
        await page.close();
        written.push(file);
        log(`wrote ${path.relative(process.cwd(), file)}`);
      }
    } finally {
      await browser.close();
      await host.stop();
    }
  } finally {
    await Promise.all([lab.stop(), azurite.stop()]);
  }
  return written;
}

if (require.main === module) {
  takeScreenshots(path.resolve(__dirname, '..', '..', 'docs', 'screenshots')).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
