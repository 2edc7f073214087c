/**
 * Standalone entry point: starts a lab (the demo estate, or `demo` | `generated:<n>` | a JSON scenario file given
 * as the first argument), writes .hcxmon/lab.env (0600) and stays up until SIGINT/SIGTERM.
 * `npm run build && node dist/dev/lab/main.js [scenario]`. Kept apart from run.ts so that importing runLab never
 * starts a lab as a side effect (bundlers make `require.main === module` unreliable).
 */
import { runLab } from './run';
import { loadScenario } from './scenarios/load';

Promise.resolve()
  .then(() => runLab({ scenario: process.argv[2] ? loadScenario(process.argv[2]) : undefined }))
  .catch((err: unknown) => {
    console.error(`lab: ${(err as Error).message}`);
    process.exitCode = 1;
  });
