import { DAY_MS, occurrenceKeys, type SeriesAnchor } from './recurrence.ts';
import type { CalendarRecord, EventRecord, InstanceRef, TimeValue } from './types.ts';
import { compactDate, compactUtc, startOfDay } from './zone-time.ts';

/**
 * Series helpers: a master's occurrences, instance ids (`<masterId>_<yyyymmddThhmmssZ>` for timed,
 * `<masterId>_<yyyymmdd>` for all-day, as Google forms them) and the times of one instance.
 */
export const MAX_INSTANCES_PER_SERIES = 5_000;

export function keyOf(time: TimeValue): number {
  return time.allDay ? time.day * DAY_MS : time.ms;
}

export function anchorOf(master: EventRecord, calendar: CalendarRecord): SeriesAnchor {
  if (master.start.allDay) return { allDay: true, startDay: master.start.day };
  return { allDay: false, startMs: master.start.ms, zone: master.startZone ?? calendar.timeZone };
}

/**
 * Occurrence keys of a master from `fromKey` to `limitKey` (inclusive), at most MAX_INSTANCES_PER_SERIES;
 * empty for a non-recurring record.
 */
export function seriesKeys(master: EventRecord, calendar: CalendarRecord, limitKey: number, fromKey = Number.NEGATIVE_INFINITY): number[] {
  if (!master.parsedRecurrence) return [];
  return occurrenceKeys(master.parsedRecurrence, anchorOf(master, calendar), limitKey, MAX_INSTANCES_PER_SERIES, fromKey);
}

/** Longest an instance of the master can last, for window arithmetic (all-day lengths in days, plus a day of zone slack). */
export function spanOf(master: EventRecord): number {
  if (master.start.allDay && master.end.allDay) return (master.end.day - master.start.day + 1) * 86_400_000;
  if (!master.start.allDay && !master.end.allDay) return master.end.ms - master.start.ms + 86_400_000;
  return 86_400_000;
}

/** The occurrences change tracking looks at: one horizon back and one ahead of now. */
export function trackedKeys(master: EventRecord, calendar: CalendarRecord, nowMs: number, horizonMs: number): number[] {
  return seriesKeys(master, calendar, horizonMs, nowMs - (horizonMs - nowMs));
}

export function instanceId(masterId: string, key: number, allDay: boolean): string {
  return `${masterId}_${allDay ? compactDate(Math.round(key / DAY_MS)) : compactUtc(key)}`;
}

export function instanceRef(master: EventRecord, key: number): InstanceRef {
  return { id: instanceId(master.id, key, master.start.allDay), masterId: master.id, key, allDay: master.start.allDay };
}

/** Splits an instance id into its master id and original start key; null when it is not one. */
export function parseInstanceId(id: string): { masterId: string; key: number; allDay: boolean } | null {
  const cut = id.lastIndexOf('_');
  if (cut <= 0) return null;
  const suffix = id.slice(cut + 1);
  const timed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(suffix);
  if (timed) {
    const [, y, mo, d, h, mi, s] = timed.map(Number) as [number, number, number, number, number, number, number];
    return { masterId: id.slice(0, cut), key: Date.UTC(y, mo - 1, d, h, mi, s), allDay: false };
  }
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(suffix);
  if (date) {
    const [, y, mo, d] = date.map(Number) as [number, number, number, number];
    return { masterId: id.slice(0, cut), key: Date.UTC(y, mo - 1, d), allDay: true };
  }
  return null;
}

/** True when `key` is an occurrence of the master's current rule. */
export function isOccurrence(master: EventRecord, calendar: CalendarRecord, key: number): boolean {
  return seriesKeys(master, calendar, key, key).includes(key);
}

export function originalStartOf(master: EventRecord, key: number): TimeValue {
  return master.start.allDay ? { allDay: true, day: Math.round(key / DAY_MS) } : { allDay: false, ms: key, zone: master.startZone };
}

/** Start and end of the instance at `key`, keeping the master's duration (in days for all-day series). */
export function instanceTimes(master: EventRecord, key: number): { start: TimeValue; end: TimeValue } {
  if (master.start.allDay && master.end.allDay) {
    const day = Math.round(key / DAY_MS);
    return { start: { allDay: true, day }, end: { allDay: true, day: day + (master.end.day - master.start.day) } };
  }
  if (!master.start.allDay && !master.end.allDay) {
    return { start: { allDay: false, ms: key, zone: master.startZone }, end: { allDay: false, ms: key + (master.end.ms - master.start.ms), zone: master.endZone } };
  }
  throw new Error('mixed all-day and timed series');
}

/** The instant interval of a time pair; all-day dates are read in `zone`. */
export function intervalOf(start: TimeValue, end: TimeValue, zone: string): { startMs: number; endMs: number } {
  const toMs = (t: TimeValue): number => (t.allDay ? startOfDay(t.day, zone) : t.ms);
  return { startMs: toMs(start), endMs: toMs(end) };
}

/** Exceptions (edited or cancelled instances) of a master, live ones only. */
export function exceptionsOf(calendar: CalendarRecord, masterId: string): EventRecord[] {
  const found: EventRecord[] = [];
  for (const id of calendar.exceptions.get(masterId) ?? []) {
    const record = calendar.events.get(id);
    if (record && !record.deleted) found.push(record);
  }
  return found;
}
