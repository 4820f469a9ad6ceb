import type { CalendarEvent, EventTime, ProviderEvent } from './calendar-event.ts';
import { isAllDay } from './calendar-event.ts';
import { startOfDateUtcMs } from './time-zone.ts';

/**
 * The instant an EventTime stands for. All-day dates begin at midnight in `allDayZone` (the calendar's
 * zone, or the viewer's); with no zone they are read as UTC dates.
 */
export function eventTimeToUtcMs(time: EventTime, allDayZone: string | null): number {
  if (isAllDay(time)) return startOfDateUtcMs(time.date, allDayZone);
  return Date.parse(time.dateTime);
}

export interface UtcInterval {
  startMs: number;
  endMs: number;
}

/** The busy interval of one event (not a series: masters are expanded elsewhere). */
export function eventIntervalUtc(event: Pick<ProviderEvent, 'start' | 'end'>, allDayZone: string | null): UtcInterval {
  const startMs = eventTimeToUtcMs(event.start, allDayZone);
  const endMs = Math.max(startMs, eventTimeToUtcMs(event.end, allDayZone));
  return { startMs, endMs };
}

/** Whether an event blocks time for free/busy. */
export function blocksTime(event: Pick<CalendarEvent, 'status' | 'transparency'>): boolean {
  return event.status !== 'cancelled' && event.transparency === 'opaque';
}
