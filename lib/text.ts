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

// Names whose value is a credential wherever they appear: as a query or connection-string pair (`password=…`), a
// header (`Authorization: …`), JSON (`"vcenterPassword": "…"`, as listAdminCredentials answers, also escaped inside
// another JSON string: `{\"vcenterPassword\":\"…\"}`) or YAML.
const SECRET_NAME =
  '[\\w.-]*(?:password|passwd|pwd|secret|token|accountkey|apikey|api_key|sharedaccesssignature)|authorization|x-hm-authorization|x-functions-key';
// Short names that are only credentials in URL and connection-string form (`sig=` of a SAS, `code=` of a key).
const URL_SECRET_NAME = 'sig|code';
// A quoted value: "…", '…', or \"…\" (JSON inside a JSON string, where an inner quote is \\\").
const QUOTED = `\\\\"(?:\\\\\\\\\\\\"|[^"\\\\]|\\\\[^"])*\\\\"|"(?:[^"\\\\]|\\\\.)*"|'[^']*'`;
// What starts the next pair (`, "user":`, `; AccountName=`, `&code=`, ` user=`): an unquoted value ends before it.
const NEXT_PAIR = `\\s*\\\\?["']?[\\w.-]+\\\\?["']?\\s*[:=]`;
const LINE_END = `[ \\t]*(?:\\r?\\n|$)`;
// An unquoted value runs to the end of the line (a YAML plain scalar, or a password holding , ; & } ] or spaces),
// and stops only where a delimiter or a space is followed by the next pair or the line end.
const BARE =
  `(?![ \\t]|(?:Bearer|Basic) \\*\\*\\*)(?:[^\\s,;&}\\]]|[,;&}\\]](?!${NEXT_PAIR}|${LINE_END})|[ \\t]+(?!${NEXT_PAIR}|${LINE_END}))+`;
const NAMED_SECRET = new RegExp(`(\\\\?["']?)\\b(${SECRET_NAME})\\1(\\s*[:=]\\s*)(${QUOTED}|${BARE})`, 'gi');
const URL_SECRET = new RegExp(`\\b(${URL_SECRET_NAME})=([^;&\\s"'\\\\]+)`, 'gi');
// `scheme://user:password@host`: the password goes, the user stays.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/]*@/gi;
// A PEM private key, to its END line (or to the end of the text when it was cut off).
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g;
// Cookie and Set-Cookie headers carry sessions: the whole value goes, every cookie in it.
const COOKIE = /\b((?:set-)?cookie)(\\?["']?\s*[:=]\s*)(\\?"(?:[^"\\]|\\[^"])*\\?"|[^\r\n]*)/gi;

function quoteOf(value: string): string {
  if (value.startsWith('\\"')) return '\\"';
  return value[0] === '"' || value[0] === "'" ? value[0] : '';
}

/** Strips anything that looks like a credential before a message reaches a log line. */
export function redact(text: string): string {
  return text
    .replace(PEM_PRIVATE_KEY, '-----BEGIN $1----- *** -----END $1-----')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/gi, '$1 ***')
    .replace(URL_USERINFO, '$1:***@')
    .replace(COOKIE, (_m, name: string, sep: string, value: string) => {
      const quote = quoteOf(value);
      return `${name}${sep}${quote}***${quote}`;
    })
    .replace(URL_SECRET, '$1=***')
    .replace(NAMED_SECRET, (_m, q: string, name: string, sep: string, value: string) => {
      const quote = quoteOf(value);
      return `${q}${name}${q}${sep}${quote}***${quote}`;
    });
}
