import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectBusyEvents, type StoredBusyTime } from '../../../shared/domain/busy-projection.ts';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { DynamoEventStore } from '../../../shared/storage/dynamo-event-store.ts';
import { eventItem } from '../../../shared/storage/event-item.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { allDay, event, timed } from './builders.ts';

const T = 'tenant-busy';
const HOUR = 3_600_000;
const BASE = Date.parse('2026-03-02T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let table: TestTable;
let store: DynamoEventStore;
/** Reads singles from gsi4 (`busyByStart`) as a backfilled table does; `store` is on the old path (no backfill ran). */
let storeOnBusyIndex: DynamoEventStore;

beforeAll(async () => {
  table = await createTestTable('busy');
  store = new DynamoEventStore({ doc: table.doc, tableName: table.tableName });
  storeOnBusyIndex = new DynamoEventStore({ doc: table.doc, tableName: table.tableName, busyIndex: 'on' });
});

/** Comparable form: numbers as arrays, series by id. */
function plain(projection: StoredBusyTime) {
  return {
    calendarId: projection.calendarId,
    starts: Array.from(projection.timed.starts.subarray(0, projection.timed.length)),
    ends: Array.from(projection.timed.ends.subarray(0, projection.timed.length)),
    allDay: projection.allDay,
    series: [...projection.series].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

const spec = fc.record({
  kind: fc.constantFrom('single', 'single', 'single', 'allDay', 'master', 'exception', 'orphanOccurrence'),
  startHour: fc.integer({ min: -400, max: 400 }),
  hours: fc.integer({ min: 0, max: 30 }),
  status: fc.constantFrom<CalendarEvent['status']>('confirmed', 'tentative', 'cancelled'),
  transparency: fc.constantFrom<CalendarEvent['transparency']>('opaque', 'transparent'),
  response: fc.constantFrom(null, 'declined', 'accepted'),
  selfAttendee: fc.boolean(),
  /** Written as an item from before `startMs`/`endMs` existed. */
  legacy: fc.boolean(),
});

type Spec = typeof spec extends fc.Arbitrary<infer S> ? S : never;

function build(calendarId: string, specs: Spec[]): { events: CalendarEvent[]; legacy: Set<string> } {
  const events: CalendarEvent[] = [];
  const legacy = new Set<string>();
  specs.forEach((s, i) => {
    const startMs = BASE + s.startHour * HOUR;
    const attendees = s.response ? [{ email: 'me@example.com', name: null, responseStatus: s.response as 'declined' | 'accepted', optional: false, organizer: false, self: s.selfAttendee }] : [];
    const common = { status: s.status, transparency: s.transparency, attendees };
    const id = `e${i}`;
    const when = s.kind === 'allDay' ? allDay(iso(startMs).slice(0, 10), iso(startMs + Math.max(1, Math.ceil(s.hours / 24)) * 24 * HOUR).slice(0, 10)) : timed(iso(startMs), iso(startMs + s.hours * HOUR));
    if (s.kind === 'master') events.push(event(T, calendarId, id, { ...common, ...when, kind: 'master', recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] }));
    else if (s.kind === 'exception') {
      events.push(event(T, calendarId, id, { ...common, ...when, kind: 'exception', recurringEventId: 'p-series', originalStart: { dateTime: iso(startMs - 2 * HOUR), timeZone: 'UTC' } }));
    } else if (s.kind === 'orphanOccurrence') events.push(event(T, calendarId, id, { ...common, ...when, kind: 'occurrence', recurringEventId: null }));
    else events.push(event(T, calendarId, id, { ...common, ...when }));
    if (s.legacy) legacy.add(id);
  });
  return { events, legacy };
}

async function write(events: readonly CalendarEvent[], legacy: ReadonlySet<string>): Promise<void> {
  await store.putMany(events.filter((e) => !legacy.has(e.id)));
  for (const e of events.filter((x) => legacy.has(x.id))) {
    const { startMs: _s, endMs: _e, ...item } = eventItem(e);
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: item }));
  }
}

describe('EventStore.listBusyInRange on DynamoDB Local', () => {
  it('equals the projection of the events listInRange returns, for random events, ranges and item vintages', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { maxLength: 25 }), fc.integer({ min: -200, max: 200 }), fc.integer({ min: 1, max: 300 }), async (specs, fromHour, hours) => {
        const calendarId = `cal_${run++}`;
        const { events, legacy } = build(calendarId, specs);
        await write(events, legacy);
        const range = { start: new Date(BASE + fromHour * HOUR), end: new Date(BASE + (fromHour + hours) * HOUR) };
        const [projected] = await store.listBusyInRange(T, [{ calendarId, range }]);
        const [fromBusyIndex] = await storeOnBusyIndex.listBusyInRange(T, [{ calendarId, range }]);
        const expected = projectBusyEvents(await store.listInRange(T, [calendarId], range), calendarId, range);
        expect(plain(projected!)).toEqual(plain(expected));
        expect(plain(fromBusyIndex!)).toEqual(plain(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('reads timed singles as numbers in start order, skips what does not block, keeps series whole', async () => {
    const calendarId = 'cal_fixed';
    const series = event(T, calendarId, 'series', { kind: 'master', recurrence: ['RRULE:FREQ=WEEKLY'], ...timed('2025-01-06T09:00:00.000Z', '2025-01-06T10:00:00.000Z') });
    await store.putMany([
      event(T, calendarId, 'b', timed('2026-03-02T11:00:00.000Z', '2026-03-02T12:00:00.000Z')),
      event(T, calendarId, 'a', timed('2026-03-02T09:00:00.000Z', '2026-03-02T10:30:00.000Z')),
      event(T, calendarId, 'free', { ...timed('2026-03-02T13:00:00.000Z', '2026-03-02T14:00:00.000Z'), transparency: 'transparent' }),
      event(T, calendarId, 'declined', {
        ...timed('2026-03-02T15:00:00.000Z', '2026-03-02T16:00:00.000Z'),
        attendees: [{ email: 'me@example.com', name: null, responseStatus: 'declined', optional: false, organizer: false, self: true }],
      }),
      event(T, calendarId, 'day', allDay('2026-03-03', '2026-03-04')),
      series,
    ]);
    const range = { start: new Date('2026-03-02T00:00:00.000Z'), end: new Date('2026-03-04T00:00:00.000Z') };
    const [projected] = await store.listBusyInRange(T, [{ calendarId, range }]);
    expect(plain(projected!)).toEqual({
      calendarId,
      starts: [Date.parse('2026-03-02T09:00:00.000Z'), Date.parse('2026-03-02T11:00:00.000Z')],
      ends: [Date.parse('2026-03-02T10:30:00.000Z'), Date.parse('2026-03-02T12:00:00.000Z')],
      allDay: [{ start: { date: '2026-03-03' }, end: { date: '2026-03-04' } }],
      series: [series],
    });
  });

  it('serves each series part as last written, read after read, while the parts change (decoded-series cache)', async () => {
    const calendarId = 'cal_changing';
    const range = { start: new Date('2026-03-02T00:00:00.000Z'), end: new Date('2026-03-16T00:00:00.000Z') };
    const rules = ['RRULE:FREQ=WEEKLY', 'RRULE:FREQ=DAILY;COUNT=3', 'RRULE:FREQ=WEEKLY;BYDAY=MO,TH'];
    const change = fc.record({
      part: fc.constantFrom('master', 'exception'),
      rule: fc.constantFrom(...rules),
      status: fc.constantFrom<CalendarEvent['status']>('confirmed', 'cancelled'),
      shiftHours: fc.integer({ min: -3, max: 3 }),
      etag: fc.constantFrom(null, '"1"', '"2"'),
      reads: fc.integer({ min: 1, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 8 }), async (changes) => {
        let master = event(T, calendarId, 'm', { kind: 'master', recurrence: [rules[0]!], ...timed('2026-02-02T09:00:00.000Z', '2026-02-02T10:00:00.000Z') });
        let exception = event(T, calendarId, 'x', {
          kind: 'exception',
          recurringEventId: master.providerEventId,
          originalStart: { dateTime: '2026-03-09T09:00:00.000Z', timeZone: 'UTC' },
          ...timed('2026-03-09T11:00:00.000Z', '2026-03-09T12:00:00.000Z'),
        });
        await store.putMany([master, exception]);
        for (const c of changes) {
          if (c.part === 'master') master = event(T, calendarId, 'm', { ...master, recurrence: [c.rule], status: c.status, etag: c.etag });
          else {
            const startMs = Date.parse('2026-03-09T11:00:00.000Z') + c.shiftHours * HOUR;
            exception = event(T, calendarId, 'x', { ...exception, ...timed(iso(startMs), iso(startMs + HOUR)), status: c.status, etag: c.etag });
          }
          await store.putMany([c.part === 'master' ? master : exception]);
          for (let r = 0; r < c.reads; r++) {
            const [projected] = await store.listBusyInRange(T, [{ calendarId, range }]);
            expect(plain(projected!).series).toEqual([master, exception]);
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it('hands out series parts that cannot be changed by one query under another', async () => {
    const calendarId = 'cal_frozen';
    const range = { start: new Date('2026-03-02T00:00:00.000Z'), end: new Date('2026-03-09T00:00:00.000Z') };
    await store.putMany([event(T, calendarId, 'm', { kind: 'master', recurrence: ['RRULE:FREQ=DAILY'], ...timed('2026-03-01T09:00:00.000Z', '2026-03-01T10:00:00.000Z') })]);
    const [first] = await store.listBusyInRange(T, [{ calendarId, range }]);
    expect(() => (first!.series[0]!.recurrence as string[]).push('EXDATE:20260303T090000Z')).toThrow(TypeError);
    const [second] = await store.listBusyInRange(T, [{ calendarId, range }]);
    expect(second!.series[0]!.recurrence).toEqual(['RRULE:FREQ=DAILY']);
  });
});
