import type { Config } from '../config';
import { AlertDispatcher, type DispatcherOptions } from './dispatcher';
import { createLogsIngestionSink, type LogsIngestionSinkOptions } from './logsIngestion';
import type { AlertLogger, OutboxPort } from './types';

export { AlertDispatcher, type DispatcherOptions } from './dispatcher';
export { createLogsIngestionSink, LogsIngestionSink, type LogsIngestionSinkOptions } from './logsIngestion';
export {
  dashboardLink,
  SCAN_COMPLETED_EVENT,
  scanCompletedRow,
  shouldPage,
  toAlertRow,
  type ScanCompletedInfo,
} from './rows';
export * from './types';

export interface CreateDispatcherOptions extends LogsIngestionSinkOptions {
  logger?: AlertLogger;
  now?: () => Date;
  maxRows?: DispatcherOptions['maxRows'];
  batchSize?: DispatcherOptions['batchSize'];
}

/**
 * The dispatcher the scan, the timer and `POST /api/alerts/test` use. Without HCXMON_ALERT_ENDPOINT it keeps the
 * outbox and reports its depth.
 */
export function createAlertDispatcher(
  config: Pick<Config, 'alert' | 'dashboardUrl'>,
  outbox: OutboxPort,
  options: CreateDispatcherOptions = {},
): AlertDispatcher {
  const { credential, clientOptions, ...rest } = options;
  return new AlertDispatcher({
    outbox,
    sink: createLogsIngestionSink(config.alert, { credential, clientOptions }),
    minSeverity: config.alert.minSeverity,
    dashboardUrl: config.dashboardUrl,
    ...rest,
  });
}
