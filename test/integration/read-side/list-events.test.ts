import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { listEvents, type EventListItem, type ListEventsDeps } from '../../../shared/use-cases/list-events.ts';
import { createTestStores, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';
import { allDay, storedEvent, timed } from '../../unit/read-side/support.ts';

const TENANT = 'acme';
const NY = 'America/New_York';
const connection = testConnection(TENANT);
const calendar: Calendar = testCalendar(connection, { providerCalendarId: 'work', timeZone: NY });

// A weekly Thursday 09:00 New York meeting across the end of DST (2026-11-01): 13:00Z before, 14:00Z after.
const master = storedEvent(calendar, 'weekly', {
  kind: 'master',
  title: 'Weekly',
  ...timed('2026-10-15T13:00:00.000Z', '2026-10-15T14:00:00.000Z', NY),
  recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TH'],
});
// The 29 Oct instance moved to Friday 30 Oct 10:00 local; the 12 Nov instance cancelled.
const moved = storedEvent(calendar, 'weekly-moved', {
  kind: 'exception',
  title: 'Weekly (moved)',
  providerEventId: 'p-weekly_20261029T130000Z',
  recurringEventId: master.providerEventId,
  originalStart: { dateTime: '2026-10-29T13:00:00.000Z', timeZone: NY },
  ...timed('2026-10-30T14:00:00.000Z', '2026-10-30T15:00:00.000Z', NY),
});
const cancelled = storedEvent(calendar, 'weekly-cancelled', {
  kind: 'exception',
  providerEventId: 'p-weekly_20261112T140000Z',
  recurringEventId: master.providerEventId,
  originalStart: { dateTime: '2026-11-12T14:00:00.000Z', timeZone: NY },
  ...timed('2026-11-12T14:00:00.000Z', '2026-11-12T15:00:00.000Z', NY),
  status: 'cancelled',
});
const endedSeries = storedEvent(calendar, 'ended', {
  kind: 'master',
  ...timed('2026-01-05T15:00:00.000Z', '2026-01-05T16:00:00.000Z', NY),
  recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
});
const singles = [
  storedEvent(calendar, 'lunch', timed('2026-11-05T17:00:00.000Z', '2026-11-05T18:00:00.000Z')),
  // Same start as the series instance on 5 Nov: ordered by id then.
  storedEvent(calendar, 'same-start', timed('2026-11-05T14:00:00.000Z', '2026-11-05T14:30:00.000Z')),
  storedEvent(calendar, 'before-range', timed('2026-10-13T09:00:00.000Z', '2026-10-13T10:00:00.000Z')),
  storedEvent(calendar, 'crosses-start', timed('2026-10-13T23:00:00.000Z', '2026-10-14T01:00:00.000Z')),
  storedEvent(calendar, 'cancelled-single', { ...timed('2026-11-03T09:00:00.000Z', '2026-11-03T10:00:00.000Z'), status: 'cancelled' }),
  // All-day events around Monday 2 Nov in New York (local midnight = 05:00Z).
  storedEvent(calendar, 'day-sun', allDay('2026-11-01', '2026-11-02')),
  storedEvent(calendar, 'day-mon', allDay('2026-11-02', '2026-11-03')),
  storedEvent(calendar, 'day-tue', allDay('2026-11-03', '2026-11-04')),
];
const RANGE = { start: new Date('2026-10-14T00:00:00Z'), end: new Date('2026-11-20T00:00:00Z') };

let stores: TestStores;
let deps: ListEventsDeps;

beforeAll(async () => {
  stores = await createTestStores();
  await stores.calendars.put(calendar, null);
  await stores.events.putMany([master, moved, cancelled, endedSeries, ...singles]);
  deps = { calendars: stores.calendars, events: stores.events, expander: new CalendarRecurrenceExpander() };
});

const list = (overrides: Partial<Parameters<typeof listEvents>[1]> = {}) =>
  listEvents(deps, { tenantId: TENANT, calendarId: calendar.id, range: RANGE, limit: 500, expand: true, ...overrides });

const startOf = (item: EventListItem) => ('date' in item.start ? item.start.date : item.start.dateTime);

describe('listEvents on DynamoDB Local', () => {
  it('expands the weekly series at 09:00 New York time across DST, with the moved instance moved and the cancelled one gone', async () => {
    const page = await list();
    const weekly = page.items.filter((item) => item.id === master.id || item.id === moved.id);
    expect(weekly.map((item) => [item.occurrenceId, startOf(item), item.title])).toEqual([
      [`${master.id}_20261015T130000Z`, '2026-10-15T13:00:00Z', 'Weekly'],
      [`${master.id}_20261022T130000Z`, '2026-10-22T13:00:00Z', 'Weekly'],
      [`${master.id}_20261029T130000Z`, '2026-10-30T14:00:00Z', 'Weekly (moved)'],
      [`${master.id}_20261105T140000Z`, '2026-11-05T14:00:00Z', 'Weekly'],
      [`${master.id}_20261119T140000Z`, '2026-11-19T14:00:00Z', 'Weekly'],
    ]);
    const instance = weekly[3]!;
    expect(instance).toMatchObject({
      kind: 'master',
      start: { dateTime: '2026-11-05T14:00:00Z', timeZone: NY },
      end: { dateTime: '2026-11-05T15:00:00Z', timeZone: NY },
      originalStart: { dateTime: '2026-11-05T14:00:00Z', timeZone: NY },
    });
    expect(instance).not.toHaveProperty('tenantId');
  });

  it('returns every occurrence in the range once, sorted by start then id, without cancelled or out-of-range events', async () => {
    const page = await list();
    expect(page.nextCursor).toBeNull();
    const keys = page.items.map((item) => [startOf(item), item.id]);
    expect(page.items.map((item) => item.id)).toEqual([
      singles[3]!.id, // crosses-start
      master.id,
      master.id,
      moved.id,
      singles[5]!.id, // day-sun: 1 Nov in New York runs 25 hours, 04:00Z on the 1st to 05:00Z on the 2nd
      singles[6]!.id,
      singles[7]!.id,
      ...[master.id, singles[1]!.id].sort(), // both 14:00Z on 5 Nov
      singles[0]!.id,
      master.id,
    ]);
    expect(keys.length).toBe(new Set(page.items.map((item) => item.occurrenceId)).size);
  });

  it('places all-day events by the calendar zone exactly at the range edges', async () => {
    // Monday 2 Nov in New York: [05:00Z on the 2nd, 05:00Z on the 3rd).
    const page = await list({ range: { start: new Date('2026-11-02T05:00:00Z'), end: new Date('2026-11-03T05:00:00Z') } });
    expect(page.items.map((item) => item.id)).toEqual([singles[6]!.id]);
    expect(page.items[0]).toMatchObject({ start: { date: '2026-11-02' }, end: { date: '2026-11-03' }, occurrenceId: singles[6]!.id });
    // One hour earlier, Sunday's all-day event still overlaps.
    const earlier = await list({ range: { start: new Date('2026-11-02T04:00:00Z'), end: new Date('2026-11-02T06:00:00Z') } });
    expect(earlier.items.map((item) => item.id).sort()).toEqual([singles[5]!.id, singles[6]!.id].sort());
  });

  it('does not bring back an instance whose exception moved out of the range', async () => {
    const page = await list({ range: { start: new Date('2026-10-29T00:00:00Z'), end: new Date('2026-10-30T00:00:00Z') } });
    expect(page.items).toEqual([]);
  });

  it('returns the stored records with expand=false: series with an instance in range, exceptions (cancelled too), live singles', async () => {
    const page = await list({ expand: false });
    const byId = new Map(page.items.map((item) => [item.id, item]));
    expect([...byId.keys()].sort()).toEqual(
      [master.id, moved.id, cancelled.id, singles[0]!.id, singles[1]!.id, singles[3]!.id, singles[5]!.id, singles[6]!.id, singles[7]!.id].sort(),
    );
    expect(byId.get(master.id)).toMatchObject({ recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TH'], start: master.start, end: master.end });
    expect(byId.get(cancelled.id)).toMatchObject({ status: 'cancelled' });
    expect(page.items.every((item) => item.occurrenceId === undefined)).toBe(true);
    expect(page.items.slice(0, 2).map((item) => item.id)).toEqual([singles[3]!.id, master.id]); // the master by its own start, 15 Oct
  });

  it('walks every item exactly once through pages of 2, the last page without a cursor', async () => {
    for (const expand of [true, false]) {
      const whole = await list({ expand });
      const walked: EventListItem[] = [];
      let cursor: string | undefined;
      for (let pageNumber = 0; pageNumber < 50; pageNumber++) {
        const page = await list({ expand, limit: 2, cursor });
        walked.push(...page.items);
        if (!page.nextCursor) break;
        expect(page.items).toHaveLength(2);
        cursor = page.nextCursor;
      }
      expect(walked).toEqual(whole.items);
    }
  });

  it("answers 404 for another tenant's calendar and 400 for a forged cursor", async () => {
    const foreign = await listEvents(deps, { tenantId: 'other', calendarId: calendar.id, range: RANGE, limit: 10, expand: true }).catch((e: unknown) => e);
    expect(isAppError(foreign, 'resource.not_found')).toBe(true);
    const forged = await list({ cursor: Buffer.from('{"sk":"x"}').toString('base64url') }).catch((e: unknown) => e);
    expect(isAppError(forged, 'input.invalid')).toBe(true);
    expect((forged as { details: { field: string } }).details.field).toBe('query.cursor');
  });
});
