import { AppError } from '../domain/app-error.ts';
import { BusyIntervalBuffer, createIsoFormatter, mergeBusyIntervals, parseInstantMs, toIsoIntervals, type IsoInterval } from '../domain/busy-intervals.ts';
import type { CalendarEvent } from '../domain/calendar-event.ts';
import { isAllDay } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { blocksTime } from '../domain/event-time.ts';
import { startOfDateUtcMs } from '../domain/time-zone.ts';
import { resolveTimeZoneName } from '../domain/windows-time-zones.ts';
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
  const attendees = event.attendees;
  for (let i = 0; i < attendees.length; i++) if (attendees[i]!.self && attendees[i]!.responseStatus === 'declined') return false;
  return true;
}

/** The events the expander must see together: series masters and the exceptions and occurrences of a series. */
function isSeriesPart(event: CalendarEvent): boolean {
  if (event.kind === 'master') return event.recurrence !== null && event.recurrence.length > 0;
  return (event.kind === 'exception' || event.kind === 'occurrence') && event.recurringEventId !== null;
}

/**
 * Busy time of some of the tenant's calendars over a range, from the store alone. Single events (the bulk)
 * go straight into typed-array buffers with their instants parsed by arithmetic, in the store's start order;
 * only series and their exceptions go through the recurrence expander. Each calendar is merged by one
 * sort-and-sweep (the starts need no sort), the merged calendars once more for the total, and ISO text is
 * written for merged intervals only. What remains costly is touching every stored event object and reading
 * its two ISO strings: see test/bench/free-busy.bench.ts.
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
  const stored = await deps.events.listInRange(input.tenantId, calendarIds, input.range);
  const zones = new Map<string, string | null>();
  const buffers = new Map<string, BusyIntervalBuffer>();
  const expectedPerCalendar = Math.ceil(stored.length / calendarIds.length) + 16;
  for (const calendar of calendars) {
    if (!calendar) continue;
    // Calendar zones should be IANA; a Windows name is translated and junk read as UTC, never a 500.
    const zone = input.timeZone ?? calendar.timeZone;
    zones.set(calendar.id, zone ? resolveTimeZoneName(zone) : null);
    buffers.set(calendar.id, new BusyIntervalBuffer(rangeStartMs, rangeEndMs, expectedPerCalendar));
  }
  const zoneOf = (calendarId: string): string | null => zones.get(calendarId) ?? null;
  const midnight = allDayMidnights();

  const seriesParts: CalendarEvent[] = [];
  // The store answers calendar by calendar: look the buffer and zone up only when the calendar changes.
  let calendarId: string | null = null;
  let buffer: BusyIntervalBuffer | undefined;
  let zone: string | null = null;
  for (const event of stored) {
    if (isSeriesPart(event)) {
      seriesParts.push(event);
      continue;
    }
    if (!isBusy(event)) continue;
    if (event.calendarId !== calendarId) {
      calendarId = event.calendarId;
      buffer = buffers.get(calendarId);
      zone = zoneOf(calendarId);
    }
    if (!buffer) continue;
    const { start, end } = event;
    buffer.add(isAllDay(start) ? midnight(start.date, zone) : parseInstantMs(start.dateTime), isAllDay(end) ? midnight(end.date, zone) : parseInstantMs(end.dateTime));
  }
  // Series instances go to buffers of their own, so the singles keep the store's start order (no sort).
  const instances = new Map<string, BusyIntervalBuffer>();
  if (seriesParts.length > 0) {
    await deps.expander.prepare(seriesParts);
    for (const occurrence of deps.expander.expand(seriesParts, input.range, zoneOf)) {
      if (!isBusy(occurrence.event)) continue;
      let buffer = instances.get(occurrence.event.calendarId);
      if (!buffer) instances.set(occurrence.event.calendarId, (buffer = new BusyIntervalBuffer(rangeStartMs, rangeEndMs)));
      buffer.add(occurrence.startMs, occurrence.endMs);
    }
  }

  const format = createIsoFormatter();
  const total = new BusyIntervalBuffer(rangeStartMs, rangeEndMs, 1024);
  const perCalendar: Record<string, CalendarBusy> = {};
  for (const calendar of calendars) {
    if (!calendar) continue;
    let merged = mergeBusyIntervals(buffers.get(calendar.id)!);
    const series = instances.get(calendar.id);
    if (series) {
      series.addAll(merged);
      merged = mergeBusyIntervals(series);
    }
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

/** Midnight starting a date in a zone, cached: many all-day events share a day. */
function allDayMidnights(): (date: string, zone: string | null) => number {
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
