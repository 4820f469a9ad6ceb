import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimeRange } from '../../../shared/domain/calendar.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/index.ts';
import { fromOccurrence, fromOracle, readExpectations, readFixture, sortComparables } from '../../unit/ical/fixture-support.ts';
import { startRadicale, type Radicale, type RadicaleUser } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { OtherClient, providerFor } from './support/caldav-setup.ts';
import type { VeventSpec } from './support/ics.ts';
import { SyncedCalendar, expectSameEvents } from './support/sync-harness.ts';

/**
 * What goes into Radicale comes back out of our store unchanged in meaning: recurring events with moved and
 * cancelled instances, series crossing DST in New York and Berlin, and an Outlook file with a Windows zone
 * name, checked by expanding what the store holds into concrete occurrences.
 */

let radicale: Radicale;
let user: RadicaleUser;
let stores: TestStores;
let calendars = 0;

beforeAll(async () => {
  radicale = await startRadicale({ users: { trip: 'trip-password' } });
  user = radicale.user('trip');
  stores = await createTestStores();
});
afterAll(() => radicale?.stop());

async function setup(options: { now?: string; zone?: string; window?: { pastDays: number; futureDays: number } } = {}) {
  const slug = `trip-${++calendars}`;
  const zone = options.zone ?? 'Europe/Berlin';
  const collectionUrl = await user.makeCalendar(slug, { timeZone: zone });
  const provider = providerFor(radicale, 'trip');
  const synced = new SyncedCalendar({ stores, clock: new TestClock(options.now ?? '2026-11-23T12:00:00Z'), publisher: new RecordingPublisher(), provider, tenantId: 'trip', key: slug, collectionUrl, serverUrl: radicale.url, timeZone: zone, ...(options.window ? { syncWindow: options.window } : {}) });
  await synced.register();
  return { synced, other: new OtherClient(user, collectionUrl), provider, ref: { providerCalendarId: collectionUrl, timeZone: zone }, collectionUrl };
}

/** The occurrences (title, start instant) that the store's events expand to in `range`. */
async function occurrences(synced: SyncedCalendar, range: TimeRange): Promise<{ title: string | null; start: string; end: string }[]> {
  const events = await stores.events.listAll('trip', synced.calendar.id);
  return new CalendarRecurrenceExpander()
    .expand(events, range, () => synced.calendar.timeZone)
    .map((o) => ({ title: o.event.title, start: o.startDate ?? new Date(o.startMs).toISOString(), end: o.endDate ?? new Date(o.endMs).toISOString() }))
    .sort((a, b) => a.start.localeCompare(b.start));
}

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('CalDAV round trips through Radicale and the store', () => {
  it('a weekly series with a moved, a cancelled and an excluded instance expands to exactly the remaining occurrences', async () => {
    const { synced, other, provider, ref, collectionUrl } = await setup();
    const uid = randomUUID();
    const zone = 'Europe/Berlin';
    const at = (iso: string) => ({ wall: wall(iso), zone });
    const master: VeventSpec = { uid, title: 'Weekly sync', start: at('2026-12-07T10:00:00'), end: at('2026-12-07T11:00:00'), rrule: 'FREQ=WEEKLY;COUNT=6', exdates: [at('2026-12-28T10:00:00')] };
    await other.create([
      master,
      { uid, title: 'Weekly sync (moved)', recurrenceId: at('2026-12-14T10:00:00'), start: at('2026-12-15T14:00:00'), end: at('2026-12-15T15:00:00') },
      { uid, title: 'Weekly sync', recurrenceId: at('2026-12-21T10:00:00'), start: at('2026-12-21T10:00:00'), end: at('2026-12-21T11:00:00'), status: 'CANCELLED' },
    ]);
    await synced.settle();
    expectSameEvents(await synced.stored(), await synced.expectedFrom(user, collectionUrl), 'store = Radicale');
    const range = { start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') };
    expect(await occurrences(synced, range)).toEqual([
      { title: 'Weekly sync', start: '2026-12-07T09:00:00.000Z', end: '2026-12-07T10:00:00.000Z' },
      { title: 'Weekly sync (moved)', start: '2026-12-15T13:00:00.000Z', end: '2026-12-15T14:00:00.000Z' },
      { title: 'Weekly sync', start: '2027-01-04T09:00:00.000Z', end: '2027-01-04T10:00:00.000Z' },
      { title: 'Weekly sync', start: '2027-01-11T09:00:00.000Z', end: '2027-01-11T10:00:00.000Z' },
    ]);

    // Our adapter edits one occurrence (a new override) and deletes another (an EXDATE): other clients' data survives.
    const fifth = `${uid}#20270104T090000Z`;
    const edited = await provider.updateEvent(ref, fifth, { title: 'Weekly sync (new year)', start: { dateTime: '2027-01-05T08:00:00Z', timeZone: zone }, end: { dateTime: '2027-01-05T09:00:00Z', timeZone: zone } });
    expect(edited).toMatchObject({ providerEventId: fifth, kind: 'exception', recurringEventId: uid, originalStart: { dateTime: '2027-01-04T09:00:00Z' } });
    await provider.deleteEvent(ref, `${uid}#20270111T090000Z`, { etag: edited.etag });
    const object = (await user.list(collectionUrl)).find((o) => o.data.includes(uid))!;
    expect(object.data.match(/BEGIN:VALARM/g)?.length, 'the other client\'s alarms survive our edits').toBe(3);
    expect(object.data).toMatch(/EXDATE/);
    await synced.settle();
    expectSameEvents(await synced.stored(), await synced.expectedFrom(user, collectionUrl), 'store = Radicale after our edits');
    expect(await occurrences(synced, range)).toEqual([
      { title: 'Weekly sync', start: '2026-12-07T09:00:00.000Z', end: '2026-12-07T10:00:00.000Z' },
      { title: 'Weekly sync (moved)', start: '2026-12-15T13:00:00.000Z', end: '2026-12-15T14:00:00.000Z' },
      { title: 'Weekly sync (new year)', start: '2027-01-05T08:00:00.000Z', end: '2027-01-05T09:00:00.000Z' },
    ]);
  });

  for (const { zone, dst, before, after } of [
    { zone: 'America/New_York', dst: 'second Sunday of March (14 March 2027)', before: '14:00', after: '13:00' },
    { zone: 'Europe/Berlin', dst: 'last Sunday of March (28 March 2027)', before: '08:00', after: '07:00' },
  ]) {
    it(`a 09:00 weekly series in ${zone} stays at 09:00 local across the ${dst}`, async () => {
      const { synced, other, collectionUrl } = await setup({ zone });
      const uid = randomUUID();
      await other.create([{ uid, title: `DST ${zone}`, start: { wall: wall('2027-03-01T09:00:00'), zone }, end: { wall: wall('2027-03-01T09:30:00'), zone }, rrule: 'FREQ=WEEKLY;COUNT=6' }]);
      await synced.settle();
      expectSameEvents(await synced.stored(), await synced.expectedFrom(user, collectionUrl), 'store = Radicale');
      const starts = (await occurrences(synced, { start: new Date('2027-02-01T00:00:00Z'), end: new Date('2027-05-01T00:00:00Z') })).map((o) => o.start);
      const mondays = ['03-01', '03-08', '03-15', '03-22', '03-29', '04-05'];
      const switchIndex = zone === 'America/New_York' ? 2 : 4;
      expect(starts).toEqual(mondays.map((day, i) => `2027-${day}T${i < switchIndex ? before : after}:00.000Z`));
    });
  }

  it('a DST-crossing series written by our adapter reads back the same, and Radicale keeps its local time', async () => {
    const { synced, provider, ref, collectionUrl } = await setup();
    const created = await provider.createEvent(ref, {
      title: 'Autumn series',
      start: { dateTime: '2027-10-18T07:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2027-10-18T08:00:00Z', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    });
    const object = (await user.list(collectionUrl)).find((o) => o.data.includes(created.providerEventId))!;
    expect(object.data).toMatch(/DTSTART;TZID=Europe\/Berlin:20271018T090000/);
    await synced.settle();
    const stored = (await synced.stored()).get(created.providerEventId);
    expect(stored).toEqual({ ...created, etag: object.etag });
    const starts = (await occurrences(synced, { start: new Date('2027-10-01T00:00:00Z'), end: new Date('2027-11-30T00:00:00Z') })).map((o) => o.start);
    expect(starts).toEqual(['2027-10-18T07:00:00.000Z', '2027-10-25T07:00:00.000Z', '2027-11-01T08:00:00.000Z']);
  });

  it('an all-day event keeps its dates (exclusive end), whatever the calendar zone', async () => {
    const { synced, other } = await setup({ zone: 'Pacific/Auckland' });
    const uid = await other.create([{ uid: randomUUID(), title: 'Holiday', start: { date: '2026-12-24' }, end: { date: '2026-12-27' } }]);
    await synced.settle();
    expect((await synced.stored()).get(uid)).toMatchObject({ start: { date: '2026-12-24' }, end: { date: '2026-12-27' } });
  });

  it('an Outlook file with a Windows zone name (New Zealand Standard Time) expands to the oracle occurrences', async () => {
    const fixture = 'allenporter-ical__office_360_nz_tz.ics';
    // The window must cover the fixture's events (October 2025 to June 2026).
    const { synced, collectionUrl } = await setup({ now: '2026-01-15T00:00:00Z', zone: 'Pacific/Auckland', window: { pastDays: 365, futureDays: 365 } });
    const objects = splitByUid(readFixture(fixture));
    expect(objects.length).toBe(3);
    for (const [index, ics] of objects.entries()) await user.put(collectionUrl, `outlook-${index}.ics`, ics, { ifNoneMatch: true });
    await synced.settle();
    expectSameEvents(await synced.stored(), await synced.expectedFrom(user, collectionUrl), 'store = Radicale');
    expect([...(await synced.stored()).values()].every((e) => !('date' in e.start) && e.start.timeZone === 'Pacific/Auckland')).toBe(true);

    const oracle = readExpectations(fixture);
    const events = await stores.events.listAll('trip', synced.calendar.id);
    const expanded = new CalendarRecurrenceExpander().expand(events, { start: new Date('2020-01-01T00:00:00Z'), end: new Date('2028-01-01T00:00:00Z') }, () => null);
    expect(sortComparables(expanded.map(fromOccurrence))).toEqual(sortComparables(oracle.occurrences!.map(fromOracle)));
    expect(expanded).toHaveLength(oracle.count!);
  });
});

/** One calendar object per UID (CalDAV's rule), each with the file's VCALENDAR properties and VTIMEZONEs. */
function splitByUid(ics: string): string[] {
  const lines = ics.replace(/\r?\n/g, '\r\n').split('\r\n');
  const header: string[] = [];
  const events = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = [];
    if (current) current.push(line);
    else if (line !== 'END:VCALENDAR' && line !== '') header.push(line);
    if (line === 'END:VEVENT' && current) {
      const unfolded = current.join('\r\n').replace(/\r\n[ \t]/g, '');
      const uid = /^UID:(.*)$/m.exec(unfolded)?.[1] ?? randomUUID();
      events.set(uid, [...(events.get(uid) ?? []), ...current]);
      current = null;
    }
  }
  return [...events.values()].map((block) => [...header, ...block, 'END:VCALENDAR', ''].join('\r\n'));
}

