import { AppError } from '../../domain/app-error.ts';
import { BusyIntervalBuffer, mergeBusyIntervals, type BusyColumns } from '../../domain/busy-intervals.ts';
import { projectBusyEvents, type StoredBusyTime } from '../../domain/busy-projection.ts';
import type { Calendar, TimeRange } from '../../domain/calendar.ts';
import { mirroredRange, mirroredRangeForZone, splitByMirror, type RangeSplit } from '../../domain/mirrored-window.ts';
import { resolveTimeZoneName } from '../../domain/windows-time-zones.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { RecurrenceExpander } from '../../ports/recurrence-expander.ts';
import { addAllDay, addExpanded, allDayMidnights, providerBusyColumns } from './busy-parts.ts';
import { readLiveBusy, type BusyTimeError, type LiveBusyDeps, type LivePart } from './live-busy-time.ts';

/**
 * Busy time as numbers, per calendar: the one source free/busy, availability and conflicts read. It is the
 * seam between "where busy time comes from" (the synced store inside each calendar's mirrored window, the
 * provider live outside it) and "what is done with it" (formatting, slot search).
 */

export type BusySource = 'store' | 'provider';
export type { BusyTimeError } from './live-busy-time.ts';

/** A part of the queried range and where its busy time came from. */
export interface BusyCoverage {
  startMs: number;
  endMs: number;
  source: BusySource;
}

export interface CalendarBusyTime {
  calendar: Calendar;
  /** Sorted, disjoint, non-touching busy intervals clipped to the range (epoch ms): what is known. */
  busy: BusyColumns;
  /** The parts of the range that were answered, in order; a part missing from it was not answered (see `error`). */
  coverage: BusyCoverage[];
  /** Why a part of the range has no answer (provider unreachable, say): never reported as free. */
  error: BusyTimeError | null;
}

export interface BusyTimeQuery {
  tenantId: string;
  calendarIds: readonly string[];
  range: TimeRange;
  /** Zone for all-day events of every calendar; each calendar's own zone when absent. */
  timeZone?: string | null | undefined;
  /**
   * `provider`: read the whole range live, ignoring the mirror — the re-check just before a booking is
   * written, since the store can be seconds behind the calendar. Default: the store inside the mirrored window.
   */
  source?: 'mirror' | 'provider' | undefined;
}

export interface BusyTimeDeps extends LiveBusyDeps {
  calendars: Pick<CalendarStore, 'get'>;
  /** `listBusyInRange` (the numeric projection) when the store has it; else events from `listInRange`. */
  events: Pick<EventStore, 'listInRange'> & Partial<Pick<EventStore, 'listBusyInRange'>>;
  expander: RecurrenceExpander;
  /** "Now" for each calendar's mirrored window (default: the system clock). */
  clock?: Clock | undefined;
}

interface CalendarPlan {
  calendar: Calendar;
  /** Resolved zone for all-day events (null = UTC dates). */
  zone: string | null;
  split: RangeSplit;
}

/**
 * Busy time of some of the tenant's calendars over a range, in the order asked. Every calendar must be the
 * tenant's: an unknown id is `resource.not_found` naming it (all or nothing).
 *
 * Each calendar's range is split by its mirrored window (`mirroredRange`): the part inside comes from the
 * store, the parts outside from the provider, live (`readLiveBusy`), and the two are merged. A part the
 * provider could not answer is left out of `coverage` and explained in `error`; the busy time returned is
 * then what is known, never "free" for the unknown part.
 *
 * From the store, single events (the bulk) arrive as numbers (`listBusyInRange`) in start order; only series
 * go through the recurrence expander. Events read live go through the same busy rule and expander.
 */
export async function collectBusyTime(deps: BusyTimeDeps, query: BusyTimeQuery): Promise<CalendarBusyTime[]> {
  const calendarIds = [...new Set(query.calendarIds)];
  const loaded = await Promise.all(calendarIds.map((id) => deps.calendars.get(query.tenantId, id)));
  const missing = calendarIds.find((_id, index) => loaded[index] === null);
  if (missing !== undefined) {
    throw new AppError('resource.not_found', `Calendar ${missing} not found`, { details: { field: 'query.calendarIds', calendarId: missing } });
  }
  const now = (deps.clock ?? systemClock).now();
  const plans: CalendarPlan[] = (loaded as Calendar[]).map((calendar) => {
    // Calendar zones should be IANA; a Windows name is translated and junk read as UTC, never a 500.
    const zone = query.timeZone ?? calendar.timeZone;
    const resolved = zone ? resolveTimeZoneName(zone) : null;
    const calendarZone = calendar.timeZone ? resolveTimeZoneName(calendar.timeZone) : null;
    const mirrored = query.source === 'provider' ? null : mirroredRangeForZone(mirroredRange(calendar, now), calendarZone, resolved);
    return { calendar, zone: resolved, split: splitByMirror(query.range, mirrored) };
  });
  const zones = new Map(plans.map((plan) => [plan.calendar.id, plan.zone]));
  const zoneOf = (calendarId: string): string | null => zones.get(calendarId) ?? null;

  const [stored, live] = await Promise.all([
    readStore(deps, query.tenantId, plans),
    readLiveBusy(deps, query.tenantId, plans.map((plan) => ({ calendar: plan.calendar, parts: plan.split.outside }))),
  ]);
  const series = [...stored.values()].flatMap((projection) => projection.series);
  if (series.length > 0) await deps.expander.prepare(series);
  const midnight = allDayMidnights();
  // Each answered live part as merged numbers, through the same busy rule and expander as the store's events.
  const liveBusy = new Map<LivePart, BusyColumns>();
  for (const plan of plans) {
    for (const part of live.get(plan.calendar.id) ?? []) {
      if (part.answer) liveBusy.set(part, await providerBusyColumns(deps.expander, part.answer, plan.calendar, part.range, plan.zone, midnight));
    }
  }

  const rangeStartMs = query.range.start.getTime();
  const rangeEndMs = query.range.end.getTime();
  return plans.map(({ calendar, zone, split }): CalendarBusyTime => {
    const coverage: BusyCoverage[] = [];
    let error: BusyTimeError | null = null;
    // Store singles arrive in start order, so their merge needs no sort of starts; everything else is added after.
    let merged: BusyColumns = { starts: new Float64Array(0), ends: new Float64Array(0), length: 0 };
    const extra = new BusyIntervalBuffer(rangeStartMs, rangeEndMs);
    const projection = stored.get(calendar.id);
    if (split.inside && projection) {
      merged = mergeBusyIntervals(projection.timed);
      addAllDay(projection.allDay, split.inside, zone, midnight, extra);
      if (projection.series.length > 0) addExpanded(deps.expander, projection.series, split.inside, zoneOf, extra);
      coverage.push({ startMs: split.inside.start.getTime(), endMs: split.inside.end.getTime(), source: 'store' });
    }
    for (const part of live.get(calendar.id) ?? []) {
      if (part.error) {
        error ??= part.error;
        continue;
      }
      extra.addAll(liveBusy.get(part)!);
      coverage.push({ startMs: part.range.start.getTime(), endMs: part.range.end.getTime(), source: 'provider' });
    }
    if (extra.length > 0) {
      extra.addAll(merged);
      merged = mergeBusyIntervals(extra);
    }
    coverage.sort((a, b) => a.startMs - b.startMs);
    return { calendar, busy: merged, coverage, error };
  });
}

/** The store's projection of each calendar that has a mirrored part, over that part. */
async function readStore(deps: BusyTimeDeps, tenantId: string, plans: readonly CalendarPlan[]): Promise<Map<string, StoredBusyTime>> {
  const queries = plans.flatMap(({ calendar, split }) => (split.inside ? [{ calendarId: calendar.id, range: split.inside }] : []));
  if (queries.length === 0) return new Map();
  let projections: StoredBusyTime[];
  if (deps.events.listBusyInRange) {
    projections = await deps.events.listBusyInRange(tenantId, queries);
  } else {
    projections = await Promise.all(
      queries.map(async ({ calendarId, range }) => projectBusyEvents(await deps.events.listInRange(tenantId, [calendarId], range), calendarId, range)),
    );
  }
  return new Map(projections.map((projection) => [projection.calendarId, projection]));
}
