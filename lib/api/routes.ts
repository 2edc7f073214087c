import { FINDING_SORT_ALIASES, FINDING_SORTS } from '../findings/urgency';
import type { HandlerName } from './handlers';

/**
 * Every HTTP route, once: functions/http.ts registers exactly these, openapi.ts documents exactly these, and a
 * test checks the registrations the host captured against the OpenAPI document.
 */
export type AuthLevel = 'anonymous' | 'function' | 'admin';
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface QueryParamDoc {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface RouteDef {
  /** Function name (unique in the app). */
  name: string;
  method: Method;
  /** Route template as registered, without the `api/` prefix. */
  route: string;
  authLevel: AuthLevel;
  handler: HandlerName;
  summary: string;
  query?: QueryParamDoc[];
  /** JSON body schema (OpenAPI), for writes. */
  body?: Record<string, unknown>;
  /** Success status and content type. */
  success: { status: number; contentType: 'application/json' | 'text/html' | 'text/csv' | 'none'; schemaRef?: string };
}

const severity = { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'info'] };
const limit = (max: number, def: number) => ({
  name: 'limit',
  description: `Page size (1-${max}).`,
  schema: { type: 'integer', minimum: 1, maximum: max, default: def },
});
const token = { name: 'continuationToken', description: 'Token from the previous page.', schema: { type: 'string' } };

export const ROUTES: readonly RouteDef[] = [
  {
    name: 'httpHealth',
    method: 'GET',
    route: 'health',
    authLevel: 'anonymous',
    handler: 'health',
    summary: 'Liveness; no data.',
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpOpenApi',
    method: 'GET',
    route: 'openapi.json',
    authLevel: 'function',
    handler: 'openapi',
    summary: 'This document.',
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpListFindings',
    method: 'GET',
    route: 'findings',
    authLevel: 'function',
    handler: 'listFindings',
    summary: 'Findings, worst first per page, filtered; JSON pages with continuation tokens, or CSV.',
    query: [
      {
        name: 'status',
        description: 'Comma list of open, resolved, unknown, suppressed, or "all". Default open,unknown,suppressed.',
        schema: { type: 'string' },
      },
      { name: 'severity', description: 'Minimum severity.', schema: severity },
      { name: 'rule', description: 'Rule id.', schema: { type: 'string' } },
      {
        name: 'target',
        description:
          'Target id (ARM id of a private cloud, or connector:<name>) or name; one no scan has stored is refused (400).',
        schema: { type: 'string' },
      },
      {
        name: 'owner',
        description: 'microsoft or customer.',
        schema: { type: 'string', enum: ['microsoft', 'customer'] },
      },
      {
        name: 'dueBefore',
        description: 'Only findings with a deadline before this date (YYYY-MM-DD).',
        schema: { type: 'string', format: 'date' },
      },
      {
        name: 'sort',
        description:
          'Order of the whole filtered list (read up to 50000 rows, then paged; the page then has `total`): urgency ' +
          '(worst target first, then nearest deadline, as the dashboard), deadline (nearest first), severity (worst ' +
          'first), target (by name), rule, first-seen / last-seen (newest first; firstSeen / lastSeen also accepted). ' +
          'Without it: store order (by target), no `total`. Anything else is refused (400).',
        schema: { type: 'string', enum: [...FINDING_SORTS, ...Object.keys(FINDING_SORT_ALIASES)] },
      },
      limit(1000, 100),
      token,
      {
        name: 'format',
        description: 'json (default) or csv (all matching rows; x-continuation-token header past 50000).',
        schema: { type: 'string', enum: ['json', 'csv'] },
      },
    ],
    success: { status: 200, contentType: 'application/json', schemaRef: 'FindingPage' },
  },
  {
    name: 'httpGetFinding',
    method: 'GET',
    route: 'findings/{id}',
    authLevel: 'function',
    handler: 'getFinding',
    summary: 'One finding.',
    success: { status: 200, contentType: 'application/json', schemaRef: 'Finding' },
  },
  {
    name: 'httpListTargets',
    method: 'GET',
    route: 'targets',
    authLevel: 'function',
    handler: 'listTargets',
    summary: 'Every scanned target: version vs baseline, support line, last scan, finding counts; JSON or CSV.',
    query: [
      {
        name: 'format',
        description:
          'json (default: `{ baseline, items, total }`) or csv (the same item fields, nested ones flattened: ' +
          'support_*, lastScan_*, open_<severity>, unknown, suppressed; formula-like cells escaped).',
        schema: { type: 'string', enum: ['json', 'csv'] },
      },
    ],
    success: { status: 200, contentType: 'application/json', schemaRef: 'TargetList' },
  },
  {
    name: 'httpGetTarget',
    method: 'GET',
    route: 'targets/{id}',
    authLevel: 'function',
    handler: 'getTarget',
    summary:
      'One target: latest inventory and version history, the upgrades observed (`upgrades`: both versions, the bracketing scan times, `convergedAt`) and, while the latest has not converged, `upgradeWindow` (its convergence checklist and window end). A private cloud\u2019s scheduled maintenance is `inventory.arm.maintenance`. The id is URL-encoded; the target\u2019s name works too.',
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpTargetReadiness',
    method: 'GET',
    route: 'targets/{id}/readiness',
    authLevel: 'function',
    handler: 'getReadiness',
    summary: 'Upgrade gate: the upgrade guides\u2019 prerequisites as a pass/fail/unknown checklist with evidence.',
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpGetFacts',
    method: 'GET',
    route: 'targets/{id}/facts',
    authLevel: 'function',
    handler: 'getFacts',
    summary: 'Operator-entered facts of a target.',
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpPutFact',
    method: 'PUT',
    route: 'targets/{id}/facts',
    authLevel: 'admin',
    handler: 'putFact',
    summary: 'Set a fact (today: upgradedTo411At, the date the target was upgraded to HCX 4.11.0).',
    body: {
      type: 'object',
      required: ['name', 'value'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', enum: ['upgradedTo411At'] },
        value: { type: 'string', format: 'date' },
        subjectId: { type: 'string' },
        source: { type: 'string' },
        setBy: { type: 'string' },
      },
    },
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpListScans',
    method: 'GET',
    route: 'scans',
    authLevel: 'function',
    handler: 'listScans',
    summary: 'Scans, newest first (each with the `totals` it recorded when it completed, if it did).',
    query: [limit(200, 20), token],
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpGetScan',
    method: 'GET',
    route: 'scans/{id}',
    authLevel: 'function',
    handler: 'getScan',
    summary: 'One scan with its per-target outcomes and the totals it recorded when it completed.',
    success: { status: 200, contentType: 'application/json', schemaRef: 'Scan' },
  },
  {
    name: 'httpStartScan',
    method: 'POST',
    route: 'scans',
    authLevel: 'admin',
    handler: 'startScan',
    summary:
      'Start a scan now (through the scan queue). Optional body: target. Queued scans are stored, so they always run as of now; plan ahead with `hcxmon scan --as-of`.',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        target: { type: 'string' },
        requestedBy: { type: 'string' },
      },
    },
    success: { status: 202, contentType: 'application/json' },
  },
  {
    name: 'httpListRules',
    method: 'GET',
    route: 'rules',
    authLevel: 'function',
    handler: 'listRules',
    summary: 'The rule catalog, and what is deliberately not checked.',
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpListSuppressions',
    method: 'GET',
    route: 'suppressions',
    authLevel: 'function',
    handler: 'listSuppressions',
    summary: 'Suppressions (waivers, mitigations).',
    query: [
      { name: 'rule', description: 'Rule id.', schema: { type: 'string' } },
      {
        name: 'active',
        description: 'true: not expired; false: expired.',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    ],
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpCreateSuppression',
    method: 'POST',
    route: 'suppressions',
    authLevel: 'admin',
    handler: 'createSuppression',
    summary: 'Suppress a rule (optionally for one target / subject) until expiresAt (at most a year).',
    body: {
      type: 'object',
      required: ['ruleId', 'reason', 'category', 'expiresAt'],
      additionalProperties: false,
      properties: {
        ruleId: { type: 'string' },
        targetId: { type: 'string' },
        subjectId: { type: 'string' },
        reason: { type: 'string' },
        category: { type: 'string', enum: ['waiver', 'mitigated'] },
        expiresAt: { type: 'string', format: 'date-time' },
        createdBy: { type: 'string' },
      },
    },
    success: { status: 201, contentType: 'application/json' },
  },
  {
    name: 'httpDeleteSuppression',
    method: 'DELETE',
    route: 'suppressions/{id}',
    authLevel: 'admin',
    handler: 'deleteSuppression',
    summary: 'Remove a suppression.',
    success: { status: 204, contentType: 'none' },
  },
  {
    name: 'httpAlertTest',
    method: 'POST',
    route: 'alerts/test',
    authLevel: 'admin',
    handler: 'alertTest',
    summary: 'Send a test alert event through the alert pipeline.',
    body: { type: 'object', additionalProperties: false, properties: { requestedBy: { type: 'string' } } },
    success: { status: 200, contentType: 'application/json' },
  },
  {
    name: 'httpSummary',
    method: 'GET',
    route: 'summary',
    authLevel: 'function',
    handler: 'summary',
    summary:
      'What needs doing first: open findings by severity, unknown, suppressed, overdue, the next deadline, the worst targets, the two headline sentences the dashboard and `hcxmon findings` print, and `latestScan` (the totals the newest completed scan recorded).',
    success: { status: 200, contentType: 'application/json', schemaRef: 'Summary' },
  },
  {
    name: 'httpDashboard',
    method: 'GET',
    route: 'dashboard',
    authLevel: 'function',
    handler: 'dashboard',
    summary: 'Fleet dashboard (HTML). Alert links add `finding` to show that finding first, with what to do.',
    query: [{ name: 'finding', description: 'A finding id (alert links carry it).', schema: { type: 'string' } }],
    success: { status: 200, contentType: 'text/html' },
  },
  {
    name: 'httpDashboardFindings',
    method: 'GET',
    route: 'dashboard/findings',
    authLevel: 'function',
    handler: 'dashboardFindings',
    summary:
      'Findings as an HTML page: the filters of GET findings plus exact severity, free-text search and sort; each row opens the finding on the dashboard.',
    query: [
      { name: 'status', description: 'As GET findings.', schema: { type: 'string' } },
      { name: 'severity', description: 'A severity (see severityMatch).', schema: severity },
      {
        name: 'severityMatch',
        description: 'min (default): at or above `severity`; exact: only `severity`.',
        schema: { type: 'string', enum: ['min', 'exact'] },
      },
      { name: 'rule', description: 'Rule id (an unknown one is refused).', schema: { type: 'string' } },
      { name: 'target', description: 'Target id or name (as GET findings).', schema: { type: 'string' } },
      {
        name: 'owner',
        description: 'microsoft or customer.',
        schema: { type: 'string', enum: ['microsoft', 'customer'] },
      },
      { name: 'dueBefore', description: 'Deadline before this date.', schema: { type: 'string', format: 'date' } },
      {
        name: 'dueOn',
        description: 'Deadline on this date (the timeline links).',
        schema: { type: 'string', format: 'date' },
      },
      {
        name: 'firstSeenAt',
        description: 'Only findings first seen by the scan of this asOf (what that scan found new).',
        schema: { type: 'string', format: 'date-time' },
      },
      {
        name: 'q',
        description: 'Words in the title, message, target, subject, rule or id.',
        schema: { type: 'string' },
      },
      {
        name: 'sort',
        description:
          'urgency (default: worst target, then nearest deadline), deadline, severity, target, rule, first-seen, last-seen.',
        schema: { type: 'string', enum: [...FINDING_SORTS] },
      },
    ],
    success: { status: 200, contentType: 'text/html' },
  },
  {
    name: 'httpDashboardTarget',
    method: 'GET',
    route: 'dashboard/targets/{id}',
    authLevel: 'function',
    handler: 'dashboardTarget',
    summary:
      'One target as an HTML page: version and support line, version history, findings, facts, readiness; scheduled maintenance (private clouds), the upgrades observed and, during an upgrade window, the live convergence checklist.',
    success: { status: 200, contentType: 'text/html' },
  },
  {
    name: 'httpDashboardReadiness',
    method: 'GET',
    route: 'dashboard/targets/{id}/readiness',
    authLevel: 'function',
    handler: 'dashboardReadiness',
    summary: 'The upgrade gate of one target as an HTML page (checks, and the version checks beside them).',
    success: { status: 200, contentType: 'text/html' },
  },
  {
    name: 'httpDashboardTrend',
    method: 'GET',
    route: 'dashboard/trend',
    authLevel: 'function',
    handler: 'dashboardTrend',
    summary:
      'The last 30 scans as an HTML page: per-scan totals (open, unknown, suppressed, resolved) and what each found new that is still open.',
    success: { status: 200, contentType: 'text/html' },
  },
];
