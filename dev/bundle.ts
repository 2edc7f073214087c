/**
 * The deployment entry point: functions/index and everything it imports in one file (package.json "main").
 * Importing the tsc output resolves ~1,500 files through node_modules on a cold start; one bundled file halves the
 * import time (`npm run bench` measures both).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const BUNDLE_ENTRY = path.join('dist', 'app', 'index.js');

export async function bundleFunctions(root: string, outfile = path.join(root, BUNDLE_ENTRY)): Promise<{ bytes: number; ms: number }> {
  // esbuild is a devDependency: the bundle is built where the package is built, never at run time.
  const esbuild = await import('esbuild');
  mkdirSync(path.dirname(outfile), { recursive: true });
  const t0 = performance.now();
  const res = await esbuild.build({
    entryPoints: [path.join(root, 'functions', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    // Provided by the Functions host at run time; it does not exist on npm.
    external: ['@azure/functions-core'],
    minify: true,
    metafile: true,
    logLevel: 'warning',
    // Some dependencies are ESM that call createRequire(import.meta.url); CommonJS has no import.meta.
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
  });
  const bytes = Object.values(res.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
  return { bytes, ms: performance.now() - t0 };
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  bundleFunctions(root).then(
    ({ bytes, ms }) => console.log(`${BUNDLE_ENTRY}: ${(bytes / 1048576).toFixed(2)} MiB in ${ms.toFixed(0)} ms`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
