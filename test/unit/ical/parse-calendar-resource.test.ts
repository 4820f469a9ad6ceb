import { describe, expect, it } from 'vitest';
import { parseCalendarResource } from '../../../shared/providers/caldav/ical/index.ts';

const noOptions = { resourceId: null, etag: null, calendarTimeZone: null };

function calendar(...body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...body, 'END:VCALENDAR'].join('\r\n');
}

function vevent(...lines: string[]): string[] {
  return ['BEGIN:VEVENT', ...lines, 'END:VEVENT'];
}

describe('parseCalendarResource: what is and is not iCalendar', () => {
  it('throws provider.input_invalid only for text that holds no calendar at all', () => {
    for (const text of ['', '<html><body>Not found</body></html>', '{"items":[]}', 'BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD']) {
      expect(() => parseCalendarResource(text, noOptions)).toThrow(expect.objectContaining({ code: 'provider.input_invalid', retryable: false }));
    }
  });

  it('accepts a bare VEVENT without VCALENDAR, and an empty calendar', () => {
    const bare = parseCalendarResource(['BEGIN:VEVENT', 'UID:bare', 'DTSTART:20240101T100000Z', 'END:VEVENT'].join('\n'), noOptions);
    expect(bare.events.map((e) => e.providerEventId)).toEqual(['bare']);
    expect(parseCalendarResource(calendar(), noOptions)).toEqual({ events: [], warnings: [] });
  });

  it('keeps the other events when one VEVENT cannot be parsed', () => {
    const parsed = parseCalendarResource(
      calendar(...vevent('UID:good-1', 'DTSTART:20240101T100000Z'), ...vevent('UID:broken', 'DTSTART:20240102T100000Z', 'RRULE:FREQ=WEEKLY;BYDAY=XX'), ...vevent('UID:good-2', 'DTSTART;VALUE=DATE:20240103')),
      noOptions,
    );
    expect(parsed.events.map((e) => e.providerEventId)).toEqual(['good-1', 'good-2']);
    expect(parsed.warnings.some((w) => w.includes('could not be parsed'))).toBe(true);
  });

  it('closes components left open and drops END lines that close nothing', () => {
    const parsed = parseCalendarResource(['BEGIN:VCALENDAR', 'END:VTODO', 'BEGIN:VEVENT', 'UID:open', 'DTSTART:20240101T100000Z'].join('\r\n'), noOptions);
    expect(parsed.events.map((e) => e.providerEventId)).toEqual(['open']);
    expect(parsed.warnings).toEqual(expect.arrayContaining(['dropped END:VTODO that closes nothing', 'closed unterminated VEVENT']));
  });
});

describe('parseCalendarResource: times', () => {
  it('reads floating times in the calendar zone, else X-WR-TIMEZONE, else UTC', () => {
    const floating = calendar(...vevent('UID:f', 'DTSTART:20240115T090000', 'DTEND:20240115T100000'));
    expect(parseCalendarResource(floating, { ...noOptions, calendarTimeZone: 'Europe/Berlin' }).events[0]?.start).toEqual({ dateTime: '2024-01-15T08:00:00Z', timeZone: 'Europe/Berlin' });
    expect(parseCalendarResource(floating, noOptions).events[0]?.start).toEqual({ dateTime: '2024-01-15T09:00:00Z', timeZone: 'UTC' });
    const withXWr = floating.replace('PRODID:-//test//EN', 'PRODID:-//test//EN\r\nX-WR-TIMEZONE:America/Chicago');
    expect(parseCalendarResource(withXWr, noOptions).events[0]?.start).toEqual({ dateTime: '2024-01-15T15:00:00Z', timeZone: 'America/Chicago' });
  });

  it('labels UTC values with X-WR-TIMEZONE so a UTC-written Google series expands in that zone', () => {
    const ics = calendar('X-WR-TIMEZONE:America/New_York', ...vevent('UID:g', 'DTSTART:20240105T140000Z', 'DTEND:20240105T150000Z', 'RRULE:FREQ=WEEKLY'));
    expect(parseCalendarResource(ics, noOptions).events[0]?.start).toEqual({ dateTime: '2024-01-05T14:00:00Z', timeZone: 'America/New_York' });
  });

  it('handles DATE values: bare 8 digits, TZID on a DATE, one day without DTEND, exclusive DTEND', () => {
    const parsed = parseCalendarResource(
      calendar(
        ...vevent('UID:a', 'DTSTART:20240301'),
        ...vevent('UID:b', 'DTSTART;TZID=Europe/Berlin;VALUE=DATE:20240301', 'DTEND;TZID=Europe/Berlin;VALUE=DATE:20240304'),
        ...vevent('UID:c', 'DTSTART;VALUE=DATE:20240301', 'DURATION:P2D'),
      ),
      noOptions,
    );
    expect(parsed.events.map((e) => [e.start, e.end])).toEqual([
      [{ date: '2024-03-01' }, { date: '2024-03-02' }],
      [{ date: '2024-03-01' }, { date: '2024-03-04' }],
      [{ date: '2024-03-01' }, { date: '2024-03-03' }],
    ]);
  });

  it('adds DURATION days in wall time (P1D over the DST change is 23 hours) and prefers DTEND over DURATION', () => {
    const parsed = parseCalendarResource(
      calendar(
        ...vevent('UID:d', 'DTSTART;TZID=Europe/Berlin:20240330T120000', 'DURATION:P1D'),
        ...vevent('UID:e', 'DTSTART;TZID=Europe/Berlin:20240330T120000', 'DTEND;TZID=Europe/Berlin:20240330T130000', 'DURATION:PT0S'),
        ...vevent('UID:f', 'DTSTART:20240330T120000Z', 'DURATION:nonsense'),
      ),
      noOptions,
    );
    expect(parsed.events.map((e) => e.end)).toEqual([
      { dateTime: '2024-03-31T10:00:00Z', timeZone: 'Europe/Berlin' },
      { dateTime: '2024-03-30T12:00:00Z', timeZone: 'Europe/Berlin' },
      { dateTime: '2024-03-30T12:00:00Z', timeZone: 'UTC' },
    ]);
    expect(parsed.warnings).toContain('invalid DURATION "nonsense" ignored');
  });

  it('gives an override without DTSTART its RECURRENCE-ID as start', () => {
    const parsed = parseCalendarResource(
      calendar(...vevent('UID:s', 'DTSTART:20240101T100000Z', 'RRULE:FREQ=DAILY'), ...vevent('UID:s', 'RECURRENCE-ID:20240103T100000Z', 'STATUS:CANCELLED')),
      noOptions,
    );
    expect(parsed.events[1]).toMatchObject({ providerEventId: 's#20240103T100000Z', kind: 'exception', status: 'cancelled', start: { dateTime: '2024-01-03T10:00:00Z' } });
  });
});

describe('parseCalendarResource: series and ids', () => {
  it('writes canonical recurrence lines and marks THISANDFUTURE overrides', () => {
    const parsed = parseCalendarResource(
      calendar(
        ...vevent(
          'UID:series',
          'DTSTART;TZID=America/New_York:20240101T090000',
          'RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=MO;INTERVAL=1;UNTIL=20240601T090000',
          'EXDATE;TZID=America/New_York:20240108T090000,20240115T090000',
          'RDATE;VALUE=DATE:20240110',
          'EXRULE:FREQ=MONTHLY;BYDAY=1MO',
        ),
        ...vevent('UID:series', 'RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20240205T090000', 'DTSTART;TZID=America/New_York:20240205T100000'),
      ),
      { resourceId: '/cal/series.ics', etag: '"9"', calendarTimeZone: null },
    );
    const [master, future] = parsed.events;
    expect(master).toMatchObject({
      providerEventId: 'series',
      kind: 'master',
      recurrence: [
        'RRULE:FREQ=WEEKLY;UNTIL=20240601T130000Z;BYDAY=MO;WKST=SU', // floating UNTIL of a zoned series → UTC
        'EXRULE:FREQ=MONTHLY;BYDAY=1MO',
        'RDATE;VALUE=DATE:20240110',
        'EXDATE:20240108T140000Z,20240115T140000Z',
      ],
    });
    expect(future).toMatchObject({ providerEventId: 'series#20240205T140000Z', kind: 'exception', recurringEventId: 'series', recurrence: ['RANGE=THISANDFUTURE'] });
  });

  it('gives UID-less events stable ids and renames duplicate ids', () => {
    const ics = calendar(...vevent('DTSTART:20240101T100000Z', 'SUMMARY:one'), ...vevent('DTSTART:20240102T100000Z', 'SUMMARY:two'), ...vevent('UID:dup', 'DTSTART:20240101T100000Z'), ...vevent('UID:dup', 'DTSTART:20240101T110000Z'));
    const first = parseCalendarResource(ics, noOptions).events.map((e) => e.providerEventId);
    expect(parseCalendarResource(ics, noOptions).events.map((e) => e.providerEventId)).toEqual(first);
    expect(first[0]).toMatch(/^no-uid:sha256:[0-9a-f]{24}$/);
    expect(first[1]).toMatch(/^no-uid:sha256:[0-9a-f]{24}:2$/);
    expect(first.slice(2)).toEqual(['dup', 'dup#2']);
    const withResource = parseCalendarResource(ics, { ...noOptions, resourceId: '/cal/x.ics' }).events.map((e) => e.providerEventId);
    expect(withResource.slice(0, 2)).toEqual(['no-uid:/cal/x.ics', 'no-uid:/cal/x.ics:2']);
  });
});

describe('parseCalendarResource: other fields', () => {
  it('maps status, transparency, Microsoft busy status, organizer and attendees', () => {
    const parsed = parseCalendarResource(
      calendar(
        ...vevent(
          'UID:f1',
          'DTSTART:20240101T100000Z',
          'SUMMARY:Review\\, final',
          'DESCRIPTION:Line 1\\nLine 2',
          'LOCATION:',
          'STATUS:TENTATIVE',
          'TRANSP:TRANSPARENT',
          'LAST-MODIFIED:20231201T080000Z',
          'ORGANIZER;CN="Doe, Jane":MAILTO:jane@example.com',
          'ATTENDEE;CN=Jane;PARTSTAT=ACCEPTED:mailto:JANE@example.com',
          'ATTENDEE;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT;EMAIL=bob@example.com:urn:uuid:1234',
          'ATTENDEE:mailto:carl@example.com',
        ),
        ...vevent('UID:f2', 'DTSTART:20240101T100000Z', 'X-MICROSOFT-CDO-BUSYSTATUS:OOF', 'TRANSP:TRANSPARENT', 'DTSTAMP:20231115T120000Z'),
        ...vevent('UID:f3', 'DTSTART:20240101T100000Z', 'STATUS:CANCELLED', 'X-MICROSOFT-CDO-BUSYSTATUS:FREE'),
      ),
      noOptions,
    );
    const [review, oof, cancelled] = parsed.events;
    expect(review).toMatchObject({
      title: 'Review, final',
      description: 'Line 1\nLine 2',
      location: null,
      status: 'tentative',
      transparency: 'transparent',
      updated: '2023-12-01T08:00:00Z',
      organizer: { email: 'jane@example.com', name: 'Doe, Jane', self: false },
      attendees: [
        { email: 'JANE@example.com', name: 'Jane', responseStatus: 'accepted', optional: false, organizer: true, self: false },
        { email: 'bob@example.com', name: null, responseStatus: 'tentative', optional: true, organizer: false, self: false },
        { email: 'carl@example.com', name: null, responseStatus: 'needs_action', optional: false, organizer: false, self: false },
      ],
    });
    expect(oof).toMatchObject({ transparency: 'opaque', updated: '2023-11-15T12:00:00Z' });
    expect(cancelled).toMatchObject({ status: 'cancelled', transparency: 'transparent' });
  });

  it('finds conferences in X-GOOGLE-CONFERENCE, CONFERENCE, LOCATION and DESCRIPTION, but not in an ordinary URL', () => {
    const parsed = parseCalendarResource(
      calendar(
        ...vevent('UID:c1', 'DTSTART:20240101T100000Z', 'X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij'),
        ...vevent('UID:c2', 'DTSTART:20240101T100000Z', 'LOCATION:https://example.zoom.us/j/98765432101?pwd=x'),
        ...vevent('UID:c3', 'DTSTART:20240101T100000Z', 'DESCRIPTION:Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_1%40thread.v2/0 (Teams)'),
        ...vevent('UID:c4', 'DTSTART:20240101T100000Z', 'CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://video.example.com/r/1'),
        ...vevent('UID:c5', 'DTSTART:20240101T100000Z', 'URL:http://www.officeholidays.com/countries/germany'),
      ),
      noOptions,
    );
    expect(parsed.events.map((e) => e.conference)).toEqual([
      { provider: 'google_meet', url: 'https://meet.google.com/abc-defg-hij', id: null, status: 'ready' },
      { provider: 'zoom', url: 'https://example.zoom.us/j/98765432101?pwd=x', id: '98765432101', status: 'ready' },
      { provider: 'teams', url: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_1%40thread.v2/0', id: null, status: 'ready' },
      { provider: 'other', url: 'https://video.example.com/r/1', id: null, status: 'ready' },
      null,
    ]);
  });

  it('tolerates invalid UTF-8 (replacement characters) and keeps upper-case unknown properties as properties', () => {
    const bytes = Buffer.concat([Buffer.from(calendar(...vevent('UID:u', 'DTSTART:20240101T100000Z', 'SUMMARY:caf')).split('caf')[0] ?? ''), Buffer.from([0x63, 0x61, 0x66, 0xc3, 0x28]), Buffer.from('\r\nBUSYTYPE:BUSY\r\nEND:VEVENT\r\nEND:VCALENDAR')]);
    const parsed = parseCalendarResource(new TextDecoder().decode(bytes), noOptions);
    expect(parsed.events[0]?.title).toBe('caf\uFFFD(');
  });
});
