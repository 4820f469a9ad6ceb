import type { BusyColumns } from './busy-intervals.ts';
import { IntervalWriter } from './interval-set.ts';
import type { CompiledSchedule } from './schedule.ts';
import { offsetPieces, pieceEnd } from './zone-offset-pieces.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The instants inside a schedule's working hours within [startMs, endMs), as sorted disjoint intervals.
 *
 * An instant is inside when its wall-clock date and time in the schedule's zone fall into a range of that
 * date (the override of the date, else the weekday's ranges). Built per local date from the zone's offset
 * pieces — never by adding an offset to a UTC day — which gives every DST case by construction:
 * - spring forward: a range through the gap keeps only the wall times that exist (02:30–04:00 in Berlin on
 *   the last Sunday of March is 03:00–04:00, one real hour: shortened, never shifted);
 * - fall back: wall times that occur twice count twice (01:00–03:00 in New York on the first Sunday of
 *   November is three real hours).
 * Allocation is per call (the output), not per day or range.
 */
export function workingHours(schedule: CompiledSchedule, startMs: number, endMs: number): BusyColumns {
  const out = new IntervalWriter(64);
  if (!(endMs > startMs)) return out.done();
  const pieces = offsetPieces(schedule.timeZone, startMs, endMs);
  for (let p = 0; p < pieces.length; p++) {
    const offset = pieces.offsets[p]!;
    const utcFrom = pieces.starts[p]!;
    const utcTo = pieceEnd(pieces, p);
    // The piece in local wall time (ms of a UTC-read date): local = utc + offset.
    const localFrom = utcFrom + offset;
    const localTo = utcTo + offset;
    const lastDay = Math.floor((localTo - 1) / DAY_MS);
    for (let day = Math.floor(localFrom / DAY_MS); day <= lastDay; day++) {
      const ranges = schedule.overrides.get(day) ?? schedule.weekly[weekdayOf(day)]!;
      const dayStart = day * DAY_MS;
      for (let r = 0; r < ranges.length; r += 2) {
        const from = Math.max(dayStart + ranges[r]! * MINUTE_MS, localFrom);
        const to = Math.min(dayStart + ranges[r + 1]! * MINUTE_MS, localTo);
        if (to > from) out.push(from - offset, to - offset);
      }
    }
  }
  return out.done();
}

/** 0 = Sunday … 6 = Saturday, for days since 1970-01-01 (a Thursday). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}
