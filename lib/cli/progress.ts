import { SingleBar } from 'cli-progress';
import type { Stream } from './index';

export interface ProgressReporter {
  start(total: number): void;
  tick(label: string): void;
  stop(): void;
}

const silent: ProgressReporter = { start() {}, tick() {}, stop() {} };

/**
 * A progress bar on stderr, only when stderr is a terminal and the output is for humans: never mixed into
 * `--format json`/csv on stdout, never written into a pipe or a log file.
 */
export function progressReporter(stream: Stream, humanOutput: boolean): ProgressReporter {
  if (!humanOutput || !stream.isTTY) return silent;
  const bar = new SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: 'scanning [{bar}] {value}/{total} targets  {label}',
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30,
  });
  let started = false;
  return {
    start(total) {
      if (total > 0) {
        bar.start(total, 0, { label: '' });
        started = true;
      }
    },
    tick(label) {
      if (started) bar.increment(1, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
