import type { CalendarEvent } from '../domain/calendar-event.ts';
import { isAllDay } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { eventIntervalUtc, eventTimeToUtcMs } from '../domain/event-time.ts';
import { resolveTimeZoneName } from '../domain/windows-time-zones.ts';
import type { Occurrence, RecurrenceExpander } from '../ports/recurrence-expander.ts';
import { dateToLocalMs, forEachSeriesInstance, isoDate, seriesZone } from './expand-series.ts';
import { parseRecurrenceLines, THIS_AND_FUTURE } from './recurrence-lines.ts';
import { fastPathHandles, generalRuleEngineLoaded, loadGeneralRuleEngine } from './rule-iteration.ts';
import { zoneOffsets } from './zone-offsets.ts';

const DAY_MS = 86_400_000;

/** Overrides of one series, indexed the two ways an instance can be matched. */
interface SeriesOverrides {
  /** Timed original starts of a timed series, by instant. */
  byInstant: Map<number, CalendarEvent>;
  /** Original starts by date: every override of an all-day series, DATE ones of a timed series. */
  byDate: Map<string, CalendarEvent>;
  /** RANGE=THISANDFUTURE overrides, by original start. */
  thisAndFuture: { originalMs: number; originalDate: string; event: CalendarEvent }[];
}

function seriesKey(calendarId: string, providerEventId: string): string {
  return `${calendarId}\u0000${providerEventId}`;
}

function isThisAndFuture(event: CalendarEvent): boolean {
  return event.recurrence?.length === 1 && event.recurrence[0] === THIS_AND_FUTURE;
}

function overlaps(startMs: number, endMs: number, rangeStartMs: number, rangeEndMs: number): boolean {
  if (endMs <= startMs) return startMs >= rangeStartMs && startMs < rangeEndMs;
  return startMs < rangeEndMs && endMs > rangeStartMs;
}

/**
 * The RecurrenceExpander of the system, for every provider: it works from stored `recurrence` lines (CalDAV
 * masters as the iCalendar parser writes them, Google masters as Google sends them), never from ICS text.
 *
 * - Masters expand in their own zone's wall time (09:00 stays 09:00 across DST), simple rules by plain
 *   arithmetic, the rest through ical.js.
 * - Exceptions and provider-expanded occurrences replace the instance with the same original start (matched
 *   by instant, or by date for all-day series) and appear at their own, possibly moved, time; a cancelled
 *   one removes its instance. Exceptions whose master is absent still appear.
 * - A RANGE=THISANDFUTURE exception replaces its instance and shifts every later one by the same amount.
 * - Anything with status `cancelled` (a cancelled single, a cancelled series) yields no occurrence.
 */
export class CalendarRecurrenceExpander implements RecurrenceExpander {
  async prepare(events: readonly CalendarEvent[]): Promise<void> {
    if (generalRuleEngineLoaded()) return;
    for (const event of events) {
      if (event.kind !== 'master' || !event.recurrence?.length) continue;
      const set = parseRecurrenceLines(event.recurrence, () => null);
      if ([...set.rrules, ...set.exrules].some((rule) => !fastPathHandles(rule))) {
        await loadGeneralRuleEngine();
        return;
      }
    }
  }

  expand(events: readonly CalendarEvent[], range: TimeRange, zoneOf: (calendarId: string) => string | null): Occurrence[] {
    const rangeStartMs = range.start.getTime();
    const rangeEndMs = range.end.getTime();
    // Calendar zones should be IANA already; a Windows name or junk must not make the whole expansion throw.
    const zones = new Map<string, string | null>();
    const zoneOfCalendar = (calendarId: string): string | null => {
      if (!zones.has(calendarId)) {
        const zone = zoneOf(calendarId);
        zones.set(calendarId, zone ? resolveTimeZoneName(zone) : null);
      }
      return zones.get(calendarId) ?? null;
    };
    const out: Occurrence[] = [];
    const masters: CalendarEvent[] = [];
    const overridesBySeries = new Map<string, CalendarEvent[]>();

    for (const event of events) {
      if ((event.kind === 'exception' || event.kind === 'occurrence') && event.recurringEventId !== null) {
        const key = seriesKey(event.calendarId, event.recurringEventId);
        const list = overridesBySeries.get(key);
        if (list) list.push(event);
        else overridesBySeries.set(key, [event]);
        this.emitStandalone(event, zoneOfCalendar(event.calendarId), rangeStartMs, rangeEndMs, out);
      } else if (event.kind === 'master' && event.recurrence && event.recurrence.length > 0) {
        masters.push(event);
      } else {
        this.emitStandalone(event, zoneOfCalendar(event.calendarId), rangeStartMs, rangeEndMs, out);
      }
    }

    for (const master of masters) {
      if (master.status === 'cancelled') continue;
      const allDayZone = zoneOfCalendar(master.calendarId);
      const overrides = indexOverrides(overridesBySeries.get(seriesKey(master.calendarId, master.providerEventId)) ?? [], master, allDayZone);
      this.emitSeries(master, overrides, allDayZone, rangeStartMs, rangeEndMs, out);
    }

    return out.sort(compareOccurrences);
  }

  private emitStandalone(event: CalendarEvent, allDayZone: string | null, rangeStartMs: number, rangeEndMs: number, out: Occurrence[]): void {
    if (event.status === 'cancelled') return;
    const { startMs, endMs } = eventIntervalUtc(event, allDayZone);
    if (!overlaps(startMs, endMs, rangeStartMs, rangeEndMs)) return;
    out.push({
      event,
      startMs,
      endMs,
      startDate: isAllDay(event.start) ? event.start.date : null,
      endDate: isAllDay(event.end) ? event.end.date : null,
      originalStartMs: event.originalStart ? eventTimeToUtcMs(event.originalStart, allDayZone) : null,
    });
  }

  private emitSeries(
    master: CalendarEvent,
    overrides: SeriesOverrides,
    allDayZone: string | null,
    rangeStartMs: number,
    rangeEndMs: number,
    out: Occurrence[],
  ): void {
    const allDay = isAllDay(master.start);
    // A THISANDFUTURE override can shift instances into the range from outside it.
    let marginMs = 0;
    for (const future of overrides.thisAndFuture) {
      const { startMs, endMs } = eventIntervalUtc(future.event, allDayZone);
      marginMs = Math.max(marginMs, Math.abs(startMs - future.originalMs) + (endMs - startMs));
    }
    const timedZone = allDay ? null : zoneOffsets(seriesZone(master.start));
    const hasDateOverrides = overrides.byDate.size > 0;
    const hasFuture = overrides.thisAndFuture.length > 0;
    forEachSeriesInstance(
      { start: master.start, end: master.end, recurrence: master.recurrence ?? [] },
      allDayZone,
      rangeStartMs - marginMs,
      rangeEndMs + marginMs,
      (localStart, startMs, endMs, startDate, endDate) => {
        // The exception (or its cancellation) stands in for the instance with its original start.
        if (!allDay && overrides.byInstant.has(startMs)) return;
        if (hasDateOverrides && overrides.byDate.has(startDate ?? isoDate(localStart))) return;
        const future = hasFuture ? latestThisAndFuture(overrides, startMs, startDate, allDay) : null;
        if (future) {
          const shifted = shiftInstance(localStart, future.event, future.originalMs, allDay, allDayZone, timedZone?.zone ?? 'UTC');
          if (shifted && future.event.status !== 'cancelled' && overlaps(shifted.startMs, shifted.endMs, rangeStartMs, rangeEndMs)) {
            out.push({ event: future.event, ...shifted, originalStartMs: startMs });
          }
          return;
        }
        if (!overlaps(startMs, endMs, rangeStartMs, rangeEndMs)) return;
        out.push({ event: master, startMs, endMs, startDate, endDate, originalStartMs: startMs });
      },
    );
  }
}

/** By start, then end; equal ones keep the input order (the sort is stable), which keeps this comparator numeric and cheap. */
function compareOccurrences(a: Occurrence, b: Occurrence): number {
  return a.startMs - b.startMs || a.endMs - b.endMs;
}

function indexOverrides(list: readonly CalendarEvent[], master: CalendarEvent, allDayZone: string | null): SeriesOverrides {
  const byInstant = new Map<number, CalendarEvent>();
  const byDate = new Map<string, CalendarEvent>();
  const thisAndFuture: SeriesOverrides['thisAndFuture'] = [];
  const allDaySeries = isAllDay(master.start);
  const frame = zoneOffsets(allDaySeries ? (allDayZone ?? 'UTC') : seriesZone(master.start));
  for (const event of list) {
    const original = event.originalStart;
    if (!original) continue;
    let originalMs: number;
    let originalDate: string;
    if (isAllDay(original)) {
      originalDate = original.date;
      originalMs = eventTimeToUtcMs(original, allDayZone);
      byDate.set(originalDate, event);
    } else {
      originalMs = Date.parse(original.dateTime);
      originalDate = isoDate(frame.utcToLocal(originalMs));
      if (allDaySeries) byDate.set(originalDate, event);
      else byInstant.set(originalMs, event);
    }
    if (isThisAndFuture(event)) thisAndFuture.push({ originalMs, originalDate, event });
  }
  thisAndFuture.sort((a, b) => a.originalMs - b.originalMs);
  return { byInstant, byDate, thisAndFuture };
}

function latestThisAndFuture(overrides: SeriesOverrides, startMs: number, startDate: string | null, allDay: boolean): SeriesOverrides['thisAndFuture'][number] | null {
  let found: SeriesOverrides['thisAndFuture'][number] | null = null;
  for (const future of overrides.thisAndFuture) {
    const applies = allDay ? future.originalDate <= (startDate ?? '') : future.originalMs <= startMs;
    if (applies) found = future;
  }
  return found;
}

/** An instance moved the way its THISANDFUTURE override moved its own instance, with the override's length. */
function shiftInstance(
  localStart: number,
  override: CalendarEvent,
  originalMs: number,
  allDay: boolean,
  allDayZone: string | null,
  zone: string,
): Omit<Occurrence, 'event' | 'originalStartMs'> | null {
  if (allDay) {
    if (!isAllDay(override.start) || !isAllDay(override.end) || !override.originalStart || !isAllDay(override.originalStart)) return null;
    const shiftDays = Math.round((dateToLocalMs(override.start.date) - dateToLocalMs(override.originalStart.date)) / DAY_MS);
    const lengthDays = Math.round((dateToLocalMs(override.end.date) - dateToLocalMs(override.start.date)) / DAY_MS);
    const startLocal = localStart + shiftDays * DAY_MS;
    const frame = zoneOffsets(allDayZone ?? 'UTC');
    return {
      startMs: frame.localToUtc(startLocal),
      endMs: frame.localToUtc(startLocal + lengthDays * DAY_MS),
      startDate: isoDate(startLocal),
      endDate: isoDate(startLocal + lengthDays * DAY_MS),
    };
  }
  if (isAllDay(override.start) || isAllDay(override.end)) return null;
  const frame = zoneOffsets(zone);
  const overrideStartMs = Date.parse(override.start.dateTime);
  const shiftLocal = frame.utcToLocal(overrideStartMs) - frame.utcToLocal(originalMs);
  const startMs = frame.localToUtc(localStart + shiftLocal);
  return { startMs, endMs: startMs + (Date.parse(override.end.dateTime) - overrideStartMs), startDate: null, endDate: null };
}
