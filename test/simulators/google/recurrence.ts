import { parseDate, wallAt, wallToUtc } from './zone-time.ts';

/**
 * A small RRULE expander for the simulator (RFC 5545 §3.3.10, the subset our tests use): FREQ
 * DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, BYDAY (with ordinals in monthly rules),
 * BYMONTHDAY, BYMONTH, WKST, plus RDATE and EXDATE lines. Occurrences are generated in the wall time of the
 * series' zone, so a 09:00 meeting stays at 09:00 across DST changes. DTSTART is always the first
 * occurrence (RFC 5545 §3.8.5.3). Not supported (refused as invalid): EXRULE, BYSETPOS, BYHOUR and finer.
 * Independent of the production expander on purpose.
 */
export const DAY_MS = 86_400_000;

/** Where a series starts: a timed start in an IANA zone, or an all-day date. */
export type SeriesAnchor = { allDay: false; startMs: number; zone: string } | { allDay: true; startDay: number };

type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

interface WeekdayRef {
  ordinal: number; // 0 = every such weekday in the period
  weekday: number; // 0 = Sunday … 6 = Saturday (JS numbering)
}

interface Rule {
  freq: Freq;
  interval: number;
  count: number | null;
  /** Inclusive bound on occurrence keys. */
  untilKey: number | null;
  byDay: WeekdayRef[];
  byMonthDay: number[];
  byMonth: number[];
  weekStart: number;
}

export interface Recurrence {
  rules: Rule[];
  rdates: number[];
  exdates: Set<number>;
}

export class RecurrenceError extends Error {}

const WEEKDAYS: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };
const MAX_PERIODS = 200_000;

/** Parses Google's `recurrence[]` lines against the series anchor. Throws RecurrenceError on anything unsupported. */
export function parseRecurrence(lines: readonly string[], anchor: SeriesAnchor): Recurrence {
  const recurrence: Recurrence = { rules: [], rdates: [], exdates: new Set() };
  for (const raw of lines) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (colon < 0) throw new RecurrenceError(`Invalid recurrence rule: ${raw}`);
    const [name = '', ...params] = line.slice(0, colon).split(';');
    const value = line.slice(colon + 1);
    switch (name.toUpperCase()) {
      case 'RRULE':
        recurrence.rules.push(parseRule(value, anchor));
        break;
      case 'RDATE':
        recurrence.rdates.push(...parseDateList(value, params, anchor));
        break;
      case 'EXDATE':
        for (const key of parseDateList(value, params, anchor)) recurrence.exdates.add(key);
        break;
      default:
        throw new RecurrenceError(`Invalid recurrence rule: ${raw}`);
    }
  }
  if (recurrence.rules.length === 0 && recurrence.rdates.length === 0) throw new RecurrenceError('Invalid recurrence rule: no RRULE or RDATE');
  return recurrence;
}

function parseRule(value: string, anchor: SeriesAnchor): Rule {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const [key, v] = part.split('=');
    if (!key || v === undefined) throw new RecurrenceError(`Invalid recurrence rule: RRULE:${value}`);
    parts.set(key.toUpperCase(), v.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') throw new RecurrenceError(`Unsupported FREQ in RRULE:${value}`);
  for (const key of parts.keys()) {
    if (!['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'WKST'].includes(key)) throw new RecurrenceError(`Unsupported ${key} in RRULE:${value}`);
  }
  const interval = Number(parts.get('INTERVAL') ?? '1');
  const count = parts.has('COUNT') ? Number(parts.get('COUNT')) : null;
  if (!Number.isInteger(interval) || interval < 1 || (count !== null && (!Number.isInteger(count) || count < 1))) throw new RecurrenceError(`Invalid RRULE:${value}`);
  if (count !== null && parts.has('UNTIL')) throw new RecurrenceError(`RRULE cannot have both COUNT and UNTIL: ${value}`);
  const byDay = (parts.get('BYDAY')?.split(',') ?? []).map((text) => {
    const match = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(text);
    if (!match) throw new RecurrenceError(`Invalid BYDAY in RRULE:${value}`);
    return { ordinal: match[1] ? Number(match[1]) : 0, weekday: WEEKDAYS[match[2] as string] as number };
  });
  const numbers = (key: string, min: number, max: number): number[] =>
    (parts.get(key)?.split(',') ?? []).map((text) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n === 0 || Math.abs(n) < min || Math.abs(n) > max) throw new RecurrenceError(`Invalid ${key} in RRULE:${value}`);
      return n;
    });
  const wkst = parts.get('WKST');
  return {
    freq,
    interval,
    count,
    untilKey: parts.has('UNTIL') ? parseUntil(parts.get('UNTIL') as string, anchor) : null,
    byDay,
    byMonthDay: numbers('BYMONTHDAY', 1, 31),
    byMonth: numbers('BYMONTH', 1, 12),
    weekStart: wkst ? (WEEKDAYS[wkst] ?? 1) : 1,
  };
}

/** A compact iCalendar date or date-time (`20240110`, `20240110T100000Z`, `20240110T100000`) → ms. */
function parseCompact(text: string, zone: string | null): { ms: number; isDate: boolean } {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(text);
  if (!match) throw new RecurrenceError(`Invalid date in recurrence: ${text}`);
  const [, y, mo, d, h, mi, s, z] = match;
  const day = parseDate(`${y}-${mo}-${d}`);
  if (day === null) throw new RecurrenceError(`Invalid date in recurrence: ${text}`);
  if (h === undefined) return { ms: day * DAY_MS, isDate: true };
  const wall = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  if (z || !zone) return { ms: Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second), isDate: false };
  return { ms: wallToUtc(wall, zone), isDate: false };
}

function parseUntil(text: string, anchor: SeriesAnchor): number {
  const { ms, isDate } = parseCompact(text, anchor.allDay ? null : anchor.zone);
  if (anchor.allDay) return Math.floor(ms / DAY_MS) * DAY_MS;
  // A date UNTIL on a timed series covers that whole local day.
  return isDate ? wallToUtc({ ...dayWall(ms / DAY_MS), hour: 23, minute: 59, second: 59 }, anchor.zone) : ms;
}

function parseDateList(value: string, params: string[], anchor: SeriesAnchor): number[] {
  const tzid = params.find((p) => p.toUpperCase().startsWith('TZID='))?.slice(5) ?? null;
  return value.split(',').map((text) => {
    const zone = tzid ?? (anchor.allDay ? null : anchor.zone);
    const { ms, isDate } = parseCompact(text.trim(), zone);
    if (anchor.allDay) return Math.floor(ms / DAY_MS) * DAY_MS;
    if (!isDate) return ms;
    const startWall = wallAt(anchor.zone, anchor.startMs);
    return wallToUtc({ ...dayWall(ms / DAY_MS), hour: startWall.hour, minute: startWall.minute, second: startWall.second }, anchor.zone);
  });
}

function dayWall(epochDay: number): { year: number; month: number; day: number } {
  const d = new Date(epochDay * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function weekdayOf(epochDay: number): number {
  return new Date(epochDay * DAY_MS).getUTCDay();
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Candidate days of one month for BYMONTHDAY/BYDAY (or the anchor's day of month). */
function monthDays(rule: Rule, year: number, month: number, anchorDayOfMonth: number): number[] {
  const length = daysInMonth(year, month);
  const byMonthDay = rule.byMonthDay.map((n) => (n > 0 ? n : length + 1 + n)).filter((n) => n >= 1 && n <= length);
  let byDay: number[] | null = null;
  if (rule.byDay.length > 0) {
    byDay = [];
    for (const ref of rule.byDay) {
      const matching: number[] = [];
      for (let d = 1; d <= length; d += 1) if (weekdayOf(dayOf(year, month, d)) === ref.weekday) matching.push(d);
      if (ref.ordinal === 0) byDay.push(...matching);
      else {
        const picked = ref.ordinal > 0 ? matching[ref.ordinal - 1] : matching[matching.length + ref.ordinal];
        if (picked !== undefined) byDay.push(picked);
      }
    }
  }
  let days: number[];
  if (rule.byMonthDay.length > 0 && byDay) days = byMonthDay.filter((d) => byDay.includes(d));
  else if (rule.byMonthDay.length > 0) days = byMonthDay;
  else if (byDay) days = byDay;
  else days = anchorDayOfMonth <= length ? [anchorDayOfMonth] : [];
  return [...new Set(days)].sort((a, b) => a - b).map((d) => dayOf(year, month, d));
}

/** The candidate days of period `k` of a rule, ascending. */
function periodDays(rule: Rule, k: number, anchorDay: number): number[] {
  const anchor = dayWall(anchorDay);
  const monthOk = (day: number): boolean => rule.byMonth.length === 0 || rule.byMonth.includes(dayWall(day).month);
  switch (rule.freq) {
    case 'DAILY': {
      const day = anchorDay + k * rule.interval;
      const wall = dayWall(day);
      const length = daysInMonth(wall.year, wall.month);
      const dayOk = rule.byDay.length === 0 || rule.byDay.some((ref) => ref.weekday === weekdayOf(day));
      const monthDayOk = rule.byMonthDay.length === 0 || rule.byMonthDay.some((n) => (n > 0 ? n : length + 1 + n) === wall.day);
      return dayOk && monthDayOk && monthOk(day) ? [day] : [];
    }
    case 'WEEKLY': {
      const weekStart = anchorDay - ((weekdayOf(anchorDay) - rule.weekStart + 7) % 7) + 7 * k * rule.interval;
      const weekdays = rule.byDay.length > 0 ? rule.byDay.map((ref) => ref.weekday) : [weekdayOf(anchorDay)];
      return [...new Set(weekdays.map((wd) => weekStart + ((wd - rule.weekStart + 7) % 7)))].sort((a, b) => a - b).filter(monthOk);
    }
    case 'MONTHLY': {
      const index = anchor.year * 12 + (anchor.month - 1) + k * rule.interval;
      const year = Math.floor(index / 12);
      const month = (index % 12) + 1;
      if (rule.byMonth.length > 0 && !rule.byMonth.includes(month)) return [];
      return monthDays(rule, year, month, anchor.day);
    }
    case 'YEARLY': {
      const year = anchor.year + k * rule.interval;
      const months = rule.byMonth.length > 0 ? rule.byMonth : [anchor.month];
      return months.sort((a, b) => a - b).flatMap((month) => monthDays(rule, year, month, anchor.day));
    }
  }
}

function ruleKeys(rule: Rule, anchor: SeriesAnchor, bounds: KeyBounds): number[] {
  const anchorKey = anchor.allDay ? anchor.startDay * DAY_MS : anchor.startMs;
  const anchorDay = anchor.allDay ? anchor.startDay : localDay(anchor.startMs, anchor.zone);
  const timeOfDay = anchor.allDay ? null : wallAt(anchor.zone, anchor.startMs);
  const keyOf = (day: number): number =>
    timeOfDay === null || anchor.allDay ? day * DAY_MS : wallToUtc({ ...dayWall(day), hour: timeOfDay.hour, minute: timeOfDay.minute, second: timeOfDay.second }, anchor.zone);
  // COUNT counts every occurrence from DTSTART; only those from `fromKey` on are collected (and capped).
  let generated = 1;
  const keys = anchorKey >= bounds.fromKey ? [anchorKey] : [];
  const untilKey = rule.untilKey ?? Number.POSITIVE_INFINITY;
  const countLimit = rule.count ?? Number.POSITIVE_INFINITY;
  const periodLength = { DAILY: 1, WEEKLY: 7, MONTHLY: 28, YEARLY: 365 }[rule.freq] * rule.interval;
  for (let k = 0; k < MAX_PERIODS; k += 1) {
    // Rules whose periods yield nothing (BYMONTHDAY=30 in February) must still stop at the limit.
    if ((anchorDay + k * periodLength - 32) * DAY_MS > bounds.limitKey) return keys;
    for (const day of periodDays(rule, k, anchorDay)) {
      if (day <= anchorDay) continue;
      const key = keyOf(day);
      if (key > untilKey || generated >= countLimit || key > bounds.limitKey) return keys;
      generated += 1;
      if (key < bounds.fromKey) continue;
      keys.push(key);
      if (keys.length >= bounds.maxCount) return keys;
    }
  }
  return keys;
}

function localDay(utcMs: number, zone: string): number {
  const w = wallAt(zone, utcMs);
  return dayOf(w.year, w.month, w.day);
}

interface KeyBounds {
  fromKey: number;
  limitKey: number;
  maxCount: number;
}

/**
 * Occurrence keys of a series in ascending order (utc ms for timed series, `epochDay * DAY_MS` for all-day
 * ones), EXDATEs removed, from `fromKey` up to `limitKey` (both inclusive) and at most `maxCount` keys.
 */
export function occurrenceKeys(recurrence: Recurrence, anchor: SeriesAnchor, limitKey: number, maxCount = 5_000, fromKey = Number.NEGATIVE_INFINITY): number[] {
  const bounds: KeyBounds = { fromKey, limitKey, maxCount };
  const anchorKey = anchor.allDay ? anchor.startDay * DAY_MS : anchor.startMs;
  const all = new Set<number>(recurrence.rules.length === 0 && anchorKey >= fromKey ? [anchorKey] : []);
  for (const rule of recurrence.rules) for (const key of ruleKeys(rule, anchor, bounds)) all.add(key);
  for (const key of recurrence.rdates) if (key <= limitKey && key >= fromKey) all.add(key);
  return [...all]
    .filter((key) => !recurrence.exdates.has(key))
    .sort((a, b) => a - b)
    .slice(0, maxCount);
}

/** True when the series has no last occurrence (no COUNT/UNTIL on some rule). */
export function isInfinite(recurrence: Recurrence): boolean {
  return recurrence.rules.some((rule) => rule.count === null && rule.untilKey === null);
}
