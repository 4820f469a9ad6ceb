import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusyColumns } from '../../../shared/domain/busy-intervals.ts';
import { compileSchedule, type WeeklyRange } from '../../../shared/domain/schedule.ts';
import { workingHours } from '../../../shared/domain/working-hours.ts';
import { ORACLE_ZONE_NAMES, oracleLocal, oracleTransitions } from './support/zone-rules.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const everyDay = (start: string, end: string): WeeklyRange[] => DAYS.map((day) => ({ day, start, end }));
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const pairs = (set: BusyColumns) => Array.from({ length: set.length }, (_, i) => [iso(set.starts[i]!), iso(set.ends[i]!)]);

/** Working hours of one local day (the UTC span [from, to) must hold it) in `zone`. */
function day(zone: string, weekly: WeeklyRange[], from: string, to: string) {
  return pairs(workingHours(compileSchedule({ timeZone: zone, weekly, overrides: [] }), Date.parse(from), Date.parse(to)));
}

describe('working hours on DST transition days (built per local date, shortened never shifted)', () => {
  it('Europe/Berlin, spring forward (2027-03-28, 02:00 → 03:00): a range through the gap keeps the hour that exists', () => {
    expect(day('Europe/Berlin', everyDay('02:30', '04:00'), '2027-03-27T22:00:00Z', '2027-03-28T22:00:00Z')).toEqual([['2027-03-28T01:00:00Z', '2027-03-28T02:00:00Z']]);
    expect(day('Europe/Berlin', everyDay('02:00', '03:00'), '2027-03-27T22:00:00Z', '2027-03-28T22:00:00Z')).toEqual([]);
    expect(day('Europe/Berlin', everyDay('09:00', '17:00'), '2027-03-27T22:00:00Z', '2027-03-28T22:00:00Z')).toEqual([['2027-03-28T07:00:00Z', '2027-03-28T15:00:00Z']]);
  });

  it('Europe/Berlin, fall back (2027-10-31, 03:00 → 02:00): the repeated hour counts twice', () => {
    expect(day('Europe/Berlin', everyDay('02:00', '03:00'), '2027-10-30T22:00:00Z', '2027-10-31T23:00:00Z')).toEqual([['2027-10-31T00:00:00Z', '2027-10-31T02:00:00Z']]);
    expect(day('Europe/Berlin', everyDay('09:00', '17:00'), '2027-10-30T22:00:00Z', '2027-10-31T23:00:00Z')).toEqual([['2027-10-31T08:00:00Z', '2027-10-31T16:00:00Z']]);
  });

  it('America/New_York: 01:00–03:00 is one real hour on 2027-03-14 and three on 2027-11-07', () => {
    expect(day('America/New_York', everyDay('01:00', '03:00'), '2027-03-14T05:00:00Z', '2027-03-15T04:00:00Z')).toEqual([['2027-03-14T06:00:00Z', '2027-03-14T07:00:00Z']]);
    expect(day('America/New_York', everyDay('01:00', '03:00'), '2027-11-07T04:00:00Z', '2027-11-08T05:00:00Z')).toEqual([['2027-11-07T05:00:00Z', '2027-11-07T08:00:00Z']]);
    expect(day('America/New_York', everyDay('09:00', '17:00'), '2027-11-07T04:00:00Z', '2027-11-08T05:00:00Z')).toEqual([['2027-11-07T14:00:00Z', '2027-11-07T22:00:00Z']]);
  });

  it('Australia/Sydney: fall back on 2027-04-04 (03:00 → 02:00), spring forward on 2027-10-03 (02:00 → 03:00)', () => {
    expect(day('Australia/Sydney', everyDay('02:00', '03:00'), '2027-04-03T13:00:00Z', '2027-04-04T14:00:00Z')).toEqual([['2027-04-03T15:00:00Z', '2027-04-03T17:00:00Z']]);
    expect(day('Australia/Sydney', everyDay('09:00', '17:00'), '2027-04-03T13:00:00Z', '2027-04-04T14:00:00Z')).toEqual([['2027-04-03T23:00:00Z', '2027-04-04T07:00:00Z']]);
    expect(day('Australia/Sydney', everyDay('02:30', '03:30'), '2027-10-02T14:00:00Z', '2027-10-03T13:00:00Z')).toEqual([['2027-10-02T16:00:00Z', '2027-10-02T16:30:00Z']]);
  });

  it('Asia/Kolkata (+05:30, no DST) and whole days ending at 24:00', () => {
    expect(day('Asia/Kolkata', everyDay('09:00', '17:00'), '2027-03-27T18:30:00Z', '2027-03-28T18:30:00Z')).toEqual([['2027-03-28T03:30:00Z', '2027-03-28T11:30:00Z']]);
    // Consecutive whole days join into one interval; on the 23-hour Berlin day it is 23 hours long.
    expect(day('Europe/Berlin', everyDay('00:00', '24:00'), '2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z')).toEqual([['2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z']]);
  });

  it('an override replaces the weekday on its date; ranges: [] is a day off', () => {
    const rules = compileSchedule({
      timeZone: 'Europe/Berlin',
      weekly: everyDay('09:00', '17:00'),
      overrides: [
        { date: '2027-03-29', ranges: [] },
        { date: '2027-03-30', ranges: [{ start: '13:00', end: '14:00' }, { start: '07:00', end: '08:00' }] },
      ],
    });
    expect(pairs(workingHours(rules, Date.parse('2027-03-28T22:00:00Z'), Date.parse('2027-03-30T22:00:00Z')))).toEqual([
      ['2027-03-30T05:00:00Z', '2027-03-30T06:00:00Z'],
      ['2027-03-30T11:00:00Z', '2027-03-30T12:00:00Z'],
    ]);
  });
});

// Random weekly ranges: sorted cut points of a day, paired; 24:00 and DST-gap hours are common.
const minuteOfDay = fc.oneof(fc.integer({ min: 0, max: 1440 }), fc.constantFrom(0, 60, 90, 120, 150, 180, 210, 1440));
const dayRanges = fc.array(minuteOfDay, { maxLength: 6 }).map((cuts) => {
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) out.push([sorted[i]!, sorted[i + 1]!]);
  return out;
});
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

describe('working hours against a minute-by-minute oracle (independent zone rules)', () => {
  it('contains exactly the minutes whose local date and time fall in that date’s ranges, around DST transitions of many zones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ORACLE_ZONE_NAMES),
        fc.array(dayRanges, { minLength: 7, maxLength: 7 }),
        fc.integer({ min: 2026, max: 2029 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: -48 * 60, max: 24 * 60 }),
        fc.integer({ min: 60, max: 4 * 24 * 60 }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), dayRanges), { nil: undefined }),
        (zone, week, year, which, shiftMinutes, lengthMinutes, override) => {
          const transitions = oracleTransitions(zone, year);
          const anchor = transitions.length > 0 ? transitions[which]! : Date.UTC(year, 2, 28);
          const from = Math.floor(anchor / 60_000) * 60_000 + shiftMinutes * 60_000;
          const to = from + lengthMinutes * 60_000;
          // WEEKDAYS order (sun…sat) in the compiled schedule: week[i] is weekday i.
          const weekly = week.flatMap((ranges, weekday) => ranges.map(([s, e]) => ({ day: (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[weekday]!, start: hhmm(s), end: hhmm(e) })));
          const overrideDay = override ? oracleLocal(zone, from).day + override[0] : null;
          const overrides = override ? [{ date: new Date(overrideDay! * 86_400_000).toISOString().slice(0, 10), ranges: override[1].map(([s, e]) => ({ start: hhmm(s), end: hhmm(e) })) }] : [];
          const set = workingHours(compileSchedule({ timeZone: zone, weekly, overrides }), from, to);

          const inside = (t: number) => {
            const local = oracleLocal(zone, t);
            const ranges = override && local.day === overrideDay ? override[1] : week[local.weekday]!;
            return ranges.some(([s, e]) => local.minuteOfDay >= s && local.minuteOfDay < e);
          };
          let k = 0;
          for (let t = from; t < to; t += 60_000) {
            while (k < set.length && set.ends[k]! <= t) k += 1;
            const ours = k < set.length && set.starts[k]! <= t;
            if (ours !== inside(t)) throw new Error(`${zone}: ${new Date(t).toISOString()} is ${ours ? '' : 'not '}inside ours`);
          }
          // Output shape: sorted, disjoint, not touching, whole minutes, within [from, to).
          for (let i = 0; i < set.length; i++) {
            expect(set.starts[i]! % 60_000).toBe(0);
            expect(set.ends[i]! > set.starts[i]!).toBe(true);
            if (i > 0) expect(set.starts[i]! > set.ends[i - 1]!).toBe(true);
          }
          if (set.length > 0) expect(set.starts[0]! >= from && set.ends[set.length - 1]! <= to).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
