import { describe, expect, it } from 'vitest';
import { BookingLimitLedger, type BookedOccurrence } from '../../../shared/domain/booking-limits.ts';
import type { BookingType } from '../../../shared/domain/booking-type.ts';
import type { Booking } from '../../../shared/domain/booking.ts';
import { hostsOpenAt, limitLedgerFor, slotsWithinLimits } from '../../../shared/use-cases/bookings/booking-limits.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Oracle, written apart from the product: the local calendar date by Intl, the ISO week by its Monday. */
const dateFormatters = new Map<string, Intl.DateTimeFormat>();
function localDate(zone: string, ms: number): string {
  let formatter = dateFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(zone, formatter);
  }
  return formatter.format(new Date(ms));
}
function isoWeekOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utc = Date.UTC(y, m - 1, d);
  const mondayOffset = (new Date(utc).getUTCDay() + 6) % 7;
  return new Date(utc - mondayOffset * DAY).toISOString().slice(0, 10);
}
function oracleFull(limits: { dailyLimit?: number; weeklyLimit?: number }, collective: boolean, zones: string[], booked: BookedOccurrence[], host: number, startMs: number): boolean {
  const zone = zones[host]!;
  const day = localDate(zone, startMs);
  const week = isoWeekOf(day);
  const mine = booked.filter((b) => collective || b.hostIndex === host);
  const inDay = mine.filter((b) => localDate(zone, b.startMs) === day).length;
  const inWeek = mine.filter((b) => isoWeekOf(localDate(zone, b.startMs)) === week).length;
  return (limits.dailyLimit !== undefined && inDay >= limits.dailyLimit) || (limits.weeklyLimit !== undefined && inWeek >= limits.weeklyLimit);
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', 'UTC', 'America/Sao_Paulo', 'Pacific/Kiritimati'];
// DST transition days and week boundaries to centre the random times on.
const ANCHORS = ['2027-03-28T00:00:00Z', '2027-03-14T06:00:00Z', '2027-11-07T05:00:00Z', '2027-10-31T00:00:00Z', '2027-04-04T14:00:00Z', '2027-01-03T23:00:00Z'];

describe('the daily/weekly limit ledger', () => {
  it('agrees with an independent Intl oracle on 400 random cases around DST days, midnights and week edges', () => {
    const random = rng(20261207);
    let fullSeen = 0;
    let openSeen = 0;
    for (let trial = 0; trial < 400; trial++) {
      const hostCount = 1 + Math.floor(random() * 3);
      const zones = Array.from({ length: hostCount }, () => ZONES[Math.floor(random() * ZONES.length)]!);
      const collective = random() < 0.3;
      const dailyLimit = random() < 0.8 ? 1 + Math.floor(random() * 3) : undefined;
      const weeklyLimit = random() < 0.6 ? (dailyLimit ?? 1) + Math.floor(random() * 5) : undefined;
      const limits = { ...(dailyLimit !== undefined ? { dailyLimit } : {}), ...(weeklyLimit !== undefined ? { weeklyLimit } : {}) };
      const anchor = Date.parse(ANCHORS[Math.floor(random() * ANCHORS.length)]!);
      // Times within ±10 days, on 15-minute steps, and some a minute either side of a UTC or local midnight.
      const randomTime = () => {
        const base = anchor + Math.floor((random() - 0.5) * 20 * 96) * 15 * MINUTE;
        return random() < 0.2 ? Math.floor(base / DAY) * DAY + (random() < 0.5 ? -MINUTE : 0) : base;
      };
      const booked = Array.from({ length: Math.floor(random() * 14) }, () => ({ hostIndex: Math.floor(random() * hostCount), startMs: randomTime() }));
      const ledger = new BookingLimitLedger(limits, collective, zones, booked);
      const candidates = Array.from({ length: 30 }, randomTime).sort((a, b) => a - b);
      for (let host = 0; host < hostCount; host++) {
        for (const startMs of candidates) {
          const expected = oracleFull(limits, collective, zones, booked, host, startMs);
          if (ledger.isFull(host, startMs) !== expected) {
            throw new Error(`trial ${trial}: host ${host} (${zones[host]}) at ${new Date(startMs).toISOString()}: expected full=${expected}; limits ${JSON.stringify(limits)}, collective ${collective}, booked ${JSON.stringify(booked.map((b) => [b.hostIndex, new Date(b.startMs).toISOString()]))}`);
          }
          if (expected) fullSeen++;
          else openSeen++;
        }
      }
    }
    // Both outcomes were exercised many times (the generator is not degenerate).
    expect(fullSeen).toBeGreaterThan(500);
    expect(openSeen).toBeGreaterThan(500);
  });

  it('counts the 23-hour and 25-hour local days whole (Berlin 2027-03-28 and 2027-10-31)', () => {
    const ledger = new BookingLimitLedger({ dailyLimit: 1 }, false, ['Europe/Berlin'], [{ hostIndex: 0, startMs: Date.parse('2027-03-27T23:30:00Z') }]);
    // 00:30 Berlin (CET) on the 28th is booked; 23:30 Berlin (CEST) the same day is 21:30Z: same local day.
    expect(ledger.isFull(0, Date.parse('2027-03-28T21:30:00Z'))).toBe(true);
    expect(ledger.isFull(0, Date.parse('2027-03-28T22:00:00Z'))).toBe(false); // 00:00 on the 29th
    const autumn = new BookingLimitLedger({ dailyLimit: 1 }, false, ['Europe/Berlin'], [{ hostIndex: 0, startMs: Date.parse('2027-10-30T22:30:00Z') }]);
    expect(autumn.isFull(0, Date.parse('2027-10-31T22:59:00Z'))).toBe(true); // 23:59 CET on the 31st
    expect(autumn.isFull(0, Date.parse('2027-10-31T23:00:00Z'))).toBe(false);
  });
});

function bookingType(overrides: Partial<BookingType>): BookingType {
  return {
    tenantId: 'acme',
    id: 'bkt_1',
    name: 'Call',
    durationMinutes: 30,
    assignment: 'round_robin',
    hosts: [
      { calendarIds: ['cal_a'], scheduleId: 'sch_berlin', writeCalendarId: 'cal_a' },
      { calendarIds: ['cal_b'], scheduleId: 'sch_ny', writeCalendarId: 'cal_b' },
    ],
    createdAt: '2027-01-01T00:00:00Z',
    updatedAt: '2027-01-01T00:00:00Z',
    version: 1,
    ...overrides,
  };
}

function booking(id: string, hostIndex: number, start: string, extra: Partial<Booking> = {}): Booking {
  return { id, tenantId: 'acme', bookingTypeId: 'bkt_1', status: 'confirmed', start, end: new Date(Date.parse(start) + 30 * MINUTE).toISOString(), hostIndex, ...extra } as Booking;
}

function limitDeps(bookings: Booking[]) {
  const asked: unknown[] = [];
  return {
    asked,
    deps: {
      schedules: { getMany: async () => new Map([['sch_berlin', { timeZone: 'Europe/Berlin' }], ['sch_ny', { timeZone: 'America/New_York' }]]) as never },
      bookings: {
        list: async (_tenant: string, filter: { start?: string; end?: string; status?: string }) => {
          asked.push(filter);
          // As the store filters: confirmed, ending after start, starting before end.
          const items = bookings.filter((b) => b.status === filter.status && (!filter.start || b.end > filter.start) && (!filter.end || b.start < filter.end));
          return { items, cursor: null };
        },
      },
    },
  };
}

describe('limits applied to slots, bookings and reschedules', () => {
  it('a round-robin slot stays while one free host is under its limit, and goes when none is', async () => {
    const type = bookingType({ dailyLimit: 1 });
    const { deps } = limitDeps([booking('bkg_1', 0, '2027-02-01T09:00:00Z')]);
    const ledger = await limitLedgerFor(deps, 'acme', type, Date.parse('2027-02-01T00:00:00Z'), Date.parse('2027-02-03T00:00:00Z'));
    const slots = [
      { start: '2027-02-01T13:00:00Z', members: { '0': [0, 1] } }, // host b still open
      { start: '2027-02-01T14:00:00Z', members: { '0': [0] } }, // only host a is free, and it is full
      { start: '2027-02-02T09:00:00Z', members: { '0': [0] } }, // the next Berlin day
    ];
    expect(slotsWithinLimits(ledger, type, slots).map((s) => s.start)).toEqual(['2027-02-01T13:00:00Z', '2027-02-02T09:00:00Z']);
    expect(hostsOpenAt(ledger, type, [0, 1], [Date.parse('2027-02-01T13:00:00Z')])).toEqual([1]);
  });

  it('collective: one host at its limit closes the slot for all', async () => {
    const type = bookingType({ assignment: 'collective', dailyLimit: 1 });
    const { deps } = limitDeps([booking('bkg_1', 0, '2027-02-01T09:00:00Z')]);
    const ledger = await limitLedgerFor(deps, 'acme', type, Date.parse('2027-02-01T00:00:00Z'), Date.parse('2027-02-03T00:00:00Z'));
    expect(slotsWithinLimits(ledger, type, [{ start: '2027-02-01T15:00:00Z' }, { start: '2027-02-02T15:00:00Z' }]).map((s) => s.start)).toEqual(['2027-02-02T15:00:00Z']);
    expect(hostsOpenAt(ledger, type, [0, 1], [Date.parse('2027-02-01T15:00:00Z')])).toEqual([]);
  });

  it('counts each confirmed occurrence of a series on its own day (a series started weeks before the range too), not cancelled ones, and not the booking being moved', async () => {
    const type = bookingType({ dailyLimit: 1, recurrence: { allowed: true, maxOccurrences: 10 } });
    const weekly = ['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25', '2027-02-01', '2027-02-08'].map((date, i) => ({ start: `${date}T09:00:00Z`, end: `${date}T09:30:00Z`, status: i === 5 ? ('cancelled' as const) : ('confirmed' as const) }));
    const series = booking('bkg_series', 0, '2027-01-04T09:00:00Z', { occurrences: weekly });
    const { deps, asked } = limitDeps([series]);
    const ledger = await limitLedgerFor(deps, 'acme', type, Date.parse('2027-02-01T00:00:00Z'), Date.parse('2027-02-10T00:00:00Z'));
    expect(ledger!.isFull(0, Date.parse('2027-02-01T15:00:00Z'))).toBe(true);
    expect(ledger!.isFull(0, Date.parse('2027-02-08T15:00:00Z'))).toBe(false); // that occurrence was cancelled
    // The listing was not cut at the range's start: the series began a month earlier.
    expect(asked).toEqual([expect.not.objectContaining({ start: expect.anything() })]);
    const moving = await limitLedgerFor(deps, 'acme', type, Date.parse('2027-02-01T00:00:00Z'), Date.parse('2027-02-10T00:00:00Z'), { excludeBookingId: 'bkg_series' });
    expect(moving!.isFull(0, Date.parse('2027-02-01T15:00:00Z'))).toBe(false);
  });

  it('reads nothing for a type without limits', async () => {
    const { deps, asked } = limitDeps([]);
    expect(await limitLedgerFor(deps, 'acme', bookingType({}), 0, DAY)).toBeNull();
    expect(asked).toEqual([]);
  });
});
