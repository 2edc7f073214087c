import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startLab, type StartLabOptions } from './lab';
import type { LabHandle } from './types';

export interface RunLabOptions extends StartLabOptions {
  /** Where the full env (secrets included) is written, mode 0600; default `.hcxmon/lab.env` under the cwd. */
  envFile?: string;
  /** Line printer; default console.log. Never receives a secret. */
  print?: (line: string) => void;
  /** Stop the lab on SIGINT/SIGTERM; default true. However the lab stops, its env file is removed. */
  stopOnSignal?: boolean;
}

/** Settings that carry no secret and may be printed. HCXMON_CONNECTORS holds setting NAMES, not passwords. */
const PRINTABLE = [
  'HCXMON_SUBSCRIPTION_IDS',
  'HCXMON_ARM_ENDPOINT',
  'HCXMON_ARM_CA_FILE',
  'HCXMON_HCX_CA_FILE',
  'HCXMON_CONNECTORS',
];

function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export function envFileText(env: Record<string, string>): string {
  const lines = ['# hcxmon lab settings (secrets included): set -a; . .hcxmon/lab.env; set +a'];
  for (const [k, v] of Object.entries(env)) lines.push(`${k}=${shellQuote(v)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Starts the lab, writes every setting to the env file (0600) and prints how to load it plus the non-secret
 * settings. The CLI (`hcxmon lab`, `npm run lab`) calls this; dev/lab/main.ts is the standalone entry point.
 */
export async function runLab(options: RunLabOptions = {}): Promise<LabHandle> {
  const print = options.print ?? ((l: string) => console.log(l));
  const envFile = resolve(options.envFile ?? '.hcxmon/lab.env');
  const lab = await startLab(options);
  mkdirSync(dirname(envFile), { recursive: true });
  // `mode` only applies to a file that is created: a file left by an earlier run keeps its own. So a new file
  // (exclusive create), and the mode set again in case a umask or an odd filesystem ignored it.
  rmSync(envFile, { force: true });
  writeFileSync(envFile, envFileText(lab.env), { mode: 0o600, flag: 'wx' });
  chmodSync(envFile, 0o600);
  // The secrets it holds die with this lab, however it is stopped (hcxmon lab stops it itself).
  const stopLab = lab.stop.bind(lab);
  lab.stop = () => stopLab().finally(() => rmSync(envFile, { force: true }));

  print(`hcxmon lab "${lab.scenario.name}" is up (started in ${lab.startedInMs} ms)`);
  print('');
  print('Point the product at it (the file holds the passwords and the ARM token, mode 0600):');
  print(`  set -a; . ${envFile}; set +a`);
  print('');
  print('Non-secret settings:');
  for (const k of PRINTABLE) print(`  ${k}=${lab.env[k]}`);
  print('');
  print('Managers:');
  for (const id of lab.managerIds) {
    const m = lab.getManager(id);
    const app = lab.applianceUrl(id);
    print(
      `  ${id.padEnd(18)} ${m.role.padEnd(9)} ${m.version.padEnd(7)} ${lab.hcxUrl(id)}${app ? `  9443: ${app}` : ''}`,
    );
  }
  print('');
  print('Press Ctrl+C to stop.');

  if (options.stopOnSignal !== false) {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void lab.stop().then(() => print(`lab stopped (${signal})`));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return lab;
}
