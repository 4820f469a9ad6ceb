import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../../shared/domain/app-error.ts';
import type { CalendarEvent, ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import { syncWindowRange } from '../../../shared/domain/calendar.ts';
import type { Connection } from '../../../shared/domain/connection.ts';
import { blocksTime } from '../../../shared/domain/event-time.ts';
import type { CalendarProviderFactory } from '../../../shared/ports/calendar-provider.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { freeBusy, type FreeBusyDeps } from '../../../shared/use-cases/free-busy.ts';
import { isInSyncWindow } from '../../../shared/use-cases/sync/sync-window.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { eventually } from '../../support/eventually.ts';
import { TestClock, syncedCalendar, testCalendar, testConnection } from '../../support/stores.ts';
import { InMemoryCalendars, InMemoryEventStore, allDay, storedEvent, timed } from './support.ts';

const TENANT = 't-free-busy';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const RANGE = { start: new Date('2026-10-28T00:00:00Z'), end: new Date('2026-11-08T00:00:00Z') };
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata'];
/** One connection per calendar, so live reads are grouped by connection as in production. */
const CONNECTIONS: Connection[] = ZONES.map((_zone, i) => testConnection(TENANT, { accountId: `user-${i}` }));
/** Fully mirrored over RANGE: synced on 2026-11-01, asked on 2026-11-02 (window −30 d … +365 d). */
const CALENDARS: Calendar[] = ZONES.map((zone, i) => syncedCalendar(CONNECTIONS[i]!, { providerCalendarId: `cal-${i}`, timeZone: zone }));
const NOW = new TestClock('2026-11-02T12:00:00Z');

const isoAt = (ms: number) => new Date(ms).toISOString();

function mergePairs(pairs: readonly [number, number][], from: number, to: number): { start: string; end: string }[] {
  const out: [number, number][] = [];
  const clipped = pairs.map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)]).filter(([s, e]) => e > s);
  for (const [s, e] of clipped.sort((a, b) => a[0] - b[0])) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out.map(([s, e]) => ({ start: isoAt(s), end: isoAt(e) }));
}

/**
 * What free/busy must equal, written separately from the code under test: every event of every calendar
 * (the provider's whole truth, in and out of any window) through the expander, the busy rule spelled out,
 * then clip and merge; optionally only over some ranges of each calendar (the parts that were answered).
 */
function reference(events: readonly CalendarEvent[], calendars: readonly Calendar[], zoneOverride: string | null, answered?: Map<string, [number, number][]>) {
  const zoneOf = (id: string) => zoneOverride ?? calendars.find((c) => c.id === id)!.timeZone;
  const occurrences = new CalendarRecurrenceExpander().expand(events, RANGE, zoneOf);
  const busy = occurrences.filter((o) => blocksTime(o.event) && !o.event.attendees.some((a) => a.self && a.responseStatus === 'declined'));
  const perCalendar: Record<string, { start: string; end: string }[]> = {};
  const all: [number, number][] = [];
  for (const calendar of calendars) {
    const mine = busy.filter((o) => o.event.calendarId === calendar.id).map((o): [number, number] => [o.startMs, o.endMs]);
    const parts = answered?.get(calendar.id) ?? [[RANGE.start.getTime(), RANGE.end.getTime()]];
    const kept = parts.flatMap(([from, to]) => mine.map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)]));
    perCalendar[calendar.id] = mergePairs(kept, RANGE.start.getTime(), RANGE.end.getTime());
    all.push(...kept);
  }
  return { busy: mergePairs(all, RANGE.start.getTime(), RANGE.end.getTime()), perCalendar };
}

const status = fc.constantFrom<CalendarEvent['status']>('confirmed', 'confirmed', 'tentative', 'cancelled');
const transparency = fc.constantFrom<CalendarEvent['transparency']>('opaque', 'opaque', 'transparent');
const declined = fc.boolean().map((isDeclined) => (isDeclined ? [{ email: 'me@example.com', name: null, responseStatus: 'declined' as const, optional: false, organizer: false, self: true }] : []));

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
  /** Weeks before the range the series starts: far back, as a series started years ago is. */
  weeksBefore: fc.constantFrom(1, 3, 60, 160),
  rule: fc.constantFrom('RRULE:FREQ=WEEKLY', 'RRULE:FREQ=DAILY;COUNT=9', 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR', 'RRULE:FREQ=DAILY'),
  transparency,
  exceptions: fc.array(fc.record({ index: fc.integer({ min: 0, max: 2000 }), shiftHours: fc.integer({ min: -30, max: 30 }), status, transparency }), { maxLength: 4 }),
});

type SingleSpec = { calendar: number; startQuarter: number; quarters: number; allDayLength: number | null; status: CalendarEvent['status']; transparency: CalendarEvent['transparency']; attendees: CalendarEvent['attendees'] };
type ExceptionSpec = { index: number; shiftHours: number; status: CalendarEvent['status']; transparency: CalendarEvent['transparency'] };
type SeriesSpec = { calendar: number; hour: number; weeksBefore: number; rule: string; transparency: CalendarEvent['transparency']; exceptions: ExceptionSpec[] };

function buildEvents(calendars: readonly Calendar[], singles: SingleSpec[], masters: SeriesSpec[]): CalendarEvent[] {
  const events: CalendarEvent[] = [];
  singles.forEach((s, i) => {
    const calendar = calendars[s.calendar]!;
    const startMs = RANGE.start.getTime() + s.startQuarter * 15 * 60_000;
    const when = s.allDayLength
      ? allDay(isoAt(startMs).slice(0, 10), isoAt(startMs + s.allDayLength * 24 * HOUR).slice(0, 10))
      : timed(isoAt(startMs), isoAt(startMs + s.quarters * 15 * 60_000));
    events.push(storedEvent(calendar, `s${i}`, { ...when, status: s.status, transparency: s.transparency, attendees: s.attendees }));
  });
  masters.forEach((m, i) => {
    const calendar = calendars[m.calendar]!;
    const zone = calendar.timeZone!;
    // Series start weeks (or years) before the range, at a local hour in the calendar's zone (DST moves the UTC time).
    const firstStart = Date.parse(`2026-10-21T${String(m.hour).padStart(2, '0')}:00:00Z`) - (m.weeksBefore - 1) * 7 * DAY;
    const master = storedEvent(calendar, `m${i}`, {
      kind: 'master',
      ...timed(isoAt(firstStart), isoAt(firstStart + HOUR), zone),
      recurrence: [m.rule],
      transparency: m.transparency,
    });
    events.push(master);
    // Exceptions anywhere in the series' history up to the range's end: most are far outside the range.
    const instances = new CalendarRecurrenceExpander().expand([master], { start: new Date(firstStart - HOUR), end: RANGE.end }, () => zone);
    const taken = new Set<number>();
    m.exceptions.forEach((x, k) => {
      const instance = instances[x.index % Math.max(1, instances.length)];
      // One exception per instance, as a provider has (a second would be the same event, changed).
      if (!instance || taken.has(instance.startMs)) return;
      taken.add(instance.startMs);
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

function toProviderEvent(event: CalendarEvent): ProviderEvent {
  const { tenantId: _t, connectionId: _c, calendarId: _cal, id: _id, contentHash: _h, ...rest } = event;
  return rest;
}

interface World {
  deps: FreeBusyDeps;
  providers: Map<string, InMemoryCalendarProvider>;
}

/**
 * A store that holds what a sync would have kept of each calendar (its events inside the window of its last
 * full listing) and one provider per connection holding the whole truth.
 */
async function world(calendars: readonly Calendar[], events: readonly CalendarEvent[], busyAnswer: 'events' | 'intervals' = 'events', clock = NOW): Promise<World> {
  const store = new InMemoryEventStore();
  const providers = new Map<string, InMemoryCalendarProvider>();
  for (const calendar of calendars) {
    const provider = new InMemoryCalendarProvider({ busyAnswer });
    provider.addCalendar({ providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone });
    providers.set(calendar.connectionId, provider);
    const mine = events.filter((event) => event.calendarId === calendar.id);
    for (const event of mine) provider.upsertAsUser(calendar.providerCalendarId, toProviderEvent(event));
    if (calendar.lastFullSyncAt && calendar.syncEnabled) {
      const window = syncWindowRange(calendar.syncWindow, new Date(calendar.lastFullSyncAt));
      await store.putMany(mine.filter((event) => isInSyncWindow(event, window, calendar.timeZone)));
    }
  }
  const factory: CalendarProviderFactory = {
    forConnection: async (connection) => providers.get(connection.id) ?? Promise.reject(new AppError('provider.unavailable', 'no provider')),
  };
  const connections = { get: async (tenantId: string, id: string) => CONNECTIONS.find((c) => c.tenantId === tenantId && c.id === id) ?? null };
  return { deps: { calendars: new InMemoryCalendars(calendars), events: store, expander: new CalendarRecurrenceExpander(), providers: factory, connections, clock }, providers };
}

async function run(deps: FreeBusyDeps, calendars: readonly Calendar[], timeZone: string | null) {
  return freeBusy(deps, { tenantId: TENANT, calendarIds: calendars.map((c) => c.id), range: RANGE, timeZone });
}

/** Sync state of one calendar relative to RANGE: mirrored, cut by the window on either side, never synced, or off. */
const syncState = fc.oneof(
  fc.record({ kind: fc.constant('mirrored' as const) }),
  fc.record({ kind: fc.constant('cut' as const), pastDays: fc.integer({ min: 7, max: 12 }), futureDays: fc.integer({ min: 7, max: 12 }), syncedDaysBeforeNow: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('never' as const) }),
  fc.record({ kind: fc.constant('off' as const) }),
);
type SyncState = typeof syncState extends fc.Arbitrary<infer T> ? T : never;

function withSyncState(calendar: Calendar, state: SyncState, now: Date): Calendar {
  if (state.kind === 'mirrored') return { ...calendar, lastFullSyncAt: isoAt(now.getTime() - DAY) };
  if (state.kind === 'never') return { ...calendar, cursor: null, lastSyncedAt: null, lastFullSyncAt: null };
  if (state.kind === 'off') return { ...calendar, syncEnabled: false, cursor: null };
  const syncedAt = isoAt(now.getTime() - state.syncedDaysBeforeNow * DAY - 3 * HOUR);
  return { ...calendar, syncWindow: { pastDays: state.pastDays, futureDays: state.futureDays }, lastFullSyncAt: syncedAt, lastSyncedAt: syncedAt };
}

describe('freeBusy: store inside the mirrored window, provider outside it', () => {
  it('equals expanding every event the provider has and merging naively, whatever part of the range each calendar mirrors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(single, { maxLength: 40 }),
        fc.array(series, { maxLength: 4 }),
        fc.tuple(syncState, syncState, syncState),
        // "now" from the range's first days to a week after it: the window's start moves through the range.
        fc.integer({ min: 0, max: 18 * 24 }),
        fc.constantFrom<'events' | 'intervals'>('events', 'intervals'),
        fc.constantFrom(null, 'Pacific/Auckland'),
        async (singles, masters, states, nowHours, busyAnswer, zone) => {
          const clock = new TestClock(RANGE.start.getTime() + nowHours * HOUR);
          const calendars = CALENDARS.map((calendar, i) => withSyncState(calendar, states[i]!, clock.now()));
          const events = buildEvents(calendars, singles, masters);
          // A provider that computes busy time itself (Google) places all-day events in the calendar's zone.
          const timeZone = busyAnswer === 'intervals' ? null : zone;
          const { deps } = await world(calendars, events, busyAnswer, clock);
          const result = await run(deps, calendars, timeZone);
          const expected = reference(events, calendars, timeZone);
          expect(result.busy).toEqual(expected.busy);
          expect(result.complete).toBe(true);
          calendars.forEach((calendar, i) => {
            const answer = result.calendars[calendar.id]!;
            expect(answer.busy).toEqual(expected.perCalendar[calendar.id]);
            expect(answer.error).toBeNull();
            // Coverage tiles the range without gaps, the store part only where the calendar is mirrored.
            expect(answer.coverage[0]!.start).toBe(RANGE.start.toISOString());
            expect(answer.coverage.at(-1)!.end).toBe(RANGE.end.toISOString());
            for (let k = 1; k < answer.coverage.length; k++) expect(answer.coverage[k]!.start).toBe(answer.coverage[k - 1]!.end);
            if (states[i]!.kind === 'never' || states[i]!.kind === 'off') {
              expect(answer.coverage).toEqual([{ start: RANGE.start.toISOString(), end: RANGE.end.toISOString(), source: 'provider' }]);
            }
          });
        },
      ),
      { numRuns: 300, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  }, 120_000);

  it('places an all-day event just past the window edge in the asked zone (seed 1135023264): the edge is read live', async () => {
    // Calendar in UTC mirrored until 2026-11-04T00:00Z; an all-day event on 2026-11-04 is outside it in UTC (so
    // the sync never listed it) but, placed in Pacific/Auckland (UTC+13), it begins on 2026-11-03T11:00Z, inside.
    const clock = new TestClock('2026-10-28T04:00:00Z');
    const calendar = { ...CALENDARS[0]!, syncWindow: { pastDays: 7, futureDays: 11 }, lastFullSyncAt: '2026-10-23T01:00:00.000Z', lastSyncedAt: '2026-10-23T01:00:00.000Z' };
    const event = storedEvent(calendar, 'holiday', allDay('2026-11-04', '2026-11-05'));
    const { deps } = await world([calendar], [event], 'events', clock);
    const result = await run(deps, [calendar], 'Pacific/Auckland');
    expect(result.busy).toEqual([{ start: '2026-11-03T11:00:00.000Z', end: '2026-11-04T11:00:00.000Z' }]);
  });

  it('keeps the store part and reports the unanswered part when a provider fails, for random failures', async () => {
    const failures = [
      new AppError('provider.unavailable', 'Google 503 backendError', { retryable: true }),
      new AppError('provider.rate_limited', 'Google 429', { retryable: true, retryAfterMs: 30_000 }),
      new AppError('provider.auth_revoked', 'invalid_grant', { retryable: false }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(single, { maxLength: 30 }),
        fc.array(series, { maxLength: 3 }),
        fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
        fc.integer({ min: 0, max: failures.length - 1 }),
        async (singles, masters, failing, which) => {
          // A 7-day past window on 2026-11-06 starts on 2026-10-30: the provider answers [2026-10-28, 2026-10-30).
          const clock = new TestClock('2026-11-06T12:00:00Z');
          const calendars = CALENDARS.map((calendar) => ({ ...calendar, syncWindow: { pastDays: 7, futureDays: 30 }, lastFullSyncAt: '2026-11-06T06:00:00.000Z' }));
          const events = buildEvents(calendars, singles, masters);
          const { deps, providers } = await world(calendars, events, 'events', clock);
          calendars.forEach((calendar, i) => {
            if (failing[i]) providers.get(calendar.connectionId)!.failNext(failures[which]!);
          });
          const result = await run(deps, calendars, null);
          const storeFrom = Date.parse('2026-10-30T00:00:00Z');
          const answered = new Map(
            calendars.map((calendar, i): [string, [number, number][]] => [calendar.id, [[failing[i] ? storeFrom : RANGE.start.getTime(), RANGE.end.getTime()]]]),
          );
          const expected = reference(events, calendars, null, answered);
          expect(result.busy).toEqual(expected.busy);
          expect(result.complete).toBe(!failing.some(Boolean));
          calendars.forEach((calendar, i) => {
            const answer = result.calendars[calendar.id]!;
            expect(answer.busy).toEqual(expected.perCalendar[calendar.id]);
            if (failing[i]) {
              expect(answer.error).toEqual({ code: failures[which]!.code, message: failures[which]!.message, retryable: failures[which]!.retryable });
              expect(answer.coverage).toEqual([{ start: '2026-10-30T00:00:00.000Z', end: RANGE.end.toISOString(), source: 'store' }]);
            } else {
              expect(answer.error).toBeNull();
            }
          });
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it('excludes transparent, cancelled and self-declined events, clips to the range and merges across calendars', async () => {
    const [utc, ny] = CALENDARS as [Calendar, Calendar];
    const events = [
      storedEvent(utc, 'a', timed('2026-11-02T09:00:00.000Z', '2026-11-02T10:00:00.000Z')),
      storedEvent(ny, 'b', timed('2026-11-02T09:30:00.000Z', '2026-11-02T11:00:00.000Z')),
      storedEvent(ny, 'free', { ...timed('2026-11-02T12:00:00.000Z', '2026-11-02T13:00:00.000Z'), transparency: 'transparent' }),
      storedEvent(ny, 'gone', { ...timed('2026-11-02T14:00:00.000Z', '2026-11-02T15:00:00.000Z'), status: 'cancelled' }),
      storedEvent(utc, 'early', timed('2026-10-27T22:00:00.000Z', '2026-10-28T01:00:00.000Z')),
    ];
    const { deps, providers } = await world([utc, ny], events);
    const result = await run(deps, [utc, ny], null);
    expect(result.calendars[utc.id]!.busy).toEqual([
      { start: '2026-10-28T00:00:00.000Z', end: '2026-10-28T01:00:00.000Z' },
      { start: '2026-11-02T09:00:00.000Z', end: '2026-11-02T10:00:00.000Z' },
    ]);
    expect(result.calendars[ny.id]!.busy).toEqual([{ start: '2026-11-02T09:30:00.000Z', end: '2026-11-02T11:00:00.000Z' }]);
    expect(result.busy).toEqual([
      { start: '2026-10-28T00:00:00.000Z', end: '2026-10-28T01:00:00.000Z' },
      { start: '2026-11-02T09:00:00.000Z', end: '2026-11-02T11:00:00.000Z' },
    ]);
    expect(result).toMatchObject({ start: '2026-10-28T00:00:00.000Z', end: '2026-11-08T00:00:00.000Z', timeZone: null, complete: true });
    expect(result.calendars[utc.id]!.coverage).toEqual([{ start: RANGE.start.toISOString(), end: RANGE.end.toISOString(), source: 'store' }]);
    // Fully mirrored: no provider was asked.
    expect([...providers.values()].flatMap((p) => p.busyQueries)).toEqual([]);
  });

  it('asks the provider once per calendar and part, only for the parts outside the window', async () => {
    // A 7-day past window on 2026-11-02 starts on 2026-10-26, before RANGE. A 7-day future window listed on
    // 2026-10-30 (05:00, an hour-old listing started the same day) ends on 2026-11-07, before RANGE ends.
    const calendar = { ...CALENDARS[0]!, syncWindow: { pastDays: 7, futureDays: 7 }, lastFullSyncAt: '2026-10-30T05:00:00.000Z' };
    const never = testCalendar(CONNECTIONS[1]!, { providerCalendarId: 'cal-1', timeZone: 'UTC' });
    const { deps, providers } = await world([calendar, never], [storedEvent(calendar, 'late', timed('2026-11-07T10:00:00.000Z', '2026-11-07T11:00:00.000Z'))]);
    const result = await run(deps, [calendar, never], null);
    // Each part is asked 26 h wider on both sides (UTC+14 to UTC−12: all-day events placed in any zone), then clipped.
    const padded = (start: string, end: string) => ({ start: new Date(Date.parse(start) - 26 * HOUR), end: new Date(Date.parse(end) + 26 * HOUR) });
    expect(providers.get(calendar.connectionId)!.busyQueries).toEqual([{ providerCalendarId: 'cal-0', range: padded('2026-11-07T00:00:00Z', '2026-11-08T00:00:00Z') }]);
    expect(providers.get(never.connectionId)!.busyQueries).toEqual([{ providerCalendarId: 'cal-1', range: padded('2026-10-28T00:00:00Z', '2026-11-08T00:00:00Z') }]);
    expect(result.calendars[calendar.id]!.coverage).toEqual([
      { start: '2026-10-28T00:00:00.000Z', end: '2026-11-07T00:00:00.000Z', source: 'store' },
      { start: '2026-11-07T00:00:00.000Z', end: '2026-11-08T00:00:00.000Z', source: 'provider' },
    ]);
    expect(result.calendars[calendar.id]!.busy).toEqual([{ start: '2026-11-07T10:00:00.000Z', end: '2026-11-07T11:00:00.000Z' }]);
  });

  it('does not call a provider whose account must be reconnected, and says so', async () => {
    const revoked = { ...CONNECTIONS[0]!, status: 'reauth_required' as const };
    const never = testCalendar(revoked, { providerCalendarId: 'cal-0' });
    const { deps, providers } = await world([never], []);
    const result = await freeBusy({ ...deps, connections: { get: async () => revoked } }, { tenantId: TENANT, calendarIds: [never.id], range: RANGE });
    expect(providers.get(never.connectionId)!.calls).toBe(0);
    expect(result.calendars[never.id]).toMatchObject({ busy: [], coverage: [], error: { code: 'provider.auth_revoked', retryable: false } });
    expect(result.complete).toBe(false);
  });

  it('gives up on a provider that does not answer in time, as a retryable error', async () => {
    const never = testCalendar(CONNECTIONS[0]!, { providerCalendarId: 'cal-0' });
    const { deps, providers } = await world([never], []);
    const provider = providers.get(never.connectionId)!;
    provider.queryBusy = () => new Promise(() => {});
    const result = await freeBusy({ ...deps, live: { timeoutMs: 20 } }, { tenantId: TENANT, calendarIds: [never.id], range: RANGE });
    expect(result.calendars[never.id]!.error).toMatchObject({ code: 'provider.unavailable', retryable: true });
    expect(result.calendars[never.id]!.coverage).toEqual([]);
  });

  it('keeps at most 4 live calls in flight per connection, connections side by side, and answers every part', async () => {
    // Ten never-synced calendars on each of two connections: twenty calls, held until the test lets them go.
    const connections = [CONNECTIONS[0]!, CONNECTIONS[1]!];
    const calendars = connections.flatMap((connection) => Array.from({ length: 10 }, (_, i) => testCalendar(connection, { providerCalendarId: `c${i}`, timeZone: 'UTC' })));
    const inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    let released = false;
    let answered = 0;
    const factory: CalendarProviderFactory = {
      forConnection: async (connection) => {
        const provider = new InMemoryCalendarProvider();
        provider.queryBusy = async (ref) => {
          inFlight.set(connection.id, (inFlight.get(connection.id) ?? 0) + 1);
          most.set(connection.id, Math.max(most.get(connection.id) ?? 0, inFlight.get(connection.id)!));
          await eventually(async () => released, 10_000);
          inFlight.set(connection.id, inFlight.get(connection.id)! - 1);
          answered += 1;
          // Each calendar busy for one hour at its own index, so every answer is checked below.
          const hour = Date.parse('2026-11-02T00:00:00Z') + Number(ref.providerCalendarId.slice(1)) * HOUR;
          return { kind: 'intervals', intervals: [{ startMs: hour, endMs: hour + HOUR }] };
        };
        return provider;
      },
    };
    const deps: FreeBusyDeps = {
      calendars: new InMemoryCalendars(calendars),
      events: new InMemoryEventStore(),
      expander: new CalendarRecurrenceExpander(),
      providers: factory,
      connections: { get: async (_tenantId: string, id: string) => connections.find((c) => c.id === id) ?? null },
      clock: NOW,
    };
    const pending = freeBusy(deps, { tenantId: TENANT, calendarIds: calendars.map((c) => c.id), range: RANGE });
    // Both connections fill their four slots before anything is answered; no fifth call starts meanwhile.
    await eventually(async () => connections.every((c) => inFlight.get(c.id) === 4));
    expect([...most.values()]).toEqual([4, 4]);
    released = true;
    const result = await pending;
    expect(answered).toBe(20);
    expect([...most.values()]).toEqual([4, 4]);
    for (const calendar of calendars) {
      const hour = Date.parse('2026-11-02T00:00:00Z') + Number(calendar.providerCalendarId.slice(1)) * HOUR;
      expect(result.calendars[calendar.id]).toMatchObject({ busy: [{ start: isoAt(hour), end: isoAt(hour + HOUR) }], coverage: [{ source: 'provider' }], error: null });
    }
  });

  it("answers 404 naming a calendar that is not the tenant's", async () => {
    const { deps } = await world(CALENDARS, []);
    const error = await freeBusy(deps, { tenantId: 'someone-else', calendarIds: [CALENDARS[0]!.id], range: RANGE }).catch((e: unknown) => e);
    expect(isAppError(error, 'resource.not_found')).toBe(true);
    expect((error as Error).message).toContain(CALENDARS[0]!.id);
  });
});
