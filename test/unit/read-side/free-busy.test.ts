import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import { blocksTime } from '../../../shared/domain/event-time.ts';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { freeBusy } from '../../../shared/use-cases/free-busy.ts';
import { testCalendar, testConnection } from '../../support/stores.ts';
import { InMemoryCalendars, InMemoryEventStore, allDay, storedEvent, timed } from './support.ts';

const TENANT = 't-free-busy';
const connection = testConnection(TENANT);
const CALENDARS: Calendar[] = [
  testCalendar(connection, { providerCalendarId: 'utc', timeZone: 'UTC' }),
  testCalendar(connection, { providerCalendarId: 'ny', timeZone: 'America/New_York' }),
  testCalendar(connection, { providerCalendarId: 'kolkata', timeZone: 'Asia/Kolkata' }),
];
const RANGE = { start: new Date('2026-10-28T00:00:00Z'), end: new Date('2026-11-08T00:00:00Z') };
const HOUR = 3_600_000;

/** What free/busy must equal: every event through the expander, then the obvious filter, clip and merge. */
function reference(events: readonly CalendarEvent[], zoneOverride: string | null) {
  const zoneOf = (id: string) => zoneOverride ?? CALENDARS.find((c) => c.id === id)!.timeZone;
  const occurrences = new CalendarRecurrenceExpander().expand(events, RANGE, zoneOf);
  const merge = (pairs: [number, number][]) => {
    const out: [number, number][] = [];
    for (const [s, e] of pairs.map(([s, e]): [number, number] => [Math.max(s, RANGE.start.getTime()), Math.min(e, RANGE.end.getTime())]).filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0])) {
      const last = out.at(-1);
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else out.push([s, e]);
    }
    return out.map(([s, e]) => ({ start: new Date(s).toISOString(), end: new Date(e).toISOString() }));
  };
  const busy = occurrences.filter((o) => blocksTime(o.event) && !o.event.attendees.some((a) => a.self && a.responseStatus === 'declined'));
  const perCalendar = Object.fromEntries(CALENDARS.map((c) => [c.id, merge(busy.filter((o) => o.event.calendarId === c.id).map((o): [number, number] => [o.startMs, o.endMs]))]));
  return { busy: merge(busy.map((o) => [o.startMs, o.endMs])), perCalendar };
}

const status = fc.constantFrom<CalendarEvent['status']>('confirmed', 'confirmed', 'tentative', 'cancelled');
const transparency = fc.constantFrom<CalendarEvent['transparency']>('opaque', 'opaque', 'transparent');
const declined = fc.boolean().map((isDeclined) => (isDeclined ? [{ email: 'me@example.com', name: null, responseStatus: 'declined' as const, optional: false, organizer: false, self: true }] : []));
const isoAt = (ms: number) => new Date(ms).toISOString();

const single = fc.record({
  calendar: fc.integer({ min: 0, max: 2 }),
  startQuarter: fc.integer({ min: -200, max: 1300 }),
  quarters: fc.integer({ min: 0, max: 24 }),
  allDayLength: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 4 }),
  status,
  transparency,
  attendees: declined,
});

const series = fc.record({
  calendar: fc.integer({ min: 0, max: 2 }),
  hour: fc.integer({ min: 0, max: 23 }),
  rule: fc.constantFrom('RRULE:FREQ=WEEKLY', 'RRULE:FREQ=DAILY;COUNT=9', 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR'),
  transparency,
  exceptions: fc.array(fc.record({ index: fc.integer({ min: 0, max: 10 }), shiftHours: fc.integer({ min: -30, max: 30 }), status, transparency }), { maxLength: 4 }),
});

type SingleSpec = { calendar: number; startQuarter: number; quarters: number; allDayLength: number | null; status: CalendarEvent['status']; transparency: CalendarEvent['transparency']; attendees: CalendarEvent['attendees'] };
type ExceptionSpec = { index: number; shiftHours: number; status: CalendarEvent['status']; transparency: CalendarEvent['transparency'] };
type SeriesSpec = { calendar: number; hour: number; rule: string; transparency: CalendarEvent['transparency']; exceptions: ExceptionSpec[] };

function buildEvents(singles: SingleSpec[], masters: SeriesSpec[]): CalendarEvent[] {
  const events: CalendarEvent[] = [];
  singles.forEach((s, i) => {
    const calendar = CALENDARS[s.calendar]!;
    const startMs = RANGE.start.getTime() + s.startQuarter * 15 * 60_000;
    const when = s.allDayLength
      ? allDay(isoAt(startMs).slice(0, 10), isoAt(startMs + s.allDayLength * 24 * HOUR).slice(0, 10))
      : timed(isoAt(startMs), isoAt(startMs + s.quarters * 15 * 60_000));
    events.push(storedEvent(calendar, `s${i}`, { ...when, status: s.status, transparency: s.transparency, attendees: s.attendees }));
  });
  masters.forEach((m, i) => {
    const calendar = CALENDARS[m.calendar]!;
    const zone = calendar.timeZone!;
    // Series start a week before the range, at a local hour, in the calendar's zone (DST moves the UTC time).
    const firstStart = Date.parse(`2026-10-21T${String(m.hour).padStart(2, '0')}:00:00Z`);
    const master = storedEvent(calendar, `m${i}`, {
      kind: 'master',
      ...timed(isoAt(firstStart), isoAt(firstStart + HOUR), zone),
      recurrence: [m.rule],
      transparency: m.transparency,
    });
    events.push(master);
    const instances = new CalendarRecurrenceExpander().expand([master], { start: new Date(firstStart - HOUR), end: RANGE.end }, () => zone);
    m.exceptions.forEach((x, k) => {
      const instance = instances[x.index % Math.max(1, instances.length)];
      if (!instance) return;
      const movedStart = instance.startMs + x.shiftHours * HOUR;
      events.push(
        storedEvent(calendar, `m${i}x${k}`, {
          kind: 'exception',
          providerEventId: `${master.providerEventId}_${instance.startMs}`,
          recurringEventId: master.providerEventId,
          originalStart: { dateTime: isoAt(instance.startMs), timeZone: zone },
          ...timed(isoAt(movedStart), isoAt(movedStart + 2 * HOUR), zone),
          status: x.status,
          transparency: x.transparency,
        }),
      );
    });
  });
  return events;
}

async function run(events: CalendarEvent[], timeZone: string | null) {
  const store = new InMemoryEventStore();
  await store.putMany(events);
  return freeBusy(
    { calendars: new InMemoryCalendars(CALENDARS), events: store, expander: new CalendarRecurrenceExpander() },
    { tenantId: TENANT, calendarIds: CALENDARS.map((c) => c.id), range: RANGE, timeZone },
  );
}

describe('freeBusy over an in-memory store', () => {
  it('equals expanding everything and merging naively, for random singles, all-day events and series with exceptions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(single, { maxLength: 40 }), fc.array(series, { maxLength: 4 }), fc.constantFrom(null, 'Pacific/Auckland'), async (singles, masters, zone) => {
        const events = buildEvents(singles, masters);
        const result = await run(events, zone);
        const expected = reference(events, zone);
        expect(result.busy).toEqual(expected.busy);
        for (const calendar of CALENDARS) expect(result.calendars[calendar.id]!.busy).toEqual(expected.perCalendar[calendar.id]);
      }),
      { numRuns: 300 },
    );
  });

  it('excludes transparent, cancelled and self-declined events, clips to the range and merges across calendars', async () => {
    const [utc, ny] = CALENDARS as [Calendar, Calendar];
    const result = await run(
      [
        storedEvent(utc, 'a', timed('2026-11-02T09:00:00.000Z', '2026-11-02T10:00:00.000Z')),
        storedEvent(ny, 'b', timed('2026-11-02T09:30:00.000Z', '2026-11-02T11:00:00.000Z')),
        storedEvent(ny, 'free', { ...timed('2026-11-02T12:00:00.000Z', '2026-11-02T13:00:00.000Z'), transparency: 'transparent' }),
        storedEvent(ny, 'gone', { ...timed('2026-11-02T14:00:00.000Z', '2026-11-02T15:00:00.000Z'), status: 'cancelled' }),
        storedEvent(utc, 'early', timed('2026-10-27T22:00:00.000Z', '2026-10-28T01:00:00.000Z')),
      ],
      null,
    );
    expect(result.calendars[utc.id]!.busy).toEqual([
      { start: '2026-10-28T00:00:00.000Z', end: '2026-10-28T01:00:00.000Z' },
      { start: '2026-11-02T09:00:00.000Z', end: '2026-11-02T10:00:00.000Z' },
    ]);
    expect(result.calendars[ny.id]!.busy).toEqual([{ start: '2026-11-02T09:30:00.000Z', end: '2026-11-02T11:00:00.000Z' }]);
    expect(result.busy).toEqual([
      { start: '2026-10-28T00:00:00.000Z', end: '2026-10-28T01:00:00.000Z' },
      { start: '2026-11-02T09:00:00.000Z', end: '2026-11-02T11:00:00.000Z' },
    ]);
    expect(result).toMatchObject({ start: '2026-10-28T00:00:00.000Z', end: '2026-11-08T00:00:00.000Z', timeZone: null });
  });

  it("answers 404 naming a calendar that is not the tenant's", async () => {
    const store = new InMemoryEventStore();
    const error = await freeBusy(
      { calendars: new InMemoryCalendars(CALENDARS), events: store, expander: new CalendarRecurrenceExpander() },
      { tenantId: 'someone-else', calendarIds: [CALENDARS[0]!.id], range: RANGE },
    ).catch((e: unknown) => e);
    expect(isAppError(error, 'resource.not_found')).toBe(true);
    expect((error as Error).message).toContain(CALENDARS[0]!.id);
  });
});
