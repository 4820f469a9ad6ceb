import { expect } from 'vitest';
import { AppError } from '../../../../shared/domain/app-error.ts';
import type { CalendarEvent, ProviderEvent } from '../../../../shared/domain/calendar-event.ts';
import { syncWindowRange, type Calendar } from '../../../../shared/domain/calendar.ts';
import type { Connection } from '../../../../shared/domain/connection.ts';
import type { DomainEvent } from '../../../../shared/domain/domain-events.ts';
import type { CalendarProvider, ChangeRequest } from '../../../../shared/ports/calendar-provider.ts';
import { silentLog } from '../../../../shared/ports/log.ts';
import { parseCalendarResource } from '../../../../shared/providers/caldav/ical/index.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar, type SyncDeps, type SyncOutcome } from '../../../../shared/use-cases/sync/sync-calendar.ts';
import { isInSyncWindow } from '../../../../shared/use-cases/sync/sync-window.ts';
import type { RadicaleUser } from '../../../support/radicale.ts';
import type { RecordingPublisher, TestClock, TestStores } from '../../../support/stores.ts';
import { testCalendar, testConnection } from '../../../support/stores.ts';

/** Wraps a provider so a test can make the worker "crash" before fetching a page of a round. */
export class CrashingProvider implements CalendarProvider {
  readonly kind;
  readonly push;
  readonly inner: CalendarProvider;
  private crashAfter: number | null = null;
  private pages = 0;
  crashes = 0;

  constructor(inner: CalendarProvider) {
    this.inner = inner;
    this.kind = inner.kind;
    this.push = inner.push;
  }

  /** The next listing dies before its page number `afterPages + 1` (once). */
  armCrash(afterPages: number): void {
    this.crashAfter = afterPages;
    this.pages = 0;
  }

  disarm(): void {
    this.crashAfter = null;
  }

  async listChanges(request: ChangeRequest) {
    if (this.crashAfter !== null) {
      if (this.pages >= this.crashAfter) {
        this.crashAfter = null;
        this.crashes += 1;
        throw new AppError('internal.unexpected', 'worker crashed between pages', { retryable: true });
      }
      this.pages += 1;
    }
    return this.inner.listChanges(request);
  }

  listCalendars = () => this.inner.listCalendars();
  getEvent: CalendarProvider['getEvent'] = (...a) => this.inner.getEvent(...a);
  createEvent: CalendarProvider['createEvent'] = (...a) => this.inner.createEvent(...a);
  updateEvent: CalendarProvider['updateEvent'] = (...a) => this.inner.updateEvent(...a);
  deleteEvent: CalendarProvider['deleteEvent'] = (...a) => this.inner.deleteEvent(...a);
  instanceId: CalendarProvider['instanceId'] = (...a) => this.inner.instanceId(...a);
  readAsSynced: CalendarProvider['readAsSynced'] = (...a) => this.inner.readAsSynced(...a);
  subscribe: CalendarProvider['subscribe'] = (...a) => this.inner.subscribe(...a);
  renew: CalendarProvider['renew'] = (...a) => this.inner.renew(...a);
  unsubscribe: CalendarProvider['unsubscribe'] = (...a) => this.inner.unsubscribe(...a);
  queryBusy: CalendarProvider['queryBusy'] = (...a) => this.inner.queryBusy(...a);
}

/** One calendar synced by the real engine from one provider, with helpers to compare against Radicale. */
export class SyncedCalendar {
  readonly stores: TestStores;
  readonly clock: TestClock;
  readonly publisher: RecordingPublisher;
  readonly provider: CalendarProvider;
  readonly connection: Connection;
  readonly calendar: Calendar;
  readonly deps: SyncDeps;
  private runs = 0;

  constructor(init: { stores: TestStores; clock: TestClock; publisher: RecordingPublisher; provider: CalendarProvider; tenantId: string; key: string; collectionUrl: string; serverUrl: string; timeZone: string; syncWindow?: { pastDays: number; futureDays: number } }) {
    this.stores = init.stores;
    this.clock = init.clock;
    this.publisher = init.publisher;
    this.provider = init.provider;
    this.connection = testConnection(init.tenantId, { provider: 'caldav', accountId: `${init.serverUrl}/${init.key}/`, serverUrl: init.serverUrl });
    this.calendar = testCalendar(this.connection, { provider: 'caldav', providerCalendarId: init.collectionUrl, name: init.key, timeZone: init.timeZone, isPrimary: false, ...(init.syncWindow ? { syncWindow: init.syncWindow } : {}) });
    this.deps = {
      calendars: init.stores.calendars,
      events: init.stores.events,
      connections: init.stores.connections,
      providers: { forConnection: async () => this.provider },
      publisher: init.publisher,
      clock: init.clock,
      log: silentLog,
      settings: DEFAULT_SYNC_SETTINGS,
    };
  }

  async register(): Promise<void> {
    await this.stores.connections.save(this.connection, { kind: 'basic', username: 'u', password: 'p' });
    await this.stores.calendars.put(this.calendar, this.clock.now().toISOString());
  }

  /** One run of the real sync job; errors come back as values (the queue would retry them). */
  async syncOnce(full = false): Promise<SyncOutcome | { status: 'error'; error: unknown }> {
    this.clock.advance(1_000);
    try {
      return await syncCalendar(this.deps, { tenantId: this.calendar.tenantId, calendarId: this.calendar.id, requestedAt: this.clock.now(), full, runId: `run-${++this.runs}` });
    } catch (error) {
      return { status: 'error', error };
    }
  }

  /** Runs the sync until a run succeeds (bounded), as SQS redelivery would. */
  async settle(maxRuns = 6): Promise<SyncOutcome> {
    let last: SyncOutcome | { status: 'error'; error: unknown } | null = null;
    for (let run = 0; run < maxRuns; run++) {
      last = await this.syncOnce();
      if (last.status === 'synced') return last;
      // A disabled connection is a finding, not something to undo quietly: transient faults must never get there.
      if (last.status === 'skipped' && last.reason === 'connection_inactive') break;
    }
    throw new Error(`sync did not settle: ${JSON.stringify(last, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v))}`);
  }

  async stored(): Promise<Map<string, ProviderEvent>> {
    const events = await this.stores.events.listAll(this.calendar.tenantId, this.calendar.id);
    return new Map(events.map((event) => [event.providerEventId, toProviderEvent(event)]));
  }

  /** What Radicale holds for the window, read with our parser: the expected store content. */
  async expectedFrom(user: RadicaleUser, collectionUrl: string): Promise<Map<string, ProviderEvent>> {
    const window = syncWindowRange(this.calendar.syncWindow, this.clock.now());
    const expected = new Map<string, ProviderEvent>();
    for (const object of await user.list(collectionUrl)) {
      const { events } = parseCalendarResource(object.data, { resourceId: object.href, etag: object.etag, calendarTimeZone: this.calendar.timeZone });
      for (const event of events) if (isInSyncWindow(event, window, this.calendar.timeZone)) expected.set(event.providerEventId, event);
    }
    return expected;
  }

  /** The calendar's domain events published so far. */
  eventChanges(): DomainEvent[] {
    return this.publisher.events.filter((e) => e.type.startsWith('calendar.event.') && (e.data as { calendarId?: string }).calendarId === this.calendar.id);
  }
}

export function toProviderEvent(event: CalendarEvent | ProviderEvent): ProviderEvent {
  const { tenantId: _t, connectionId: _c, calendarId: _k, id: _i, contentHash: _h, ...rest } = event as CalendarEvent;
  return rest as ProviderEvent;
}

/** Replays calendar.event.* domain events over a starting state (by provider event id). */
export function replay(start: Map<string, ProviderEvent>, events: readonly DomainEvent[]): Map<string, ProviderEvent> {
  const state = new Map(start);
  for (const event of events) {
    const payload = (event.data as { event: CalendarEvent }).event;
    if (event.type === 'calendar.event.deleted') state.delete(payload.providerEventId);
    else state.set(payload.providerEventId, toProviderEvent(payload));
  }
  return state;
}

function sorted(map: Map<string, ProviderEvent>): [string, ProviderEvent][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Etag and `updated` change without a domain event (content hash excludes them), so replays compare without them. */
export function withoutVersion(map: Map<string, ProviderEvent>): Map<string, ProviderEvent> {
  return new Map([...map].map(([id, { etag: _e, updated: _u, ...rest }]) => [id, { ...rest, etag: null, updated: null }]));
}

export function expectSameEvents(actual: Map<string, ProviderEvent>, expected: Map<string, ProviderEvent>, label: string): void {
  expect(sorted(actual).map(([id]) => id), `${label}: event ids`).toEqual(sorted(expected).map(([id]) => id));
  expect(sorted(actual), label).toEqual(sorted(expected));
}
