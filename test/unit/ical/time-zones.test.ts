import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { isValidTimeZone } from '../../../shared/domain/time-zone.ts';
import { WINDOWS_ZONES, fixedOffsetZone, resolveTimeZoneName } from '../../../shared/domain/windows-time-zones.ts';
import { parseCalendarResource } from '../../../shared/providers/caldav/ical/index.ts';
import { VTimezoneOffsets } from '../../../shared/providers/caldav/ical/vtimezone-offsets.ts';
import { buildVTimezone } from '../../../shared/providers/caldav/ical/vtimezone-writer.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/index.ts';
import { exactOffsetMs } from '../../../shared/recurrence/zone-offsets.ts';
import { readFixture, toCalendarEvents } from './fixture-support.ts';

describe('Windows → IANA table', () => {
  it('covers the CLDR windowsZones ids with valid IANA zones', () => {
    expect(WINDOWS_ZONES.length).toBeGreaterThanOrEqual(139);
    expect(WINDOWS_ZONES.filter((zone) => !isValidTimeZone(zone.iana))).toEqual([]);
    expect(new Set(WINDOWS_ZONES.map((zone) => zone.windowsId)).size).toBe(WINDOWS_ZONES.length);
  });

  it.each([
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['New Zealand Standard Time', 'Pacific/Auckland'],
    ['India Standard Time', 'Asia/Kolkata'],
    ['UTC', 'UTC'],
    ['UTC-11', 'Etc/GMT+11'],
    ['(UTC-05:00) Eastern Time (US & Canada)', 'America/New_York'],
    ['(GMT+10:00) Canberra, Melbourne, Sydney', 'Australia/Sydney'],
    ['Canberra, Melbourne, Sydney', 'Australia/Sydney'],
    ['Kuala Lumpur, Singapore', 'Asia/Singapore'],
    ['(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna', 'Europe/Berlin'],
    ['(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London', 'Europe/London'],
    ['"Pacific Standard Time"', 'America/Los_Angeles'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['US/Eastern', 'US/Eastern'],
    ['/mozilla.org/20050126_1/Europe/Berlin', 'Europe/Berlin'],
    ['/freeassociation.sourceforge.net/Tzfile/America/New_York', 'America/New_York'],
  ])('resolves %s to %s', (name, iana) => {
    expect(resolveTimeZoneName(name)).toBe(iana);
  });

  it.each(['Customized Time Zone', 'Eastern', 'GMT +0100 (Standard) / GMT +0200 (Daylight)', '', 'Mars/Olympus_Mons'])('does not guess a zone for %j', (name) => {
    expect(resolveTimeZoneName(name)).toBeNull();
  });

  it('writes fixed offsets the Etc way round', () => {
    expect(fixedOffsetZone(60)).toBe('Etc/GMT-1');
    expect(fixedOffsetZone(-300)).toBe('Etc/GMT+5');
    expect(fixedOffsetZone(0)).toBe('Etc/UTC');
    expect(fixedOffsetZone(330)).toBeNull();
  });
});

function calendarWith(vtimezone: string, tzid: string, start = '20210304T100000'): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    vtimezone,
    'BEGIN:VEVENT',
    'UID:tz-test',
    `DTSTART;TZID="${tzid}":${start}`,
    `DTEND;TZID="${tzid}":${start.slice(0, 9)}110000`,
    'RRULE:FREQ=WEEKLY;COUNT=20',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
}

function vtimezone(tzid: string, standard: string, daylight: string | null): string {
  const [stdFrom, stdTo, stdRule] = standard.split('|');
  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid}`, 'BEGIN:STANDARD', 'DTSTART:16010101T030000', `TZOFFSETFROM:${stdFrom}`, `TZOFFSETTO:${stdTo}`];
  if (stdRule) lines.push(`RRULE:${stdRule}`);
  lines.push('END:STANDARD');
  if (daylight) {
    const [dlFrom, dlTo, dlRule] = daylight.split('|');
    lines.push('BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', `TZOFFSETFROM:${dlFrom}`, `TZOFFSETTO:${dlTo}`, `RRULE:${dlRule}`, 'END:DAYLIGHT');
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

const resolvedZone = (ics: string) => {
  const [event] = parseCalendarResource(ics, { resourceId: null, etag: null, calendarTimeZone: null }).events;
  return event && 'timeZone' in event.start ? event.start.timeZone : null;
};

describe('custom VTIMEZONE blocks resolve to the IANA zone with the same offsets', () => {
  it('finds America/New_York for US rules and Europe/Berlin for EU rules without any name hint', () => {
    const us = vtimezone('Customized Time Zone', '-0400|-0500|FREQ=YEARLY;BYDAY=1SU;BYMONTH=11', '-0500|-0400|FREQ=YEARLY;BYDAY=2SU;BYMONTH=3');
    expect(resolvedZone(calendarWith(us, 'Customized Time Zone'))).toBe('America/New_York');
    const eu = vtimezone('GMT +0100 (Standard) / GMT +0200 (Daylight)', '+0200|+0100|FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10', '+0100|+0200|FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3');
    expect(resolvedZone(calendarWith(eu, 'GMT +0100 (Standard) / GMT +0200 (Daylight)'))).toBe('Europe/Berlin');
  });

  it('prefers a zone named by the TZID among those with equal offsets', () => {
    const paris = vtimezone('Romance time, Paris', '+0200|+0100|FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10', '+0100|+0200|FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3');
    expect(resolvedZone(calendarWith(paris, 'Romance time, Paris'))).toBe('Europe/Paris');
    const southern = vtimezone('My Sydney office', '+1100|+1000|FREQ=YEARLY;BYDAY=1SU;BYMONTH=4', '+1000|+1100|FREQ=YEARLY;BYDAY=1SU;BYMONTH=10');
    expect(resolvedZone(calendarWith(southern, 'My Sydney office'))).toBe('Australia/Sydney');
  });

  it('checks the years the event uses (Lotus "Eastern" with 1950s rules matches New York in 2005)', () => {
    expect(resolvedZone(readFixture('ical4j__calconnect3.ics'))).toBe('America/New_York');
  });

  it('falls back to a fixed Etc zone when no IANA zone has the offsets', () => {
    const odd = vtimezone('Nowhere', '+0300|+0200|FREQ=YEARLY;BYDAY=1SU;BYMONTH=8', '+0200|+0300|FREQ=YEARLY;BYDAY=1SU;BYMONTH=2');
    expect(resolvedZone(calendarWith(odd, 'Nowhere'))).toMatch(/^Etc\/GMT-[23]$/);
    const fixed = vtimezone('Plus Five Thirty', '+0530|+0530|', null);
    expect(resolvedZone(calendarWith(fixed, 'Plus Five Thirty'))).toBe('Asia/Kolkata');
  });

  it('reads an unknown TZID without VTIMEZONE as floating in the calendar zone, with a warning', () => {
    const parsed = parseCalendarResource(calendarWith('', 'Atlantis Time'), { resourceId: null, etag: null, calendarTimeZone: 'Europe/Lisbon' });
    expect(parsed.events[0]?.start).toEqual({ dateTime: '2021-03-04T10:00:00Z', timeZone: 'Europe/Lisbon' });
    expect(parsed.warnings.some((w) => w.includes('Atlantis Time'))).toBe(true);
  });
});

describe('generated VTIMEZONE blocks', () => {
  it.each(['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo', 'Pacific/Chatham', 'Africa/Casablanca'])(
    '%s: the block gives ICU’s offset at every day and every transition of 2018–2026',
    (zone) => {
      const text = ['BEGIN:VCALENDAR', ...buildVTimezone(zone, 2018, 2026), 'END:VCALENDAR'].join('\r\n');
      const component = new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent('vtimezone');
      if (!component) throw new Error('no VTIMEZONE');
      const block = new VTimezoneOffsets(component);
      const transitions = block.transitions(2018, 2026);
      const samples: number[] = [];
      for (let t = Date.UTC(2018, 0, 1, 12); t < Date.UTC(2027, 0, 1); t += 86_400_000) samples.push(t);
      for (const transition of transitions) samples.push(transition.atMs - 60_000, transition.atMs + 60_000);
      const wrong = samples.filter((t) => VTimezoneOffsets.offsetAt(transitions, t, block.initialOffset) !== exactOffsetMs(zone, t));
      expect(wrong.map((t) => new Date(t).toISOString())).toEqual([]);
    },
  );

  it('uses two yearly rules for zones with regular DST', () => {
    const lines = buildVTimezone('Europe/Berlin', 2020, 2030);
    expect(lines.filter((l) => l.startsWith('RRULE:'))).toEqual(['RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU']);
  });
});

describe('Outlook files with Windows zone names', () => {
  it('reads "New Zealand Standard Time" as Pacific/Auckland and keeps 15:00 local across the April DST end', () => {
    const parsed = parseCalendarResource(readFixture('allenporter-ical__office_360_nz_tz.ics'), { resourceId: 'nz.ics', etag: null, calendarTimeZone: null });
    const series = parsed.events.find((e) => e.kind === 'master');
    expect(series?.start).toEqual({ dateTime: '2025-12-08T02:00:00Z', timeZone: 'Pacific/Auckland' });
    expect(series?.transparency).toBe('opaque');

    const occurrences = new CalendarRecurrenceExpander().expand(
      toCalendarEvents(parsed.events.filter((e) => e.kind === 'master')),
      { start: new Date('2026-03-29T00:00:00Z'), end: new Date('2026-04-10T00:00:00Z') },
      () => null,
    );
    // Mon/Wed 15:00: NZDT (+13) until 5 April 2026, NZST (+12) after.
    expect(occurrences.map((o) => new Date(o.startMs).toISOString())).toEqual([
      '2026-03-30T02:00:00.000Z',
      '2026-04-01T02:00:00.000Z',
      '2026-04-06T03:00:00.000Z',
      '2026-04-08T03:00:00.000Z',
    ]);
  });

  it('maps an Exchange invitation: W. Europe zone, Windows-zone EXDATE and RECURRENCE-ID, busy status, Teams link', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'METHOD:REQUEST',
      'PRODID:Microsoft Exchange Server 2010',
      'VERSION:2.0',
      'BEGIN:VTIMEZONE',
      'TZID:W. Europe Standard Time',
      'BEGIN:STANDARD',
      'DTSTART:16010101T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:040000008200E00074C5B7101A82E00800000000D0',
      'ORGANIZER;CN=Boss:mailto:boss@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Boss:mailto:boss@example.com',
      'ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=DELEGATED;CN=Eve:mailto:eve@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED:mailto:dan@example.com',
      'SUMMARY;LANGUAGE=de-DE:Jour fixe',
      'DTSTART;TZID=W. Europe Standard Time:20240320T093000',
      'DTEND;TZID=W. Europe Standard Time:20240320T100000',
      'RRULE:FREQ=WEEKLY;UNTIL=20240424T073000Z;INTERVAL=1;BYDAY=WE;WKST=MO',
      'EXDATE;TZID=W. Europe Standard Time:20240403T093000',
      'X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d',
      'X-MICROSOFT-CDO-BUSYSTATUS:FREE',
      'DTSTAMP:20240301T080000Z',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:040000008200E00074C5B7101A82E00800000000D0',
      'RECURRENCE-ID;TZID=W. Europe Standard Time:20240410T093000',
      'SUMMARY:Jour fixe (verschoben)',
      'DTSTART;TZID=W. Europe Standard Time:20240411T140000',
      'DTEND;TZID=W. Europe Standard Time:20240411T143000',
      'X-MICROSOFT-CDO-BUSYSTATUS:BUSY',
      'DTSTAMP:20240301T080000Z',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const parsed = parseCalendarResource(ics, { resourceId: 'exchange.ics', etag: '"1"', calendarTimeZone: null });
    const [master, moved] = parsed.events;

    expect(master).toMatchObject({
      kind: 'master',
      start: { dateTime: '2024-03-20T08:30:00Z', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20240424T073000Z;BYDAY=WE', 'EXDATE:20240403T073000Z'], // WKST=MO is the default
      transparency: 'transparent',
      organizer: { email: 'boss@example.com', name: 'Boss', self: false },
      conference: { provider: 'teams', status: 'ready' },
      updated: '2024-03-01T08:00:00Z',
    });
    expect(master?.attendees).toEqual([
      { email: 'boss@example.com', name: 'Boss', responseStatus: 'accepted', optional: false, organizer: true, self: false },
      { email: 'eve@example.com', name: 'Eve', responseStatus: 'needs_action', optional: true, organizer: false, self: false },
      { email: 'dan@example.com', name: null, responseStatus: 'declined', optional: false, organizer: false, self: false },
    ]);
    expect(moved).toMatchObject({
      providerEventId: '040000008200E00074C5B7101A82E00800000000D0#20240410T073000Z',
      kind: 'exception',
      recurringEventId: '040000008200E00074C5B7101A82E00800000000D0',
      originalStart: { dateTime: '2024-04-10T07:30:00Z', timeZone: 'Europe/Berlin' },
      transparency: 'opaque',
    });

    const occurrences = new CalendarRecurrenceExpander().expand(toCalendarEvents(parsed.events), { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-05-01T00:00:00Z') }, () => null);
    expect(occurrences.map((o) => new Date(o.startMs).toISOString())).toEqual([
      '2024-03-20T08:30:00.000Z', // 09:30 CET
      '2024-03-27T08:30:00.000Z',
      '2024-04-11T12:00:00.000Z', // moved to Thursday 14:00 CEST; 3 April excluded
      '2024-04-17T07:30:00.000Z', // 09:30 CEST
      '2024-04-24T07:30:00.000Z', // = UNTIL
    ]);
  });
});
