import type { EventTime } from './calendar-event.ts';
import { isValidTimeZone, wallTimeToUtcMs } from './time-zone.ts';
import { formatInstant } from './timestamps.ts';

/**
 * The rules of an event write's input that do not depend on a provider (scheduling.md §2 "Event writes"):
 * how `start`/`end` text becomes an EventTime, and which recurrence lines are acceptable. Used by the route
 * contract (so every 400 names its field) and by the write use-cases (partial updates, merged with the
 * stored event).
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export const EVENT_TIME_FORMAT = 'an RFC 3339 instant (2026-12-07T09:00:00Z), a wall time with timeZone (2026-12-07T09:00), or a date for all-day events (2026-12-07)';

export type EventTimeKind = 'date' | 'instant' | 'local';

function validDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Which form a start/end text has, or null when it is none of the accepted ones. */
export function eventTimeKind(text: string): EventTimeKind | null {
  const date = DATE.exec(text);
  if (date) return validDate(Number(date[1]), Number(date[2]), Number(date[3])) ? 'date' : null;
  const local = LOCAL_DATE_TIME.exec(text);
  if (local) return validDate(Number(local[1]), Number(local[2]), Number(local[3])) && Number(local[4]) < 24 && Number(local[5]) < 60 && Number(local[6] ?? 0) < 60 ? 'local' : null;
  return INSTANT.test(text) && !Number.isNaN(Date.parse(text)) ? 'instant' : null;
}

/**
 * A start/end text as an EventTime: a date stays a date (all-day), an instant is written in UTC with the
 * zone the organiser meant, a wall time is read in `zone`. Null when unreadable.
 */
export function toEventTime(text: string, zone: string): EventTime | null {
  const kind = eventTimeKind(text);
  if (kind === 'date') return { date: text };
  if (kind === 'instant') return { dateTime: formatInstant(Math.floor(Date.parse(text) / 1000) * 1000), timeZone: zone };
  if (kind === 'local') {
    const [, y, mo, d, h, mi, s] = LOCAL_DATE_TIME.exec(text)!;
    const ms = wallTimeToUtcMs({ year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s ?? 0) }, zone);
    return { dateTime: formatInstant(ms), timeZone: zone };
  }
  return null;
}

/** Start or end of an EventTime as ms (a date as its UTC midnight: only used to order times of one kind). */
export function eventTimeOrderMs(time: EventTime): number {
  return 'date' in time ? Date.parse(`${time.date}T00:00:00Z`) : Date.parse(time.dateTime);
}

/** Start and end of one event: the same kind, end after start. Returns the problem on `end`, or null. */
export function timesProblem(start: EventTime, end: EventTime): string | null {
  if ('date' in start !== 'date' in end) return 'start and end must both be dates (all-day) or both be date-times';
  if (eventTimeOrderMs(end) <= eventTimeOrderMs(start)) return 'must be after start';
  return null;
}

export const MAX_RECURRENCE_LINES = 20;
const LINE_NAMES = new Set(['RRULE', 'EXDATE', 'RDATE', 'EXRULE']);
const UNTIL = /^\d{8}(T\d{6}Z?)?$/;
const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const RECURRENCE_VALUE = /^(\d{8})(T\d{6}Z?)?$/;

/** The colon ending name and parameters (not one inside a quoted parameter value). */
function valueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return -1;
}

function ruleParts(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const piece of value.replace(/\s+/g, '').split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0 && !parts.has(piece.slice(0, eq).toUpperCase())) parts.set(piece.slice(0, eq).toUpperCase(), piece.slice(eq + 1).toUpperCase());
  }
  return parts;
}

function validCompactDate(value: string): boolean {
  return validDate(Number(value.slice(0, 4)), Number(value.slice(4, 6)), Number(value.slice(6, 8)));
}

/**
 * What is wrong with one recurrence line (RFC 5545 content line without DTSTART, as Google's
 * `recurrence[]`), or null when it is acceptable: RRULE/EXRULE with a readable rule (a FREQ, COUNT or
 * UNTIL but not both, a positive INTERVAL), RDATE/EXDATE with readable values and a known TZID.
 */
export function recurrenceLineProblem(line: string): string | null {
  const colon = valueColon(line);
  if (colon <= 0) return 'a line such as RRULE:FREQ=WEEKLY;COUNT=5 or EXDATE:20261214T090000Z';
  const [rawName = '', ...params] = line.slice(0, colon).split(';');
  const name = rawName.trim().toUpperCase();
  if (!LINE_NAMES.has(name)) return `${name || 'the line'} is not a recurrence line (RRULE, EXDATE, RDATE or EXRULE; no DTSTART)`;
  const value = line.slice(colon + 1);
  if (name === 'RRULE' || name === 'EXRULE') {
    const rule = ruleParts(value);
    if (!FREQUENCIES.has(rule.get('FREQ') ?? '')) return `${name} needs a FREQ (SECONDLY … YEARLY)`;
    if (rule.has('COUNT') && rule.has('UNTIL')) return `${name} may have COUNT or UNTIL, not both`;
    const count = rule.get('COUNT');
    if (count !== undefined && !/^[1-9]\d{0,3}$/.test(count)) return `${name} COUNT must be a whole number from 1 to 9999`;
    const until = rule.get('UNTIL');
    if (until !== undefined && (!UNTIL.test(until) || !validCompactDate(until))) return `${name} UNTIL must look like 20261231T235959Z or 20261231`;
    const interval = rule.get('INTERVAL');
    if (interval !== undefined && !/^[1-9]\d{0,3}$/.test(interval)) return `${name} INTERVAL must be a whole number from 1 to 9999`;
    return null;
  }
  for (const param of params) {
    const [key = '', paramValue = ''] = param.split('=');
    if (key.trim().toUpperCase() === 'TZID' && !isValidTimeZone(paramValue.replace(/^"|"$/g, ''))) return `${name} names an unknown time zone ${paramValue}`;
  }
  const values = value.split(',').map((v) => v.trim().toUpperCase());
  if (values.length === 0 || values.some((v) => !RECURRENCE_VALUE.test(v.split('/')[0]!) || !validCompactDate(v))) return `${name} values must look like 20261214T090000Z, 20261214T090000 (with TZID) or 20261214 (VALUE=DATE)`;
  return null;
}

/**
 * The instants (ms) or dates of an RDATE/EXDATE line's values: UTC values as they are, wall times in their
 * TZID (else `seriesZone`), dates as dates. Unreadable values are left out.
 */
export function recurrenceLineValues(line: string, seriesZone: string): EventTime[] {
  const colon = valueColon(line);
  if (colon <= 0) return [];
  const params = line.slice(0, colon).split(';').slice(1);
  const tzid = params.map((p) => p.split('=')).find(([k]) => k?.trim().toUpperCase() === 'TZID')?.[1]?.replace(/^"|"$/g, '');
  const zone = tzid && isValidTimeZone(tzid) ? tzid : seriesZone;
  const out: EventTime[] = [];
  for (const raw of line.slice(colon + 1).split(',')) {
    const value = raw.trim().toUpperCase().split('/')[0]!;
    const match = RECURRENCE_VALUE.exec(value);
    if (!match || !validCompactDate(value)) continue;
    const date = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
    if (!match[2]) {
      out.push({ date });
      continue;
    }
    const [h, mi, s] = [Number(value.slice(9, 11)), Number(value.slice(11, 13)), Number(value.slice(13, 15))];
    const ms = value.endsWith('Z')
      ? Date.UTC(Number(value.slice(0, 4)), Number(value.slice(4, 6)) - 1, Number(value.slice(6, 8)), h, mi, s)
      : wallTimeToUtcMs({ year: Number(value.slice(0, 4)), month: Number(value.slice(4, 6)), day: Number(value.slice(6, 8)), hour: h, minute: mi, second: s }, zone);
    out.push({ dateTime: formatInstant(ms), timeZone: zone });
  }
  return out;
}

/** An EXDATE line for one instance: `EXDATE;VALUE=DATE:20261214` or `EXDATE:20261214T090000Z`. */
export function exdateLine(time: EventTime): string {
  if ('date' in time) return `EXDATE;VALUE=DATE:${time.date.replaceAll('-', '')}`;
  return `EXDATE:${new Date(Date.parse(time.dateTime)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}

/** RRULE text with its parts changed (`null` removes a part), keeping the others in their order. */
export function withRuleParts(ruleLine: string, changes: Record<string, string | null>): string {
  const colon = valueColon(ruleLine);
  const parts = ruleLine.slice(colon + 1).replace(/\s+/g, '').split(';').filter((p) => p.includes('='));
  const kept = parts.filter((p) => !(p.slice(0, p.indexOf('=')).toUpperCase() in changes));
  const added = Object.entries(changes).flatMap(([name, value]) => (value === null ? [] : [`${name}=${value}`]));
  return `RRULE:${[...kept, ...added].join(';')}`;
}

/** The value of one part of an RRULE line (`COUNT`, `UNTIL`…), upper-cased; undefined when absent. */
export function rulePart(ruleLine: string, name: string): string | undefined {
  return ruleParts(ruleLine.slice(valueColon(ruleLine) + 1)).get(name);
}
