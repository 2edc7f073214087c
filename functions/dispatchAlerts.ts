import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getRuntime } from '../lib/runtime';

/** Every 5 minutes: drain the alert outbox to Azure Monitor (rows that failed earlier are retried here). */
export async function dispatchAlerts(_timer: Timer, context: InvocationContext): Promise<void> {
  const rt = await getRuntime();
  await rt.completeStalledScans();
  const report = await rt.dispatchAlerts();
  if (report.sent || report.failed || report.skipped || !report.configured) {
    context.log(
      report.configured
        ? `alerts: ${report.sent} sent, ${report.skipped} below threshold, ${report.failed} failed, ${report.remaining} waiting`
        : `alerts: no HCXMON_ALERT_ENDPOINT configured; ${report.remaining} event(s) kept in the outbox`,
    );
  }
}

app.timer('dispatchAlerts', { schedule: '0 */5 * * * *', handler: dispatchAlerts });
