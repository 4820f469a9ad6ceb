import { AppError } from '../../domain/app-error.ts';
import { wallTimeAt, wallTimeToUtcMs } from '../../domain/time-zone.ts';
import { resolveTimeZoneName } from '../../domain/windows-time-zones.ts';
import { compactDate, formatRule, formatUtcDateTime, parseRecurrenceLines, parseRule, type RuleParts } from '../../recurrence/recurrence-lines.ts';
import type { GraphPatternedRecurrence } from './graph-types.ts';

const DAY_CODES: Record<string, string> = { sunday: 'SU', monday: 'MO', tuesday: 'TU', wednesday: 'WE', thursday: 'TH', friday: 'FR', saturday: 'SA' };
const DAY_NAMES: Record<string, string> = Object.fromEntries(Object.entries(DAY_CODES).map(([name, code]) => [code, name]));
const INDEX_POSITIONS: Record<string, string> = { first: '1', second: '2', third: '3', fourth: '4', last: '-1' };
const POSITION_INDEXES: Record<string, string> = Object.fromEntries(Object.entries(INDEX_POSITIONS).map(([name, pos]) => [pos, name]));

/** Where a series starts: an all-day date, or a wall time in an IANA zone. */
export type SeriesStart = { kind: 'date'; date: string } | { kind: 'timed'; utcMs: number; zone: string };

function dayCodes(days: readonly string[] | null | undefined): string | null {
  const codes = (days ?? []).map((day) => DAY_CODES[day.toLowerCase()]).filter((code): code is string => Boolean(code));
  return codes.length ? codes.join(',') : null;
}

/**
 * RRULE lines (RFC 5545, no DTSTART: the format of shared/recurrence/recurrence-lines.ts) for a Graph
 * `patternedRecurrence`. The range's end date is inclusive in Graph, so a timed series gets an UNTIL at the
 * end of that day in the recurrence zone. Null when the pattern is unknown. Outlook clamps day 31 to the
 * month's last day where RFC 5545 skips such months: that difference is not expressible and stays.
 */
export function recurrenceLinesOf(recurrence: GraphPatternedRecurrence | null | undefined, start: SeriesStart): string[] | null {
  const pattern = recurrence?.pattern;
  const range = recurrence?.range;
  if (!pattern?.type) return null;
  const parts: RuleParts = new Map();
  const days = dayCodes(pattern.daysOfWeek);
  const position = INDEX_POSITIONS[(pattern.index ?? 'first').toLowerCase()] ?? '1';
  switch (pattern.type) {
    case 'daily':
      parts.set('FREQ', 'DAILY');
      break;
    case 'weekly':
      parts.set('FREQ', 'WEEKLY');
      if (days) parts.set('BYDAY', days);
      if (pattern.firstDayOfWeek && DAY_CODES[pattern.firstDayOfWeek.toLowerCase()]) parts.set('WKST', DAY_CODES[pattern.firstDayOfWeek.toLowerCase()]!);
      break;
    case 'absoluteMonthly':
      parts.set('FREQ', 'MONTHLY');
      if (pattern.dayOfMonth) parts.set('BYMONTHDAY', String(pattern.dayOfMonth));
      break;
    case 'relativeMonthly':
      if (!days) return null;
      parts.set('FREQ', 'MONTHLY');
      parts.set('BYDAY', days);
      parts.set('BYSETPOS', position);
      break;
    case 'absoluteYearly':
      parts.set('FREQ', 'YEARLY');
      if (pattern.month) parts.set('BYMONTH', String(pattern.month));
      if (pattern.dayOfMonth) parts.set('BYMONTHDAY', String(pattern.dayOfMonth));
      break;
    case 'relativeYearly':
      if (!days) return null;
      parts.set('FREQ', 'YEARLY');
      if (pattern.month) parts.set('BYMONTH', String(pattern.month));
      parts.set('BYDAY', days);
      parts.set('BYSETPOS', position);
      break;
    default:
      return null;
  }
  if (pattern.interval && pattern.interval > 1) parts.set('INTERVAL', String(pattern.interval));
  if (range?.type === 'numbered' && range.numberOfOccurrences && range.numberOfOccurrences > 0) {
    parts.set('COUNT', String(range.numberOfOccurrences));
  } else if (range?.type === 'endDate' && range.endDate && /^\d{4}-\d{2}-\d{2}$/.test(range.endDate)) {
    if (start.kind === 'date') parts.set('UNTIL', compactDate(range.endDate));
    else {
      const zone = (range.recurrenceTimeZone && resolveTimeZoneName(range.recurrenceTimeZone)) || start.zone;
      const [year, month, day] = range.endDate.split('-').map(Number) as [number, number, number];
      parts.set('UNTIL', formatUtcDateTime(wallTimeToUtcMs({ year, month, day, hour: 23, minute: 59, second: 59 }, zone)));
    }
  }
  return [`RRULE:${formatRule(parts)}`];
}

function invalid(message: string): AppError {
  return new AppError('provider.input_invalid', `Microsoft Graph cannot express this recurrence: ${message}`, { retryable: false, details: { field: 'body.recurrence' } });
}

function isoDateOf(start: SeriesStart): { date: string; weekday: string; day: number; month: number } {
  if (start.kind === 'date') {
    const [year, month, day] = start.date.split('-').map(Number) as [number, number, number];
    const weekday = Object.keys(DAY_CODES)[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!;
    return { date: start.date, weekday, day, month };
  }
  const wall = wallTimeAt(start.zone, start.utcMs);
  const date = `${String(wall.year).padStart(4, '0')}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
  const weekday = Object.keys(DAY_CODES)[new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()]!;
  return { date, weekday, day: wall.day, month: wall.month };
}

/** `MO,2TU,-1FR` → days and (one shared) position. */
function splitByDay(value: string): { days: string[]; position: string | null } {
  const days: string[] = [];
  let position: string | null = null;
  for (const item of value.split(',')) {
    const match = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item);
    if (!match) throw invalid(`BYDAY=${value}`);
    if (match[1]) {
      if (position !== null && position !== String(Number(match[1]))) throw invalid(`BYDAY=${value} mixes positions`);
      position = String(Number(match[1]));
    }
    days.push(DAY_NAMES[match[2]!]!);
  }
  return { days, position };
}

const SUPPORTED_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST']);

const isExdate = (line: string): boolean => /^EXDATE[;:]/i.test(line.trim());

/** An instance a series' EXDATE removes: by its original start (timed) or by its date in the series' zone. */
export type Exclusion = { kind: 'instant'; utcMs: number } | { kind: 'date'; date: string };

/**
 * The instances EXDATE lines remove. Graph has no EXDATE: the adapter writes the pattern and then deletes
 * (cancels) these instances. Wall-time values are read in their TZID, floating ones in the series' zone.
 */
export function exclusionsOf(lines: readonly string[], start: SeriesStart): Exclusion[] {
  const set = parseRecurrenceLines(lines.filter(isExdate), (tzid) => resolveTimeZoneName(tzid));
  if (set.invalid.length) throw invalid(`unreadable EXDATE ${set.invalid[0]}`);
  const seriesZone = start.kind === 'timed' ? start.zone : 'UTC';
  return set.exdates.map((value): Exclusion => {
    if (value.kind === 'date') return { kind: 'date', date: value.date };
    if (value.kind === 'utc') return { kind: 'instant', utcMs: value.utcMs };
    const d = new Date(value.localMs);
    const wall = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
    return { kind: 'instant', utcMs: wallTimeToUtcMs(wall, value.zone ?? seriesZone) };
  });
}

/**
 * A Graph `patternedRecurrence` for RRULE lines (writes). Graph knows one rule per series and no RDATE or
 * EXRULE, so those are refused with `provider.input_invalid`; EXDATE lines are left to `exclusionsOf`
 * (the adapter cancels those instances after writing the pattern).
 */
export function patternedRecurrenceOf(lines: readonly string[], start: SeriesStart): GraphPatternedRecurrence {
  const rules = lines.filter((line) => line.trim() !== '' && !isExdate(line));
  if (rules.length !== 1 || !/^RRULE:/i.test(rules[0]!)) throw invalid('exactly one RRULE line, optionally with EXDATE lines, is supported (no RDATE/EXRULE)');
  const parts = parseRule(rules[0]!.slice(rules[0]!.indexOf(':') + 1));
  if (!parts) throw invalid(rules[0]!);
  for (const name of parts.keys()) if (!SUPPORTED_PARTS.has(name)) throw invalid(`${name} is not supported`);
  const origin = isoDateOf(start);
  const zone = start.kind === 'timed' ? start.zone : 'UTC';
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(interval) || interval < 1) throw invalid(`INTERVAL=${parts.get('INTERVAL')}`);
  const byDay = parts.get('BYDAY') ? splitByDay(parts.get('BYDAY')!) : null;
  const position = parts.get('BYSETPOS') ?? byDay?.position ?? null;
  if (position !== null && !POSITION_INDEXES[position]) throw invalid(`position ${position}`);
  const monthDay = parts.get('BYMONTHDAY');
  if (monthDay !== undefined && !/^([1-9]|[12]\d|3[01])$/.test(monthDay)) throw invalid(`BYMONTHDAY=${monthDay}`);
  const month = parts.get('BYMONTH');
  if (month !== undefined && !/^([1-9]|1[0-2])$/.test(month)) throw invalid(`BYMONTH=${month}`);

  const pattern: Record<string, unknown> = { interval };
  switch (parts.get('FREQ')) {
    case 'DAILY':
      if (byDay) {
        if (interval !== 1) throw invalid('DAILY with BYDAY and an INTERVAL');
        Object.assign(pattern, { type: 'weekly', daysOfWeek: byDay.days });
      } else pattern.type = 'daily';
      break;
    case 'WEEKLY':
      Object.assign(pattern, { type: 'weekly', daysOfWeek: byDay?.days ?? [origin.weekday] });
      if (parts.get('WKST')) pattern.firstDayOfWeek = DAY_NAMES[parts.get('WKST')!] ?? 'sunday';
      break;
    case 'MONTHLY':
      if (byDay) Object.assign(pattern, { type: 'relativeMonthly', daysOfWeek: byDay.days, index: POSITION_INDEXES[position ?? '1'] });
      else Object.assign(pattern, { type: 'absoluteMonthly', dayOfMonth: Number(monthDay ?? origin.day) });
      break;
    case 'YEARLY':
      if (byDay) Object.assign(pattern, { type: 'relativeYearly', daysOfWeek: byDay.days, index: POSITION_INDEXES[position ?? '1'], month: Number(month ?? origin.month) });
      else Object.assign(pattern, { type: 'absoluteYearly', dayOfMonth: Number(monthDay ?? origin.day), month: Number(month ?? origin.month) });
      break;
    default:
      throw invalid(`FREQ=${parts.get('FREQ')}`);
  }

  const range: Record<string, unknown> = { startDate: origin.date, recurrenceTimeZone: zone };
  const count = parts.get('COUNT');
  const until = parts.get('UNTIL');
  if (count !== undefined) {
    if (!/^\d+$/.test(count) || Number(count) < 1) throw invalid(`COUNT=${count}`);
    Object.assign(range, { type: 'numbered', numberOfOccurrences: Number(count) });
  } else if (until !== undefined) {
    const match = /^(\d{4})(\d{2})(\d{2})(T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(until);
    if (!match) throw invalid(`UNTIL=${until}`);
    let endDate = `${match[1]}-${match[2]}-${match[3]}`;
    if (match[4] && match[8] === 'Z') {
      // A UTC UNTIL names an instant: the last day is that instant's date in the series' zone.
      const utcMs = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[5]), Number(match[6]), Number(match[7]));
      const wall = wallTimeAt(zone, utcMs);
      // Graph's end date is inclusive: when the series' time of day on that date is after the UNTIL (a
      // series cut just before one of its instances), that day no longer has an instance.
      if (start.kind === 'timed') {
        const first = wallTimeAt(zone, start.utcMs);
        const onDay = wallTimeToUtcMs({ year: wall.year, month: wall.month, day: wall.day, hour: first.hour, minute: first.minute, second: first.second }, zone);
        if (onDay > utcMs) {
          const previous = new Date(Date.UTC(wall.year, wall.month - 1, wall.day) - 86_400_000);
          Object.assign(wall, { year: previous.getUTCFullYear(), month: previous.getUTCMonth() + 1, day: previous.getUTCDate() });
        }
      }
      endDate = `${String(wall.year).padStart(4, '0')}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
    }
    Object.assign(range, { type: 'endDate', endDate });
  } else range.type = 'noEnd';
  return { pattern: pattern as GraphPatternedRecurrence['pattern'], range: range as GraphPatternedRecurrence['range'] };
}
