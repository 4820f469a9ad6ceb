import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from './support.ts';

const PST = 'Pacific Standard Time';

describe('calendars and events', () => {
  let t: TestSimulator;
  let calendarId: string;

  beforeAll(async () => {
    t = await startTestSimulator();
    calendarId = t.sim.user(t.userMail).defaultCalendarId;
  });

  afterAll(() => t.sim.stop());

  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.call(`/v1.0/me/calendars/${calendarId}/events`, { method: 'POST', body, headers });

  const meeting = (extra: Record<string, unknown> = {}) => ({
    subject: 'Planning',
    start: { dateTime: '2025-04-02T09:00:00', timeZone: PST },
    end: { dateTime: '2025-04-02T10:30:00', timeZone: PST },
    ...extra,
  });

  it('lists calendars with the default one first, and gets one by id', async () => {
    const work = t.sim.addCalendar(t.userMail, { name: 'Work' });

    const list = await t.call('/v1.0/me/calendars');
    const one = await t.call(`/v1.0/me/calendars/${work.id}`);
    const viaUsers = await t.call(`/v1.0/users/${encodeURIComponent(t.userMail)}/calendars`);

    expect(list.status).toBe(200);
    expect(list.json.value.map((c: { name: string }) => c.name)).toEqual(['Calendar', 'Work']);
    expect(list.json.value[0]).toMatchObject({ id: calendarId, isDefaultCalendar: true, canEdit: true, owner: { address: t.userMail } });
    expect(one.json).toMatchObject({ id: work.id, name: 'Work', isDefaultCalendar: false });
    expect(viaUsers.json.value).toHaveLength(2);
  });

  it('creates an event with the Graph v1.0 shape: UTC by default, 7 fractional digits, etag, Windows zone kept', async () => {
    const response = await create(meeting({
      body: { contentType: 'text', content: 'Agenda:\nbudget' },
      location: { displayName: 'Room 1' },
      attendees: [{ emailAddress: { address: 'lee@contoso.test', name: 'Lee' }, type: 'required' }],
      showAs: 'tentative',
    }));

    expect(response.status).toBe(201);
    const event = response.json;
    expect(event).toMatchObject({
      type: 'singleInstance', subject: 'Planning', showAs: 'tentative', isAllDay: false, isCancelled: false, seriesMasterId: null,
      start: { dateTime: '2025-04-02T16:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2025-04-02T17:30:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: PST, originalEndTimeZone: PST,
      location: { displayName: 'Room 1' },
      bodyPreview: 'Agenda: budget',
      organizer: { emailAddress: { address: t.userMail } },
      attendees: [{ type: 'required', emailAddress: { address: 'lee@contoso.test', name: 'Lee' }, status: { response: 'none' } }],
    });
    expect(event.id).toMatch(/^AAMkA[\w-]+=*$/);
    expect(event['@odata.etag']).toBe(`W/"${event.changeKey}"`);
    expect(event.iCalUId).toMatch(/^040000008200E00074C5B7101A82E008/);
    expect(event.body.contentType).toBe('html');
    expect(event.lastModifiedDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });

  it('honours Prefer outlook.timezone (Windows or IANA name) on reads', async () => {
    const { json: created } = await create(meeting());

    const pacific = await t.call(`/v1.0/me/events/${created.id}`, { headers: { Prefer: `outlook.timezone="${PST}"` } });
    const tokyo = await t.call(`/v1.0/me/events/${created.id}`, { headers: { Prefer: 'outlook.timezone="Asia/Tokyo"' } });

    expect(pacific.json.start).toEqual({ dateTime: '2025-04-02T09:00:00.0000000', timeZone: PST });
    expect(pacific.headers['preference-applied']).toBe(`outlook.timezone="${PST}"`);
    expect(tokyo.json.start).toEqual({ dateTime: '2025-04-03T01:00:00.0000000', timeZone: 'Asia/Tokyo' });
  });

  it('all-day events are midnight to midnight and rejected otherwise', async () => {
    const ok = await create({ subject: 'Offsite', isAllDay: true, start: { dateTime: '2025-05-01T00:00:00', timeZone: PST }, end: { dateTime: '2025-05-03T00:00:00', timeZone: PST } });
    const bad = await create({ subject: 'Offsite', isAllDay: true, start: { dateTime: '2025-05-01T09:00:00', timeZone: PST }, end: { dateTime: '2025-05-02T00:00:00', timeZone: PST } });

    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ isAllDay: true, start: { dateTime: '2025-05-01T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2025-05-03T00:00:00.0000000' } });
    expect(bad.status).toBe(400);
  });

  it('PATCH with a stale If-Match answers 412 ErrorIrresolvableConflict in Graph error shape', async () => {
    const { json: created } = await create(meeting());
    const first = await t.call(`/v1.0/me/events/${created.id}`, { method: 'PATCH', body: { subject: 'Renamed' }, headers: { 'If-Match': created['@odata.etag'] } });

    const stale = await t.call(`/v1.0/me/events/${created.id}`, { method: 'PATCH', body: { subject: 'Again' }, headers: { 'If-Match': created['@odata.etag'], 'client-request-id': 'c-1' } });
    const staleDelete = await t.call(`/v1.0/me/events/${created.id}`, { method: 'DELETE', headers: { 'If-Match': created['@odata.etag'] } });

    expect(first.status).toBe(200);
    expect(first.json.subject).toBe('Renamed');
    expect(first.json.changeKey).not.toBe(created.changeKey);
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('ErrorIrresolvableConflict');
    expect(stale.json.error.innerError).toMatchObject({ 'request-id': stale.headers['request-id'], 'client-request-id': 'c-1' });
    expect(stale.json.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(staleDelete.status).toBe(412);
    expect(t.sim.getEvent(created.id)?.subject).toBe('Renamed');
  });

  it('DELETE answers 204, then 404 ErrorItemNotFound; malformed ids are 400', async () => {
    const { json: created } = await create(meeting());

    const removed = await t.call(`/v1.0/me/calendars/${calendarId}/events/${created.id}`, { method: 'DELETE' });
    const again = await t.call(`/v1.0/me/events/${created.id}`);
    const malformed = await t.call('/v1.0/me/events/not-an-id');

    expect(removed.status).toBe(204);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('ErrorItemNotFound');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('ErrorInvalidIdMalformed');
  });

  it('creates a Teams meeting: onlineMeeting.joinUrl', async () => {
    const response = await create(meeting({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' }));

    expect(response.json).toMatchObject({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' });
    expect(response.json.onlineMeeting.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
  });

  it('rejects unknown properties and time zones like Graph', async () => {
    const unknown = await create(meeting({ colour: 'red' }));
    const zone = await create(meeting({ start: { dateTime: '2025-04-02T09:00:00', timeZone: 'Mars/Olympus' } }));

    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('RequestBodyRead');
    expect(zone.status).toBe(400);
    expect(zone.json.error.code).toBe('TimeZoneNotSupportedException');
  });

  it('a repeated POST with the same transactionId returns the first event', async () => {
    const first = await create(meeting({ transactionId: 'tx-42' }));
    const second = await create(meeting({ transactionId: 'tx-42', subject: 'Retry' }));

    expect(second.json.id).toBe(first.json.id);
    expect(second.json.subject).toBe('Planning');
  });

  it('a series: master, occurrences, an edited occurrence becomes an exception, a cancelled one disappears', async () => {
    const calendar = t.sim.addCalendar(t.userMail, { name: 'Series' });
    const { json: master } = await t.call(`/v1.0/me/calendars/${calendar.id}/events`, {
      method: 'POST',
      body: {
        subject: 'Standup',
        start: { dateTime: '2025-06-02T09:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2025-06-02T09:15:00', timeZone: 'W. Europe Standard Time' },
        recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'] }, range: { type: 'numbered', startDate: '2025-06-02', numberOfOccurrences: 4 } },
      },
    });
    const window = 'startDateTime=2025-06-01T00:00:00Z&endDateTime=2025-07-01T00:00:00Z';
    const before = await t.call(`/v1.0/me/calendars/${calendar.id}/calendarView?${window}`);
    const [first, second, third] = before.json.value;

    const edited = await t.call(`/v1.0/me/events/${second.id}`, { method: 'PATCH', body: { subject: 'Standup (moved)', start: { dateTime: '2025-06-04T11:00:00', timeZone: 'UTC' }, end: { dateTime: '2025-06-04T11:30:00', timeZone: 'UTC' } } });
    const cancelled = await t.call(`/v1.0/me/events/${third.id}`, { method: 'DELETE' });
    const after = await t.call(`/v1.0/me/calendars/${calendar.id}/calendarView?${window}`);
    const gotMaster = await t.call(`/v1.0/me/events/${master.id}`);
    const instances = await t.call(`/v1.0/me/events/${master.id}/instances?${window}`);

    expect(master.type).toBe('seriesMaster');
    expect(master.recurrence.range).toMatchObject({ type: 'numbered', numberOfOccurrences: 4, recurrenceTimeZone: 'W. Europe Standard Time' });
    expect(before.json.value.map((e: { start: { dateTime: string } }) => e.start.dateTime)).toEqual([
      '2025-06-02T07:00:00.0000000', '2025-06-04T07:00:00.0000000', '2025-06-09T07:00:00.0000000', '2025-06-11T07:00:00.0000000',
    ]);
    expect(first).toMatchObject({ type: 'occurrence', seriesMasterId: master.id, originalStart: '2025-06-02T07:00:00Z', recurrence: null });
    expect(first.iCalUId).not.toBe(master.iCalUId);
    expect(edited.json).toMatchObject({ id: second.id, type: 'exception', subject: 'Standup (moved)', seriesMasterId: master.id, originalStart: '2025-06-04T07:00:00Z' });
    expect(cancelled.status).toBe(204);
    expect(after.json.value.map((e: { id: string; type: string }) => [e.id, e.type])).toEqual([
      [first.id, 'occurrence'], [second.id, 'exception'], [before.json.value[3].id, 'occurrence'],
    ]);
    expect(gotMaster.json.type).toBe('seriesMaster');
    expect(instances.json.value).toHaveLength(3);
    expect(t.sim.truth(calendar.id, '2025-06-01', '2025-07-01').map((e) => e.id)).toEqual(after.json.value.map((e: { id: string }) => e.id));
  });

  it('calendarView requires the window and pages with $top and absolute nextLinks', async () => {
    const calendar = t.sim.addCalendar(t.userMail, { name: 'Paging' });
    for (let day = 1; day <= 5; day++) t.sim.createEvent(calendar.id, { subject: `E${day}`, start: { dateTime: `2025-08-0${day}T10:00:00`, timeZone: 'UTC' }, end: { dateTime: `2025-08-0${day}T11:00:00`, timeZone: 'UTC' } });

    const missing = await t.call(`/v1.0/me/calendars/${calendar.id}/calendarView`);
    const page1 = await t.call(`/v1.0/me/calendars/${calendar.id}/calendarView?startDateTime=2025-08-01T00:00:00Z&endDateTime=2025-09-01T00:00:00Z&$top=2`);
    const page2 = await t.call(page1.json['@odata.nextLink']);

    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('ErrorInvalidParameter');
    expect(page1.json.value.map((e: { subject: string }) => e.subject)).toEqual(['E1', 'E2']);
    expect(page1.json['@odata.nextLink']).toMatch(new RegExp(`^${t.sim.origin}/v1.0/`));
    expect(page2.json.value.map((e: { subject: string }) => e.subject)).toEqual(['E3', 'E4']);
  });

  it('calendarView honours $select: the named properties, id and @odata.etag, on every page', async () => {
    const calendar = t.sim.addCalendar(t.userMail, { name: 'Select' });
    for (let day = 1; day <= 3; day++) t.sim.createEvent(calendar.id, { subject: `S${day}`, showAs: 'free', start: { dateTime: `2025-09-0${day}T10:00:00`, timeZone: 'UTC' }, end: { dateTime: `2025-09-0${day}T11:00:00`, timeZone: 'UTC' } });
    const page1 = await t.call(`/v1.0/me/calendars/${calendar.id}/calendarView?startDateTime=2025-09-01T00:00:00Z&endDateTime=2025-10-01T00:00:00Z&$select=start,showAs&$top=2`);
    const page2 = await t.call(page1.json['@odata.nextLink']);
    for (const item of [...page1.json.value, ...page2.json.value]) {
      expect(Object.keys(item).sort()).toEqual(['@odata.etag', 'id', 'showAs', 'start']);
      expect(item.showAs).toBe('free');
    }
    expect(page2.json.value).toHaveLength(1);
  });

  it('needs Calendars.ReadWrite to write and refuses other mailboxes', async () => {
    const readOnly = t.sim.issueTokens(t.userMail, { scope: 'https://graph.microsoft.com/Calendars.Read' }).access_token;
    const other = t.sim.addUser({ mail: 'other@contoso.test' });

    const read = await t.call('/v1.0/me/calendars', { token: readOnly });
    const write = await t.call(`/v1.0/me/calendars/${calendarId}/events`, { method: 'POST', body: meeting(), token: readOnly });
    const foreign = await t.call(`/v1.0/users/${other.id}/calendars`);

    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
    expect(write.json.error.code).toBe('ErrorAccessDenied');
    expect(foreign.status).toBe(403);
  });
});
