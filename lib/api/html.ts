import type { Severity } from '../domain/evaluation';

/**
 * What every HTML page of the dashboard shares: escaping, the palette, the page frame and accessible tables. Pages
 * are pure functions of a view model: no scripts (the CSP forbids them), no CDN, inline CSS. Everything that came
 * from users or systems goes through escapeHtml.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Pill colours with their text colour: every pair reaches WCAG 2.x AA for normal text (4.5:1; “Understanding Success
 * Criterion 1.4.3: Contrast (Minimum)”, https://www.w3.org/WAI/WCAG21/Understanding/contrast-minimum.html). The
 * browser test measures every text on every page, so a new colour that fails is caught.
 */
export const COLORS: Record<Severity, { bg: string; fg: string }> = {
  critical: { bg: '#b00020', fg: '#fff' },
  high: { bg: '#b33c00', fg: '#fff' },
  medium: { bg: '#f9a825', fg: '#1a1a1a' },
  low: { bg: '#01579b', fg: '#fff' },
  info: { bg: '#616161', fg: '#fff' },
};
export const UNKNOWN_BG = '#6a1b9a';
export const SUPPRESSED_BG = '#455a64';

/** A severity as a pill: the word is always there, the colour only repeats it. */
export function severityPill(s: Severity, text: string = s): string {
  const c = COLORS[s];
  return `<span class="pill" style="background:${c.bg};color:${c.fg}">${escapeHtml(text)}</span>`;
}

export function statusPill(status: string, text: string = status): string {
  const bg =
    status === 'unknown'
      ? UNKNOWN_BG
      : status === 'suppressed'
        ? SUPPRESSED_BG
        : status === 'open' || status === 'fail' || status === 'blocked'
          ? COLORS.critical.bg
          : status === 'pass' || status === 'ready' || status === 'resolved'
            ? '#1b5e20'
            : '#424242';
  return `<span class="pill status" style="background:${bg};color:#fff">${escapeHtml(text)}</span>`;
}

/**
 * Links are relative so the pages work behind any host and prefix; `up` climbs from the page's own path to `api/`
 * (an ARM id in a path is one URL-encoded segment). A function key the page was opened with rides along (`code`).
 */
export interface LinkContext {
  up: string;
  linkQuery?: string;
}

export function href(ctx: LinkContext, path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  if (ctx.linkQuery) for (const [k, v] of new URLSearchParams(ctx.linkQuery)) q.set(k, v);
  const qs = q.toString();
  return escapeHtml(`${ctx.up}${path}${qs ? `?${qs}` : ''}`);
}

export const pagePath = {
  fleet: 'dashboard',
  findings: 'dashboard/findings',
  trend: 'dashboard/trend',
  target: (id: string) => `dashboard/targets/${encodeURIComponent(id)}`,
  readiness: (id: string) => `dashboard/targets/${encodeURIComponent(id)}/readiness`,
};

export interface Column {
  label: string;
  /** Rendered as a visually hidden header (an actions column still needs a name for screen readers). */
  hidden?: boolean;
}

export interface Row {
  /** Already-escaped HTML per cell; the first cell is the row header. */
  cells: string[];
  attrs?: string;
}

/**
 * A table with a caption, column headers with scope and row headers; below 700 px wide each row becomes a card whose
 * cells carry their column name (data-label), so a phone never scrolls sideways.
 */
export function table(id: string, caption: string, columns: Column[], rows: Row[], empty: string): string {
  const head = columns
    .map(
      (c) =>
        `<th scope="col"${c.hidden ? ' class="sr"' : ''}>${c.hidden ? `<span class="sr">${escapeHtml(c.label)}</span>` : escapeHtml(c.label)}</th>`,
    )
    .join('');
  const body = rows.length
    ? rows
        .map(
          (r) =>
            `<tr${r.attrs ? ` ${r.attrs}` : ''}>` +
            r.cells
              .map((cell, i) => {
                const label = escapeHtml(columns[i]?.label ?? '');
                return i === 0
                  ? `<th scope="row" class="name" data-label="${label}">${cell}</th>`
                  : `<td data-label="${label}">${cell}</td>`;
              })
              .join('') +
            '</tr>',
        )
        .join('')
    : `<tr><td colspan="${columns.length}" class="muted">${escapeHtml(empty)}</td></tr>`;
  return `<table id="${escapeHtml(id)}" class="stack"><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fafafa;overflow-wrap:anywhere}
main{padding:16px 24px 32px;max-width:1400px}
header.top{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:baseline;padding:10px 24px;background:#fff;border-bottom:1px solid #ddd}
header.top a{color:#0b57d0}header.top .brand{font-weight:700;color:#1a1a1a;text-decoration:none}
a{color:#0b57d0}
h1{font-size:20px;margin:8px 0 4px}h2{font-size:16px;margin:28px 0 8px}
.muted{color:#595959}.small{font-size:12px}.ok{color:#1b5e20}.warn{color:#a84300}.bad{color:#b00020;font-weight:600}
.headlines{margin:12px 0;padding:10px 14px;background:#fff;border:1px solid #ddd;border-left:4px solid #b00020;border-radius:6px}
.headlines p{margin:2px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{display:flex;flex-direction:column;align-items:center;min-width:104px;padding:10px 12px;background:#fff;border:1px solid #ddd;border-top:4px solid;border-radius:6px;text-decoration:none;color:inherit}
.count{font-size:28px;font-weight:700}.label{text-transform:uppercase;font-size:11px;letter-spacing:.05em;color:#444}
table{border-collapse:collapse;width:100%;background:#fff}caption{text-align:left;font-size:12px;color:#444;padding:4px 0}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid #eee;vertical-align:top}thead th{font-size:12px;color:#444;text-transform:uppercase}
tbody th{font-weight:400}
.pill{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;margin:1px;white-space:nowrap}
.timeline{background:#fff;border:1px solid #ddd;border-radius:6px}
.focus{background:#fff;border:1px solid #ddd;border-radius:6px;padding:4px 12px 8px}
.kv th{width:130px;color:#444}code{font-size:12px;overflow-wrap:anywhere}
form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#444;max-width:100%}
form.filters select,form.filters input{font:inherit;max-width:100%;padding:3px}
button{font:inherit;padding:4px 12px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:700px){
main{padding:12px}header.top{padding:8px 12px}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack,table.stack caption,table.stack tbody,table.stack tr,table.stack th,table.stack td{display:block;width:100%}
table.stack tr{border-bottom:2px solid #ddd;padding:4px 0}
table.stack td,table.stack tbody th{border:0;padding:3px 8px}
table.stack td[data-label]::before,table.stack tbody th[data-label]::before{content:attr(data-label) ": ";font-size:12px;color:#444}
.card{min-width:84px}
/* The chart's text would shrink below reading size: the table below it says the same. */
svg.timeline,.chart-note{display:none}
}`;

export function page(opts: { title: string; ctx: LinkContext; body: string }): string {
  const nav =
    `<header class="top"><a class="brand" href="${href(opts.ctx, pagePath.fleet)}">HCX compliance</a>` +
    `<nav aria-label="Pages"><a href="${href(opts.ctx, pagePath.fleet)}">Fleet</a> · ` +
    `<a href="${href(opts.ctx, pagePath.findings)}">Findings</a> · ` +
    `<a href="${href(opts.ctx, pagePath.trend)}">Trend</a></nav></header>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<style>${CSS}</style></head>
<body>${nav}<main>
${opts.body}
</main></body></html>`;
}

/** Headers of every HTML page: no scripts at all, inline styles only. */
export const HTML_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'",
  'x-content-type-options': 'nosniff',
  // Links carry the key (?code=) when the page was opened with one: not cached, and not sent on as a Referer.
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};
