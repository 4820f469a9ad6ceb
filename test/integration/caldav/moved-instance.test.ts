import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/index.ts';
import { startRadicale, type Radicale, type RadicaleUser } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { LOS_ANGELES_VTIMEZONE } from '../../unit/ical/los-angeles-vtimezone.ts';
import { providerFor } from './support/caldav-setup.ts';
import { SyncedCalendar } from './support/sync-harness.ts';

/**
 * Issue 10 item 2 through a real server: a yearly Los Angeles series with one occurrence moved by 30 minutes,
 * written into Radicale in each RECURRENCE-ID form (the floating one, beside a zoned master in a calendar of
 * another zone, used to lose the move), synced into the store and expanded from there. Radicale refuses a
 * component without UID (400, checked below), so the other class that lost the move — an override without
 * its own UID line, as servers that do not validate keep it — is covered by test/unit/ical/moved-instance.test.ts.
 */

let radicale: Radicale;
let user: RadicaleUser;
let stores: TestStores;
let calendars = 0;

beforeAll(async () => {
  radicale = await startRadicale({ users: { moved: 'moved-password' } });
  user = radicale.user('moved');
  stores = await createTestStores();
}, 60_000);
afterAll(() => radicale?.stop());

function ics(uid: string, recurrenceIdLine: string, overrideHasUid: boolean): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//defects test//EN', 'X-WR-TIMEZONE:America/Los_Angeles',
    ...LOS_ANGELES_VTIMEZONE,
    'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=America/Los_Angeles:20260615T100000', 'DTEND;TZID=America/Los_Angeles:20260615T110000',
    'RRULE:FREQ=YEARLY', 'SUMMARY:Anniversary', 'END:VEVENT',
    'BEGIN:VEVENT', ...(overrideHasUid ? [`UID:${uid}`] : []), 'DTSTAMP:20260101T000000Z', recurrenceIdLine,
    'DTSTART;TZID=America/Los_Angeles:20270615T103000', 'DTEND;TZID=America/Los_Angeles:20270615T113000', 'SUMMARY:Anniversary (moved)', 'END:VEVENT',
    'END:VCALENDAR', '',
  ].join('\r\n');
}

describe('CalDAV on Radicale: a moved instance of a yearly series is where it was moved', () => {
  for (const { form, recurrenceId, withUid } of [
    { form: 'RECURRENCE-ID with TZID', recurrenceId: 'RECURRENCE-ID;TZID=America/Los_Angeles:20270615T100000', withUid: true },
    { form: 'RECURRENCE-ID in UTC', recurrenceId: 'RECURRENCE-ID:20270615T170000Z', withUid: true },
    { form: 'floating RECURRENCE-ID', recurrenceId: 'RECURRENCE-ID:20270615T100000', withUid: true },
  ]) {
    it(`${form}, in a calendar whose zone is Europe/Berlin`, async () => {
      const slug = `moved-${++calendars}`;
      const zone = 'Europe/Berlin';
      const collectionUrl = await user.makeCalendar(slug, { timeZone: zone });
      const synced = new SyncedCalendar({
        stores, clock: new TestClock('2027-01-15T12:00:00Z'), publisher: new RecordingPublisher(), provider: providerFor(radicale, 'moved'),
        tenantId: 'moved', key: slug, collectionUrl, serverUrl: radicale.url, timeZone: zone, syncWindow: { pastDays: 365, futureDays: 365 },
      });
      await synced.register();
      const uid = `anniversary-${calendars}@example.test`;
      await user.put(collectionUrl, `${slug}.ics`, ics(uid, recurrenceId, withUid), { ifNoneMatch: true });
      const stored = (await user.list(collectionUrl)).find((o) => o.data.includes(uid))!;
      expect(stored.data, 'Radicale kept the override as a sibling VEVENT').toMatch(/RECURRENCE-ID/);
      await synced.settle();

      const events = await stores.events.listAll('moved', synced.calendar.id);
      expect(events.filter((e) => e.kind === 'exception').map((e) => e.recurringEventId)).toEqual([uid]);
      const occurrences = new CalendarRecurrenceExpander()
        .expand(events, { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2029-01-01T00:00:00Z') }, () => zone)
        .map((o) => `${new Date(o.startMs).toISOString()} ${o.event.title}`);
      // 10:00 PDT = 17:00Z; the 2027 occurrence moved to 10:30 PDT = 17:30Z.
      expect(occurrences).toEqual(['2026-06-15T17:00:00.000Z Anniversary', '2027-06-15T17:30:00.000Z Anniversary (moved)', '2028-06-15T17:00:00.000Z Anniversary']);
    });
  }

  it('Radicale refuses an override without its own UID line (so that class is tested on files, not here)', async () => {
    const collectionUrl = await user.makeCalendar(`moved-${++calendars}`, { timeZone: 'UTC' });
    const put = user.put(collectionUrl, 'no-uid.ics', ics('no-uid@example.test', 'RECURRENCE-ID:20270615T170000Z', false), { ifNoneMatch: true });
    await expect(put).rejects.toThrow(/400/);
  });
});
