import type ICALModule from 'ical.js';
import type { RuleParts } from './recurrence-lines.ts';
import { formatRule } from './recurrence-lines.ts';

type IcalLibrary = typeof ICALModule;

/**
 * The general RFC 5545 rule engine (ical.js), needed only for rules the arithmetic fast path does not cover.
 * It is loaded on demand (`loadGeneralRuleEngine`, called by `RecurrenceExpander.prepare`), so functions
 * that rarely meet such a rule do not load it at cold start; modules that import ical.js anyway (the
 * iCalendar parser) hand it over with `useGeneralRuleEngine`.
 */
let ICAL: IcalLibrary | null = null;

export function useGeneralRuleEngine(library: IcalLibrary): void {
  ICAL ??= library;
}

export async function loadGeneralRuleEngine(): Promise<void> {
  if (!ICAL) useGeneralRuleEngine((await import('ical.js')).default);
}

export function generalRuleEngineLoaded(): boolean {
  return ICAL !== null;
}

/** Whether the arithmetic fast path handles this rule (otherwise the general engine must be loaded). */
export function fastPathHandles(rule: RuleParts): boolean {
  const allowed = SIMPLE_KEYS[rule.get('FREQ') ?? ''];
  if (!allowed) return false;
  for (const key of rule.keys()) if (!allowed.has(key)) return false;
  return true;
}

const DAY_MS = 86_400_000;
/** Hard stop for pathological rules (FREQ=SECONDLY over decades); far above any real calendar. */
const MAX_ITERATIONS = 200_000;

/**
 * What to generate, all in wall time (ms of the wall time read as UTC) of the series' own zone, so 09:00
 * stays 09:00 across DST. Every rule instance starts at or after DTSTART, DTSTART is always the first
 * instance (RFC 5545 §3.8.5.3: it counts towards COUNT even when the rule would not produce it), and only
 * instances with `fromLocal <= start < toLocal` and `start <= untilLocal` are returned.
 */
export interface RuleWindow {
  dtstartLocal: number;
  isDate: boolean;
  fromLocal: number;
  toLocal: number;
  /** Inclusive UNTIL bound in the same wall time, or null. */
  untilLocal: number | null;
}

const WEEKDAYS: Readonly<Record<string, number>> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };
const SIMPLE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  DAILY: new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST']),
  WEEKLY: new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST', 'BYDAY']),
  MONTHLY: new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST', 'BYMONTHDAY']),
  YEARLY: new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST', 'BYMONTH', 'BYMONTHDAY']),
};

function positiveInt(value: string | undefined, fallback: number, max: number): number | null {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= max ? n : null;
}

/** Day number (days since 1970-01-01) → weekday, 0 = Sunday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/** Collects instances in the window, counting every instance from DTSTART on for COUNT. */
class InstanceSink {
  readonly out: number[] = [];
  private emitted = 0;
  private readonly window: RuleWindow;
  private readonly count: number | null;

  constructor(window: RuleWindow, count: number | null) {
    this.window = window;
    this.count = count;
  }

  /** Adds one instance; false once nothing later can qualify (COUNT used up, past UNTIL or the window). */
  add(local: number): boolean {
    if (this.count !== null && this.emitted >= this.count) return false;
    if (this.window.untilLocal !== null && local > this.window.untilLocal && this.emitted > 0) return false;
    if (local >= this.window.toLocal && this.emitted > 0) return false;
    this.emitted++;
    if (local >= this.window.fromLocal && local < this.window.toLocal) this.out.push(local);
    return true;
  }

  /** Whether instances may be skipped without being counted (no COUNT). */
  get canSkip(): boolean {
    return this.count === null;
  }
}

/**
 * Plain date arithmetic for the rules real calendars use most (DAILY; WEEKLY with plain BYDAY; MONTHLY and
 * YEARLY on one month day), or null when the rule needs the general iterator. Jumps straight to the
 * window when there is no COUNT.
 */
export function expandRuleFast(rule: RuleParts, window: RuleWindow): number[] | null {
  const freq = rule.get('FREQ') ?? '';
  const allowed = SIMPLE_KEYS[freq];
  if (!allowed) return null;
  for (const key of rule.keys()) if (!allowed.has(key)) return null;
  const interval = positiveInt(rule.get('INTERVAL'), 1, 100_000);
  const countValue = rule.get('COUNT');
  const count = countValue === undefined ? null : positiveInt(countValue, 1, 1_000_000);
  if (interval === null || (countValue !== undefined && count === null)) return null;
  const wkstText = rule.get('WKST');
  const wkst = wkstText === undefined ? 1 : WEEKDAYS[wkstText];
  if (wkst === undefined) return null;

  const sink = new InstanceSink(window, count);
  const dtstart = window.dtstartLocal;
  const dtDay = Math.floor(dtstart / DAY_MS);
  const timeOfDay = dtstart - dtDay * DAY_MS;
  const fromDay = Math.floor(window.fromLocal / DAY_MS);
  sink.add(dtstart);

  if (freq === 'DAILY') {
    const firstStep = sink.canSkip ? Math.max(1, Math.floor((fromDay - dtDay) / interval) - 1) : 1;
    for (let n = firstStep; n < MAX_ITERATIONS; n++) {
      if (!sink.add((dtDay + n * interval) * DAY_MS + timeOfDay)) break;
    }
    return sink.out;
  }

  if (freq === 'WEEKLY') {
    const bydayText = rule.get('BYDAY');
    let weekdays: number[];
    if (bydayText === undefined) weekdays = [weekdayOf(dtDay)];
    else {
      weekdays = [];
      for (const token of bydayText.split(',')) {
        const wd = WEEKDAYS[token];
        if (wd === undefined) return null; // ordinals (1MO) are not weekly-simple
        weekdays.push(wd);
      }
    }
    const offsets = [...new Set(weekdays.map((wd) => (wd - wkst + 7) % 7))].sort((a, b) => a - b);
    const weekStart = dtDay - ((weekdayOf(dtDay) - wkst + 7) % 7);
    const periodDays = 7 * interval;
    const firstWeek = sink.canSkip ? Math.max(0, Math.floor((fromDay - weekStart) / periodDays) - 1) : 0;
    for (let k = firstWeek; k < MAX_ITERATIONS; k++) {
      for (const offset of offsets) {
        const day = weekStart + k * periodDays + offset;
        if (day <= dtDay) continue;
        if (!sink.add(day * DAY_MS + timeOfDay)) return sink.out;
      }
    }
    return sink.out;
  }

  const start = new Date(dtstart);
  const dtYear = start.getUTCFullYear();
  const dtMonth = start.getUTCMonth();
  const monthDay = positiveInt(rule.get('BYMONTHDAY'), start.getUTCDate(), 31);
  if (monthDay === null) return null;

  if (freq === 'MONTHLY') {
    const dtMonthIndex = dtYear * 12 + dtMonth;
    const fromDate = new Date(window.fromLocal);
    const fromMonthIndex = fromDate.getUTCFullYear() * 12 + fromDate.getUTCMonth();
    const firstStep = sink.canSkip ? Math.max(0, Math.floor((fromMonthIndex - dtMonthIndex) / interval) - 1) : 0;
    for (let n = firstStep; n < MAX_ITERATIONS; n++) {
      const monthIndex = dtMonthIndex + n * interval;
      const year = Math.floor(monthIndex / 12);
      const month = monthIndex - year * 12;
      if (Date.UTC(year, month, 1) >= window.toLocal) break;
      if (monthDay > daysInMonth(year, month)) continue; // RFC 5545: invalid dates are skipped, not moved
      const local = Date.UTC(year, month, monthDay) + timeOfDay;
      if (local <= dtstart) continue;
      if (!sink.add(local)) break;
    }
    return sink.out;
  }

  const month = positiveInt(rule.get('BYMONTH'), dtMonth + 1, 12);
  if (month === null) return null;
  const fromYear = new Date(window.fromLocal).getUTCFullYear();
  const firstStep = sink.canSkip ? Math.max(0, Math.floor((fromYear - dtYear) / interval) - 1) : 0;
  for (let n = firstStep; n < MAX_ITERATIONS; n++) {
    const year = dtYear + n * interval;
    if (Date.UTC(year, 0, 1) >= window.toLocal) break;
    if (monthDay > daysInMonth(year, month - 1)) continue;
    const local = Date.UTC(year, month - 1, monthDay) + timeOfDay;
    if (local <= dtstart) continue;
    if (!sink.add(local)) break;
  }
  return sink.out;
}

/**
 * Fills parts RFC 5545 takes from DTSTART when a rule leaves them out, which ical.js does not do for
 * YEARLY (it turns 29 February into 1 March instead of skipping non-leap years).
 */
function withImpliedParts(rule: RuleParts, dtstart: Date): RuleParts {
  const parts = new Map(rule);
  parts.delete('UNTIL');
  if (parts.get('FREQ') === 'YEARLY') {
    const hasDaySelector = ['BYMONTHDAY', 'BYDAY', 'BYYEARDAY', 'BYWEEKNO'].some((k) => parts.has(k));
    if (!hasDaySelector) {
      if (!parts.has('BYMONTH')) parts.set('BYMONTH', String(dtstart.getUTCMonth() + 1));
      parts.set('BYMONTHDAY', String(dtstart.getUTCDate()));
    }
  }
  return parts;
}

/** General RFC 5545 iteration with ical.js, in floating wall time; UNTIL and COUNT are applied here as in the fast path. */
export function expandRuleIcal(rule: RuleParts, window: RuleWindow): number[] {
  if (!ICAL) throw new Error(`The general rule engine is not loaded (rule ${formatRule(rule)}): await RecurrenceExpander.prepare() first`);
  const countValue = rule.get('COUNT');
  const count = countValue === undefined ? null : Number(countValue);
  const sink = new InstanceSink(window, count !== null && Number.isFinite(count) && count > 0 ? count : null);
  const dtstart = window.dtstartLocal;
  sink.add(dtstart);
  const start = new Date(dtstart);
  const implied = withImpliedParts(rule, start);
  let recur: InstanceType<IcalLibrary['Recur']>;
  try {
    recur = ICAL.Recur.fromString(formatRule(implied));
  } catch {
    return sink.out; // an unreadable rule leaves DTSTART alone, as a single occurrence
  }
  const first = window.isDate
    ? ICAL.Time.fromData({ year: start.getUTCFullYear(), month: start.getUTCMonth() + 1, day: start.getUTCDate(), isDate: true })
    : ICAL.Time.fromData({
        year: start.getUTCFullYear(),
        month: start.getUTCMonth() + 1,
        day: start.getUTCDate(),
        hour: start.getUTCHours(),
        minute: start.getUTCMinutes(),
        second: start.getUTCSeconds(),
      });
  // ical.js rolls an impossible date over (BYMONTH=9;BYMONTHDAY=31 gives 1 October); RFC 5545 skips it.
  const monthDays = implied.get('BYMONTHDAY')?.split(',').map(Number);
  const requiredDays = monthDays?.every((d) => d > 0) ? new Set(monthDays) : null;
  const iterator = recur.iterator(first);
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    let next: InstanceType<IcalLibrary['Time']> | null;
    try {
      next = iterator.next();
    } catch {
      break; // ical.js gives up on rules with no further instance (29 February every 4 years from 2025)
    }
    if (!next) break;
    const local = Date.UTC(next.year, next.month - 1, next.day, next.hour, next.minute, next.second);
    if (local <= dtstart || (requiredDays && !requiredDays.has(next.day))) continue;
    if (!sink.add(local)) break;
  }
  return sink.out;
}

/** Fast path when the rule allows it, ical.js otherwise. */
export function expandRule(rule: RuleParts, window: RuleWindow): number[] {
  return expandRuleFast(rule, window) ?? expandRuleIcal(rule, window);
}
