import { DateTime } from 'luxon';
import { SEVERITIES, type Severity } from '../domain/evaluation';
import type { SupportLine } from './ports';
import type { Finding } from '../domain/finding';

/**
 * The fleet dashboard as a pure function of a view model: one self-contained HTML page, inline CSS and SVG, no
 * scripts, no CDN. Everything that came from users or systems (target names, messages) goes through escapeHtml.
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
}

export interface TimelineEvent {
  date: string;
  kind: 'end-of-support' | 'activation-key' | 'deadline' | 'band';
  label: string;
  severity: Severity;
  targetName?: string;
  findingId?: string;
}

export interface DashboardView {
  generatedAt: string;
  baseline: string;
  catalogAsOf: string;
  openBySeverity: Record<Severity, number>;
  unknown: number;
  suppressed: number;
  targets: DashboardTarget[];
  timeline: TimelineEvent[];
  /** Appended to links when the page was opened with a function key in the query. */
  linkQuery?: string;
  /** The finding an alert linked to (`?finding=<id>`), shown first with what to do about it. */
  focus?: FocusedFinding | { missingId: string };
}

export interface FocusedFinding {
  finding: Finding;
  remediation?: string;
}

function focusPanel(view: DashboardView): string {
  const focus = view.focus;
  if (!focus) return '';
  if ('missingId' in focus) {
    return `<section class="focus" id="focus"><h2>Finding</h2><p class="muted">No finding ${escapeHtml(focus.missingId)} is stored (a forgotten target, or a wrong link).</p></section>`;
  }
  const f = focus.finding;
  const status = f.status === 'suppressed' && f.underlyingStatus ? `suppressed (${f.underlyingStatus})` : f.status;
  const row = (k: string, v: string | undefined): string => (v ? `<tr><th>${k}</th><td>${v}</td></tr>` : '');
  return (
    `<section class="focus" id="focus" data-finding-id="${escapeHtml(f.id)}"><h2>Finding: ${escapeHtml(f.title)}</h2>` +
    `<table>` +
    row(
      'severity',
      `<span class="pill" style="background:${COLORS[f.severity]}">${escapeHtml(f.severity)}</span> ${escapeHtml(status)}`,
    ) +
    row(
      'target',
      `<a href="${link(view, 'findings', { target: f.targetId })}">${escapeHtml(f.targetName)}</a> (${escapeHtml(f.targetKind)})`,
    ) +
    row('subject', escapeHtml(f.subjectName)) +
    row('what', escapeHtml(f.message)) +
    row(
      'deadline',
      f.deadline
        ? `${escapeHtml(f.deadline.date)} (${escapeHtml(f.deadline.daysLeft)} days; basis ${escapeHtml(f.deadline.basis)})`
        : undefined,
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
      `<a href="${link(view, `targets/${encodeURIComponent(f.targetId)}/readiness`)}">upgrade gate of ${escapeHtml(f.targetName)}</a>`,
    ) +
    `</table></section>`
  );
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const COLORS: Record<Severity, string> = {
  critical: '#b00020',
  high: '#e65100',
  medium: '#f9a825',
  low: '#0277bd',
  info: '#757575',
};

function link(view: DashboardView, path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  if (view.linkQuery) for (const [k, v] of new URLSearchParams(view.linkQuery)) q.set(k, v);
  const qs = q.toString();
  return escapeHtml(qs ? `${path}?${qs}` : path);
}

function supportCell(t: DashboardTarget): string {
  const s = t.support;
  if (!s) return '<span class="muted">unknown</span>';
  const cls = s.status === 'ended' ? 'bad' : s.status === 'ending' ? 'warn' : s.status === 'supported' ? 'ok' : 'muted';
  const date = s.endOfSupport ? ` — end of support ${escapeHtml(s.endOfSupport)}` : '';
  return `<span class="${cls}">${escapeHtml(s.label)}${date}</span>`;
}

function timelineSvg(view: DashboardView): string {
  const now = DateTime.fromISO(view.generatedAt, { zone: 'utc' }).startOf('day');
  const events = view.timeline
    .map((e) => ({ e, d: DateTime.fromISO(e.date, { zone: 'utc' }) }))
    .filter((x) => x.d.isValid)
    .sort((a, b) => a.d.toMillis() - b.d.toMillis());
  const width = 960;
  const left = 40;
  const right = 40;
  const rowH = 18;
  const start = DateTime.min(now.minus({ days: 30 }), ...events.map((x) => x.d)) ?? now;
  const endCandidate = DateTime.max(now.plus({ days: 365 }), ...events.map((x) => x.d)) ?? now.plus({ days: 365 });
  const end = endCandidate.plus({ days: 15 });
  const span = Math.max(1, end.diff(start, 'days').days);
  const x = (d: DateTime): number => left + ((width - left - right) * d.diff(start, 'days').days) / span;
  const height = 70 + Math.max(1, events.length) * rowH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Deadline timeline" class="timeline" viewBox="0 0 ${width} ${height}" width="100%">`,
  );
  parts.push(`<line x1="${left}" y1="40" x2="${width - right}" y2="40" stroke="#999"/>`);
  // Year ticks
  for (let y = start.startOf('year').plus({ years: 1 }); y < end; y = y.plus({ years: 1 })) {
    parts.push(
      `<line x1="${x(y).toFixed(1)}" y1="34" x2="${x(y).toFixed(1)}" y2="46" stroke="#999"/><text x="${x(y).toFixed(1)}" y="28" font-size="11" text-anchor="middle" fill="#555">${y.year}</text>`,
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
      `<line x1="${bx}" y1="20" x2="${bx}" y2="${height - 5}" stroke="${days === 0 ? '#333' : '#ccc'}" stroke-dasharray="${days === 0 ? '' : '4 3'}"/><text x="${bx}" y="14" font-size="10" text-anchor="middle" fill="#555">${label}</text>`,
    );
  }
  if (events.length === 0) {
    parts.push(`<text x="${width / 2}" y="62" font-size="12" text-anchor="middle" fill="#555">no deadlines</text>`);
  }
  events.forEach(({ e, d }, i) => {
    const ex = x(d);
    const y = 60 + i * rowH;
    const color = COLORS[e.severity];
    const text = `${e.date} ${e.targetName ? `${e.targetName}: ` : ''}${e.label}`;
    // Labels run toward the wider side of the marker so a long one is not cut at the chart's edge.
    const anchor = ex - left > width - right - ex ? 'end' : 'start';
    const tx = anchor === 'end' ? ex - 8 : ex + 8;
    parts.push(
      `<g class="event" data-kind="${escapeHtml(e.kind)}"><line x1="${ex.toFixed(1)}" y1="40" x2="${ex.toFixed(1)}" y2="${y}" stroke="${color}" stroke-opacity="0.4"/>` +
        `<circle cx="${ex.toFixed(1)}" cy="${y}" r="5" fill="${e.kind === 'band' ? '#fff' : color}" stroke="${color}"/>` +
        `<text x="${tx.toFixed(1)}" y="${y + 4}" font-size="11" text-anchor="${anchor}">${escapeHtml(text)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderDashboard(view: DashboardView): string {
  const sevCards = SEVERITIES.map(
    (s) =>
      `<a class="card" href="${link(view, 'findings', { status: 'open', severity: s })}" data-severity="${s}" style="border-top-color:${COLORS[s]}">` +
      `<span class="count" data-testid="count-${s}">${view.openBySeverity[s] ?? 0}</span><span class="label">${s}</span></a>`,
  ).join('');
  const rows = view.targets
    .map((t) => {
      const versionCls = t.belowBaseline === undefined ? 'muted' : t.belowBaseline ? 'warn' : 'ok';
      const counts = SEVERITIES.filter((s) => t.open[s] > 0)
        .map((s) => `<span class="pill" style="background:${COLORS[s]}">${t.open[s]} ${s}</span>`)
        .join(' ');
      return (
        `<tr data-target-id="${escapeHtml(t.id)}"><td class="name"><a href="${link(view, 'findings', { target: t.id })}">${escapeHtml(t.name)}</a><div class="muted small">${escapeHtml(t.kind)}</div></td>` +
        `<td class="${versionCls}">${escapeHtml(t.version ?? 'unknown')}</td>` +
        `<td>${supportCell(t)}</td>` +
        `<td>${counts || '<span class="ok">none open</span>'}${t.unknown ? ` <span class="pill unknown">${t.unknown} unknown</span>` : ''}${t.suppressed ? ` <span class="pill muted-pill">${t.suppressed} suppressed</span>` : ''}</td>` +
        `<td>${t.lastScan ? `${escapeHtml(t.lastScan.status)}<div class="muted small">${escapeHtml(t.lastScan.at ?? '')}</div>` : '<span class="muted">never</span>'}</td>` +
        `<td><a href="${link(view, `targets/${encodeURIComponent(t.id)}/readiness`)}">readiness</a></td></tr>`
      );
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>HCX compliance — fleet</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.muted{color:#777}.small{font-size:12px}.ok{color:#2e7d32}.warn{color:#e65100}.bad{color:#b00020;font-weight:600}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{display:flex;flex-direction:column;align-items:center;min-width:110px;padding:12px;background:#fff;border:1px solid #ddd;border-top:4px solid;border-radius:6px;text-decoration:none;color:inherit}
.count{font-size:28px;font-weight:700}.label{text-transform:uppercase;font-size:11px;letter-spacing:.05em;color:#555}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:8px;border-bottom:1px solid #eee;vertical-align:top}th{font-size:12px;color:#555;text-transform:uppercase}
.pill{display:inline-block;padding:1px 6px;border-radius:9px;color:#fff;font-size:12px;margin:1px}.pill.unknown{background:#6a1b9a}.muted-pill{background:#9e9e9e}
.timeline{background:#fff;border:1px solid #ddd;border-radius:6px}
.focus table th{width:110px}.focus code{font-size:12px;word-break:break-all}
</style></head>
<body>
<h1>HCX compliance — fleet at a glance</h1>
<div class="muted small">Generated ${escapeHtml(view.generatedAt)} · baseline HCX ${escapeHtml(view.baseline)} · lifecycle catalog as of ${escapeHtml(view.catalogAsOf)} · ${view.targets.length} target(s)</div>
${focusPanel(view)}
<h2>Open findings by severity</h2>
<div class="cards" id="severity-counts">${sevCards}
<a class="card" href="${link(view, 'findings', { status: 'unknown' })}" style="border-top-color:#6a1b9a"><span class="count" data-testid="count-unknown">${view.unknown}</span><span class="label">unknown</span></a>
<a class="card" href="${link(view, 'findings', { status: 'suppressed' })}" style="border-top-color:#9e9e9e"><span class="count" data-testid="count-suppressed">${view.suppressed}</span><span class="label">suppressed</span></a></div>
<h2>Targets</h2>
<table id="targets"><thead><tr><th>Target</th><th>HCX version</th><th>Support line</th><th>Open findings</th><th>Last scan</th><th></th></tr></thead>
<tbody>${rows || '<tr><td colspan="6" class="muted">no targets scanned yet</td></tr>'}</tbody></table>
<h2>Deadlines</h2>
${timelineSvg(view)}
<p class="muted small">Filled markers: end of support, activation-key deadlines and other finding deadlines. Hollow markers: the day a deadline enters the 180/90/30-day band (a reminder is sent).</p>
</body></html>`;
}
