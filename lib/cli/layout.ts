import pc from 'picocolors';
import type { Severity } from '../domain/evaluation';

/**
 * Text layout for the human (table) output: widths measured as the terminal shows them, word wrap, truncation with an
 * ellipsis, and the copy-paste commands that must never be cut. Pure: every function takes the width it lays out to.
 */

/** Width used when the output is not a terminal and nothing says otherwise (pipes, CI logs, files). */
export const DEFAULT_WIDTH = 100;
/** Below this the table cannot hold a severity, a due cell and a full rule id on one line. */
export const MIN_WIDTH = 60;
export const MAX_WIDTH = 400;

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/** Columns a string takes on screen: colour codes take none; one per code point (names here are not CJK). */
export function visibleWidth(s: string): number {
  return Array.from(s.replace(SGR, '')).length;
}

/** `s` cut to `width` columns, the last one an ellipsis when something was cut. Plain text only (no colour). */
export function truncate(s: string, width: number): string {
  const chars = Array.from(s);
  if (chars.length <= width) return s;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

export function padEnd(s: string, width: number): string {
  const w = visibleWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/**
 * Greedy word wrap to `width` columns (the first line to `firstWidth` when given); a word longer than a line is split
 * (a long name must not push the line past the terminal edge). `\n` in the text starts a new line. Plain text only.
 */
export function wrap(text: string, width: number, firstWidth = width): string[] {
  const out: string[] = [];
  const room = () => Math.max(1, out.length === 0 ? firstWidth : width);
  for (const paragraph of text.split('\n')) {
    let line: string[] = [];
    // A no-break space (U+00A0) holds a label to its value ("overdue: 1"): only other white space breaks a line.
    for (const word of paragraph.split(/[^\S\u00a0]+/).filter(Boolean)) {
      let rest = Array.from(word);
      if (line.length + (line.length ? 1 : 0) + rest.length <= room()) {
        line = line.length ? [...line, ' ', ...rest] : rest;
        continue;
      }
      if (line.length) out.push(line.join(''));
      while (rest.length > room()) {
        const w = room();
        out.push(rest.slice(0, w).join(''));
        rest = rest.slice(w);
      }
      line = rest;
    }
    out.push(line.join(''));
  }
  return out;
}

/** Wrapped lines, the first prefixed with `first`, the others indented by `indent` (default: under the text). */
export function hanging(first: string, text: string, width: number, indent = visibleWidth(first)): string[] {
  const lead = Math.max(indent, visibleWidth(first));
  return wrap(text, width - indent, width - lead).map((l, i) =>
    i === 0 ? padEnd(first, lead) + l : ' '.repeat(indent) + l,
  );
}

/** Wrapped so that every line fits `width`: the first at column 0, the others indented by `indent`. */
export function continued(text: string, width: number, indent = 2): string[] {
  return wrap(text, width - indent, width).map((l, i) => (i ? ' '.repeat(indent) + l : l));
}

/**
 * At most `max` wrapped lines; when the text needs more, the last kept line ends in an ellipsis (the full text is in
 * `--format json`).
 */
export function wrapAtMost(text: string, width: number, max: number): string[] {
  const lines = wrap(text, width);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  const last = kept[max - 1];
  kept[max - 1] = Array.from(last).length < width ? `${last}…` : truncate(last, width);
  return kept;
}

// `hcxmon <command> …` inside a message or a remediation text, quoted in backticks or running to the end of the
// sentence (a period, comma, semicolon or closing parenthesis ends it). Shell-quoted words ('…') may hold anything but
// a quote.
const COMMAND =
  /`(hcxmon [^`\n]+)`|\b(hcxmon (?:fact|suppress|scan|findings|rules|summary|target)\b(?:'[^'\n]*'|[^\n'.,;)]|\.(?!\s|$))*)/g;

/**
 * Splits the copy-paste commands out of a text: they are printed on a line of their own, whole, whatever the width.
 * In the text each is replaced by "the command below" so the sentence still reads.
 */
export function extractCommands(text: string): { text: string; commands: string[] } {
  const commands: string[] = [];
  const rest = text.replace(COMMAND, (_m, quoted: string | undefined, bare: string | undefined) => {
    commands.push((quoted ?? bare ?? '').trim());
    return 'the command below';
  });
  return { text: rest, commands: [...new Set(commands)] };
}

/** A line that is a copy-paste item on its own (a command or a URL): exempt from the width, never decorated. */
export function isCopyLine(line: string): boolean {
  return /^(hcxmon |https?:\/\/)\S/.test(line);
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'CRIT',
  high: 'HIGH',
  medium: 'MED',
  low: 'LOW',
  info: 'INFO',
};

export interface Palette {
  severity(sev: Severity, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/** Colour only helps: every severity also has its text label, so output without colour loses nothing. */
export function palette(color: boolean): Palette {
  const c = pc.createColors(color);
  return {
    severity(sev, text) {
      switch (sev) {
        case 'critical':
          return c.bold(c.red(text));
        case 'high':
          return c.red(text);
        case 'medium':
          return c.yellow(text);
        case 'low':
          return c.cyan(text);
        default:
          return c.dim(text);
      }
    },
    bold: (t) => c.bold(t),
    dim: (t) => c.dim(t),
  };
}

export interface TerminalInfo {
  isTTY?: boolean;
  columns?: number;
}

/**
 * The width to lay out to: `--width`, else `COLUMNS` (as most tools read it, so `COLUMNS=80 hcxmon …` works in a pipe),
 * else the terminal's own width, else DEFAULT_WIDTH. Clamped to what the layout can hold.
 */
export function outputWidth(stdout: TerminalInfo, env: Record<string, string | undefined>, option?: number): number {
  // COLUMNS=0 or a word is no width: ignored, as an unset one.
  const fromEnv = env.COLUMNS && /^\d+$/.test(env.COLUMNS) && Number(env.COLUMNS) > 0 ? Number(env.COLUMNS) : undefined;
  const fromTty = stdout.isTTY && stdout.columns && stdout.columns > 0 ? stdout.columns : undefined;
  const w = option ?? fromEnv ?? fromTty ?? DEFAULT_WIDTH;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w));
}

/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org) or TERM is "dumb".
 */
export function colorEnabled(stdout: TerminalInfo, env: Record<string, string | undefined>): boolean {
  if (!stdout.isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}
