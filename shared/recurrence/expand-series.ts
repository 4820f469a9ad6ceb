import type { EventTime } from '../domain/calendar-event.ts';
import { isAllDay } from '../domain/calendar-event.ts';
import { resolveTimeZoneName } from '../domain/windows-time-zones.ts';
import type { RecurrenceValue, RuleParts } from './recurrence-lines.ts';
import { parseRecurrenceLines } from './recurrence-lines.ts';
import type { RuleWindow } from './rule-iteration.ts';
import { expandRule } from './rule-iteration.ts';
import type { ZoneOffsets } from './zone-offsets.ts';
import { zoneOffsets } from './zone-offsets.ts';

const DAY_MS = 86_400_000;

/** One instance of a series, before exceptions are applied. */
export interface SeriesInstance {
  /** Wall time of the instance's start in the series' zone (ms of that wall time read as UTC). */
  localStart: number;
  startMs: number;
  endMs: number;
  /** All-day series: the instance's dates (end exclusive); null for timed series. */
  startDate: string | null;
  endDate: string | null;
}

export interface SeriesDefinition {
  start: EventTime;
  end: EventTime;
  recurrence: readonly string[];
}

export interface ExpandedSeries {
  instances: SeriesInstance[];
  /** Recurrence lines that could not be read. */
  invalid: string[];
}

/** The IANA zone a timed series is expanded in: its own, or UTC when it has none we know. */
export function seriesZone(time: EventTime): string {
  if (isAllDay(time) || !time.timeZone) return 'UTC';
  return resolveTimeZoneName(time.timeZone) ?? 'UTC';
}

export function isoDate(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 10);
}

export function dateToLocalMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function dayStart(localMs: number): number {
  return Math.floor(localMs / DAY_MS) * DAY_MS;
}

/** Wall time of an RDATE/EXDATE/UNTIL value in the series' frame (`offsets` = series zone, or all-day zone). */
function valueToLocal(value: RecurrenceValue, offsets: ZoneOffsets, timeOfDay: number, allDay: boolean): number {
  switch (value.kind) {
    case 'date':
      return dateToLocalMs(value.date) + (allDay ? 0 : timeOfDay);
    case 'utc':
      return offsets.utcToLocal(value.utcMs);
    case 'local':
      return value.zone ? offsets.utcToLocal(zoneOffsets(value.zone).localToUtc(value.localMs)) : value.localMs;
  }
}

function untilLocal(rule: RuleParts, offsets: ZoneOffsets, allDay: boolean): number | null {
  const until = rule.get('UNTIL');
  if (!until) return null;
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(until);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, z] = match;
  const date = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (h === undefined) return allDay ? date : date + DAY_MS - 1; // a DATE UNTIL includes its whole day
  const wall = date + Number(h) * 3_600_000 + Number(mi) * 60_000 + Number(s) * 1000;
  return z === 'Z' ? offsets.utcToLocal(wall) : wall;
}

/** Receives one instance; positional so that expanding thousands of series allocates nothing per instance. */
export type InstanceVisitor = (localStart: number, startMs: number, endMs: number, startDate: string | null, endDate: string | null) => void;

/**
 * Expands one master into the instances that overlap [rangeStartMs, rangeEndMs): RRULEs (union), RDATEs
 * and DTSTART, minus EXDATEs and EXRULEs, in the master's wall time. Timed instances keep the master's exact
 * duration; all-day instances keep its length in days and resolve in `allDayZone`.
 */
export function expandSeries(series: SeriesDefinition, allDayZone: string | null, rangeStartMs: number, rangeEndMs: number): ExpandedSeries {
  const instances: SeriesInstance[] = [];
  const { invalid } = forEachSeriesInstance(series, allDayZone, rangeStartMs, rangeEndMs, (localStart, startMs, endMs, startDate, endDate) =>
    instances.push({ localStart, startMs, endMs, startDate, endDate }),
  );
  return { instances, invalid };
}

/** expandSeries, visiting the instances in order instead of collecting them; returns the unreadable lines. */
export function forEachSeriesInstance(
  series: SeriesDefinition,
  allDayZone: string | null,
  rangeStartMs: number,
  rangeEndMs: number,
  visit: InstanceVisitor,
): { invalid: string[] } {
  const allDay = isAllDay(series.start);
  const offsets = zoneOffsets(allDay ? (allDayZone ?? 'UTC') : seriesZone(series.start));
  const set = parseRecurrenceLines(series.recurrence, (tzid) => resolveTimeZoneName(tzid));

  let dtstartLocal: number;
  let durationMs: number;
  let durationDays = 0;
  if (isAllDay(series.start)) {
    dtstartLocal = dateToLocalMs(series.start.date);
    const endLocal = isAllDay(series.end) ? dateToLocalMs(series.end.date) : dayStart(offsets.utcToLocal(Date.parse(series.end.dateTime)));
    durationDays = Math.max(0, Math.round((endLocal - dtstartLocal) / DAY_MS));
    durationMs = durationDays * DAY_MS;
  } else {
    const startMs = Date.parse(series.start.dateTime);
    dtstartLocal = offsets.utcToLocal(startMs);
    const endMs = isAllDay(series.end) ? offsets.localToUtc(dateToLocalMs(series.end.date)) : Date.parse(series.end.dateTime);
    durationMs = Math.max(0, endMs - startMs);
  }
  const timeOfDay = dtstartLocal - dayStart(dtstartLocal);

  // Wall-time window: a zone is at most ~14 h from UTC, so two days of margin (plus the duration) is safe.
  const fromLocal = rangeStartMs - durationMs - 2 * DAY_MS;
  const toLocal = rangeEndMs + 2 * DAY_MS;

  const window = (rule: RuleParts): RuleWindow => ({ dtstartLocal, isDate: allDay, fromLocal, toLocal, untilLocal: untilLocal(rule, offsets, allDay) });
  let sorted: number[];
  const [onlyRule] = set.rrules;
  if (onlyRule && set.rrules.length === 1 && set.rdates.length === 0) {
    sorted = expandRule(onlyRule, window(onlyRule)); // already sorted and unique: the common case stays cheap
  } else {
    const candidates = new Set<number>();
    if (set.rrules.length === 0 && dtstartLocal >= fromLocal && dtstartLocal < toLocal) candidates.add(dtstartLocal);
    for (const rule of set.rrules) for (const local of expandRule(rule, window(rule))) candidates.add(local);
    for (const rdate of set.rdates) {
      const local = valueToLocal(rdate, offsets, timeOfDay, allDay);
      const normalized = allDay ? dayStart(local) : local;
      if (normalized >= fromLocal && normalized < toLocal) candidates.add(normalized);
    }
    sorted = [...candidates].sort((a, b) => a - b);
  }

  const excludedLocal = new Set<number>();
  const excludedDates = new Set<string>();
  for (const exdate of set.exdates) {
    if (exdate.kind === 'date') excludedDates.add(exdate.date);
    else if (allDay) excludedDates.add(isoDate(valueToLocal(exdate, offsets, timeOfDay, allDay)));
    else excludedLocal.add(valueToLocal(exdate, offsets, timeOfDay, allDay));
  }
  for (const rule of set.exrules) for (const local of expandRule(rule, window(rule))) excludedLocal.add(local);

  const checkDates = excludedDates.size > 0;
  for (const local of sorted) {
    // RFC 5545 lets EXDATE be a DATE even on a timed series; it then removes that day's instance.
    if (excludedLocal.has(local) || (checkDates && excludedDates.has(isoDate(local)))) continue;
    const startMs = offsets.localToUtc(local);
    const endMs = allDay ? offsets.localToUtc(local + durationMs) : startMs + durationMs;
    const overlaps = startMs < rangeEndMs && (endMs > rangeStartMs || (endMs === startMs && startMs >= rangeStartMs));
    if (!overlaps) continue;
    visit(local, startMs, endMs, allDay ? isoDate(local) : null, allDay ? isoDate(local + durationDays * DAY_MS) : null);
  }
  return { invalid: set.invalid };
}
