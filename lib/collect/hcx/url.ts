/**
 * Joins an API path onto a base URL that may carry a path prefix and may or may not end in `/`
 * (AVS gives `https://hcx.x.avs.azure.com/`; the lab gives `https://127.0.0.1:P/hcx/<id>/`). A plain
 * `new URL('/hybridity/…', base)` would drop the prefix, so the path is always made relative to a base that
 * ends in exactly one slash. A `URL` base must come from baseUrl().
 */
export function joinUrl(base: string | URL, path: string): URL {
  return new URL(path.replace(/^\/+/, ''), typeof base === 'string' ? baseUrl(base) : base);
}

/** `base` as a directory URL: exactly one trailing slash, no query or fragment. */
export function baseUrl(base: string): URL {
  const b = new URL(base);
  if (!b.pathname.endsWith('/')) b.pathname += '/';
  b.search = '';
  b.hash = '';
  return b;
}

/** Origin plus path, without user-info or query: safe to put in a message. */
export function describeUrl(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.protocol}//${u.host}${u.pathname}`;
}
