import { ValidationError } from '../../lib/errors';
import { checkFactValue, parseFactValue } from '../../lib/findings/facts';

/** The upgrade date a target's activation-key deadline is counted from: one check for the CLI and the API. */

const TODAY = '2026-03-02';

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('parseFactValue', () => {
  it('takes a calendar date up to today, without the surrounding spaces', () => {
    expect(parseFactValue('  2025-08-01\t', TODAY)).toBe('2025-08-01');
    expect(parseFactValue('2024-02-29', TODAY)).toBe('2024-02-29');
    expect(parseFactValue(TODAY, TODAY)).toBe(TODAY);
  });

  it.each([
    '20250801',
    '2025-8-01',
    '2025-08-1',
    '12025-08-01',
    // ISO 8601 extended years: luxon reads them, the fact is plain YYYY-MM-DD.
    '+002025-08-01',
    '-002025-08-01',
    '2025-08-011',
    'x2025-08-01',
    '2025-08-01x',
    '2025-02-29',
    '2025-00-10',
    '2025-08-01T00:00',
    '',
    '   ',
  ])('refuses %j as no date, naming the parameter', (bad) => {
    const e = refusal(() => parseFactValue(bad, TODAY, 'upgradedTo411At'));
    expect(e.message).toBe(`upgradedTo411At: expected a date YYYY-MM-DD (got "${bad.trim()}")`);
    expect(e.parameter).toBe('upgradedTo411At');
  });

  it('quotes at most 40 characters of a long value', () => {
    const e = refusal(() => parseFactValue('y'.repeat(100), TODAY));
    expect(e.message).toBe(`value: expected a date YYYY-MM-DD (got "${'y'.repeat(40)}")`);
    expect(e.parameter).toBe('value');
  });

  it('refuses a date after today, by the day', () => {
    const e = refusal(() => parseFactValue('2026-03-03', TODAY, '--date'));
    expect(e.message).toBe('--date: the upgrade date cannot be in the future (today is 2026-03-02)');
    expect(e.parameter).toBe('--date');
    expect(() => parseFactValue('2027-01-01', TODAY)).toThrow(ValidationError);
  });
});

describe('checkFactValue', () => {
  it('lets today and earlier pass, and refuses tomorrow with the default parameter name', () => {
    expect(() => checkFactValue(TODAY, TODAY)).not.toThrow();
    expect(() => checkFactValue('2026-03-01', TODAY)).not.toThrow();
    const e = refusal(() => checkFactValue('2026-03-03', TODAY));
    expect(e.message).toBe('value: the upgrade date cannot be in the future (today is 2026-03-02)');
    expect(e.parameter).toBe('value');
  });
});
