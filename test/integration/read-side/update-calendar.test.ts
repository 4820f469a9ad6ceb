import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { defaultCalendarSyncHooks, updateCalendar, type CalendarSyncHooks, type UpdateCalendarDeps } from '../../../shared/use-cases/update-calendar.ts';
import { createTestStores, TestClock, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';
import { storedEvent, timed } from '../../unit/read-side/support.ts';

const TENANT = 'acme';
const connection = testConnection(TENANT);

class RecordingQueue implements JobQueue<SyncJob> {
  readonly sent: QueueMessage<SyncJob>[] = [];
  async send(messages: readonly QueueMessage<SyncJob>[]): Promise<void> {
    this.sent.push(...messages);
  }
  async changeVisibility(): Promise<void> {}
}

let stores: TestStores;
let clock: TestClock;
let queue: RecordingQueue;
let calls: string[];
let deps: UpdateCalendarDeps;
let calendar: Calendar;

beforeEach(async () => {
  clock = new TestClock('2026-11-23T12:00:00Z');
  stores = await createTestStores(clock);
  queue = new RecordingQueue();
  calls = [];
  const defaults = defaultCalendarSyncHooks({
    calendars: stores.calendars,
    syncQueue: queue,
    pushChannels: stores.pushChannels,
    clock,
    log: silentLog,
    settings: { publicBaseUrl: 'http://localhost:3000', channelTtlSeconds: 86_400, renewBeforeMs: 3_600_000 },
  });
  const hooks: CalendarSyncHooks = {
    onSyncEnabled: async (c) => {
      calls.push(`enabled:${c.id}`);
      await defaults.onSyncEnabled(c);
    },
    onSyncDisabled: async (c) => {
      calls.push(`disabled:${c.id}`);
      await defaults.onSyncDisabled(c);
    },
  };
  deps = { calendars: stores.calendars, events: stores.events, hooks, clock };
  calendar = testCalendar(connection);
  await stores.calendars.put(calendar, null);
  // A synced calendar: a cursor at version 1 and two stored events.
  await stores.calendars.advanceCursor(TENANT, calendar.id, 0, { cursor: 'sync-token-1', lastSyncedAt: '2026-11-23T11:00:00.000Z', nextSyncAt: '2026-11-23T17:00:00.000Z' });
  await stores.events.putMany([
    storedEvent(calendar, 'e1', timed('2026-11-24T09:00:00.000Z', '2026-11-24T10:00:00.000Z')),
    storedEvent(calendar, 'e2', timed('2026-11-25T09:00:00.000Z', '2026-11-25T10:00:00.000Z')),
  ]);
});

describe('updateCalendar on DynamoDB Local', () => {
  it('a changed window drops the cursor, queues the full sync now, and keeps the untouched side', async () => {
    clock.advance(60_000);
    const view = await updateCalendar(deps, TENANT, calendar.id, { syncWindow: { pastDays: 7 } });
    expect(view.syncWindow).toEqual({ pastDays: 7, futureDays: 365 });
    expect(view.updatedAt).toBe('2026-11-23T12:01:00.000Z');
    const stored = (await stores.calendars.get(TENANT, calendar.id))!;
    expect(stored).toMatchObject({ cursor: null, cursorVersion: 2, syncWindow: { pastDays: 7, futureDays: 365 }, syncEnabled: true });
    expect(await stores.events.listAll(TENANT, calendar.id)).toHaveLength(2);
    expect(calls).toEqual([`enabled:${calendar.id}`]);
  });

  it('the same window again changes nothing, not even the cursor', async () => {
    const view = await updateCalendar(deps, TENANT, calendar.id, { syncWindow: { pastDays: 30, futureDays: 365 } });
    expect(view.updatedAt).toBe(calendar.updatedAt);
    expect(await stores.calendars.get(TENANT, calendar.id)).toMatchObject({ cursor: 'sync-token-1', cursorVersion: 1 });
  });

  it('disabling deletes the stored events, drops the cursor and calls the disable hook; repeating it finishes the job', async () => {
    const view = await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: false });
    expect(view.syncEnabled).toBe(false);
    expect(await stores.events.listAll(TENANT, calendar.id)).toEqual([]);
    expect(await stores.calendars.get(TENANT, calendar.id)).toMatchObject({ syncEnabled: false, cursor: null });
    expect(calls).toEqual([`disabled:${calendar.id}`]);

    // Say the first attempt died after the flag was written: the events are back, the flag already off.
    await stores.events.putMany([storedEvent(calendar, 'late', timed('2026-11-26T09:00:00.000Z', '2026-11-26T10:00:00.000Z'))]);
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: false });
    expect(await stores.events.listAll(TENANT, calendar.id)).toEqual([]);
    expect(calls).toEqual([`disabled:${calendar.id}`, `disabled:${calendar.id}`]);
    expect(queue.sent).toEqual([]);
  });

  it('enabling again queues one full sync; a second enable queues nothing', async () => {
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: false });
    clock.advance(5 * 60_000);
    const view = await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: true, syncWindow: { futureDays: 90 } });
    expect(view).toMatchObject({ syncEnabled: true, syncWindow: { pastDays: 30, futureDays: 90 } });
    expect(queue.sent).toEqual([
      {
        body: { tenantId: TENANT, connectionId: connection.id, calendarId: calendar.id, reason: 'manual', requestedAt: '2026-11-23T12:05:00.000Z', full: true },
      },
    ]);
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: true });
    expect(queue.sent).toHaveLength(1);
    expect(calls).toEqual([`disabled:${calendar.id}`, `enabled:${calendar.id}`]);
  });

  it('queues the full sync even when an incremental request is pending (it must not be swallowed)', async () => {
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: false });
    expect(await stores.calendars.requestSync(TENANT, calendar.id, clock.now(), 15 * 60_000)).toBe(true);
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: true });
    expect(queue.sent.map((message) => message.body.full)).toEqual([true]);
  });

  it('disabling forgets the push channel: the index entry and calendar.push are gone', async () => {
    const push = { kind: 'google-channel' as const, channelId: 'chn_1', resourceId: 'res-1', secretHash: 'hash', expiresAt: '2026-11-30T00:00:00.000Z' };
    await stores.calendars.update(TENANT, calendar.id, { push });
    await stores.pushChannels.put({ channelId: 'chn_1', kind: 'google-channel', tenantId: TENANT, connectionId: connection.id, calendarId: calendar.id, secretHash: 'hash', expiresAt: push.expiresAt });
    await updateCalendar(deps, TENANT, calendar.id, { syncEnabled: false });
    expect(await stores.pushChannels.get('chn_1')).toBeNull();
    expect(await stores.calendars.get(TENANT, calendar.id)).toMatchObject({ push: null, syncEnabled: false });
  });

  it("answers 404 for another tenant's calendar and changes nothing", async () => {
    const error = await updateCalendar(deps, 'other', calendar.id, { syncEnabled: false }).catch((e: unknown) => e);
    expect(isAppError(error, 'resource.not_found')).toBe(true);
    expect(await stores.events.listAll(TENANT, calendar.id)).toHaveLength(2);
  });
});
