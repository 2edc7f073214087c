import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser the dashboard tests and the README screenshots (dev/screenshots.ts) drive, from npm so that `npm ci && npm test` passes on a machine with only Node and
 * npm. `@sparticuz/chromium` ships a headless Chromium (chrome-headless-shell) inside the package, brotli-compressed,
 * with the few shared libraries a bare Debian lacks (NSS, NSPR, expat) and a font; nothing is downloaded at install
 * or run time. A system Chromium is used only when `HCXMON_CHROMIUM` names one, never because /usr/bin/chromium
 * happens to exist (that would hide a broken npm path on the developer machine that has it).
 */

const ARGS = [
  // Tests run as root in CI; Chromium refuses its sandbox as root.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ChromiumChoice {
  executablePath: string;
  env: Record<string, string>;
  source: 'HCXMON_CHROMIUM' | '@sparticuz/chromium';
}

const run = promisify(execFile);

function packageRoot(): { dir: string; version: string } {
  // The package exports only its entry point; its root is two folders above build/cjs/index.cjs.
  const dir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..', '..');
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir, version };
}

/**
 * Unpacks the packaged Chromium once per version into node_modules/.cache (gone with the next `npm ci`). The package
 * unpacks into os.tmpdir() under fixed names (/tmp/chromium, /tmp/fonts), shared by every user and version, so it runs
 * in a child whose TMPDIR is a private folder, renamed into place when complete: two jest workers never see a
 * half-written binary. AWS_LAMBDA_JS_RUNTIME makes it unpack its Amazon Linux libraries too (it does so only where it
 * believes it runs on Lambda): libnss3, libnspr4 and libexpat are what the binary links beyond glibc, and a minimal
 * Debian has none of them.
 */
async function unpackNpmChromium(): Promise<string> {
  const pkg = packageRoot();
  const cache = path.resolve(pkg.dir, '..', '..', '.cache', 'hcxmon-chromium');
  const dir = path.join(cache, pkg.version);
  if (existsSync(path.join(dir, 'chromium'))) return dir;
  mkdirSync(cache, { recursive: true });
  const staging = path.join(cache, `${pkg.version}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  await run(
    process.execPath,
    ['-e', 'require("@sparticuz/chromium").executablePath().then((p) => process.stdout.write(p))'],
    {
      cwd: pkg.dir,
      env: { PATH: process.env.PATH ?? '', TMPDIR: staging, AWS_LAMBDA_JS_RUNTIME: 'nodejs20.x' },
    },
  );
  // The packaged fonts.conf names /tmp/fonts; this one names the unpacked copy.
  writeFileSync(
    path.join(staging, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${path.join(dir, 'fonts')}</dir>` +
      `<cachedir>${path.join(dir, 'fonts-cache')}</cachedir></fontconfig>\n`,
  );
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another worker finished first: use its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'chromium'))) throw err;
  }
  return dir;
}

export async function chooseChromium(): Promise<ChromiumChoice> {
  const configured = process.env.HCXMON_CHROMIUM;
  if (configured) return { executablePath: configured, env: {}, source: 'HCXMON_CHROMIUM' };
  const dir = await unpackNpmChromium();
  return {
    executablePath: path.join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [path.join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: path.join(dir, 'fonts.conf'),
      HOME: dir,
    },
    source: '@sparticuz/chromium',
  };
}

export async function launchChromium(): Promise<{ browser: Browser; choice: ChromiumChoice }> {
  const choice = await chooseChromium();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const browser = await chromium.launch({
    executablePath: choice.executablePath,
    args: ARGS,
    env: { ...env, ...choice.env },
  });
  return { browser, choice };
}
