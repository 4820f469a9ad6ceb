import { zoomErrors } from './errors.ts';

/**
 * Zoom's `recurrence` of a type 8 meeting (fixed-time series), as the Meetings API documents it: `type` 1
 * daily, 2 weekly (`weekly_days` `1`..`7`, Sunday = 1), 3 monthly (`monthly_day`, or `monthly_week` with
 * `monthly_week_day`); `repeat_interval` at most 99 days, 50 weeks or 10 months; `end_times` (at most 60)
 * or `end_date_time`. Written for the simulator on its own — it shares nothing with the product's RRULE
 * code, so a test comparing the two catches a wrong mapping.
 */
export interface SimRecurrence {
  type: 1 | 2 | 3;
  repeat_interval: number;
  weekly_days?: string;
  monthly_day?: number;
  monthly_week?: number;
  monthly_week_day?: number;
  end_times?: number;
  end_date_time?: string;
}

export interface SimOccurrence {
  occurrence_id: string;
  start_time: string;
  duration: number;
  status: 'available';
}

const MAX_INTERVAL: Record<number, number> = { 1: 99, 2: 50, 3: 10 };
const MAX_END_TIMES = 60;

export function parseRecurrence(raw: unknown): SimRecurrence {
  if (typeof raw !== 'object' || raw === null) throw zoomErrors.validation('Invalid field: recurrence.');
  const input = raw as Record<string, unknown>;
  const type = input.type;
  if (type !== 1 && type !== 2 && type !== 3) throw zoomErrors.validation('Invalid field: recurrence.type.');
  const interval = input.repeat_interval ?? 1;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1 || interval > MAX_INTERVAL[type]!) throw zoomErrors.validation('Invalid field: recurrence.repeat_interval.');
  const recurrence: SimRecurrence = { type, repeat_interval: interval };
  if (type === 2) {
    const days = input.weekly_days ?? '1';
    if (typeof days !== 'string' || !/^[1-7](,[1-7])*$/.test(days)) throw zoomErrors.validation('Invalid field: recurrence.weekly_days.');
    recurrence.weekly_days = days;
  }
  if (type === 3) {
    if (input.monthly_day !== undefined) {
      if (typeof input.monthly_day !== 'number' || !Number.isInteger(input.monthly_day) || input.monthly_day < 1 || input.monthly_day > 31) throw zoomErrors.validation('Invalid field: recurrence.monthly_day.');
      recurrence.monthly_day = input.monthly_day;
    } else {
      const week = input.monthly_week;
      const weekDay = input.monthly_week_day;
      if (![-1, 1, 2, 3, 4].includes(week as number) || ![1, 2, 3, 4, 5, 6, 7].includes(weekDay as number)) throw zoomErrors.validation('Invalid field: recurrence.monthly_day.');
      recurrence.monthly_week = week as number;
      recurrence.monthly_week_day = weekDay as number;
    }
  }
  if (input.end_times !== undefined && input.end_date_time !== undefined) throw zoomErrors.validation('Invalid field: recurrence.end_times.');
  if (input.end_date_time !== undefined) {
    if (typeof input.end_date_time !== 'string' || Number.isNaN(Date.parse(input.end_date_time))) throw zoomErrors.validation('Invalid field: recurrence.end_date_time.');
    recurrence.end_date_time = input.end_date_time;
  } else {
    const times = input.end_times ?? 1;
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > MAX_END_TIMES) throw zoomErrors.validation('Invalid field: recurrence.end_times.');
    recurrence.end_times = times;
  }
  return recurrence;
}

/** The zone's wall clock at an instant. */
function wallAt(zone: string, ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/**
 * The instant a wall-clock time names in the zone: a time the autumn change shows twice is its first
 * (summer-time) instant; a time a spring gap skips is read with the offset before the gap (so it moves
 * forward by the gap). Zoom does not document its choice; RFC 5545's (§3.3.5) is taken.
 */
function instantOf(zone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const shownAt = (ms: number) => {
    const wall = wallAt(zone, ms);
    return Date.UTC(wall.y, wall.mo - 1, wall.d, wall.h, wall.mi);
  };
  const offsetAt = (ms: number) => shownAt(ms) - Math.floor(ms / 60_000) * 60_000;
  const before = offsetAt(asUtc - 86_400_000);
  const after = offsetAt(asUtc + 86_400_000);
  const valid = [asUtc - before, asUtc - after].filter((t) => shownAt(t) === asUtc);
  return valid.length > 0 ? Math.min(...valid) : asUtc - before;
}

/** The occurrences Zoom lists for a type 8 meeting, in the meeting's zone, at most a few hundred. */
export function occurrencesOf(recurrence: SimRecurrence, startTime: string, durationMinutes: number, zone: string): SimOccurrence[] {
  const startMs = Date.parse(startTime);
  const first = wallAt(zone, startMs);
  const endMs = recurrence.end_date_time ? Date.parse(recurrence.end_date_time) : Number.POSITIVE_INFINITY;
  const limit = recurrence.end_times ?? 365;
  const starts: number[] = [];
  const push = (y: number, mo: number, d: number): boolean => {
    const day = new Date(Date.UTC(y, mo - 1, d));
    const at = instantOf(zone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), first.h, first.mi);
    if (at < startMs) return true;
    if (at > endMs || starts.length >= limit) return false;
    starts.push(at);
    return true;
  };
  const firstDay = Date.UTC(first.y, first.mo - 1, first.d);
  for (let step = 0; step < 2000 && starts.length < limit; step++) {
    if (recurrence.type === 1) {
      if (!push(first.y, first.mo, first.d + step * recurrence.repeat_interval)) break;
    } else if (recurrence.type === 2) {
      // Weeks run Sunday to Saturday; every repeat_interval-th week from the first one.
      const weekStart = firstDay - new Date(firstDay).getUTCDay() * 86_400_000 + step * recurrence.repeat_interval * 7 * 86_400_000;
      const days = recurrence.weekly_days!.split(',').map(Number).sort((a, b) => a - b);
      let going = true;
      for (const day of days) {
        const date = new Date(weekStart + (day - 1) * 86_400_000);
        if (!push(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) {
          going = false;
          break;
        }
      }
      if (!going) break;
    } else {
      const month = new Date(Date.UTC(first.y, first.mo - 1 + step * recurrence.repeat_interval, 1));
      const y = month.getUTCFullYear();
      const mo = month.getUTCMonth() + 1;
      const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
      let day: number;
      if (recurrence.monthly_day !== undefined) {
        // A day the month lacks: taken to be the month's last day (unconfirmed; the product never asks for one past the 28th).
        day = Math.min(recurrence.monthly_day, daysInMonth);
      } else {
        const weekday = recurrence.monthly_week_day! - 1;
        const firstWeekday = (weekday - new Date(Date.UTC(y, mo - 1, 1)).getUTCDay() + 7) % 7;
        day = recurrence.monthly_week === -1 ? firstWeekday + 1 + Math.floor((daysInMonth - firstWeekday - 1) / 7) * 7 : firstWeekday + 1 + (recurrence.monthly_week! - 1) * 7;
      }
      if (!push(y, mo, day)) break;
    }
  }
  return starts.map((at) => ({ occurrence_id: String(at), start_time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'), duration: durationMinutes, status: 'available' as const }));
}
