import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import '../../functions/index';
import { registrations } from '../support/fakeFunctionsCore';

const ROOT = resolve(__dirname, '../..');

/** Loads a module in a fresh node process with a stand-in host core; prints what it registered, with bindings. */
const PROBE = `
const Module = require('node:module');
const regs = [];
const core = { setProgrammingModel() {}, registerHook() { return { dispose() {} }; }, log() {},
  registerFunction(metadata) { regs.push(metadata); return { dispose() {} }; } };
const load = Module._load;
Module._load = function (request, ...rest) { return request === '@azure/functions-core' ? core : load.call(this, request, ...rest); };
require(process.argv[1]);
const out = regs.map((m) => ({ name: m.name, bindings: Object.values(m.bindings).map((b) => ({ type: b.type, direction: b.direction, schedule: b.schedule, queueName: b.queueName, connection: b.connection, route: b.route, authLevel: b.authLevel, methods: b.methods })) }));
process.stdout.write(JSON.stringify(out));
`;

describe('the deployment bundle (package.json main)', () => {
  it('is what package.json points the Functions host at', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('../../package.json').main).toBe('dist/app/index.js');
    expect(existsSync(resolve(ROOT, 'dist/app/index.js'))).toBe(true);
  });

  it('registers exactly the functions and bindings of functions/index, from one file', () => {
    const fromBundle = JSON.parse(execFileSync(process.execPath, ['-e', PROBE, resolve(ROOT, 'dist/app/index.js')], { encoding: 'utf8' })) as unknown[];
    const fromSource = registrations.map((r) => ({
      name: r.metadata.name,
      bindings: Object.values(r.metadata.bindings).map((b) => ({
        type: b.type,
        direction: b.direction,
        schedule: b.schedule,
        queueName: b.queueName,
        connection: b.connection,
        route: b.route,
        authLevel: b.authLevel,
        methods: b.methods,
      })),
    }));
    expect(JSON.parse(JSON.stringify(fromSource))).toEqual(fromBundle);
    expect(fromBundle.length).toBeGreaterThanOrEqual(20);
  });
});
