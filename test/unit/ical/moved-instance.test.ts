import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCalendarResource } from '../../../shared/providers/caldav/ical/index.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/index.ts';
import { toCalendarEvents } from './fixture-support.ts';
import { LOS_ANGELES_VTIMEZONE } from './los-angeles-vtimezone.ts';

/**
 * Issue 10 item 2: a yearly series (VTIMEZONE America/Los_Angeles, X-WR-TIMEZONE on the calendar) with an
 * override moving one occurrence by 30 minutes showed that occurrence at the master's time. Each file here is
 * of our own making, one per form an override can take; the property at the end checks random series with
 * random overrides against an expansion written separately in this file (Intl for zones, calendar
 * arithmetic for rules: neither our zone tables nor our rule iteration).
 */

const UID = 'anniversary-7f3c@example.test';
const LA = 'America/Los_Angeles';

function calendar(body: string[], xWrTimeZone: string | null = LA): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//defects test//EN', 'CALSCALE:GREGORIAN', ...(xWrTimeZone ? [`X-WR-TIMEZONE:${xWrTimeZone}`] : []), ...body, 'END:VCALENDAR', ''].join('\r\n');
}

const master = [
  'BEGIN:VEVENT',
  `UID:${UID}`,
  'DTSTAMP:20240101T000000Z',
  'DTSTART;TZID=America/Los_Angeles:20240615T100000',
  'DTEND;TZID=America/Los_Angeles:20240615T110000',
  'RRULE:FREQ=YEARLY',
  'SUMMARY:Anniversary',
  'END:VEVENT',
];

function override(recurrenceIdLine: string, options: { uid?: boolean } = {}): string[] {
  return [
    'BEGIN:VEVENT',
    ...(options.uid === false ? [] : [`UID:${UID}`]),
    'DTSTAMP:20240101T000000Z',
    recurrenceIdLine,
    'DTSTART;TZID=America/Los_Angeles:20250615T103000',
    'DTEND;TZID=America/Los_Angeles:20250615T113000',
    'SUMMARY:Anniversary (moved)',
    'END:VEVENT',
  ];
}

function occurrencesOf(ics: string, calendarTimeZone: string | null, from: string, to: string) {
  const parsed = parseCalendarResource(ics, { resourceId: '/calendars/u/c/anniversary.ics', etag: '"1"', calendarTimeZone });
  return new CalendarRecurrenceExpander()
    .expand(toCalendarEvents(parsed.events), { start: new Date(from), end: new Date(to) }, () => calendarTimeZone)
    .map((o) => `${new Date(o.startMs).toISOString()} ${o.event.title}`);
}

// 10:00 PDT is 17:00Z; the moved 2025 occurrence is 10:30 PDT = 17:30Z.
const EXPECTED = ['2024-06-15T17:00:00.000Z Anniversary', '2025-06-15T17:30:00.000Z Anniversary (moved)', '2026-06-15T17:00:00.000Z Anniversary'];

describe('issue 10 item 2: an override moving one occurrence of a yearly Los Angeles series by 30 minutes', () => {
  const forms: Record<string, string[]> = {
    'RECURRENCE-ID with TZID': override('RECURRENCE-ID;TZID=America/Los_Angeles:20250615T100000'),
    'RECURRENCE-ID in UTC': override('RECURRENCE-ID:20250615T170000Z'),
    'RECURRENCE-ID as a DATE': override('RECURRENCE-ID;VALUE=DATE:20250615'),
    'RECURRENCE-ID floating (no TZID, the master has one)': override('RECURRENCE-ID:20250615T100000'),
    'RECURRENCE-ID;RANGE=THISANDFUTURE (the last instance of the range)': override('RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/Los_Angeles:20250615T100000'),
    'override without its own UID line': override('RECURRENCE-ID;TZID=America/Los_Angeles:20250615T100000', { uid: false }),
    'override without UID, RECURRENCE-ID in UTC': override('RECURRENCE-ID:20250615T170000Z', { uid: false }),
  };
  // Calendar zones: none, the series' own, and a different one (floating values must not be read in it).
  for (const calendarZone of [null, LA, 'America/New_York', 'Europe/Berlin']) {
    for (const [form, lines] of Object.entries(forms)) {
      const expected = form.includes('THISANDFUTURE')
        ? ['2024-06-15T17:00:00.000Z Anniversary', '2025-06-15T17:30:00.000Z Anniversary (moved)', '2026-06-15T17:30:00.000Z Anniversary (moved)']
        : EXPECTED;
      it(`${form}, calendar zone ${calendarZone ?? 'none'}: master then override`, () => {
        expect(occurrencesOf(calendar([...LOS_ANGELES_VTIMEZONE, ...master, ...lines]), calendarZone, '2024-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(expected);
      });
      it(`${form}, calendar zone ${calendarZone ?? 'none'}: override before the master, no X-WR-TIMEZONE`, () => {
        expect(occurrencesOf(calendar([...lines, ...master, ...LOS_ANGELES_VTIMEZONE], null), calendarZone, '2024-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(expected);
      });
    }
  }

  it('a resource without any UID: the override still belongs to its master', () => {
    const withoutUids = calendar([...LOS_ANGELES_VTIMEZONE, ...master.filter((l) => !l.startsWith('UID:')), ...override('RECURRENCE-ID:20250615T170000Z', { uid: false })]);
    expect(occurrencesOf(withoutUids, null, '2024-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(EXPECTED);
  });

  it('two series in one (non-conforming) resource: a UID-less override is not guessed onto either', () => {
    const second = master.map((l) => (l.startsWith('UID:') ? 'UID:other@example.test' : l.replace('SUMMARY:Anniversary', 'SUMMARY:Other')));
    const parsed = parseCalendarResource(calendar([...LOS_ANGELES_VTIMEZONE, ...master, ...second, ...override('RECURRENCE-ID:20250615T170000Z', { uid: false })]), { resourceId: '/r.ics', etag: null, calendarTimeZone: null });
    const orphan = parsed.events.find((e) => e.kind === 'exception')!;
    expect([UID, 'other@example.test']).not.toContain(orphan.recurringEventId);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The property: random series with random overrides against an independent expansion.

const ZONES = [LA, 'Europe/Berlin', 'Australia/Sydney', 'UTC'] as const;
type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
interface Wall { y: number; mo: number; d: number; h: number; mi: number }

/** UTC instant of a wall time in `zone`, by Intl alone (iterating on the offset; no DST gaps between 08:00 and 20:00). */
function oracleUtc(wall: Wall, zone: string): number {
  const asUtc = Date.UTC(wall.y, wall.mo - 1, wall.d, wall.h, wall.mi);
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const offsetAt = (ms: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - ms;
  };
  let guess = asUtc - offsetAt(asUtc);
  guess = asUtc - offsetAt(guess);
  return guess;
}

/** The k-th instance's wall start by calendar arithmetic (days ≤ 28, so every month and year has it). */
function nthWall(start: Wall, freq: Freq, k: number): Wall {
  const date = new Date(Date.UTC(start.y, start.mo - 1, start.d));
  if (freq === 'DAILY') date.setUTCDate(date.getUTCDate() + k);
  if (freq === 'WEEKLY') date.setUTCDate(date.getUTCDate() + 7 * k);
  if (freq === 'MONTHLY') date.setUTCMonth(date.getUTCMonth() + k);
  if (freq === 'YEARLY') date.setUTCFullYear(date.getUTCFullYear() + k);
  return { y: date.getUTCFullYear(), mo: date.getUTCMonth() + 1, d: date.getUTCDate(), h: start.h, mi: start.mi };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const wallText = (w: Wall) => `${pad(w.y, 4)}${pad(w.mo)}${pad(w.d)}T${pad(w.h)}${pad(w.mi)}00`;
const utcText = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

type RecurrenceIdForm = 'tzid' | 'utc' | 'floating' | 'date';

const seriesArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  freq: fc.constantFrom<Freq>('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
  start: fc.record({ y: fc.integer({ min: 2024, max: 2027 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }), h: fc.integer({ min: 8, max: 17 }), mi: fc.constantFrom(0, 15, 30, 45) }),
  durationMinutes: fc.constantFrom(15, 30, 60, 90),
  count: fc.integer({ min: 1, max: 12 }),
  xWrTimeZone: fc.boolean(),
  calendarZone: fc.constantFrom<string | null>(null, LA, 'Asia/Tokyo'),
  /** The override with the highest index says RANGE=THISANDFUTURE: it moves every later instance too. */
  lastIsThisAndFuture: fc.boolean(),
  overrides: fc.uniqueArray(
    fc.record({
      index: fc.integer({ min: 0, max: 11 }),
      moveMinutes: fc.integer({ min: -120, max: 120 }).map((m) => m - (m % 5)),
      cancelled: fc.boolean(),
      form: fc.constantFrom<RecurrenceIdForm>('tzid', 'utc', 'floating', 'date'),
      withUid: fc.boolean(),
      beforeMaster: fc.boolean(),
    }),
    { selector: (o) => o.index, maxLength: 5 },
  ),
});

describe('property: random series with random overrides expand like an independent expansion', () => {
  it('occurrences (start, end, title) equal the oracle for every series, zone and override form', () => {
    const expander = new CalendarRecurrenceExpander();
    fc.assert(
      fc.property(seriesArb, (series) => {
        const uid = 'series@example.test';
        const overrides = series.overrides.filter((o) => o.index < series.count);
        const futureIndex = series.lastIsThisAndFuture && overrides.length > 0 ? Math.max(...overrides.map((o) => o.index)) : null;
        const tzParam = series.zone === 'UTC' ? null : series.zone;
        const timeLine = (name: string, w: Wall) => (tzParam ? `${name};TZID=${tzParam}:${wallText(w)}` : `${name}:${utcText(oracleUtc(w, 'UTC'))}`);
        const minutesLater = (w: Wall, minutes: number): Wall => {
          const ms = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) + minutes * 60_000;
          const d = new Date(ms);
          return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
        };
        const masterLines = ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', timeLine('DTSTART', series.start), timeLine('DTEND', minutesLater(series.start, series.durationMinutes)), `RRULE:FREQ=${series.freq};COUNT=${series.count}`, 'SUMMARY:Master', 'END:VEVENT'];
        const before: string[] = [];
        const after: string[] = [];
        for (const o of overrides) {
          const original = nthWall(series.start, series.freq, o.index);
          const originalUtc = oracleUtc(original, series.zone);
          // A floating RECURRENCE-ID only makes sense beside a zoned DTSTART; a UTC series writes UTC.
          const isFuture = o.index === futureIndex;
          const form = (!tzParam && (o.form === 'tzid' || o.form === 'floating')) || (isFuture && o.form === 'date') ? 'utc' : o.form;
          const range = isFuture ? ';RANGE=THISANDFUTURE' : '';
          const recurrenceId =
            form === 'tzid' ? `RECURRENCE-ID${range};TZID=${tzParam}:${wallText(original)}`
            : form === 'utc' ? `RECURRENCE-ID${range}:${utcText(originalUtc)}`
            : form === 'date' ? `RECURRENCE-ID;VALUE=DATE:${wallText(original).slice(0, 8)}` // the instance of that (wall) day
            : `RECURRENCE-ID${range}:${wallText(original)}`;
          const moved = minutesLater(original, o.moveMinutes);
          const lines = ['BEGIN:VEVENT', ...(o.withUid ? [`UID:${uid}`] : []), 'DTSTAMP:20240101T000000Z', recurrenceId, timeLine('DTSTART', moved), timeLine('DTEND', minutesLater(moved, series.durationMinutes)), `SUMMARY:Override ${o.index}`, ...(o.cancelled ? ['STATUS:CANCELLED'] : []), 'END:VEVENT'];
          (o.beforeMaster ? before : after).push(...lines);
        }
        const ics = calendar([...(series.zone === LA ? LOS_ANGELES_VTIMEZONE : []), ...before, ...masterLines, ...after], series.xWrTimeZone ? series.zone : null);

        // The oracle.
        const expected: string[] = [];
        const future = futureIndex === null ? null : overrides.find((x) => x.index === futureIndex)!;
        for (let k = 0; k < series.count; k++) {
          // Later instances take the THISANDFUTURE override's move (in wall time), title and cancellation.
          const o = overrides.find((x) => x.index === k) ?? (future && k > future.index ? future : undefined);
          if (o?.cancelled) continue;
          const wall = o ? minutesLater(nthWall(series.start, series.freq, k), o.moveMinutes) : nthWall(series.start, series.freq, k);
          const startMs = oracleUtc(wall, series.zone);
          expected.push(`${new Date(startMs).toISOString()}/${new Date(startMs + series.durationMinutes * 60_000).toISOString()} ${o ? `Override ${o.index}` : 'Master'}`);
        }

        const parsed = parseCalendarResource(ics, { resourceId: '/c/series.ics', etag: null, calendarTimeZone: series.calendarZone });
        const actual = expander
          .expand(toCalendarEvents(parsed.events), { start: new Date('2020-01-01T00:00:00Z'), end: new Date('2040-01-01T00:00:00Z') }, () => series.calendarZone)
          .map((x) => `${new Date(x.startMs).toISOString()}/${new Date(x.endMs).toISOString()} ${x.event.title}`);
        expect(actual.sort()).toEqual(expected.sort());
      }),
      { numRuns: Number(process.env.MOVED_INSTANCE_RUNS ?? 300) },
    );
  }, 120_000); // MOVED_INSTANCE_RUNS=10000 takes ~10 s
});
