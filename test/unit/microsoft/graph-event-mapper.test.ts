import { describe, expect, it } from 'vitest';
import { isRemoved, toProviderEvent } from '../../../shared/providers/microsoft/graph-event-mapper.ts';
import type { GraphEvent } from '../../../shared/providers/microsoft/graph-types.ts';

const context = { accountEmail: 'adele@contoso.com' };

/** Shapes as Graph v1.0 returns them for `calendarView/delta` with `Prefer: outlook.timezone="UTC"`. */
const single: GraphEvent = {
  '@odata.etag': 'W/"DwAAABYAAABKzrM6YzBySq5bS8f6RMoVAABCi3o0"',
  id: 'AAMkAGI2TG93AAA=',
  lastModifiedDateTime: '2026-11-20T08:03:28.2543125Z',
  changeKey: 'DwAAABYAAABKzrM6YzBySq5bS8f6RMoVAABCi3o0',
  originalStartTimeZone: 'W. Europe Standard Time',
  originalEndTimeZone: 'W. Europe Standard Time',
  iCalUId: '040000008200E00074C5B7101A82E00800000000A8BB3F2E8A5BDB01000000000000000010000000',
  subject: 'Quarterly review',
  bodyPreview: 'Numbers for Q4',
  body: { contentType: 'html', content: '<html><head><style>p{}</style></head><body><p>Numbers for <b>Q4</b> &amp; planning</p><p>Room&nbsp;2</p></body></html>' },
  isAllDay: false,
  isCancelled: false,
  isOrganizer: true,
  showAs: 'busy',
  type: 'singleInstance',
  seriesMasterId: null,
  start: { dateTime: '2026-12-07T09:00:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2026-12-07T10:30:00.0000000', timeZone: 'UTC' },
  location: { displayName: 'Conference room Rhine' },
  attendees: [
    { type: 'required', status: { response: 'accepted', time: '2026-11-20T09:00:00Z' }, emailAddress: { name: 'Megan Bowen', address: 'MeganB@contoso.com' } },
    { type: 'optional', status: { response: 'tentativelyAccepted', time: '2026-11-20T09:00:00Z' }, emailAddress: { name: 'Lee Gu', address: 'LeeG@contoso.com' } },
    { type: 'required', status: { response: 'declined', time: '2026-11-20T09:00:00Z' }, emailAddress: { name: 'Alex', address: 'alex@contoso.com' } },
    { type: 'required', status: { response: 'notResponded', time: '0001-01-01T00:00:00Z' }, emailAddress: { name: 'Adele Vance', address: 'Adele@Contoso.com' } },
    { type: 'resource', status: { response: 'none', time: '0001-01-01T00:00:00Z' }, emailAddress: { name: 'Room Rhine', address: 'rhine@contoso.com' } },
  ],
  organizer: { emailAddress: { name: 'Megan Bowen', address: 'MeganB@contoso.com' } },
  isOnlineMeeting: true,
  onlineMeetingProvider: 'teamsForBusiness',
  onlineMeeting: { joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2E%40thread.v2/0?context=%7b%7d' },
};

describe('toProviderEvent (Graph JSON → ProviderEvent)', () => {
  it('maps a timed single event: UTC instant, IANA zone from a Windows name, HTML body as text, etag', () => {
    const event = toProviderEvent(single, context);
    expect(event).toMatchObject({
      providerEventId: 'AAMkAGI2TG93AAA=',
      kind: 'single',
      title: 'Quarterly review',
      description: 'Numbers for Q4 & planning\nRoom 2',
      location: 'Conference room Rhine',
      start: { dateTime: '2026-12-07T09:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-07T10:30:00Z', timeZone: 'Europe/Berlin' },
      status: 'confirmed',
      transparency: 'opaque',
      etag: 'W/"DwAAABYAAABKzrM6YzBySq5bS8f6RMoVAABCi3o0"',
      updated: '2026-11-20T08:03:28.254Z',
      recurrence: null,
      recurringEventId: null,
      originalStart: null,
      iCalUID: single.iCalUId,
    });
  });

  it('maps attendees with their responses, optional and resource types, the organizer and the user', () => {
    const event = toProviderEvent(single, context);
    expect(event.attendees.map((a) => [a.email, a.responseStatus, a.optional, a.organizer, a.self])).toEqual([
      ['MeganB@contoso.com', 'accepted', false, true, false],
      ['LeeG@contoso.com', 'tentative', true, false, false],
      ['alex@contoso.com', 'declined', false, false, false],
      ['Adele@Contoso.com', 'needs_action', false, false, true],
      ['rhine@contoso.com', 'needs_action', false, false, false],
    ]);
    expect(event.organizer).toEqual({ email: 'MeganB@contoso.com', name: 'Megan Bowen', self: true });
  });

  it('maps a Teams meeting to a ready teams conference, and a meeting without a join URL yet to pending', () => {
    expect(toProviderEvent(single, context).conference).toEqual({ provider: 'teams', url: single.onlineMeeting!.joinUrl, id: null, status: 'ready' });
    expect(toProviderEvent({ ...single, onlineMeeting: null }, context).conference).toEqual({ provider: 'teams', url: null, id: null, status: 'pending' });
    expect(toProviderEvent({ ...single, isOnlineMeeting: false, onlineMeeting: null, onlineMeetingProvider: 'unknown' }, context).conference).toBeNull();
  });

  it.each([
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['(UTC-08:00) Pacific Time (US & Canada)', 'America/Los_Angeles'],
    ['Eastern Time (US & Canada)', 'America/New_York'],
    ['India Standard Time', 'Asia/Kolkata'],
    ['Europe/Paris', 'Europe/Paris'],
    ['tzone://Microsoft/Utc', 'UTC'],
    ['tzone://Microsoft/Custom', null],
  ])('resolves the original zone %s to %s', (windowsName, iana) => {
    expect(toProviderEvent({ ...single, originalStartTimeZone: windowsName, originalEndTimeZone: windowsName }, context).start).toEqual({ dateTime: '2026-12-07T09:00:00Z', timeZone: iana });
  });

  it('reads a wall time in a Windows zone when Graph did not apply Prefer: outlook.timezone', () => {
    const local = { ...single, start: { dateTime: '2026-07-01T09:00:00.0000000', timeZone: 'Pacific Standard Time' }, end: { dateTime: '2026-07-01T10:00:00.0000000', timeZone: 'Pacific Standard Time' } };
    expect(toProviderEvent(local, context).start).toEqual({ dateTime: '2026-07-01T16:00:00Z', timeZone: 'Europe/Berlin' });
  });

  it('keeps all-day events as dates with an exclusive end, whatever zone Graph wrote', () => {
    const allDay = { ...single, isAllDay: true, originalStartTimeZone: 'Tokyo Standard Time', start: { dateTime: '2026-12-10T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-12-12T00:00:00.0000000', timeZone: 'UTC' } };
    const event = toProviderEvent(allDay, context);
    expect(event.start).toEqual({ date: '2026-12-10' });
    expect(event.end).toEqual({ date: '2026-12-12' });
  });

  it('maps showAs: free → transparent, tentative → status tentative, oof/workingElsewhere → busy; isCancelled → cancelled', () => {
    expect(toProviderEvent({ ...single, showAs: 'free' }, context)).toMatchObject({ transparency: 'transparent', status: 'confirmed' });
    expect(toProviderEvent({ ...single, showAs: 'tentative' }, context)).toMatchObject({ transparency: 'opaque', status: 'tentative' });
    expect(toProviderEvent({ ...single, showAs: 'oof' }, context)).toMatchObject({ transparency: 'opaque', status: 'confirmed' });
    expect(toProviderEvent({ ...single, showAs: 'workingElsewhere' }, context).transparency).toBe('opaque');
    expect(toProviderEvent({ ...single, isCancelled: true }, context).status).toBe('cancelled');
  });

  it('maps occurrences and exceptions to their series with the original start', () => {
    const occurrence = toProviderEvent({ ...single, id: 'AAMkOcc=', type: 'occurrence', seriesMasterId: 'AAMkMaster=', originalStart: '2026-12-14T08:00:00Z' }, context);
    expect(occurrence).toMatchObject({ kind: 'occurrence', recurringEventId: 'AAMkMaster=', originalStart: { dateTime: '2026-12-14T08:00:00Z', timeZone: 'Europe/Berlin' } });
    const exception = toProviderEvent({ ...single, id: 'AAMkExc=', type: 'exception', seriesMasterId: 'AAMkMaster=', originalStart: '2026-12-21T08:00:00Z' }, context);
    expect(exception).toMatchObject({ kind: 'exception', recurringEventId: 'AAMkMaster=', originalStart: { dateTime: '2026-12-21T08:00:00Z' } });
  });

  it('writes a series master as RRULE lines the recurrence expander reads', () => {
    const master = (recurrence: GraphEvent['recurrence']) => toProviderEvent({ ...single, type: 'seriesMaster', recurrence }, context);
    expect(master({ pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'sunday' }, range: { type: 'numbered', startDate: '2026-12-07', numberOfOccurrences: 10 } }).recurrence)
      .toEqual(['RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE;WKST=SU']);
    expect(master({ pattern: { type: 'relativeMonthly', interval: 2, daysOfWeek: ['friday'], index: 'last' }, range: { type: 'noEnd', startDate: '2026-12-07' } }).recurrence)
      .toEqual(['RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=FR;BYSETPOS=-1']);
    expect(master({ pattern: { type: 'absoluteYearly', interval: 1, month: 3, dayOfMonth: 15 }, range: { type: 'noEnd', startDate: '2026-03-15' } }).recurrence)
      .toEqual(['RRULE:FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=3']);
    // Graph's end date is inclusive: UNTIL is the end of that day in the recurrence zone (Berlin, UTC+1 in December).
    expect(master({ pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2026-12-07', endDate: '2026-12-11', recurrenceTimeZone: 'W. Europe Standard Time' } }).recurrence)
      .toEqual(['RRULE:FREQ=DAILY;UNTIL=20261211T225959Z']);
    const allDayMaster = toProviderEvent({ ...single, type: 'seriesMaster', isAllDay: true, start: { dateTime: '2026-12-07T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-12-08T00:00:00.0000000', timeZone: 'UTC' }, recurrence: { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 7 }, range: { type: 'endDate', startDate: '2026-12-07', endDate: '2027-06-07' } } }, context);
    expect(allDayMaster.recurrence).toEqual(['RRULE:FREQ=MONTHLY;UNTIL=20270607;BYMONTHDAY=7']);
  });

  it('recognises delta tombstones', () => {
    expect(isRemoved({ id: 'x', '@removed': { reason: 'deleted' } })).toBe(true);
    expect(isRemoved(single)).toBe(false);
  });
});
