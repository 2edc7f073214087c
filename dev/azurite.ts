import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  connectionString: string;
  tablePort: number;
  queuePort: number;
  pids: number[];
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Persist under this folder (the CLI keeps history in .hcxmon/); in memory when absent. */
  location?: string;
  tablePort?: number;
  queuePort?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function startService(service: 'table' | 'queue', port: number, location?: string): Promise<ChildProcess> {
  const script = require.resolve(`azurite/dist/src/${service}/main.js`);
  const storage = location ? ['--location', location] : ['--inMemoryPersistence'];
  // --disableTelemetry: Azurite phones home by default; --skipApiVersionCheck: storage-queue 12.30 sends a newer
  // x-ms-version than Azurite 3.35 knows.
  const args = [script, ...storage, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'];
  args.push(`--${service}Host`, '127.0.0.1', `--${service}Port`, String(port));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`azurite-${service} did not start within 20 s: ${out.slice(-500)}`));
    }, 20000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/successfully (started|listens)/.test(out)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite-${service} exited with ${code}: ${out.slice(-500)}`));
    });
  });
}

export function azuriteConnectionString(tablePort: number, queuePort: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `TableEndpoint=http://127.0.0.1:${tablePort}/${AZURITE_ACCOUNT};` +
    `QueueEndpoint=http://127.0.0.1:${queuePort}/${AZURITE_ACCOUNT};`
  );
}

/** Starts Azurite's table and queue services from node_modules (pure JS, nothing downloaded). */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteHandle> {
  if (options.location) mkdirSync(options.location, { recursive: true });
  const tablePort = options.tablePort ?? (await freePort());
  const queuePort = options.queuePort ?? (await freePort());
  const children = await Promise.all([
    startService('table', tablePort, options.location),
    startService('queue', queuePort, options.location),
  ]);
  return {
    connectionString: azuriteConnectionString(tablePort, queuePort),
    tablePort,
    queuePort,
    pids: children.map((c) => c.pid ?? -1),
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              // SIGINT, not SIGTERM: Azurite only closes its LokiJS store (and flushes it to --location) on SIGINT;
              // SIGTERM kills it with up to 5 s of writes — even whole tables — never saved (autosave interval).
              const hard = setTimeout(() => c.kill('SIGKILL'), 10_000);
              c.once('exit', () => {
                clearTimeout(hard);
                resolve();
              });
              c.kill('SIGINT');
            }),
        ),
      );
    },
  };
}
