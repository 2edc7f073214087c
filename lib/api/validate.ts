import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { SEVERITIES } from '../domain/evaluation';
import { ValidationError } from '../errors';

/** Query parameters the platform itself may add; never an error. */
const PLATFORM_PARAMS = new Set(['code']);

/**
 * Reads the query string into an object of single values checked by `schema`: a repeated parameter, an unknown
 * parameter or a bad value is a ValidationError naming the parameter (→ 400).
 */
export function parseQuery<S extends z.ZodObject>(query: URLSearchParams, schema: S): z.infer<S> {
  const allowed = Object.keys(schema.shape);
  const raw: Record<string, string> = {};
  for (const [key, value] of query) {
    if (PLATFORM_PARAMS.has(key)) continue;
    if (!allowed.includes(key)) {
      throw new ValidationError(
        `unknown query parameter "${clip(key)}"; expected one of: ${allowed.join(', ') || '(none)'}`,
        clip(key),
        'unknown_parameter',
      );
    }
    if (key in raw) throw new ValidationError(`query parameter "${key}" is given more than once`, key);
    raw[key] = value;
  }
  return parseWith(schema, raw, 'query');
}

/** Parses a JSON request body with `schema`; the error names the first offending field. */
export function parseBody<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  if (text.trim() === '') throw new ValidationError('request body is required (JSON)', 'body', 'invalid_body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('request body is not valid JSON', 'body', 'invalid_body');
  }
  return parseWith(schema, value, 'body');
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue.path.length ? issue.path.map(String).join('.') : where;
  const code = where === 'body' ? 'invalid_body' : 'invalid_parameter';
  throw new ValidationError(`${param}: ${issue.message}`, clip(param), code);
}

export function clip(s: string, max = 80): string {
  // Echoed input is clipped and stripped of control characters so an error message stays a one-liner.
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

export const zSeverity = z.enum(SEVERITIES as unknown as ['critical', 'high', 'medium', 'low', 'info']);
export const zRuleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'expected a rule id (kebab-case)');
export const zOwner = z.enum(['microsoft', 'customer']);
export const zIsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  // Stryker disable next-line ObjectLiteral: equivalent — whether a date is valid does not depend on the zone it is read in
  .refine((s) => DateTime.fromISO(s, { zone: 'utc' }).isValid, 'expected a real calendar date');
export const zInstant = z
  .string()
  .max(40)
  // Stryker disable next-line ObjectLiteral: equivalent — whether an instant is valid does not depend on the zone it is read in
  .refine((s) => DateTime.fromISO(s, { zone: 'utc' }).isValid, 'expected an ISO 8601 date or instant');
export const zLimit = (max: number, def: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `expected a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `expected a whole number from 1 to ${max}`)
    .optional()
    .transform((n) => n ?? def);
export const zText = (max: number) =>
  z.string().min(1).max(max).regex(NO_CONTROL, 'must not contain control characters');

const ARM_ID_RE = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.avs\/privateclouds\/[^/]+$/;
const CONNECTOR_ID_RE = /^connector:[A-Za-z0-9._-]{1,64}$/;
// The targets of discovery-scope findings (lib/scan-discovery.ts): a subscription, or a scope as configured.
const SCOPE_ID_RE = /^(\/subscriptions\/[0-9a-f-]{36}|scope:(tenant|managementGroup:[A-Za-z0-9_().-]{1,90}))$/;

/**
 * A target id from a route or query: an ARM private cloud id (compared in lower case, as stored) or
 * `connector:<name>`. Accepts the id percent-encoded once more (`%2F` that a proxy left encoded).
 */
export function parseTargetId(raw: string | undefined, parameter = 'id'): string {
  let value = raw ?? '';
  if (/%2f/i.test(value)) {
    try {
      value = decodeURIComponent(value);
    } catch {
      throw new ValidationError(`${parameter}: not a valid percent-encoded target id`, parameter);
    }
  }
  if (value.toLowerCase().startsWith('/subscriptions/')) value = value.toLowerCase();
  if (ARM_ID_RE.test(value) || CONNECTOR_ID_RE.test(value) || SCOPE_ID_RE.test(value)) return value;
  throw new ValidationError(
    `${parameter}: expected a target id (an AVS private cloud's ARM resource id, URL-encoded, connector:<name>, or a discovery scope: /subscriptions/<id>, scope:…), got "${clip(value)}"`,
    parameter,
  );
}

// --- continuation tokens -------------------------------------------------------------------------------------

/**
 * The store's continuation token, wrapped with the query it belongs to and a checksum. The checksum catches a
 * truncated or mangled token, and the query key a token reused with other filters: both are a 400 instead of a
 * confusing page. It is NOT a signature (anyone can compute it) and needs not be: the filters of every page come
 * from the request, and the store token (checked again by the store) is only a position inside that query, so a
 * forged token can only return rows the same request could page to anyway.
 */
export function wrapToken(storeToken: string | undefined, queryKey: string): string | undefined {
  if (storeToken === undefined) return undefined;
  const payload = Buffer.from(JSON.stringify({ t: storeToken, q: queryKey }), 'utf8').toString('base64url');
  return `${payload}.${checksum(payload)}`;
}

export function unwrapToken(token: string | undefined, queryKey: string): string | undefined {
  if (token === undefined) return undefined;
  const bad = (): never => {
    throw new ValidationError('continuationToken is malformed (pass the token of the previous page unchanged)', 'continuationToken');
  };
  if (token.length > 8192) bad();
  const [payload, sum, extra] = token.split('.');
  if (extra !== undefined || !payload || !sum || checksum(payload) !== sum) bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    // Stryker disable next-line BlockStatement: equivalent — without the early exit, `parsed` stays undefined and the next check refuses it with the same error
  } catch {
    return bad();
  }
  const p = parsed as { t?: unknown; q?: unknown };
  if (typeof p?.t !== 'string') bad();
  if (p.q !== queryKey) {
    throw new ValidationError('continuationToken belongs to a different query (filters changed)', 'continuationToken');
  }
  return p.t as string;
}

function checksum(payload: string): string {
  return createHash('sha256').update(`hcxmon-page\u0000${payload}`).digest('base64url').slice(0, 22);
}
