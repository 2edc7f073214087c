import { compareVersionStrings, compareVersions, firstDifference, parseVersion } from '../../../lib/rules/version';

function v(s: string) {
  const p = parseVersion(s);
  if (!p.ok) throw new Error(`expected ${s} to parse: ${p.reason}`);
  return p.version;
}

describe('parseVersion', () => {
  test.each([
    ['4.11.3', [4, 11, 3], undefined],
    ['4.9', [4, 9], undefined],
    ['9.0.0.00000', [9, 0, 0, 0], undefined],
    ['9.0.0.0.24597083', [9, 0, 0, 0], '24597083'],
    ['4.11.3 build 24972695', [4, 11, 3], '24972695'],
    ['4.11.3 (24972695)', [4, 11, 3], '24972695'],
    [' v4.10.2 ', [4, 10, 2], undefined],
  ])('%s → parts %j, build %s', (input, parts, build) => {
    const p = v(input);
    expect(p.parts).toEqual(parts);
    expect(p.build).toBe(build);
  });

  test.each([
    [''],
    ['   '],
    ['four.eleven'],
    ['4'],
    ['4.11.x'],
    ['4..11'],
    ['1.2.3.4.5.6'],
    ['4.11.3-beta'],
    ['9.0.0.0.1 build 2'],
  ])('unparsable %j is an error value, never a throw', (input) => {
    const p = parseVersion(input);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(/version/);
  });

  test('undefined and null are error values', () => {
    expect(parseVersion(undefined)).toEqual({ ok: false, reason: 'no version reported' });
    expect(parseVersion(null).ok).toBe(false);
  });
});

describe('compareVersions', () => {
  const ordered = [
    '3.5.3',
    '4.3.0',
    '4.4.2',
    '4.9',
    '4.9.2',
    '4.10',
    '4.10.3',
    '4.11.0',
    '4.11.2',
    '4.11.3',
    '4.11.10',
    '9.0.0.0.1',
    '9.1.0.0',
    '9.1.1',
  ];
  test('numeric order: 4.9 < 4.10 < 4.11.3 < 9.0.0.0.1 and the rest of the table', () => {
    for (let i = 0; i < ordered.length - 1; i++) {
      expect([ordered[i], compareVersions(v(ordered[i]), v(ordered[i + 1]))]).toEqual([ordered[i], -1]);
      expect(compareVersions(v(ordered[i + 1]), v(ordered[i]))).toBe(1);
    }
  });

  test('missing parts count as zero; builds are ignored', () => {
    expect(compareVersions(v('4.11'), v('4.11.0'))).toBe(0);
    expect(compareVersions(v('9.0.0.0.24597083'), v('9.0.0.0.24597084'))).toBe(0);
    expect(compareVersions(v('4.11.3 build 1'), v('4.11.3 build 2'))).toBe(0);
  });

  test('compareVersionStrings is undefined when either side is unparsable', () => {
    expect(compareVersionStrings('4.9', '4.10')).toBe(-1);
    expect(compareVersionStrings('4.9', 'garbage')).toBeUndefined();
    expect(compareVersionStrings(undefined, '4.10')).toBeUndefined();
  });

  test('firstDifference names the level that differs', () => {
    expect(firstDifference(v('4.11.3'), v('9.0.0.0'))).toBe(0);
    expect(firstDifference(v('4.10.3'), v('4.11.3'))).toBe(1);
    expect(firstDifference(v('4.11.2'), v('4.11.3'))).toBe(2);
    expect(firstDifference(v('9.0.0.1'), v('9.0.0.2'))).toBe(3);
    expect(firstDifference(v('4.11.3'), v('4.11.3.0'))).toBe(-1);
  });
});
