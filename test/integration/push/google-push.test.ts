import { beforeEach, describe, expect, it } from 'vitest';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { handleGooglePush, type GooglePushDeps } from '../../../shared/use-cases/push/handle-google-push.ts';
import { ensurePushChannel, hashSecret, stopPushChannel, type PushDeps } from '../../../shared/use-cases/push/push-channels.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { createTestStores, TestClock, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';

class RecordingQueue implements JobQueue<SyncJob> {
  readonly sent: SyncJob[] = [];
  async send(messages: readonly QueueMessage<SyncJob>[]): Promise<void> {
    this.sent.push(...messages.map((m) => m.body));
  }
  async changeVisibility(): Promise<void> {}
}

describe('Google push handling and channels', () => {
  let stores: TestStores;
  let clock: TestClock;
  let queue: RecordingQueue;
  let deps: GooglePushDeps;
  const connection = testConnection('acme');
  const calendar = testCalendar(connection);
  const secret = 'channel-secret-1';

  beforeEach(async () => {
    clock = new TestClock('2026-11-23T12:00:00Z');
    stores = await createTestStores(clock);
    queue = new RecordingQueue();
    await stores.calendars.put(calendar, null);
    await stores.pushChannels.put({ channelId: 'chn-1', kind: 'google-channel', tenantId: 'acme', connectionId: connection.id, calendarId: calendar.id, secretHash: hashSecret(secret), expiresAt: '2026-11-30T00:00:00.000Z' });
    deps = { calendars: stores.calendars, pushChannels: stores.pushChannels, syncQueue: queue, clock, log: silentLog };
  });

  const push = (overrides: Partial<Parameters<typeof handleGooglePush>[1]> = {}) =>
    handleGooglePush(deps, { channelId: 'chn-1', channelToken: secret, resourceState: 'exists', resourceId: 'res', messageNumber: '2', ...overrides });

  it('ignores unknown channels and the sync message, refuses a wrong token, queues a sync for a change', async () => {
    expect(await push({ channelId: 'nope' })).toBe('unknown_channel');
    expect(await push({ channelToken: 'guess' })).toBe('rejected');
    expect(await push({ channelToken: undefined })).toBe('rejected');
    expect(await push({ resourceState: 'sync' })).toBe('ignored_sync_message');
    expect(queue.sent).toEqual([]);
    expect(await push()).toBe('sync_requested');
    expect(queue.sent).toEqual([expect.objectContaining({ tenantId: 'acme', calendarId: calendar.id, reason: 'push' })]);
  });

  it('scenario 6: two at once and five in a row make one sync job; a push after the run starts makes another', async () => {
    const concurrent = await Promise.all([push(), push()]);
    expect(concurrent.sort()).toEqual(['coalesced', 'sync_requested']);
    for (let i = 0; i < 5; i++) await push({ messageNumber: String(10 + i) });
    expect(queue.sent).toHaveLength(1);

    clock.advance(1_000);
    expect(await stores.calendars.acquireSyncLease('acme', calendar.id, 'worker', clock.now(), new Date(clock.now().getTime() + 60_000))).toBe(true);
    clock.advance(1_000);
    expect(await push()).toBe('sync_requested');
    expect(queue.sent).toHaveLength(2);
  });

  it('re-queues when a pending request is older than a minute (its job was lost)', async () => {
    await push();
    clock.advance(30_000);
    expect(await push()).toBe('coalesced');
    clock.advance(31_000);
    expect(await push()).toBe('sync_requested');
  });

  it('renews a Google channel new-first-then-stop-old, indexed before the watch call', async () => {
    const provider = new InMemoryCalendarProvider({ push: 'google-channel' });
    provider.addCalendar({ providerCalendarId: 'primary' });
    const seenIndexAtSubscribe: boolean[] = [];
    const unsubscribed: string[] = [];
    const subscribe = provider.subscribe.bind(provider);
    provider.subscribe = async (request) => {
      seenIndexAtSubscribe.push((await stores.pushChannels.get(request.channelId)) !== null);
      return subscribe(request);
    };
    provider.unsubscribe = async (_calendar, subscription) => void unsubscribed.push(subscription.channelId);
    const pushDeps: PushDeps = { calendars: stores.calendars, pushChannels: stores.pushChannels, clock, log: silentLog, settings: { publicBaseUrl: 'https://api.example.com', channelTtlSeconds: 86_400, renewBeforeMs: 3_600_000 } };

    const first = await ensurePushChannel(pushDeps, calendar, provider);
    expect(seenIndexAtSubscribe).toEqual([true]);
    const withFirst = (await stores.calendars.get('acme', calendar.id))!;
    expect(withFirst.push?.channelId).toBe(first?.channelId);
    expect(await ensurePushChannel(pushDeps, withFirst, provider)).toEqual(first); // still fresh: nothing to do

    clock.advance(Date.parse(withFirst.push!.expiresAt) - clock.now().getTime() - 1_800_000); // within the renewal horizon
    const second = await ensurePushChannel(pushDeps, withFirst, provider);
    expect(second?.channelId).not.toBe(first?.channelId);
    expect(unsubscribed).toEqual([first!.channelId]);
    expect(await stores.pushChannels.get(first!.channelId)).toBeNull();
    expect(await stores.pushChannels.get(second!.channelId)).not.toBeNull();

    await stopPushChannel(pushDeps, (await stores.calendars.get('acme', calendar.id))!, provider);
    expect(unsubscribed).toEqual([first!.channelId, second!.channelId]);
    expect(await stores.pushChannels.get(second!.channelId)).toBeNull();
    expect((await stores.calendars.get('acme', calendar.id))?.push).toBeNull();
  });
});
