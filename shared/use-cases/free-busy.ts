import { AppError } from '../domain/app-error.ts';
import { BusyIntervalBuffer, createIsoFormatter, mergeBusyIntervals, parseInstantMs, toIsoIntervals, type IsoInterval } from '../domain/busy-intervals.ts';
import type { CalendarEvent, EventTime } from '../domain/calendar-event.ts';
import { isAllDay } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { blocksTime } from '../domain/event-time.ts';
import { startOfDateUtcMs } from '../domain/time-zone.ts';
import type { CalendarStore } from '../ports/calendar-store.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { RecurrenceExpander } from '../ports/recurrence-expander.ts';

export interface FreeBusyDeps {
  calendars: Pick<CalendarStore, 'get'>;
  events: Pick<EventStore, 'listInRange'>;
  expander: RecurrenceExpander;
}

export interface FreeBusyInput {
  tenantId: string;
  calendarIds: readonly string[];
  range: TimeRange;
  /** Zone for all-day events of every calendar; each calendar's own zone when absent. */
  timeZone?: string | null | undefined;
}

export interface CalendarBusy {
  busy: IsoInterval[];
  syncEnabled: boolean;
  lastSyncedAt: string | null;
}

export interface FreeBusyResult {
  start: string;
  end: string;
  timeZone: string | null;
  /** All requested calendars merged. */
  busy: IsoInterval[];
  calendars: Record<string, CalendarBusy>;
}

/** Whether an event makes its calendar's owner busy: it blocks time and the owner has not declined it. */
function isBusy(event: CalendarEvent): boolean {
  if (!blocksTime(event)) return false;
  for (const attendee of event.attendees) if (attendee.self && attendee.responseStatus === 'declined') return false;
  return true;
}

/** The events the expander must see together: series masters and the exceptions and occurrences of a series. */
function isSeriesPart(event: CalendarEvent): boolean {
  if (event.kind === 'master') return event.recurrence !== null && event.recurrence.length > 0;
  return (event.kind === 'exception' || event.kind === 'occurrence') && event.recurringEventId !== null;
}

/**
 * Busy time of some of the tenant's calendars over a range, from the store alone. Single events (the bulk)
 * go straight into typed-array buffers with their instants parsed by arithmetic; only series and their
 * exceptions go through the recurrence expander. Each calendar is merged by one sort-and-sweep, and the
 * merged calendars once more for the total; ISO text is written for merged intervals only.
 */
export async function freeBusy(deps: FreeBusyDeps, input: FreeBusyInput): Promise<FreeBusyResult> {
  const calendarIds = [...new Set(input.calendarIds)];
  const calendars = await Promise.all(calendarIds.map((id) => deps.calendars.get(input.tenantId, id)));
  const missing = calendarIds.find((_id, index) => calendars[index] === null);
  if (missing !== undefined) {
    throw new AppError('resource.not_found', `Calendar ${missing} not found`, { details: { field: 'query.calendarIds', calendarId: missing } });
  }

  const rangeStartMs = input.range.start.getTime();
  const rangeEndMs = input.range.end.getTime();
  const zones = new Map<string, string | null>();
  const buffers = new Map<string, BusyIntervalBuffer>();
  for (const calendar of calendars) {
    if (!calendar) continue;
    zones.set(calendar.id, input.timeZone ?? calendar.timeZone);
    buffers.set(calendar.id, new BusyIntervalBuffer(rangeStartMs, rangeEndMs, 256));
  }
  const zoneOf = (calendarId: string): string | null => zones.get(calendarId) ?? null;
  const toMs = instantReader();

  const stored = await deps.events.listInRange(input.tenantId, calendarIds, input.range);
  const seriesParts: CalendarEvent[] = [];
  for (const event of stored) {
    if (isSeriesPart(event)) {
      seriesParts.push(event);
      continue;
    }
    if (!isBusy(event)) continue;
    const buffer = buffers.get(event.calendarId);
    if (!buffer) continue;
    const zone = zoneOf(event.calendarId);
    buffer.add(toMs(event.start, zone), toMs(event.end, zone));
  }
  if (seriesParts.length > 0) {
    for (const occurrence of deps.expander.expand(seriesParts, input.range, zoneOf)) {
      if (isBusy(occurrence.event)) buffers.get(occurrence.event.calendarId)?.add(occurrence.startMs, occurrence.endMs);
    }
  }

  const format = createIsoFormatter();
  const total = new BusyIntervalBuffer(rangeStartMs, rangeEndMs, 1024);
  const perCalendar: Record<string, CalendarBusy> = {};
  for (const calendar of calendars) {
    if (!calendar) continue;
    const merged = mergeBusyIntervals(buffers.get(calendar.id)!);
    total.addAll(merged);
    perCalendar[calendar.id] = { busy: toIsoIntervals(merged, format), syncEnabled: calendar.syncEnabled, lastSyncedAt: calendar.lastSyncedAt };
  }
  return {
    start: format(rangeStartMs),
    end: format(rangeEndMs),
    timeZone: input.timeZone ?? null,
    busy: toIsoIntervals(mergeBusyIntervals(total), format),
    calendars: perCalendar,
  };
}

/** EventTime → epoch ms; all-day dates start at midnight in the zone (cached: many events share a day). */
function instantReader(): (time: EventTime, zone: string | null) => number {
  const midnights = new Map<string, number>();
  return (time, zone) => {
    if (!isAllDay(time)) return parseInstantMs(time.dateTime);
    const key = zone === null ? time.date : `${zone}\u0000${time.date}`;
    let ms = midnights.get(key);
    if (ms === undefined) {
      ms = startOfDateUtcMs(time.date, zone);
      midnights.set(key, ms);
    }
    return ms;
  };
}
