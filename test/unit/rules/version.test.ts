import {
  compareVersionStrings,
  compareVersions,
  firstDifference,
  formatVersion,
  parseVersion,
  versionLessThan,
} from '../../../lib/rules/version';

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

describe('what a rule reads from a version', () => {
  test('major, minor and patch; missing parts are 0', () => {
    expect(v('4.11.3')).toMatchObject({ raw: '4.11.3', major: 4, minor: 11, patch: 3 });
    expect(v('4.9')).toMatchObject({ major: 4, minor: 9, patch: 0 });
    expect(v(' 9.0.1.2.77 ')).toEqual({
      raw: '9.0.1.2.77',
      parts: [9, 0, 1, 2],
      build: '77',
      major: 9,
      minor: 0,
      patch: 1,
    });
  });

  test('the build shapes HCX prints, case-insensitive', () => {
    expect(v('4.11.3 BUILD 5').build).toBe('5');
    expect(v('4.11.3build5').build).toBe('5');
    expect(v('4.11.3-5').build).toBe('5');
    expect(v('4.11.3+5').build).toBe('5');
    expect(v('4.11.3 - 5').build).toBe('5');
    expect(v('V4.11.3').parts).toEqual([4, 11, 3]);
  });

  test('the reasons say why a version cannot be used', () => {
    expect(parseVersion(null)).toEqual({ ok: false, reason: 'no version reported' });
    expect(parseVersion(4.11 as unknown as string)).toEqual({ ok: false, reason: 'version is not a string' });
    expect(parseVersion('  ')).toEqual({ ok: false, reason: 'empty version string' });
    expect(parseVersion('4.11.x')).toEqual({ ok: false, reason: 'unparsable version "4.11.x"' });
    expect(parseVersion('9.0.0.0.1 build 2')).toEqual({
      ok: false,
      reason: 'unparsable version "9.0.0.0.1 build 2" (two builds)',
    });
    const twoBuilds = `${'1234567890.'.repeat(4)}1234567890 build 1`;
    expect(parseVersion(twoBuilds)).toEqual({
      ok: false,
      reason: `unparsable version "${twoBuilds.slice(0, 40)}" (two builds)`,
    });
    const long = `x${'1'.repeat(60)}`;
    expect(parseVersion(long)).toEqual({ ok: false, reason: `unparsable version "${long.slice(0, 40)}"` });
  });

  test('anchored: text around a version is not a version', () => {
    expect(parseVersion('HCX 4.11.3').ok).toBe(false);
    expect(parseVersion('4.11.3 latest').ok).toBe(false);
    expect(parseVersion('4.11.3 (5').ok).toBe(true);
  });

  test('versionLessThan compares with a literal, and a bad literal is a programming error', () => {
    expect(versionLessThan(v('4.10.3'), '4.11.0')).toBe(true);
    expect(versionLessThan(v('4.11.0'), '4.11.0')).toBe(false);
    expect(versionLessThan(v('4.11.1'), '4.11.0')).toBe(false);
    expect(() => versionLessThan(v('4.11.1'), 'latest')).toThrow('internal: bad version literal latest');
  });

  test('compareVersions answers -1, 0 or 1 whatever the size of the gap, over the longer of the two', () => {
    expect(compareVersions(v('4.2'), v('4.11'))).toBe(-1);
    expect(compareVersions(v('4.11'), v('4.2'))).toBe(1);
    expect(compareVersions(v('4.11'), v('4.11.0.1'))).toBe(-1);
    expect(compareVersions(v('4.11.0.1'), v('4.11'))).toBe(1);
    expect(compareVersionStrings('4.10', '4.9')).toBe(1);
    expect(compareVersionStrings('4.10', undefined)).toBeUndefined();
  });

  test('firstDifference looks at every part of the longer version', () => {
    expect(firstDifference(v('4.11'), v('4.11.0.1'))).toBe(3);
    expect(firstDifference(v('4.11.0.1'), v('4.11'))).toBe(3);
  });

  test('formatVersion: the release, and the build when there is one', () => {
    expect(formatVersion(v('4.11.3 build 24972695'))).toBe('4.11.3 (build 24972695)');
    expect(formatVersion(v('9.0.0.0.24597083'))).toBe('9.0.0.0 (build 24597083)');
    expect(formatVersion(v('v4.10'))).toBe('4.10');
  });
});
