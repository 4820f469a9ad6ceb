import { beforeAll, describe, expect, it } from 'vitest';
import type { Calendar } from '../../shared/domain/calendar.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { silentLog } from '../../shared/ports/log.ts';
import { CalendarRecurrenceExpander } from '../../shared/recurrence/calendar-recurrence-expander.ts';
import { createCalendarEvent } from '../../shared/use-cases/events/create-event.ts';
import { deleteCalendarEvent } from '../../shared/use-cases/events/delete-event.ts';
import type { EventView, EventWriteDeps } from '../../shared/use-cases/events/event-write-context.ts';
import { updateCalendarEvent } from '../../shared/use-cases/events/update-event.ts';
import { listEvents } from '../../shared/use-cases/list-events.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar } from '../../shared/use-cases/sync/sync-calendar.ts';
import { RecordingPublisher, TestClock, createTestStores, testCalendar, testConnection, type TestStores } from '../support/stores.ts';
import type { ProviderContractHarness } from './provider-contract.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const change = (events: readonly DomainEvent[]) => events.filter((e) => e.type.startsWith('calendar.event.'));

/**
 * The event write path on one provider, end to end through the use-cases: what we write is what the
 * provider then lists (series checked by expansion against occurrences computed here by hand), every write
 * announces itself once, and the next sync — which reads the provider's own listing — emits nothing more,
 * while a real change by another client still emits exactly one update. Runs against the in-memory fake,
 * both simulators and Radicale (the same harness as the provider contract).
 */
export function describeEventWriteContract(name: string, harness: () => ProviderContractHarness): void {
  describe(`event writes: ${name}`, () => {
    let h: ProviderContractHarness;
    let stores: TestStores;
    let calendar: Calendar;
    let deps: EventWriteDeps;
    const publisher = new RecordingPublisher();
    const clock = new TestClock('2026-11-23T12:00:00Z');
    const expander = new CalendarRecurrenceExpander();
    const tenantId = `writes-${name.replace(/[^a-z]/gi, '').toLowerCase()}`;
    let runs = 0;

    /** One sync of the calendar from the provider's listing; returns the calendar.event.* it emitted. */
    async function sync(): Promise<DomainEvent[]> {
      publisher.clear();
      clock.advance(60_000);
      const outcome = await syncCalendar(
        { ...deps, calendars: stores.calendars, connections: stores.connections, settings: DEFAULT_SYNC_SETTINGS },
        { tenantId, calendarId: calendar.id, requestedAt: clock.now(), runId: `run-${++runs}` },
      );
      expect(outcome.status).toBe('synced');
      return change(publisher.events);
    }

    /** Writes through `run` and returns what it announced. */
    async function announced<T>(run: () => Promise<T>): Promise<{ result: T; events: DomainEvent[] }> {
      publisher.clear();
      const result = await run();
      return { result, events: change(publisher.events) };
    }

    /** Start times (ms) of the stored series' occurrences in December 2026 – January 2027, from the store after a sync. */
    async function occurrenceStarts(title: string): Promise<number[]> {
      const page = await listEvents({ calendars: stores.calendars, events: stores.events, expander }, { tenantId, calendarId: calendar.id, range: { start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') }, limit: 500, expand: true });
      return page.items.filter((item) => item.title === title && item.status !== 'cancelled').map((item) => Date.parse((item.start as { dateTime: string }).dateTime)).sort((a, b) => a - b);
    }

    const create = (fields: Parameters<typeof createCalendarEvent>[1]['fields'], key?: string) => createCalendarEvent(deps, { tenantId, calendarId: calendar.id, fields, key });

    beforeAll(async () => {
      h = harness();
      stores = await createTestStores(clock);
      const connection = testConnection(tenantId, { provider: h.provider.kind });
      await stores.connections.save(connection, { kind: 'basic', username: 'contract', password: 'unused' });
      calendar = testCalendar(connection, { providerCalendarId: h.calendar.providerCalendarId, timeZone: h.calendar.timeZone, syncWindow: { pastDays: 30, futureDays: 365 } });
      await stores.calendars.put(calendar, null);
      deps = { calendars: stores.calendars, connections: stores.connections, events: stores.events, providers: { forConnection: async () => h.provider }, publisher, expander, clock, log: silentLog };
      await sync(); // whatever the provider contract left in the calendar is stored first
    });

    const base = Date.UTC(2026, 11, 14, 9); // Monday 2026-12-14 09:00 UTC

    it('creates a timed event with attendees, zone, texts and transparency; one created event; the next sync emits nothing; another client\'s change emits one update', async () => {
      const { result: created, events } = await announced(() =>
        create({
          title: 'write timed',
          start: iso(base),
          end: iso(base + HOUR),
          timeZone: 'Europe/Berlin',
          description: 'agenda',
          location: 'Room 1',
          transparency: 'transparent',
          attendees: [{ email: 'ada@example.com', name: 'Ada' }, { email: 'bob@example.com', optional: true }],
        }),
      );

      expect(events.map((e) => e.type)).toEqual(['calendar.event.created']);
      expect((events[0]!.data as { event: EventView }).event.id).toBe(created.id);
      const read = await h.provider.getEvent(h.calendar, created.providerEventId);
      expect(read).toMatchObject({ title: 'write timed', description: 'agenda', location: 'Room 1', transparency: 'transparent' });
      expect(read!.start).toEqual({ dateTime: iso(base), timeZone: 'Europe/Berlin' });
      expect(read!.attendees.map((a) => [a.email, a.optional])).toEqual(expect.arrayContaining([['ada@example.com', false], ['bob@example.com', true]]));
      expect(await sync()).toEqual([]);

      await h.user.renameEvent(created.providerEventId, 'write timed, renamed elsewhere');
      const later = await sync();
      expect(later.map((e) => e.type)).toEqual(['calendar.event.updated']);
      expect(await sync()).toEqual([]);
    });

    it('creates an all-day event on its dates', async () => {
      const { result: created, events } = await announced(() => create({ title: 'write all-day', start: '2026-12-16', end: '2026-12-18' }));
      expect(events).toHaveLength(1);
      expect(created.start).toEqual({ date: '2026-12-16' });
      expect((await h.provider.getEvent(h.calendar, created.providerEventId))!.end).toEqual({ date: '2026-12-18' });
      expect(await sync()).toEqual([]);
    });

    it('updates and deletes: one updated, one deleted, nothing after the sync', async () => {
      const created = await create({ title: 'write edit me', start: iso(base + DAY), end: iso(base + DAY + HOUR) });
      const { result: updated, events: onUpdate } = await announced(() =>
        updateCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: created.id, fields: { title: 'write edited', end: iso(base + DAY + 2 * HOUR) } }),
      );
      expect(onUpdate.map((e) => e.type)).toEqual(['calendar.event.updated']);
      expect(updated).toMatchObject({ id: created.id, title: 'write edited', end: { dateTime: iso(base + DAY + 2 * HOUR) } });
      expect(await sync()).toEqual([]);

      const { events: onDelete } = await announced(() => deleteCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: created.id }));
      expect(onDelete.map((e) => e.type)).toEqual(['calendar.event.deleted']);
      expect(await h.provider.getEvent(h.calendar, created.providerEventId)).toBeNull();
      expect(await sync()).toEqual([]);
      await deleteCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: created.id }).catch((e: unknown) => expect(e).toMatchObject({ code: 'resource.not_found' }));
    });

    it('writes a weekly series with an EXDATE: the provider lists exactly the occurrences asked for', async () => {
      const { events } = await announced(() =>
        create({ title: 'write weekly', start: iso(base), end: iso(base + HOUR), timeZone: 'UTC', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5', `EXDATE:${iso(base + 7 * DAY).replace(/[-:]/g, '')}`] }),
      );
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(await sync()).toEqual([]);
      // The oracle: 5 Mondays from the start, the second one excluded.
      expect(await occurrenceStarts('write weekly')).toEqual([0, 2, 3, 4].map((k) => base + k * 7 * DAY));
    });

    it('scope=instance edits one occurrence, scope=series moves them all, instance delete cancels one', async () => {
      const series = await create({ title: 'write scoped', start: iso(base + 2 * HOUR), end: iso(base + 3 * HOUR), timeZone: 'UTC', recurrence: ['RRULE:FREQ=DAILY;COUNT=4'] });
      await sync();
      const starts = [0, 1, 2, 3].map((k) => base + 2 * HOUR + k * DAY);
      const occurrence = (k: number) => `${series.kind === 'master' ? series.id : series.id}_${iso(starts[k]!).replace(/[-:]/g, '')}`;

      const { result: moved, events: onInstance } = await announced(() =>
        updateCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: occurrence(1), scope: 'instance', fields: { title: 'write scoped (moved)', start: iso(starts[1]! + 30 * 60_000), end: iso(starts[1]! + 90 * 60_000) } }),
      );
      expect(moved.title).toBe('write scoped (moved)');
      expect(onInstance).toHaveLength(1);
      expect(await sync()).toEqual([]);
      expect(await occurrenceStarts('write scoped (moved)')).toEqual([starts[1]! + 30 * 60_000]);

      const { events: onCancel } = await announced(() => deleteCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: occurrence(2), scope: 'instance' }));
      expect(onCancel.length).toBeGreaterThanOrEqual(1);
      expect(await sync()).toEqual([]);
      expect(await occurrenceStarts('write scoped')).toEqual([starts[0], starts[3]]);

      await updateCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: occurrence(0), scope: 'series', fields: { title: 'write scoped v2' } });
      expect(await sync()).toEqual([]);
      expect((await occurrenceStarts('write scoped v2')).length).toBeGreaterThanOrEqual(2);
      expect(await occurrenceStarts('write scoped')).toEqual([]);
    });

    it('scope=following splits the series: the old part ends before the instance, a new one carries the change and the rest of the COUNT', async () => {
      const series = await create({ title: 'write split', start: iso(base + 4 * HOUR), end: iso(base + 5 * HOUR), timeZone: 'UTC', recurrence: ['RRULE:FREQ=DAILY;COUNT=6'] });
      await sync();
      const starts = [0, 1, 2, 3, 4, 5].map((k) => base + 4 * HOUR + k * DAY);
      const third = `${series.id}_${iso(starts[2]!).replace(/[-:]/g, '')}`;

      const { result: tail } = await announced(() =>
        updateCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: third, scope: 'following', fields: { title: 'write split (later)', start: iso(starts[2]! + HOUR), end: iso(starts[2]! + 2 * HOUR) }, key: 'split-1' }),
      );
      expect(tail.title).toBe('write split (later)');
      expect(await sync()).toEqual([]);
      expect(await occurrenceStarts('write split')).toEqual(starts.slice(0, 2));
      expect(await occurrenceStarts('write split (later)')).toEqual(starts.slice(2).map((ms) => ms + HOUR));

      await deleteCalendarEvent(deps, { tenantId, calendarId: calendar.id, eventId: `${tail.id}_${iso(starts[4]! + HOUR).replace(/[-:]/g, '')}`, scope: 'following' });
      expect(await sync()).toEqual([]);
      expect(await occurrenceStarts('write split (later)')).toEqual(starts.slice(2, 4).map((ms) => ms + HOUR));
    });

    it('a create whose answer is lost and that is repeated with the same key makes exactly one provider event', async () => {
      const fields = { title: 'write lost answer', start: iso(base + 3 * DAY), end: iso(base + 3 * DAY + HOUR) };
      const lostBefore = h.writes.lostAnswers();
      h.writes.loseNextCreateAnswer();
      const first = await create(fields, 'lost-answer-key').catch((error: unknown) => error);
      const again = await create(fields, 'lost-answer-key');

      expect(h.writes.lostAnswers() - lostBefore).toBe(1);
      expect(await h.writes.countAtProvider('write lost answer')).toBe(1);
      if (!(first instanceof Error)) expect((first as EventView).providerEventId).toBe(again.providerEventId);
      expect(await sync()).toEqual([]);
    });
  });
}
