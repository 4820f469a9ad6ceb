import { BusyIntervalBuffer, createIsoFormatter, mergeBusyIntervals, toIsoIntervals, type IsoInterval } from '../domain/busy-intervals.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { collectBusyTime, type BusyTimeDeps } from './availability/busy-time.ts';

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
}

export interface FreeBusyResult {
  start: string;
  end: string;
  timeZone: string | null;
  /** All requested calendars merged. */
  busy: IsoInterval[];
  calendars: Record<string, CalendarBusy>;
}

/**
 * Busy time of some of the tenant's calendars over a range, as ISO intervals per calendar and merged. The
 * numbers come from `collectBusyTime`; ISO text is written for merged intervals only. What remains costly is
 * touching every stored event object and reading its two ISO strings: see test/bench/free-busy.bench.ts.
 */
export async function freeBusy(deps: FreeBusyDeps, input: FreeBusyInput): Promise<FreeBusyResult> {
  const perCalendarBusy = await collectBusyTime(deps, input);
  const rangeStartMs = input.range.start.getTime();
  const rangeEndMs = input.range.end.getTime();
  const format = createIsoFormatter();
  const total = new BusyIntervalBuffer(rangeStartMs, rangeEndMs, 1024);
  const calendars: Record<string, CalendarBusy> = {};
  for (const { calendar, busy } of perCalendarBusy) {
    total.addAll(busy);
    calendars[calendar.id] = { busy: toIsoIntervals(busy, format), syncEnabled: calendar.syncEnabled, lastSyncedAt: calendar.lastSyncedAt };
  }
  return {
    start: format(rangeStartMs),
    end: format(rangeEndMs),
    timeZone: input.timeZone ?? null,
    busy: toIsoIntervals(mergeBusyIntervals(total), format),
    calendars,
  };
}
