import { describe, expect, it } from 'vitest';
import { expandSeries, type SeriesSpec } from '../../../simulators/microsoft/recurrence.ts';
import type { PatternedRecurrence, RecurrencePattern, RecurrenceRange } from '../../../simulators/microsoft/model.ts';
import { resolveTimeZone } from '../../../simulators/microsoft/time-zones.ts';

function spec(pattern: Partial<RecurrencePattern> & Pick<RecurrencePattern, 'type'>, range: Partial<RecurrenceRange> & Pick<RecurrenceRange, 'type' | 'startDate'>, zone = 'UTC', time = { hour: 9, minute: 0, second: 0 }): SeriesSpec {
  const recurrence: PatternedRecurrence = {
    pattern: { interval: 1, month: 0, dayOfMonth: 0, daysOfWeek: [], firstDayOfWeek: 'sunday', index: 'first', ...pattern },
    range: { endDate: '0001-01-01', recurrenceTimeZone: zone, numberOfOccurrences: 0, ...range },
  };
  return { recurrence, zone, timeOfDay: time, durationMs: 30 * 60_000, allDayDays: null };
}

const FAR = Date.parse('2100-01-01T00:00:00Z');

function startsOf(series: SeriesSpec, until = FAR, limit = 50): string[] {
  const result: string[] = [];
  for (const occurrence of expandSeries(series, until)) {
    result.push(new Date(occurrence.startMs).toISOString().slice(0, 16));
    if (result.length >= limit) break;
  }
  return result;
}

describe('recurrence expander', () => {
  it('daily with an interval stops after numberOfOccurrences', () => {
    expect(startsOf(spec({ type: 'daily', interval: 3 }, { type: 'numbered', startDate: '2024-02-27', numberOfOccurrences: 4 }))).toEqual([
      '2024-02-27T09:00', '2024-03-01T09:00', '2024-03-04T09:00', '2024-03-07T09:00',
    ]);
  });

  it('weekly on several days every second week, counting weeks from firstDayOfWeek', () => {
    const series = spec({ type: 'weekly', interval: 2, daysOfWeek: ['monday', 'thursday'], firstDayOfWeek: 'monday' }, { type: 'endDate', startDate: '2024-05-09', endDate: '2024-06-03' });
    // 9 May is a Thursday: its week (from Monday 6 May) counts as week 0, so Monday 6 May is skipped.
    expect(startsOf(series)).toEqual(['2024-05-09T09:00', '2024-05-20T09:00', '2024-05-23T09:00', '2024-06-03T09:00']);
  });

  it('absoluteMonthly on day 31 falls back to the last day of shorter months', () => {
    expect(startsOf(spec({ type: 'absoluteMonthly', dayOfMonth: 31 }, { type: 'numbered', startDate: '2024-01-31', numberOfOccurrences: 4 }))).toEqual([
      '2024-01-31T09:00', '2024-02-29T09:00', '2024-03-31T09:00', '2024-04-30T09:00',
    ]);
  });

  it('relativeMonthly: the last Friday, and the first weekday, of each month', () => {
    expect(startsOf(spec({ type: 'relativeMonthly', daysOfWeek: ['friday'], index: 'last' }, { type: 'numbered', startDate: '2024-01-01', numberOfOccurrences: 3 }))).toEqual([
      '2024-01-26T09:00', '2024-02-23T09:00', '2024-03-29T09:00',
    ]);
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
    expect(startsOf(spec({ type: 'relativeMonthly', daysOfWeek: [...weekdays], index: 'first' }, { type: 'numbered', startDate: '2024-06-01', numberOfOccurrences: 3 }))).toEqual([
      '2024-06-03T09:00', '2024-07-01T09:00', '2024-08-01T09:00',
    ]);
  });

  it('absoluteYearly on 29 February and relativeYearly (fourth Thursday of November)', () => {
    expect(startsOf(spec({ type: 'absoluteYearly', month: 2, dayOfMonth: 29 }, { type: 'numbered', startDate: '2024-02-29', numberOfOccurrences: 3 }))).toEqual([
      '2024-02-29T09:00', '2025-02-28T09:00', '2026-02-28T09:00',
    ]);
    expect(startsOf(spec({ type: 'relativeYearly', month: 11, daysOfWeek: ['thursday'], index: 'fourth' }, { type: 'numbered', startDate: '2024-01-01', numberOfOccurrences: 2 }))).toEqual([
      '2024-11-28T09:00', '2025-11-27T09:00',
    ]);
  });

  it('keeps the wall time across a DST change in the series time zone (Windows name)', () => {
    const zone = resolveTimeZone('Pacific Standard Time')!;
    const series = spec({ type: 'weekly', daysOfWeek: ['friday'] }, { type: 'numbered', startDate: '2024-03-01', numberOfOccurrences: 3 }, zone);
    // 9:00 PST is 17:00Z; after the switch on 10 March, 9:00 PDT is 16:00Z.
    expect(startsOf(series)).toEqual(['2024-03-01T17:00', '2024-03-08T17:00', '2024-03-15T16:00']);
  });

  it('endDate is inclusive, noEnd stops at the requested horizon', () => {
    expect(startsOf(spec({ type: 'daily' }, { type: 'endDate', startDate: '2024-01-01', endDate: '2024-01-03' }))).toHaveLength(3);
    expect(startsOf(spec({ type: 'daily' }, { type: 'noEnd', startDate: '2024-01-01' }), Date.parse('2024-01-10T00:00:00Z'))).toHaveLength(9);
  });
});
