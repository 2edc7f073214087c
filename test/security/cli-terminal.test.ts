import { runCli } from '../../lib/cli';
import { labRuntime, type LabRuntime } from '../support/runtime';

/**
 * Attack: whoever administers an HCX manager the monitor scans names a Service Mesh or an extended network with
 * terminal escape sequences. Printed raw in the CLI table they set the window title (OSC 0), plant a hyperlink
 * (OSC 8), clear the screen (CSI 2J), write the operator's clipboard (OSC 52) or forge lines (CR).
 */
const ESC = '\u001b';
const BEL = '\u0007';
const HOSTILE = [
  `${ESC}]0;pwned${BEL}`,
  `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`,
  `${ESC}[2J`,
  `${ESC}]52;c;ZWNobyBwd25lZA==${BEL}`,
  '\u009b31m\r',
].join('');
// Every C0 control but newline, DEL and every C1 control.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// Colour is ours (SGR: ESC [ digits m) when stdout is a terminal; nothing else may start with ESC.
// eslint-disable-next-line no-control-regex
const OUR_COLOUR = /\u001b\[[0-9;]*m/g;

describe('HCX-chosen names cannot drive the operator terminal (CLI table, lab scan)', () => {
  let ctx: LabRuntime;

  beforeAll(async () => {
    ctx = await labRuntime('secterm');
    ctx.lab.updateManager('avs-legacy-neu', (m) =>
      m.serviceMeshes.forEach((s) => {
        s.name = `mesh${HOSTILE}`;
        s.state = `UPDATE_FAILED${HOSTILE}`;
      }),
    );
    ctx.lab.updateManager('onprem-dc2', (m) => m.extensions.forEach((x) => (x.networkName = `net${HOSTILE}`)));
  });
  afterAll(() => ctx.stop());

  const cli = async (args: string[], isTTY: boolean): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runCli(args, {
      io: { stdout: { write: (t: string) => (out += t), isTTY }, stderr: { write: (t: string) => (err += t) }, env: ctx.env },
      openRuntime: async () => ctx.rt,
    });
    return { code, out, err };
  };

  it.each([
    ['scan', false],
    ['findings', false],
    ['findings', true],
  ])('hcxmon %s --format table (terminal: %s) prints the names without control characters', async (cmd, isTTY) => {
    const r = await cli([cmd, '--format', 'table'], isTTY);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.out.replace(OUR_COLOUR, '')).not.toMatch(CONTROL);
    expect(r.err.replace(OUR_COLOUR, '')).not.toMatch(CONTROL);
    // The names are still there, as inert text.
    expect(r.out).toContain('mesh]0;pwned');
  });
});
