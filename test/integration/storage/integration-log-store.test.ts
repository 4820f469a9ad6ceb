import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogEntryInput } from '../../../shared/domain/integration-log.ts';
import { recordIntegrationEvent } from '../../../shared/ports/integration-log.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DynamoIntegrationLogStore } from '../../../shared/storage/dynamo-integration-log-store.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { DEFAULT_SYNC_SETTINGS } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { runSyncJob } from '../../../shared/use-cases/sync/run-sync-job.ts';
import { createTestStores, RecordingPublisher, TestClock, testCalendar, testConnection } from '../../support/stores.ts';
import { providerEvent } from '../../support/events.ts';

const T = 'acme';
const OTHER = 'globex';

describe('DynamoIntegrationLogStore (DynamoDB Local)', () => {
  let table: TestTable;
  let store: DynamoIntegrationLogStore;
  const clock = new TestClock('2026-12-07T12:00:00Z');
  const write = (input: Omit<LogEntryInput, 'tenantId' | 'summary'> & { tenantId?: string }) =>
    recordIntegrationEvent({ integrationLog: store, log: silentLog }, { tenantId: T, summary: input.type, ...input });

  beforeAll(async () => {
    table = await createTestTable('logs');
    store = new DynamoIntegrationLogStore({ doc: table.doc, tableName: table.tableName, clock });
    const base = Date.parse('2026-12-07T00:00:00Z');
    // 30 sync runs on con_a (every 5th failed), 10 on con_b, 4 writes of booking bkg_1 (on con_a), one entry of another tenant.
    for (let i = 0; i < 30; i++) {
      await write({ type: 'sync.run', success: i % 5 !== 0, connectionId: 'con_a', at: new Date(base + i * 60_000), ...(i % 5 === 0 ? { error: { code: 'provider.unavailable', message: '503', retryable: true } } : {}) });
    }
    for (let i = 0; i < 10; i++) await write({ type: 'token.refresh', success: true, connectionId: 'con_b', at: new Date(base + i * 60_000 + 30_000) });
    for (let i = 0; i < 4; i++) await write({ type: 'booking.written', success: true, connectionId: 'con_a', bookingId: 'bkg_1', at: new Date(base + 3_600_000 + i * 1000) });
    await write({ tenantId: OTHER, type: 'sync.run', success: false, connectionId: 'con_a', bookingId: 'bkg_1', at: new Date(base) });
  });

  const all = async (filter: Parameters<DynamoIntegrationLogStore['list']>[1], limit: number, tenantId = T) => {
    const seen = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await store.list(tenantId, filter, { cursor, limit });
      seen.push(...page.items);
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { seen, pages };
  };

  it('lists a tenant newest first, page by page with cursors, every entry once', async () => {
    const { seen, pages } = await all({}, 7);
    expect(seen).toHaveLength(44);
    expect(new Set(seen.map((e) => e.id)).size).toBe(44);
    expect(pages).toBe(7);
    expect(seen.map((e) => e.at)).toEqual([...seen.map((e) => e.at)].sort().reverse());
    expect(seen.every((e) => e.tenantId === T)).toBe(true);
  });

  it('filters by connection, booking, type, success and since', async () => {
    expect((await all({ connectionId: 'con_b' }, 4)).seen).toHaveLength(10);
    expect((await all({ connectionId: 'con_a' }, 50)).seen).toHaveLength(34);
    expect((await all({ bookingId: 'bkg_1' }, 3)).seen.map((e) => e.type)).toEqual(['booking.written', 'booking.written', 'booking.written', 'booking.written']);
    expect((await all({ bookingId: 'bkg_1', connectionId: 'con_b' }, 3)).seen).toEqual([]);
    expect((await all({ type: 'token.refresh' }, 3)).seen).toHaveLength(10);
    const failures = (await all({ success: false }, 2)).seen;
    expect(failures).toHaveLength(6);
    expect(failures.every((e) => e.error?.code === 'provider.unavailable' && e.error.retryable)).toBe(true);
    expect((await all({ connectionId: 'con_a', type: 'sync.run', success: false, since: new Date('2026-12-07T00:10:00Z') }, 10)).seen.map((e) => e.at)).toEqual([
      '2026-12-07T00:25:00.000Z',
      '2026-12-07T00:20:00.000Z',
      '2026-12-07T00:15:00.000Z',
      '2026-12-07T00:10:00.000Z',
    ]);
  });

  it("keeps tenants apart: the other tenant's listing has only its entry, and a cursor cannot cross over", async () => {
    expect((await all({}, 10, OTHER)).seen).toHaveLength(1);
    expect((await all({ connectionId: 'con_a' }, 10, OTHER)).seen).toHaveLength(1);
    expect((await all({ bookingId: 'bkg_1' }, 10, OTHER)).seen).toHaveLength(1);
    const cursor = (await store.list(T, {}, { limit: 1 })).cursor!;
    const crossed = await store.list(OTHER, {}, { cursor, limit: 10 });
    expect(crossed.items.every((e) => e.tenantId === OTHER)).toBe(true);
    await expect(store.list(T, {}, { cursor: 'bm90LWEtY3Vyc29y', limit: 10 })).rejects.toMatchObject({ code: 'input.invalid', details: { field: 'query.cursor' } });
  });

  it('sets the TTL attribute 90 days after the entry on every item, and skips entries past it', async () => {
    const [entry] = (await store.list(T, { bookingId: 'bkg_1' }, { limit: 1 })).items;
    const sk = keys.integrationLogSortKey(entry!.at, entry!.id);
    const main = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: keys.integrationLogPartition(T), sk } }));
    const copy = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: keys.integrationLogOfBooking(T, 'bkg_1'), sk } }));
    for (const item of [main.Item, copy.Item]) {
      expect(item?.entity).toBe('integration-log');
      expect(item?.expiresAt).toBe(Math.floor(Date.parse(entry!.at) / 1000) + 90 * 86_400);
    }
    const later = new DynamoIntegrationLogStore({ doc: table.doc, tableName: table.tableName, clock: new TestClock('2027-03-07T00:30:00Z') });
    const stillThere = await table.doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.integrationLogPartition(T) }, Select: 'COUNT' }));
    expect(stillThere.Count).toBe(44);
    // 90 days after 00:00–01:00 on Dec 7: at 00:30 on Mar 7 only the entries of the last half hour are left.
    expect((await later.list(T, {}, { limit: 100 })).items.every((e) => e.at >= '2026-12-07T00:30:00.000Z')).toBe(true);
    expect((await later.list(T, {}, { limit: 100 })).items.length).toBeLessThan(44);
  });

  it('counts failures of a connection since a time, up to a cap', async () => {
    expect(await store.countFailures(T, 'con_a', new Date('2026-12-07T00:00:00Z'), 100)).toBe(6);
    expect(await store.countFailures(T, 'con_a', new Date('2026-12-07T00:11:00Z'), 100)).toBe(3);
    expect(await store.countFailures(T, 'con_a', new Date('2026-12-07T00:00:00Z'), 2)).toBe(2);
    expect(await store.countFailures(T, 'con_b', new Date('2026-12-07T00:00:00Z'), 100)).toBe(0);
  });
});

describe('a sync run in the integration log (DynamoDB Local, in-memory provider)', () => {
  it('records the run with its counts; a log that cannot be written does not fail the sync', async () => {
    const clock = new TestClock('2026-11-23T12:00:00Z');
    const stores = await createTestStores(clock);
    const provider = new InMemoryCalendarProvider({ pageSize: 3 });
    provider.addCalendar({ providerCalendarId: 'primary' });
    for (let i = 0; i < 4; i++) {
      provider.upsertAsUser('primary', providerEvent(`e${i}`, { iCalUID: `e${i}@x`, title: `E${i}`, start: { dateTime: `2026-12-0${i + 1}T10:00:00Z`, timeZone: 'UTC' }, end: { dateTime: `2026-12-0${i + 1}T11:00:00Z`, timeZone: 'UTC' } }));
    }
    const connection = testConnection(T);
    await stores.connections.save(connection, { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 0, scope: null });
    const calendar = testCalendar(connection);
    await stores.calendars.put(calendar, null);
    const logStore = new DynamoIntegrationLogStore({ doc: stores.table.doc, tableName: stores.table.tableName, clock });
    const deps = {
      calendars: stores.calendars,
      events: stores.events,
      connections: stores.connections,
      pushChannels: stores.pushChannels,
      pushSettings: { publicBaseUrl: 'http://localhost:3000', channelTtlSeconds: 3600, renewBeforeMs: 600_000 },
      providers: { forConnection: async () => provider },
      publisher: new RecordingPublisher(),
      clock,
      log: silentLog,
      settings: DEFAULT_SYNC_SETTINGS,
    };
    const run = (runId: string) => runSyncJob({ ...deps, integrationLog: logStore }, { tenantId: T, calendarId: calendar.id, requestedAt: clock.now().toISOString(), runId, full: true });
    expect(await run('run-1')).toMatchObject({ status: 'synced', created: 4 });
    const [entry] = (await logStore.list(T, { connectionId: connection.id, type: 'sync.run' }, { limit: 10 })).items;
    expect(entry).toMatchObject({ success: true, correlationId: 'run-1', resourceId: calendar.id, details: { mode: 'full', created: 4, updated: 0, deleted: 0 } });

    // The log's table does not exist: every write fails, the sync does not.
    const broken = new DynamoIntegrationLogStore({ doc: stores.table.doc, tableName: 'no-such-table', clock });
    provider.upsertAsUser('primary', providerEvent('e9', { iCalUID: 'e9@x', title: 'E9', start: { dateTime: '2026-12-09T10:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2026-12-09T11:00:00Z', timeZone: 'UTC' } }));
    clock.advance(1_000);
    const outcome = await runSyncJob({ ...deps, integrationLog: broken }, { tenantId: T, calendarId: calendar.id, requestedAt: clock.now().toISOString(), runId: 'run-2' });
    expect(outcome).toMatchObject({ status: 'synced', created: 1 });
    expect((await stores.events.listAll(T, calendar.id)).map((e) => e.title).sort()).toEqual(['E0', 'E1', 'E2', 'E3', 'E9']);
  });
});
