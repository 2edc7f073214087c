import type { AlertEvent } from '../domain/alert';
import { severityAtLeast, type Severity } from '../domain/evaluation';
import type { AlertRow } from './types';

/** The custom table's string columns hold up to 32 KiB; a page only needs the gist, the link has the rest. */
const MAX_MESSAGE_CHARS = 4000;

/** Event value of the dead-man's-switch heartbeat row (infra's scan-missed alert looks for it). */
export const SCAN_COMPLETED_EVENT = 'scan-completed';

/**
 * Does this event reach on-call? Below the threshold nothing pages. A `resolved` event always goes: it only
 * closes what an opening paged, and one for a finding that never paged is harmless (the alert fires only while
 * the latest row of a finding is not `resolved`), whereas dropping it could leave a page open forever when the
 * finding's severity fell before it resolved. Test events exist to page.
 */
export function shouldPage(event: AlertEvent, minSeverity: Severity): boolean {
  if (event.event === 'resolved' || event.event === 'test') return true;
  return severityAtLeast(event.severity, minSeverity);
}

/**
 * A link to the finding on the dashboard, or '' when no dashboard URL is configured. A function key (`code`, in any
 * case: the Functions host, on ASP.NET Core, looks query names up without regard to case) in the configured URL is dropped: alerts
 * travel through e-mail, SMS and webhooks, and a key there is a key leaked. A person opens the link by signing in
 * (App Service Authentication).
 */
export function dashboardLink(dashboardUrl: string | undefined, findingId?: string): string {
  if (!dashboardUrl) return '';
  try {
    const url = new URL(dashboardUrl);
    for (const name of [...new Set(url.searchParams.keys())])
      if (name.toLowerCase() === 'code') url.searchParams.delete(name);
    if (findingId !== undefined) url.searchParams.set('finding', findingId);
    return url.toString();
  } catch {
    return '';
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function toAlertRow(event: AlertEvent, dashboardUrl?: string): AlertRow {
  return {
    TimeGenerated: event.createdAt,
    FindingId: event.findingId,
    RuleId: event.ruleId,
    Severity: event.severity,
    Event: event.event,
    Target: event.targetName || event.targetId,
    Subject: event.subjectName || event.subjectId,
    FindingTitle: event.title,
    Message: clip(event.message, MAX_MESSAGE_CHARS),
    Deadline: event.deadline ?? '',
    Owner: event.owner,
    // An event about no finding (an observed upgrade) links to the dashboard itself.
    DashboardLink: dashboardLink(dashboardUrl, event.findingId || undefined),
  };
}

export interface ScanCompletedInfo {
  scanId: string;
  completedAt: string;
  targets: number;
  /** Targets whose collection failed (their findings are `unknown`). */
  failedTargets?: number;
}

/** The heartbeat row infra's dead-man's switch counts: no such row in 26 h pages on-call. */
export function scanCompletedRow(info: ScanCompletedInfo, dashboardUrl?: string): AlertRow {
  const failed = info.failedTargets ?? 0;
  return {
    TimeGenerated: info.completedAt,
    FindingId: '',
    RuleId: '',
    Severity: 'info',
    Event: SCAN_COMPLETED_EVENT,
    Target: '',
    Subject: info.scanId,
    FindingTitle: 'Scan completed',
    Message: `Scan ${info.scanId} completed: ${info.targets} target(s), ${failed} not collected.`,
    Deadline: '',
    Owner: '',
    DashboardLink: dashboardLink(dashboardUrl),
  };
}
