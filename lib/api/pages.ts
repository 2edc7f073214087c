import { DateTime } from 'luxon';
import { renderUpgradeSection, type UpgradeView } from '../upgrade/page';
import { SEVERITIES, type RuleMeta, type Severity } from '../domain/evaluation';
import type { Fact, Finding, FindingStatus, VersionObservation } from '../domain/finding';
import { FINDING_SORTS, type FindingSort } from '../findings/urgency';
import { deadlineCell, findingStatusText, supportText, versionText } from './dashboard';
import { escapeHtml, href, page, pagePath, severityPill, statusPill, table, type LinkContext, type Row } from './html';
import type { SupportLine } from './ports';
import type { Readiness, ReadinessCheck } from './readiness';

/**
 * The dashboard's working pages: the findings list (filters, search, sort; each row opens the finding's panel on the
 * fleet page), one target (versions, history, findings, facts, readiness) and its upgrade gate. Pure functions of
 * their view models, like the fleet page.
 */

export interface FindingsPageFilters {
  statuses: FindingStatus[];
  severity?: Severity;
  severityMatch: 'min' | 'exact';
  owner?: string;
  rule?: string;
  target?: string;
  dueBefore?: string;
  /** Only findings due that day (the timeline's links). */
  dueOn?: string;
  /** Only findings first seen by the scan of this asOf (what it found new). */
  firstSeenAt?: string;
  q?: string;
  sort: FindingSort;
}

export interface FindingsPageView {
  asOf: DateTime;
  ctx: LinkContext;
  filters: FindingsPageFilters;
  /** Every matching finding, already sorted. */
  findings: Finding[];
  /** Only this many rows are drawn; the caption says so. */
  shown: number;
  /** The store had more than the page reads: the count is a lower bound. */
  truncated: boolean;
  rules: readonly Pick<RuleMeta, 'id' | 'title'>[];
  targets: { id: string; name: string }[];
}

const STATUS_CHOICES: { value: string; label: string }[] = [
  { value: 'open,unknown,suppressed', label: 'open, unknown, suppressed' },
  { value: 'open', label: 'open' },
  { value: 'unknown', label: 'unknown' },
  { value: 'suppressed', label: 'suppressed' },
  { value: 'resolved', label: 'resolved' },
  { value: 'all', label: 'all' },
];

const SORT_LABELS: Record<FindingSort, string> = {
  urgency: 'urgency (worst target, then nearest deadline)',
  deadline: 'deadline (earliest first)',
  severity: 'severity (worst first)',
  target: 'target name',
  rule: 'rule id',
  'first-seen': 'first seen (newest first)',
  'last-seen': 'last seen (newest first)',
};

/** "any" and then each value as its own label. */
function anyOf(values: readonly string[]): { value: string; label: string }[] {
  return [{ value: '', label: 'any' }, ...values.map((v) => ({ value: v, label: v }))];
}

function select(name: string, label: string, options: { value: string; label: string }[], current: string): string {
  const opts = options
    .map(
      (o) =>
        `<option value="${escapeHtml(o.value)}"${o.value === current ? ' selected' : ''}>${escapeHtml(o.label)}</option>`,
    )
    .join('');
  return `<label>${escapeHtml(label)}<select name="${name}">${opts}</select></label>`;
}

export function findingRows(ctx: LinkContext, asOf: DateTime, findings: Finding[], withTarget = true): Row[] {
  return findings.map((f) => ({
    attrs: `data-finding-id="${escapeHtml(f.id)}" data-severity="${f.severity}"`,
    cells: [
      `<a href="${href(ctx, pagePath.fleet, { finding: f.id })}#focus">${escapeHtml(f.title)}</a><div class="muted small">${escapeHtml(f.ruleId)}</div>`,
      severityPill(f.severity),
      statusPill(f.status, findingStatusText(f)),
      ...(withTarget ? [`<a href="${href(ctx, pagePath.target(f.targetId))}">${escapeHtml(f.targetName)}</a>`] : []),
      escapeHtml(f.subjectName),
      deadlineCell(f.deadline, asOf, f.status === 'unknown' || f.underlyingStatus === 'unknown'),
      escapeHtml(f.owner),
    ],
  }));
}

export function findingColumns(withTarget = true) {
  return [
    { label: 'Finding' },
    { label: 'Severity' },
    { label: 'Status' },
    ...(withTarget ? [{ label: 'Target' }] : []),
    { label: 'Subject' },
    { label: 'Deadline' },
    { label: 'Owner' },
  ];
}

export function renderFindingsPage(view: FindingsPageView): string {
  const f = view.filters;
  const statusValue =
    STATUS_CHOICES.find((c) => c.value.split(',').sort().join(',') === [...f.statuses].sort().join(','))?.value ??
    (f.statuses.length === 4 ? 'all' : f.statuses.join(','));
  const form =
    `<form class="filters" method="get" action="${href({ up: view.ctx.up }, pagePath.findings)}" role="search">` +
    (view.ctx.linkQuery
      ? [...new URLSearchParams(view.ctx.linkQuery)]
          .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
          .join('')
      : '') +
    `<label>Search<input type="search" name="q" value="${escapeHtml(f.q ?? '')}" placeholder="title, message, target, subject"></label>` +
    select('status', 'Status', STATUS_CHOICES, statusValue) +
    select('severity', 'Severity', anyOf(SEVERITIES), f.severity ?? '') +
    select(
      'severityMatch',
      'Severity match',
      [
        { value: 'min', label: 'at least' },
        { value: 'exact', label: 'exactly' },
      ],
      f.severityMatch,
    ) +
    select('owner', 'Owner', anyOf(['customer', 'microsoft']), f.owner ?? '') +
    select('rule', 'Rule', anyOf(view.rules.map((r) => r.id)), f.rule ?? '') +
    select(
      'target',
      'Target',
      [{ value: '', label: 'any' }, ...view.targets.map((t) => ({ value: t.id, label: t.name }))],
      f.target ?? '',
    ) +
    `<label>Due before<input type="date" name="dueBefore" value="${escapeHtml(f.dueBefore ?? '')}"></label>` +
    (f.dueOn ? `<input type="hidden" name="dueOn" value="${escapeHtml(f.dueOn)}">` : '') +
    (f.firstSeenAt ? `<input type="hidden" name="firstSeenAt" value="${escapeHtml(f.firstSeenAt)}">` : '') +
    select(
      'sort',
      'Sort',
      FINDING_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] })),
      f.sort,
    ) +
    `<button type="submit">Apply</button> <a href="${href(view.ctx, pagePath.findings)}">clear</a></form>`;
  const described: string[] = [`status ${f.statuses.join(', ')}`];
  if (f.severity) described.push(`severity ${f.severityMatch === 'exact' ? 'exactly' : 'at least'} ${f.severity}`);
  if (f.owner) described.push(`owner ${f.owner}`);
  if (f.rule) described.push(`rule ${f.rule}`);
  if (f.target) described.push(`target ${view.targets.find((t) => t.id === f.target)?.name ?? f.target}`);
  if (f.dueBefore) described.push(`due before ${f.dueBefore}`);
  if (f.dueOn) described.push(`due on ${f.dueOn}`);
  if (f.firstSeenAt) described.push(`first seen by the scan of ${f.firstSeenAt}`);
  if (f.q) described.push(`matching “${f.q}”`);
  const total = `${view.findings.length}${view.truncated ? '+' : ''}`;
  const caption =
    `<span data-testid="findings-total">${total}</span> finding(s): ${escapeHtml(described.join('; '))}; sorted by ${escapeHtml(SORT_LABELS[f.sort])}` +
    (view.shown < view.findings.length ? ` — showing the first ${view.shown}` : '');
  // A CSV of the same list when the filters are ones the API takes (it has no exact severity or search).
  const csv =
    f.severityMatch === 'min' && !f.q && !f.dueOn && !f.firstSeenAt
      ? `<p class="small"><a href="${href(view.ctx, 'findings', {
          format: 'csv',
          status: f.statuses.join(','),
          severity: f.severity,
          owner: f.owner,
          rule: f.rule,
          target: f.target,
          dueBefore: f.dueBefore,
          // In the order the page shows (the API's sort names are the page's): without it the file came in storage order.
          sort: f.sort,
        })}" download>Download these findings as CSV</a></p>`
      : '';
  const body =
    `<h1>Findings</h1>${form}` +
    `<p class="muted small">Select a finding to see what to do about it. Days left are counted from ${escapeHtml(view.asOf.toISODate())}.</p>` +
    table(
      'findings',
      caption,
      findingColumns(),
      findingRows(view.ctx, view.asOf, view.findings.slice(0, view.shown)),
      'no finding matches these filters',
    ) +
    csv;
  return page({ title: 'HCX compliance — findings', ctx: view.ctx, body });
}

export interface TargetPageView {
  asOf: DateTime;
  ctx: LinkContext;
  id: string;
  name: string;
  kind: string;
  version?: string;
  baseline: string;
  belowBaseline?: boolean;
  support?: SupportLine;
  collectedAt?: string;
  lastSuccessfulCollectionAt?: string;
  lastScan?: { status: string; at?: string };
  versions: VersionObservation[];
  readiness: Readiness;
  findings: Finding[];
  facts: Fact[];
  /** Upgrades observed and the live convergence checklist during a window (issue 16). */
  upgrade?: UpgradeView;
}

function kv(rows: [string, string | undefined][]): string {
  return (
    `<table class="kv"><caption class="sr">Summary</caption>` +
    rows
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`)
      .join('') +
    `</table>`
  );
}

function verdictText(r: Readiness): string {
  const words = {
    ready: 'ready: every prerequisite passes',
    blocked: 'blocked: a prerequisite fails',
    unknown: 'unknown: a prerequisite could not be read',
  } as const;
  return statusPill(r.verdict, words[r.verdict]);
}

export function renderTargetPage(v: TargetPageView): string {
  const open = v.findings.filter((f) => f.status === 'open').length;
  const body =
    `<h1>${escapeHtml(v.name)}</h1><div class="muted small">${escapeHtml(v.kind)} · <code>${escapeHtml(v.id)}</code></div>` +
    `<h2>Version</h2>` +
    kv([
      ['HCX version', versionText(v.version, v.belowBaseline)],
      ['baseline', escapeHtml(v.baseline)],
      ['support line', supportText(v.support)],
      ['upgrade path', v.readiness.upgradePath?.length ? escapeHtml(v.readiness.upgradePath.join(' → ')) : undefined],
      ['inventory collected', v.collectedAt ? escapeHtml(v.collectedAt) : undefined],
      [
        'last successful collection',
        v.lastSuccessfulCollectionAt ? escapeHtml(v.lastSuccessfulCollectionAt) : undefined,
      ],
      [
        'last scan',
        v.lastScan
          ? `${escapeHtml(v.lastScan.status)} ${escapeHtml(v.lastScan.at ?? '')}`
          : '<span class="muted">never</span>',
      ],
      [
        'upgrade readiness',
        `${verdictText(v.readiness)} <a href="${href(v.ctx, pagePath.readiness(v.id))}">the upgrade gate, check by check</a>`,
      ],
    ]) +
    `<h2>Version history</h2>` +
    table(
      'versions',
      'Versions this target has been seen running, newest first',
      [{ label: 'Version' }, { label: 'First seen' }, { label: 'Last seen' }],
      [...v.versions]
        .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt))
        .map((o) => ({ cells: [escapeHtml(o.version), escapeHtml(o.firstSeenAt), escapeHtml(o.lastSeenAt)] })),
      'no version observed yet',
    ) +
    (v.upgrade ? renderUpgradeSection(v.upgrade) : '') +
    `<h2>Findings</h2>` +
    table(
      'target-findings',
      `${v.findings.length} finding(s) needing attention or undecided (${open} open), most urgent first — ` +
        `<a href="${href(v.ctx, pagePath.findings, { target: v.id, status: 'all' })}">all findings of this target, with filters</a>`,
      findingColumns(false),
      findingRows(v.ctx, v.asOf, v.findings, false),
      'nothing open, unknown or suppressed',
    ) +
    `<h2>Facts</h2>` +
    table(
      'facts',
      'What operators told the monitor about this target (hcxmon fact set, PUT targets/{id}/facts)',
      [
        { label: 'Fact' },
        { label: 'Value' },
        { label: 'Subject' },
        { label: 'Set by' },
        { label: 'Set at' },
        { label: 'Source' },
      ],
      v.facts.map((f) => ({
        cells: [f.name, f.value, f.subjectId ?? '', f.setBy, f.setAt, f.source ?? ''].map((c) => escapeHtml(c)),
      })),
      'no facts entered',
    );
  return page({ title: `HCX compliance — ${v.name}`, ctx: v.ctx, body });
}

function checkRows(ctx: LinkContext, r: Readiness, checks: ReadinessCheck[]): Row[] {
  return checks.map((c) => ({
    attrs: `data-check-id="${escapeHtml(c.id)}" data-status="${escapeHtml(c.status)}"`,
    cells: [
      escapeHtml(c.title),
      statusPill(c.status),
      escapeHtml(c.message),
      c.ruleIds
        .map(
          (id) =>
            `<a href="${href(ctx, pagePath.findings, { target: r.targetId, rule: id, status: 'all' })}">${escapeHtml(id)}</a>`,
        )
        .join(', '),
      `<a href="${escapeHtml(c.reference)}">${escapeHtml(c.reference)}</a>`,
    ],
  }));
}

export function renderReadinessPage(ctx: LinkContext, r: Readiness): string {
  const columns = [
    { label: 'Check' },
    { label: 'Status' },
    { label: 'Why' },
    { label: 'Findings of rule' },
    { label: 'Source' },
  ];
  const body =
    `<h1>Upgrade gate: ${escapeHtml(r.targetName)}</h1>` +
    `<p><a href="${href(ctx, pagePath.target(r.targetId))}">back to ${escapeHtml(r.targetName)}</a></p>` +
    kv([
      ['verdict', `<span data-testid="verdict">${verdictText(r)}</span>`],
      ['current version', escapeHtml(r.currentVersion ?? 'unknown')],
      ['baseline', escapeHtml(r.baselineVersion)],
      ['upgrade path', r.upgradePath?.length ? escapeHtml(r.upgradePath.join(' → ')) : undefined],
      ['inventory collected', r.collectedAt ? escapeHtml(r.collectedAt) : undefined],
    ]) +
    `<h2>Prerequisites (the gate)</h2>` +
    table(
      'checks',
      'Each prerequisite of the upgrade guides; any fail blocks, any unknown leaves the verdict unknown',
      columns,
      checkRows(ctx, r, r.checks),
      'no checks',
    ) +
    `<h2>Version checks (beside the gate)</h2>` +
    table(
      'version-checks',
      'Where the version stands and what follows the manager upgrade; not part of the verdict',
      columns,
      checkRows(ctx, r, r.versionChecks),
      'no version checks',
    ) +
    (r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '');
  return page({ title: `HCX compliance — upgrade gate of ${r.targetName}`, ctx, body });
}

export interface TrendPoint {
  scanId: string;
  asOf: string;
  trigger: string;
  status: string;
  /** Set when the scan covered only some targets: its totals are not the fleet's. */
  targetFilter?: string;
  targets: number;
  /** Totals the scan recorded when it finished; false: added up from its outcomes (a scan from before totals). */
  recorded: boolean;
  open: number;
  unknown: number;
  suppressed: number;
  /** Recorded: resolved by this scan. Added up: every resolved finding kept for the targets it reached. */
  resolved: number;
  /** Recorded totals only: first seen by this scan, and open findings whose severity or band got worse. */
  new?: number;
  escalated?: number;
  /** Findings first seen in this scan that are still open or unknown now. */
  newStillOpen: number;
}

/** Open and unknown per scan, oldest left, as a small line chart; the table below says the same in words. */
function trendSvg(points: TrendPoint[]): string {
  const full = points.filter((p) => !p.targetFilter).reverse();
  if (full.length < 2) return '';
  const width = 960;
  const height = 160;
  const pad = 30;
  const max = Math.max(1, ...full.map((p) => p.open + p.unknown));
  const x = (i: number) => pad + ((width - 2 * pad) * i) / (full.length - 1);
  const y = (v: number) => height - pad - ((height - 2 * pad) * v) / max;
  const line = (pick: (p: TrendPoint) => number, color: string, cls: string) =>
    `<polyline class="${cls}" fill="none" stroke="${color}" stroke-width="2" points="${full.map((p, i) => `${x(i).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ')}"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Open and unknown findings per scan; the table below lists them" class="timeline trend" viewBox="0 0 ${width} ${height}" width="100%">` +
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#999"/>` +
    `<text x="${pad}" y="${pad - 10}" font-size="12" fill="#444">${max} findings</text>` +
    line((p) => p.open, '#b00020', 'open') +
    line((p) => p.unknown, '#6a1b9a', 'unknown') +
    `<text x="${width - pad}" y="${pad - 10}" font-size="12" text-anchor="end" fill="#1a1a1a">red: open · purple: unknown</text>` +
    `</svg>`
  );
}

export function renderTrendPage(ctx: LinkContext, points: TrendPoint[]): string {
  const rows = points.map((p) => ({
    attrs: `data-scan-id="${escapeHtml(p.scanId)}" data-totals="${p.recorded ? 'recorded' : 'summed'}"`,
    cells: [
      `${escapeHtml(p.asOf)}<div class="muted small">${escapeHtml(p.scanId)} · ${escapeHtml(p.trigger)}${p.targetFilter ? ` · only ${escapeHtml(p.targetFilter)}` : ''}</div>`,
      escapeHtml(p.status),
      String(p.targets),
      String(p.open),
      String(p.unknown),
      String(p.suppressed),
      String(p.resolved),
      p.new === undefined ? '—' : String(p.new),
      p.escalated === undefined ? '—' : String(p.escalated),
      p.newStillOpen
        ? `<a href="${href(ctx, pagePath.findings, { firstSeenAt: p.asOf, status: 'open,unknown', sort: 'first-seen' })}">${p.newStillOpen}</a>`
        : '0',
    ],
  }));
  const body =
    `<h1>Trend of the last ${points.length} scan(s)</h1>` +
    `<p class="muted small">Totals are the findings of the targets each scan reached, by status after that scan, as the scan recorded them when it finished; “resolved” is what that scan resolved, “escalated” open findings whose severity or deadline band got worse. Scans from before totals were recorded show “—” under new and escalated, and under resolved every resolved finding kept for their targets. A scan limited to some targets is marked “only …”: its totals are not the fleet's and it is left out of the chart.</p>` +
    trendSvg(points) +
    table(
      'trend',
      'Per-scan totals, newest first',
      [
        { label: 'Scan' },
        { label: 'Status' },
        { label: 'Targets' },
        { label: 'Open' },
        { label: 'Unknown' },
        { label: 'Suppressed' },
        { label: 'Resolved' },
        { label: 'New' },
        { label: 'Escalated' },
        { label: 'New, still open' },
      ],
      rows,
      'no scans yet',
    );
  return page({ title: 'HCX compliance — trend', ctx, body });
}
