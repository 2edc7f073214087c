import catalogJson from '../../../lib/rules/lifecycle.json';
import {
  DEFAULT_CATALOG,
  baselineVersion,
  endOfSupportDate,
  inRange,
  isOlderThanCatalog,
  orderCatalog,
  supportLine,
  supportStatus,
} from '../../../lib/rules/lifecycle';
import { parseCatalog } from '../../../lib/rules/lifecycle-schema';
import { compareVersions, parseVersion } from '../../../lib/rules/version';

function v(s: string) {
  const p = parseVersion(s);
  if (!p.ok) throw new Error(p.reason);
  return p.version;
}

describe('lifecycle catalog', () => {
  test('pinned to the seeds: 4.10.x EOS 2025-07-27, 4.11.0–4.11.2 EOS 2026-02-20, 4.11.3 2027-10-11', () => {
    expect(endOfSupportDate(DEFAULT_CATALOG, v('4.10.0'))).toBe('2025-07-27');
    expect(endOfSupportDate(DEFAULT_CATALOG, v('4.10.3'))).toBe('2025-07-27');
    for (const x of ['4.11.0', '4.11.1', '4.11.2']) expect(endOfSupportDate(DEFAULT_CATALOG, v(x))).toBe('2026-02-20');
    expect(endOfSupportDate(DEFAULT_CATALOG, v('4.11.3'))).toBe('2027-10-11');
    expect(supportStatus(DEFAULT_CATALOG, v('4.11.3'))).toEqual({
      kind: 'dated',
      entry: expect.objectContaining({ id: '4.11.3' }),
      endOfSupport: '2027-10-11',
    });
  });

  test('the 2025-12-24 date for 4.11.0–4.11.2 is kept as an alternative, not used', () => {
    const line = supportLine(DEFAULT_CATALOG, v('4.11.1'));
    expect(line?.endOfSupport).toBe('2026-02-20');
    expect(line?.endOfSupportAlternatives?.map((a) => a.date)).toEqual(['2025-12-24']);
  });

  test('baseline is 4.11.3 with asOf; an override wins', () => {
    expect(DEFAULT_CATALOG.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(baselineVersion(DEFAULT_CATALOG)).toEqual({ version: '4.11.3', source: 'catalog' });
    expect(baselineVersion(DEFAULT_CATALOG, ' 4.11.4 ')).toEqual({ version: '4.11.4', source: 'setting' });
    expect(baselineVersion(DEFAULT_CATALOG, '')).toEqual({ version: '4.11.3', source: 'catalog' });
  });

  test('N-2 lines are past support; unknown newer versions have no date', () => {
    expect(supportStatus(DEFAULT_CATALOG, v('4.9.2')).kind).toBe('past');
    expect(supportStatus(DEFAULT_CATALOG, v('4.4.2')).kind).toBe('past');
    expect(supportStatus(DEFAULT_CATALOG, v('3.5.3')).kind).toBe('past');
    expect(supportStatus(DEFAULT_CATALOG, v('4.11.4')).kind).toBe('no-date');
    expect(supportStatus(DEFAULT_CATALOG, v('9.0.0.0.24597083')).kind).toBe('no-date');
    const newer = supportStatus(DEFAULT_CATALOG, v('9.7.0'));
    expect(newer.kind).toBe('no-date');
    expect(newer.entry).toBeUndefined();
  });

  test('a version older than every catalogued line is past support', () => {
    const trimmed = parseCatalog({
      ...catalogJson,
      entries: catalogJson.entries.filter((e) => e.id === '4.10' || e.id === '4.11.3'),
    });
    expect(isOlderThanCatalog(trimmed, v('4.9.2'))).toBe(true);
    expect(supportStatus(trimmed, v('4.9.2'))).toMatchObject({ kind: 'past', reason: expect.stringMatching(/N-2/) });
    expect(isOlderThanCatalog(trimmed, v('4.10.0'))).toBe(false);
    // In a gap between lines (4.11.0–4.11.2 removed): no date, not past.
    expect(supportStatus(trimmed, v('4.11.1')).kind).toBe('no-date');
  });

  test('the bundled catalog passes the full schema, and loading it gives the same catalog', () => {
    expect(parseCatalog(catalogJson)).toEqual(DEFAULT_CATALOG);
    const mins = DEFAULT_CATALOG.entries.map((e) => v(e.range.min));
    expect(mins.length).toBeGreaterThan(3);
    for (let i = 1; i < mins.length; i++) expect(compareVersions(mins[i - 1], mins[i])).toBeLessThan(0);
  });

  test('only a dated line has an end-of-support date', () => {
    expect(endOfSupportDate(DEFAULT_CATALOG, v('4.9.2'))).toBeUndefined();
    expect(endOfSupportDate(DEFAULT_CATALOG, v('4.11.4'))).toBeUndefined();
    expect(endOfSupportDate(DEFAULT_CATALOG, v('99.0.0'))).toBeUndefined();
  });

  test('the reasons name the release line, or say the catalog may be stale', () => {
    expect(supportStatus(DEFAULT_CATALOG, v('4.9.2'))).toMatchObject({
      kind: 'past',
      reason: '4.9.x is past end of support (N-2 policy)',
    });
    const unknown = supportStatus(DEFAULT_CATALOG, v('99.0.0'));
    expect(unknown.kind === 'no-date' && unknown.reason).toMatch(/not in the lifecycle catalog.*catalog may be stale/);
  });

  test('an entry whose range cannot be read matches no version', () => {
    const entry = supportLine(DEFAULT_CATALOG, v('4.10.1'))!;
    expect(inRange({ ...entry, range: { min: 'x', below: '5.0.0' } }, v('4.10.1'))).toBe(false);
    expect(inRange({ ...entry, range: { min: '4.0.0', below: 'x' } }, v('4.10.1'))).toBe(false);
    expect(inRange(entry, v('4.10.1'))).toBe(true);
  });

  test('entries may be listed in any order: the catalog is read sorted by version, numerically', () => {
    const reversed = parseCatalog({ ...catalogJson, entries: [...catalogJson.entries].reverse() });
    expect(reversed.entries.map((e) => e.id)).toEqual(catalogJson.entries.map((e) => e.id));
    expect(endOfSupportDate(reversed, v('4.10.3'))).toBe('2025-07-27');
  });

  test.each([
    ['equal bounds', '4.10.0', '4.10.0'],
    ['bounds reversed', '4.10.1', '4.10.0'],
  ])('an empty range (%s) is rejected, naming the entry', (_what, min, below) => {
    const entries = catalogJson.entries.map((e) => (e.id === '4.10' ? { ...e, range: { min, below } } : e));
    expect(() => parseCatalog({ ...catalogJson, entries })).toThrow('lifecycle entry 4.10: empty range');
  });

  test('malformed catalogs are rejected', () => {
    expect(() => parseCatalog({ ...catalogJson, asOf: '01/06/2026' })).toThrow();
    const overlap = [...catalogJson.entries, { ...catalogJson.entries[6], id: 'dup' }];
    expect(() => parseCatalog({ ...catalogJson, entries: overlap })).toThrow('lifecycle entries 4.10 and dup overlap');
    const dated = catalogJson.entries.map((e) => (e.id === '4.10' ? { ...e, endOfSupport: undefined } : e));
    expect(() => parseCatalog({ ...catalogJson, entries: dated })).toThrow(/endOfSupport/);
  });

  test('loading refuses a catalog whose ranges or dates would give wrong verdicts, without the schema', () => {
    const base = DEFAULT_CATALOG;
    const swap = (id: string, over: Partial<(typeof base.entries)[number]>) => ({
      ...base,
      entries: base.entries.map((e) => (e.id === id ? { ...e, ...over } : e)),
    });
    expect(() => orderCatalog(swap('4.10', { endOfSupport: undefined }))).toThrow(/4\.10: endOfSupport is required/);
    expect(() => orderCatalog(swap('4.10', { range: { min: '4.10.0', below: '4.10.0' } }))).toThrow(
      /4\.10: empty range/,
    );
    expect(() => orderCatalog(swap('4.10', { range: { min: '4.10.0', below: '4.11.1' } }))).toThrow(/overlap/);
    expect(() => orderCatalog(swap('4.10', { range: { min: 'four', below: '4.11.0' } }))).toThrow(
      /four is not a version/,
    );
    const reversed = orderCatalog({ ...base, entries: [...base.entries].reverse() });
    expect(reversed.entries.map((e) => e.id)).toEqual(base.entries.map((e) => e.id));
  });
});
