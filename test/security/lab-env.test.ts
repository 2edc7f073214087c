import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLab } from '../../dev/lab/run';

/**
 * `.hcxmon/lab.env` holds the lab's passwords and ARM token. A file left by an earlier run (or made by someone else
 * beforehand) kept its own, wider mode, and `hcxmon lab` (npm run lab) left the file behind when it stopped.
 */
describe('the lab env file', () => {
  it('is 0600 even when an older, world-readable file was there, and is gone once the lab stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcxmon-labenv-sec-'));
    const file = join(dir, 'lab.env');
    try {
      writeFileSync(file, 'OLD=1\n', { mode: 0o644 });
      expect(statSync(file).mode & 0o777).toBe(0o644);
      // As `hcxmon lab` runs it: no signal handler of its own; the command stops the lab itself.
      const lab = await runLab({ envFile: file, print: () => {}, stopOnSignal: false });
      try {
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(readFileSync(file, 'utf8')).toContain(lab.armToken);
      } finally {
        await lab.stop();
      }
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
