/**
 * The `hcxmon` entry point. lib/cli holds the product commands; this file adds what runs the product without
 * Azure — the embedded Azurite default, `lab`, `serve` and `demo` — so lib/ never depends on dev/.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DateTime } from 'luxon';
import type { Config } from '../lib/config';
import { EXIT, runCli, type CliContext, type CliIo } from '../lib/cli';
import { scanReport } from '../lib/cli/output';
import { colorEnabled, outputWidth } from '../lib/cli/layout';
import { DEFAULT_ROW_LIMIT, renderFindingsTable } from '../lib/cli/table';
import { createRuntime, type Runtime } from '../lib/runtime';
import { startAzurite, type AzuriteHandle } from './azurite';
import { startLocalHost, type LocalHost } from './host';
import { runLab, startLab } from './lab';

/** Where local runs keep their state (gitignored): the embedded Azurite's files, the lab's env file. */
export const STATE_DIR = '.hcxmon';

async function withEmbeddedStorage(config: Config, io: CliIo, inMemory = false): Promise<AzuriteHandle | undefined> {
  if (config.storage.kind !== 'embedded') return undefined;
  const location = inMemory ? undefined : resolve(STATE_DIR, 'azurite');
  const azurite = await startAzurite({ location });
  if (!inMemory)
    io.stderr.write(`storage: embedded Azurite (data in ${location}; set HCXMON_STORAGE to use Azure Storage)\n`);
  return azurite;
}

export async function openCliRuntime(config: Config, io: CliIo): Promise<Runtime> {
  const azurite = await withEmbeddedStorage(config, io);
  const rt = createRuntime({ config, env: io.env, embeddedConnectionString: azurite?.connectionString });
  const close = rt.close;
  rt.close = async () => {
    await close();
    await azurite?.stop();
  };
  return rt;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(s);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('a port number (0 = any free port)');
  return Number(value);
}

/**
 * A link to a read route of the local host. It carries the function key (reads only), never the admin key: a link
 * lands in browser history, and the admin key also writes. A configured key is not echoed: the link then has none.
 */
function link(host: LocalHost, route: string, query: Record<string, string> = {}): string {
  const q = new URLSearchParams(query);
  if (host.generated.function) q.set('code', host.functionKey);
  const qs = q.toString();
  return `${host.url}/api/${route}${qs ? `?${qs}` : ''}`;
}

function keyNote(host: LocalHost, say: (line: string) => void): void {
  if (!host.generated.function) say('Add ?code=<HCXMON_LOCAL_FUNCTION_KEY> (or the admin key) to open these links.');
}

export function devCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const say = (line: string): void => void io.stdout.write(`${line}\n`);

  program
    .command('lab')
    .description('run the simulated AVS + HCX estate and print the settings that point the product at it')
    .action(async () => {
      const lab = await runLab({ print: say, stopOnSignal: false });
      await untilSignal();
      await lab.stop();
    });

  program
    .command('serve')
    .description('run the Functions app on a local host (HTTP routes as registered, timers on demand, queue polling)')
    .addOption(new Option('--port <port>', 'port on 127.0.0.1').default(7071).argParser(parsePort))
    .action(async (o: { port: number }) => {
      const config = ctx.config();
      const azurite = await withEmbeddedStorage(config, io);
      const host = await startLocalHost({
        port: o.port,
        env: azurite ? { AzureWebJobsStorage: azurite.connectionString } : {},
        queuePollIntervalMs: 1000,
        log: (l) => void io.stderr.write(`${l}\n`),
      });
      // The host logged the admin key when it generated one; the link carries the read-only function key.
      // Each link alone on its line, with nothing around it: copied whole, never wrapped into a label.
      say(`hcxmon is serving (Ctrl+C to stop). Dashboard:\n${link(host, 'dashboard')}`);
      keyNote(host, say);
      await untilSignal();
      await host.stop();
      await azurite?.stop();
    });

  program
    .command('demo')
    .description('the one-command tour: embedded Azurite + the lab demo estate + a scan + the dashboard')
    .option('--no-serve', 'exit after the scan instead of serving the dashboard')
    .addOption(new Option('--port <port>', 'dashboard port on 127.0.0.1').default(7071).argParser(parsePort))
    .action(async (o: { serve: boolean; port: number }) => {
      const started = Date.now();
      say('Starting the lab estate (fake ARM + HCX managers over HTTPS) and an embedded Azurite…');
      const [lab, azurite] = await Promise.all([startLab(), startAzurite()]);
      try {
        // No subscription list: the demo discovers its estate the way a tenant-wide deployment does, through Azure
        // Resource Graph over every subscription the identity can read (issue 15).
        const { HCXMON_SUBSCRIPTION_IDS: _listed, ...labEnv } = lab.env;
        const env = {
          ...labEnv,
          HCXMON_DISCOVERY_SCOPE: 'tenant',
          HCXMON_STORAGE: azurite.connectionString,
          AzureWebJobsStorage: azurite.connectionString,
        };
        const rt = createRuntime({ env });
        const result = await rt.scan({ trigger: 'demo' });
        const { json, findings } = scanReport(result);
        const pages = lab.requests.filter((r) => r.server === 'arm' && /^\/providers\/Microsoft\.ResourceGraph\//i.test(r.path)).length;
        const clouds = json.targets.filter((t) => t.kind === 'avs-private-cloud').length;
        say('');
        say(`Discovered ${clouds} private clouds through Azure Resource Graph (tenant scope, ${pages} query page(s)).`);
        say('');
        say(
          renderFindingsTable(json.targets, findings, {
            width: outputWidth(io.stdout, io.env),
            color: colorEnabled(io.stdout, io.env),
            asOf: DateTime.fromISO(json.asOf),
            limit: DEFAULT_ROW_LIMIT,
          }),
        );
        say('');
        say(
          `Scanned ${json.targets.length} targets in ${((Date.now() - started) / 1000).toFixed(1)} s (scan ${result.scan.scanId}).`,
        );
        if (!o.serve) return;
        const host = await startLocalHost({ port: o.port, env, queuePollIntervalMs: 1000, log: () => {} });
        say('');
        // Each link alone on its line, with nothing around it: copied whole, never wrapped into a label.
        say(`Dashboard:\n${link(host, 'dashboard')}`);
        say(`Findings:\n${link(host, 'dashboard/findings')}`);
        say(`Findings as CSV:\n${link(host, 'findings', { format: 'csv' })}`);
        keyNote(host, say);
        if (host.generated.admin) say(`Admin key for writes (generated for this run): ${host.adminKey}`);
        say('Ctrl+C to stop.');
        await untilSignal();
        await host.stop();
      } finally {
        await Promise.all([lab.stop(), azurite.stop()]);
      }
    });
}

export function main(argv: string[]): Promise<number> {
  return runCli(argv, { openRuntime: openCliRuntime, extend: devCommands });
}

export { EXIT };
