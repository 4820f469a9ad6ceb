import type { EventTime } from '../../domain/calendar-event.ts';
import { wallTimeToUtcMs } from '../../domain/time-zone.ts';
import { resolveTimeZoneName } from '../../domain/windows-time-zones.ts';
import type { GraphDateTimeTimeZone } from './graph-types.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * IANA zone of a Graph time-zone name: IANA names, Windows ids (`W. Europe Standard Time`) and display names
 * all resolve; Graph's `tzone://Microsoft/Utc` is UTC; `tzone://Microsoft/Custom` and unknown names are null.
 */
export function graphZoneToIana(name: string | null | undefined): string | null {
  if (!name) return null;
  if (/^tzone:\/\/Microsoft\/Utc$/i.test(name.trim())) return 'UTC';
  return resolveTimeZoneName(name);
}

/** The instant of a Graph `dateTimeTimeZone` (a wall time in `timeZone`; an explicit offset in the text wins). */
export function graphInstantMs(value: GraphDateTimeTimeZone | null | undefined): number | null {
  const match = value?.dateTime ? DATE_TIME.exec(value.dateTime.trim()) : null;
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const wall = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  if (offset) {
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, millis);
    if (offset.toUpperCase() === 'Z') return asUtc;
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    return asUtc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const zone = graphZoneToIana(value?.timeZone) ?? 'UTC';
  return wallTimeToUtcMs(wall, zone) + millis;
}

/** An Edm.DateTimeOffset (`2026-11-23T12:00:00.1234567Z`) as epoch ms, or null. */
export function graphTimestampMs(text: string | null | undefined): number | null {
  return text ? graphInstantMs({ dateTime: text, timeZone: 'UTC' }) : null;
}

/** RFC 3339 UTC with `Z`, without a `.000` fraction (how every adapter writes instants). */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** The `yyyy-mm-dd` of a Graph all-day boundary (floating midnight). */
export function graphDateOf(value: GraphDateTimeTimeZone | null | undefined): string | null {
  const match = value?.dateTime ? /^(\d{4}-\d{2}-\d{2})/.exec(value.dateTime) : null;
  return match ? match[1]! : null;
}

/** `yyyy-mm-dd` plus `days`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** An EventTime for a timed Graph value, or null when it cannot be read. */
export function timedEventTime(value: GraphDateTimeTimeZone | null | undefined, zone: string | null): EventTime | null {
  const ms = graphInstantMs(value);
  return ms === null ? null : { dateTime: formatInstant(ms), timeZone: zone };
}
