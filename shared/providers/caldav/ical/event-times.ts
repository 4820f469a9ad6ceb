import type ICAL from 'ical.js';
import type { EventTime } from '../../../domain/calendar-event.ts';
import { isAllDay } from '../../../domain/calendar-event.ts';
import { zoneOffsets } from '../../../recurrence/zone-offsets.ts';
import type { TzidResolver } from './tzid-resolver.ts';

const DAY_MS = 86_400_000;

/** How wall times of one iCalendar object become instants. */
export interface TimeContext {
  resolver: TzidResolver;
  /** Zone for floating times: the calendar's, else the file's X-WR-TIMEZONE, else UTC. */
  floatingZone: string;
  /** Zone recorded for UTC (`Z`) times: X-WR-TIMEZONE when the file has one (Google's reading), else UTC. */
  utcZone: string;
  warn(message: string): void;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function toInstant(utcMs: number): string {
  return new Date(utcMs).toISOString().replace('.000Z', 'Z');
}

/** Wall time of a jCal date-time string as ms of the same wall time read as UTC, and whether it was UTC. */
export function parseJcalDateTime(value: string): { localMs: number; utc: boolean } | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, z] = match;
  const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return Number.isNaN(localMs) ? null : { localMs, utc: z === 'Z' };
}

/** One jCal date or date-time value (with the property's TZID) as an EventTime. */
export function valueToEventTime(value: unknown, tzid: string | null, context: TimeContext): EventTime | null {
  if (Array.isArray(value)) return valueToEventTime(value[0], tzid, context); // PERIOD: its start
  if (typeof value !== 'string') return null;
  const date = DATE.exec(value);
  if (date) return { date: value };
  const parsed = parseJcalDateTime(value);
  if (!parsed) return null;
  if (parsed.utc) return { dateTime: toInstant(parsed.localMs), timeZone: context.utcZone };
  if (tzid) {
    const resolution = context.resolver.resolve(tzid);
    if (resolution.zone) return { dateTime: toInstant(zoneOffsets(resolution.zone).localToUtc(parsed.localMs)), timeZone: resolution.zone };
    context.warn(`unknown TZID "${tzid}" read as floating time in ${context.floatingZone}`);
  }
  return { dateTime: toInstant(zoneOffsets(context.floatingZone).localToUtc(parsed.localMs)), timeZone: context.floatingZone };
}

export function propertyTzid(property: ICAL.Property): string | null {
  const tzid = property.getParameter('tzid');
  return typeof tzid === 'string' && tzid.trim() ? tzid : null;
}

/** The first value of a DTSTART-like property as an EventTime. */
export function propertyToEventTime(property: ICAL.Property, context: TimeContext): EventTime | null {
  const json = property.toJSON() as unknown[];
  return valueToEventTime(json[3], propertyTzid(property), context);
}

/** All values of an RDATE/EXDATE-like property. */
export function propertyValues(property: ICAL.Property): unknown[] {
  return (property.toJSON() as unknown[]).slice(3);
}

export interface ParsedDuration {
  /** Nominal part (weeks and days), added in wall time. */
  days: number;
  /** Exact part (hours, minutes, seconds). */
  ms: number;
}

/**
 * RFC 5545 durations, leniently: `PT1W` (Synology; a week written after the T) is read as one week rather
 * than dropped, since the producer's meaning is clear.
 */
export function parseDuration(text: string): ParsedDuration | null {
  const match = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)W)?(?:(\d+)D)?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text.trim());
  if (!match || text.trim().length <= 1) return null;
  const n = (i: number): number => Number(match[i] ?? 0);
  const sign = match[1] === '-' ? -1 : 1;
  return { days: sign * (n(2) * 7 + n(3) + n(4) * 7 + n(5)), ms: sign * ((n(6) * 3600 + n(7) * 60 + n(8)) * 1000) };
}

/** DTSTART + DURATION, with days added in wall time (so P1D over a DST change is still the same clock time). */
export function addDuration(start: EventTime, duration: ParsedDuration): EventTime {
  if (isAllDay(start)) {
    const days = duration.days + Math.ceil(duration.ms / DAY_MS);
    const [y, m, d] = start.date.split('-').map(Number) as [number, number, number];
    return { date: new Date(Date.UTC(y, m - 1, d + Math.max(0, days))).toISOString().slice(0, 10) };
  }
  const zone = start.timeZone ?? 'UTC';
  const offsets = zoneOffsets(zone);
  const startMs = Date.parse(start.dateTime);
  const afterDays = duration.days === 0 ? startMs : offsets.localToUtc(offsets.utcToLocal(startMs) + duration.days * DAY_MS);
  return { dateTime: toInstant(Math.max(startMs, afterDays + duration.ms)), timeZone: start.timeZone };
}

/** Start and end made consistent: same kind, end not before start, all-day at least one day when unspecified. */
export function normalizeEnd(start: EventTime, end: EventTime | null): EventTime {
  if (isAllDay(start)) {
    const oneDay = addDuration(start, { days: 1, ms: 0 });
    if (!end) return oneDay;
    const endDate = isAllDay(end) ? end.date : end.dateTime.slice(0, 10);
    return endDate < start.date ? oneDay : { date: endDate };
  }
  if (!end) return start;
  if (isAllDay(end)) {
    const endMs = zoneOffsets(start.timeZone ?? 'UTC').localToUtc(Date.parse(`${end.date}T00:00:00Z`));
    return endMs >= Date.parse(start.dateTime) ? { dateTime: toInstant(endMs), timeZone: start.timeZone } : start;
  }
  return Date.parse(end.dateTime) >= Date.parse(start.dateTime) ? end : start;
}
