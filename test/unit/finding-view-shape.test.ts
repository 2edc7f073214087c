import { DateTime } from 'luxon';
import type { Finding } from '../../lib/domain/finding';
import {
  deadlineView,
  FINDING_CSV_COLUMNS,
  findingsToCsv,
  findingView,
  flattenFindingView,
  toCsv,
} from '../../lib/findings/view';

/** The finding shape every surface gives (CLI/API JSON and CSV), field by field. */

const ASOF = DateTime.fromISO('2026-03-02T15:30:00Z', { zone: 'utc' });

const plain: Finding = {
  id: 'f-1',
  ruleId: 'hcx-version-end-of-support',
  title: 'HCX version out of support',
  targetId: 'connector:dc1',
  targetName: 'dc1',
  targetKind: 'hcx-connector',
  subjectId: 'manager',
  subjectName: 'HCX Manager',
  subjectKind: 'manager',
  status: 'open',
  severity: 'high',
  owner: 'customer',
  message: 'upgrade',
  evidence: { source: 'catalog', version: '4.10.0' },
  firstSeenAt: '2026-02-01T05:00:00.000Z',
  lastSeenAt: '2026-03-01T05:00:00.000Z',
  lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
  reopenCount: 0,
};

describe('findingView', () => {
  it('an open finding without optional fields: exactly the required fields, no empty ones', () => {
    // toStrictEqual: an optional field is absent, not present as undefined.
    expect(findingView(plain, ASOF)).toStrictEqual({
      id: 'f-1',
      ruleId: 'hcx-version-end-of-support',
      severity: 'high',
      status: 'open',
      targetId: 'connector:dc1',
      targetName: 'dc1',
      targetKind: 'hcx-connector',
      subjectId: 'manager',
      subjectName: 'HCX Manager',
      subjectKind: 'manager',
      title: 'HCX version out of support',
      message: 'upgrade',
      owner: 'customer',
      evidence: { source: 'catalog', version: '4.10.0' },
      firstSeenAt: '2026-02-01T05:00:00.000Z',
      lastSeenAt: '2026-03-01T05:00:00.000Z',
      lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
      reopenCount: 0,
      references: [],
    });
  });

  it('carries resolvedAt, openedAt and scanId when the finding has them', () => {
    const v = findingView(
      {
        ...plain,
        status: 'resolved',
        resolvedAt: '2026-03-01T06:00:00.000Z',
        openedAt: '2026-02-01T05:00:00.000Z',
        scanId: 's-9',
        reopenCount: 2,
      },
      ASOF,
    );
    expect(v).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-03-01T06:00:00.000Z',
      openedAt: '2026-02-01T05:00:00.000Z',
      scanId: 's-9',
      reopenCount: 2,
    });
  });

  it('shows the underlying status and the suppression id only on a suppressed finding, each when known', () => {
    const stale = { underlyingStatus: 'resolved' as const, suppressionId: 'sup-1' };
    for (const status of ['open', 'unknown', 'resolved'] as const) {
      const v = findingView({ ...plain, status, ...stale }, ASOF);
      expect(v).not.toHaveProperty('underlyingStatus');
      expect(v).not.toHaveProperty('suppressionId');
    }
    const s = findingView({ ...plain, status: 'suppressed', ...stale }, ASOF);
    expect(s).toMatchObject({ status: 'suppressed', underlyingStatus: 'resolved', suppressionId: 'sup-1' });
    const bare = findingView({ ...plain, status: 'suppressed' }, ASOF);
    expect(bare).not.toHaveProperty('underlyingStatus');
    expect(bare).not.toHaveProperty('suppressionId');
  });

  it("copies the rule's references (the catalog's list is not handed out)", () => {
    const refs = [{ source: 'https://example.org/a', title: 'A' }];
    const v = findingView(plain, ASOF, (id) => (id === plain.ruleId ? refs : undefined));
    expect(v.references).toEqual(refs);
    expect(v.references).not.toBe(refs);
    expect(findingView(plain, ASOF, () => undefined).references).toEqual([]);
  });
});

describe('deadlineView', () => {
  const d = { date: '2026-04-01', basis: 'catalog' as const, daysLeft: 999, band: 'later' as const };

  it('counts days from the day of asOf and bands them at 0, 30, 90 and 180 days', () => {
    const at = (date: string) => deadlineView({ ...d, date }, ASOF);
    expect(at('2026-04-01')).toEqual({ date: '2026-04-01', basis: 'catalog', daysLeft: 30, band: 'd30' });
    expect(
      [at('2026-03-02'), at('2026-03-03'), at('2026-04-02'), at('2026-05-31'), at('2026-06-01')].map((v) => [
        v.daysLeft,
        v.band,
      ]),
    ).toEqual([
      [0, 'passed'],
      [1, 'd30'],
      [31, 'd90'],
      [90, 'd90'],
      [91, 'd180'],
    ]);
    expect([at('2026-08-29'), at('2026-08-30')].map((v) => [v.daysLeft, v.band])).toEqual([
      [180, 'd180'],
      [181, 'later'],
    ]);
  });

  it('keeps the later end of an observed bracket, and says "at the latest" only when it is so', () => {
    expect(deadlineView({ ...d, basis: 'observed', latestDate: '2026-04-10' }, ASOF)).toEqual({
      date: '2026-04-01',
      basis: 'observed',
      daysLeft: 30,
      band: 'd30',
      latestDate: '2026-04-10',
    });
    expect(deadlineView({ ...d, atTheLatest: true }, ASOF)).toMatchObject({ atTheLatest: true });
    expect(deadlineView({ ...d, atTheLatest: false }, ASOF)).not.toHaveProperty('atTheLatest');
    expect(deadlineView(d, ASOF)).not.toHaveProperty('latestDate');
  });

  it('is what findingView shows', () => {
    expect(findingView({ ...plain, deadline: d }, ASOF).deadline).toEqual(deadlineView(d, ASOF));
  });
});

describe('flattenFindingView', () => {
  it('gives every column; absent optional fields and no deadline are empty cells', () => {
    const row = flattenFindingView(findingView(plain, ASOF));
    expect(Object.keys(row)).toEqual([...FINDING_CSV_COLUMNS]);
    expect(row).toEqual({
      id: 'f-1',
      ruleId: 'hcx-version-end-of-support',
      severity: 'high',
      status: 'open',
      underlyingStatus: '',
      suppressionId: '',
      targetId: 'connector:dc1',
      targetName: 'dc1',
      targetKind: 'hcx-connector',
      subjectId: 'manager',
      subjectName: 'HCX Manager',
      subjectKind: 'manager',
      title: 'HCX version out of support',
      message: 'upgrade',
      owner: 'customer',
      deadline_date: '',
      deadline_basis: '',
      deadline_days_left: '',
      deadline_band: '',
      deadline_latest_date: '',
      deadline_at_the_latest: '',
      firstSeenAt: '2026-02-01T05:00:00.000Z',
      lastSeenAt: '2026-03-01T05:00:00.000Z',
      lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
      resolvedAt: '',
      openedAt: '',
      reopenCount: 0,
      scanId: '',
      evidence: '{"source":"catalog","version":"4.10.0"}',
      references: '[]',
    });
  });

  it('flattens the deadline, the suppression and the optional times when present', () => {
    const v = findingView(
      {
        ...plain,
        status: 'suppressed',
        underlyingStatus: 'open',
        suppressionId: 'sup-1',
        resolvedAt: '2026-03-01T06:00:00.000Z',
        openedAt: '2026-02-01T05:00:00.000Z',
        scanId: 's-9',
        deadline: {
          date: '2026-03-02',
          basis: 'observed',
          daysLeft: 5,
          band: 'd30',
          latestDate: '2026-03-09',
          atTheLatest: true,
        },
      },
      ASOF,
      () => [{ source: 'https://example.org/a', title: 'A' }],
    );
    expect(flattenFindingView(v)).toMatchObject({
      underlyingStatus: 'open',
      suppressionId: 'sup-1',
      deadline_date: '2026-03-02',
      deadline_basis: 'observed',
      deadline_days_left: 0,
      deadline_band: 'passed',
      deadline_latest_date: '2026-03-09',
      deadline_at_the_latest: 'true',
      resolvedAt: '2026-03-01T06:00:00.000Z',
      openedAt: '2026-02-01T05:00:00.000Z',
      scanId: 's-9',
      references: '[{"source":"https://example.org/a","title":"A"}]',
    });
  });
});

describe('CSV', () => {
  it('writes the header and the columns in order, an absent or null value as an empty cell', () => {
    expect(toCsv(['b', 'a', 'c'], [{ a: 1, b: 'x', c: null }, { a: 'y' }])).toBe('b,a,c\nx,1,\n,y,\n');
    expect(toCsv(['a'], [])).toBe('a\n');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('escapes the formula-like text %j, not a number', (text) => {
    const [, row] = toCsv(['a', 'n'], [{ a: text, n: -4 }]).split('\n');
    expect(row.startsWith(`'`) || row.startsWith(`"'`)).toBe(true);
    expect(row.endsWith(',-4')).toBe(true);
  });

  it('one row per finding under the finding columns', () => {
    const csv = findingsToCsv([findingView(plain, ASOF), findingView({ ...plain, id: 'f-2' }, ASOF)]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(FINDING_CSV_COLUMNS.join(','));
    expect(lines.map((l) => l.split(',')[0])).toEqual(['id', 'f-1', 'f-2']);
  });
});
