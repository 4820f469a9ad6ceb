import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { WeeklyRange } from '../../../shared/domain/schedule.ts';
import { checkConflicts, type ConflictQuery } from '../../../shared/use-cases/availability/check-conflicts.ts';
import { allDay, storedEvent, timed } from '../read-side/support.ts';
import { harness, schedule, type Harness } from './support/harness.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const everyDay = (start: string, end: string): WeeklyRange[] => DAYS.map((day) => ({ day, start, end }));
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function proposal(h: Harness, calendarIds: string[], rest: Partial<ConflictQuery> = {}): ConflictQuery {
  return { tenantId: h.tenantId, calendarIds, start: '2026-11-02T10:00:00Z', end: '2026-11-02T11:00:00Z', alternatives: 3, intervalMinutes: 15, horizonDays: 14, ...rest };
}

describe('conflicts of a proposed time', () => {
  it('lists the busy events within the buffered window by calendar and title; free, declined and cancelled ones are not conflicts', async () => {
    const h = harness('tenant-a', '2026-11-01T00:00:00Z');
    const ada = h.calendar('ada');
    const bob = h.calendar('bob', { timeZone: 'Europe/Berlin' });
    const self = { email: 'bob@example.com', name: null, optional: false, organizer: false, self: true };
    const standup = storedEvent(ada, 'standup', { title: 'Stand-up', kind: 'master', ...timed('2026-10-26T09:45:00Z', '2026-10-26T10:00:00Z', 'UTC'), recurrence: ['RRULE:FREQ=DAILY'] });
    await h.events.putMany([
      standup,
      storedEvent(bob, 'lunch', { title: 'Lunch', ...timed('2026-11-02T10:30:00Z', '2026-11-02T11:30:00Z') }),
      storedEvent(bob, 'focus', { title: 'Focus', ...timed('2026-11-02T10:00:00Z', '2026-11-02T11:00:00Z'), transparency: 'transparent' }),
      storedEvent(bob, 'skip', { title: 'Skipped', ...timed('2026-11-02T10:00:00Z', '2026-11-02T11:00:00Z'), attendees: [{ ...self, responseStatus: 'declined' }] }),
      storedEvent(ada, 'gone', { title: 'Gone', ...timed('2026-11-02T10:15:00Z', '2026-11-02T10:45:00Z'), status: 'cancelled' }),
      storedEvent(ada, 'soon-after', { title: 'Call', ...timed('2026-11-02T11:05:00Z', '2026-11-02T11:10:00Z') }),
      storedEvent(ada, 'later', { title: 'Later', ...timed('2026-11-02T11:20:00Z', '2026-11-02T11:30:00Z') }),
      storedEvent(bob, 'holiday', { title: 'Holiday', ...allDay('2026-11-03', '2026-11-04') }),
    ]);
    const result = await checkConflicts(h.deps, proposal(h, [ada.id, bob.id], { bufferBeforeMinutes: 15, bufferAfterMinutes: 10, alternatives: 0 }));
    expect(result.conflicts).toEqual([
      { calendarId: ada.id, eventId: 'standup', occurrenceId: 'standup_20261102T094500Z', title: 'Stand-up', start: '2026-11-02T09:45:00Z', end: '2026-11-02T10:00:00Z' },
      { calendarId: bob.id, eventId: 'lunch', title: 'Lunch', start: '2026-11-02T10:30:00Z', end: '2026-11-02T11:30:00Z' },
      { calendarId: ada.id, eventId: 'soon-after', title: 'Call', start: '2026-11-02T11:05:00Z', end: '2026-11-02T11:10:00Z' },
    ]);
    expect(result.outsideWorkingHours).toBe(false);
    expect(result.alternatives).toEqual([]);
    // The all-day holiday is Bob's local day (Berlin): a proposal at 23:30 UTC the evening before collides.
    const evening = await checkConflicts(h.deps, proposal(h, [bob.id], { start: '2026-11-02T23:30:00Z', end: '2026-11-03T00:00:00Z', alternatives: 0 }));
    expect(evening.conflicts.map((c) => [c.title, c.start])).toEqual([['Holiday', '2026-11-02T23:00:00Z']]);
  });

  it('says whether the proposed time leaves working hours', async () => {
    const h = harness();
    const ada = h.calendar('ada');
    const short = h.schedules.put(schedule(h.tenantId, { timeZone: 'Europe/Berlin', weekly: everyDay('09:00', '11:30') }));
    const long = h.schedules.put(schedule(h.tenantId, { timeZone: 'Europe/Berlin', weekly: everyDay('09:00', '17:00') }));
    // 10:00–11:00 UTC is 11:00–12:00 in Berlin.
    expect((await checkConflicts(h.deps, proposal(h, [ada.id], { scheduleId: short.id, alternatives: 0 }))).outsideWorkingHours).toBe(true);
    expect((await checkConflicts(h.deps, proposal(h, [ada.id], { scheduleId: long.id, alternatives: 0 }))).outsideWorkingHours).toBe(false);
    expect((await checkConflicts(h.deps, proposal(h, [ada.id], { alternatives: 0 }))).outsideWorkingHours).toBe(false);
  });

  it("is 404 for another tenant's calendar or schedule, naming the field", async () => {
    const h = harness('tenant-a');
    const mine = h.calendar('mine');
    const theirs = harness('tenant-b').calendar('theirs');
    h.calendars.put(theirs);
    const theirSchedule = h.schedules.put(schedule('tenant-b', { timeZone: 'UTC', weekly: everyDay('09:00', '17:00') }));
    const fieldOf = (q: ConflictQuery) =>
      checkConflicts(h.deps, q).then(
        () => null,
        (error: unknown) => (error instanceof AppError && error.code === 'resource.not_found' ? error.details?.field : error),
      );
    expect(await fieldOf(proposal(h, [mine.id, theirs.id]))).toBe('body.calendarIds[1]');
    expect(await fieldOf(proposal(h, [mine.id], { scheduleId: theirSchedule.id }))).toBe('body.scheduleId');
  });
});

describe('alternatives against brute force', () => {
  it('are the N free grid slots of the same length nearest to the proposal (before and after), in time order, inside the schedule, buffers clear, not in the past', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: -3 * 1440, max: 3 * 1440 }), fc.integer({ min: 5, max: 600 })), { maxLength: 15 }),
        fc.integer({ min: -600, max: 600 }),
        fc.integer({ min: 15, max: 120 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(10, 15, 30, 60),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        fc.integer({ min: -2 * 1440, max: 1440 }),
        async (busy, shift, duration, count, interval, before, after, withSchedule, nowShift) => {
          const h = harness('tenant-a');
          const base = Date.parse('2027-03-28T10:00:00Z') + shift * MINUTE; // across Berlin's spring-forward day
          h.clock.set(new Date(base + nowShift * MINUTE).toISOString());
          const ada = h.calendar('ada');
          const intervals = busy.map(([offset, length]) => [base + offset * MINUTE, base + (offset + length) * MINUTE] as const);
          await h.events.putMany(intervals.map(([a, b], i) => storedEvent(ada, `e${i}`, timed(new Date(a).toISOString(), new Date(b).toISOString()))));
          const hours = h.schedules.put(schedule(h.tenantId, { timeZone: 'Europe/Berlin', weekly: everyDay('08:00', '18:00') }));
          const d = duration * MINUTE;
          const horizonDays = 2;
          const result = await checkConflicts(h.deps, {
            tenantId: h.tenantId,
            calendarIds: [ada.id],
            start: iso(base),
            end: iso(base + d),
            alternatives: count,
            intervalMinutes: interval,
            horizonDays,
            bufferBeforeMinutes: before,
            bufferAfterMinutes: after,
            ...(withSchedule ? { scheduleId: hours.id } : {}),
          });
          // Brute force: every minute of the horizon, in Berlin wall time (UTC+1 before 2027-03-28T01:00Z, +2 after).
          const berlinMinute = (t: number) => ((t + (t >= Date.parse('2027-03-28T01:00:00Z') ? 120 : 60) * MINUTE) / MINUTE) % 1440;
          const nowMs = h.clock.now().getTime();
          const free = (t: number) =>
            t >= nowMs &&
            t !== base &&
            berlinMinute(t) % interval === 0 &&
            (!withSchedule || Array.from({ length: duration }, (_, m) => berlinMinute(t + m * MINUTE)).every((m) => m >= 480 && m < 1080)) &&
            intervals.every(([a, b]) => t >= b + before * MINUTE || t + d + after * MINUTE <= a);
          const candidates: number[] = [];
          for (let t = Math.ceil((base - horizonDays * 1440 * MINUTE) / MINUTE) * MINUTE; t + d <= base + d + horizonDays * 1440 * MINUTE; t += MINUTE) if (free(t)) candidates.push(t);
          const nearest = candidates.sort((x, y) => Math.abs(x - base) - Math.abs(y - base) || x - y).slice(0, count).sort((x, y) => x - y);
          expect(result.alternatives).toEqual(nearest.map((t) => ({ start: iso(t), end: iso(t + d) })));
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
