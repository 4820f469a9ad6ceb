import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAvailability, type AvailabilityParticipant } from '../../../shared/use-cases/availability/find-availability.ts';
import { storedEvent, timed } from '../read-side/support.ts';
import { harness } from './support/harness.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-11-02T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

// A participant's busy time: a few intervals over one day (minutes from START).
const busyTimes = fc.array(fc.tuple(fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 1, max: 300 })), { maxLength: 6 });
const person = fc.record({ busy: busyTimes, required: fc.oneof(fc.constant(undefined), fc.boolean()) });
const group = fc.record({ members: fc.array(busyTimes, { minLength: 1, maxLength: 4 }), need: fc.oneof(fc.constant<'all'>('all'), fc.integer({ min: 1, max: 4 })) });

describe('collective and round robin against per-participant brute force', () => {
  it('collective = every required one free, round robin = any required one free; each slot names exactly who is free; groups need their count', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 5 }),
        fc.option(group, { nil: undefined }),
        fc.constantFrom('collective', 'round_robin') as fc.Arbitrary<'collective' | 'round_robin'>,
        fc.integer({ min: 5, max: 90 }),
        fc.constantFrom(5, 10, 15, 30),
        async (people, room, mode, duration, interval) => {
          if (!people.some((p) => p.required !== false) && !room) return;
          const h = harness('tenant-modes', '2026-10-01T00:00:00Z');
          let calendarCount = 0;
          const calendarWith = async (busy: [number, number][]) => {
            const calendar = h.calendar(`c${calendarCount++}`);
            await h.events.putMany(busy.map(([offset, length], i) => storedEvent(calendar, `${calendar.id}-${i}`, timed(iso(START + offset * MINUTE), iso(START + (offset + length) * MINUTE)))));
            return calendar.id;
          };
          const participants: AvailabilityParticipant[] = [];
          for (const p of people) participants.push({ calendarIds: [await calendarWith(p.busy)], ...(p.required === undefined ? {} : { required: p.required }) });
          const need = room ? (room.need === 'all' ? room.members.length : Math.min(room.need, room.members.length)) : 0;
          if (room) {
            const members = [];
            for (const busy of room.members) members.push({ calendarIds: [await calendarWith(busy)] });
            participants.push({ group: members, required: room.need === 'all' ? 'all' : need });
          }

          const end = START + 1440 * MINUTE;
          const result = await findAvailability(h.deps, { tenantId: h.tenantId, participants, mode, start: iso(START), end: iso(end), durationMinutes: duration, intervalMinutes: interval, maxResults: 1000 });

          // Reference: minute by minute, per participant.
          const d = duration * MINUTE;
          const freeFor = (busy: [number, number][], t: number) => busy.every(([offset, length]) => t + d <= START + offset * MINUTE || t >= START + (offset + length) * MINUTE);
          const expected: { start: string; participants: number[]; members?: Record<string, number[]> }[] = [];
          for (let t = START; t + d <= end; t += interval * MINUTE) {
            const free = people.map((p) => freeFor(p.busy, t));
            const required = people.map((p, i) => [p.required !== false, free[i]!] as const).filter(([isRequired]) => isRequired).map(([, isFree]) => isFree);
            const freeMembers = room ? room.members.map((busy, m) => [m, freeFor(busy, t)] as const).filter(([, isFree]) => isFree).map(([m]) => m) : [];
            const roomOk = !room || freeMembers.length >= need;
            const decided = mode === 'collective' ? required.every(Boolean) : required.length === 0 || required.some(Boolean);
            if (!decided || !roomOk) continue;
            const names = free.flatMap((isFree, i) => (isFree ? [i] : []));
            if (room) names.push(people.length);
            expected.push({ start: iso(t).replace('.000Z', 'Z'), participants: names, ...(room ? { members: { [String(people.length)]: freeMembers } } : {}) });
          }
          expect(result.slots.map(({ start, participants: named, members }) => ({ start, participants: named, ...(members ? { members } : {}) }))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
