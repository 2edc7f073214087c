import { mkdirSync } from 'node:fs';
import path from 'node:path';

export { chooseChromium, launchChromium } from '../../dev/browser';

/** Screenshots are kept as test artifacts (test-output/ is gitignored; CI can collect it). */
export function artifactDir(): string {
  const out = path.resolve(__dirname, '..', '..', 'test-output');
  mkdirSync(out, { recursive: true });
  return out;
}
