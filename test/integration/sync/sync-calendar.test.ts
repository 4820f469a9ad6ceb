import { beforeEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../../shared/domain/app-error.ts';
import type { ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { Connection } from '../../../shared/domain/connection.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import type { EventStore } from '../../../shared/ports/event-store.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar, type SyncDeps } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { syncConnectionNow } from '../../../shared/use-cases/sync/sync-connection-now.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { createTestStores, RecordingPublisher, TestClock, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';
import { providerEvent } from '../../support/events.ts';

const TENANT = 'acme';

function timed(id: string, title: string, startIso: string, minutes = 30, extra: Partial<ProviderEvent> = {}): ProviderEvent {
  const start = Date.parse(startIso);
  return providerEvent(id, {
    iCalUID: `${id}@x`,
    title,
    start: { dateTime: new Date(start).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' },
    end: { dateTime: new Date(start + minutes * 60_000).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' },
    ...extra,
  });
}

/** Counts writes, so "an unchanged event is neither written nor evented" can be asserted. */
function countingEvents(inner: EventStore) {
  const counts = { puts: 0, deletes: 0 };
  const store: EventStore = {
    getMany: (...a) => inner.getMany(...a),
    listVersions: (...a) => inner.listVersions(...a),
    listAll: (...a) => inner.listAll(...a),
    listInRange: (...a) => inner.listInRange(...a),
    listBusyInRange: (...a) => inner.listBusyInRange(...a),
    deleteAllOfCalendar: (...a) => inner.deleteAllOfCalendar(...a),
    putMany: async (events) => {
      counts.puts += events.length;
      return inner.putMany(events);
    },
    deleteMany: async (t, c, ids) => {
      counts.deletes += ids.length;
      return inner.deleteMany(t, c, ids);
    },
  };
  return { store, counts };
}

describe('syncCalendar (fake provider, DynamoDB Local)', () => {
  let stores: TestStores;
  let clock: TestClock;
  let provider: InMemoryCalendarProvider;
  let publisher: RecordingPublisher;
  let connection: Connection;
  let calendar: Calendar;
  let deps: SyncDeps;
  let writes: { puts: number; deletes: number };
  let run = 0;

  const sync = (options: { full?: boolean; requestedAt?: Date } = {}) =>
    syncCalendar(deps, { tenantId: TENANT, calendarId: calendar.id, requestedAt: options.requestedAt ?? clock.now(), full: options.full ?? false, runId: `run-${++run}` });
  const stored = async () => (await stores.events.listAll(TENANT, calendar.id)).sort((a, b) => a.providerEventId.localeCompare(b.providerEventId));

  beforeEach(async () => {
    clock = new TestClock('2026-11-23T12:00:00Z');
    stores = await createTestStores(clock);
    provider = new InMemoryCalendarProvider({ pageSize: 3 });
    provider.addCalendar({ providerCalendarId: 'primary' });
    publisher = new RecordingPublisher();
    connection = testConnection(TENANT);
    await stores.connections.save(connection, { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 0, scope: null });
    calendar = testCalendar(connection);
    await stores.calendars.put(calendar, null);
    const counting = countingEvents(stores.events);
    writes = counting.counts;
    deps = {
      calendars: stores.calendars,
      events: counting.store,
      connections: stores.connections,
      providers: { forConnection: async () => provider },
      publisher,
      clock,
      log: silentLog,
      settings: DEFAULT_SYNC_SETTINGS,
    };
  });

  it('runs a full sync in pages, events created once, cursor stored last', async () => {
    for (let i = 0; i < 7; i++) provider.upsertAsUser('primary', timed(`e${i}`, `Event ${i}`, `2026-12-0${i + 1}T10:00:00Z`));
    const outcome = await sync();
    expect(outcome).toMatchObject({ status: 'synced', mode: 'full', created: 7, pages: 3 });
    expect((await stored()).map((e) => e.title)).toEqual(['Event 0', 'Event 1', 'Event 2', 'Event 3', 'Event 4', 'Event 5', 'Event 6']);
    expect(publisher.ofType('calendar.event.created')).toHaveLength(7);
    expect(publisher.ofType('calendar.sync.completed')[0]?.data).toMatchObject({ mode: 'full', created: 7, pages: 3 });
    const after = await stores.calendars.get(TENANT, calendar.id);
    expect(after?.cursor).not.toBeNull();
    expect(after?.cursorVersion).toBe(1);
    expect(after?.lastFullSyncAt).not.toBeNull();
  });

  it('writes and events nothing when a resync finds nothing changed, and one change costs one call', async () => {
    for (let i = 0; i < 5; i++) provider.upsertAsUser('primary', timed(`e${i}`, `Event ${i}`, `2026-12-0${i + 1}T10:00:00Z`));
    await sync();
    publisher.clear();
    writes.puts = 0;

    expect(await sync({ full: true })).toMatchObject({ status: 'synced', mode: 'full', created: 0, updated: 0, deleted: 0, unchanged: 5 });
    expect(writes).toEqual({ puts: 0, deletes: 0 });
    expect(publisher.events.map((e) => e.type)).toEqual(['calendar.sync.completed']);

    provider.upsertAsUser('primary', timed('e2', 'Event 2 moved', '2026-12-03T11:00:00Z'));
    provider.calls = 0;
    publisher.clear();
    clock.advance(1_000);
    expect(await sync()).toMatchObject({ status: 'synced', mode: 'incremental', updated: 1, pages: 1 });
    expect(provider.calls).toBe(1);
    expect(writes.puts).toBe(1);
    const [updated] = publisher.ofType('calendar.event.updated');
    expect(updated?.data).toMatchObject({ event: { title: 'Event 2 moved' } });
    expect((updated?.data as { previousContentHash: string }).previousContentHash).toBeTruthy();
  });

  it('writes an etag-only change silently (no domain event)', async () => {
    provider.upsertAsUser('primary', timed('e1', 'Same', '2026-12-01T10:00:00Z'));
    await sync();
    publisher.clear();
    provider.upsertAsUser('primary', timed('e1', 'Same', '2026-12-01T10:00:00Z')); // new etag, same content
    clock.advance(1_000);
    await sync();
    expect(publisher.events.map((e) => e.type)).toEqual(['calendar.sync.completed']);
    expect((await stored())[0]?.etag).toBe(provider.truth('primary')[0]?.etag);
  });

  it('on an expired cursor runs exactly one full resync that tombstones what is gone', async () => {
    for (let i = 0; i < 4; i++) provider.upsertAsUser('primary', timed(`e${i}`, `Event ${i}`, `2026-12-0${i + 1}T10:00:00Z`));
    await sync();
    provider.deleteAsUser('primary', 'e1');
    provider.upsertAsUser('primary', timed('e3', 'Event 3 renamed', '2026-12-04T10:00:00Z'));
    provider.expireCursors();
    publisher.clear();
    clock.advance(1_000);
    const outcome = await sync();
    expect(outcome).toMatchObject({ status: 'synced', mode: 'full', resynced: true, deleted: 1, updated: 1, unchanged: 2 });
    expect((await stored()).map((e) => e.providerEventId)).toEqual(['e0', 'e2', 'e3']);
    expect(publisher.ofType('calendar.event.deleted').map((e) => (e.data as { event: { providerEventId: string } }).event.providerEventId)).toEqual(['e1']);
    expect(publisher.ofType('calendar.event.created')).toHaveLength(0);
  });

  it('ignores events outside the window and drops stored ones that move out of it', async () => {
    provider.upsertAsUser('primary', timed('in', 'Inside', '2026-12-01T10:00:00Z'));
    provider.upsertAsUser('primary', timed('past', 'Long ago', '2025-01-01T10:00:00Z'));
    provider.upsertAsUser('primary', timed('far', 'Far future', '2028-06-01T10:00:00Z'));
    await sync();
    expect((await stored()).map((e) => e.providerEventId)).toEqual(['in']);
    provider.upsertAsUser('primary', timed('in', 'Moved far away', '2029-01-01T10:00:00Z'));
    clock.advance(1_000);
    await sync();
    expect(await stored()).toEqual([]);
    expect(publisher.ofType('calendar.event.deleted')).toHaveLength(1);
  });

  it('forces a full round once a day, which lists days that moved into the window and prunes aged-out events silently', async () => {
    provider.upsertAsUser('primary', timed('soon', 'Soon', '2026-11-24T10:00:00Z'));
    provider.upsertAsUser('primary', timed('edge', 'Just beyond the window', '2027-11-24T10:30:00Z'));
    await sync();
    expect((await stored()).map((e) => e.providerEventId)).toEqual(['soon']);
    publisher.clear();
    clock.advance(2 * 86_400_000); // the window's far end moves past "edge"; its past side moves past nothing yet
    expect(await sync()).toMatchObject({ status: 'synced', mode: 'full', created: 1 });
    expect((await stored()).map((e) => e.providerEventId)).toEqual(['edge', 'soon']);

    publisher.clear();
    clock.advance(40 * 86_400_000); // "soon" is now older than pastDays (30): it leaves the store without a deletion event
    expect(await sync()).toMatchObject({ status: 'synced', mode: 'full', deleted: 0 });
    expect((await stored()).map((e) => e.providerEventId)).toEqual(['edge']);
    expect(publisher.ofType('calendar.event.deleted')).toEqual([]);
  });

  it('keeps all-day events as dates', async () => {
    provider.upsertAsUser('primary', { ...timed('d', 'Holiday', '2026-12-24T00:00:00Z'), start: { date: '2026-12-24' }, end: { date: '2026-12-27' } });
    await sync();
    expect((await stored())[0]).toMatchObject({ start: { date: '2026-12-24' }, end: { date: '2026-12-27' } });
  });

  it('deletes a series with its exceptions', async () => {
    provider.upsertAsUser('primary', { ...timed('s', 'Weekly', '2026-12-01T10:00:00Z'), kind: 'master', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5'] });
    provider.upsertAsUser('primary', { ...timed('s_1', 'Weekly (moved)', '2026-12-08T12:00:00Z'), kind: 'exception', recurringEventId: 's', originalStart: { dateTime: '2026-12-08T10:00:00Z', timeZone: 'UTC' } });
    await sync();
    expect((await stored()).map((e) => e.kind)).toEqual(['master', 'exception']);
    provider.deleteAsUser('primary', 's');
    clock.advance(1_000);
    await sync();
    expect(await stored()).toEqual([]);
  });

  it('recovers from a crash between pages without losing or duplicating a change', async () => {
    for (let i = 0; i < 7; i++) provider.upsertAsUser('primary', timed(`e${i}`, `Event ${i}`, `2026-12-0${i + 1}T10:00:00Z`));
    provider.failNext(); // nothing
    const original = provider.listChanges.bind(provider);
    let calls = 0;
    provider.listChanges = async (request) => {
      calls += 1;
      if (calls === 2) throw new AppError('provider.unavailable', 'worker crashed mid-round');
      return original(request);
    };
    await expect(sync()).rejects.toSatisfy((e: unknown) => isAppError(e, 'provider.unavailable'));
    expect((await stores.calendars.get(TENANT, calendar.id))?.cursor).toBeNull();
    provider.listChanges = original;
    clock.advance(60_000);
    expect(await sync()).toMatchObject({ status: 'synced', created: 4, unchanged: 3 });
    const created = publisher.ofType('calendar.event.created');
    expect(new Set(created.map((e) => e.id)).size).toBe(7);
    expect((await stored())).toHaveLength(7);
  });

  it('re-publishes the same event ids when publishing fails before the write', async () => {
    provider.upsertAsUser('primary', timed('e1', 'One', '2026-12-01T10:00:00Z'));
    publisher.failNext = 1;
    await expect(sync()).rejects.toThrow();
    expect(await stored()).toEqual([]);
    clock.advance(60_000);
    await sync();
    const created = publisher.ofType('calendar.event.created');
    expect(created).toHaveLength(1);
    expect(await stored()).toHaveLength(1);
  });

  it('lets only one run sync a calendar at a time and settles requests older than the last start', async () => {
    provider.upsertAsUser('primary', timed('e1', 'One', '2026-12-01T10:00:00Z'));
    expect(await stores.calendars.acquireSyncLease(TENANT, calendar.id, 'other-run', clock.now(), new Date(clock.now().getTime() + 60_000))).toBe(true);
    // A request made while the other run holds the calendar must wait for it (the run may have listed already).
    clock.advance(1_000);
    const busy = await sync().catch((e: unknown) => e);
    expect(isAppError(busy, 'storage.conflict') && busy.retryable).toBe(true);
    await stores.calendars.releaseSyncLease(TENANT, calendar.id, 'other-run');
    const requestedBefore = new Date(clock.now().getTime() - 1);
    clock.advance(1_000);
    expect(await sync({ requestedAt: clock.now() })).toMatchObject({ status: 'synced' });
    expect(await sync({ requestedAt: requestedBefore })).toEqual({ status: 'skipped', reason: 'coalesced' });
  });

  it('reads a suddenly empty calendar twice before deleting anything', async () => {
    for (let i = 0; i < 4; i++) provider.upsertAsUser('primary', timed(`e${i}`, `Event ${i}`, `2026-12-0${i + 1}T10:00:00Z`));
    await sync();
    const original = provider.listChanges.bind(provider);
    let emptyReads = 0;
    provider.listChanges = async (request) => {
      if (request.cursor === null && emptyReads === 0) {
        emptyReads += 1;
        return { changes: [], nextPageToken: null, nextCursor: 'glitch' };
      }
      return original(request);
    };
    clock.advance(1_000);
    expect(await sync({ full: true })).toMatchObject({ status: 'synced', deleted: 0, unchanged: 4 });
    expect(await stored()).toHaveLength(4);
  });

  // A persistent failure: the provider refuses the request itself (not retryable).
  const persistent = () => new AppError('provider.input_invalid', 'Google 400: calendar not usable');

  it('counts persistent failures, disables after 5, and resets on success', async () => {
    provider.upsertAsUser('primary', timed('e1', 'One', '2026-12-01T10:00:00Z'));
    for (let i = 1; i <= 4; i++) {
      provider.failNext(persistent());
      clock.advance(60_000);
      expect(await sync()).toEqual({ status: 'failed', code: 'provider.input_invalid' });
      expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'error', consecutiveErrors: i });
    }
    clock.advance(60_000);
    await sync();
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'active', consecutiveErrors: 0, lastError: null });
    expect(publisher.ofType('connection.sync_failed')).toHaveLength(4);

    for (let i = 1; i <= 5; i++) {
      provider.failNext(persistent());
      clock.advance(60_000);
      await sync().catch(() => undefined);
    }
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'disabled', consecutiveErrors: 5 });
    expect(publisher.ofType('connection.disabled')).toHaveLength(1);
    clock.advance(60_000);
    expect(await sync()).toEqual({ status: 'skipped', reason: 'connection_inactive' });
  });

  it('never disables a connection for transient failures (5xx, timeouts, a crashed worker): noted, not counted, and it recovers by itself', async () => {
    provider.upsertAsUser('primary', timed('e1', 'One', '2026-12-01T10:00:00Z'));
    const transient = [
      new AppError('provider.unavailable', 'Google 503'),
      new AppError('provider.unavailable', 'Google 500'),
      new AppError('provider.unavailable', 'request timed out'),
      new AppError('provider.unavailable', 'getaddrinfo EAI_AGAIN'),
      new AppError('internal.unexpected', 'worker crashed', { retryable: true }),
    ];
    for (let i = 0; i < 30; i++) {
      provider.failNext(transient[i % transient.length]!);
      clock.advance(60_000);
      await expect(sync()).rejects.toThrow();
      expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'error', consecutiveErrors: 0 });
    }
    expect((await stores.connections.get(TENANT, connection.id))!.lastError).toMatchObject({ code: 'internal.unexpected' });
    expect(publisher.ofType('connection.disabled')).toHaveLength(0);
    expect(publisher.ofType('connection.sync_failed')).toHaveLength(0);
    clock.advance(60_000);
    expect(await sync()).toMatchObject({ status: 'synced' });
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'active', consecutiveErrors: 0, lastError: null });
    expect(await stored()).toHaveLength(1);
  });

  it('an operator re-enables a disabled connection with POST …/sync (syncConnectionNow), and it syncs again', async () => {
    provider.upsertAsUser('primary', timed('e1', 'One', '2026-12-01T10:00:00Z'));
    for (let i = 1; i <= 5; i++) {
      provider.failNext(persistent());
      clock.advance(60_000);
      await sync();
    }
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'disabled' });
    const queue = { sent: [] as unknown[], send: async (messages: readonly unknown[]) => void queue.sent.push(...messages), changeVisibility: async () => undefined };
    const result = await syncConnectionNow({ calendars: stores.calendars, connections: stores.connections, syncQueue: queue, clock }, TENANT, connection.id);
    expect(result).toEqual({ calendars: 1, enqueued: 1 });
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'active', consecutiveErrors: 0 });
    clock.advance(60_000);
    expect(await sync()).toMatchObject({ status: 'synced' });
  });

  it('marks the connection reauth_required on a revoked grant, once, without retrying', async () => {
    provider.failNext(new AppError('provider.auth_revoked', 'invalid_grant'));
    expect(await sync()).toEqual({ status: 'reauth_required' });
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'reauth_required' });
    expect(publisher.ofType('connection.reauth_required')).toHaveLength(1);
    expect(publisher.ofType('connection.sync_failed')).toHaveLength(0);
  });

  it('does not count rate limiting as a failure', async () => {
    provider.failNext(new AppError('provider.rate_limited', '429', { retryAfterMs: 2_000 }));
    const error = await sync().catch((e: unknown) => e);
    expect(isAppError(error, 'provider.rate_limited')).toBe(true);
    expect(await stores.connections.get(TENANT, connection.id)).toMatchObject({ status: 'active', consecutiveErrors: 0 });
  });
});
