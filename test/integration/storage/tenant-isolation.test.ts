import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../../shared/storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../../shared/storage/dynamo-connection-store.ts';
import { DynamoEventStore } from '../../../shared/storage/dynamo-event-store.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { calendar, connection, event, localCipher, oauthCredentials, rejectionOf, timed } from './builders.ts';

const A = 'tenant-a';
const B = 'tenant-b';
const shared = ['con_1', 'con_2', 'con_3', 'con_4'];
const range = { start: new Date('2025-03-01T00:00:00.000Z'), end: new Date('2025-04-01T00:00:00.000Z') };

/**
 * Two tenants with identical ids everywhere (plus some ids only B has): every call made for A must see
 * A's items only, whatever ids or cursors it is handed.
 */
describe('tenant isolation', () => {
  let table: TestTable;
  let connections: DynamoConnectionStore;
  let calendars: DynamoCalendarStore;
  let events: DynamoEventStore;

  beforeAll(async () => {
    table = await createTestTable('isolation');
    const base = { doc: table.doc, tableName: table.tableName };
    connections = new DynamoConnectionStore({ ...base, cipher: localCipher() });
    calendars = new DynamoCalendarStore(base);
    events = new DynamoEventStore(base);
    for (const tenant of [A, B]) {
      const ids = tenant === B ? [...shared, 'con_b_only_1', 'con_b_only_2'] : shared;
      for (const id of ids) await connections.save(connection(tenant, id, { displayName: `${tenant} ${id}` }), oauthCredentials(`token-${tenant}-${id}`));
      for (const id of tenant === B ? ['cal_1', 'cal_b_only'] : ['cal_1']) {
        await calendars.put(calendar(tenant, id, { connectionId: 'con_1', name: `${tenant} ${id}` }), '2025-03-01T00:00:00.000Z');
      }
      await events.putMany([
        event(tenant, 'cal_1', 'evt_1', { title: `${tenant} evt_1`, ...timed('2025-03-10T09:00:00.000Z', '2025-03-10T10:00:00.000Z') }),
        event(tenant, 'cal_1', 'evt_2', { title: `${tenant} evt_2`, kind: 'master', recurrence: ['RRULE:FREQ=DAILY'] }),
        ...(tenant === B ? [event(B, 'cal_1', 'evt_b_only', { title: 'b only', ...timed('2025-03-11T09:00:00.000Z', '2025-03-11T10:00:00.000Z') })] : []),
      ]);
    }
  });

  it('gets and lists only the caller tenant connections and credentials', async () => {
    const listed = await connections.list(A, { limit: 100 });
    expect(listed.items.map((c) => c.id)).toEqual(shared);
    expect(listed.items.every((c) => c.tenantId === A && c.displayName?.startsWith(A))).toBe(true);
    expect(await connections.get(A, 'con_b_only_1')).toBeNull();
    expect(await connections.getCredentials(A, 'con_b_only_1')).toBeNull();
    expect((await connections.getCredentials(A, 'con_1'))?.credentials).toEqual(oauthCredentials(`token-${A}-con_1`));
  });

  it('does not follow a cursor from B listing into B items', async () => {
    const bFirstPage = await connections.list(B, { limit: 2 });
    expect(bFirstPage.cursor).not.toBeNull();

    const aWithBCursor = await connections.list(A, { limit: 100, cursor: bFirstPage.cursor });

    expect(aWithBCursor.items.every((c) => c.tenantId === A)).toBe(true);
    expect(aWithBCursor.items.map((c) => c.id)).toEqual(['con_3', 'con_4']);
    const forged = Buffer.from(JSON.stringify({ sk: 'CONN#con_b_only_0' })).toString('base64url');
    expect((await connections.list(A, { limit: 100, cursor: forged })).items).toEqual([]);
  });

  it('cannot change or delete B items through A', async () => {
    expect(await rejectionOf(connections.update(A, 'con_b_only_1', 1, { status: 'disabled' }))).toMatchObject({ code: 'resource.not_found' });
    expect(await connections.delete(A, 'con_b_only_2')).toBe(false);
    expect(await rejectionOf(calendars.update(A, 'cal_b_only', { name: 'hijacked' }))).toMatchObject({ code: 'resource.not_found' });
    expect(await calendars.acquireSyncLease(A, 'cal_b_only', 'w', new Date(), new Date(Date.now() + 60_000))).toBe(false);
    expect(await calendars.requestSync(A, 'cal_b_only', new Date(), 60_000)).toBe(false);
    await events.deleteMany(A, 'cal_1', ['evt_b_only']);
    await events.deleteAllOfCalendar(A, 'cal_b_only');

    expect(await connections.get(B, 'con_b_only_1')).toMatchObject({ status: 'active' });
    expect(await connections.get(B, 'con_b_only_2')).not.toBeNull();
    expect(await calendars.get(B, 'cal_b_only')).toMatchObject({ name: `${B} cal_b_only` });
    expect((await events.getMany(B, 'cal_1', ['evt_b_only'])).size).toBe(1);
  });

  it('reads only A calendars and events, whatever ids A asks for', async () => {
    expect(await calendars.get(A, 'cal_b_only')).toBeNull();
    expect((await calendars.listByConnection(A, 'con_1')).map((c) => `${c.tenantId}/${c.id}`)).toEqual([`${A}/cal_1`]);

    const inRange = await events.listInRange(A, ['cal_1', 'cal_b_only'], range);
    expect(inRange.map((e) => e.title).sort()).toEqual([`${A} evt_1`, `${A} evt_2`]);
    expect((await events.listVersions(A, 'cal_1')).map((v) => v.id).sort()).toEqual(['evt_1', 'evt_2']);
    expect((await events.listAll(A, 'cal_1')).every((e) => e.tenantId === A)).toBe(true);
    const got = await events.getMany(A, 'cal_1', ['evt_1', 'evt_b_only']);
    expect([...got.values()].map((e) => e.title)).toEqual([`${A} evt_1`]);
  });

  it('refuses B sealed credentials copied into A record', async () => {
    const bCredentials = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.credentials(B, 'con_2') }));
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...bCredentials.Item, ...keys.credentials(A, 'con_2'), tenantId: A } }));

    const error = await rejectionOf(connections.getCredentials(A, 'con_2'));

    expect(error).toMatchObject({ code: 'internal.unexpected', retryable: false });
    expect(String((error as Error).message)).not.toContain('token-');
  });
});
