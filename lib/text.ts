/**
 * Text an HCX manager, a queue message or a client chose, made safe to print: C0 and C1 control characters (and DEL)
 * are removed, so it cannot drive a terminal (ESC starts colour, title, OSC 8 link, screen-clear and OSC 52 clipboard
 * sequences; U+009B is a one-character CSI) or forge a log line.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_KEEP_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Every control character removed except `\n` (table cells and multi-line CLI text). */
export function printable(s: string): string {
  return s.replace(CONTROL_KEEP_NEWLINE, '');
}

/** One log line: every control character, newline included, becomes a space. */
export function logSafe(s: string): string {
  return s.replace(CONTROL, ' ');
}
