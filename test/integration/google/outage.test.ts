import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import { connectGoogleUser } from '../../support/google-provider.ts';
import { countingFailures, runOutageDrill } from '../../support/outage-drill.ts';
import { createTestStores, RecordingPublisher, TestClock, testCalendar, type TestStores } from '../../support/stores.ts';

const CONNECTIONS = 3;

describe('a 30-minute Google outage (reliability scenario 10, Google simulator)', () => {
  let simulator: GoogleSimulator;
  let stores: TestStores;
  const clock = new TestClock(Date.now());

  beforeAll(async () => {
    simulator = await startGoogleSimulator({ pushRetryDelaysMs: [] });
    simulator.deliverPushes = 'manual';
    stores = await createTestStores();
  });
  afterAll(() => simulator?.stop());

  it('every 503 backs off, no connection is disabled, and afterwards every calendar syncs what changed meanwhile', async () => {
    const providers = new Map<string, CalendarProvider>();
    const calendars: Calendar[] = [];
    const emails: string[] = [];
    const counted: (() => number)[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const email = `outage${i}-${Date.now()}@example.com`;
      const tenantId = `outage-g-${i}-${Date.now()}`;
      simulator.createUser({ email, timeZone: 'Europe/Berlin' });
      const { provider, connectionId } = await connectGoogleUser(simulator, stores, email, tenantId, clock);
      const wrapped = countingFailures(provider);
      counted.push(wrapped.failures);
      providers.set(connectionId, wrapped.provider);
      const calendar = testCalendar({ tenantId, id: connectionId, provider: 'google' } as never, { providerCalendarId: email, timeZone: 'Europe/Berlin', connectionId });
      await stores.calendars.put(calendar, null);
      calendars.push(calendar);
      emails.push(email);
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
    const day = Math.floor(clock.now().getTime() / 86_400_000) * 86_400_000 + 86_400_000;
    const slot = (i: number, h: number) => ({ dateTime: new Date(day + i * 86_400_000 + h * 3_600_000).toISOString(), timeZone: 'Europe/Berlin' });
    for (const [i, email] of emails.entries()) simulator.insertEvent(email, { summary: `before ${i}`, start: slot(i, 9), end: slot(i, 10) });
    for (const calendar of calendars) expect((await syncCalendar(deps, { tenantId: calendar.tenantId, calendarId: calendar.id, requestedAt: clock.now(), runId: 'first' })).status).toBe('synced');
    // The changes the outage must not lose: one new event per calendar, made just before Google goes down.
    for (const [i, email] of emails.entries()) simulator.insertEvent(email, { summary: `during ${i}`, start: slot(i, 11), end: slot(i, 12) });
    publisher.events.length = 0;

    const report = await runOutageDrill({
      deps,
      clock,
      calendars,
      startOutage: () => simulator.failNext({ status: 503, count: 1_000_000 }),
      stopOutage: () => simulator.clearFaults(),
      faultsSeen: () => counted.reduce((sum, f) => sum + f(), 0),
    });

    expect(report.faults).toBeGreaterThanOrEqual(3 * CONNECTIONS);
    expect(report.deadLettered).toBe(0);
    for (const runs of report.runsDuringOutage.values()) {
      // Backed off: a handful of tries in 30 minutes (2, 4, 8, 15 … min), not one every poll.
      expect(runs).toBeGreaterThanOrEqual(3);
      expect(runs).toBeLessThanOrEqual(8);
    }
    expect(report.recoveryMinutes).toBeLessThanOrEqual(16);
    for (const [i, calendar] of calendars.entries()) {
      const titles = (await stores.events.listAll(calendar.tenantId, calendar.id)).map((e) => e.title).sort();
      expect(titles).toEqual([`before ${i}`, `during ${i}`]);
    }
    // Nothing dropped, nothing doubled: exactly one created event per change made before the outage.
    expect(publisher.ofType('calendar.event.created').map((e) => (e.data as { event: { title: string } }).event.title).sort()).toEqual(emails.map((_e, i) => `during ${i}`).sort());
  }, 240_000);
});
