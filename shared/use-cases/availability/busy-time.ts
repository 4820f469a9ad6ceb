import { AppError } from '../../domain/app-error.ts';
import { BusyIntervalBuffer, mergeBusyIntervals, parseInstantMs, type BusyColumns } from '../../domain/busy-intervals.ts';
import type { CalendarEvent } from '../../domain/calendar-event.ts';
import { isAllDay } from '../../domain/calendar-event.ts';
import type { Calendar, TimeRange } from '../../domain/calendar.ts';
import { blocksTime } from '../../domain/event-time.ts';
import { startOfDateUtcMs } from '../../domain/time-zone.ts';
import { resolveTimeZoneName } from '../../domain/windows-time-zones.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { RecurrenceExpander } from '../../ports/recurrence-expander.ts';

/**
 * Busy time as numbers, per calendar: the one source free/busy, availability and conflicts read. It is the
 * seam between "where busy time comes from" (the synced store inside each calendar's mirrored window, the
 * provider live outside it) and "what is done with it" (formatting, slot search).
 */

export type BusySource = 'store' | 'provider';

/** A part of the queried range and where its busy time came from. */
export interface BusyCoverage {
  startMs: number;
  endMs: number;
  source: BusySource;
}

export interface CalendarBusyTime {
  calendar: Calendar;
  /** Sorted, disjoint, non-touching busy intervals clipped to the range (epoch ms). */
  busy: BusyColumns;
  /** The parts of the range that were answered, in order; a part missing from it was not answered (see `error`). */
  coverage: BusyCoverage[];
  /** Why a part of the range has no answer (provider unreachable, say): never reported as free. */
  error: { code: string; message: string; retryable: boolean } | null;
}

export interface BusyTimeQuery {
  tenantId: string;
  calendarIds: readonly string[];
  range: TimeRange;
  /** Zone for all-day events of every calendar; each calendar's own zone when absent. */
  timeZone?: string | null | undefined;
}

export interface BusyTimeDeps {
  calendars: Pick<CalendarStore, 'get'>;
  events: Pick<EventStore, 'listInRange'>;
  expander: RecurrenceExpander;
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
 * Busy time of some of the tenant's calendars over a range, in the order asked. Every calendar must be the
 * tenant's: an unknown id is `resource.not_found` naming it (all or nothing).
 *
 * Single events (the bulk) go straight into typed-array buffers with their instants parsed by arithmetic,
 * in the store's start order; only series and their exceptions go through the recurrence expander. Each
 * calendar is merged by one sort-and-sweep (the starts need no sort).
 */
export async function collectBusyTime(deps: BusyTimeDeps, query: BusyTimeQuery): Promise<CalendarBusyTime[]> {
  const calendarIds = [...new Set(query.calendarIds)];
  const calendars = await Promise.all(calendarIds.map((id) => deps.calendars.get(query.tenantId, id)));
  const missing = calendarIds.find((_id, index) => calendars[index] === null);
  if (missing !== undefined) {
    throw new AppError('resource.not_found', `Calendar ${missing} not found`, { details: { field: 'query.calendarIds', calendarId: missing } });
  }

  const rangeStartMs = query.range.start.getTime();
  const rangeEndMs = query.range.end.getTime();
  const stored = await deps.events.listInRange(query.tenantId, calendarIds, query.range);
  const zones = new Map<string, string | null>();
  const buffers = new Map<string, BusyIntervalBuffer>();
  const expectedPerCalendar = Math.ceil(stored.length / Math.max(1, calendarIds.length)) + 16;
  for (const calendar of calendars) {
    if (!calendar) continue;
    // Calendar zones should be IANA; a Windows name is translated and junk read as UTC, never a 500.
    const zone = query.timeZone ?? calendar.timeZone;
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
    for (const occurrence of deps.expander.expand(seriesParts, query.range, zoneOf)) {
      if (!isBusy(occurrence.event)) continue;
      let instanceBuffer = instances.get(occurrence.event.calendarId);
      if (!instanceBuffer) instances.set(occurrence.event.calendarId, (instanceBuffer = new BusyIntervalBuffer(rangeStartMs, rangeEndMs)));
      instanceBuffer.add(occurrence.startMs, occurrence.endMs);
    }
  }

  const result: CalendarBusyTime[] = [];
  for (const calendar of calendars) {
    if (!calendar) continue;
    let merged = mergeBusyIntervals(buffers.get(calendar.id)!);
    const series = instances.get(calendar.id);
    if (series) {
      series.addAll(merged);
      merged = mergeBusyIntervals(series);
    }
    result.push({ calendar, busy: merged, coverage: [{ startMs: rangeStartMs, endMs: rangeEndMs, source: 'store' }], error: null });
  }
  return result;
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
