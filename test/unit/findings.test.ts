import { DateTime } from 'luxon';
import fc from 'fast-check';
import type { Suppression } from '../../lib/domain/finding';
import { ValidationError } from '../../lib/errors';
import {
  alertEventId,
  decodeKey,
  encodeKey,
  findingId,
  isSafeKey,
  parseFindingId,
  targetKey,
} from '../../lib/findings/ids';
import { isSuppressionActive, newSuppression, staleSuppressions } from '../../lib/findings/suppressions';

const CLOUD_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.avs/privateclouds/pc1';

describe('finding ids and table keys', () => {
  it('is deterministic, table-safe and URL-safe for ARM ids with slashes', () => {
    const id = findingId('hcx-version-end-of-support', CLOUD_ID, 'manager');
    expect(findingId('hcx-version-end-of-support', CLOUD_ID, 'manager')).toBe(id);
    expect(id).toMatch(/^hcx-version-end-of-support\.[0-9a-f]{20}\.[0-9a-f]{20}$/);
    expect(isSafeKey(id)).toBe(true);
    expect(encodeURIComponent(id)).toBe(id);
  });

  it('resolves a finding id to its partition (the target key) and rejects foreign ids', () => {
    const id = findingId('hcx-ne-ha-group-degraded', CLOUD_ID, 'ha/group#1?');
    expect(parseFindingId(id)).toEqual({ ruleId: 'hcx-ne-ha-group-degraded', targetKey: targetKey(CLOUD_ID) });
    for (const bad of ['', 'x', "hcx-a.0000'.1111", `${id}/x`, `outbox~${id}`]) expect(parseFindingId(bad)).toBeUndefined();
  });

  it('rejects a rule id that would make the id ambiguous', () => {
    expect(() => findingId('Bad.Rule', CLOUD_ID, 's')).toThrow(ValidationError);
  });

  it('separates (rule, target, subject) triples that concatenate alike', () => {
    expect(findingId('r', 'a', 'bc')).not.toBe(findingId('r', 'ab', 'c'));
    expect(alertEventId('f', 'opened', 'x')).not.toBe(alertEventId('f', 'opene', 'dx'));
  });

  it('encodes any text into a safe key and decodes it back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), (s) => {
        const key = encodeKey(s);
        expect(isSafeKey(key)).toBe(true);
        expect(decodeKey(key)).toBe(s);
      }),
    );
    expect(encodeKey('a/b\\c#d?e!f')).toBe('a!2fb!5cc!23d!3fe!21f');
  });

  it('keeps over-long keys within the 1 KiB key limit and still distinct', () => {
    const a = encodeKey('x'.repeat(5000));
    const b = encodeKey(`${'x'.repeat(4999)}y`);
    expect(a.length).toBeLessThanOrEqual(1024);
    expect(a).not.toBe(b);
  });
});

describe('suppressions', () => {
  const asOf = '2026-03-01T00:00:00.000Z';
  const valid = {
    ruleId: 'hcx-wan-optimization-enabled',
    targetId: 'connector:onprem-1',
    reason: 'Removal scheduled',
    category: 'waiver',
    expiresAt: '2026-06-01T00:00:00Z',
    createdBy: 'alice@example.com',
  };

  it('stamps createdAt from asOf and keeps the scope', () => {
    expect(newSuppression(valid, { asOf, id: 'sup-1' })).toEqual({
      id: 'sup-1',
      ruleId: 'hcx-wan-optimization-enabled',
      targetId: 'connector:onprem-1',
      reason: 'Removal scheduled',
      category: 'waiver',
      expiresAt: '2026-06-01T00:00:00.000Z',
      createdBy: 'alice@example.com',
      createdAt: asOf,
    });
  });

  it.each([
    [{ expiresAt: undefined }, 'expiresAt'],
    [{ expiresAt: '2027-03-01T00:00:01Z' }, 'expiresAt'],
    [{ expiresAt: '2026-02-28T00:00:00Z' }, 'expiresAt'],
    [{ expiresAt: 'next tuesday' }, 'expiresAt'],
    [{ reason: '  ' }, 'reason'],
    [{ category: 'forever' }, 'category'],
    [{ createdBy: undefined }, 'createdBy'],
    [{ ruleId: 'Nope Rule' }, 'ruleId'],
    [{ targetId: undefined, subjectId: 'mesh-1' }, 'subjectId'],
    [{ extra: 1 }, 'body'],
  ])('rejects %j naming %s', (patch, field) => {
    const input = { ...valid, ...patch };
    try {
      newSuppression(input, { asOf, id: 'x' });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).parameter).toBe(field);
    }
  });

  it('keeps a subject scope with its target, and leaves out the scope not given', () => {
    const subject = newSuppression({ ...valid, subjectId: 'mesh-1' }, { asOf, id: 'x' });
    expect(subject).toMatchObject({ targetId: 'connector:onprem-1', subjectId: 'mesh-1' });
    const ruleWide = newSuppression({ ...valid, targetId: undefined }, { asOf, id: 'x' });
    expect(Object.keys(ruleWide)).not.toContain('targetId');
    expect(Object.keys(ruleWide)).not.toContain('subjectId');
  });

  it('refuses an expiry at the creation instant itself, and says why', () => {
    expect(() => newSuppression({ ...valid, expiresAt: asOf }, { asOf, id: 'x' })).toThrow('expiresAt: must be in the future');
    expect(() => newSuppression({ ...valid, expiresAt: '2027-03-01T00:00:01Z' }, { asOf, id: 'x' })).toThrow(
      'expiresAt: at most one year after creation',
    );
    expect(() => newSuppression({ ...valid, targetId: undefined, subjectId: 'm' }, { asOf, id: 'x' })).toThrow(
      'subjectId: needs targetId (a subject belongs to one target)',
    );
    expect(() => newSuppression({ ...valid, expiresAt: 'soon' }, { asOf, id: 'x' })).toThrow(
      'expiresAt: "soon" is neither a date YYYY-MM-DD (through the end of that day, UTC) nor an ISO 8601 instant',
    );
    expect(() => newSuppression({ ...valid, reason: ' ' }, { asOf, id: 'x' })).toThrow(/^reason: /);
  });

  it('is never active with an unreadable creation or expiry date', () => {
    const s = { id: 's', ruleId: 'r', reason: 'x', category: 'waiver' as const, createdBy: 'a', createdAt: asOf, expiresAt: '2026-06-01T00:00:00Z' };
    expect(isSuppressionActive(s, '2026-04-01T00:00:00Z')).toBe(true);
    expect(isSuppressionActive({ ...s, createdAt: 'x' }, '2026-04-01T00:00:00Z')).toBe(false);
    expect(isSuppressionActive({ ...s, expiresAt: 'x' }, '2026-04-01T00:00:00Z')).toBe(false);
    // asOf may be a DateTime in any zone: the instant counts.
    expect(isSuppressionActive(s, DateTime.fromISO('2026-06-01T01:59:59', { zone: 'UTC+2' }))).toBe(true);
    expect(isSuppressionActive(s, DateTime.fromISO('2026-06-01T02:00:00', { zone: 'UTC+2' }))).toBe(false);
  });

  it('accepts exactly one year', () => {
    expect(newSuppression({ ...valid, expiresAt: '2027-03-01T00:00:00Z' }, { asOf, id: 'x' }).expiresAt).toBe(
      '2027-03-01T00:00:00.000Z',
    );
  });

  const s = (patch: Partial<Suppression>): Suppression => ({
    id: 'sup',
    ruleId: 'r',
    reason: 'x',
    category: 'mitigated',
    createdBy: 'bob',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-12-01T00:00:00.000Z',
    ...patch,
  });

  it('is active from creation until (not including) expiry', () => {
    expect(isSuppressionActive(s({}), '2025-12-31T23:59:59Z')).toBe(false);
    expect(isSuppressionActive(s({}), '2026-01-01T00:00:00Z')).toBe(true);
    expect(isSuppressionActive(s({}), '2026-11-30T23:59:59Z')).toBe(true);
    expect(isSuppressionActive(s({}), '2026-12-01T00:00:00Z')).toBe(false);
  });

  it('reports as stale an active suppression that matched nothing for 7 days', () => {
    const list = [
      s({ id: 'never-matched', createdAt: '2026-02-20T00:00:00.000Z' }),
      s({ id: 'matched-8d-ago', lastMatchedAt: '2026-02-21T00:00:00.000Z' }),
      s({ id: 'matched-6d-ago', lastMatchedAt: '2026-02-23T00:00:00.000Z' }),
      s({ id: 'new', createdAt: '2026-02-27T00:00:00.000Z' }),
      s({ id: 'expired', expiresAt: '2026-02-01T00:00:00.000Z' }),
    ];
    expect(staleSuppressions(list, asOf).map((x) => x.id)).toEqual(['never-matched', 'matched-8d-ago']);
    // Exactly 7 days is stale; one second less is not.
    expect(staleSuppressions([s({ lastMatchedAt: '2026-02-22T00:00:00.000Z' })], asOf)).toHaveLength(1);
    expect(staleSuppressions([s({ lastMatchedAt: '2026-02-22T00:00:01.000Z' })], asOf)).toHaveLength(0);
  });
});
