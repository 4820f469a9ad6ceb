import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { BookingType } from '../../../shared/domain/booking-type.ts';
import { bookingTypeSlots } from '../../../shared/use-cases/bookings/booking-type-slots.ts';
import { storedEvent, timed } from '../read-side/support.ts';
import { harness, schedule } from '../availability/support/harness.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const HOUR = 3_600_000;

function setup(assignment: BookingType['assignment'], withRoom: boolean) {
  const h = harness('acme', '2026-11-01T00:00:00Z');
  const hours = h.schedules.put(schedule('acme', { timeZone: 'UTC', weekly: DAYS.map((day) => ({ day, start: '09:00', end: '12:00' })) }));
  const a = h.calendar('host-a');
  const b = h.calendar('host-b');
  const room = h.calendar('room-1');
  const bookingType: BookingType = {
    tenantId: 'acme',
    id: 'bkt_1',
    name: 'Call',
    durationMinutes: 60,
    horizonDays: 3,
    assignment,
    hosts: [a, b].map((cal) => ({ calendarIds: [cal.id], scheduleId: hours.id, writeCalendarId: cal.id })),
    ...(withRoom ? { rooms: [{ calendarId: room.id }] } : {}),
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    version: 1,
  };
  // No limits on this type: the bookings listing is never read (the limits suite covers it).
  const deps = { ...h.deps, bookingTypes: { get: async (tenantId: string, id: string) => (tenantId === 'acme' && id === 'bkt_1' ? bookingType : null) }, bookings: { list: async () => { throw new Error('no limits: not read'); } } };
  return { h, a, b, room, deps };
}

/** Independent oracle: hourly slots 09–12 UTC each day, minus any hour in which a needed calendar is busy. */
function oracle(days: string[], busy: Record<string, [number, number][]>, need: (free: (cal: string) => boolean) => boolean): string[] {
  const out: string[] = [];
  for (const day of days) {
    for (let hour = 9; hour < 12; hour++) {
      const start = Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
      const free = (cal: string) => !(busy[cal] ?? []).some(([s, e]) => s < start + HOUR && e > start);
      if (need(free)) out.push(new Date(start).toISOString());
    }
  }
  return out;
}

describe('slots of a booking type', () => {
  it.each([
    ['collective', false],
    ['round_robin', false],
    ['collective', true],
    ['round_robin', true],
  ] as const)('%s hosts (room: %s) match the brute-force oracle, clipped to the horizon', async (assignment, withRoom) => {
    const { h, a, b, room, deps } = setup(assignment, withRoom);
    const busy: Record<string, [number, number][]> = {
      [a.id]: [[Date.parse('2026-11-02T09:00:00Z'), Date.parse('2026-11-02T10:00:00Z')]],
      [b.id]: [[Date.parse('2026-11-02T09:30:00Z'), Date.parse('2026-11-02T10:30:00Z')], [Date.parse('2026-11-03T11:00:00Z'), Date.parse('2026-11-03T12:00:00Z')]],
      [room.id]: [[Date.parse('2026-11-03T09:00:00Z'), Date.parse('2026-11-03T10:00:00Z')]],
    };
    await h.events.putMany(
      [a, b, room].flatMap((cal) => (busy[cal.id] ?? []).map(([s, e], i) => storedEvent(cal, `${cal.id}-${i}`, timed(new Date(s).toISOString(), new Date(e).toISOString(), 'UTC')))),
    );
    const result = await bookingTypeSlots(deps, { tenantId: 'acme', bookingTypeId: 'bkt_1', start: '2026-11-02T00:00:00Z', end: '2026-11-10T00:00:00Z' });
    const hostsOk = (free: (cal: string) => boolean) => (assignment === 'collective' ? free(a.id) && free(b.id) : free(a.id) || free(b.id));
    // Horizon 3 days from 2026-11-01T00:00 ends at 2026-11-04T00:00: nothing after the 3rd although the 10th was asked.
    const expected = oracle(['2026-11-02', '2026-11-03'], busy, (free) => hostsOk(free) && (!withRoom || free(room.id)));
    expect(result.slots.map((slot) => new Date(slot.start).toISOString())).toEqual(expected);
    expect(JSON.stringify(result)).not.toContain(a.id);
  });

  it('is 404 for an unknown booking type and for another tenant; 400 naming query.end when end ≤ start', async () => {
    const { deps } = setup('collective', false);
    const range = { start: '2026-11-02T00:00:00Z', end: '2026-11-03T00:00:00Z' };
    await expect(bookingTypeSlots(deps, { tenantId: 'other', bookingTypeId: 'bkt_1', ...range })).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    await expect(bookingTypeSlots(deps, { tenantId: 'acme', bookingTypeId: 'bkt_2', ...range })).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    await expect(bookingTypeSlots(deps, { tenantId: 'acme', bookingTypeId: 'bkt_1', start: range.end, end: range.start })).rejects.toSatisfy(
      (error) => isAppError(error, 'input.invalid') && (error as { details?: { field?: string } }).details?.field === 'query.end',
    );
  });
});
