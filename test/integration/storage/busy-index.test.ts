import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredBusyTime } from '../../../shared/domain/busy-projection.ts';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DynamoBusyIndexBackfillStore } from '../../../shared/storage/dynamo-busy-index-backfill-store.ts';
import { DynamoEventStore } from '../../../shared/storage/dynamo-event-store.ts';
import { eventItem } from '../../../shared/storage/event-item.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { INDEX } from '../../../shared/storage/table-schema.ts';
import { backfillBusyIndex } from '../../../shared/use-cases/backfill-busy-index.ts';
import { meterQueries } from '../../support/dynamo-read-meter.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { TestClock } from '../../support/stores.ts';
import { allDay, event, timed } from './builders.ts';

const T = 'tenant-busyidx';
const HOUR = 3_600_000;
const declinedBySelf = [{ email: 'me@example.com', name: null, responseStatus: 'declined' as const, optional: false, organizer: false, self: true }];
const range = { start: new Date('2026-03-02T00:00:00.000Z'), end: new Date('2026-03-09T00:00:00.000Z') };

/** A calendar's mix: what blocks, what does not, series parts, a long event, an all-day day. */
function mix(calendarId: string): CalendarEvent[] {
  const at = (hour: number, hours = 1) => timed(new Date(range.start.getTime() + hour * HOUR).toISOString(), new Date(range.start.getTime() + (hour + hours) * HOUR).toISOString());
  return [
    event(T, calendarId, 'busy1', at(9)),
    event(T, calendarId, 'busy2', at(33, 2)),
    event(T, calendarId, 'cancelled', { ...at(11), status: 'cancelled' }),
    event(T, calendarId, 'free', { ...at(12), transparency: 'transparent' }),
    event(T, calendarId, 'declined', { ...at(13), attendees: declinedBySelf }),
    event(T, calendarId, 'day', allDay('2026-03-04', '2026-03-05')),
    event(T, calendarId, 'long', at(-400, 600)),
    event(T, calendarId, 'master', { kind: 'master', recurrence: ['RRULE:FREQ=DAILY;COUNT=20'], ...timed('2026-02-25T08:00:00.000Z', '2026-02-25T08:30:00.000Z') }),
    event(T, calendarId, 'moved', {
      kind: 'exception',
      recurringEventId: 'p-master',
      originalStart: { dateTime: '2026-03-03T08:00:00.000Z', timeZone: 'UTC' },
      ...timed('2026-03-03T15:00:00.000Z', '2026-03-03T15:30:00.000Z'),
    }),
  ];
}

function plain(projection: StoredBusyTime) {
  return {
    starts: Array.from(projection.timed.starts.subarray(0, projection.timed.length)),
    ends: Array.from(projection.timed.ends.subarray(0, projection.timed.length)),
    allDay: projection.allDay,
    series: projection.series.map((e) => e.id).sort(),
  };
}

/** The item as code before gsi4 and `R#` wrote it: no busy keys, series parts under `S#`, no epoch-ms span. */
function legacyItem(e: CalendarEvent): Record<string, unknown> {
  const { gsi4pk: _pk, gsi4sk: _sk, startMs: _s, endMs: _e, ...item } = eventItem(e);
  const sortKey = String(item[INDEX.byParent.sortKey]);
  return { ...item, [INDEX.byParent.sortKey]: sortKey.startsWith('R#') ? `S#${sortKey.slice(2)}` : sortKey };
}

async function busyIndexIds(table: TestTable, calendarId: string): Promise<string[]> {
  const output = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: INDEX.busyByStart.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEX.busyByStart.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.busyEventsByTime(T, calendarId) },
    }),
  );
  return (output.Items ?? []).map((item) => String(item.sk).slice(3)).sort();
}

describe('gsi4 busyByStart on DynamoDB Local', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('busyidx');
  });

  it('holds exactly the bounded single events that block, with only the busy fields, and drops an event that stops blocking', async () => {
    const store = new DynamoEventStore({ doc: table.doc, tableName: table.tableName });
    const events = mix('cal_w');
    await store.putMany(events);
    expect(await busyIndexIds(table, 'cal_w')).toEqual(['busy1', 'busy2', 'day']);
    const projected = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: INDEX.busyByStart.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.busyByStart.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.busyEventsByTime(T, 'cal_w') },
      }),
    );
    expect(Object.keys(projected.Items![0]!).sort()).toEqual(['end', 'endMs', 'endUtc', 'gsi4pk', 'gsi4sk', 'pk', 'sk', 'start', 'startMs'].sort());

    const busy1 = events[0]!;
    await store.putMany([{ ...busy1, status: 'cancelled' }]);
    await store.putMany([{ ...events[1]!, attendees: declinedBySelf }]);
    expect(await busyIndexIds(table, 'cal_w')).toEqual(['day']);
    await store.putMany([busy1]);
    expect(await busyIndexIds(table, 'cal_w')).toEqual(['busy1', 'day']);
  });

  it('backfills legacy items page by page across runs; the same busy time before, during and after; then reads gsi4', async () => {
    const calendars = ['cal_a', 'cal_b', 'cal_c'];
    const legacy = calendars.flatMap(mix);
    const metered = await createTestTable('busyidx-meter');
    const meter = meterQueries(metered.client);
    for (const e of legacy) await metered.doc.send(new PutCommand({ TableName: metered.tableName, Item: legacyItem(e) }));

    const oldPath = new DynamoEventStore({ doc: metered.doc, tableName: metered.tableName, busyIndex: 'off' });
    const auto = new DynamoEventStore({ doc: metered.doc, tableName: metered.tableName, busyIndexRecheckMs: 0 });
    const queries = calendars.map((calendarId) => ({ calendarId, range }));
    const expected = (await oldPath.listBusyInRange(T, queries)).map(plain);
    expect(expected[0]!.starts).toHaveLength(3); // busy1, busy2, the long event
    expect(expected[0]!.series).toEqual(['master', 'moved']);

    meter.reset();
    expect((await auto.listBusyInRange(T, queries)).map(plain)).toEqual(expected);
    expect(meter.pages.some((page) => page.index === INDEX.busyByStart.name)).toBe(false);

    const clock = new TestClock('2026-12-07T12:00:00Z');
    const store = new DynamoBusyIndexBackfillStore({ doc: metered.doc, tableName: metered.tableName });
    let pages = 0;
    const first = await backfillBusyIndex({ store, clock, log: silentLog }, { pageSize: 4, hasTime: () => pages++ < 3 });
    expect(first.completedAt).toBeNull();
    expect(first.cursor).not.toBeNull();
    // Halfway: still the old path, still the same answer.
    expect((await auto.listBusyInRange(T, queries)).map(plain)).toEqual(expected);

    const done = await backfillBusyIndex({ store, clock, log: silentLog }, { pageSize: 4 });
    expect(done.completedAt).not.toBeNull();
    expect(done.reindexed + done.alreadyCurrent).toBe(legacy.length); // every event seen once (the progress item is no event)
    // Every item is now exactly what today's writer writes.
    for (const calendarId of calendars) {
      const all = await metered.doc.send(
        new QueryCommand({ TableName: metered.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.eventPartition(T, calendarId) }, ConsistentRead: true }),
      );
      for (const item of all.Items ?? []) {
        const written = eventItem(legacy.find((e) => e.calendarId === calendarId && `EV#${e.id}` === item.sk)!);
        expect(item).toEqual(written);
      }
    }

    meter.reset();
    expect((await auto.listBusyInRange(T, queries)).map(plain)).toEqual(expected);
    expect(meter.pages.filter((page) => page.index === INDEX.busyByStart.name)).toHaveLength(calendars.length);
    // The singles are no longer read from gsi1 `S#`: per calendar gsi4 + gsi1 `R#` + gsi1 `X#`.
    expect(meter.pages).toHaveLength(3 * calendars.length);

    // A completed walk is not walked again unless restarted.
    expect(await backfillBusyIndex({ store, clock, log: silentLog })).toEqual(done);
    const again = await backfillBusyIndex({ store, clock, log: silentLog }, { restart: true });
    expect(again).toMatchObject({ reindexed: 0, alreadyCurrent: legacy.length });
  });

  it('leaves an item rewritten between listing and reindexing to that write', async () => {
    const metered = await createTestTable('busyidx-race');
    const e = mix('cal_r')[0]!;
    await metered.doc.send(new PutCommand({ TableName: metered.tableName, Item: legacyItem(e) }));
    const store = new DynamoBusyIndexBackfillStore({ doc: metered.doc, tableName: metered.tableName });
    const { stale } = await store.listStale(null, 10);
    expect(stale).toHaveLength(1);
    const moved = { ...e, ...timed('2026-03-05T10:00:00.000Z', '2026-03-05T11:00:00.000Z'), contentHash: 'changed' };
    await new DynamoEventStore({ doc: metered.doc, tableName: metered.tableName }).putMany([moved]);
    expect(await store.reindex(stale[0]!)).toBe(false);
    expect(await busyIndexIds(metered, 'cal_r')).toEqual(['busy1']);
    const listed = await metered.doc.send(
      new QueryCommand({ TableName: metered.tableName, IndexName: INDEX.busyByStart.name, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': INDEX.busyByStart.partitionKey }, ExpressionAttributeValues: { ':pk': keys.busyEventsByTime(T, 'cal_r') } }),
    );
    expect(listed.Items![0]!.startMs).toBe(Date.parse('2026-03-05T10:00:00.000Z'));
  });
});
