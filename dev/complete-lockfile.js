#!/usr/bin/env node
/**
 * Keeps `npm ci` working on machines whose npm registry serves only the Linux builds of platform packages.
 *
 * jest 30 depends on `unrs-resolver`, whose optionalDependencies list one native binding per platform. Where the
 * registry answers 404 for the non-Linux ones, `npm install` leaves them out of package-lock.json and `npm ci` then
 * refuses the lockfile as "out of sync". This adds the missing entries back, marked optional and restricted to their
 * own os/cpu/libc, so npm skips them on Linux without ever fetching them (exactly what a complete lockfile does).
 * Run it after `npm install` changes the lockfile: `node dev/complete-lockfile.js`.
 */
const fs = require('node:fs');
const path = require('node:path');

const LOCK = path.join(__dirname, '..', 'package-lock.json');

// name suffix → [os, cpu, libc?]; from the platform names the packages are published under.
const PLATFORMS = {
  'android-arm-eabi': ['android', 'arm'],
  'android-arm64': ['android', 'arm64'],
  'darwin-arm64': ['darwin', 'arm64'],
  'darwin-x64': ['darwin', 'x64'],
  'freebsd-x64': ['freebsd', 'x64'],
  'linux-arm-gnueabihf': ['linux', 'arm', 'glibc'],
  'linux-arm-musleabihf': ['linux', 'arm', 'musl'],
  'linux-arm64-gnu': ['linux', 'arm64', 'glibc'],
  'linux-arm64-musl': ['linux', 'arm64', 'musl'],
  'linux-loong64-gnu': ['linux', 'loong64', 'glibc'],
  'linux-loong64-musl': ['linux', 'loong64', 'musl'],
  'linux-ppc64-gnu': ['linux', 'ppc64', 'glibc'],
  'linux-riscv64-gnu': ['linux', 'riscv64', 'glibc'],
  'linux-riscv64-musl': ['linux', 'riscv64', 'musl'],
  'linux-s390x-gnu': ['linux', 's390x', 'glibc'],
  'linux-x64-gnu': ['linux', 'x64', 'glibc'],
  'linux-x64-musl': ['linux', 'x64', 'musl'],
  'openharmony-arm64': ['openharmony', 'arm64'],
  'win32-arm64-msvc': ['win32', 'arm64'],
  'win32-ia32-msvc': ['win32', 'ia32'],
  'win32-x64-msvc': ['win32', 'x64'],
};
const HOST = { os: process.platform, cpu: process.arch };

const lock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const where = `node_modules/${dep}`;
    if (packages[where]) continue;
    const suffix = Object.keys(PLATFORMS).find((s) => dep.endsWith(`-${s}`));
    if (!suffix) {
      console.error(`${dep} (optional dependency of ${key || 'the project'}) is missing and is not a known platform build`);
      process.exitCode = 1;
      continue;
    }
    const [os, cpu, libc] = PLATFORMS[suffix];
    if (os === HOST.os && cpu === HOST.cpu) {
      console.error(`${dep} is missing although it is for this platform: run npm install again`);
      process.exitCode = 1;
      continue;
    }
    packages[where] = { version, ...(pkg.dev ? { dev: true } : {}), optional: true, os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
    added++;
  }
}
fs.writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
