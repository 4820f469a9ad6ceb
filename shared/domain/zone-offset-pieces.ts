import { wallTimeAt } from './time-zone.ts';

/**
 * A zone's UTC offsets over a span as plain numbers: the span cut into pieces of constant offset. Working
 * hours and slot alignment are computed piece by piece with local = utc + offset, which is exact on DST days
 * (a 23- or 25-hour local day is simply two pieces), with no wall-time → instant conversion that would
 * have to guess what a time inside a gap means.
 *
 * Transitions come from the runtime's ICU data, found once per zone and year (6-hourly samples, then
 * bisection to the minute) and kept for the life of the process; later spans are array reads.
 */
export interface OffsetPieces {
  /** Start of each piece (UTC ms); piece i lasts until starts[i + 1], the last one until `endMs`. */
  starts: Float64Array;
  /** Offset of each piece in ms (local = utc + offset). */
  offsets: Float64Array;
  length: number;
  endMs: number;
}

const MINUTE_MS = 60_000;
const SAMPLE_STEP_MS = 6 * 3_600_000;

interface YearTransitions {
  initial: number;
  /** Flattened pairs: instant of a change, offset from then on. */
  changes: number[];
}

const years = new Map<string, YearTransitions>();

function isUtcZone(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
}

/** Exact offset at a whole-minute instant. */
function offsetAtMinute(zone: string, utcMs: number): number {
  const at = Math.floor(utcMs / MINUTE_MS) * MINUTE_MS;
  const w = wallTimeAt(zone, at);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - at;
}

function transitionsOf(zone: string, year: number): YearTransitions {
  const key = `${zone}\u0000${year}`;
  let found = years.get(key);
  if (found) return found;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const initial = offsetAtMinute(zone, start);
  const changes: number[] = [];
  let previousAt = start;
  let previousOffset = initial;
  for (let at = start + SAMPLE_STEP_MS; at <= end; at += SAMPLE_STEP_MS) {
    const offset = offsetAtMinute(zone, at);
    if (offset !== previousOffset) {
      // The first minute with the new offset: bisect between the last sample with the old one and this one.
      let low = previousAt;
      let high = at;
      while (high - low > MINUTE_MS) {
        const middle = low + Math.floor((high - low) / (2 * MINUTE_MS)) * MINUTE_MS;
        if (offsetAtMinute(zone, middle) === previousOffset) low = middle;
        else high = middle;
      }
      // A change at the next year's first minute is kept here too: that year's samples start after it.
      if (high <= end) changes.push(high, offset);
      previousOffset = offset;
    }
    previousAt = at;
  }
  if (years.size > 5_000) years.clear();
  found = { initial, changes };
  years.set(key, found);
  return found;
}

/** Offset at `utcMs` from the cached transitions. */
function offsetFromTransitions(zone: string, utcMs: number): number {
  const { initial, changes } = transitionsOf(zone, new Date(utcMs).getUTCFullYear());
  let offset = initial;
  for (let i = 0; i < changes.length && changes[i]! <= utcMs; i += 2) offset = changes[i + 1]!;
  return offset;
}

/** The offset pieces of `zone` covering [startMs, endMs). */
export function offsetPieces(zone: string, startMs: number, endMs: number): OffsetPieces {
  if (isUtcZone(zone)) return { starts: Float64Array.of(startMs), offsets: Float64Array.of(0), length: 1, endMs };
  const starts: number[] = [startMs];
  const offsets: number[] = [offsetFromTransitions(zone, startMs)];
  const lastYear = new Date(endMs).getUTCFullYear();
  for (let year = new Date(startMs).getUTCFullYear(); year <= lastYear; year++) {
    const { changes } = transitionsOf(zone, year);
    for (let i = 0; i < changes.length; i += 2) {
      const at = changes[i]!;
      if (at <= startMs || at >= endMs || changes[i + 1] === offsets[offsets.length - 1]) continue;
      starts.push(at);
      offsets.push(changes[i + 1]!);
    }
  }
  return { starts: Float64Array.from(starts), offsets: Float64Array.from(offsets), length: starts.length, endMs };
}

/** End of piece i. */
export function pieceEnd(pieces: OffsetPieces, i: number): number {
  return i + 1 < pieces.length ? pieces.starts[i + 1]! : pieces.endMs;
}
