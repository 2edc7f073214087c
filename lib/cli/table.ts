import type { DateTime } from 'luxon';
import { SEVERITIES, severityRank } from '../domain/evaluation';
import type { Finding } from '../domain/finding';
import type { TargetKind } from '../domain/target';
import {
  countsText,
  daysUntil,
  dueText,
  sortFindingsBy,
  summarize,
  type FleetSummary,
  type summaryJson,
} from '../findings/urgency';
import { printable } from '../text';
import {
  SEVERITY_LABEL,
  continued,
  extractCommands,
  hanging,
  padEnd,
  palette,
  truncate,
  visibleWidth,
  wrap,
  wrapAtMost,
  type Palette,
} from './layout';

/**
 * The findings table of `hcxmon scan` and `hcxmon findings` (issue 14, "CLI output that fits a terminal"): sized to the
 * terminal, most urgent first (worst target first, then the nearest deadline: the urgency module's order), days left
 * or overdue in every row, severities as text so nothing depends on colour, long lists cut to the most urgent rows
 * with a count of the rest, and copy-paste commands on a line of their own.
 */

/** What the table needs of a target (the scan's outcome, or a stored finding's target). */
export interface TableTarget {
  id: string;
  name: string;
  kind: TargetKind;
  status: string;
  hcxVersion?: string;
}

export interface TableOptions {
  color: boolean;
  /** Columns to fit (see outputWidth). */
  width: number;
  /** Days left are counted from this instant's UTC day. */
  asOf: DateTime;
  /** Most rows printed; the rest are counted in one line. Undefined: every row. */
  limit?: number;
}

/** Default `--limit` of the table: a screenful or two; `--all` prints every row. */
export const DEFAULT_ROW_LIMIT = 50;
/** A message takes at most this many lines under its row (the whole text is in `--format json`). */
const MESSAGE_LINES = 4;
/** Past this many targets with nothing to report, their names are summarised. */
const CLEAN_NAMES = 12;
/** Rules named in the one line that stands for an unreachable target's unknowns. */
const UNKNOWN_RULES = 5;
/** Lines that break down the rows past the limit by rule. */
const OMITTED_GROUPS = 8;
const GAP = '  ';
const SEV_WIDTH = 4;

/**
 * "13 d left", "due today", "overdue 3 d"; "no deadline" when the finding has none; "not known" when it has none
 * because the check could not be made (status unknown, under a suppression too): "no deadline" there would read as
 * "nothing is due" about a version or key nobody could read.
 */
export function dueCell(
  f: Pick<Finding, 'deadline' | 'status' | 'underlyingStatus'>,
  asOf: DateTime,
  withDate: boolean,
): string {
  if (!f.deadline) return isUnknown(f) ? 'not known' : 'no deadline';
  const days = daysUntil(f.deadline.date, asOf);
  const left = days === 0 ? 'due today' : days > 0 ? `${days} d left` : `overdue ${-days} d`;
  return withDate ? `${f.deadline.date} ${left}` : left;
}

export function isUnknown(f: Pick<Finding, 'status' | 'underlyingStatus'>): boolean {
  return f.status === 'unknown' || (f.status === 'suppressed' && f.underlyingStatus === 'unknown');
}

function statusPrefix(f: Finding): string {
  if (f.status === 'unknown') return 'unknown: ';
  if (f.status === 'suppressed') return `suppressed${f.underlyingStatus ? ` (${f.underlyingStatus})` : ''}: `;
  return '';
}

function severityCounts(list: readonly Finding[]): string {
  return SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/**
 * `hcxmon summary` as text: the summary route's two headlines, the counts and the worst targets, each wrapped to the
 * terminal (a target name and a finding title make a headline longer than 80 columns) with control characters taken
 * out of the names, as in the table.
 */
export function renderSummaryText(
  out: Pick<
    ReturnType<typeof summaryJson>,
    'headlines' | 'openBySeverity' | 'unknown' | 'suppressed' | 'overdue' | 'worstTargets'
  >,
  width: number,
): string {
  const counts = SEVERITIES.map((s) => `${out.openBySeverity[s]} ${s}`).join(', ');
  return [
    out.headlines.nextDeadline,
    out.headlines.worstTarget,
    `Open: ${counts}; unknown: ${out.unknown}; suppressed: ${out.suppressed}; overdue: ${out.overdue}`,
    ...out.worstTargets.map(
      (t, i) => `${i + 1}. ${t.targetName} — ${countsText(t.open)}${t.unknown ? `, ${t.unknown} unknown` : ''}`,
    ),
  ]
    .flatMap((l) => continued(printable(l), width))
    .join('\n');
}

/** The lines at the top: the next deadline, the worst target, the counts (the same summary as `hcxmon summary`). */
export function headlineLines(summary: FleetSummary, targetCount: number, width: number): string[] {
  const n = summary.nextDeadline;
  const overdue = summary.overdue ? `; ${summary.overdue} already overdue` : '';
  const next = n
    ? `Next deadline: ${n.date} (${dueText(n.daysLeft)}) ${n.ruleId} on ${n.targetName}` +
      `${n.sameDay ? ` (+${n.sameDay} more that day)` : ''}${overdue}`
    : `Next deadline: none ahead${overdue}`;
  const w = summary.targets[0];
  const worst =
    w && (SEVERITIES.some((s) => w.open[s] > 0) || w.unknown > 0)
      ? `Worst target: ${w.targetName} (${countsText(w.open)}${w.unknown ? `, ${w.unknown} unknown` : ''})`
      : 'Worst target: none (nothing open or unknown)';
  const open = SEVERITIES.filter((s) => summary.openBySeverity[s] > 0).map((s) => `${summary.openBySeverity[s]} ${s}`);
  // No-break spaces keep each count with its label when the line wraps ("overdue:" and "1" on two lines read badly).
  const nb = (label: string, n: number): string => `${label}:\u00a0${n}`;
  const counts =
    `Open: ${open.length ? open.map((o) => o.replace(' ', '\u00a0')).join(', ') : 'none'}; ` +
    `${nb('unknown', summary.unknown)}; ${nb('suppressed', summary.suppressed)}; ${nb('overdue', summary.overdue)}; ` +
    nb('targets', targetCount);
  // Names come from HCX and ARM: no control character reaches the terminal.
  return [next, worst, counts].flatMap((l) => continued(printable(l), width));
}

interface Columns {
  due: number;
  rule: number;
  subject: number;
  withDate: boolean;
}

function columnsFor(rows: readonly Finding[], width: number, asOf: DateTime): Columns {
  // Priority: severity, days left, rule id (never cut), subject; the deadline's date only where there is room for it,
  // and the message on its own lines below, as wide as the terminal.
  const withDate = width >= 100;
  const due = Math.max(3, ...rows.map((f) => dueCell(f, asOf, withDate).length));
  const rule = Math.max(4, ...rows.map((f) => f.ruleId.length));
  const subject = width - (SEV_WIDTH + GAP.length + due + GAP.length + rule + GAP.length);
  return { due, rule, subject, withDate };
}

function headerLine(c: Columns, pal: Palette): string {
  const cells = [padEnd('SEV', SEV_WIDTH), padEnd(c.withDate ? 'DEADLINE' : 'DUE', c.due), padEnd('RULE', c.rule)];
  if (c.subject >= 8) cells.push('SUBJECT');
  return pal.bold(cells.join(GAP).trimEnd());
}

function rowLines(f: Finding, c: Columns, width: number, asOf: DateTime, pal: Palette): string[] {
  const subject = printable(f.subjectName);
  const cells = [
    pal.severity(f.severity, padEnd(SEVERITY_LABEL[f.severity], SEV_WIDTH)),
    padEnd(dueCell(f, asOf, c.withDate), c.due),
    padEnd(f.ruleId, c.rule),
  ];
  // Too narrow for a subject column: the subject leads the message instead.
  const subjectInline = c.subject >= 8;
  if (subjectInline) cells.push(truncate(subject, c.subject));
  const { text, commands } = extractCommands(printable(f.message));
  const indent = SEV_WIDTH + GAP.length;
  const message = `${subjectInline ? '' : `${subject}: `}${statusPrefix(f)}${text}`;
  return [
    cells.join(GAP).trimEnd(),
    // A message that carries a command is kept whole: cut short it would lose what the command is for.
    ...wrapAtMost(message, width - indent, commands.length ? Infinity : MESSAGE_LINES).map(
      (l) => ' '.repeat(indent) + l,
    ),
    // Whole, at column 0 and undecorated, so a triple-click copies exactly the command.
    ...commands,
  ];
}

/**
 * What the rows past the limit are, one line per rule and severity, the most severe and most widespread first:
 * "HIGH  hcx-activation-key-expiry on 26 targets: a, b, …". A fleet where many targets share a finding reads in a few
 * lines instead of a count.
 */
function omittedGroups(omitted: readonly Finding[], width: number, pal: Palette): string[] {
  // Targets by id (two targets may share a name), shown by name.
  const groups = new Map<string, { f: Finding; byId: Map<string, string> }>();
  for (const f of omitted) {
    const key = `${f.severity}\u0000${f.ruleId}`;
    const g = groups.get(key) ?? { f, byId: new Map<string, string>() };
    g.byId.set(f.targetId, f.targetName);
    groups.set(key, g);
  }
  const sorted = [...groups.values()]
    .map(({ f, byId }) => ({ f, targets: [...byId.values()] }))
    .sort(
      (a, b) =>
        severityRank(b.f.severity) - severityRank(a.f.severity) ||
        b.targets.length - a.targets.length ||
        a.f.ruleId.localeCompare(b.f.ruleId),
    );
  const lines = sorted.slice(0, OMITTED_GROUPS).map(({ f, targets }) => {
    const lead = `  ${pal.severity(f.severity, padEnd(SEVERITY_LABEL[f.severity], SEV_WIDTH))}  ${f.ruleId} on `;
    const count = `${targets.length} target${targets.length === 1 ? '' : 's'}: `;
    const room = width - visibleWidth(lead) - count.length;
    return lead + count + truncate(printable(targets.join(', ')), Math.max(1, room));
  });
  if (sorted.length > OMITTED_GROUPS) lines.push(`  … and ${sorted.length - OMITTED_GROUPS} more rule/severity groups`);
  return lines;
}

/**
 * Human output of findings. `targets` are the scanned (or stored) targets; a finding of a target not in the list still
 * shows, under its own name.
 */
export function renderFindingsTable(
  targets: readonly TableTarget[],
  findings: readonly Finding[],
  opts: TableOptions,
): string {
  const { width, asOf } = opts;
  const pal = palette(opts.color);
  const summary = summarize(findings, asOf);
  const ordered = sortFindingsBy(findings, 'urgency', asOf);
  const rank = new Map(summary.targets.map((t, i) => [t.targetId, i]));
  const known = new Set(targets.map((t) => t.id));
  const orphans = [...new Map(ordered.filter((f) => !known.has(f.targetId)).map((f) => [f.targetId, f])).values()].map(
    (f): TableTarget => ({ id: f.targetId, name: f.targetName, kind: f.targetKind, status: 'stored' }),
  );
  const allTargets = [...targets, ...orphans]
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (rank.get(a.t.id) ?? rank.size) - (rank.get(b.t.id) ?? rank.size) || a.i - b.i)
    .map(({ t }) => t);

  // Rows per target; an unreachable target makes every rule unknown: one line says so instead of a screenful.
  const byTarget = new Map<string, Finding[]>();
  for (const f of ordered) {
    const list = byTarget.get(f.targetId);
    if (list) list.push(f);
    else byTarget.set(f.targetId, [f]);
  }
  const blocks = allTargets.map((t) => {
    const all = byTarget.get(t.id) ?? [];
    const collapse = t.status === 'unreachable' || t.status === 'failed';
    return {
      t,
      all,
      hidden: collapse ? all.filter((f) => f.status === 'unknown') : [],
      rows: collapse ? all.filter((f) => f.status !== 'unknown') : all,
    };
  });
  let budget = opts.limit ?? Infinity;
  const shown = new Set<Finding>();
  const omitted: Finding[] = [];
  const omittedTargets = new Set<string>();
  for (const b of blocks) {
    const take = b.rows.slice(0, Math.max(0, budget));
    budget -= take.length;
    for (const f of take) shown.add(f);
    omitted.push(...b.rows.slice(take.length));
    if (take.length < b.rows.length) omittedTargets.add(b.t.id);
  }
  const cols = columnsFor([...shown], width, asOf);

  const lines: string[] = [...headlineLines(summary, targets.length, width), ''];
  const clean: string[] = [];
  for (const b of blocks) {
    const rows = b.rows.filter((f) => shown.has(f));
    if (b.all.length === 0) {
      clean.push(b.t.name);
      continue;
    }
    if (rows.length === 0 && b.hidden.length === 0) continue;
    const version = b.t.hcxVersion ? ` HCX ${b.t.hcxVersion}` : '';
    const n = b.all.length;
    const head = printable(
      `${b.t.name} (${b.t.kind}${version}) — scan ${b.t.status}, ${n} finding${n === 1 ? '' : 's'}`,
    );
    lines.push(...wrap(head, width).map((l) => pal.bold(l)));
    if (b.hidden.length > 0) {
      const ids = [...new Set(b.hidden.map((f) => f.ruleId))];
      const rules =
        ids.length > UNKNOWN_RULES ? [...ids.slice(0, UNKNOWN_RULES), `and ${ids.length - UNKNOWN_RULES} more`] : ids;
      lines.push(
        ...hanging(
          '  ',
          `${b.hidden.length} check${b.hidden.length === 1 ? '' : 's'} unknown because the target could not be ` +
            `collected (never counted as compliant): ${rules.join(', ')}`,
          width,
        ),
      );
    }
    if (rows.length > 0) {
      lines.push(headerLine(cols, pal));
      for (const f of rows) lines.push(...rowLines(f, cols, width, asOf, pal));
    }
    if (rows.length < b.rows.length) lines.push(`  … ${b.rows.length - rows.length} more on this target`);
    lines.push('');
  }
  if (omitted.length > 0) {
    const others = omittedTargets.size;
    lines.push(
      ...continued(
        `… and ${omitted.length} more (${severityCounts(omitted)}) on ${others} target${others === 1 ? '' : 's'}; ` +
          'use --all or --format json',
        width,
      ),
    );
  }
  lines.push(...omittedGroups(omitted, width, pal));
  if (clean.length > 0) {
    const names = clean.slice(0, CLEAN_NAMES).map(printable).join(', ');
    const more = clean.length > CLEAN_NAMES ? `, … and ${clean.length - CLEAN_NAMES} more` : '';
    lines.push(
      ...continued(
        `Nothing open, unknown or suppressed on ${clean.length} target${clean.length === 1 ? '' : 's'}: ${names}${more}`,
        width,
      ),
    );
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
