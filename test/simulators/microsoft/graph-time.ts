import { wallTimeAt, wallTimeToUtcMs, type WallTime } from '../../../shared/domain/time-zone.ts';

/** Graph's `dateTimeTimeZone.dateTime`: a wall time without offset, always 7 fractional digits. */
export function formatWall(wall: WallTime, fraction = '0000000'): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}.${fraction}`;
}

/** The wall time of `utcMs` in the IANA `zone`, formatted the way Graph writes `start/end.dateTime`. */
export function formatGraphDateTime(utcMs: number, zone: string): string {
  const wall = zone === 'UTC' ? utcWall(utcMs) : wallTimeAt(zone, utcMs);
  const millis = ((utcMs % 1000) + 1000) % 1000;
  return formatWall(wall, `${String(millis).padStart(3, '0')}0000`);
}

/** Edm.DateTimeOffset as Graph writes it (`lastModifiedDateTime`): UTC with 7 fractional digits. */
export function formatTimestamp(utcMs: number): string {
  return `${formatGraphDateTime(utcMs, 'UTC')}Z`;
}

/** `originalStart` is written without fractional seconds. */
export function formatOriginalStart(utcMs: number): string {
  return `${new Date(utcMs).toISOString().slice(0, 19)}Z`;
}

export function utcWall(utcMs: number): WallTime {
  const d = new Date(utcMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const WALL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export interface ParsedDateTime {
  wall: WallTime;
  /** Set when the text carried `Z` or an offset: then the wall time is only meaningful with it. */
  offsetMs: number | null;
}

export function parseDateTimeText(text: string): ParsedDateTime | null {
  const match = WALL_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', , offset] = match;
  const wall = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) return null;
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  let offsetMs: number | null = null;
  if (offset) {
    if (offset.toUpperCase() === 'Z') offsetMs = 0;
    else {
      const sign = offset.startsWith('-') ? -1 : 1;
      const digits = offset.slice(1).replace(':', '');
      offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
  }
  return { wall, offsetMs };
}

/** The instant of a Graph `{dateTime, timeZone}` pair (an explicit offset in the text wins). */
export function instantOf(parsed: ParsedDateTime, zone: string): number {
  const { wall } = parsed;
  if (parsed.offsetMs !== null) return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - parsed.offsetMs;
  return wallTimeToUtcMs(wall, zone);
}

/** `startDateTime`/`endDateTime` query values: ISO 8601; without an offset they are read as UTC. */
export function parseWindowBound(text: string): number | null {
  const parsed = parseDateTimeText(text);
  if (!parsed) return null;
  return instantOf(parsed.offsetMs === null ? { ...parsed, offsetMs: 0 } : parsed, 'UTC');
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

export function dayNumber(date: CalendarDay): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / 86_400_000);
}

export function dayFromNumber(n: number): CalendarDay {
  const d = new Date(n * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: CalendarDay): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function parseDateOnly(text: string): CalendarDay | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) return null;
  return date;
}

export function formatDateOnly(date: CalendarDay): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}
