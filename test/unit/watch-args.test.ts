import { parseEvery, parseUntil } from '../../lib/cli/watch';
import { ValidationError } from '../../lib/errors';

describe('hcxmon watch arguments', () => {
  const until = (v: string) => {
    const u = parseUntil(v);
    return u.kind === 'time' ? u.at.toUTC().toISO() : u.kind;
  };

  it('--until: converged, or a date-time with a date (UTC unless a zone is given)', () => {
    expect(until('converged')).toBe('converged');
    expect(until('2026-12-02T13:00Z')).toBe('2026-12-02T13:00:00.000Z');
    expect(until('2026-12-02T13:00')).toBe('2026-12-02T13:00:00.000Z');
    expect(until('2026-12-02T13:00+01:00')).toBe('2026-12-02T12:00:00.000Z');
    expect(until('2026-12-02')).toBe('2026-12-02T00:00:00.000Z');
  });

  it('--until refuses a bare time (it would mean the machine’s today), words and impossible dates', () => {
    for (const v of ['13:00', 'T13:00', 'tomorrow', '2026-13-01T00:00Z', ''])
      expect(() => parseUntil(v)).toThrow(ValidationError);
  });

  it('--every: 10 s to 24 h, minutes by default', () => {
    expect(parseEvery('2m')).toBe(120_000);
    expect(parseEvery('90')).toBe(5_400_000);
    expect(parseEvery('10s')).toBe(10_000);
    for (const v of ['5s', '0', '1.5m', '25h', 'soon']) expect(() => parseEvery(v)).toThrow(ValidationError);
  });
});
