import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The product's version, from its package.json: found by walking up from this file, because the same module runs
 * from lib/ (tests, ts-jest) and from dist/lib/ (the built CLI), one folder deeper.
 */
export function productVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hcx-compliance-monitor' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
