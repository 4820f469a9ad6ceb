import { wallTimeAt } from '../domain/time-zone.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SAMPLE_STEP_MS = 6 * HOUR_MS;

interface YearOffsets {
  /** Offset in force at the start of the year. */
  initial: number;
  /** Instants (UTC ms) where the offset changes during the year, and the offset from then on. */
  changes: { atMs: number; offset: number }[];
}

/**
 * The UTC offsets of one IANA zone as plain numbers, computed once per zone and year from ICU. Expanding
 * a series converts every instance's wall time to UTC; doing that through `Intl` for each instance is what
 * makes general-purpose expanders slow, so transitions are found once (6-hour sampling, then bisection to the
 * minute) and every later conversion is a short array scan.
 */
export class ZoneOffsets {
  readonly zone: string;
  private readonly isUtc: boolean;
  private readonly years = new Map<number, YearOffsets>();
  // The year looked up last: expansion asks about the same year thousands of times in a row.
  private lastYear: YearOffsets | null = null;
  private lastYearStart = 0;
  private lastYearEnd = 0;

  constructor(zone: string) {
    this.zone = zone;
    this.isUtc = zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
  }

  /** Offset (ms, local = utc + offset) in force at `utcMs`. */
  offsetAt(utcMs: number): number {
    if (this.isUtc) return 0;
    let data: YearOffsets;
    if (utcMs >= this.lastYearStart && utcMs < this.lastYearEnd && this.lastYear) data = this.lastYear;
    else {
      const year = new Date(utcMs).getUTCFullYear();
      data = this.yearOffsets(year);
      this.lastYear = data;
      this.lastYearStart = Date.UTC(year, 0, 1);
      this.lastYearEnd = Date.UTC(year + 1, 0, 1);
    }
    if (data.changes.length === 0) return data.initial;
    let offset = data.initial;
    for (const change of data.changes) {
      if (change.atMs > utcMs) break;
      offset = change.offset;
    }
    return offset;
  }

  /** Wall time (as ms of a UTC-interpreted date) → instant, per RFC 5545: a gap moves forward, an overlap means the first. */
  localToUtc(localMs: number): number {
    if (this.isUtc) return localMs;
    const offsetBefore = this.offsetAt(localMs - DAY_MS);
    const offsetAfter = this.offsetAt(localMs + DAY_MS);
    const candidateBefore = localMs - offsetBefore;
    if (offsetBefore === offsetAfter) return candidateBefore;
    const candidateAfter = localMs - offsetAfter;
    const beforeValid = this.offsetAt(candidateBefore) === offsetBefore;
    const afterValid = this.offsetAt(candidateAfter) === offsetAfter;
    if (beforeValid && afterValid) return Math.min(candidateBefore, candidateAfter);
    if (afterValid && !beforeValid) return candidateAfter;
    return candidateBefore;
  }

  /** Instants within `year` where the offset changes (for comparing zones). */
  changesIn(year: number): readonly { atMs: number; offset: number }[] {
    return this.isUtc ? [] : this.yearOffsets(year).changes;
  }

  /** Instant → wall time as ms of a UTC-interpreted date. */
  utcToLocal(utcMs: number): number {
    return utcMs + this.offsetAt(utcMs);
  }

  private yearOffsets(year: number): YearOffsets {
    let data = this.years.get(year);
    if (!data) {
      data = computeYear(this.zone, year);
      this.years.set(year, data);
    }
    return data;
  }
}

/** Exact offset at a whole-second instant (time-zone.ts caches by quarter hour, too coarse for bisection). */
export function exactOffsetMs(zone: string, utcMs: number): number {
  const at = Math.floor(utcMs / 1000) * 1000;
  const w = wallTimeAt(zone, at);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - at;
}

function computeYear(zone: string, year: number): YearOffsets {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const initial = exactOffsetMs(zone, start);
  const changes: { atMs: number; offset: number }[] = [];
  let previousMs = start;
  let previousOffset = initial;
  for (let at = start + SAMPLE_STEP_MS; at <= end; at += SAMPLE_STEP_MS) {
    const offset = exactOffsetMs(zone, at);
    if (offset !== previousOffset) {
      let low = previousMs;
      let high = at;
      while (high - low > 60_000) {
        const middle = low + Math.floor((high - low) / 120_000) * 60_000;
        if (exactOffsetMs(zone, middle) === previousOffset) low = middle;
        else high = middle;
      }
      if (high < end) changes.push({ atMs: high, offset });
      previousOffset = offset;
    }
    previousMs = at;
  }
  return { initial, changes };
}

const indexes = new Map<string, ZoneOffsets>();

/** The shared offset index of `zone` (bounded: a process sees few distinct zones). */
export function zoneOffsets(zone: string): ZoneOffsets {
  let index = indexes.get(zone);
  if (!index) {
    if (indexes.size > 2_000) indexes.clear();
    index = new ZoneOffsets(zone);
    indexes.set(zone, index);
  }
  return index;
}
