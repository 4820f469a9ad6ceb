/**
 * A test oracle for wall-clock time, written from the published DST rules with plain date arithmetic: it
 * uses neither Intl nor our domain code, so the availability engine (which reads ICU through Intl) is checked
 * against an independent implementation. Valid for 2011–2035 (the rules below have held since 2011; Sao Paulo
 * since 2019). Offsets are in minutes, local = utc + offset.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The n-th (1-based; n = -1: last) Sunday of `month` (1–12) in `year`, as a day number (days since 1970-01-01). */
function sunday(year: number, month: number, n: number): number {
  if (n > 0) {
    const first = Date.UTC(year, month - 1, 1) / DAY;
    const weekday = (((first + 4) % 7) + 7) % 7; // 0 = Sunday
    return first + ((7 - weekday) % 7) + (n - 1) * 7;
  }
  const last = Date.UTC(year, month, 0) / DAY;
  const weekday = (((last + 4) % 7) + 7) % 7;
  return last - weekday;
}

interface Rule {
  standard: number;
  daylight: number;
  /** Instants (UTC ms) in `year` when daylight time starts and ends. */
  starts(year: number): number;
  ends(year: number): number;
}

const fixed = (offset: number) => ({ standard: offset, daylight: offset, starts: () => Infinity, ends: () => Infinity });

// EU: last Sunday of March and of October at 01:00 UTC.
const eu = (standard: number): Rule => ({
  standard,
  daylight: standard + 60,
  starts: (year) => sunday(year, 3, -1) * DAY + HOUR,
  ends: (year) => sunday(year, 10, -1) * DAY + HOUR,
});
// US and Canada: second Sunday of March at 02:00 local standard time, first Sunday of November at 02:00 local daylight time.
const us = (standard: number): Rule => ({
  standard,
  daylight: standard + 60,
  starts: (year) => sunday(year, 3, 2) * DAY + 2 * HOUR - standard * 60_000,
  ends: (year) => sunday(year, 11, 1) * DAY + 2 * HOUR - (standard + 60) * 60_000,
});
// Southern hemisphere zones: daylight time from `starts` (spring, late in the year) to `ends` (autumn, early in the year).
const sydney: Rule = {
  standard: 600,
  daylight: 660,
  starts: (year) => sunday(year, 10, 1) * DAY + 2 * HOUR - 600 * 60_000,
  ends: (year) => sunday(year, 4, 1) * DAY + 3 * HOUR - 660 * 60_000,
};
const lordHowe: Rule = {
  standard: 630,
  daylight: 660,
  starts: (year) => sunday(year, 10, 1) * DAY + 2 * HOUR - 630 * 60_000,
  ends: (year) => sunday(year, 4, 1) * DAY + 2 * HOUR - 660 * 60_000,
};
const newZealand = (standard: number, localStartMinutes: number): Rule => ({
  standard,
  daylight: standard + 60,
  starts: (year) => sunday(year, 9, -1) * DAY + localStartMinutes * 60_000 - standard * 60_000,
  ends: (year) => sunday(year, 4, 1) * DAY + (localStartMinutes + 60) * 60_000 - (standard + 60) * 60_000,
});

export const ORACLE_ZONES: Record<string, Rule> = {
  UTC: fixed(0),
  'Asia/Kolkata': fixed(330),
  'Asia/Kathmandu': fixed(345),
  'Asia/Tokyo': fixed(540),
  'America/Sao_Paulo': fixed(-180),
  'Europe/Berlin': eu(60),
  'Europe/London': eu(0),
  'America/New_York': us(-300),
  'America/Los_Angeles': us(-480),
  'America/St_Johns': us(-210),
  'Australia/Sydney': sydney,
  'Australia/Lord_Howe': lordHowe,
  'Pacific/Auckland': newZealand(720, 120),
  'Pacific/Chatham': newZealand(765, 165),
};
export const ORACLE_ZONE_NAMES = Object.keys(ORACLE_ZONES);

function southern(rule: Rule, year: number): boolean {
  return rule.starts(year) > rule.ends(year);
}

/** Offset in minutes of `zone` at `utcMs`. */
export function oracleOffsetMinutes(zone: string, utcMs: number): number {
  const rule = ORACLE_ZONES[zone];
  if (!rule) throw new Error(`the oracle knows no rules for ${zone}`);
  const year = new Date(utcMs).getUTCFullYear();
  const start = rule.starts(year);
  const end = rule.ends(year);
  if (start === Infinity) return rule.standard;
  const daylight = southern(rule, year) ? utcMs >= start || utcMs < end : utcMs >= start && utcMs < end;
  return daylight ? rule.daylight : rule.standard;
}

/** The DST transition instants of `zone` in `year` (empty for fixed zones). */
export function oracleTransitions(zone: string, year: number): number[] {
  const rule = ORACLE_ZONES[zone]!;
  return rule.starts(year) === Infinity ? [] : [rule.starts(year), rule.ends(year)].sort((a, b) => a - b);
}

export interface OracleLocal {
  /** Days since 1970-01-01 of the local date. */
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight (whole minutes for whole-minute instants). */
  minuteOfDay: number;
}

export function oracleLocal(zone: string, utcMs: number): OracleLocal {
  const local = utcMs + oracleOffsetMinutes(zone, utcMs) * 60_000;
  const day = Math.floor(local / DAY);
  return { day, weekday: (((day + 4) % 7) + 7) % 7, minuteOfDay: (local - day * DAY) / 60_000 };
}
