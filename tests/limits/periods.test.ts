import { describe, expect, it } from 'vitest';
import { budgetPeriodKey, dayPeriod, monthPeriod, weekPeriod } from '../../server/limits/periods.js';

describe('budget period names (UTC)', () => {
  it('names the day, the week by its Monday and the month, across a year boundary', () => {
    const sunday = Date.parse('2028-01-02T23:59:59.999Z');
    expect(dayPeriod(sunday)).toBe('d:2028-01-02');
    expect(weekPeriod(sunday)).toBe('w:2027-12-27');
    expect(monthPeriod(sunday)).toBe('m:2028-01');
    const monday = sunday + 1;
    expect([dayPeriod(monday), weekPeriod(monday), monthPeriod(monday)]).toEqual(['d:2028-01-03', 'w:2028-01-03', 'm:2028-01']);
  });

  it('gives the right names when calls alternate between days (the per-day memo is not stale)', () => {
    const a = Date.parse('2026-02-28T12:00:00Z');
    const b = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      expect(budgetPeriodKey('daily', a)).toBe('d:2026-02-28');
      expect(budgetPeriodKey('monthly', b)).toBe('m:2026-03');
      expect(budgetPeriodKey('weekly', b)).toBe('w:2026-02-23');
      expect(budgetPeriodKey('total', b)).toBe('total');
    }
  });
});
