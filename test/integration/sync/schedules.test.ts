import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { disconnectConnection } from '../../../shared/use-cases/disconnect-connection.ts';
import { renewPushChannels } from '../../../shared/use-cases/push/renew-push-channels.ts';
import { ensurePushChannel } from '../../../shared/use-cases/push/push-channels.ts';
import { scheduleDueSyncs } from '../../../shared/use-cases/sync/schedule-due-syncs.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { createTestStores, RecordingPublisher, TestClock, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';

class RecordingQueue implements JobQueue<SyncJob> {
  readonly sent: SyncJob[] = [];
  async send(messages: readonly QueueMessage<SyncJob>[]): Promise<void> {
    this.sent.push(...messages.map((m) => m.body));
  }
  async changeVisibility(): Promise<void> {}
}

describe('scheduler, renewer and disconnect', () => {
  let stores: TestStores;
  let clock: TestClock;
  let queue: RecordingQueue;
  let publisher: RecordingPublisher;
  const settings = { publicBaseUrl: 'https://api.example.com', channelTtlSeconds: 7 * 86_400, renewBeforeMs: 24 * 3_600_000 };

  beforeEach(async () => {
    clock = new TestClock('2026-11-23T12:00:00Z');
    stores = await createTestStores(clock);
    queue = new RecordingQueue();
    publisher = new RecordingPublisher();
  });

  it('queues a safety sync for each due, sync-enabled calendar of every tenant, once while it is pending', async () => {
    const a = testConnection('tenant-a');
    const b = testConnection('tenant-b');
    const due = testCalendar(a, { providerCalendarId: 'due' });
    const later = testCalendar(a, { providerCalendarId: 'later' });
    const disabled = testCalendar(b, { providerCalendarId: 'off', syncEnabled: false });
    const otherTenant = testCalendar(b, { providerCalendarId: 'due-b' });
    await stores.calendars.put(due, '2026-11-23T11:00:00.000Z');
    await stores.calendars.put(later, '2026-11-23T18:00:00.000Z');
    await stores.calendars.put(disabled, '2026-11-23T10:00:00.000Z');
    await stores.calendars.put(otherTenant, '2026-11-23T11:59:00.000Z');
    const deps = { calendars: stores.calendars, syncQueue: queue, clock, log: silentLog };

    expect(await scheduleDueSyncs(deps)).toEqual({ due: 2, enqueued: 2 });
    expect(queue.sent.map((job) => [job.tenantId, job.calendarId, job.reason]).sort()).toEqual([
      ['tenant-a', due.id, 'schedule'],
      ['tenant-b', otherTenant.id, 'schedule'],
    ]);
    clock.advance(5 * 60_000);
    expect((await scheduleDueSyncs(deps)).enqueued).toBe(0); // still pending: no duplicate job
    clock.advance(6 * 3_600_000);
    expect((await scheduleDueSyncs(deps)).enqueued).toBe(3); // the pending ones went stale, and `later` is due
  });

  it('covers every due calendar in one round, whatever the batch size (the first page stays due while queued)', async () => {
    // Found by the load run: a round re-asked for "the oldest due", got the page it had just enqueued, and
    // stopped — at most one batch (500) per round however many calendars were due.
    const connection = testConnection('many');
    const calendars = Array.from({ length: 23 }, (_, i) => testCalendar(connection, { providerCalendarId: `due-${i}` }));
    for (const [i, calendar] of calendars.entries()) await stores.calendars.put(calendar, new Date(Date.parse('2026-11-23T11:00:00.000Z') + i * 1000).toISOString());
    const deps = { calendars: stores.calendars, syncQueue: queue, clock, log: silentLog };

    expect(await scheduleDueSyncs(deps, { batchSize: 5 })).toEqual({ due: 23, enqueued: 23 });
    expect(new Set(queue.sent.map((job) => job.calendarId))).toEqual(new Set(calendars.map((c) => c.id)));
    expect(queue.sent).toHaveLength(23);
  });

  it('walks the whole push-expiry index: channels it skips or fails on do not hide the ones behind them', async () => {
    const page = async (after: string | null) => stores.calendars.listPushExpiringBefore(new Date('2030-01-01T00:00:00Z'), 4, after);
    const connection = testConnection('pager');
    const expiring = Array.from({ length: 11 }, (_, i) =>
      testCalendar(connection, { providerCalendarId: `exp-${i}`, push: { kind: 'google-channel', channelId: `chn-${i}`, resourceId: `r-${i}`, secretHash: 'h', expiresAt: new Date(Date.parse('2026-11-24T00:00:00Z') + i * 60_000).toISOString() } }),
    );
    for (const calendar of expiring) await stores.calendars.put(calendar, null);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const result = await page(after);
      seen.push(...result.refs.map((ref) => ref.calendarId));
      if (result.next === null) break;
      after = result.next;
    }
    expect(seen).toEqual(expiring.map((c) => c.id));
  });

  it('renews channels that expire within the horizon and reports reauth on a revoked grant', async () => {
    const connection = testConnection('acme');
    await stores.connections.save(connection, { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 0, scope: null });
    const calendar = testCalendar(connection);
    await stores.calendars.put(calendar, null);
    const provider = new InMemoryCalendarProvider({ push: 'google-channel' });
    provider.addCalendar({ providerCalendarId: 'primary' });
    const pushDeps = { calendars: stores.calendars, pushChannels: stores.pushChannels, clock, log: silentLog, settings };
    const first = await ensurePushChannel(pushDeps, calendar, provider);
    const deps = { ...pushDeps, connections: stores.connections, providers: { forConnection: async () => provider }, publisher };

    expect(await renewPushChannels(deps)).toEqual({ renewed: 0, failed: 0 }); // a week left
    clock.set(new Date(Date.parse(first!.expiresAt) - 3_600_000).toISOString());
    expect(await renewPushChannels(deps)).toEqual({ renewed: 1, failed: 0 });
    const renewed = (await stores.calendars.get('acme', calendar.id))!.push!;
    expect(renewed.channelId).not.toBe(first!.channelId);
    expect(await stores.pushChannels.get(first!.channelId)).toBeNull();

    clock.set(new Date(Date.parse(renewed.expiresAt) - 3_600_000).toISOString());
    provider.failNext(new AppError('provider.auth_revoked', 'invalid_grant'));
    expect(await renewPushChannels(deps)).toEqual({ renewed: 0, failed: 1 });
    expect(await stores.connections.get('acme', connection.id)).toMatchObject({ status: 'reauth_required' });
    expect(publisher.ofType('connection.reauth_required')).toHaveLength(1);
  });

  it('disconnect stops push channels, deletes calendars, events and credentials, and emits connection.deleted', async () => {
    const connection = testConnection('acme');
    await stores.connections.save(connection, { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 0, scope: null });
    const calendar = testCalendar(connection);
    await stores.calendars.put(calendar, null);
    const provider = new InMemoryCalendarProvider({ push: 'google-channel' });
    provider.addCalendar({ providerCalendarId: 'primary' });
    const stopped: string[] = [];
    provider.unsubscribe = async (_calendar, subscription) => void stopped.push(subscription.channelId);
    const channel = await ensurePushChannel({ calendars: stores.calendars, pushChannels: stores.pushChannels, clock, log: silentLog, settings }, calendar, provider);

    await disconnectConnection(
      { connections: stores.connections, calendars: stores.calendars, events: stores.events, pushChannels: stores.pushChannels, providers: { forConnection: async () => provider }, publisher, clock, log: silentLog },
      'acme',
      connection.id,
    );
    expect(stopped).toEqual([channel!.channelId]);
    expect(await stores.pushChannels.get(channel!.channelId)).toBeNull();
    expect(await stores.calendars.listByConnection('acme', connection.id)).toEqual([]);
    expect(await stores.connections.get('acme', connection.id)).toBeNull();
    expect(await stores.connections.getCredentials('acme', connection.id)).toBeNull();
    expect(publisher.ofType('connection.deleted')).toHaveLength(1);
  });
});
