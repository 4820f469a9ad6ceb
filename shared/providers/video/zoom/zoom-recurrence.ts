import { wallTimeAt } from '../../../domain/time-zone.ts';

/** Zoom's `recurrence` object of a type 8 (recurring, fixed time) meeting. */
export interface ZoomRecurrence {
  /** 1 daily, 2 weekly, 3 monthly. */
  type: 1 | 2 | 3;
  repeat_interval: number;
  /** Weekly: `1`..`7`, Sunday first, comma-separated. */
  weekly_days?: string;
  /** Monthly: the day of the month. */
  monthly_day?: number;
  end_times: number;
}

/** What Zoom is asked to make for an event or booking: one fixed-time meeting, a fixed-time series, or a link for any time. */
export type ZoomMeetingShape = { type: 2 } | { type: 8; recurrence: ZoomRecurrence } | { type: 3 };

const MAX_END_TIMES = 60;
const MAX_INTERVAL = { DAILY: 99, WEEKLY: 50, MONTHLY: 10 } as const;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

/**
 * The Zoom meeting for an event's recurrence lines (RFC 5545 `RRULE:…`, `EXDATE:…`), the first occurrence at
 * `startMs` in `timeZone`. Zoom's own series (type 8) is used only where it repeats exactly as the rule does:
 * one RRULE of FREQ=DAILY|WEEKLY|MONTHLY with COUNT ≤ 60 and INTERVAL within Zoom's limits, a weekly BYDAY
 * list of plain days (every week, including the first occurrence's day), a monthly rule on a day every month
 * has (≤ 28). Anything else — UNTIL, no end, EXDATEs, BYSETPOS, yearly, a 31st — gets a meeting with no fixed
 * time (type 3), whose one link is valid at every occurrence, instead of a Zoom series that would disagree
 * with the calendar (a scheduled type 2 meeting's link expires 30 days after its date: wrong for a series).
 */
export function zoomMeetingShape(recurrence: readonly string[] | undefined, startMs: number, timeZone: string): ZoomMeetingShape {
  if (!recurrence || recurrence.length === 0) return { type: 2 };
  if (recurrence.length !== 1 || !/^RRULE:/i.test(recurrence[0]!)) return { type: 3 };
  const parts = new Map<string, string>();
  for (const part of recurrence[0]!.slice('RRULE:'.length).toUpperCase().split(';')) {
    const [name, value] = part.split('=');
    if (!name || value === undefined || parts.has(name)) return { type: 3 };
    parts.set(name, value);
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') return { type: 3 };
  const count = Number(parts.get('COUNT'));
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(count) || count < 1 || count > MAX_END_TIMES) return { type: 3 };
  if (!Number.isInteger(interval) || interval < 1 || interval > MAX_INTERVAL[freq]) return { type: 3 };
  const known = new Set(['FREQ', 'COUNT', 'INTERVAL', ...(freq === 'WEEKLY' ? ['BYDAY', 'WKST'] : [])]);
  if ([...parts.keys()].some((name) => !known.has(name))) return { type: 3 };
  const wall = wallTimeAt(timeZone, startMs);
  const firstWeekday = new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();

  if (freq === 'DAILY') return { type: 8, recurrence: { type: 1, repeat_interval: interval, end_times: count } };
  if (freq === 'MONTHLY') {
    if (wall.day > 28) return { type: 3 };
    return { type: 8, recurrence: { type: 3, repeat_interval: interval, monthly_day: wall.day, end_times: count } };
  }
  const byDay = parts.get('BYDAY');
  const days = byDay === undefined ? [firstWeekday] : byDay.split(',').map((day) => WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]));
  if (days.some((day) => day < 0) || !days.includes(firstWeekday)) return { type: 3 };
  // Several days every other week: RFC 5545 groups them in weeks from WKST (Monday), Zoom from Sunday.
  if (days.length > 1 && interval > 1) return { type: 3 };
  const weeklyDays = [...new Set(days)].sort((a, b) => a - b).map((day) => String(day + 1)).join(',');
  return { type: 8, recurrence: { type: 2, repeat_interval: interval, weekly_days: weeklyDays, end_times: count } };
}
