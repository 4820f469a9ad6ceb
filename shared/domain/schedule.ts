import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { isValidTimeZone } from './time-zone.ts';
import { Instant } from './timestamps.ts';

/**
 * Working hours: wall-clock ranges in an IANA zone, per weekday, with date overrides (other ranges on one
 * date, or none: a day off). Times are `HH:MM`; an end may be `24:00` (the end of the day), so a range
 * never crosses midnight: 22:00–02:00 is written as 22:00–24:00 and, the next day, 00:00–02:00.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** Limits that keep one schedule small enough to read and compile on every query. */
export const MAX_WEEKLY_RANGES = 100;
export const MAX_OVERRIDES = 500;
export const MAX_RANGES_PER_DATE = 24;

const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export const TimeRangeOfDay = z.object({ start: z.string(), end: z.string() });
export type TimeRangeOfDay = z.infer<typeof TimeRangeOfDay>;
export const WeeklyRange = z.object({ day: Weekday, start: z.string(), end: z.string() });
export type WeeklyRange = z.infer<typeof WeeklyRange>;
export const DateOverride = z.object({ date: z.string(), ranges: z.array(TimeRangeOfDay) });
export type DateOverride = z.infer<typeof DateOverride>;

export const Schedule = z.object({
  tenantId: TenantId,
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  weekly: z.array(WeeklyRange),
  overrides: z.array(DateOverride),
  createdAt: Instant,
  updatedAt: Instant,
  /** Incremented on every change; updates are conditional on the version read. */
  version: z.int().check(z.gte(1)),
});
export type Schedule = z.infer<typeof Schedule>;

/** What a caller sends (and what a schedule holds besides bookkeeping). */
export interface ScheduleContent {
  name: string;
  timeZone: string;
  weekly: WeeklyRange[];
  overrides: DateOverride[];
}

/** One thing wrong with a schedule, at a path below the schedule (`weekly.2.end`, `overrides.0.date`). */
export interface ScheduleProblem {
  path: (string | number)[];
  message: string;
}

/** Minutes since midnight of `HH:MM` (`24:00` = 1440 as an end), or null when malformed. */
export function minutesOfDay(text: string, asEnd: boolean): number | null {
  if (!(asEnd ? END_TIME : START_TIME).test(text)) return null;
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

/** Days since 1970-01-01 of a real `yyyy-mm-dd` date, or null (2027-02-30 is null). */
export function dayNumberOf(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms / 86_400_000;
}

function formatRange(range: { start: string; end: string }): string {
  return `${range.start}–${range.end}`;
}

/** Problems of a list of ranges of one day: bad times, end ≤ start, overlaps (touching is fine). */
function rangeProblems(ranges: readonly { start: string; end: string; path: (string | number)[]; label: string }[]): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const valid: { start: number; end: number; path: (string | number)[]; label: string; text: string }[] = [];
  for (const range of ranges) {
    const start = minutesOfDay(range.start, false);
    const end = minutesOfDay(range.end, true);
    if (start === null) problems.push({ path: [...range.path, 'start'], message: 'a time of day HH:MM from 00:00 to 23:59' });
    if (end === null) problems.push({ path: [...range.path, 'end'], message: 'a time of day HH:MM from 00:01 to 24:00' });
    if (start === null || end === null) continue;
    if (end <= start) {
      problems.push({ path: [...range.path, 'end'], message: `must be after start (${formatRange(range)}); a range ending after midnight is split: …–24:00, then 00:00–… the next day` });
      continue;
    }
    valid.push({ start, end, path: range.path, label: range.label, text: formatRange(range) });
  }
  const sorted = [...valid].sort((a, b) => a.start - b.start || a.end - b.end);
  // Compared with the range reaching furthest so far: 09:00–17:00 overlaps 12:00–13:00 after 10:00–11:00 too.
  let reach = sorted[0];
  for (let i = 1; i < sorted.length; i++) {
    const current = sorted[i]!;
    if (current.start < reach!.end) {
      problems.push({ path: [...current.path, 'start'], message: `${current.text} overlaps ${reach!.label} (${reach!.text})` });
    }
    if (current.end > reach!.end) reach = current;
  }
  return problems;
}

/**
 * Everything wrong with a schedule's content, each at its path (an empty list = valid): unknown zone,
 * malformed times, end ≤ start, overlapping ranges of one weekday or one override date, malformed or
 * impossible dates, a date overridden twice. Only the fields present are checked (PATCH sends some).
 */
export function scheduleProblems(content: Partial<ScheduleContent>): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  if (content.timeZone !== undefined && !isValidTimeZone(content.timeZone)) {
    problems.push({ path: ['timeZone'], message: 'an IANA time zone such as Europe/Berlin' });
  }
  if (content.weekly) {
    for (const day of WEEKDAYS) {
      const ranges = content.weekly
        .map((range, index) => ({ ...range, path: ['weekly', index] as (string | number)[], label: `weekly[${index}]` }))
        .filter((range) => range.day === day);
      problems.push(...rangeProblems(ranges));
    }
  }
  if (content.overrides) {
    const seen = new Map<number, number>();
    content.overrides.forEach((override, index) => {
      const dayNumber = dayNumberOf(override.date);
      if (dayNumber === null) problems.push({ path: ['overrides', index, 'date'], message: 'a calendar date yyyy-mm-dd that exists' });
      else if (seen.has(dayNumber)) problems.push({ path: ['overrides', index, 'date'], message: `${override.date} is already overridden by overrides[${seen.get(dayNumber)}]` });
      else seen.set(dayNumber, index);
      problems.push(
        ...rangeProblems(override.ranges.map((range, k) => ({ ...range, path: ['overrides', index, 'ranges', k], label: `overrides[${index}].ranges[${k}]` }))),
      );
    });
  }
  return problems.sort((a, b) => comparePaths(a.path, b.path));
}

function comparePaths(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number);
    return String(a[i]) < String(b[i]) ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * A schedule as numbers, ready for the working-hours sweep: per weekday (0 = Sunday) and per overridden day
 * number, flat pairs of minutes [start, end, start, end, …] sorted by start.
 */
export interface CompiledSchedule {
  timeZone: string;
  weekly: readonly Int32Array[];
  overrides: ReadonlyMap<number, Int32Array>;
}

function toMinutePairs(ranges: readonly { start: string; end: string }[]): Int32Array {
  const pairs = ranges
    .map((range) => [minutesOfDay(range.start, false) ?? 0, minutesOfDay(range.end, true) ?? 0] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  return Int32Array.from(pairs.flat());
}

/** Compiles a stored (valid) schedule. */
export function compileSchedule(schedule: Pick<ScheduleContent, 'timeZone' | 'weekly' | 'overrides'>): CompiledSchedule {
  const weekly = WEEKDAYS.map((day) => toMinutePairs(schedule.weekly.filter((range) => range.day === day)));
  const overrides = new Map<number, Int32Array>();
  for (const override of schedule.overrides) {
    const dayNumber = dayNumberOf(override.date);
    if (dayNumber !== null) overrides.set(dayNumber, toMinutePairs(override.ranges));
  }
  return { timeZone: schedule.timeZone, weekly, overrides };
}
