import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleSimulator } from '../../../simulators/google/index.ts';
import { occurrenceKeys, parseRecurrence, RecurrenceError, type SeriesAnchor } from '../../../simulators/google/recurrence.ts';
import { ALICE, eventsPath, manualClock, startWithAlice, type ErrorJson, type EventsPageJson, type GoogleEventJson } from './helpers.ts';

// Recurring events (providers.md item 9) and the simulator's own RRULE expander.
const DAY = 86_400_000;

function expand(lines: string[], anchor: SeriesAnchor, until: string): string[] {
  const keys = occurrenceKeys(parseRecurrence(lines, anchor), anchor, Date.parse(until));
  return keys.map((key) => (anchor.allDay ? new Date(key).toISOString().slice(0, 10) : new Date(key).toISOString()));
}

const berlin = (wall: string): SeriesAnchor => ({ allDay: false, startMs: Date.parse(`${wall}+01:00`), zone: 'Europe/Berlin' });
const utc = (wall: string): SeriesAnchor => ({ allDay: false, startMs: Date.parse(`${wall}Z`), zone: 'UTC' });

describe('RRULE expander', () => {
  it('WEEKLY with BYDAY and COUNT (DTSTART counts as the first)', () => {
    expect(expand(['RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5'], utc('2030-01-07T10:00:00'), '2031-01-01T00:00:00Z')).toEqual([
      '2030-01-07T10:00:00.000Z',
      '2030-01-09T10:00:00.000Z',
      '2030-01-11T10:00:00.000Z',
      '2030-01-14T10:00:00.000Z',
      '2030-01-16T10:00:00.000Z',
    ]);
  });

  it('DAILY with INTERVAL and an inclusive UNTIL', () => {
    expect(expand(['RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20300107T100000Z'], utc('2030-01-01T10:00:00'), '2031-01-01T00:00:00Z')).toEqual([
      '2030-01-01T10:00:00.000Z',
      '2030-01-03T10:00:00.000Z',
      '2030-01-05T10:00:00.000Z',
      '2030-01-07T10:00:00.000Z',
    ]);
  });

  it('MONTHLY on the last Friday and on the 31st (months without one are skipped)', () => {
    expect(expand(['RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=4'], utc('2030-01-25T09:00:00'), '2031-01-01T00:00:00Z').map((d) => d.slice(0, 10))).toEqual([
      '2030-01-25',
      '2030-02-22',
      '2030-03-29',
      '2030-04-26',
    ]);
    expect(expand(['RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3'], utc('2030-01-31T09:00:00'), '2031-01-01T00:00:00Z').map((d) => d.slice(0, 10))).toEqual([
      '2030-01-31',
      '2030-03-31',
      '2030-05-31',
    ]);
  });

  it('keeps the wall time across a DST change and removes EXDATEs given with TZID', () => {
    const result = expand(
      ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/Berlin:20300325T090000'],
      berlin('2030-03-18T09:00:00'),
      '2031-01-01T00:00:00Z',
    );
    // 2030-03-31 is the switch to CEST: 09:00 local is 08:00Z before and 07:00Z after.
    expect(result).toEqual(['2030-03-18T08:00:00.000Z', '2030-04-01T07:00:00.000Z', '2030-04-08T07:00:00.000Z']);
  });

  it('expands all-day series by date and adds RDATEs', () => {
    const anchor: SeriesAnchor = { allDay: true, startDay: Date.parse('2030-01-01') / DAY };
    expect(expand(['RRULE:FREQ=DAILY;COUNT=3', 'RDATE;VALUE=DATE:20300110'], anchor, '2031-01-01T00:00:00Z')).toEqual([
      '2030-01-01',
      '2030-01-02',
      '2030-01-03',
      '2030-01-10',
    ]);
  });

  it('stops open-ended rules at the limit and refuses what it does not support', () => {
    expect(expand(['RRULE:FREQ=DAILY'], utc('2030-01-01T10:00:00'), '2030-01-03T23:00:00Z')).toHaveLength(3);
    expect(() => parseRecurrence(['RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO'], utc('2030-01-01T10:00:00'))).toThrow(RecurrenceError);
    expect(() => parseRecurrence(['EXRULE:FREQ=DAILY'], utc('2030-01-01T10:00:00'))).toThrow(RecurrenceError);
  });
});

let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup() {
  const clock = manualClock('2030-01-01T00:00:00Z');
  const started = await startWithAlice({ now: clock.now, timeZone: 'Europe/Berlin' });
  sim = started.sim;
  const master = started.sim.createRecurringEvent(ALICE, {
    summary: 'Weekly sync',
    start: { dateTime: '2030-01-07T09:00:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2030-01-07T09:30:00', timeZone: 'Europe/Berlin' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
  });
  return { ...started, master };
}

async function all(api: Awaited<ReturnType<typeof startWithAlice>>['api'], query: Record<string, string | number | boolean>): Promise<EventsPageJson> {
  const page = await api<EventsPageJson>('GET', eventsPath(ALICE, { maxResults: 2500, ...query }));
  expect(page.status).toBe(200);
  return page.body;
}

describe('recurring events over HTTP', () => {
  it('singleEvents=true expands the series and hides the master; instances share the iCalUID', async () => {
    const { api, master } = await setup();

    const expanded = await all(api, { singleEvents: true, orderBy: 'startTime' });
    const collapsed = await all(api, {});

    expect(expanded.items.map((e) => e.id)).toEqual([
      `${master.id}_20300107T080000Z`,
      `${master.id}_20300114T080000Z`,
      `${master.id}_20300121T080000Z`,
      `${master.id}_20300128T080000Z`,
    ]);
    expect(expanded.items.every((e) => e.recurringEventId === master.id && e.iCalUID === master.iCalUID)).toBe(true);
    expect(expanded.items[1]?.originalStartTime).toEqual({ dateTime: '2030-01-14T09:00:00+01:00', timeZone: 'Europe/Berlin' });
    expect(collapsed.items.map((e) => e.id)).toEqual([master.id]);
    expect(collapsed.items[0]?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=4']);
  });

  it('all-day instances get yyyymmdd ids', async () => {
    const { sim: google, api } = await setup();
    const series = google.createRecurringEvent(ALICE, { summary: 'Gym', start: { date: '2030-02-01' }, end: { date: '2030-02-02' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=2'] });

    const page = await all(api, { singleEvents: true, iCalUID: series.iCalUID as string });

    expect(page.items.map((e) => [e.id, e.start?.date, e.end?.date])).toEqual([
      [`${series.id}_20300201`, '2030-02-01', '2030-02-02'],
      [`${series.id}_20300202`, '2030-02-02', '2030-02-03'],
    ]);
  });

  it('requires start.timeZone on a timed master', async () => {
    const { api } = await setup();

    const result = await api<ErrorJson>('POST', eventsPath(ALICE), {
      summary: 'No zone',
      start: { dateTime: '2030-01-07T09:00:00+01:00' },
      end: { dateTime: '2030-01-07T10:00:00+01:00' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
    });

    expect(result.status).toBe(400);
    expect(result.body.error.errors[0]?.reason).toBe('required');
  });

  it('editing one instance creates an exception listed with recurringEventId and originalStartTime', async () => {
    const { api, master } = await setup();
    const instanceId = `${master.id}_20300114T080000Z`;

    const edited = await api<GoogleEventJson>('PATCH', eventsPath(ALICE).replace('/events', `/events/${instanceId}`), {
      summary: 'Moved sync',
      start: { dateTime: '2030-01-15T10:00:00+01:00' },
      end: { dateTime: '2030-01-15T10:30:00+01:00' },
    });
    const collapsed = await all(api, {});
    const expanded = await all(api, { singleEvents: true, orderBy: 'startTime' });

    expect(edited.status).toBe(200);
    expect(collapsed.items.map((e) => e.id)).toEqual([master.id, instanceId]);
    const exception = collapsed.items[1] as GoogleEventJson;
    expect(exception).toMatchObject({ recurringEventId: master.id, originalStartTime: { dateTime: '2030-01-14T09:00:00+01:00' }, summary: 'Moved sync' });
    expect(expanded.items.map((e) => [e.id, e.start?.dateTime])).toEqual([
      [`${master.id}_20300107T080000Z`, '2030-01-07T09:00:00+01:00'],
      [instanceId, '2030-01-15T10:00:00+01:00'],
      [`${master.id}_20300121T080000Z`, '2030-01-21T09:00:00+01:00'],
      [`${master.id}_20300128T080000Z`, '2030-01-28T09:00:00+01:00'],
    ]);
  });

  it('cancelling one instance: listed as cancelled with singleEvents=false, hidden with singleEvents=true unless showDeleted', async () => {
    const { sim: google, api, master } = await setup();
    const full = await all(api, {});
    google.cancelInstance(ALICE, master.id, '2030-01-21T09:00:00+01:00');
    const instanceId = `${master.id}_20300121T080000Z`;

    const collapsed = await all(api, {});
    const expanded = await all(api, { singleEvents: true });
    const expandedWithDeleted = await all(api, { singleEvents: true, showDeleted: true });
    const incremental = await all(api, { syncToken: full.nextSyncToken as string });

    const cancelled = { kind: 'calendar#event', etag: expect.any(String), id: instanceId, status: 'cancelled', recurringEventId: master.id, originalStartTime: { dateTime: '2030-01-21T09:00:00+01:00', timeZone: 'Europe/Berlin' } };
    expect(collapsed.items.find((e) => e.id === instanceId)).toEqual(cancelled);
    expect(expanded.items.map((e) => e.id)).not.toContain(instanceId);
    expect(expandedWithDeleted.items.find((e) => e.id === instanceId)?.status).toBe('cancelled');
    expect(incremental.items).toEqual([cancelled]);
  });

  it('changing the rule drops exceptions that no longer fall on it and reports them as deleted', async () => {
    const { sim: google, api, master } = await setup();
    google.editInstance(ALICE, master.id, '2030-01-28T09:00:00+01:00', { summary: 'Last one, edited' });
    google.editInstance(ALICE, master.id, '2030-01-14T09:00:00+01:00', { summary: 'Second, edited' });
    const token = (await all(api, {})).nextSyncToken as string;

    google.setRecurrence(ALICE, master.id, ['RRULE:FREQ=WEEKLY;COUNT=3']);

    const changed = await all(api, { syncToken: token });
    const collapsed = await all(api, {});
    const lastId = `${master.id}_20300128T080000Z`;
    expect(changed.items.map((e) => e.id).sort()).toEqual([master.id, lastId].sort());
    expect(changed.items.find((e) => e.id === lastId)?.status).toBe('cancelled');
    expect(collapsed.items.map((e) => e.id)).toEqual([master.id, `${master.id}_20300114T080000Z`]);
  });

  it('deleting the series tombstones the master and its exceptions', async () => {
    const { sim: google, api, master } = await setup();
    google.editInstance(ALICE, master.id, '2030-01-14T09:00:00+01:00', { summary: 'edited' });
    const token = (await all(api, {})).nextSyncToken as string;

    google.deleteEvent(ALICE, master.id);

    const changed = await all(api, { syncToken: token });
    expect(changed.items.map((e) => [e.id, e.status]).sort()).toEqual([
      [master.id, 'cancelled'],
      [`${master.id}_20300114T080000Z`, 'cancelled'],
    ]);
    expect(google.truth(ALICE)).toEqual([]);
  });

  it('incremental rounds with singleEvents=true speak in instances', async () => {
    const { sim: google, api, master } = await setup();
    const token = (await all(api, { singleEvents: true })).nextSyncToken as string;
    google.patchEvent(ALICE, master.id, { summary: 'Renamed sync' });
    const afterRename = await all(api, { singleEvents: true, syncToken: token });
    google.deleteEvent(ALICE, master.id);
    const afterDelete = await all(api, { singleEvents: true, syncToken: afterRename.nextSyncToken as string });
    const mismatch = await api<ErrorJson>('GET', eventsPath(ALICE, { syncToken: token }));

    expect(afterRename.items).toHaveLength(4);
    expect(afterRename.items.every((e) => e.summary === 'Renamed sync' && e.recurringEventId === master.id)).toBe(true);
    expect(afterDelete.items.map((e) => e.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(afterDelete.items.every((e) => e.recurringEventId === master.id && e.originalStartTime)).toBe(true);
    expect(mismatch.status).toBe(400);
  });

  it('expands long-running series near the window, however many instances lie before it', async () => {
    const { sim: google, api } = await setup();
    const old = google.createRecurringEvent(ALICE, { summary: 'Since 2010', start: { dateTime: '2010-01-01T07:00:00', timeZone: 'UTC' }, end: { dateTime: '2010-01-01T07:30:00', timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=DAILY'] });

    const page = await all(api, { singleEvents: true, iCalUID: old.iCalUID as string, timeMin: '2030-01-10T00:00:00Z', timeMax: '2030-01-12T00:00:00Z' });
    const instance = await api<GoogleEventJson>('GET', eventsPath(ALICE).replace('/events', `/events/${old.id}_20300111T070000Z`));

    expect(page.items.map((e) => e.id)).toEqual([`${old.id}_20300110T070000Z`, `${old.id}_20300111T070000Z`]);
    expect(instance.status).toBe(200);
  });

  it('events.instances lists the series with exceptions applied; instance ids work with get and PUT', async () => {
    const { sim: google, api, master } = await setup();
    google.cancelInstance(ALICE, master.id, '2030-01-14T09:00:00+01:00');
    const instancesPath = eventsPath(ALICE).replace('/events', `/events/${master.id}/instances`);
    const instanceId = `${master.id}_20300121T080000Z`;

    const firstPage = await api<EventsPageJson>('GET', `${instancesPath}?maxResults=2`);
    const secondPage = await api<EventsPageJson>('GET', `${instancesPath}?maxResults=2&pageToken=${firstPage.body.nextPageToken}`);
    const fetched = await api<GoogleEventJson>('GET', eventsPath(ALICE).replace('/events', `/events/${instanceId}`));
    const replaced = await api<GoogleEventJson>('PUT', eventsPath(ALICE).replace('/events', `/events/${instanceId}`), {
      summary: 'Replaced instance',
      start: fetched.body.start,
      end: fetched.body.end,
    });

    expect([...firstPage.body.items, ...secondPage.body.items].map((e) => e.id)).toEqual([
      `${master.id}_20300107T080000Z`,
      instanceId,
      `${master.id}_20300128T080000Z`,
    ]);
    expect(fetched.body).toMatchObject({ id: instanceId, recurringEventId: master.id, summary: 'Weekly sync' });
    expect(replaced.body).toMatchObject({ id: instanceId, summary: 'Replaced instance', recurringEventId: master.id });
    expect(google.truth(ALICE).map((e) => e.id)).toContain(instanceId);
  });
});
