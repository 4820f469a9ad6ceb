import { BusyIntervalBuffer, mergeBusyIntervals, parseInstantMs, type BusyColumns } from '../../domain/busy-intervals.ts';
import { addSingleEvent, isSeriesPart, type StoredBusyTime } from '../../domain/busy-projection.ts';
import type { CalendarEvent, EventTime, ProviderEvent } from '../../domain/calendar-event.ts';
import { isAllDay } from '../../domain/calendar-event.ts';
import type { Calendar, TimeRange } from '../../domain/calendar.ts';
import { blocksOwnerTime } from '../../domain/event-time.ts';
import { startOfDateUtcMs } from '../../domain/time-zone.ts';
import type { ProviderBusy } from '../../ports/calendar-provider.ts';
import type { RecurrenceExpander } from '../../ports/recurrence-expander.ts';

/** The pieces busy time is assembled from, for the store's part and the provider's parts alike. */

export type Midnights = (date: string, zone: string | null) => number;

/** Midnight starting a date in a zone, cached: many all-day events share a day. */
export function allDayMidnights(): Midnights {
  const cache = new Map<string, number>();
  return (date, zone) => {
    const key = zone === null ? date : `${zone}\u0000${date}`;
    let ms = cache.get(key);
    if (ms === undefined) {
      ms = startOfDateUtcMs(date, zone);
      cache.set(key, ms);
    }
    return ms;
  };
}

/** All-day sides become midnights in the zone; the result is clipped to `range`. */
export function addAllDay(allDay: StoredBusyTime['allDay'], range: TimeRange, zone: string | null, midnight: Midnights, into: BusyIntervalBuffer): void {
  if (allDay.length === 0) return;
  const clipped = new BusyIntervalBuffer(range.start.getTime(), range.end.getTime());
  const instant = (time: EventTime): number => (isAllDay(time) ? midnight(time.date, zone) : parseInstantMs(time.dateTime));
  for (const { start, end } of allDay) clipped.add(instant(start), instant(end));
  into.addAll(clipped);
}

/** Series instances in `range` that make the owner busy, clipped to it (the expander must be prepared). */
export function addExpanded(expander: RecurrenceExpander, series: readonly CalendarEvent[], range: TimeRange, zoneOf: (calendarId: string) => string | null, into: BusyIntervalBuffer): void {
  const clipped = new BusyIntervalBuffer(range.start.getTime(), range.end.getTime());
  for (const occurrence of expander.expand(series, range, zoneOf)) {
    if (blocksOwnerTime(occurrence.event)) clipped.add(occurrence.startMs, occurrence.endMs);
  }
  into.addAll(clipped);
}

/** Provider events in the shape the expander takes (stored-event fields; ids the provider's). */
export function asStoredEvents(events: readonly ProviderEvent[], calendar: Pick<Calendar, 'tenantId' | 'connectionId' | 'id'>): CalendarEvent[] {
  return events.map((event) => ({ ...event, tenantId: calendar.tenantId, connectionId: calendar.connectionId, calendarId: calendar.id, id: event.providerEventId, contentHash: '' }));
}

/**
 * A calendar's busy time over `range` from a provider's live answer (`queryBusy`), merged and clipped: the
 * provider's intervals as they are, or its events through the same busy rule and recurrence expander as
 * stored events (all-day dates placed in `zone`).
 */
export async function providerBusyColumns(
  expander: RecurrenceExpander,
  answer: ProviderBusy,
  calendar: Pick<Calendar, 'tenantId' | 'connectionId' | 'id'>,
  range: TimeRange,
  zone: string | null,
  midnight: Midnights = allDayMidnights(),
): Promise<BusyColumns> {
  const busy = new BusyIntervalBuffer(range.start.getTime(), range.end.getTime());
  if (answer.kind === 'intervals') {
    for (const interval of answer.intervals) busy.add(interval.startMs, interval.endMs);
    return mergeBusyIntervals(busy);
  }
  const allDay: StoredBusyTime['allDay'] = [];
  const series: CalendarEvent[] = [];
  for (const event of asStoredEvents(answer.events, calendar)) {
    if (isSeriesPart(event)) series.push(event);
    else addSingleEvent(event, busy, allDay);
  }
  addAllDay(allDay, range, zone, midnight, busy);
  if (series.length > 0) {
    await expander.prepare(series);
    addExpanded(expander, series, range, () => zone, busy);
  }
  return mergeBusyIntervals(busy);
}
