import { startOfDateUtcMs, wallTimeToUtcMs, type WallTime } from '../../../shared/domain/time-zone.ts';
import { dayFromNumber, dayNumber, daysInMonth, formatDateOnly, parseDateOnly, weekdayOf, type CalendarDay } from './graph-time.ts';
import { DAYS_OF_WEEK, type PatternedRecurrence, type RecurrencePattern, type WeekIndex } from './model.ts';

/** A series as the expander needs it: the pattern, and the first occurrence's wall time in the series' zone. */
export interface SeriesSpec {
  recurrence: PatternedRecurrence;
  /** IANA zone the pattern is evaluated in (`range.recurrenceTimeZone`, else the start's zone). */
  zone: string;
  /** Time of day of every occurrence (the master's start, in `zone`). */
  timeOfDay: Pick<WallTime, 'hour' | 'minute' | 'second'>;
  /** Timed series: the duration. All-day series: ignored. */
  durationMs: number;
  /** All-day series: number of days each occurrence spans. */
  allDayDays: number | null;
}

export interface Occurrence {
  originalStartMs: number;
  startMs: number;
  endMs: number;
}

// Guards against patterns that can never yield (a bad spec must not hang a test).
const MAX_STEPS = 200_000;
const INDEX_ORDINAL: Record<WeekIndex, number> = { first: 0, second: 1, third: 2, fourth: 3, last: -1 };

function addMonths(year: number, month: number, count: number): { year: number; month: number } {
  const zeroBased = year * 12 + (month - 1) + count;
  return { year: Math.floor(zeroBased / 12), month: (zeroBased % 12) + 1 };
}

/** Outlook clamps a day-of-month that a month lacks (31 → 30 in April, → 28/29 in February). */
function clampedDay(year: number, month: number, dayOfMonth: number): CalendarDay {
  return { year, month, day: Math.min(Math.max(1, dayOfMonth), daysInMonth(year, month)) };
}

/** The `index`-th day of the month whose weekday is one of `days` (e.g. first weekday, last Friday). */
function relativeDay(year: number, month: number, days: readonly number[], index: WeekIndex): CalendarDay | null {
  const matching: CalendarDay[] = [];
  for (let day = 1; day <= daysInMonth(year, month); day++) {
    const date = { year, month, day };
    if (days.includes(weekdayOf(date))) matching.push(date);
  }
  const ordinal = INDEX_ORDINAL[index];
  return (ordinal < 0 ? matching[matching.length - 1] : matching[ordinal]) ?? null;
}

/** Every date the pattern produces on or after `start`, in order, without the range's end. */
function* patternDates(pattern: RecurrencePattern, start: CalendarDay): Generator<CalendarDay> {
  const interval = Math.max(1, Math.floor(pattern.interval) || 1);
  const startN = dayNumber(start);
  const weekdays = pattern.daysOfWeek.map((d) => DAYS_OF_WEEK.indexOf(d)).filter((d) => d >= 0);
  switch (pattern.type) {
    case 'daily':
      for (let step = 0; step < MAX_STEPS; step++) yield dayFromNumber(startN + step * interval);
      return;
    case 'weekly': {
      const firstDay = Math.max(0, DAYS_OF_WEEK.indexOf(pattern.firstDayOfWeek));
      const weekStartN = startN - ((weekdayOf(start) - firstDay + 7) % 7);
      const offsets = [...new Set(weekdays.map((d) => (d - firstDay + 7) % 7))].sort((a, b) => a - b);
      if (offsets.length === 0) return;
      for (let week = 0; week < MAX_STEPS; week += interval) {
        for (const offset of offsets) {
          const n = weekStartN + week * 7 + offset;
          if (n >= startN) yield dayFromNumber(n);
        }
      }
      return;
    }
    case 'absoluteMonthly':
    case 'relativeMonthly':
      for (let step = 0; step < MAX_STEPS; step += interval) {
        const { year, month } = addMonths(start.year, start.month, step);
        const date = pattern.type === 'absoluteMonthly' ? clampedDay(year, month, pattern.dayOfMonth) : relativeDay(year, month, weekdays, pattern.index);
        if (date && dayNumber(date) >= startN) yield date;
      }
      return;
    case 'absoluteYearly':
    case 'relativeYearly':
      for (let step = 0; step < MAX_STEPS; step += interval) {
        const year = start.year + step;
        const date = pattern.type === 'absoluteYearly' ? clampedDay(year, pattern.month, pattern.dayOfMonth) : relativeDay(year, pattern.month, weekdays, pattern.index);
        if (date && dayNumber(date) >= startN) yield date;
      }
      return;
  }
}

/**
 * Occurrences of a series in order, from `range.startDate` until the range ends or an occurrence starts at
 * or after `untilMs`. Cancelled occurrences are included (they still count towards `numberOfOccurrences`).
 */
export function* expandSeries(spec: SeriesSpec, untilMs: number): Generator<Occurrence> {
  const { pattern, range } = spec.recurrence;
  const start = parseDateOnly(range.startDate);
  if (!start) return;
  const end = range.type === 'endDate' ? parseDateOnly(range.endDate) : null;
  const endN = end ? dayNumber(end) : Number.POSITIVE_INFINITY;
  let count = 0;
  for (const date of patternDates(pattern, start)) {
    if (dayNumber(date) > endN) return;
    if (range.type === 'numbered' && count >= range.numberOfOccurrences) return;
    count++;
    let startMs: number;
    let endMs: number;
    if (spec.allDayDays !== null) {
      startMs = startOfDateUtcMs(formatDateOnly(date), spec.zone);
      endMs = startOfDateUtcMs(formatDateOnly(dayFromNumber(dayNumber(date) + spec.allDayDays)), spec.zone);
    } else {
      startMs = wallTimeToUtcMs({ ...date, ...spec.timeOfDay }, spec.zone);
      endMs = startMs + spec.durationMs;
    }
    if (startMs >= untilMs) return;
    yield { originalStartMs: startMs, startMs, endMs };
  }
}
