// Slots of a round-robin booking type with 5 hosts over 30 days (issue 12: ≤ 100 ms compute), against the
// same question asked directly of findAvailability in the same run (the booking-type layer should cost ~1×).
import { performance } from 'node:perf_hooks';
import type { BookingType } from '../../shared/domain/booking-type.ts';
import type { Booking } from '../../shared/domain/booking.ts';
import { findAvailability } from '../../shared/use-cases/availability/find-availability.ts';
import { availabilityQueryOf, bookingTypeSlots } from '../../shared/use-cases/bookings/booking-type-slots.ts';
import { harness, schedule } from '../unit/availability/support/harness.ts';
import { storedEvent, timed } from '../unit/read-side/support.ts';
import type { BenchTable } from './run.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

async function median(runs: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export default async function bench(): Promise<BenchTable> {
  const now = '2026-11-01T00:00:00Z';
  const h = harness('acme', now);
  const random = rng(7);
  const hours = h.schedules.put(schedule('acme', { timeZone: 'Europe/Berlin', weekly: DAYS.flatMap((day) => [{ day, start: '09:00', end: '12:00' }, { day, start: '13:00', end: '17:00' }]) }));
  const hosts = [];
  let events = 0;
  for (let i = 0; i < 5; i++) {
    const cal = h.calendar(`host-${i}`);
    const batch = [];
    for (let n = 0; n < 400; n++) {
      const start = Date.parse(now) + Math.floor(random() * 30 * 96) * 15 * 60_000;
      batch.push(storedEvent(cal, `e${i}-${n}`, timed(new Date(start).toISOString(), new Date(start + (1 + Math.floor(random() * 4)) * 15 * 60_000).toISOString(), 'UTC')));
    }
    events += batch.length;
    await h.events.putMany(batch);
    hosts.push({ calendarIds: [cal.id], scheduleId: hours.id, writeCalendarId: cal.id });
  }
  const bookingType: BookingType = {
    tenantId: 'acme', id: 'bkt_bench', name: 'Intro', durationMinutes: 30, slotIntervalMinutes: 15, bufferBeforeMinutes: 10, bufferAfterMinutes: 5,
    horizonDays: 60, assignment: 'round_robin', hosts, createdAt: now, updatedAt: now, version: 1,
  };
  const noBookings = { list: async () => ({ items: [] as Booking[], cursor: null }) };
  const deps = { ...h.deps, bookingTypes: { get: async () => bookingType }, bookings: noBookings };
  // The same type with daily and weekly limits and 80 confirmed bookings over the month: the slot list reads
  // them once and drops the slots of hosts at their limit.
  const limitedType: BookingType = { ...bookingType, id: 'bkt_limited', dailyLimit: 2, weeklyLimit: 6 };
  const booked = Array.from({ length: 80 }, (_v, n) => {
    const start = new Date(Date.parse(now) + Math.floor(random() * 30 * 24) * 3_600_000).toISOString();
    return { id: `bkg_${n}`, bookingTypeId: limitedType.id, status: 'confirmed', start, end: start, hostIndex: n % 5 } as unknown as Booking;
  });
  const limitedDeps = { ...h.deps, bookingTypes: { get: async () => limitedType }, bookings: { list: async () => ({ items: booked, cursor: null }) } };
  const range = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z', timeZone: 'Europe/Berlin' };
  const viaType = await bookingTypeSlots(deps, { tenantId: 'acme', bookingTypeId: 'bkt_bench', ...range });
  const direct = await findAvailability(h.deps, availabilityQueryOf(bookingType, 'acme', range));
  // Same answer before timing either.
  if (JSON.stringify(viaType.slots) !== JSON.stringify(direct.slots.map((s) => ({ start: s.start, end: s.end })))) throw new Error('booking-type slots differ from findAvailability');
  for (let i = 0; i < 3; i++) await bookingTypeSlots(deps, { tenantId: 'acme', bookingTypeId: 'bkt_bench', ...range });
  const baseline = await median(15, () => findAvailability(h.deps, availabilityQueryOf(bookingType, 'acme', range)));
  const measured = await median(15, () => bookingTypeSlots(deps, { tenantId: 'acme', bookingTypeId: 'bkt_bench', ...range }));
  const limited = await bookingTypeSlots(limitedDeps, { tenantId: 'acme', bookingTypeId: 'bkt_limited', ...range });
  const measuredLimited = await median(15, () => bookingTypeSlots(limitedDeps, { tenantId: 'acme', bookingTypeId: 'bkt_limited', ...range }));
  return {
    title: 'Booking-type slots: 5 round-robin hosts, 30 days, 30-minute slots on a 15-minute grid',
    columns: ['what', 'median ms', 'vs findAvailability'],
    rows: [
      ['findAvailability (same query, baseline)', baseline.toFixed(1), '1.00×'],
      ['GET /v1/booking-types/{id}/slots use-case', measured.toFixed(1), `${(measured / baseline).toFixed(2)}×`],
      ['the same with dailyLimit 2, weeklyLimit 6, 80 bookings', measuredLimited.toFixed(1), `${(measuredLimited / baseline).toFixed(2)}×`],
    ],
    notes: [`${events} events in the in-memory store, ${viaType.slots.length} slots (${limited.slots.length} with the limits); target ≤ 100 ms compute.`],
  };
}
