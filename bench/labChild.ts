/**
 * The lab in its own process for the benchmarks: on a 2-core box an in-process lab spends the scanner's CPU on
 * its own TLS handshakes and JSON, which would measure the lab, not the product. Talks over the fork IPC channel.
 */
import { generateEstate, startLab } from '../dev/lab';

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  const latencyMs = Number(process.argv[3] ?? 0);
  const lab = await startLab({ scenario: generateEstate(n, { latencyMs }) });
  process.on('message', (m: { op: string; id?: string; faults?: object }) => {
    if (m.op === 'counts') {
      const hcx = lab.requests.filter((r) => r.server !== 'arm').length;
      const arm = lab.requests.length - hcx;
      const u = process.cpuUsage();
      process.send?.({ op: 'counts', hcx, arm, cpuMs: (u.user + u.system) / 1000 });
    } else if (m.op === 'reset') {
      lab.requests.length = 0;
      process.send?.({ op: 'reset' });
    } else if (m.op === 'stop') {
      void lab.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ op: 'ready', env: lab.env });
}
void main();
