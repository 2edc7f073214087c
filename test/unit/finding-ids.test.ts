import { ValidationError } from '../../lib/errors';
import {
  alertEventId,
  decodeKey,
  encodeKey,
  findingId,
  isFindingId,
  isSafeKey,
  parseFindingId,
  targetKey,
} from '../../lib/findings/ids';

/**
 * Finding ids, target keys and alert event ids are stored (table keys, outbox RowKeys, links users keep): the same
 * input must give the same id in every release, and the rules that keep them table- and URL-safe must hold.
 */

describe('ids are stable across releases', () => {
  it('gives the same target key, finding id and alert event id as when they were first stored', () => {
    expect(targetKey('connector:dc1')).toBe('043610eea888b7806ebe');
    expect(findingId('hcx-activation-key-expiry', 'connector:dc1', 'manager')).toBe(
      'hcx-activation-key-expiry.043610eea888b7806ebe.5e97fedb105465966c22',
    );
    expect(alertEventId('f', 'opened', 'x')).toBe('ebbc6098368d4c42a74b77486413e12f');
  });

  it('keys a target the same however often it is asked, and different targets differently', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `connector:t${i}`);
    const first = ids.map(targetKey);
    expect(ids.map(targetKey)).toEqual(first);
    expect(new Set(first).size).toBe(50);
    for (const k of first) expect(k).toMatch(/^[0-9a-f]{20}$/);
  });

  it('a finding id changes with each of rule, target and subject', () => {
    const id = findingId('r', 't', 's');
    expect(new Set([id, findingId('r2', 't', 's'), findingId('r', 't2', 's'), findingId('r', 't', 's2')]).size).toBe(4);
    // The rule id is hashed into the subject part too: the same subject under another rule is another finding.
    expect(findingId('r2', 't', 's').split('.')[2]).not.toBe(id.split('.')[2]);
  });
});

describe('rule ids in finding ids', () => {
  it.each(['a', 'a-b', '0abc', 'hcx-ne-ha-group-degraded', 'x1-'])('takes kebab-case %j', (rule) => {
    const id = findingId(rule, 't', 's');
    expect(id.startsWith(`${rule}.`)).toBe(true);
    expect(isFindingId(id)).toBe(true);
    expect(parseFindingId(id)).toEqual({ ruleId: rule, targetKey: targetKey('t') });
  });

  it.each(['', '-abc', 'Abc', 'a_b', 'a.b', 'abc.', '.abc', 'ab c', 'abc\n'])('refuses %j, naming ruleId', (rule) => {
    let err: unknown;
    try {
      findingId(rule, 't', 's');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ message: `rule id "${rule}" is not kebab-case`, parameter: 'ruleId' });
  });
});

describe('parseFindingId and isFindingId', () => {
  it('accepts our ids only', () => {
    const id = findingId('hcx-rule', 'connector:dc1', 'manager');
    const [, tk, sk] = id.split('.');
    expect(isFindingId(id)).toBe(true);
    expect(parseFindingId(id)).toEqual({ ruleId: 'hcx-rule', targetKey: tk });
    const bad = [
      `hcx-rule.${tk.toUpperCase()}.${sk}`,
      `hcx-rule.${tk.slice(1)}.${sk}`,
      `hcx-rule.${tk}0.${sk}`,
      `hcx-rule.${tk}.${sk.slice(1)}`,
      `hcx-rule.${tk}.${sk}0`,
      `Hcx-rule.${tk}.${sk}`,
      `-hcx.${tk}.${sk}`,
      `x${id}`.replace('xhcx', '.hcx'),
      `${id}\n`,
      ` ${id}`,
      `hcx-rule.${tk}`,
      `hcx-rule.${'g'.repeat(20)}.${sk}`,
    ];
    for (const b of bad) {
      expect(isFindingId(b)).toBe(false);
      expect(parseFindingId(b)).toBeUndefined();
    }
  });
});

describe('alert event ids', () => {
  it('are "e" and 31 hex digits, and change with each part', () => {
    const e = alertEventId('f', 'opened', 'x');
    expect(e).toMatch(/^e[0-9a-f]{31}$/);
    expect(
      new Set([
        e,
        alertEventId('g', 'opened', 'x'),
        alertEventId('f', 'resolved', 'x'),
        alertEventId('f', 'opened', 'y'),
      ]).size,
    ).toBe(4);
  });
});

describe('table keys for free text', () => {
  it.each([
    ['/', '!2f'],
    ['\\', '!5c'],
    ['#', '!23'],
    ['?', '!3f'],
    ['%', '!25'],
    ['!', '!21'],
    ["'", '!27'],
    ['\u0000', '!00'],
    ['\u001f', '!1f'],
    ['\u007f', '!7f'],
    ['\u009f', '!9f'],
  ])('encodes %j as %j', (raw, key) => {
    expect(encodeKey(`a${raw}b`)).toBe(`a${key}b`);
    expect(decodeKey(`a${key}b`)).toBe(`a${raw}b`);
  });

  it('leaves readable text alone', () => {
    for (const s of ['plain', 'with space', 'ü\u00a0é', '~h', 'a-b_c.d:e', ' ', '\u0020', '\u00a0', 'A~Z'])
      expect(encodeKey(s)).toBe(s);
  });

  it('refuses an empty value', () => {
    expect(() => encodeKey('')).toThrow(new ValidationError('an empty value cannot be a table key'));
  });

  it('keeps a key of 512 characters whole; a longer one becomes a readable head and the hash of the text', () => {
    expect(encodeKey('x'.repeat(512))).toBe('x'.repeat(512));
    const long = encodeKey('x'.repeat(513));
    expect(long).toHaveLength(512);
    expect(long.startsWith(`${'x'.repeat(446)}~h`)).toBe(true);
    expect(long.slice(448)).toMatch(/^[0-9a-f]{64}$/);
    // The hash is of the original text (stable whatever the encoding of the head).
    expect(encodeKey('/'.repeat(200))).toBe(
      `${'!2f'.repeat(148)}!2~ha9edaa36c97b0b8200699dcc7a4f4e941424f12d4a7f1e8d4707d393ab8e8c9e`,
    );
  });

  it('decodes only lower-case two-digit escapes', () => {
    expect(decodeKey('a!2fb')).toBe('a/b');
    expect(decodeKey('a!2Fb')).toBe('a!2Fb');
    expect(decodeKey('a!zz')).toBe('a!zz');
    expect(decodeKey('a!2')).toBe('a!2');
    expect(decodeKey('!21!2f')).toBe('!/');
  });

  it('isSafeKey: 1 to 1024 characters with no / \\ # ? or control character', () => {
    expect(isSafeKey('')).toBe(false);
    expect(isSafeKey('k')).toBe(true);
    expect(isSafeKey('k'.repeat(1024))).toBe(true);
    expect(isSafeKey('k'.repeat(1025))).toBe(false);
    for (const c of ['/', '\\', '#', '?', '\u0000', '\u001f', '\u007f', '\u009f'])
      expect(isSafeKey(`a${c}b`)).toBe(false);
    for (const c of [' ', '!', '%', "'", '\u00a0', '~', '\u0020']) expect(isSafeKey(`a${c}b`)).toBe(true);
  });
});
