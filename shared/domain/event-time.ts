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

/**
 * Whether an event makes its calendar's owner busy: it blocks time (not cancelled, not transparent) and the
 * owner (the attendee marked `self`) has not declined it. The one busy rule of free/busy and availability,
 * for stored events and for events read live from a provider alike.
 */
export function blocksOwnerTime(event: Pick<CalendarEvent, 'status' | 'transparency' | 'attendees'>): boolean {
  if (!blocksTime(event)) return false;
  const attendees = event.attendees;
  for (let i = 0; i < attendees.length; i++) if (attendees[i]!.self && attendees[i]!.responseStatus === 'declined') return false;
  return true;
}
