import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { WEEKDAYS } from '../../../shared/domain/schedule.ts';
import { findAvailability } from '../../../shared/use-cases/availability/find-availability.ts';
import { allDay, storedEvent, timed } from '../read-side/support.ts';
import { harness, schedule } from './support/harness.ts';
import { ORACLE_ZONES, ORACLE_ZONE_NAMES, oracleLocal, oracleOffsetMinutes, oracleTransitions } from './support/zone-rules.ts';

/**
 * The slot engine against a brute-force reference written here from first principles: every whole minute of
 * the range is tried as a start and checked minute by minute against the schedule (wall time from the
 * oracle's own zone rules, see support/zone-rules.ts), the range, the notice, the alignment and the buffers
 * around every busy interval. The engine must return exactly those starts.
 */
const MINUTE = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const minuteOfDay = fc.oneof(fc.integer({ min: 0, max: 1440 }), fc.constantFrom(0, 60, 90, 120, 150, 180, 540, 1020, 1440));
const dayRanges = fc.array(minuteOfDay, { maxLength: 6 }).map((cuts) => {
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) out.push([sorted[i]!, sorted[i + 1]!]);
  return out;
});

const scenario = fc.record({
  scheduleZone: fc.constantFrom(...ORACLE_ZONE_NAMES),
  queryZone: fc.option(fc.constantFrom(...ORACLE_ZONE_NAMES), { nil: undefined }),
  useSchedule: fc.boolean(),
  week: fc.array(dayRanges, { minLength: 7, maxLength: 7 }),
  override: fc.option(fc.tuple(fc.integer({ min: -1, max: 2 }), dayRanges), { nil: undefined }),
  year: fc.integer({ min: 2026, max: 2029 }),
  transition: fc.integer({ min: 0, max: 3 }),
  // Whole hours make the range edges aligned often, so buffers reaching across them are exercised.
  shiftMinutes: fc.oneof(fc.integer({ min: -36 * 60, max: 12 * 60 }), fc.integer({ min: -36, max: 12 }).map((hours) => hours * 60)),
  lengthMinutes: fc.integer({ min: 4 * 60, max: 60 * 60 }),
  busy: fc.array(fc.tuple(fc.integer({ min: -240, max: 62 * 60 }), fc.integer({ min: 1, max: 240 })), { maxLength: 12 }),
  // Busy time just outside the range: only the buffers of slots at its edges can see it.
  edgeBusy: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 60 })), { maxLength: 2 }),
  ignored: fc.array(fc.tuple(fc.integer({ min: 0, max: 60 * 60 }), fc.integer({ min: 1, max: 600 }), fc.constantFrom('transparent', 'declined', 'cancelled')), { maxLength: 3 }),
  allDayAt: fc.array(fc.integer({ min: 0, max: 60 * 60 }), { maxLength: 2 }),
  bufferBefore: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })),
  bufferAfter: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })),
  notice: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 * 60 })),
  nowShift: fc.integer({ min: -10 * 60, max: 24 * 60 }),
  interval: fc.option(fc.constantFrom(5, 10, 15, 20, 25, 30, 45, 50, 60, 90, 120), { nil: undefined }),
  duration: fc.integer({ min: 5, max: 120 }),
});

/** The instant a local date starts in `zone` (none of the oracle's zones changes offset at midnight). */
function oracleMidnight(zone: string, day: number): number {
  const rule = ORACLE_ZONES[zone]!;
  for (const offset of [rule.standard, rule.daylight]) {
    const t = day * DAY - offset * MINUTE;
    if (oracleOffsetMinutes(zone, t) === offset) return t;
  }
  throw new Error('no midnight');
}

describe('availability slots against a brute-force minute-by-minute reference', () => {
  it('returns exactly the valid slots: inside the schedule and the range, after the notice, buffers clear, aligned (random zones, DST days, busy sets)', async () => {
    // Evidence the property is not vacuous: runs with slots, and slots within a day of a DST transition.
    const seen = { runs: 0, withSlots: 0, slotsNearTransition: 0, cutByBusy: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const h = harness();
        const transitions = [...oracleTransitions(s.scheduleZone, s.year), ...oracleTransitions(s.queryZone ?? 'UTC', s.year)];
        const anchor = transitions.length > 0 ? transitions[s.transition % transitions.length]! : Date.UTC(s.year, 9, 25);
        const rangeStart = Math.floor(anchor / MINUTE) * MINUTE + s.shiftMinutes * MINUTE;
        const rangeEnd = rangeStart + s.lengthMinutes * MINUTE;
        const now = rangeStart + s.nowShift * MINUTE;
        h.clock.set(iso(now));
        const calendar = h.calendar('host', { timeZone: 'UTC' });

        const overrideDay = s.override ? oracleLocal(s.scheduleZone, rangeStart).day + s.override[0] : null;
        const hours = h.schedules.put(
          schedule(h.tenantId, {
            timeZone: s.scheduleZone,
            weekly: s.week.flatMap((ranges, weekday) => ranges.map(([a, b]) => ({ day: WEEKDAYS[weekday]!, start: hhmm(a), end: hhmm(b) }))),
            overrides: s.override ? [{ date: iso(overrideDay! * DAY).slice(0, 10), ranges: s.override[1].map(([a, b]) => ({ start: hhmm(a), end: hhmm(b) })) }] : [],
          }),
        );

        const busy: [number, number][] = s.busy.map(([offset, length]) => [rangeStart + offset * MINUTE, rangeStart + (offset + length) * MINUTE]);
        for (const [beforeRange, gap, length] of s.edgeBusy) {
          busy.push(beforeRange ? [rangeStart - (gap + length) * MINUTE, rangeStart - gap * MINUTE] : [rangeEnd + gap * MINUTE, rangeEnd + (gap + length) * MINUTE]);
        }
        const events: CalendarEvent[] = busy.map(([a, b], i) => storedEvent(calendar, `busy-${i}`, timed(iso(a), iso(b), 'UTC')));
        s.ignored.forEach(([offset, length, why], i) => {
          const span = timed(iso(rangeStart + offset * MINUTE), iso(rangeStart + (offset + length) * MINUTE), 'UTC');
          if (why === 'transparent') events.push(storedEvent(calendar, `free-${i}`, { ...span, transparency: 'transparent' }));
          if (why === 'cancelled') events.push(storedEvent(calendar, `free-${i}`, { ...span, status: 'cancelled' }));
          if (why === 'declined') {
            events.push(storedEvent(calendar, `free-${i}`, { ...span, attendees: [{ email: 'host@example.com', name: null, responseStatus: 'declined', optional: false, organizer: false, self: true }] }));
          }
        });
        // All-day events block the whole local day in the participant's schedule zone (or UTC without a schedule).
        const allDayZone = s.useSchedule ? s.scheduleZone : 'UTC';
        s.allDayAt.forEach((offset, i) => {
          const day = oracleLocal(allDayZone, rangeStart + offset * MINUTE).day;
          events.push(storedEvent(calendar, `all-day-${i}`, allDay(iso(day * DAY).slice(0, 10), iso((day + 1) * DAY).slice(0, 10))));
          busy.push([oracleMidnight(allDayZone, day), oracleMidnight(allDayZone, day + 1)]);
        });
        await h.events.putMany(events);

        const query = {
          tenantId: h.tenantId,
          participants: [{ calendarIds: [calendar.id], ...(s.useSchedule ? { scheduleId: hours.id } : {}) }],
          start: iso(rangeStart),
          end: iso(rangeEnd),
          durationMinutes: s.duration,
          intervalMinutes: s.interval,
          bufferBeforeMinutes: s.bufferBefore,
          bufferAfterMinutes: s.bufferAfter,
          minimumNoticeMinutes: s.notice,
          maxResults: 1000,
          timeZone: s.queryZone,
        };
        const result = await findAvailability(h.deps, query);

        // The reference, by brute force.
        const gridZone = s.queryZone ?? (s.useSchedule ? s.scheduleZone : 'UTC');
        const interval = s.interval ?? s.duration;
        const d = s.duration * MINUTE;
        const inSchedule = (t: number) => {
          if (!s.useSchedule) return true;
          const local = oracleLocal(s.scheduleZone, t);
          const ranges = local.day === overrideDay ? s.override![1] : s.week[local.weekday]!;
          return ranges.some(([a, b]) => local.minuteOfDay >= a && local.minuteOfDay < b);
        };
        const reasonAgainst = (t: number): string | null => {
          if (t < rangeStart || t + d > rangeEnd) return 'outside the range';
          if (t < now + s.notice * MINUTE) return 'inside the minimum notice';
          if (oracleLocal(gridZone, t).minuteOfDay % interval !== 0) return `not aligned to ${interval} minutes in ${gridZone}`;
          for (let m = t; m < t + d; m += MINUTE) if (!inSchedule(m)) return `${iso(m)} is outside the schedule`;
          for (const [a, b] of busy) {
            if (!(t >= b + s.bufferBefore * MINUTE || t + d + s.bufferAfter * MINUTE <= a)) return `buffers overlap busy ${iso(a)}–${iso(b)}`;
          }
          return null;
        };
        const expected: number[] = [];
        for (let t = rangeStart; t + d <= rangeEnd; t += MINUTE) if (reasonAgainst(t) === null) expected.push(t);

        const got = result.slots.map((slot) => Date.parse(slot.start));
        seen.runs += 1;
        if (expected.length > 0) seen.withSlots += 1;
        if (expected.some((t) => transitions.some((x) => Math.abs(x - t) < DAY))) seen.slotsNearTransition += 1;
        if (busy.some(([a, b]) => expected.some((t) => t + d <= a) && expected.some((t) => t >= b))) seen.cutByBusy += 1;
        for (const slot of result.slots) {
          const reason = reasonAgainst(Date.parse(slot.start));
          if (reason) throw new Error(`returned slot ${slot.start} is invalid: ${reason}`);
          expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(d);
          expect(slot.participants).toEqual([0]);
        }
        const missing = expected.find((t) => !got.includes(t));
        if (missing !== undefined) throw new Error(`valid slot ${iso(missing)} is missing`);
        expect(got).toEqual(expected);
        expect(result.timeZone).toBe(gridZone);

        // maxResults keeps the earliest ones.
        const few = await findAvailability(h.deps, { ...query, maxResults: 3 });
        expect(few.slots.map((slot) => Date.parse(slot.start))).toEqual(expected.slice(0, 3));
      }),
      { numRuns: 600 },
    );
    expect(seen.withSlots / seen.runs).toBeGreaterThan(0.4);
    expect(seen.slotsNearTransition).toBeGreaterThan(100);
    expect(seen.cutByBusy).toBeGreaterThan(50);
  }, 300_000);
});
