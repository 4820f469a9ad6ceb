import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleSimulator } from '../../../simulators/google/index.ts';
import { ALICE, eventsPath, manualClock, startWithAlice, timed, type ErrorJson, type EventsPageJson, type GoogleEventJson } from './helpers.ts';

// Writes (providers.md items 5, 10, 11, 21) over HTTP.
let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup(timeZone = 'UTC') {
  const clock = manualClock('2030-01-01T00:00:00Z');
  const started = await startWithAlice({ now: clock.now, timeZone });
  sim = started.sim;
  const eventPath = (id: string, query = ''): string => `${eventsPath(ALICE).replace('/events', `/events/${id}`)}${query}`;
  return { ...started, clock, eventPath };
}

const body = { summary: 'Planning', ...timed('2030-01-10T10:00:00Z', '2030-01-10T11:00:00Z') };

describe('etags and preconditions', () => {
  it('changes the etag and updated on every change; If-Match mismatch answers 412 conditionNotMet', async () => {
    const { api, clock, eventPath } = await setup();
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), body);
    clock.advance(60_000);
    const patched = await api<GoogleEventJson>('PATCH', eventPath(created.body.id), { summary: 'Planning v2' }, { 'if-match': created.body.etag });

    const stalePut = await api<ErrorJson>('PUT', eventPath(created.body.id), body, { 'if-match': created.body.etag });
    const stalePatch = await api<ErrorJson>('PATCH', eventPath(created.body.id), { summary: 'x' }, { 'if-match': created.body.etag });
    const staleDelete = await api<ErrorJson>('DELETE', eventPath(created.body.id), undefined, { 'if-match': created.body.etag });
    const freshDelete = await api('DELETE', eventPath(created.body.id), undefined, { 'if-match': patched.body.etag });

    expect(patched.status).toBe(200);
    expect(patched.body.etag).not.toBe(created.body.etag);
    expect(Date.parse(patched.body.updated as string) - Date.parse(created.body.updated as string)).toBe(60_000);
    for (const stale of [stalePut, stalePatch, staleDelete]) {
      expect(stale.status).toBe(412);
      expect(stale.body.error.errors[0]).toMatchObject({ domain: 'global', reason: 'conditionNotMet' });
    }
    expect(freshDelete.status).toBe(204);
  });

  it('answers 304 to If-None-Match with the current etag', async () => {
    const { api, eventPath } = await setup();
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), body);

    const unchanged = await api('GET', eventPath(created.body.id), undefined, { 'if-none-match': created.body.etag });

    expect(unchanged.status).toBe(304);
  });

  it('refuses a reused id with 409 duplicate, even after deletion', async () => {
    const { api, eventPath } = await setup();
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), { ...body, id: 'ourid00001' });
    const reused = await api<ErrorJson>('POST', eventsPath(ALICE), { ...body, id: 'ourid00001' });
    await api('DELETE', eventPath(created.body.id));
    const reusedAfterDelete = await api<ErrorJson>('POST', eventsPath(ALICE), { ...body, id: 'ourid00001' });
    const badId = await api<ErrorJson>('POST', eventsPath(ALICE), { ...body, id: 'Not_Base32hex' });

    expect(created.body.id).toBe('ourid00001');
    expect(reused.status).toBe(409);
    expect(reused.body.error.errors[0]?.reason).toBe('duplicate');
    expect(reusedAfterDelete.status).toBe(409);
    expect(badId.status).toBe(400);
  });

  it('deleting an already deleted event or cancelled instance answers 410 deleted; get shows the tombstone', async () => {
    const { sim: google, api, eventPath } = await setup();
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), body);
    const series = google.createRecurringEvent(ALICE, { summary: 'Daily', start: { dateTime: '2030-01-02T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-02T09:15:00', timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=3'] });
    const instance = `${series.id}_20300103T090000Z`;

    const first = await api('DELETE', eventPath(created.body.id));
    const second = await api<ErrorJson>('DELETE', eventPath(created.body.id));
    const instanceFirst = await api('DELETE', eventPath(instance));
    const instanceSecond = await api<ErrorJson>('DELETE', eventPath(instance));
    const tombstone = await api<GoogleEventJson>('GET', eventPath(created.body.id));
    const unknown = await api<ErrorJson>('GET', eventPath('unknown0001'));

    expect(first.status).toBe(204);
    expect(second.status).toBe(410);
    expect(second.body.error.errors[0]).toMatchObject({ domain: 'global', reason: 'deleted' });
    expect(instanceFirst.status).toBe(204);
    expect(instanceSecond.status).toBe(410);
    expect(tombstone.body).toMatchObject({ id: created.body.id, status: 'cancelled' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.errors[0]?.reason).toBe('notFound');
  });

  it('an instance whose exception was dropped by a series move is a fresh instance again when the series moves back', async () => {
    const { sim: google, api, eventPath } = await setup();
    const series = google.createRecurringEvent(ALICE, { summary: 'Daily', start: { dateTime: '2030-01-02T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-02T09:15:00', timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=3'] });
    const instance = `${series.id}_20300103T090000Z`;
    expect((await api('DELETE', eventPath(instance))).status).toBe(204);
    // An hour later drops the cancelled exception (its original start is no occurrence any more), then back.
    google.patchEvent(ALICE, series.id, { start: { dateTime: '2030-01-02T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-02T10:15:00', timeZone: 'UTC' } });
    google.patchEvent(ALICE, series.id, { start: { dateTime: '2030-01-02T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-02T09:15:00', timeZone: 'UTC' } });
    const live = () => google.expandedTruth(ALICE, { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-01-10T00:00:00Z' }).filter((e) => e.status !== 'cancelled').map((e) => e.id);
    expect(live()).toContain(instance);
    expect((await api('DELETE', eventPath(instance))).status).toBe(204);
    expect(live()).not.toContain(instance);
    expect((await api<ErrorJson>('DELETE', eventPath(instance))).status).toBe(410);
  });

  it("cannot see or write another user's calendar", async () => {
    const { sim: google, api } = await setup();
    google.createUser({ email: 'bob@example.com' });
    google.insertEvent('bob@example.com', body);

    const list = await api<ErrorJson>('GET', eventsPath('bob@example.com'));
    const insert = await api<ErrorJson>('POST', eventsPath('bob@example.com'), body);

    expect(list.status).toBe(404);
    expect(insert.status).toBe(404);
  });
});

describe('event bodies', () => {
  it.each([
    ['an end before the start', { summary: 'x', ...timed('2030-01-10T11:00:00Z', '2030-01-10T10:00:00Z') }, 'timeRangeEmpty'],
    ['an all-day end equal to the start', { summary: 'x', start: { date: '2030-01-10' }, end: { date: '2030-01-10' } }, 'timeRangeEmpty'],
    ['a date start with a dateTime end', { summary: 'x', start: { date: '2030-01-10' }, end: { dateTime: '2030-01-10T11:00:00Z' } }, 'invalid'],
    ['a dateTime without offset or timeZone', { summary: 'x', start: { dateTime: '2030-01-10T10:00:00' }, end: { dateTime: '2030-01-10T11:00:00' } }, 'required'],
    ['an unknown time zone', { summary: 'x', ...timed('2030-01-10T10:00:00', '2030-01-10T11:00:00', 'Mars/Olympus') }, 'invalid'],
  ])('refuses %s with 400', async (_name, invalid, reason) => {
    const { api } = await setup();

    const result = await api<ErrorJson>('POST', eventsPath(ALICE), invalid);

    expect(result.status).toBe(400);
    expect(result.body.error.errors[0]?.reason).toBe(reason);
  });

  it('renders times with the offset of the response zone and keeps the event zone beside it', async () => {
    const { api, eventPath } = await setup('America/New_York');
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), { summary: 'x', ...timed('2030-01-10T10:00:00', '2030-01-10T11:00:00', 'Europe/Berlin') });

    const inTokyo = await api<GoogleEventJson>('GET', eventPath(created.body.id, '?timeZone=Asia/Tokyo'));

    expect(created.body.start).toEqual({ dateTime: '2030-01-10T04:00:00-05:00', timeZone: 'Europe/Berlin' });
    expect(inTokyo.body.start).toEqual({ dateTime: '2030-01-10T18:00:00+09:00', timeZone: 'Europe/Berlin' });
  });

  it('PATCH merges nested objects, replaces arrays and clears with null; PUT replaces', async () => {
    const { api, eventPath } = await setup();
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), {
      summary: 'x',
      location: 'Room 1',
      attendees: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      ...timed('2030-01-10T10:00:00', '2030-01-10T11:00:00', 'Europe/Berlin'),
    });

    const moved = await api<GoogleEventJson>('PATCH', eventPath(created.body.id), { start: { dateTime: '2030-01-10T09:30:00+01:00' }, attendees: [{ email: 'c@example.com' }], location: null });
    const mixed = await api<ErrorJson>('PATCH', eventPath(created.body.id), { start: { date: '2030-01-10' }, end: { date: '2030-01-11' } });
    const toAllDay = await api<GoogleEventJson>('PATCH', eventPath(created.body.id), { start: { date: '2030-01-10', dateTime: null, timeZone: null }, end: { date: '2030-01-11', dateTime: null, timeZone: null } });
    const replaced = await api<GoogleEventJson>('PUT', eventPath(created.body.id), { summary: 'only this', start: { date: '2030-01-12' }, end: { date: '2030-01-13' } });

    expect(moved.body.start).toEqual({ dateTime: '2030-01-10T08:30:00Z', timeZone: 'Europe/Berlin' });
    expect(moved.body.attendees).toEqual([{ email: 'c@example.com', responseStatus: 'needsAction' }]);
    expect(moved.body.location).toBeUndefined();
    expect(mixed.status).toBe(400);
    expect(toAllDay.body.start).toEqual({ date: '2030-01-10' });
    expect(replaced.body).toMatchObject({ summary: 'only this', start: { date: '2030-01-12' } });
    expect(replaced.body.attendees).toBeUndefined();
  });

  it('moves an event to another calendar: a tombstone in the source, the same id in the destination', async () => {
    const { sim: google, api } = await setup();
    const work = google.createCalendar(ALICE, { summary: 'Work' });
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), body);
    const sourceToken = (await api<EventsPageJson>('GET', eventsPath(ALICE))).body.nextSyncToken as string;

    const moved = await api<GoogleEventJson>('POST', `${eventsPath(ALICE).replace('/events', `/events/${created.body.id}/move`)}?destination=${encodeURIComponent(work.id)}`);
    const sourceChanges = await api<EventsPageJson>('GET', eventsPath(ALICE, { syncToken: sourceToken }));

    expect(moved.status).toBe(200);
    expect(moved.body.id).toBe(created.body.id);
    expect(sourceChanges.body.items).toEqual([{ kind: 'calendar#event', etag: expect.any(String), id: created.body.id, status: 'cancelled' }]);
    expect(google.truth(work.id).map((e) => e.id)).toEqual([created.body.id]);
    expect(google.truth(ALICE)).toEqual([]);
  });
});

describe('Google Meet', () => {
  const meet = (requestId: string) => ({ createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' } } });

  it('answers pending, shows success with entryPoints and hangoutLink on a later read, and ignores a repeated requestId', async () => {
    const { api, eventPath } = await setup();
    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE, { conferenceDataVersion: 1 }), { ...body, conferenceData: meet('req-1') });

    const read = await api<GoogleEventJson>('GET', eventPath(created.body.id));
    const repeated = await api<GoogleEventJson>('PATCH', eventPath(created.body.id, '?conferenceDataVersion=1'), { conferenceData: meet('req-1') });
    const renewed = await api<GoogleEventJson>('PATCH', eventPath(created.body.id, '?conferenceDataVersion=1'), { conferenceData: meet('req-2') });

    expect(created.body.conferenceData).toEqual({ createRequest: { requestId: 'req-1', conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'pending' } } });
    expect(created.body.hangoutLink).toBeUndefined();
    expect(read.body.etag).not.toBe(created.body.etag); // completing the conference is a change like any other
    const data = read.body.conferenceData as { createRequest: { status: { statusCode: string } }; entryPoints: { entryPointType: string; uri: string }[] };
    expect(data.createRequest.status.statusCode).toBe('success');
    expect(data.entryPoints[0]).toMatchObject({ entryPointType: 'video', uri: read.body.hangoutLink });
    expect(read.body.hangoutLink).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(repeated.body.hangoutLink).toBe(read.body.hangoutLink);
    expect((renewed.body.conferenceData as { createRequest: { requestId: string } }).createRequest.requestId).toBe('req-2');
  });

  it('ignores conferenceData without conferenceDataVersion=1', async () => {
    const { api } = await setup();

    const created = await api<GoogleEventJson>('POST', eventsPath(ALICE), { ...body, conferenceData: meet('req-1') });

    expect(created.body.conferenceData).toBeUndefined();
  });
});
