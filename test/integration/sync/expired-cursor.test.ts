import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { DomainEvent } from '../../../shared/domain/domain-events.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar, type SyncDeps } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { connectGoogleUser } from '../../support/google-provider.ts';
import { startRadicale, type Radicale } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, testCalendar, type TestStores } from '../../support/stores.ts';
import { OtherClient, expireRadicaleTokens, providerFor } from '../caldav/support/caldav-setup.ts';
import { SyncedCalendar } from '../caldav/support/sync-harness.ts';
import { connectMailbox, graphProviderFor, startSimulator } from '../microsoft/support.ts';

/**
 * Reliability scenario 12 on real providers (issue 10 item 10c): an expired sync cursor (Google 410, Graph
 * 410 syncStateNotFound, CalDAV 403 valid-sync-token) causes exactly one full listing, and the domain
 * events downstream are exactly the real differences made meanwhile (one create, one update, one delete),
 * with no event repeated for the events that did not change.
 */
interface Rig {
  deps: SyncDeps & { publisher: RecordingPublisher };
  calendar: Calendar;
  /** Full listings started (a round asked with no cursor and no page token). */
  fullListings: () => number;
  create(title: string, day: number): Promise<string>;
  rename(id: string, title: string): Promise<void>;
  remove(id: string): Promise<void>;
  expireCursor(): Promise<void>;
}

function countingFull(provider: CalendarProvider): { provider: CalendarProvider; full: () => number } {
  let full = 0;
  const counted: CalendarProvider = Object.assign(Object.create(provider) as CalendarProvider, {
    listChanges: (request: Parameters<CalendarProvider['listChanges']>[0]) => {
      if (request.cursor === null && request.pageToken === null) full += 1;
      return provider.listChanges(request);
    },
  });
  return { provider: counted, full: () => full };
}

async function scenario12(rig: Rig, clock: TestClock): Promise<void> {
  const sync = () => syncCalendar(rig.deps, { tenantId: rig.calendar.tenantId, calendarId: rig.calendar.id, requestedAt: clock.now(), runId: randomUUID() });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await rig.create(`event ${i}`, i + 1));
  clock.advance(1_000);
  expect(await sync()).toMatchObject({ status: 'synced', mode: 'full', created: 6 });
  clock.advance(1_000);
  expect(await sync()).toMatchObject({ status: 'synced', mode: 'incremental', created: 0 });
  const fullBefore = rig.fullListings();
  rig.deps.publisher.events.length = 0;

  await rig.rename(ids[0]!, 'event 0 renamed');
  await rig.remove(ids[1]!);
  await rig.create('event new', 9);
  await rig.expireCursor();
  clock.advance(1_000);

  expect(await sync()).toMatchObject({ status: 'synced', mode: 'full', resynced: true, created: 1, updated: 1, deleted: 1, unchanged: 4 });
  expect(rig.fullListings() - fullBefore).toBe(1);
  const changes = (rig.deps.publisher.events as DomainEvent[]).filter((e) => e.type.startsWith('calendar.event.'));
  expect(changes.map((e) => e.type).sort()).toEqual(['calendar.event.created', 'calendar.event.deleted', 'calendar.event.updated']);
  expect(new Set(changes.map((e) => (e.data as { event: { id: string } }).event.id)).size).toBe(3);
  // The next run is incremental again on the new cursor, and finds nothing.
  rig.deps.publisher.events.length = 0;
  clock.advance(1_000);
  expect(await sync()).toMatchObject({ status: 'synced', mode: 'incremental', created: 0, updated: 0, deleted: 0 });
  expect(rig.fullListings() - fullBefore).toBe(1);
  expect(rig.deps.publisher.events.filter((e) => e.type.startsWith('calendar.event.'))).toEqual([]);
  const titles = (await rig.deps.events.listAll(rig.calendar.tenantId, rig.calendar.id)).map((e) => e.title).sort();
  expect(titles).toEqual(['event 0 renamed', 'event 2', 'event 3', 'event 4', 'event 5', 'event new']);
}

const depsOf = (stores: TestStores, provider: CalendarProvider, clock: TestClock): SyncDeps & { publisher: RecordingPublisher } => ({
  calendars: stores.calendars,
  events: stores.events,
  connections: stores.connections,
  providers: { forConnection: async () => provider },
  publisher: new RecordingPublisher(),
  clock,
  log: silentLog,
  settings: { ...DEFAULT_SYNC_SETTINGS, suspiciousEmptyThreshold: 1_000 },
});
const DAY = 86_400_000;

describe('scenario 12: an expired cursor costs exactly one full resync and no duplicate domain events', () => {
  let stores: TestStores;
  beforeAll(async () => {
    stores = await createTestStores();
  });

  describe('Google simulator (410 Gone on the sync token)', () => {
    let simulator: GoogleSimulator;
    beforeAll(async () => {
      simulator = await startGoogleSimulator({ pushRetryDelaysMs: [] });
    });
    afterAll(() => simulator?.stop());

    it('one full resync, one create, one update, one delete', async () => {
      const clock = new TestClock(Date.now());
      const email = `expired-${randomUUID().slice(0, 8)}@example.com`;
      const tenantId = `exp-g-${randomUUID().slice(0, 8)}`;
      simulator.createUser({ email, timeZone: 'UTC' });
      const { provider, connectionId } = await connectGoogleUser(simulator, stores, email, tenantId, clock);
      const counted = countingFull(provider);
      const calendar = testCalendar({ tenantId, id: connectionId, provider: 'google' } as never, { providerCalendarId: email, timeZone: 'UTC', connectionId });
      await stores.calendars.put(calendar, null);
      const at = (day: number) => ({ dateTime: new Date(Math.floor(clock.now().getTime() / DAY) * DAY + day * DAY + 9 * 3_600_000).toISOString(), timeZone: 'UTC' });
      const end = (day: number) => ({ dateTime: new Date(Math.floor(clock.now().getTime() / DAY) * DAY + day * DAY + 10 * 3_600_000).toISOString(), timeZone: 'UTC' });
      await scenario12(
        {
          deps: depsOf(stores, counted.provider, clock),
          calendar,
          fullListings: counted.full,
          create: async (title, day) => simulator.insertEvent(email, { summary: title, start: at(day), end: end(day) }).id,
          rename: async (id, title) => void simulator.patchEvent(email, id, { summary: title }),
          remove: async (id) => simulator.deleteEvent(email, id),
          expireCursor: async () => simulator.invalidateSyncTokens(email),
        },
        clock,
      );
    });
  });

  describe('Graph simulator (410 syncStateNotFound on the delta link)', () => {
    let sim: GraphSimulator;
    const clock = new TestClock(Date.UTC(2026, 10, 23, 12));
    beforeAll(async () => {
      sim = await startSimulator({ now: () => clock.now() });
    });
    afterAll(() => sim?.stop());

    it('one full resync, one create, one update, one delete', async () => {
      const mailbox = await connectMailbox(sim, stores, clock, `exp-ms-${randomUUID().slice(0, 8)}`, { accessTokenValidMs: 86_400_000 });
      const counted = countingFull(await graphProviderFor(sim, stores, clock, mailbox.connection, { retry: { sleep: async () => {} } }));
      const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19);
      const base = clock.now().getTime();
      await scenario12(
        {
          deps: depsOf(stores, counted.provider, clock),
          calendar: mailbox.calendar,
          fullListings: counted.full,
          create: async (title, day) => sim.createEvent(mailbox.simCalendarId, { subject: title, start: { dateTime: wall(base + day * DAY), timeZone: 'UTC' }, end: { dateTime: wall(base + day * DAY + 3_600_000), timeZone: 'UTC' } }).id,
          rename: async (id, title) => void sim.updateEvent(id, { subject: title }),
          remove: async (id) => sim.deleteEvent(id),
          expireCursor: async () => void sim.expireDeltaTokens({ calendarId: mailbox.simCalendarId, code: 'syncStateNotFound', location: false }),
        },
        clock,
      );
    });
  });

  describe('Radicale (403 valid-sync-token)', () => {
    let radicale: Radicale;
    beforeAll(async () => {
      radicale = await startRadicale({ users: { expiry: 'expiry-password' } });
    }, 60_000);
    afterAll(() => radicale?.stop());

    it('one full resync, one create, one update, one delete', async () => {
      const clock = new TestClock(Date.now());
      const user = radicale.user('expiry');
      const slug = `exp-${randomUUID().slice(0, 8)}`;
      const collectionUrl = await user.makeCalendar(slug, { timeZone: 'UTC' });
      const counted = countingFull(providerFor(radicale, 'expiry'));
      const synced = new SyncedCalendar({ stores, clock, publisher: new RecordingPublisher(), provider: counted.provider, tenantId: `exp-c-${slug}`, key: slug, collectionUrl, serverUrl: radicale.url, timeZone: 'UTC' });
      await synced.register();
      const other = new OtherClient(user, collectionUrl);
      const at = (day: number, hour: number) => ({ instant: new Date(Math.floor(clock.now().getTime() / DAY) * DAY + day * DAY + hour * 3_600_000).toISOString().replace('.000Z', 'Z'), zone: 'UTC' });
      await scenario12(
        {
          deps: { ...synced.deps, publisher: synced.publisher },
          calendar: synced.calendar,
          fullListings: counted.full,
          create: (title, day) => other.create([{ uid: randomUUID(), title, start: at(day, 9), end: at(day, 10) }]),
          rename: (uid, title) => other.edit(uid, (specs) => specs.map((spec) => ({ ...spec, title, sequence: (spec.sequence ?? 0) + 1 }))),
          remove: (uid) => other.remove(uid),
          expireCursor: () => expireRadicaleTokens(radicale, user, slug),
        },
        clock,
      );
    });
  });
});
