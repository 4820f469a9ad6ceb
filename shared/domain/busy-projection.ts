import { BusyIntervalBuffer, parseInstantMs, type BusyColumns } from './busy-intervals.ts';
import type { CalendarEvent, EventTime } from './calendar-event.ts';
import type { TimeRange } from './calendar.ts';
import { blocksOwnerTime } from './event-time.ts';

/**
 * What free/busy needs of one calendar's events over a range: numbers for timed single events, dates for
 * all-day ones, whole events only for series (the expander needs them). The event store produces it
 * straight from its items (EventStore.listBusyInRange); `projectBusyEvents` produces it from events.
 */
export interface StoredBusyTime {
  calendarId: string;
  /**
   * Timed single events that make the owner busy (`blocksOwnerTime`), [start, end) in epoch ms clipped to
   * the range, in the store's order (ascending start, then the few long events).
   */
  timed: BusyColumns;
  /** Single events with an all-day side that make the owner busy: the caller places their dates in a zone. */
  allDay: { start: EventTime; end: EventTime }[];
  /** Series masters with their exceptions and occurrences, whatever their status: the expander needs them together. */
  series: CalendarEvent[];
}

/** The events the expander must see together: series masters and the exceptions and occurrences of a series. */
export function isSeriesPart(event: Pick<CalendarEvent, 'kind' | 'recurrence' | 'recurringEventId'>): boolean {
  if (event.kind === 'master') return event.recurrence !== null && event.recurrence.length > 0;
  return (event.kind === 'exception' || event.kind === 'occurrence') && event.recurringEventId !== null;
}

/** Adds a single (non-series) event to the projection when it makes the owner busy. */
export function addSingleEvent(event: Pick<CalendarEvent, 'status' | 'transparency' | 'attendees' | 'start' | 'end'>, timed: BusyIntervalBuffer, allDay: StoredBusyTime['allDay']): void {
  if (!blocksOwnerTime(event)) return;
  const { start, end } = event;
  if ('dateTime' in start && 'dateTime' in end) timed.add(parseInstantMs(start.dateTime), parseInstantMs(end.dateTime));
  else allDay.push({ start, end });
}

/** The projection of decoded events (in-memory stores; stores without a projection of their own). */
export function projectBusyEvents(events: readonly CalendarEvent[], calendarId: string, range: TimeRange): StoredBusyTime {
  const timed = new BusyIntervalBuffer(range.start.getTime(), range.end.getTime(), events.length + 1);
  const allDay: StoredBusyTime['allDay'] = [];
  const series: CalendarEvent[] = [];
  for (const event of events) {
    if (isSeriesPart(event)) series.push(event);
    else addSingleEvent(event, timed, allDay);
  }
  return { calendarId, timed, allDay, series };
}
