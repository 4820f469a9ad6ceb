import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar } from '../../../shared/use-cases/sync/sync-calendar.ts';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { countingFailures, runOutageDrill } from '../../support/outage-drill.ts';
import { RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { connectMailbox, createTestStores, graphProviderFor, startSimulator } from './support.ts';

const CONNECTIONS = 3;
const DAY = 86_400_000;

describe('a 30-minute Graph outage (reliability scenario 10, Graph simulator)', () => {
  let sim: GraphSimulator;
  let stores: TestStores;
  const clock = new TestClock(Date.UTC(2026, 10, 23, 12));

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now() });
    stores = await createTestStores(clock);
  });
  afterAll(() => sim?.stop());

  it('every 503 backs off, no connection is disabled, and afterwards every mailbox syncs what changed meanwhile', async () => {
    const providers = new Map<string, CalendarProvider>();
    const calendars: Calendar[] = [];
    const simCalendars: string[] = [];
    const counted: (() => number)[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const mailbox = await connectMailbox(sim, stores, clock, `outage-ms-${i}-${Date.now()}`, { accessTokenValidMs: 86_400_000 });
      // The adapter's own in-call retries sleep on no real clock here; the queue's backoff is what is tested.
      const wrapped = countingFailures(await graphProviderFor(sim, stores, clock, mailbox.connection, { retry: { sleep: async () => {} } }));
      counted.push(wrapped.failures);
      providers.set(mailbox.connection.id, wrapped.provider);
      calendars.push(mailbox.calendar);
      simCalendars.push(mailbox.simCalendarId);
    }
    const publisher = new RecordingPublisher();
    const deps = {
      calendars: stores.calendars,
      events: stores.events,
      connections: stores.connections,
      providers: { forConnection: async (connection: { id: string }) => providers.get(connection.id)! },
      publisher,
      clock,
      log: silentLog,
      settings: DEFAULT_SYNC_SETTINGS,
    };
    const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const at = (i: number, hour: number) => clock.now().getTime() + (i + 1) * DAY + hour * 3_600_000;
    for (const [i, id] of simCalendars.entries()) sim.createEvent(id, { subject: `before ${i}`, start: { dateTime: wall(at(i, 0)), timeZone: 'UTC' }, end: { dateTime: wall(at(i, 1)), timeZone: 'UTC' } });
    for (const calendar of calendars) expect((await syncCalendar(deps, { tenantId: calendar.tenantId, calendarId: calendar.id, requestedAt: clock.now(), runId: 'first' })).status).toBe('synced');
    for (const [i, id] of simCalendars.entries()) sim.createEvent(id, { subject: `during ${i}`, start: { dateTime: wall(at(i, 2)), timeZone: 'UTC' }, end: { dateTime: wall(at(i, 3)), timeZone: 'UTC' } });
    publisher.events.length = 0;

    const report = await runOutageDrill({
      deps,
      clock,
      calendars,
      startOutage: () => sim.failNext({ status: 503, count: 1_000_000 }),
      stopOutage: () => sim.clearFaults(),
      faultsSeen: () => counted.reduce((sum, f) => sum + f(), 0),
    });

    expect(report.faults).toBeGreaterThanOrEqual(3 * CONNECTIONS);
    expect(report.deadLettered).toBe(0);
    for (const runs of report.runsDuringOutage.values()) {
      expect(runs).toBeGreaterThanOrEqual(3);
      expect(runs).toBeLessThanOrEqual(8);
    }
    expect(report.recoveryMinutes).toBeLessThanOrEqual(16);
    for (const [i, calendar] of calendars.entries()) {
      const titles = (await stores.events.listAll(calendar.tenantId, calendar.id)).map((e) => e.title).sort();
      expect(titles).toEqual([`before ${i}`, `during ${i}`]);
    }
    expect(publisher.ofType('calendar.event.created').map((e) => (e.data as { event: { title: string } }).event.title).sort()).toEqual(simCalendars.map((_c, i) => `during ${i}`).sort());
  }, 240_000);
});
