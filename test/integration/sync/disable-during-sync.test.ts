import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import type { CalendarStore } from '../../../shared/ports/calendar-store.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar, type SyncDeps } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { updateCalendar, type UpdateCalendarDeps } from '../../../shared/use-cases/update-calendar.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { providerEvent } from '../../support/events.ts';
import { createTestStores, RecordingPublisher, TestClock, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';

/**
 * Issue 10 item 7: turning a calendar's sync off while a sync of it runs. The two are interleaved at fixed
 * points (no timing): the switch lands between two pages of the run, or between the run's last event write
 * and its cursor write. Either way the calendar must end off, with no stored events and no cursor, and the
 * run must not announce events it wrote after the switch.
 */
const TENANT = 'acme';

function timed(i: number): ProviderEvent {
  const start = Date.parse('2026-12-01T10:00:00Z') + i * 86_400_000;
  return providerEvent(`e${i}`, {
    iCalUID: `e${i}@x`,
    title: `Event ${i}`,
    start: { dateTime: new Date(start).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' },
    end: { dateTime: new Date(start + 1_800_000).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' },
  });
}

describe('turning sync off while a sync runs (deterministic interleavings, DynamoDB Local)', () => {
  let stores: TestStores;
  let clock: TestClock;
  let inner: InMemoryCalendarProvider;
  let publisher: RecordingPublisher;
  let calendar: Calendar;
  let disableAt: { beforePage?: number; beforeCursorWrite?: boolean };
  let disabledAfterEvents = -1;

  const disable = async () => {
    const deps: UpdateCalendarDeps = { calendars: stores.calendars, events: stores.events, hooks: { onSyncEnabled: async () => {}, onSyncDisabled: async () => {} }, clock };
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: false });
    disabledAfterEvents = publisher.events.length;
  };

  const syncDeps = (): SyncDeps => {
    let pages = 0;
    // The provider calls back into the test before it answers page n: that is where the switch lands.
    const provider: CalendarProvider = Object.assign(Object.create(inner) as CalendarProvider, {
      listChanges: async (request: Parameters<CalendarProvider['listChanges']>[0]) => {
        pages += 1;
        if (disableAt.beforePage === pages) await disable();
        return inner.listChanges(request);
      },
    });
    const advanceCursor: CalendarStore['advanceCursor'] = async (...args) => {
      if (disableAt.beforeCursorWrite) await disable();
      return stores.calendars.advanceCursor(...args);
    };
    const calendars = new Proxy(stores.calendars, {
      get: (target, name, receiver) => {
        if (name === 'advanceCursor') return advanceCursor;
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as CalendarStore;
    return { calendars, events: stores.events, connections: stores.connections, providers: { forConnection: async () => provider }, publisher, clock, log: silentLog, settings: DEFAULT_SYNC_SETTINGS };
  };

  beforeEach(async () => {
    clock = new TestClock('2026-11-23T12:00:00Z');
    stores = await createTestStores(clock);
    inner = new InMemoryCalendarProvider({ pageSize: 3 });
    inner.addCalendar({ providerCalendarId: 'primary' });
    for (let i = 0; i < 9; i++) inner.upsertAsUser('primary', timed(i));
    publisher = new RecordingPublisher();
    const connection = testConnection(TENANT);
    await stores.connections.save(connection, { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 0, scope: null });
    calendar = testCalendar(connection);
    await stores.calendars.put(calendar, null);
    disabledAfterEvents = -1;
  });

  const expectOffAndEmpty = async () => {
    const after = (await stores.calendars.get(TENANT, calendar.id))!;
    expect(after).toMatchObject({ syncEnabled: false, cursor: null });
    expect(await stores.events.listAll(TENANT, calendar.id)).toEqual([]);
    // Nothing announced by the run after the switch: no event it wrote then, no sync.completed.
    expect(publisher.events.slice(disabledAfterEvents).map((e) => e.type)).toEqual([]);
  };

  it('switched off between pages 2 and 3 of a full sync: the run stops, the calendar stays off and empty', async () => {
    disableAt = { beforePage: 3 };
    const outcome = await syncCalendar(syncDeps(), { tenantId: TENANT, calendarId: calendar.id, requestedAt: clock.now(), runId: 'r1' });
    expect(disabledAfterEvents).toBeGreaterThan(0); // the switch really came mid-run, after page 1's events
    expect(outcome).toEqual({ status: 'superseded' });
    await expectOffAndEmpty();
  });

  it('switched off after the last page was written, before the cursor write: the run removes what it wrote', async () => {
    disableAt = { beforeCursorWrite: true };
    const outcome = await syncCalendar(syncDeps(), { tenantId: TENANT, calendarId: calendar.id, requestedAt: clock.now(), runId: 'r1' });
    expect(disabledAfterEvents).toBe(9);
    expect(outcome).toEqual({ status: 'superseded' });
    await expectOffAndEmpty();
  });

  it('switched off between pages of an incremental sync: same end state, and switching on again lists everything anew', async () => {
    disableAt = {};
    expect(await syncCalendar(syncDeps(), { tenantId: TENANT, calendarId: calendar.id, requestedAt: clock.now(), runId: 'r1' })).toMatchObject({ status: 'synced', created: 9 });
    for (let i = 9; i < 16; i++) inner.upsertAsUser('primary', timed(i));
    clock.advance(60_000);
    disableAt = { beforePage: 2 };
    expect(await syncCalendar(syncDeps(), { tenantId: TENANT, calendarId: calendar.id, requestedAt: clock.now(), runId: 'r2' })).toEqual({ status: 'superseded' });
    await expectOffAndEmpty();

    disableAt = {};
    await updateCalendar({ calendars: stores.calendars, events: stores.events, hooks: { onSyncEnabled: async () => {}, onSyncDisabled: async () => {} }, clock }, TENANT, calendar.id, { syncEnabled: true });
    clock.advance(60_000);
    expect(await syncCalendar(syncDeps(), { tenantId: TENANT, calendarId: calendar.id, requestedAt: clock.now(), full: true, runId: 'r3' })).toMatchObject({ status: 'synced', mode: 'full' });
    expect(await stores.events.listAll(TENANT, calendar.id)).toHaveLength(16);
  });
});
