/**
 * Wall-clock arithmetic for the simulator, on the runtime's ICU data. Deliberately independent of the
 * production helpers in `shared/domain/time-zone.ts`: a simulator that shared our code could not catch its bugs.
 */
export interface Wall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, found);
  }
  return found;
}

export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export function wallAt(zone: string, utcMs: number): Wall {
  const parts = formatter(zone).formatToParts(new Date(utcMs));
  const pick = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: pick('year'), month: pick('month'), day: pick('day'), hour: pick('hour'), minute: pick('minute'), second: pick('second') };
}

/** Offset of `zone` at `utcMs` in ms (local = utc + offset). */
export function offsetAt(zone: string, utcMs: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const whole = Math.floor(utcMs / 1000) * 1000;
  const w = wallAt(zone, whole);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * The instant of a wall time in `zone`. A time inside a DST gap moves forward (the offset before the gap
 * applies); a time that occurs twice means the first one, as RFC 5545 says.
 */
export function wallToUtc(wall: Wall, zone: string): number {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  if (zone === 'UTC' || zone === 'Etc/UTC') return naive;
  const before = offsetAt(zone, naive - 86_400_000);
  const after = offsetAt(zone, naive + 86_400_000);
  const candidates = [naive - before, naive - after].filter((utc, i) => offsetAt(zone, utc) === (i === 0 ? before : after));
  if (candidates.length > 0) return Math.min(...candidates);
  return naive - before;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatOffset(offsetMs: number): string {
  if (offsetMs === 0) return 'Z';
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** RFC 3339 with the offset `zone` has at that instant, as Google renders times (`Z` for UTC). */
export function formatInZone(utcMs: number, zone: string): string {
  const offset = offsetAt(zone, utcMs);
  const local = new Date(utcMs + offset);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date}T${time}${formatOffset(offset)}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Parses an RFC 3339 date-time. Without an offset the text is a wall time in `zoneForFloating`; with no
 * such zone it is refused (null), as Google refuses a dateTime with neither offset nor timeZone.
 */
export function parseDateTime(text: string, zoneForFloating: string | null): number | null {
  const match = RFC3339.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, , offset] = match;
  const wall = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59 || wall.second > 60) return null;
  if (!offset) return zoneForFloating ? wallToUtc(wall, zoneForFloating) : null;
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  if (offset.toUpperCase() === 'Z') return naive;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [oh, om] = offset.slice(1).split(':').map(Number) as [number, number];
  return naive - sign * (oh * 60 + om) * 60_000;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `yyyy-mm-dd` date as days since the epoch, or null when malformed. */
export function parseDate(text: string): number | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(match[3])) return null;
  return Math.round(ms / 86_400_000);
}

export function formatDate(epochDay: number): string {
  const d = new Date(epochDay * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Midnight starting `epochDay` in `zone`. */
export function startOfDay(epochDay: number, zone: string): number {
  const d = new Date(epochDay * 86_400_000);
  return wallToUtc({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0, second: 0 }, zone);
}

/** `yyyymmddThhmmssZ` (the instance-id suffix Google uses for timed instances). */
export function compactUtc(utcMs: number): string {
  const d = new Date(utcMs);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** `yyyymmdd` (the instance-id suffix for all-day instances). */
export function compactDate(epochDay: number): string {
  return formatDate(epochDay).replaceAll('-', '');
}
