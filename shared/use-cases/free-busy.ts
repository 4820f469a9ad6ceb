import { BusyIntervalBuffer, createIsoFormatter, mergeBusyIntervals, toIsoIntervals, type IsoInterval } from '../domain/busy-intervals.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { collectBusyTime, type BusySource, type BusyTimeDeps, type BusyTimeError } from './availability/busy-time.ts';

export type FreeBusyDeps = BusyTimeDeps;

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
  /** The parts of the range that were answered and from where; a gap is a part nobody could answer. */
  coverage: (IsoInterval & { source: BusySource })[];
  /** Why a part of the range has no answer; null when all of it was answered. */
  error: BusyTimeError | null;
}

export interface FreeBusyResult {
  start: string;
  end: string;
  timeZone: string | null;
  /** All requested calendars merged: the union of what is known (see `complete`). */
  busy: IsoInterval[];
  /** True when every calendar's whole range was answered; false when some part is unknown (see each `error`). */
  complete: boolean;
  calendars: Record<string, CalendarBusy>;
}

/**
 * Busy time of some of the tenant's calendars over a range, as ISO intervals per calendar and merged. The
 * numbers come from `collectBusyTime` (store inside each mirrored window, provider outside it); ISO text is
 * written for merged intervals only. A calendar whose provider could not answer a part keeps the busy time
 * that is known, says which parts were answered (`coverage`) and why the rest was not (`error`); the merged
 * `busy` is then the union of what is known and `complete` is false.
 */
export async function freeBusy(deps: FreeBusyDeps, input: FreeBusyInput): Promise<FreeBusyResult> {
  const perCalendarBusy = await collectBusyTime(deps, input);
  const rangeStartMs = input.range.start.getTime();
  const rangeEndMs = input.range.end.getTime();
  const format = createIsoFormatter();
  const total = new BusyIntervalBuffer(rangeStartMs, rangeEndMs, 1024);
  const calendars: Record<string, CalendarBusy> = {};
  let complete = true;
  for (const { calendar, busy, coverage, error } of perCalendarBusy) {
    total.addAll(busy);
    if (error) complete = false;
    calendars[calendar.id] = {
      busy: toIsoIntervals(busy, format),
      syncEnabled: calendar.syncEnabled,
      lastSyncedAt: calendar.lastSyncedAt,
      coverage: coverage.map((part) => ({ start: format(part.startMs), end: format(part.endMs), source: part.source })),
      error,
    };
  }
  return {
    start: format(rangeStartMs),
    end: format(rangeEndMs),
    timeZone: input.timeZone ?? null,
    busy: toIsoIntervals(mergeBusyIntervals(total), format),
    complete,
    calendars,
  };
}
