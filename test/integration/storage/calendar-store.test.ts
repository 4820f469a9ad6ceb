import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PushChannel } from '../../../shared/domain/calendar.ts';
import { DynamoCalendarStore } from '../../../shared/storage/dynamo-calendar-store.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { calendar, rejectionOf } from './builders.ts';

const at = (iso: string): Date => new Date(iso);
const push = (expiresAt: string): PushChannel => ({ kind: 'google-channel', channelId: `chn-${expiresAt}`, resourceId: 'res', secretHash: 'hash', expiresAt });

describe('DynamoCalendarStore', () => {
  let table: TestTable;
  let store: DynamoCalendarStore;
  const now = at('2025-03-01T12:00:00.000Z');

  beforeAll(async () => {
    table = await createTestTable('calendars');
    store = new DynamoCalendarStore({ doc: table.doc, tableName: table.tableName, clock: { now: () => now } });
  });

  const rawItem = async (tenantId: string, calendarId: string) =>
    (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.calendar(tenantId, calendarId) }))).Item;

  it('puts, gets and lists calendars by connection', async () => {
    const a = calendar('t1', 'cal_a', { connectionId: 'con_x' });
    const b = calendar('t1', 'cal_b', { connectionId: 'con_x', push: push('2025-03-05T00:00:00.000Z') });
    const other = calendar('t1', 'cal_c', { connectionId: 'con_y' });
    for (const cal of [a, b, other]) await store.put(cal, '2025-03-01T13:00:00.000Z');

    expect(await store.get('t1', 'cal_b')).toEqual(b);
    expect(await store.get('t1', 'cal_missing')).toBeNull();
    expect((await store.listByConnection('t1', 'con_x')).map((c) => c.id).sort()).toEqual(['cal_a', 'cal_b']);
    expect(await rawItem('t1', 'cal_a')).toMatchObject({ entity: 'calendar', gsi1sk: 'CAL#cal_a', nextSyncAt: '2025-03-01T13:00:00.000Z' });
  });

  it('keeps the due index only while sync is enabled and the expiry index only while push is set', async () => {
    await store.put(calendar('t1', 'cal_idx', { push: push('2025-03-04T00:00:00.000Z') }), '2025-03-01T11:00:00.000Z');
    expect(await rawItem('t1', 'cal_idx')).toMatchObject({ gsi2pk: expect.stringMatching(/^SYNCDUE#/), gsi3pk: expect.stringMatching(/^PUSHEXP#/) });

    const disabled = await store.update('t1', 'cal_idx', { syncEnabled: false, push: null });
    const raw = await rawItem('t1', 'cal_idx');
    expect(disabled.syncEnabled).toBe(false);
    expect(disabled.push).toBeNull();
    expect(raw).not.toHaveProperty('gsi2pk');
    expect(raw).not.toHaveProperty('gsi2sk');
    expect(raw).not.toHaveProperty('nextSyncAt');
    expect(raw).not.toHaveProperty('gsi3pk');

    await store.update('t1', 'cal_idx', { syncEnabled: true });
    expect(await rawItem('t1', 'cal_idx')).toMatchObject({ nextSyncAt: now.toISOString(), gsi2sk: keys.syncDueSortKey(now.toISOString(), 't1', 'cal_idx') });
  });

  it('updates fields without touching the rest, and reports missing calendars', async () => {
    await store.put(calendar('t1', 'cal_upd'), null);
    const updated = await store.update('t1', 'cal_upd', { name: 'Renamed', color: '#ff0000' });
    expect(updated).toEqual({ ...calendar('t1', 'cal_upd'), name: 'Renamed', color: '#ff0000' });
    expect(await rejectionOf(store.update('t1', 'cal_nope', { name: 'x' }))).toMatchObject({ code: 'resource.not_found' });
  });

  it('advances the cursor only from the version read', async () => {
    await store.put(calendar('t1', 'cal_cur'), null);

    const advanced = await store.advanceCursor('t1', 'cal_cur', 0, {
      cursor: 'token-1',
      lastSyncedAt: '2025-03-01T12:00:00.000Z',
      lastFullSyncAt: '2025-03-01T12:00:00.000Z',
      nextSyncAt: '2025-03-01T18:00:00.000Z',
    });
    const stale = await rejectionOf(
      store.advanceCursor('t1', 'cal_cur', 0, { cursor: 'token-stale', lastSyncedAt: '2025-03-01T12:01:00.000Z', nextSyncAt: '2025-03-01T18:00:00.000Z' }),
    );

    expect(advanced).toMatchObject({ cursor: 'token-1', cursorVersion: 1, lastFullSyncAt: '2025-03-01T12:00:00.000Z' });
    expect(stale).toMatchObject({ code: 'storage.conflict', retryable: true });
    expect(await store.get('t1', 'cal_cur')).toMatchObject({ cursor: 'token-1', cursorVersion: 1 });
    expect(await rawItem('t1', 'cal_cur')).toMatchObject({ gsi2sk: keys.syncDueSortKey('2025-03-01T18:00:00.000Z', 't1', 'cal_cur') });

    await store.resetCursor('t1', 'cal_cur');
    expect(await store.get('t1', 'cal_cur')).toMatchObject({ cursor: null, cursorVersion: 2 });
  });

  it('does not schedule a disabled calendar when its cursor advances', async () => {
    await store.put(calendar('t1', 'cal_off', { syncEnabled: false }), null);
    const advanced = await store.advanceCursor('t1', 'cal_off', 0, { cursor: 'c', lastSyncedAt: '2025-03-01T12:00:00.000Z', nextSyncAt: '2025-03-01T12:00:00.000Z' });
    expect(advanced.cursorVersion).toBe(1);
    expect(await rawItem('t1', 'cal_off')).not.toHaveProperty('gsi2pk');
    expect((await store.listDueForSync(at('2030-01-01T00:00:00.000Z'), 1000)).refs).not.toContainEqual({ tenantId: 't1', calendarId: 'cal_off' });
  });

  it('lets exactly one of two concurrent cursor writers from the same version win', async () => {
    await store.put(calendar('t1', 'cal_race'), null);
    const results = await Promise.allSettled(
      ['a', 'b'].map((cursor) => store.advanceCursor('t1', 'cal_race', 0, { cursor, lastSyncedAt: now.toISOString(), nextSyncAt: now.toISOString() })),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'storage.conflict' });
    expect((await store.get('t1', 'cal_race'))?.cursorVersion).toBe(1);
  });

  it('collapses sync requests until a sync starts, and re-opens after a lease is taken or the request goes stale', async () => {
    await store.put(calendar('t1', 'cal_req'), null);
    const staleAfterMs = 15 * 60_000;

    const first = await store.requestSync('t1', 'cal_req', at('2025-03-01T12:00:00.000Z'), staleAfterMs);
    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.requestSync('t1', 'cal_req', at(`2025-03-01T12:00:0${i + 1}.000Z`), staleAfterMs)),
    );
    expect(first).toBe(true);
    expect(burst).toEqual([false, false, false, false, false]);

    expect(await store.acquireSyncLease('t1', 'cal_req', 'worker-1', at('2025-03-01T12:01:00.000Z'), at('2025-03-01T12:06:00.000Z'))).toBe(true);
    expect(await store.requestSync('t1', 'cal_req', at('2025-03-01T12:02:00.000Z'), staleAfterMs)).toBe(true);
    expect(await store.requestSync('t1', 'cal_req', at('2025-03-01T12:03:00.000Z'), staleAfterMs)).toBe(false);
    // Its job was lost: after `staleAfterMs` a new request gets through.
    expect(await store.requestSync('t1', 'cal_req', at('2025-03-01T12:18:00.000Z'), staleAfterMs)).toBe(true);
    expect(await store.requestSync('t1', 'cal_missing', at('2025-03-01T12:00:00.000Z'), staleAfterMs)).toBe(false);
    expect(await store.get('t1', 'cal_req')).toMatchObject({ lastSyncStartedAt: '2025-03-01T12:01:00.000Z' });
    expect(await store.get('t1', 'cal_req')).not.toHaveProperty('syncRequestedAt');
  });

  it('gives the sync lease to one owner at a time until it expires or is released', async () => {
    await store.put(calendar('t1', 'cal_lease'), null);
    const t = (minute: number) => at(`2025-03-01T12:${String(minute).padStart(2, '0')}:00.000Z`);

    const both = await Promise.all([
      store.acquireSyncLease('t1', 'cal_lease', 'w1', t(0), t(5)),
      store.acquireSyncLease('t1', 'cal_lease', 'w2', t(0), t(5)),
    ]);
    expect(both.filter(Boolean)).toHaveLength(1);
    const holder = both[0] ? 'w1' : 'w2';
    const other = holder === 'w1' ? 'w2' : 'w1';

    expect(await store.acquireSyncLease('t1', 'cal_lease', other, t(4), t(9))).toBe(false);
    expect(await store.acquireSyncLease('t1', 'cal_lease', holder, t(4), t(9))).toBe(true); // renewal by the holder
    await store.releaseSyncLease('t1', 'cal_lease', other); // not the owner: no effect
    expect(await store.acquireSyncLease('t1', 'cal_lease', other, t(8), t(13))).toBe(false);
    expect(await store.acquireSyncLease('t1', 'cal_lease', other, t(10), t(15))).toBe(true); // expired at 9
    await store.releaseSyncLease('t1', 'cal_lease', other);
    expect(await store.acquireSyncLease('t1', 'cal_lease', holder, t(11), t(16))).toBe(true);
  });

  it('deletes a calendar', async () => {
    await store.put(calendar('t1', 'cal_gone'), '2025-03-01T00:00:00.000Z');
    await store.delete('t1', 'cal_gone');
    expect(await store.get('t1', 'cal_gone')).toBeNull();
  });
});

describe('DynamoCalendarStore scheduler indexes', () => {
  let store: DynamoCalendarStore;

  beforeAll(async () => {
    const table = await createTestTable('scheduler');
    store = new DynamoCalendarStore({ doc: table.doc, tableName: table.tableName });
  });

  it('lists due calendars of all tenants oldest first, never disabled or future ones', async () => {
    const due = [
      ['tA', 'cal_1', '2025-03-01T08:00:00.000Z'],
      ['tB', 'cal_2', '2025-03-01T06:00:00.000Z'],
      ['tC', 'cal_3', '2025-03-01T07:30:00.000Z'],
      ['tA', 'cal_4', '2025-03-01T09:00:00.000Z'],
      ['tB', 'cal_5', '2025-03-01T05:00:00.000Z'],
      ['tC', 'cal_6', '2025-03-01T10:00:00.000Z'], // exactly `now`: due
    ] as const;
    for (const [tenantId, id, nextSyncAt] of due) await store.put(calendar(tenantId, id), nextSyncAt);
    await store.put(calendar('tA', 'cal_later'), '2025-03-01T10:00:00.001Z');
    await store.put(calendar('tB', 'cal_disabled', { syncEnabled: false }), '2025-03-01T01:00:00.000Z');
    await store.put(calendar('tC', 'cal_unscheduled'), null);
    await store.put(calendar('tC', 'cal_turned_off'), '2025-03-01T02:00:00.000Z');
    await store.update('tC', 'cal_turned_off', { syncEnabled: false });
    const now = new Date('2025-03-01T10:00:00.000Z');

    const all = (await store.listDueForSync(now, 100)).refs;
    const firstThree = (await store.listDueForSync(now, 3)).refs;

    const expected = [...due].sort((a, b) => a[2].localeCompare(b[2])).map(([tenantId, calendarId]) => ({ tenantId, calendarId }));
    expect(all).toEqual(expected);
    expect(firstThree).toEqual(expected.slice(0, 3));
    expect(new Set(due.map(([, id]) => keys.shardOf(id))).size).toBeGreaterThan(1); // the merge across shards is exercised
  });

  it('lists calendars whose push channel expires before a time, by expiry', async () => {
    await store.put(calendar('tA', 'cal_p1', { push: push('2025-03-02T00:00:00.000Z') }), null);
    await store.put(calendar('tB', 'cal_p2', { push: push('2025-03-01T12:00:00.000Z') }), null);
    await store.put(calendar('tC', 'cal_p3', { push: push('2025-03-03T00:00:00.000Z') }), null);
    await store.put(calendar('tA', 'cal_p4', { push: push('2025-03-01T18:00:00.000Z') }), null);
    await store.put(calendar('tA', 'cal_p5', { push: push('2025-03-01T06:00:00.000Z') }), null);
    await store.update('tA', 'cal_p5', { push: null });

    const expiring = (await store.listPushExpiringBefore(new Date('2025-03-02T00:00:00.000Z'), 10)).refs;

    expect(expiring).toEqual([
      { tenantId: 'tB', calendarId: 'cal_p2' },
      { tenantId: 'tA', calendarId: 'cal_p4' },
    ]);
  });
});
