import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  clip,
  parseBody,
  parseQuery,
  parseTargetId,
  unwrapToken,
  wrapToken,
  zInstant,
  zIsoDate,
  zLimit,
  zRuleId,
  zSeverity,
  zText,
} from '../../lib/api/validate';
import { ValidationError } from '../../lib/errors';

/** The request validation every HTTP route shares. The unit API tests run over an in-memory store that ignores
 *  filters and limits, so what a caller gets back for a bad parameter is pinned here, on the functions themselves. */

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const ARM = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG-One/providers/Microsoft.AVS/privateClouds/Cloud-A';

describe('zLimit (page size)', () => {
  const schema = z.object({ limit: zLimit(1000, 100) });
  const limit = (v?: string) => schema.safeParse(v === undefined ? {} : { limit: v });

  it('defaults to the route default when absent', () => {
    expect(limit()).toEqual({ success: true, data: { limit: 100 } });
  });

  it('accepts 1 and the maximum, as numbers', () => {
    expect(limit('1')).toEqual({ success: true, data: { limit: 1 } });
    expect(limit('1000')).toEqual({ success: true, data: { limit: 1000 } });
  });

  it.each(['0', '1001', '-1', '1.5', 'ten', '', '1234567'])('rejects limit=%j with the accepted range', (v) => {
    const r = limit(v);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('expected a whole number from 1 to 1000');
  });
});

describe('parseQuery', () => {
  const schema = z.object({ limit: zLimit(50, 20), rule: zRuleId.optional() });

  it('returns the parsed values and ignores the platform "code" parameter', () => {
    expect(parseQuery(new URLSearchParams('limit=7&rule=hcx-eol&code=abc'), schema)).toEqual({ limit: 7, rule: 'hcx-eol' });
  });

  it('names an unknown parameter and lists the known ones', () => {
    const err = rejection(() => parseQuery(new URLSearchParams('limt=5'), schema));
    expect(err.parameter).toBe('limt');
    expect(err.code).toBe('unknown_parameter');
    expect(err.message).toBe('unknown query parameter "limt"; expected one of: limit, rule');
  });

  it('says "(none)" when the route takes no parameter', () => {
    expect(rejection(() => parseQuery(new URLSearchParams('x=1'), z.object({}))).message).toBe(
      'unknown query parameter "x"; expected one of: (none)',
    );
  });

  it('rejects a repeated parameter instead of picking one of the values', () => {
    const err = rejection(() => parseQuery(new URLSearchParams('limit=5&limit=6'), schema));
    expect(err.parameter).toBe('limit');
    expect(err.message).toBe('query parameter "limit" is given more than once');
  });

  it('a bad value is invalid_parameter naming the parameter', () => {
    const err = rejection(() => parseQuery(new URLSearchParams('limit=0'), schema));
    expect(err.parameter).toBe('limit');
    expect(err.code).toBe('invalid_parameter');
    expect(err.message).toBe('limit: expected a whole number from 1 to 50');
  });

  it('clips and cleans an echoed unknown parameter name', () => {
    const err = rejection(() => parseQuery(new URLSearchParams({ ['a\nb'.padEnd(100, 'x')]: '1' }), schema));
    expect(err.parameter).toBe(`a?b${'x'.repeat(77)}…`);
  });
});

describe('parseBody', () => {
  const schema = z.object({ reason: zText(10), nested: z.object({ n: z.number() }).optional() });

  it('parses a valid JSON body', () => {
    expect(parseBody('{"reason":"ok"}', schema)).toEqual({ reason: 'ok' });
  });

  it.each(['', '   \n'])('a blank body (%j) is "required"', (text) => {
    const err = rejection(() => parseBody(text, schema));
    expect([err.parameter, err.code, err.message]).toEqual(['body', 'invalid_body', 'request body is required (JSON)']);
  });

  it('a body that is not JSON is invalid_body', () => {
    const err = rejection(() => parseBody('{reason:', schema));
    expect([err.parameter, err.code, err.message]).toEqual(['body', 'invalid_body', 'request body is not valid JSON']);
  });

  it('names the dotted path of the first offending field', () => {
    const err = rejection(() => parseBody('{"reason":"ok","nested":{"n":"x"}}', schema));
    expect(err.parameter).toBe('nested.n');
    expect(err.code).toBe('invalid_body');
    expect(err.message.startsWith('nested.n: ')).toBe(true);
  });

  it('a body of the wrong type names "body"', () => {
    const err = rejection(() => parseBody('[1]', schema));
    expect(err.parameter).toBe('body');
    expect(err.message.startsWith('body: ')).toBe(true);
  });
});

describe('field schemas', () => {
  it('zText rejects empty, too long and control characters', () => {
    expect(zText(5).safeParse('abcde').success).toBe(true);
    expect(zText(5).safeParse('').success).toBe(false);
    expect(zText(5).safeParse('abcdef').success).toBe(false);
    const ctl = zText(50).safeParse('a\u0007b');
    expect(ctl.error?.issues[0].message).toBe('must not contain control characters');
    expect(zText(50).safeParse('a\u007fb').success).toBe(false);
  });

  it('zIsoDate takes real calendar dates only', () => {
    expect(zIsoDate.safeParse('2026-02-28').success).toBe(true);
    expect(zIsoDate.safeParse('2026-02-30').error?.issues[0].message).toBe('expected a real calendar date');
    expect(zIsoDate.safeParse('2026-2-3').error?.issues[0].message).toBe('expected a date YYYY-MM-DD');
    expect(zIsoDate.safeParse('x2026-02-03').success).toBe(false);
    expect(zIsoDate.safeParse('2026-02-03x').success).toBe(false);
  });

  it('zInstant takes ISO instants of at most 40 characters', () => {
    expect(zInstant.safeParse('2026-03-01T10:00:00Z').success).toBe(true);
    expect(zInstant.safeParse('yesterday').error?.issues[0].message).toBe('expected an ISO 8601 date or instant');
    expect(zInstant.safeParse('2026-03-01T10:00:00.000000000000000000000Z').success).toBe(false);
  });

  it('zRuleId is kebab-case, starts with a letter or digit, at most 80 characters', () => {
    expect(zRuleId.safeParse('hcx-eol').success).toBe(true);
    expect(zRuleId.safeParse('a'.repeat(80)).success).toBe(true);
    expect(zRuleId.safeParse('a'.repeat(81)).success).toBe(false);
    expect(zRuleId.safeParse('-hcx').success).toBe(false);
    expect(zRuleId.safeParse('HCX-EOL').error?.issues[0].message).toBe('expected a rule id (kebab-case)');
    expect(zRuleId.safeParse('x hcx-eol').success).toBe(false);
    expect(zRuleId.safeParse('hcx-eol x').success).toBe(false);
  });

  it('zSeverity is one of the five severities', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => zSeverity.safeParse(s).success)).toEqual([
      true, true, true, true, true,
    ]);
    expect(zSeverity.safeParse('severe').success).toBe(false);
  });
});

describe('clip', () => {
  it('keeps short text, replaces control characters, cuts long text with an ellipsis', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('a\u0000b\u001fc\u007fd\u0020e')).toBe('a?b?c?d e');
    expect(clip('x'.repeat(80))).toBe('x'.repeat(80));
    expect(clip('x'.repeat(81))).toBe(`${'x'.repeat(80)}…`);
    expect(clip('abcdef', 3)).toBe('abc…');
  });
});

describe('parseTargetId', () => {
  it('lower-cases an ARM private cloud id, as the store keeps it', () => {
    expect(parseTargetId(ARM)).toBe(ARM.toLowerCase());
  });

  it('accepts an ARM id percent-encoded once more', () => {
    expect(parseTargetId(encodeURIComponent(ARM))).toBe(ARM.toLowerCase());
    expect(parseTargetId(ARM.replace(/\//g, '%2f'))).toBe(ARM.toLowerCase());
  });

  it('keeps the case of a connector name', () => {
    expect(parseTargetId('connector:Lab-1.a_b')).toBe('connector:Lab-1.a_b');
  });

  it('accepts discovery scopes', () => {
    expect(parseTargetId('/subscriptions/00000000-0000-0000-0000-0000000000AB')).toBe(
      '/subscriptions/00000000-0000-0000-0000-0000000000ab',
    );
    expect(parseTargetId('scope:tenant')).toBe('scope:tenant');
    expect(parseTargetId('scope:managementGroup:mg-(1).x')).toBe('scope:managementGroup:mg-(1).x');
  });

  it.each([
    ['', 'empty'],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/pc/extra', 'a child resource'],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm', 'another provider'],
    [`x${ARM}`, 'text before the id'],
    ['connector:', 'a connector without a name'],
    [`connector:${'a'.repeat(65)}`, 'a connector name over 64 characters'],
    ['connector:a b', 'a connector name with a space'],
    ['prefix connector:a', 'text before a connector id'],
    ['/subscriptions/not-a-guid', 'a subscription id that is not a GUID'],
    ['scope:tenantx', 'an unknown scope'],
    ['xscope:tenant', 'text before a scope'],
  ])('rejects %j (%s) naming the parameter', (raw) => {
    const err = rejection(() => parseTargetId(raw, 'target'));
    expect(err.parameter).toBe('target');
    expect(err.message.startsWith('target: expected a target id')).toBe(true);
  });

  it('rejects a missing id with the default parameter name, echoing nothing', () => {
    const err = rejection(() => parseTargetId(undefined));
    expect(err.parameter).toBe('id');
    expect(err.message.endsWith('got ""')).toBe(true);
  });

  it('decodes only an id that a proxy left with %2F; other escapes are not target ids', () => {
    expect(rejection(() => parseTargetId('connector:lab%41', 'target')).message).toBe(
      'target: expected a target id (an AVS private cloud\'s ARM resource id, URL-encoded, connector:<name>, or a discovery scope: /subscriptions/<id>, scope:…), got "connector:lab%41"',
    );
  });

  it('rejects a broken percent-encoding', () => {
    const err = rejection(() => parseTargetId('%2F%E0%A4%A', 'target'));
    expect(err.message).toBe('target: not a valid percent-encoded target id');
  });
});

describe('continuation tokens', () => {
  const q = JSON.stringify({ statuses: ['open'], limit: 10 });

  it('round-trip: the store token comes back for the same query', () => {
    const token = wrapToken('store-token-1', q);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(unwrapToken(token, q)).toBe('store-token-1');
  });

  it('no store token, no token; no token given, first page', () => {
    expect(wrapToken(undefined, q)).toBeUndefined();
    expect(unwrapToken(undefined, q)).toBeUndefined();
  });

  it('a token from another query (filters changed) is refused', () => {
    const token = wrapToken('store-token-1', q);
    const err = rejection(() => unwrapToken(token, JSON.stringify({ statuses: ['open'], limit: 20 })));
    expect(err.parameter).toBe('continuationToken');
    expect(err.message).toBe('continuationToken belongs to a different query (filters changed)');
  });

  const malformed = 'continuationToken is malformed (pass the token of the previous page unchanged)';
  const good = wrapToken('store-token-1', q) as string;
  const [payload, sum] = good.split('.');
  /** A token forged with a correct checksum (the checksum is not a secret, DESIGN: it only catches mangling). */
  const forged = (payload: string) =>
    `${payload}.${createHash('sha256').update(`hcxmon-page\u0000${payload}`).digest('base64url').slice(0, 22)}`;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

  it('the forging recipe matches real tokens (so the cases below reach the content checks)', () => {
    expect(forged(payload)).toBe(good);
  });

  it.each([
    ['a payload that is not JSON', Buffer.from('{t:', 'utf8').toString('base64url')],
    ['no store position', b64({ q })],
    ['a store position that is not text', b64({ t: 5, q })],
    ['JSON null', b64(null)],
  ])('a checksummed token with %s is malformed', (_what, p) => {
    expect(rejection(() => unwrapToken(forged(p), q)).message).toBe(malformed);
  });

  it('a token of at most 8192 characters is read; a longer one is refused before anything else', () => {
    const fits = wrapToken('s'.repeat(6073), q) as string;
    expect(fits.length).toBe(8191);
    expect(unwrapToken(fits, q)).toBe('s'.repeat(6073));
    // Exactly 8192 (a payload with one trailing character that decodes to nothing): still read.
    const exact = forged(`${b64({ t: 's'.repeat(6073), q })}A`);
    expect(exact.length).toBe(8192);
    expect(unwrapToken(exact, q)).toBe('s'.repeat(6073));
    const tooLong = wrapToken('s'.repeat(6074), q) as string;
    expect(tooLong.length).toBe(8193);
    expect(rejection(() => unwrapToken(tooLong, q)).message).toBe(malformed);
  });

  it.each([
    ['truncated checksum', `${payload}.${sum.slice(0, -1)}`],
    ['changed payload', `${payload.slice(0, -2)}AA.${sum}`],
    ['no checksum', payload],
    ['empty checksum', `${payload}.`],
    ['empty payload', `.${sum}`],
    ['a third part', `${good}.x`],
    ['not a token', 'hello'],
    ['too long', `${'A'.repeat(8190)}.${sum}`],
  ])('a token with %s is malformed', (_what, token) => {
    const err = rejection(() => unwrapToken(token, q));
    expect(err.parameter).toBe('continuationToken');
    expect(err.message).toBe(malformed);
  });
});
