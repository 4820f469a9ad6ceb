import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { WeeklyRange } from '../../../shared/domain/schedule.ts';
import { findAvailability, type AvailabilityQuery } from '../../../shared/use-cases/availability/find-availability.ts';
import { allDay, storedEvent, timed } from '../read-side/support.ts';
import { harness, schedule, type Harness } from './support/harness.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const everyDay = (start: string, end: string): WeeklyRange[] => DAYS.map((day) => ({ day, start, end }));
const starts = (result: { slots: { start: string }[] }) => result.slots.map((slot) => slot.start);

function query(h: Harness, participants: AvailabilityQuery['participants'], rest: Partial<AvailabilityQuery> & Pick<AvailabilityQuery, 'start' | 'end'>): AvailabilityQuery {
  return { tenantId: h.tenantId, participants, durationMinutes: 60, maxResults: 1000, ...rest };
}

describe('availability: which events block (issue 11 item 5)', () => {
  it('transparent events, declined invitations and cancelled events never block; a moved instance blocks at its new time, a cancelled instance not at all', async () => {
    const h = harness();
    const host = h.calendar('host');
    const self = { email: 'host@example.com', name: null, optional: false, organizer: false, self: true };
    const master = storedEvent(host, 'standup', { kind: 'master', ...timed('2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z', 'UTC'), recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] });
    const instance = (day: string, startIso: string, status: 'confirmed' | 'cancelled') =>
      storedEvent(host, `standup-${day}`, {
        kind: 'exception',
        providerEventId: `${master.providerEventId}_${day}`,
        recurringEventId: master.providerEventId,
        originalStart: { dateTime: `2026-11-${day}T09:00:00Z`, timeZone: 'UTC' },
        ...timed(startIso, new Date(Date.parse(startIso) + 3_600_000).toISOString(), 'UTC'),
        status,
      });
    await h.events.putMany([
      master,
      instance('03', '2026-11-03T14:00:00Z', 'confirmed'), // moved from 09:00 to 14:00
      instance('04', '2026-11-04T09:00:00Z', 'cancelled'),
      storedEvent(host, 'focus', { ...timed('2026-11-02T11:00:00Z', '2026-11-02T12:00:00Z'), transparency: 'transparent' }),
      storedEvent(host, 'declined', { ...timed('2026-11-02T13:00:00Z', '2026-11-02T14:00:00Z'), attendees: [{ ...self, responseStatus: 'declined' }] }),
      storedEvent(host, 'accepted', { ...timed('2026-11-02T15:00:00Z', '2026-11-02T16:00:00Z'), attendees: [{ ...self, responseStatus: 'accepted' }] }),
      storedEvent(host, 'gone', { ...timed('2026-11-03T11:00:00Z', '2026-11-03T12:00:00Z'), status: 'cancelled' }),
    ]);
    const hours = h.schedules.put(schedule(h.tenantId, { timeZone: 'UTC', weekly: everyDay('09:00', '17:00') }));
    const result = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id], scheduleId: hours.id }], { start: '2026-11-02T00:00:00Z', end: '2026-11-05T00:00:00Z' }));
    expect(starts(result)).toEqual([
      // Monday: the stand-up (09:00) and the accepted invitation (15:00) block; focus time and the declined one do not.
      '2026-11-02T10:00:00Z', '2026-11-02T11:00:00Z', '2026-11-02T12:00:00Z', '2026-11-02T13:00:00Z', '2026-11-02T14:00:00Z', '2026-11-02T16:00:00Z',
      // Tuesday: the stand-up moved to 14:00 (09:00 is free); the cancelled event does not block.
      '2026-11-03T09:00:00Z', '2026-11-03T10:00:00Z', '2026-11-03T11:00:00Z', '2026-11-03T12:00:00Z', '2026-11-03T13:00:00Z', '2026-11-03T15:00:00Z', '2026-11-03T16:00:00Z',
      // Wednesday: that day's stand-up is cancelled.
      '2026-11-04T09:00:00Z', '2026-11-04T10:00:00Z', '2026-11-04T11:00:00Z', '2026-11-04T12:00:00Z', '2026-11-04T13:00:00Z', '2026-11-04T14:00:00Z', '2026-11-04T15:00:00Z', '2026-11-04T16:00:00Z',
    ]);
  });

  it("an all-day event blocks the host's local day in the schedule's zone, not the calendar's", async () => {
    const h = harness();
    const host = h.calendar('host', { timeZone: 'UTC' });
    await h.events.putMany([storedEvent(host, 'offsite', allDay('2026-11-03', '2026-11-04'))]);
    const hours = h.schedules.put(schedule(h.tenantId, { timeZone: 'Asia/Kolkata', weekly: everyDay('00:00', '24:00') }));
    const result = await findAvailability(
      h.deps,
      query(h, [{ calendarIds: [host.id], scheduleId: hours.id }], { start: '2026-11-02T12:00:00Z', end: '2026-11-04T00:00:00Z', durationMinutes: 30, intervalMinutes: 30, timeZone: 'UTC' }),
    );
    const got = starts(result);
    // 2026-11-03 in Kolkata is 2026-11-02T18:30Z – 2026-11-03T18:30Z.
    expect(got).toContain('2026-11-02T18:00:00Z');
    expect(got.filter((t) => t >= '2026-11-02T18:30:00Z' && t < '2026-11-03T18:30:00Z')).toEqual([]);
    expect(got).toContain('2026-11-03T18:30:00Z');
  });
});

describe('availability on DST transition days', () => {
  it("Europe/Berlin spring forward: 01:00–05:00 on 2027-03-28 has three real hours of slots; 02:00–03:00 does not exist", async () => {
    const h = harness('t', '2027-01-01T00:00:00Z');
    const host = h.calendar('host');
    const hours = h.schedules.put(schedule(h.tenantId, { timeZone: 'Europe/Berlin', weekly: [{ day: 'sun', start: '01:00', end: '05:00' }] }));
    const result = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id], scheduleId: hours.id }], { start: '2027-03-27T00:00:00Z', end: '2027-03-29T00:00:00Z', durationMinutes: 30 }));
    expect(result.timeZone).toBe('Europe/Berlin');
    expect(starts(result)).toEqual(['2027-03-28T00:00:00Z', '2027-03-28T00:30:00Z', '2027-03-28T01:00:00Z', '2027-03-28T01:30:00Z', '2027-03-28T02:00:00Z', '2027-03-28T02:30:00Z']);
  });

  it('America/New_York fall back: 00:00–04:00 on 2027-11-07 is five hours, and 01:00 starts twice', async () => {
    const h = harness('t', '2027-01-01T00:00:00Z');
    const host = h.calendar('host');
    const hours = h.schedules.put(schedule(h.tenantId, { timeZone: 'America/New_York', weekly: [{ day: 'sun', start: '00:00', end: '04:00' }] }));
    const result = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id], scheduleId: hours.id }], { start: '2027-11-06T00:00:00Z', end: '2027-11-09T00:00:00Z' }));
    expect(starts(result)).toEqual(['2027-11-07T04:00:00Z', '2027-11-07T05:00:00Z', '2027-11-07T06:00:00Z', '2027-11-07T07:00:00Z', '2027-11-07T08:00:00Z']);
  });

  it("aligns to the asker's zone on its transition day: 45-minute grid in Australia/Sydney across the 2027-10-03 gap", async () => {
    const h = harness('t', '2027-01-01T00:00:00Z');
    const host = h.calendar('host');
    const result = await findAvailability(
      h.deps,
      query(h, [{ calendarIds: [host.id] }], { start: '2027-10-02T14:00:00Z', end: '2027-10-02T18:00:00Z', durationMinutes: 15, intervalMinutes: 45, timeZone: 'Australia/Sydney' }),
    );
    // Local 00:00, 00:45, 01:30 (AEST); 02:15 does not exist, so 03:00 AEDT; then 03:45, 04:30, 05:15 AEDT.
    expect(starts(result)).toEqual(['2027-10-02T14:00:00Z', '2027-10-02T14:45:00Z', '2027-10-02T15:30:00Z', '2027-10-02T16:00:00Z', '2027-10-02T16:45:00Z', '2027-10-02T17:30:00Z']);
  });

  it('Asia/Kolkata asker: hourly slots of a UTC schedule start at :30 UTC', async () => {
    const h = harness('t', '2027-01-01T00:00:00Z');
    const host = h.calendar('host');
    const hours = h.schedules.put(schedule(h.tenantId, { timeZone: 'UTC', weekly: everyDay('09:00', '12:00') }));
    const result = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id], scheduleId: hours.id }], { start: '2027-03-01T00:00:00Z', end: '2027-03-02T00:00:00Z', timeZone: 'Asia/Kolkata' }));
    expect(starts(result)).toEqual(['2027-03-01T09:30:00Z', '2027-03-01T10:30:00Z']);
  });
});

describe('availability: buffers, notice, modes, groups, defaults', () => {
  it('keeps bufferBefore free before and bufferAfter free after each slot, also against busy time outside the range', async () => {
    const h = harness();
    const host = h.calendar('host');
    await h.events.putMany([
      storedEvent(host, 'meeting', timed('2026-11-02T10:00:00Z', '2026-11-02T11:00:00Z')),
      storedEvent(host, 'early', timed('2026-11-02T08:00:00Z', '2026-11-02T08:50:00Z')),
    ]);
    const result = await findAvailability(
      h.deps,
      query(h, [{ calendarIds: [host.id] }], { start: '2026-11-02T09:00:00Z', end: '2026-11-02T12:00:00Z', durationMinutes: 30, intervalMinutes: 15, bufferBeforeMinutes: 15, bufferAfterMinutes: 10 }),
    );
    // 09:00 would need 08:45–09:00 free (the early meeting ends 08:50); 09:15 ends 09:45 + 10 ≤ 10:00; 11:15 starts 15 after 11:00.
    expect(starts(result)).toEqual(['2026-11-02T09:15:00Z', '2026-11-02T11:15:00Z', '2026-11-02T11:30:00Z']);
  });

  it('honours the minimum notice from now', async () => {
    const h = harness('t', '2026-11-02T09:10:00Z');
    const host = h.calendar('host');
    const result = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id] }], { start: '2026-11-02T09:00:00Z', end: '2026-11-02T13:00:00Z', minimumNoticeMinutes: 120 }));
    expect(starts(result)).toEqual(['2026-11-02T12:00:00Z']);
  });

  it('collective lists optional participants when free; round robin names whoever is free', async () => {
    const h = harness();
    const [ada, bob, cleo] = ['ada', 'bob', 'cleo'].map((name) => h.calendar(name));
    await h.events.putMany([
      storedEvent(ada!, 'a', timed('2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z')),
      storedEvent(bob!, 'b', timed('2026-11-02T10:00:00Z', '2026-11-02T11:00:00Z')),
      storedEvent(cleo!, 'c', timed('2026-11-02T11:00:00Z', '2026-11-02T12:00:00Z')),
    ]);
    const participants = [{ calendarIds: [ada!.id] }, { calendarIds: [bob!.id] }, { calendarIds: [cleo!.id], required: false }];
    const range = { start: '2026-11-02T09:00:00Z', end: '2026-11-02T13:00:00Z' };
    const collective = await findAvailability(h.deps, query(h, participants, range));
    expect(collective.slots.map((s) => [s.start, s.participants])).toEqual([
      ['2026-11-02T11:00:00Z', [0, 1]],
      ['2026-11-02T12:00:00Z', [0, 1, 2]],
    ]);
    const roundRobin = await findAvailability(h.deps, query(h, participants, { ...range, mode: 'round_robin' }));
    expect(roundRobin.slots.map((s) => [s.start, s.participants])).toEqual([
      ['2026-11-02T09:00:00Z', [1, 2]],
      ['2026-11-02T10:00:00Z', [0, 2]],
      ['2026-11-02T11:00:00Z', [0, 1]],
      ['2026-11-02T12:00:00Z', [0, 1, 2]],
    ]);
  });

  it('a group of rooms inside a collective query: one free room is enough, and the slot says which', async () => {
    const h = harness();
    const host = h.calendar('host');
    const rooms: Calendar[] = ['room-1', 'room-2'].map((name) => h.calendar(name, { kind: 'room' }));
    await h.events.putMany([
      storedEvent(rooms[0]!, 'r1', timed('2026-11-02T09:00:00Z', '2026-11-02T11:00:00Z')),
      storedEvent(rooms[1]!, 'r2', timed('2026-11-02T10:00:00Z', '2026-11-02T12:00:00Z')),
    ]);
    const participants = [{ calendarIds: [host.id] }, { group: rooms.map((room) => ({ calendarIds: [room.id] })), required: 1 as const }];
    const range = { start: '2026-11-02T09:00:00Z', end: '2026-11-02T13:00:00Z' };
    const result = await findAvailability(h.deps, query(h, participants, range));
    expect(result.slots.map((s) => [s.start, s.participants, s.members])).toEqual([
      ['2026-11-02T09:00:00Z', [0, 1], { 1: [1] }],
      ['2026-11-02T11:00:00Z', [0, 1], { 1: [0] }],
      ['2026-11-02T12:00:00Z', [0, 1], { 1: [0, 1] }],
    ]);
    const both = await findAvailability(h.deps, query(h, [participants[0]!, { ...participants[1]!, required: 'all' }], range));
    expect(starts(both)).toEqual(['2026-11-02T12:00:00Z']);
  });

  it("aligns in the first named schedule's zone by default, else UTC", async () => {
    const h = harness();
    const host = h.calendar('host');
    const kolkata = h.schedules.put(schedule(h.tenantId, { timeZone: 'Asia/Kolkata', weekly: everyDay('00:00', '24:00') }));
    const range = { start: '2026-11-02T09:00:00Z', end: '2026-11-02T11:00:00Z' };
    const withSchedule = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id] }, { calendarIds: [host.id], scheduleId: kolkata.id }], range));
    expect(withSchedule.timeZone).toBe('Asia/Kolkata');
    expect(starts(withSchedule)).toEqual(['2026-11-02T09:30:00Z']);
    const without = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id] }], range));
    expect(without.timeZone).toBe('UTC');
    expect(starts(without)).toEqual(['2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z']);
  });

  it("reports where each calendar's busy time came from", async () => {
    const h = harness();
    const host = h.calendar('host');
    const result = await findAvailability(h.deps, query(h, [{ calendarIds: [host.id] }, { calendarIds: [host.id], required: false }], { start: '2026-11-02T09:00:00Z', end: '2026-11-02T10:00:00Z', bufferBeforeMinutes: 5 }));
    expect(result.calendars).toEqual([{ calendarId: host.id, participants: [0, 1], coverage: [{ start: '2026-11-02T08:55:00Z', end: '2026-11-02T10:00:00Z', source: 'store' }], error: null }]);
  });
});

describe('availability: tenant isolation', () => {
  it("another tenant's calendars and schedules are not found, named by the field that holds them", async () => {
    const h = harness('tenant-a');
    const mine = h.calendar('mine');
    const other = harness('tenant-b');
    const theirs = other.calendar('theirs');
    h.calendars.put(theirs);
    const theirSchedule = h.schedules.put(schedule('tenant-b', { timeZone: 'UTC', weekly: everyDay('09:00', '17:00') }));
    const range = { start: '2026-11-02T09:00:00Z', end: '2026-11-02T12:00:00Z' };
    const failure = async (participants: AvailabilityQuery['participants']) => {
      const error = await findAvailability(h.deps, query(h, participants, range)).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('resource.not_found');
      return (error as AppError).details?.field;
    };
    expect(await failure([{ calendarIds: [mine.id] }, { calendarIds: [mine.id, theirs.id] }])).toBe('body.participants[1].calendarIds[1]');
    expect(await failure([{ calendarIds: [mine.id], scheduleId: theirSchedule.id }])).toBe('body.participants[0].scheduleId');
    expect(await failure([{ calendarIds: [mine.id] }, { group: [{ calendarIds: [mine.id] }, { calendarIds: [theirs.id] }] }])).toBe('body.participants[1].group[1].calendarIds[0]');
    expect(await failure([{ calendarIds: [mine.id] }, { group: [{ calendarIds: [mine.id], scheduleId: theirSchedule.id }] }])).toBe('body.participants[1].group[0].scheduleId');
  });
});
