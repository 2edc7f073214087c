/**
 * Standalone entry point: starts the demo lab, writes .hcxmon/lab.env (0600) and stays up until SIGINT/SIGTERM.
 * `npm run build && node dist/dev/lab/main.js`. Kept separate from run.ts so that importing runLab never starts
 * a lab as a side effect (bundlers make `require.main === module` unreliable).
 */
import { runLab } from './run';

runLab().catch((err: unknown) => {
  console.error(`lab: ${(err as Error).message}`);
  process.exitCode = 1;
});
