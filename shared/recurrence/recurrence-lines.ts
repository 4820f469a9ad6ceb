/**
 * The `recurrence` lines of a stored master, read and written in one place so that the iCalendar parser,
 * the serializer and the expander agree. The format is RFC 5545 content lines without DTSTART, the same as
 * Google's `recurrence[]`:
 *
 *   RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20240601T000000Z
 *   EXRULE:FREQ=MONTHLY;BYMONTHDAY=1
 *   RDATE;VALUE=DATE:20240105,20240112          (all-day values)
 *   RDATE:20240105T140000Z                       (instants, UTC)
 *   EXDATE;TZID=America/New_York:20240108T090000 (wall time in an IANA zone; Google writes this)
 *   EXDATE:20240108T090000                       (floating: read in the series' own zone)
 *
 * Canonical form written by the CalDAV parser: RRULE/EXRULE with upper-case parts and no spaces; RDATE/EXDATE
 * as `;VALUE=DATE:` for dates and UTC `Z` values for timed ones (TZIDs are resolved while parsing, so no
 * Windows name or custom VTIMEZONE ever reaches storage). The reader accepts every form above, plus
 * `VALUE=PERIOD` RDATEs (their start is used) and lower-case names.
 *
 * An exception (RECURRENCE-ID override) whose `recurrence` is exactly `['RANGE=THISANDFUTURE']` applies to
 * its instance and every later one (RFC 5545 §3.8.4.4); the model has no other place for that flag.
 */
export const THIS_AND_FUTURE = 'RANGE=THISANDFUTURE';

export type RecurrenceValue =
  | { kind: 'date'; date: string }
  | { kind: 'utc'; utcMs: number }
  /** Wall time (ms of the same wall time read as UTC) in `zone`, or floating when `zone` is null. */
  | { kind: 'local'; localMs: number; zone: string | null };

export interface RecurrenceSet {
  rrules: RuleParts[];
  exrules: RuleParts[];
  rdates: RecurrenceValue[];
  exdates: RecurrenceValue[];
  /** Lines that could not be read (kept out of the expansion, reported to the caller). */
  invalid: string[];
}

/** An RRULE as upper-case part name → raw value (`FREQ` → `WEEKLY`, `BYDAY` → `MO,WE`). */
export type RuleParts = Map<string, string>;

const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

/** Parses `FREQ=WEEKLY;BYDAY=MO, TU` leniently (spaces dropped, names upper-cased); null without a valid FREQ. */
export function parseRule(text: string): RuleParts | null {
  const parts: RuleParts = new Map();
  for (const piece of text.replace(/\s+/g, '').split(';')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const name = piece.slice(0, eq).toUpperCase();
    const value = piece.slice(eq + 1).toUpperCase();
    if (!parts.has(name)) parts.set(name, value);
  }
  const freq = parts.get('FREQ');
  if (!freq || !FREQUENCIES.has(freq)) return null;
  return parts;
}

const PART_ORDER = ['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST'];

/** Canonical text of a rule: parts in RFC 5545 order, the defaults INTERVAL=1 and WKST=MO left out. */
export function formatRule(parts: RuleParts): string {
  const isDefault = (k: string): boolean => (k === 'INTERVAL' && parts.get(k) === '1') || (k === 'WKST' && parts.get(k) === 'MO');
  const known = PART_ORDER.filter((k) => parts.has(k) && !isDefault(k));
  const other = [...parts.keys()].filter((k) => !PART_ORDER.includes(k)).sort();
  return [...known, ...other].map((k) => `${k}=${parts.get(k)}`).join(';');
}

const DATE_VALUE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME_VALUE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/;

/**
 * One RDATE/EXDATE value. `forceDate` (VALUE=DATE) accepts Google's invalid `20131210Z`; a bare 8-digit value
 * is a date whatever the parameters say.
 */
export function parseRecurrenceValue(raw: string, zone: string | null, forceDate: boolean): RecurrenceValue | null {
  const value = raw.trim().toUpperCase();
  const period = value.indexOf('/');
  const single = period >= 0 ? value.slice(0, period) : value;
  const date = DATE_VALUE.exec(single.replace(/Z$/, ''));
  if (date && (forceDate || !single.includes('T'))) return { kind: 'date', date: `${date[1]}-${date[2]}-${date[3]}` };
  const dateTime = DATE_TIME_VALUE.exec(single);
  if (!dateTime) return null;
  const [, y, mo, d, h, mi, s, z] = dateTime as unknown as [string, string, string, string, string, string, string, string];
  if (forceDate) return { kind: 'date', date: `${y}-${mo}-${d}` };
  const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(localMs)) return null;
  if (z === 'Z') return { kind: 'utc', utcMs: localMs };
  return { kind: 'local', localMs, zone };
}

/**
 * Reads stored recurrence lines. `resolveZone` maps a TZID parameter to an IANA zone (null = unknown, the
 * value is then read as floating, i.e. in the series' zone).
 */
export function parseRecurrenceLines(lines: readonly string[], resolveZone: (tzid: string) => string | null): RecurrenceSet {
  const set: RecurrenceSet = { rrules: [], exrules: [], rdates: [], exdates: [], invalid: [] };
  const seenRules = new Set<string>();
  for (const line of lines) {
    const colon = findValueColon(line);
    if (colon < 0) {
      set.invalid.push(line);
      continue;
    }
    const [name = '', ...params] = line.slice(0, colon).split(';');
    const value = line.slice(colon + 1);
    const upperName = name.trim().toUpperCase();
    if (upperName === 'RRULE' || upperName === 'EXRULE') {
      const rule = parseRule(value);
      if (!rule) {
        set.invalid.push(line);
        continue;
      }
      const key = `${upperName}:${formatRule(rule)}`;
      if (seenRules.has(key)) continue; // the same RULE twice (Cyrus) means it once
      seenRules.add(key);
      (upperName === 'RRULE' ? set.rrules : set.exrules).push(rule);
      continue;
    }
    if (upperName !== 'RDATE' && upperName !== 'EXDATE') {
      set.invalid.push(line);
      continue;
    }
    let zone: string | null = null;
    let forceDate = false;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const paramName = param.slice(0, eq).trim().toUpperCase();
      const paramValue = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (paramName === 'TZID') zone = resolveZone(paramValue);
      if (paramName === 'VALUE' && paramValue.toUpperCase() === 'DATE') forceDate = true;
    }
    for (const raw of value.split(',')) {
      if (!raw.trim()) continue;
      const parsed = parseRecurrenceValue(raw, zone, forceDate);
      if (!parsed) set.invalid.push(`${upperName}:${raw}`);
      else (upperName === 'RDATE' ? set.rdates : set.exdates).push(parsed);
    }
  }
  return set;
}

/** Index of the colon that ends the name and parameters (colons inside quoted parameter values do not count). */
export function findValueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '"') quoted = !quoted;
    else if (char === ':' && !quoted) return i;
  }
  return -1;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `yyyy-mm-dd` → `yyyymmdd`. */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

/** Wall time ms → `yyyymmddThhmmss` (no zone designator). */
export function formatLocalDateTime(localMs: number): string {
  const d = new Date(localMs);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** Instant → `yyyymmddThhmmssZ`. */
export function formatUtcDateTime(utcMs: number): string {
  return `${formatLocalDateTime(utcMs)}Z`;
}
