import { AppError, isAppError } from '../../domain/app-error.ts';
import type { BusyColumns } from '../../domain/busy-intervals.ts';
import { IntervalWriter, spanSet, subtractSets, unionSets } from '../../domain/interval-set.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { collectBusyTime, type BusyTimeDeps, type CalendarBusyTime } from './busy-time.ts';

/**
 * What availability and conflicts make of `collectBusyTime`: busy time per calendar as a set, with every part
 * of the range the calendar could not answer (no coverage, an error) counted as busy — unknown is never free.
 */

/** The parts of [startMs, endMs) that no coverage entry answered. */
export function unknownParts(result: CalendarBusyTime, startMs: number, endMs: number): BusyColumns {
  const covered = new IntervalWriter(result.coverage.length + 1);
  const parts = [...result.coverage].sort((a, b) => a.startMs - b.startMs);
  for (const part of parts) covered.push(part.startMs, part.endMs);
  return subtractSets(spanSet(startMs, endMs), covered.done());
}

/** Where a calendar is not free over [startMs, endMs): its busy time and its unknown parts. */
export function blockedBy(result: CalendarBusyTime, startMs: number, endMs: number): BusyColumns {
  const unknown = unknownParts(result, startMs, endMs);
  return unknown.length === 0 ? result.busy : unionSets([result.busy, unknown]);
}

/** Several calendars' blocked time together. */
export function blockedByAll(results: readonly CalendarBusyTime[], startMs: number, endMs: number): BusyColumns {
  return unionSets(results.map((result) => blockedBy(result, startMs, endMs)));
}

export interface BusySourceView {
  calendarId: string;
  participants?: number[];
  coverage: { start: string; end: string; source: 'store' | 'provider' }[];
  error: { code: string; message: string; retryable: boolean } | null;
}

export function busySourceView(result: CalendarBusyTime): BusySourceView {
  return {
    calendarId: result.calendar.id,
    coverage: result.coverage.map((part) => ({ start: formatInstant(part.startMs), end: formatInstant(part.endMs), source: part.source })),
    error: result.error,
  };
}

/**
 * `collectBusyTime` with an unknown calendar reported at the request field that named it
 * (`body.participants[2].calendarIds[0]`) instead of the free/busy query's.
 */
export async function collectBusyNamingFields(
  deps: BusyTimeDeps,
  query: Parameters<typeof collectBusyTime>[1],
  fieldOf: (calendarId: string) => string,
): Promise<CalendarBusyTime[]> {
  try {
    return await collectBusyTime(deps, query);
  } catch (error) {
    const calendarId = isAppError(error, 'resource.not_found') ? error.details?.calendarId : undefined;
    if (typeof calendarId !== 'string') throw error;
    throw new AppError('resource.not_found', `Calendar ${calendarId} not found`, { details: { field: fieldOf(calendarId), calendarId }, cause: error });
  }
}
