import { DateTime } from 'luxon';
import { SEVERITIES, type Severity } from '../domain/evaluation';
import type { Finding } from '../domain/finding';
import { daysUntil, dueText, headlines, type FleetSummary } from '../findings/urgency';
import {
  COLORS,
  escapeHtml,
  href,
  page,
  pagePath,
  severityPill,
  statusPill,
  SUPPRESSED_BG,
  table,
  UNKNOWN_BG,
  type LinkContext,
} from './html';
import type { SupportLine } from './ports';

export { escapeHtml } from './html';

/**
 * The fleet dashboard as a pure function of a view model: what needs doing first (next deadline, worst target), the
 * open findings by severity, the targets worst first, the deadlines. Every link opens another page of the dashboard,
 * never raw JSON.
 */

export interface DashboardTarget {
  id: string;
  name: string;
  kind: string;
  version?: string;
  /** undefined when the version is unknown. */
  belowBaseline?: boolean;
  support?: SupportLine;
  lastScan?: { status: string; at?: string };
  open: Record<Severity, number>;
  unknown: number;
  suppressed: number;
  /** The target's nearest deadline that has not passed, and how many have. */
  nextDeadline?: { date: string; daysLeft: number };
  overdue?: number;
}

export interface TimelineEvent {
  date: string;
  kind: 'end-of-support' | 'activation-key' | 'deadline' | 'band';
  label: string;
  severity: Severity;
  targetName?: string;
  findingId?: string;
  ruleId?: string;
  /** The finding's deadline (for a band event, the deadline whose band it enters). */
  dueDate?: string;
}

export interface DashboardView {
  generatedAt: string;
  baseline: string;
  catalogAsOf: string;
  openBySeverity: Record<Severity, number>;
  unknown: number;
  suppressed: number;
  /** Worst first. */
  targets: DashboardTarget[];
  timeline: TimelineEvent[];
  /** The next-deadline and worst-target lines; absent when nothing was summarised. */
  summary?: FleetSummary;
  /** What the latest scan found that no scan had before (still open or unknown). */
  latestScan?: { scanId: string; asOf: string; newFindings: number; targetFilter?: string };
  /** Appended to links when the page was opened with a function key in the query. */
  linkQuery?: string;
  /** The finding an alert linked to (`?finding=<id>`), shown first with what to do about it. */
  focus?: FocusedFinding | { missingId: string };
}

export interface FocusedFinding {
  finding: Finding;
  remediation?: string;
}

/** A deadline with its days left (or overdue) counted from `asOf`. */
/** `unknown`: the check could not be made, so a missing deadline is "not known", never "none" (nothing due). */
export function deadlineCell(deadline: Finding['deadline'], asOf: DateTime, unknown = false): string {
  if (!deadline) return unknown ? 'not known' : '<span class="muted">none</span>';
  const days = daysUntil(deadline.date, asOf);
  const cls = days < 0 ? 'bad' : days <= 30 ? 'warn' : '';
  return `${escapeHtml(deadline.date)} <span class="${cls} due" data-days="${days}">(${escapeHtml(dueText(days))})</span>`;
}

export function findingStatusText(f: Finding): string {
  return f.status === 'suppressed' && f.underlyingStatus ? `suppressed (${f.underlyingStatus})` : f.status;
}

function focusPanel(view: DashboardView, ctx: LinkContext): string {
  const focus = view.focus;
  if (!focus) return '';
  if ('missingId' in focus) {
    return `<section class="focus" id="focus"><h2>Finding</h2><p class="muted">No finding ${escapeHtml(focus.missingId)} is stored (a forgotten target, or a wrong link).</p></section>`;
  }
  const f = focus.finding;
  const asOf = DateTime.fromISO(view.generatedAt, { zone: 'utc' });
  const row = (k: string, v: string | undefined): string =>
    v ? `<tr><th scope="row">${k}</th><td>${v}</td></tr>` : '';
  return (
    `<section class="focus" id="focus" data-finding-id="${escapeHtml(f.id)}"><h2>Finding: ${escapeHtml(f.title)}</h2>` +
    `<table class="kv"><caption class="sr">Finding details</caption>` +
    row('severity', `${severityPill(f.severity)} ${statusPill(f.status, findingStatusText(f))}`) +
    row(
      'target',
      `<a href="${href(ctx, pagePath.target(f.targetId))}">${escapeHtml(f.targetName)}</a> (${escapeHtml(f.targetKind)})`,
    ) +
    row('rule', `<a href="${href(ctx, pagePath.findings, { rule: f.ruleId })}">${escapeHtml(f.ruleId)}</a>`) +
    row('subject', escapeHtml(f.subjectName)) +
    row('what', escapeHtml(f.message)) +
    row(
      'deadline',
      f.deadline ? `${deadlineCell(f.deadline, asOf)}; basis ${escapeHtml(f.deadline.basis)}` : undefined,
    ) +
    row('owner', escapeHtml(f.owner)) +
    row('what to do', focus.remediation ? escapeHtml(focus.remediation) : undefined) +
    row(
      'seen',
      `first ${escapeHtml(f.firstSeenAt)}, last ${escapeHtml(f.lastSeenAt)}${f.reopenCount ? `, reopened ${escapeHtml(f.reopenCount)}×` : ''}`,
    ) +
    row('evidence', `<code>${escapeHtml(JSON.stringify(f.evidence))}</code>`) +
    row(
      'readiness',
      `<a href="${href(ctx, pagePath.readiness(f.targetId))}">upgrade gate of ${escapeHtml(f.targetName)}</a>`,
    ) +
    `</table></section>`
  );
}

/** The support line in words (the status is said, not only coloured). */
export function supportText(s: SupportLine | undefined): string {
  if (!s) return '<span class="muted">unknown</span>';
  const cls = s.status === 'ended' ? 'bad' : s.status === 'ending' ? 'warn' : s.status === 'supported' ? 'ok' : 'muted';
  const date = s.endOfSupport ? ` — end of support ${escapeHtml(s.endOfSupport)}` : '';
  return `<span class="${cls}">${escapeHtml(s.label)}${date} (${escapeHtml(s.status)})</span>`;
}

export function versionText(version: string | undefined, belowBaseline: boolean | undefined): string {
  if (version === undefined) return '<span class="muted">unknown</span>';
  if (belowBaseline === undefined) return `<span class="muted">${escapeHtml(version)}</span>`;
  return belowBaseline
    ? `<span class="warn">${escapeHtml(version)} (below baseline)</span>`
    : `<span class="ok">${escapeHtml(version)} (at or above baseline)</span>`;
}

export interface TimelineGroup {
  date: string;
  kind: TimelineEvent['kind'];
  label: string;
  severity: Severity;
  targets: string[];
  findingIds: string[];
  ruleId?: string;
  dueDate?: string;
}

/**
 * Events on the same day for the same rule and label become one group ("26 targets: …"), so a fleet on one old version
 * draws one marker, not 26 overlapping ones.
 */
export function groupTimeline(events: readonly TimelineEvent[]): TimelineGroup[] {
  const groups = new Map<string, TimelineGroup>();
  for (const e of events) {
    const key = `${e.date}|${e.kind}|${e.ruleId ?? ''}|${e.label}`;
    let g = groups.get(key);
    if (!g) {
      g = { date: e.date, kind: e.kind, label: e.label, severity: e.severity, targets: [], findingIds: [] };
      if (e.ruleId) g.ruleId = e.ruleId;
      if (e.dueDate) g.dueDate = e.dueDate;
      groups.set(key, g);
    }
    if (e.targetName && !g.targets.includes(e.targetName)) g.targets.push(e.targetName);
    if (e.findingId) g.findingIds.push(e.findingId);
  }
  return [...groups.values()].sort(
    (a, b) => a.date.localeCompare(b.date) || (a.kind === 'band' ? 1 : 0) - (b.kind === 'band' ? 1 : 0),
  );
}

function groupText(g: TimelineGroup): string {
  const who =
    g.targets.length > 1 ? `${g.targets.length} targets: ` : g.targets.length === 1 ? `${g.targets[0]}: ` : '';
  return `${who}${g.label}`;
}

/** Where a group's findings are listed: the finding itself when it is one, else the findings page for that day. */
function groupLink(ctx: LinkContext, g: TimelineGroup): string {
  if (g.findingIds.length === 1) return `${href(ctx, pagePath.fleet, { finding: g.findingIds[0] })}#focus`;
  return href(ctx, pagePath.findings, {
    rule: g.ruleId,
    dueOn: g.dueDate ?? g.date,
    sort: 'target',
    status: 'open,unknown',
  });
}

/** The chart draws at most this many groups; the list below it has them all. */
const CHART_ROWS = 40;

function timelineSvg(view: DashboardView, ctx: LinkContext, groups: TimelineGroup[]): string {
  const now = DateTime.fromISO(view.generatedAt, { zone: 'utc' }).startOf('day');
  const dated = groups
    .map((g) => ({ g, d: DateTime.fromISO(g.date, { zone: 'utc' }) }))
    .filter((x) => x.d.isValid)
    .slice(0, CHART_ROWS);
  const width = 960;
  const left = 110;
  const right = 40;
  const rowH = 18;
  // The axis starts 30 days back whatever has passed: deadlines long gone sit in their own lane at the left and never
  // squeeze the ones still ahead.
  const start = now.minus({ days: 30 });
  const future = dated.filter((x) => x.d >= start).map((x) => x.d);
  const end = (DateTime.max(now.plus({ days: 365 }), ...future) ?? now.plus({ days: 365 })).plus({ days: 15 });
  const span = Math.max(1, end.diff(start, 'days').days);
  const x = (d: DateTime): number => left + ((width - left - right) * d.diff(start, 'days').days) / span;
  const passedX = 40;
  const height = 70 + Math.max(1, dated.length) * rowH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Deadline timeline; the same deadlines are listed in the table below" class="timeline" viewBox="0 0 ${width} ${height}" width="100%">`,
  );
  parts.push(`<line x1="${left}" y1="40" x2="${width - right}" y2="40" stroke="#999"/>`);
  parts.push(
    `<text x="${passedX}" y="28" font-size="11" text-anchor="middle" fill="#444">passed</text><line x1="${passedX}" y1="34" x2="${passedX}" y2="${height - 5}" stroke="#b00020" stroke-dasharray="2 3"/>`,
  );
  for (let y = start.startOf('year').plus({ years: 1 }); y < end; y = y.plus({ years: 1 })) {
    parts.push(
      `<line x1="${x(y).toFixed(1)}" y1="34" x2="${x(y).toFixed(1)}" y2="46" stroke="#999"/><text x="${x(y).toFixed(1)}" y="28" font-size="11" text-anchor="middle" fill="#444">${y.year}</text>`,
    );
  }
  // Today and the band edges (30/90/180 days from today): a deadline left of a line is in that band.
  const bands: [number, string][] = [
    [0, 'today'],
    [30, '30 d'],
    [90, '90 d'],
    [180, '180 d'],
  ];
  for (const [days, label] of bands) {
    const bx = x(now.plus({ days })).toFixed(1);
    parts.push(
      `<line data-band="${days}" x1="${bx}" y1="20" x2="${bx}" y2="${height - 5}" stroke="${days === 0 ? '#333' : '#ccc'}" stroke-dasharray="${days === 0 ? '' : '4 3'}"/><text x="${bx}" y="14" font-size="10" text-anchor="middle" fill="#444">${label}</text>`,
    );
  }
  if (dated.length === 0) {
    parts.push(`<text x="${width / 2}" y="62" font-size="12" text-anchor="middle" fill="#444">no deadlines</text>`);
  }
  dated.forEach(({ g, d }, i) => {
    const passed = d < start;
    const ex = passed ? passedX : x(d);
    const y = 60 + i * rowH;
    const color = COLORS[g.severity].bg;
    const text = `${g.date} ${groupText(g)}`;
    // Labels run toward the wider side of the marker so a long one is not cut at the chart's edge.
    const anchor = ex - left > width - right - ex ? 'end' : 'start';
    const tx = anchor === 'end' ? ex - 8 : ex + 8;
    parts.push(
      `<a href="${groupLink(ctx, g)}"><g class="event" data-kind="${escapeHtml(g.kind)}" data-date="${escapeHtml(g.date)}"><line x1="${ex.toFixed(1)}" y1="40" x2="${ex.toFixed(1)}" y2="${y}" stroke="${color}" stroke-opacity="0.4"/>` +
        `<circle cx="${ex.toFixed(1)}" cy="${y}" r="5" fill="${g.kind === 'band' ? '#fff' : color}" stroke="${color}"/>` +
        `<text x="${tx.toFixed(1)}" y="${y + 4}" font-size="12" text-anchor="${anchor}" fill="#1a1a1a">${escapeHtml(text)}</text></g></a>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The timeline as text: what a screen reader reads, and what a phone shows instead of the chart. */
function timelineTable(view: DashboardView, ctx: LinkContext, groups: TimelineGroup[]): string {
  const asOf = DateTime.fromISO(view.generatedAt, { zone: 'utc' });
  const rows = groups.map((g) => ({
    attrs: `data-date="${escapeHtml(g.date)}"`,
    cells: [
      `${escapeHtml(g.date)} <span class="due">(${escapeHtml(dueText(daysUntil(g.date, asOf)))})</span>`,
      `<a href="${groupLink(ctx, g)}">${escapeHtml(groupText(g))}</a>`,
      g.kind === 'band' ? 'reminder (band change)' : escapeHtml(g.kind),
      severityPill(g.severity),
    ],
  }));
  return table(
    'deadlines',
    'Deadlines by date, grouped by rule (each opens its findings)',
    [{ label: 'Date' }, { label: 'What' }, { label: 'Kind' }, { label: 'Severity' }],
    rows,
    'no deadlines',
  );
}

function card(opts: {
  count: number;
  label: string;
  testId: string;
  color: string;
  link: string;
  aria: string;
}): string {
  return (
    `<a class="card" href="${opts.link}" style="border-top-color:${opts.color}" aria-label="${escapeHtml(opts.aria)}">` +
    `<span class="count" data-testid="${opts.testId}">${opts.count}</span><span class="label">${escapeHtml(opts.label)}</span></a>`
  );
}

function newLine(view: DashboardView, ctx: LinkContext): string {
  const l = view.latestScan;
  if (!l) return '';
  const what =
    l.newFindings > 0
      ? `<a href="${href(ctx, pagePath.findings, { firstSeenAt: l.asOf, status: 'open,unknown', sort: 'urgency' })}">${l.newFindings} new finding(s)</a>`
      : 'no new findings';
  return `<p data-testid="new-since">New since the previous scan: ${what} in the latest scan (${escapeHtml(l.asOf)}${l.targetFilter ? `, only ${escapeHtml(l.targetFilter)}` : ''}) · <a href="${href(ctx, pagePath.trend)}">trend of the last 30 scans</a></p>`;
}

export function renderDashboard(view: DashboardView): string {
  const ctx: LinkContext = { up: '', linkQuery: view.linkQuery };
  // Each card counts exactly one severity among open findings, and its link asks for exactly that (severityMatch).
  const sevCards = SEVERITIES.map((s) =>
    card({
      count: view.openBySeverity[s] ?? 0,
      label: s,
      testId: `count-${s}`,
      color: COLORS[s].bg,
      link: href(ctx, pagePath.findings, { status: 'open', severity: s, severityMatch: 'exact' }),
      aria: `${view.openBySeverity[s] ?? 0} open findings of severity exactly ${s}`,
    }),
  ).join('');
  const rows = view.targets.map((t) => {
    const counts = SEVERITIES.filter((s) => t.open[s] > 0)
      .map((s) => severityPill(s, `${t.open[s]} ${s}`))
      .join(' ');
    const extra =
      (t.unknown ? ` ${statusPill('unknown', `${t.unknown} unknown`)}` : '') +
      (t.suppressed ? ` ${statusPill('suppressed', `${t.suppressed} suppressed`)}` : '');
    const next = t.nextDeadline
      ? `${escapeHtml(t.nextDeadline.date)} <span class="due">(${escapeHtml(dueText(t.nextDeadline.daysLeft))})</span>`
      : '<span class="muted">none ahead</span>';
    const overdue = t.overdue ? `<div class="bad small">${t.overdue} overdue</div>` : '';
    return {
      attrs: `data-target-id="${escapeHtml(t.id)}"`,
      cells: [
        `<a href="${href(ctx, pagePath.target(t.id))}">${escapeHtml(t.name)}</a><div class="muted small">${escapeHtml(t.kind)}</div>`,
        versionText(t.version, t.belowBaseline),
        supportText(t.support),
        `${counts || '<span class="ok">none open</span>'}${extra}`,
        `${next}${overdue}`,
        t.lastScan
          ? `${escapeHtml(t.lastScan.status)}<div class="muted small">${escapeHtml(t.lastScan.at ?? '')}</div>`
          : '<span class="muted">never</span>',
        `<a href="${href(ctx, pagePath.findings, { target: t.id })}">findings</a> · <a href="${href(ctx, pagePath.readiness(t.id))}">readiness</a>`,
      ],
    };
  });
  const lines = view.summary ? headlines(view.summary) : undefined;
  const groups = groupTimeline(view.timeline);
  const body = `<h1>HCX compliance — fleet at a glance</h1>
<div class="muted small">Generated ${escapeHtml(view.generatedAt)} · baseline HCX ${escapeHtml(view.baseline)} · lifecycle catalog as of ${escapeHtml(view.catalogAsOf)} · ${view.targets.length} target(s)</div>
${lines ? `<section class="headlines" aria-label="What needs doing first"><p data-testid="next-deadline">${escapeHtml(lines.nextDeadline)}</p><p data-testid="worst-target">${escapeHtml(lines.worstTarget)}</p>${newLine(view, ctx)}</section>` : ''}
${focusPanel(view, ctx)}
<h2>Open findings by severity</h2>
<div class="cards" id="severity-counts">${sevCards}
${card({ count: view.unknown, label: 'unknown', testId: 'count-unknown', color: UNKNOWN_BG, link: href(ctx, pagePath.findings, { status: 'unknown' }), aria: `${view.unknown} unknown findings` })}
${card({ count: view.suppressed, label: 'suppressed', testId: 'count-suppressed', color: SUPPRESSED_BG, link: href(ctx, pagePath.findings, { status: 'suppressed' }), aria: `${view.suppressed} suppressed findings` })}</div>
<h2>Targets</h2>
${table(
  'targets',
  'Targets, worst first (most severe open findings, then the nearest deadline)',
  [
    { label: 'Target' },
    { label: 'HCX version' },
    { label: 'Support line' },
    { label: 'Open findings' },
    { label: 'Next deadline' },
    { label: 'Last scan' },
    { label: 'Pages', hidden: true },
  ],
  rows,
  'no targets scanned yet',
)}
<h2>Deadlines</h2>
${timelineSvg(view, ctx, groups)}
<p class="muted small chart-note">Filled markers: end of support, activation-key deadlines and other finding deadlines. Hollow markers: the day a deadline enters the 180/90/30-day band (a reminder is sent). Deadlines already passed sit in the “passed” lane.</p>
${timelineTable(view, ctx, groups)}`;
  return page({ title: 'HCX compliance — fleet', ctx, body });
}
