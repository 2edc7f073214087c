import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ignore from 'ignore';

/**
 * The deployed package is the project folder filtered by .funcignore (azd and Core Tools both apply it). It must
 * carry what runs, the esbuild bundle, and nothing of the dev tool chain; and it must start on its own.
 */

const ROOT = resolve(__dirname, '../..');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === '.git' ? [] : walk(p);
    return [relative(ROOT, p).split('\\').join('/')];
  });
}

/** What the package holds: every file under the project that .funcignore keeps. */
function packageFiles(): string[] {
  const rules = ignore().add(readFileSync(join(ROOT, '.funcignore'), 'utf8'));
  return walk(ROOT).filter((f) => !rules.ignores(f));
}

const PROBE = `
const Module = require('node:module');
const names = [];
const core = { setProgrammingModel() {}, registerHook() { return { dispose() {} }; }, log() {},
  registerFunction(m) { names.push(m.name); return { dispose() {} }; } };
const load = Module._load;
Module._load = function (request, ...rest) { return request === '@azure/functions-core' ? core : load.call(this, request, ...rest); };
require(require('node:path').resolve(require(process.argv[1] + '/package.json').main));
process.stdout.write(JSON.stringify(names));
`;

describe('the deployment package (.funcignore)', () => {
  let files: string[];
  beforeAll(() => {
    files = packageFiles();
  });

  it('holds the host configuration, package.json and the bundle it points at, and nothing else', () => {
    const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
    expect(files).toEqual(expect.arrayContaining(['host.json', 'package.json', main]));
    expect(files.filter((f) => !['host.json', 'package.json'].includes(f) && !f.startsWith('dist/app/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('carries no dependency, source, test, infra or secret file', () => {
    const banned = /^(node_modules|lib|functions|dev|test|bench|infra|bin|\.azure)\/|local\.settings\.json$|\.env$/;
    expect(files.filter((f) => banned.test(f))).toEqual([]);
  });

  it('starts on its own: the bundle registers every function with no node_modules beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcxmon-package-'));
    try {
      for (const f of files) {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        copyFileSync(join(ROOT, f), join(dir, f));
      }
      const names = JSON.parse(
        execFileSync(process.execPath, ['-e', PROBE, dir], { cwd: dir, encoding: 'utf8' }),
      ) as string[];
      expect(names).toEqual(expect.arrayContaining(['scheduleScan', 'scanTarget', 'dispatchAlerts', 'httpDashboard']));
      const bytes = files.reduce((n, f) => n + statSync(join(ROOT, f)).size, 0);
      // Far below the dev tree (node_modules alone is hundreds of MB); a dependency leaking in shows here.
      expect(bytes).toBeLessThan(8 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
