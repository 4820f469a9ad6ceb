import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { DynamoEventStore } from '../../../shared/storage/dynamo-event-store.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { allDay, event, timed } from './builders.ts';

const T = 'tenant-ev';
const range = { start: new Date('2025-03-10T00:00:00.000Z'), end: new Date('2025-03-11T00:00:00.000Z') };

/** Events around the range [2025-03-10, 2025-03-11) UTC; `expected` says whether listInRange must return it. */
const scenario: { event: CalendarEvent; expected: boolean }[] = [
  { event: event(T, 'cal_1', 'in', timed('2025-03-10T09:00:00.000Z', '2025-03-10T10:00:00.000Z')), expected: true },
  { event: event(T, 'cal_1', 'before', timed('2025-03-09T09:00:00.000Z', '2025-03-09T10:00:00.000Z')), expected: false },
  { event: event(T, 'cal_1', 'starts_at_end', timed('2025-03-11T00:00:00.000Z', '2025-03-11T01:00:00.000Z')), expected: false },
  { event: event(T, 'cal_1', 'ends_at_start', timed('2025-03-09T23:00:00.000Z', '2025-03-10T00:00:00.000Z')), expected: false },
  { event: event(T, 'cal_1', 'crosses_start', timed('2025-03-09T23:00:00.000Z', '2025-03-10T01:00:00.000Z')), expected: true },
  { event: event(T, 'cal_1', 'offset_input', timed('2025-03-10T23:30:00+01:00', '2025-03-11T00:30:00+01:00')), expected: true },
  { event: event(T, 'cal_1', 'multi_week', timed('2025-02-27T08:00:00.000Z', '2025-03-12T08:00:00.000Z')), expected: true },
  { event: event(T, 'cal_1', 'long_overlapping', timed('2025-02-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z')), expected: true },
  { event: event(T, 'cal_1', 'long_past', timed('2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z')), expected: false },
  {
    event: event(T, 'cal_1', 'master', {
      kind: 'master',
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
      ...timed('2024-01-01T08:00:00.000Z', '2024-01-01T09:00:00.000Z'),
    }),
    expected: true,
  },
  { event: event(T, 'cal_1', 'allday_same', allDay('2025-03-10', '2025-03-11')), expected: true },
  // Near the date boundary: in UTC−12 the 9th still runs until 12:00Z on the 10th, in UTC+14 the 11th starts at 10:00Z on the 10th.
  { event: event(T, 'cal_1', 'allday_prev', allDay('2025-03-09', '2025-03-10')), expected: true },
  { event: event(T, 'cal_1', 'allday_next', allDay('2025-03-11', '2025-03-12')), expected: true },
  { event: event(T, 'cal_1', 'allday_far_before', allDay('2025-03-08', '2025-03-09')), expected: false },
  { event: event(T, 'cal_1', 'allday_far_after', allDay('2025-03-13', '2025-03-14')), expected: false },
  { event: event(T, 'cal_1', 'allday_three_weeks', allDay('2025-03-01', '2025-03-22')), expected: true },
  { event: event(T, 'cal_2', 'cal2_in', timed('2025-03-10T15:00:00.000Z', '2025-03-10T15:30:00.000Z')), expected: true },
  { event: event(T, 'cal_2', 'cal2_out', timed('2025-03-12T15:00:00.000Z', '2025-03-12T15:30:00.000Z')), expected: false },
  { event: event(T, 'cal_2', 'cal2_master', { kind: 'master', recurrence: ['RRULE:FREQ=DAILY'] }), expected: true },
];
const fillers = Array.from({ length: 60 - scenario.length }, (_, i) => {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return event(T, i % 2 === 0 ? 'cal_1' : 'cal_2', `filler_${String(i).padStart(2, '0')}`, timed(`2025-04-${day}T10:00:00.000Z`, `2025-04-${day}T11:00:00.000Z`));
});
const all = [...scenario.map((s) => s.event), ...fillers];
const ids = (events: Iterable<CalendarEvent>) => [...events].map((e) => e.id).sort();

describe('DynamoEventStore', () => {
  let table: TestTable;
  let store: DynamoEventStore;

  beforeAll(async () => {
    table = await createTestTable('events');
    store = new DynamoEventStore({ doc: table.doc, tableName: table.tableName });
    await store.putMany(all);
  });

  it('stores 60 events in batches and reads them back whole', async () => {
    const listed = [...(await store.listAll(T, 'cal_1')), ...(await store.listAll(T, 'cal_2'))];
    expect(listed).toHaveLength(60);
    expect(ids(listed)).toEqual(ids(all));
    expect(listed.find((e) => e.id === 'master')).toEqual(all.find((e) => e.id === 'master'));
  });

  it('gets many by id across several BatchGetItem chunks, skipping unknown ids', async () => {
    const wanted = all.filter((e) => e.calendarId === 'cal_1').map((e) => e.id);
    const unknown = Array.from({ length: 120 }, (_, i) => `missing_${i}`);

    const found = await store.getMany(T, 'cal_1', [...unknown, ...wanted, wanted[0]!]);

    expect([...found.keys()].sort()).toEqual([...wanted].sort());
    expect(found.get('allday_same')).toEqual(all.find((e) => e.id === 'allday_same'));
    expect((await store.getMany(T, 'cal_2', ['in'])).size).toBe(0); // `in` lives in cal_1
  });

  it('lists version facts only', async () => {
    const versions = await store.listVersions(T, 'cal_2');
    const expected = all.filter((e) => e.calendarId === 'cal_2');

    expect(versions).toHaveLength(expected.length);
    const cal2In = all.find((e) => e.id === 'cal2_in')!;
    expect(versions.find((v) => v.id === 'cal2_in')).toEqual({
      id: cal2In.id,
      providerEventId: cal2In.providerEventId,
      resourceId: null,
      recurringEventId: null,
      contentHash: cal2In.contentHash,
      etag: cal2In.etag,
    });
  });

  it('returns exactly the events that may overlap a range, across calendars', async () => {
    const inRange = await store.listInRange(T, ['cal_1', 'cal_2', 'cal_2'], range);

    expect(ids(inRange)).toEqual(ids(scenario.filter((s) => s.expected).map((s) => s.event)));
    expect(await store.listInRange(T, ['cal_2'], range)).toHaveLength(2);
    expect(await store.listInRange(T, [], range)).toEqual([]);
  });

  it('indexes masters and long events as unbounded, all-day events widened by 14 hours', async () => {
    const raw = async (id: string) =>
      (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.event(T, 'cal_1', id) }))).Item;

    expect(await raw('master')).toMatchObject({ entity: 'event', gsi1sk: 'X#master' });
    expect(await raw('master')).not.toHaveProperty('startUtc');
    expect(await raw('long_overlapping')).toMatchObject({ gsi1sk: 'X#long_overlapping', endUtc: '2025-04-01T00:00:00.000Z' });
    expect(await raw('offset_input')).toMatchObject({ gsi1sk: 'S#2025-03-10T22:30:00.000Z#offset_input' });
    expect(await raw('allday_same')).toMatchObject({
      gsi1pk: keys.eventsByTime(T, 'cal_1'),
      gsi1sk: 'S#2025-03-09T10:00:00.000Z#allday_same',
      startUtc: '2025-03-09T10:00:00.000Z',
      endUtc: '2025-03-11T14:00:00.000Z',
      start: { date: '2025-03-10' },
    });
  });

  it('keeps the last of duplicate events in one putMany', async () => {
    const first = event(T, 'cal_dup', 'dup', { title: 'first' });
    const last = event(T, 'cal_dup', 'dup', { title: 'last' });
    await store.putMany([first, last]);
    expect((await store.listAll(T, 'cal_dup')).map((e) => e.title)).toEqual(['last']);
  });

  it('deletes some events, then all events of one calendar only', async () => {
    const doomed = fillers.filter((e) => e.calendarId === 'cal_1').slice(0, 10).map((e) => e.id);

    await store.deleteMany(T, 'cal_1', doomed);

    expect((await store.getMany(T, 'cal_1', doomed)).size).toBe(0);
    expect(await store.listAll(T, 'cal_1')).toHaveLength(all.filter((e) => e.calendarId === 'cal_1').length - 10);

    await store.deleteAllOfCalendar(T, 'cal_2');

    expect(await store.listAll(T, 'cal_2')).toEqual([]);
    expect(await store.listVersions(T, 'cal_2')).toEqual([]);
    expect(await store.listInRange(T, ['cal_2'], range)).toEqual([]);
    expect((await store.listAll(T, 'cal_1')).length).toBeGreaterThan(0);
  });
});
