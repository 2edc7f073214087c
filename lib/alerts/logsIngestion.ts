import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import {
  isAggregateLogsUploadError,
  LogsIngestionClient,
  type LogsIngestionClientOptions,
} from '@azure/monitor-ingestion';
import type { AlertConfig } from '../config';
import { ConfigError, errorMessage } from '../errors';
import type { AlertRow, AlertSink, SinkResult } from './types';

/**
 * Sends rows to a data collection rule's stream through the Logs Ingestion API. The client splits a call into
 * ~1 MB gzip chunks; a failed chunk names its rows (`failedLogs`, the very objects passed in), so the rest count
 * as accepted and are not sent again.
 */
export class LogsIngestionSink implements AlertSink {
  constructor(
    private readonly client: Pick<LogsIngestionClient, 'upload'>,
    private readonly ruleId: string,
    private readonly stream: string,
  ) {}

  async send(rows: readonly AlertRow[]): Promise<SinkResult> {
    if (rows.length === 0) return { accepted: [], failed: [] };
    // Fresh objects per call: failedLogs are matched by identity.
    const payload = rows.map((r) => ({ ...r }) as Record<string, unknown>);
    try {
      await this.client.upload(this.ruleId, this.stream, payload, { maxConcurrency: 1 });
      return { accepted: rows.map((_, i) => i), failed: [] };
    } catch (err) {
      if (!isAggregateLogsUploadError(err)) {
        const error = errorMessage(err);
        return { accepted: [], failed: rows.map((_, index) => ({ index, error })) };
      }
      const errorOf = new Map<Record<string, unknown>, string>();
      for (const failure of err.errors) {
        for (const log of failure.failedLogs) errorOf.set(log, errorMessage(failure.cause));
      }
      const result: SinkResult = { accepted: [], failed: [] };
      payload.forEach((row, index) => {
        const error = errorOf.get(row);
        if (error === undefined) result.accepted.push(index);
        else result.failed.push({ index, error });
      });
      return result;
    }
  }
}

export interface LogsIngestionSinkOptions {
  /** Defaults to DefaultAzureCredential (the app's user-assigned identity via AZURE_CLIENT_ID in Azure). */
  credential?: TokenCredential;
  /** Passed to LogsIngestionClient: retryOptions, tlsOptions (trust a CA), httpClient, audience… */
  clientOptions?: LogsIngestionClientOptions;
}

/** The production sink, or undefined when no alert endpoint is configured (the outbox is then kept). */
export function createLogsIngestionSink(
  alert: AlertConfig,
  options: LogsIngestionSinkOptions = {},
): LogsIngestionSink | undefined {
  if (!alert.endpoint) return undefined;
  if (!alert.ruleId) {
    throw new ConfigError(
      'HCXMON_ALERT_RULE_ID',
      'is required when HCXMON_ALERT_ENDPOINT is set (the DCR immutable id)',
    );
  }
  const credential = options.credential ?? new DefaultAzureCredential();
  const client = new LogsIngestionClient(alert.endpoint, credential, options.clientOptions);
  return new LogsIngestionSink(client, alert.ruleId, alert.stream);
}
