import { wallTimeAt, wallTimeToUtcMs } from './time-zone.ts';

/** A booking type's caps: confirmed bookings per host per local day and per ISO week. */
export interface BookingLimits {
  dailyLimit?: number | undefined;
  weeklyLimit?: number | undefined;
}

/** One confirmed occurrence of the booking type: the host it holds (every host for collective types) and its start. */
export interface BookedOccurrence {
  hostIndex: number;
  startMs: number;
}

/** The local day and the ISO week (Monday first) holding an instant, as UTC instants (DST days are 23 or 25 hours). */
export interface LimitWindows {
  dayStartMs: number;
  dayEndMs: number;
  weekStartMs: number;
  weekEndMs: number;
}

const DAY_MS = 86_400_000;

export function hasLimits(limits: BookingLimits): boolean {
  return limits.dailyLimit !== undefined || limits.weeklyLimit !== undefined;
}

export function limitWindowsAt(zone: string, utcMs: number): LimitWindows {
  const wall = wallTimeAt(zone, utcMs);
  const midnight = (dayOffset: number) => wallTimeToUtcMs({ year: wall.year, month: wall.month, day: wall.day + dayOffset, hour: 0, minute: 0, second: 0 }, zone);
  const weekday = (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() + 6) % 7;
  return { dayStartMs: midnight(0), dayEndMs: midnight(1), weekStartMs: midnight(-weekday), weekEndMs: midnight(7 - weekday) };
}

/**
 * The bookings to count for limit checks over [fromMs, toMs): every week touching the range, in any zone
 * (a week is at most 7 days plus a DST hour, zones are at most 26 h apart).
 */
export function limitReadRange(fromMs: number, toMs: number): { fromMs: number; toMs: number } {
  return { fromMs: fromMs - 9 * DAY_MS, toMs: toMs + 9 * DAY_MS };
}

/**
 * Counts of confirmed occurrences per host, local day and ISO week, in each host's schedule zone: the one rule
 * the slot list, the 409 alternatives, booking and reschedule all apply, so a listed slot is never refused
 * for a limit and a hidden one would have been.
 */
export class BookingLimitLedger {
  readonly #limits: BookingLimits;
  readonly #zones: readonly string[];
  readonly #dayCounts = new Map<string, number>();
  readonly #weekCounts = new Map<string, number>();
  /** The last windows computed per zone: slots are asked in time order, so one Intl call serves a whole day. */
  readonly #lastWindows = new Map<string, LimitWindows>();

  /**
   * `hostZones[i]` is host i's schedule zone. Collective bookings hold every host, whatever host index the
   * booking records; round-robin ones hold their own host.
   */
  constructor(limits: BookingLimits, collective: boolean, hostZones: readonly string[], booked: Iterable<BookedOccurrence>) {
    this.#limits = limits;
    this.#zones = hostZones;
    for (const occurrence of booked) {
      const holders = collective ? hostZones.map((_zone, index) => index) : [occurrence.hostIndex];
      for (const host of holders) {
        if (host < 0 || host >= hostZones.length) continue;
        const windows = this.#windowsOf(host, occurrence.startMs);
        increment(this.#dayCounts, `${host}|${windows.dayStartMs}`);
        increment(this.#weekCounts, `${host}|${windows.weekStartMs}`);
      }
    }
  }

  /** True when the host already holds `dailyLimit` occurrences on the local day of `startMs`, or `weeklyLimit` in its week. */
  isFull(hostIndex: number, startMs: number): boolean {
    const windows = this.#windowsOf(hostIndex, startMs);
    const { dailyLimit, weeklyLimit } = this.#limits;
    if (dailyLimit !== undefined && (this.#dayCounts.get(`${hostIndex}|${windows.dayStartMs}`) ?? 0) >= dailyLimit) return true;
    if (weeklyLimit !== undefined && (this.#weekCounts.get(`${hostIndex}|${windows.weekStartMs}`) ?? 0) >= weeklyLimit) return true;
    return false;
  }

  /** Under its limits at every one of the starts (a recurring booking counts at each occurrence). */
  isOpenAtAll(hostIndex: number, startsMs: readonly number[]): boolean {
    return startsMs.every((startMs) => !this.isFull(hostIndex, startMs));
  }

  #windowsOf(hostIndex: number, utcMs: number): LimitWindows {
    const zone = this.#zones[hostIndex] ?? 'UTC';
    const last = this.#lastWindows.get(zone);
    if (last && utcMs >= last.dayStartMs && utcMs < last.dayEndMs) return last;
    const windows = limitWindowsAt(zone, utcMs);
    this.#lastWindows.set(zone, windows);
    return windows;
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
