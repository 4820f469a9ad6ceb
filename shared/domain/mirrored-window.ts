import { syncWindowRange, type Calendar, type TimeRange } from './calendar.ts';

/**
 * How long a full listing may have run before `lastFullSyncAt` (its end) was written. The listing covered
 * the window of the day it started; a run that crossed midnight UTC listed one day less at the far end than
 * the window of its end time. A run holds a lease of 15 minutes by default (DEFAULT_SYNC_SETTINGS); an hour
 * covers every run that finished.
 */
export const FULL_LISTING_MAX_MS = 3_600_000;

/**
 * The part of time a calendar's stored copy answers for at `now`, or null when it answers for none.
 *
 * The store is a cache of the provider over the sync window, and only where it is known to be complete:
 * - nothing before a full listing has completed (`lastFullSyncAt`), nor while sync is off (stored events
 *   were deleted), nor while the cursor is null: the next sync is a full one because the window setting
 *   changed or sync was switched back on, so the store may still hold the old window or nothing;
 * - from the start of today's window (events that aged out of it are pruned, and changes to them are no
 *   longer applied), to the end of the window the last full listing covered (Google sync tokens and Graph
 *   delta links keep the first listing's window, so later days are listed by the next full round only).
 *
 * @example
 *   const mirrored = mirroredRange(calendar, clock.now()); // e.g. [today−30 d, day of last full sync+366 d)
 */
export function mirroredRange(calendar: Pick<Calendar, 'syncEnabled' | 'syncWindow' | 'cursor' | 'lastFullSyncAt'>, now: Date): TimeRange | null {
  if (!calendar.syncEnabled || calendar.cursor === null || calendar.lastFullSyncAt === null) return null;
  const listedAtMs = Date.parse(calendar.lastFullSyncAt);
  if (!Number.isFinite(listedAtMs)) return null;
  const today = syncWindowRange(calendar.syncWindow, now);
  const listed = syncWindowRange(calendar.syncWindow, new Date(listedAtMs - FULL_LISTING_MAX_MS));
  const start = Math.max(today.start.getTime(), listed.start.getTime());
  const end = Math.min(today.end.getTime(), listed.end.getTime());
  return end > start ? { start: new Date(start), end: new Date(end) } : null;
}

/**
 * How far apart two placements of one all-day (floating) date can be: from UTC+14 to UTC−12 is 26 hours.
 * A provider filters all-day events by its own placement (the calendar's zone); an answer that places them
 * in another zone must look this much further on each side.
 */
export const FLOATING_DATE_SPREAD_MS = 26 * 3_600_000;

/**
 * The mirrored range to trust when all-day events are placed in `zone` rather than in the calendar's own
 * zone. The sync listed (and kept) all-day events by their placement in the calendar's zone, so near either
 * edge of the window an all-day date placed in another zone can overlap the window although the listing
 * never saw it: those edges are read from the provider instead.
 */
export function mirroredRangeForZone(mirrored: TimeRange | null, calendarZone: string | null, zone: string | null): TimeRange | null {
  if (!mirrored || (zone ?? 'UTC') === (calendarZone ?? 'UTC')) return mirrored;
  const start = mirrored.start.getTime() + FLOATING_DATE_SPREAD_MS;
  const end = mirrored.end.getTime() - FLOATING_DATE_SPREAD_MS;
  return end > start ? { start: new Date(start), end: new Date(end) } : null;
}

export interface RangeSplit {
  /** The part of the range inside the mirrored window, or null. */
  inside: TimeRange | null;
  /** The parts outside it, in order: none, one (before or after) or two (before and after). */
  outside: TimeRange[];
}

/** Splits a range by a calendar's mirrored window (null = not mirrored at all). */
export function splitByMirror(range: TimeRange, mirrored: TimeRange | null): RangeSplit {
  const startMs = range.start.getTime();
  const endMs = range.end.getTime();
  if (!mirrored) return { inside: null, outside: [{ start: range.start, end: range.end }] };
  const insideStart = Math.max(startMs, mirrored.start.getTime());
  const insideEnd = Math.min(endMs, mirrored.end.getTime());
  if (insideEnd <= insideStart) return { inside: null, outside: [{ start: range.start, end: range.end }] };
  const outside: TimeRange[] = [];
  if (insideStart > startMs) outside.push({ start: range.start, end: new Date(insideStart) });
  if (insideEnd < endMs) outside.push({ start: new Date(insideEnd), end: range.end });
  return { inside: { start: new Date(insideStart), end: new Date(insideEnd) }, outside };
}
