import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.ts';
import { countingFailures, runOutageDrill } from '../../support/outage-drill.ts';
import { startRadicale, type Radicale } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { OtherClient, providerFor } from './support/caldav-setup.ts';
import { SyncedCalendar } from './support/sync-harness.ts';

const CONNECTIONS = 3;
const DAY = 86_400_000;

describe('a 30-minute CalDAV server outage (reliability scenario 10, Radicale behind the fault proxy)', () => {
  let radicale: Radicale;
  let proxy: FaultProxy;
  let stores: TestStores;

  beforeAll(async () => {
    radicale = await startRadicale({ users: { down: 'down-password' } });
    proxy = await startFaultProxy(radicale.url);
    stores = await createTestStores();
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await radicale?.stop();
  });

  it('every 503 backs off, no connection is disabled, and afterwards every calendar syncs what changed meanwhile', async () => {
    const clock = new TestClock(Date.now());
    const publisher = new RecordingPublisher();
    const user = radicale.user('down');
    const counted: (() => number)[] = [];
    const synced: SyncedCalendar[] = [];
    const others: OtherClient[] = [];
    const at = (i: number, hour: number) => ({ instant: new Date(Math.floor(clock.now().getTime() / DAY) * DAY + (i + 1) * DAY + hour * 3_600_000).toISOString().replace('.000Z', 'Z'), zone: 'Europe/Berlin' });
    for (let i = 0; i < CONNECTIONS; i++) {
      const slug = `outage-${i}-${randomUUID().slice(0, 8)}`;
      const collectionUrl = await user.makeCalendar(slug, { timeZone: 'Europe/Berlin' });
      const proxied = new URL(new URL(collectionUrl).pathname, proxy.url).href;
      const wrapped = countingFailures(providerFor(radicale, 'down', { serverUrl: proxy.url, timeoutMs: 15_000 }));
      counted.push(wrapped.failures);
      // One connection per calendar (own tenant), all sharing the stores, clock and publisher of the drill.
      const calendar = new SyncedCalendar({ stores, clock, publisher, provider: wrapped.provider, tenantId: `down-${i}-${slug}`, key: slug, collectionUrl: proxied, serverUrl: proxy.url, timeZone: 'Europe/Berlin' });
      await calendar.register();
      const other = new OtherClient(user, collectionUrl);
      await other.create([{ uid: randomUUID(), title: `before ${i}`, start: at(i, 9), end: at(i, 10) }]);
      synced.push(calendar);
      others.push(other);
    }
    for (const calendar of synced) expect((await calendar.syncOnce()).status).toBe('synced');
    for (const [i, other] of others.entries()) await other.create([{ uid: randomUUID(), title: `during ${i}`, start: at(i, 11), end: at(i, 12) }]);
    publisher.events.length = 0;
    const providers = new Map(synced.map((s) => [s.connection.id, s.provider]));
    let removeRule: (() => void) | null = null;

    const report = await runOutageDrill({
      deps: { ...synced[0]!.deps, providers: { forConnection: async (connection) => providers.get(connection.id)! }, publisher },
      clock,
      calendars: synced.map((s) => s.calendar),
      startOutage: () => {
        removeRule = proxy.addRule(() => ({ kind: 'status', status: 503 }));
      },
      stopOutage: () => removeRule?.(),
      faultsSeen: () => counted.reduce((sum, f) => sum + f(), 0),
    });

    expect(proxy.count((entry) => entry.faulted && entry.status === 503)).toBeGreaterThanOrEqual(3 * CONNECTIONS);
    expect(report.faults).toBeGreaterThanOrEqual(3 * CONNECTIONS);
    expect(report.deadLettered).toBe(0);
    for (const runs of report.runsDuringOutage.values()) {
      // CalDAV is also polled by the scheduler (every 5 min, due at once); a scheduled request pending over
      // 15 min counts as lost and gets a second job, so two backed-off jobs can overlap: still ~10, not 120.
      expect(runs).toBeGreaterThanOrEqual(3);
      expect(runs).toBeLessThanOrEqual(12);
    }
    expect(report.recoveryMinutes).toBeLessThanOrEqual(16);
    for (const [i, calendar] of synced.entries()) {
      const titles = (await stores.events.listAll(calendar.calendar.tenantId, calendar.calendar.id)).map((e) => e.title).sort();
      expect(titles).toEqual([`before ${i}`, `during ${i}`]);
    }
    expect(publisher.ofType('calendar.event.created').map((e) => (e.data as { event: { title: string } }).event.title).sort()).toEqual(others.map((_o, i) => `during ${i}`).sort());
  }, 240_000);
});
