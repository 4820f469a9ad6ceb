import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { freeBusy, type FreeBusyDeps } from '../../../shared/use-cases/free-busy.ts';
import { TestClock, createTestStores, syncedCalendar, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';
import { allDay, storedEvent, timed } from '../../unit/read-side/support.ts';

const TENANT = 'acme';
const connection = testConnection(TENANT);
// Synced on 1 November and asked on the 2nd: the whole range is inside their mirrored windows.
const work: Calendar = syncedCalendar(connection, { providerCalendarId: 'work', timeZone: 'America/New_York' });
const home: Calendar = syncedCalendar(connection, { providerCalendarId: 'home', timeZone: 'Europe/Berlin', isPrimary: false });
const team: Calendar = syncedCalendar(connection, { providerCalendarId: 'team', timeZone: 'UTC', isPrimary: false });
const foreign: Calendar = testCalendar(testConnection('other'), { providerCalendarId: 'theirs' });

// Monday 2 – Wednesday 4 November 2026 (after the end of US DST, before nothing else).
const RANGE = { start: new Date('2026-11-02T00:00:00Z'), end: new Date('2026-11-05T00:00:00Z') };

let stores: TestStores;
let deps: FreeBusyDeps;

beforeAll(async () => {
  stores = await createTestStores();
  for (const calendar of [work, home, team, foreign]) await stores.calendars.put(calendar, null);
  const standup = storedEvent(work, 'standup', {
    kind: 'master',
    ...timed('2026-10-26T14:00:00.000Z', '2026-10-26T14:15:00.000Z', 'America/New_York'), // 10:00 EDT
    recurrence: ['RRULE:FREQ=DAILY'],
  });
  await stores.events.putMany([
    // work: a daily 10:00 New York standup (15:00Z after DST), its Tuesday instance cancelled; a transparent focus block.
    standup,
    storedEvent(work, 'standup-tue', {
      kind: 'exception',
      recurringEventId: standup.providerEventId,
      providerEventId: 'p-standup_tue',
      originalStart: { dateTime: '2026-11-03T15:00:00.000Z', timeZone: 'America/New_York' },
      ...timed('2026-11-03T15:00:00.000Z', '2026-11-03T15:15:00.000Z', 'America/New_York'),
      status: 'cancelled',
    }),
    storedEvent(work, 'focus', { ...timed('2026-11-02T16:00:00.000Z', '2026-11-02T18:00:00.000Z'), transparency: 'transparent' }),
    storedEvent(work, 'review', timed('2026-11-02T17:00:00.000Z', '2026-11-02T18:00:00.000Z')),
    // home: overlaps and touches work's review; a cancelled dinner; an all-day Wednesday in Berlin.
    storedEvent(home, 'dentist', timed('2026-11-02T17:30:00.000Z', '2026-11-02T18:30:00.000Z')),
    storedEvent(home, 'call', timed('2026-11-02T18:30:00.000Z', '2026-11-02T19:00:00.000Z')),
    storedEvent(home, 'dinner', { ...timed('2026-11-03T19:00:00.000Z', '2026-11-03T21:00:00.000Z'), status: 'cancelled' }),
    storedEvent(home, 'offsite', allDay('2026-11-04', '2026-11-05')),
    // team: starts before the range and is clipped; one the owner declined.
    storedEvent(team, 'night-deploy', timed('2026-11-01T22:00:00.000Z', '2026-11-02T02:00:00.000Z')),
    storedEvent(team, 'declined', {
      ...timed('2026-11-03T10:00:00.000Z', '2026-11-03T11:00:00.000Z'),
      attendees: [{ email: 'me@example.com', name: null, responseStatus: 'declined', optional: false, organizer: false, self: true }],
    }),
    storedEvent(foreign, 'theirs', timed('2026-11-02T09:00:00.000Z', '2026-11-02T10:00:00.000Z')),
  ]);
  deps = { calendars: stores.calendars, events: stores.events, expander: new CalendarRecurrenceExpander(), clock: new TestClock('2026-11-02T08:00:00Z') };
});

const query = (calendarIds: string[], timeZone?: string) => freeBusy(deps, { tenantId: TENANT, calendarIds, range: RANGE, timeZone });

describe('freeBusy on DynamoDB Local', () => {
  it('merges per calendar and across calendars, without transparent, cancelled or declined events', async () => {
    const result = await query([work.id, home.id, team.id]);
    expect(result.calendars[work.id]).toEqual({
      busy: [
        { start: '2026-11-02T15:00:00.000Z', end: '2026-11-02T15:15:00.000Z' },
        { start: '2026-11-02T17:00:00.000Z', end: '2026-11-02T18:00:00.000Z' },
        { start: '2026-11-04T15:00:00.000Z', end: '2026-11-04T15:15:00.000Z' },
      ],
      syncEnabled: true,
      lastSyncedAt: '2026-11-01T00:00:00.000Z',
      coverage: [{ start: '2026-11-02T00:00:00.000Z', end: '2026-11-05T00:00:00.000Z', source: 'store' }],
      error: null,
    });
    expect(result.calendars[home.id]!.busy).toEqual([
      { start: '2026-11-02T17:30:00.000Z', end: '2026-11-02T19:00:00.000Z' },
      // Wednesday in Berlin (UTC+1): 23:00Z Tuesday to 23:00Z Wednesday.
      { start: '2026-11-03T23:00:00.000Z', end: '2026-11-04T23:00:00.000Z' },
    ]);
    expect(result.calendars[team.id]!.busy).toEqual([{ start: '2026-11-02T00:00:00.000Z', end: '2026-11-02T02:00:00.000Z' }]);
    expect(result.busy).toEqual([
      { start: '2026-11-02T00:00:00.000Z', end: '2026-11-02T02:00:00.000Z' },
      { start: '2026-11-02T15:00:00.000Z', end: '2026-11-02T15:15:00.000Z' },
      { start: '2026-11-02T17:00:00.000Z', end: '2026-11-02T19:00:00.000Z' },
      { start: '2026-11-03T23:00:00.000Z', end: '2026-11-04T23:00:00.000Z' },
    ]);
    expect(result).toMatchObject({ start: '2026-11-02T00:00:00.000Z', end: '2026-11-05T00:00:00.000Z', timeZone: null, complete: true });
  });

  it('reads all-day events in the requested time zone when one is given', async () => {
    const result = await query([home.id], 'Pacific/Kiritimati'); // UTC+14
    expect(result.calendars[home.id]!.busy.at(-1)).toEqual({ start: '2026-11-03T10:00:00.000Z', end: '2026-11-04T10:00:00.000Z' });
    expect(result.timeZone).toBe('Pacific/Kiritimati');
  });

  it("answers 404 naming a calendar that is not the tenant's", async () => {
    const error = await query([work.id, foreign.id]).catch((e: unknown) => e);
    expect(isAppError(error, 'resource.not_found')).toBe(true);
    expect((error as Error).message).toContain(foreign.id);
    expect((error as { details: { field: string } }).details.field).toBe('query.calendarIds');
  });
});
