import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface LockPackage {
  optionalDependencies?: Record<string, string>;
}

describe('package-lock.json', () => {
  // `npm ci` refuses a lockfile that lacks an optional platform build (the registry here serves only Linux ones).
  it('has an entry for every optional dependency, or `npm ci` fails on a clean clone', () => {
    const lock = JSON.parse(readFileSync(resolve(__dirname, '../../package-lock.json'), 'utf8')) as {
      packages: Record<string, LockPackage>;
    };
    const missing = Object.values(lock.packages).flatMap((p) =>
      Object.keys(p.optionalDependencies ?? {}).filter((dep) => !lock.packages[`node_modules/${dep}`]),
    );
    if (missing.length) throw new Error(`run \`node dev/complete-lockfile.js\`; missing: ${missing.join(', ')}`);
    expect(missing).toEqual([]);
  });
});
