import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface RemoteLab {
  env: Record<string, string>;
  /** Requests served since the last reset, and the lab process's CPU time so far (ms). */
  counts(): Promise<{ hcx: number; arm: number; cpuMs: number }>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function ask<T>(child: ChildProcess, op: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { op: string } & T): void => {
      if (m.op !== op) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send({ op });
  });
}

/** A generated estate of `n` targets with `latencyMs` per HCX call, served by a child process. */
export async function startRemoteLab(n: number, latencyMs: number): Promise<RemoteLab> {
  const child = fork(path.join(__dirname, 'labChild.js'), [String(n), String(latencyMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m: { op: string; env: Record<string, string> }) => resolve(m.env));
    child.once('exit', (code) => reject(new Error(`lab child exited with ${code}`)));
  });
  return {
    env,
    counts: () => ask(child, 'counts'),
    reset: async () => void (await ask(child, 'reset')),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ op: 'stop' });
      }),
  };
}
