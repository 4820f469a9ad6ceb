/**
 * Wall-clock time in IANA zones using the runtime's ICU data (Node ships full ICU), so we need no tz
 * database of our own. All conversions follow RFC 5545 §3.3.5: a wall time that falls into a DST gap is
 * read with the offset before the gap (it moves forward), and one that occurs twice means the first.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Canonical IANA name for `zone` (e.g. `US/Eastern` → `America/New_York`), or null when unknown. */
export function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall time shown in `zone` at the instant `utcMs`. */
export function wallTimeAt(zone: string, utcMs: number): WallTime {
  const parts = formatterFor(zone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

const offsetCache = new Map<string, number>();
const OFFSET_BUCKET_MS = 15 * 60_000;

/**
 * Offset of `zone` from UTC at `utcMs`, in ms (local = utc + offset). Cached per zone and quarter hour:
 * modern transitions happen on quarter-hour boundaries, and the cache makes recurrence expansion cheap.
 */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const bucket = Math.floor(utcMs / OFFSET_BUCKET_MS);
  const key = `${zone}|${bucket}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const at = bucket * OFFSET_BUCKET_MS;
  const w = wallTimeAt(zone, at);
  const offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - at;
  if (offsetCache.size > 200_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** The UTC instant (ms) of a wall time in `zone` (RFC 5545 rules for gaps and overlaps). */
export function wallTimeToUtcMs(wall: WallTime, zone: string): number {
  const localAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  if (zone === 'UTC' || zone === 'Etc/UTC') return localAsUtc;
  const offsetBefore = zoneOffsetMs(zone, localAsUtc - 86_400_000);
  const offsetAfter = zoneOffsetMs(zone, localAsUtc + 86_400_000);
  const candidateBefore = localAsUtc - offsetBefore;
  const candidateAfter = localAsUtc - offsetAfter;
  const beforeValid = zoneOffsetMs(zone, candidateBefore) === offsetBefore;
  const afterValid = zoneOffsetMs(zone, candidateAfter) === offsetAfter;
  if (beforeValid && afterValid) return Math.min(candidateBefore, candidateAfter);
  if (beforeValid) return candidateBefore;
  if (afterValid) return candidateAfter;
  return candidateBefore; // in a gap: the offset before the gap moves the time forward
}

/** Midnight at the start of `date` (yyyy-mm-dd) in `zone`. */
export function startOfDateUtcMs(date: string, zone: string | null): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (!zone) return Date.UTC(y, m - 1, d);
  return wallTimeToUtcMs({ year: y, month: m, day: d, hour: 0, minute: 0, second: 0 }, zone);
}
