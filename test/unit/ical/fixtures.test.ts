import { describe, expect, it } from 'vitest';
import { parseCalendarResource } from '../../../shared/providers/caldav/ical/index.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/index.ts';
import type { Comparable, OracleFile } from './fixture-support.ts';
import {
  fixtureFiles,
  fromOccurrence,
  fromOracle,
  occurrencesInWindow,
  readExpectations,
  readFixture,
  sortComparables,
  toCalendarEvents,
} from './fixture-support.ts';

/**
 * Every real-world file in shared/fixtures/ics is parsed and expanded over its oracle window, and the result
 * must equal the oracle's list exactly (uid, override flag, start and end instants or dates, status).
 *
 * Where the oracle is known to be wrong (its JSON carries a caveat), we follow RFC 5545 instead: the
 * deviation below names the caveat it relies on (the test fails if the caveat disappears), derives our
 * expected list from the oracle's by exactly that change, and asserts the disputed occurrences explicitly.
 */
interface Deviation {
  /** A phrase that must occur in one of the file's caveats; null only for a deviation argued in `why`. */
  caveat: string | null;
  why: string;
  adjust(expected: Comparable[]): Comparable[];
}

const withoutStarts = (starts: readonly string[]) => (list: Comparable[]) => list.filter((c) => !starts.includes(c.start));
const dayAfter = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  'allenporter-ical__google_calendar_invalid_offset.ics': {
    caveat: 'EXDATE;VALUE=DATE',
    why: 'RFC 5545 §3.8.5.1 allows EXDATE as DATE; on a DATE-TIME series a DATE can only mean "not on that day", so the 8 and 9 February instances are removed (as Google, Apple and Thunderbird do).',
    adjust: withoutStarts(['2003-02-08T20:00:00Z', '2003-02-09T20:00:00Z']),
  },
  'radicale__event_mixed_datetime_and_date.ics': {
    caveat: 'EXDATE;VALUE=DATE',
    why: 'Same rule: EXDATE;VALUE=DATE:20130902 removes the 2 September instance of the daily DATE-TIME series.',
    adjust: withoutStarts(['2013-09-02T16:00:00Z']),
  },
  'ccs-calendarserver__PayDay.ics': {
    caveat: 'RFC 5545 section 3.6.1 says such an event lasts one day',
    why: 'An all-day VEVENT with neither DTEND nor DURATION lasts one day (RFC 5545 §3.6.1), so every end is the next day.',
    adjust: (list) => list.map((c) => ({ ...c, end: dayAfter(c.start) })),
  },
  'icaljs__only_dtstart_date.ics': {
    caveat: 'RFC 5545 section 3.6.1 says such an event lasts one day',
    why: 'Same rule: the DATE-only event of 2012-06-30 ends (exclusively) on 2012-07-01.',
    adjust: (list) => list.map((c) => ({ ...c, end: dayAfter(c.start) })),
  },
  'node-ical__test_date_duration.ics': {
    caveat: 'DURATION:PT1W is invalid',
    why: 'PT1W is malformed but unambiguous; we read it as one week (the lenient reading node-ical asserts) instead of dropping it, so the end is 2024-02-22. The start is not disputed.',
    adjust: (list) => list.map((c) => ({ ...c, end: '2024-02-22' })),
  },
  'ical4j__korganizer_sample.ics': {
    caveat: 'is NOT an instance of their RRULE',
    why: 'RFC 5545 §3.8.5.3: DTSTART always counts as the first occurrence, also towards COUNT, so COUNT=12 gives DTSTART plus the first 11 rule instances: the 13th instance the oracle lists for each series is not an occurrence.',
    adjust: withoutStarts(['2004-03-11T03:00:00Z', '2004-04-03T20:00:00Z']),
  },
  'node-ical__tentative-apple-calendar.ics': {
    caveat: 'STATUS:CANCELLED are listed',
    why: 'A cancelled event blocks no time and the expander port drops cancelled occurrences; the oracle only lists it.',
    adjust: (list) => list.filter((c) => c.status !== 'cancelled'),
  },
  'recurring-ical-events__issue_18_cancel_status.ics': {
    caveat: 'STATUS:CANCELLED are listed',
    why: 'The STATUS:CANCELLED override of 29 January cancels that instance: it must not appear at all.',
    adjust: (list) => list.filter((c) => c.status !== 'cancelled'),
  },
  'node-ical__Office-2012-owa.ics': {
    caveat: 'A client that maps Outlook display names to zones would give zoned times instead',
    why:
      'We resolve the Outlook display names: "(GMT+10:00) Canberra, Melbourne, Sydney" is Australia/Sydney and "(UTC-05:00) Eastern Time (US & Canada)" is America/New_York, so the oracle\'s floating wall times become instants in those zones. ' +
      'The oracle also keys events by UID and merges the UID-less VEVENTs that share a start ("TEST Syd" with "TEST", "TEST 3" with the first "TEST2"); RFC 5545 requires a UID, so each UID-less VEVENT gets its own id here and all four events appear.',
    adjust: (list) => {
      const sydney = (local: string): string => new Date(Date.parse(`${local.slice(0, 19)}+11:00`)).toISOString().replace('.000Z', 'Z');
      const newYork = (local: string): string => {
        const offset = local >= '2021-03-14' && local < '2021-11-07' ? '-04:00' : local >= '2020-11-01' ? '-05:00' : '-04:00';
        return new Date(Date.parse(`${local.slice(0, 19)}${offset}`)).toISOString().replace('.000Z', 'Z');
      };
      const zoned = list.map((c) => ({ ...c, start: newYork(c.start), end: newYork(c.end) }));
      return [
        ...zoned,
        { uid: null, override: false, start: sydney('2020-10-28T13:30:00'), end: sydney('2020-10-28T15:00:00'), status: 'confirmed' },
        { uid: null, override: false, start: newYork('2020-11-02T13:30:00'), end: newYork('2020-11-02T15:00:00'), status: 'confirmed' },
      ];
    },
  },
};

const files = fixtureFiles();
const oracleFiles = files.filter((name) => readExpectations(name).occurrences !== undefined);

describe('iCalendar fixtures: parsing', () => {
  it('finds all 36 fixture files', () => {
    expect(files).toHaveLength(36);
  });

  it.each(files)('parses %s without throwing and finds its events', (name) => {
    const parsed = parseCalendarResource(readFixture(name), { resourceId: name, etag: '"e1"', calendarTimeZone: null });

    expect(parsed.events.length).toBeGreaterThan(0);
    for (const event of parsed.events) {
      expect(event.resourceId).toBe(name);
      expect(event.etag).toBe('"e1"');
    }
  });
});

describe('iCalendar fixtures: occurrences equal the oracle (RFC 5545 where the oracle is flagged wrong)', () => {
  it.each(oracleFiles)('%s', (name) => {
    const expectations: OracleFile = readExpectations(name);
    const window = expectations.window ?? { start: '2020-01-01T00:00:00', end: '2028-01-01T00:00:00' };
    const deviation = DEVIATIONS[name];
    if (deviation?.caveat) expect(expectations.caveats?.some((caveat) => caveat.includes(deviation.caveat ?? ''))).toBe(true);
    expect(expectations.machine_tz_dependence ?? []).toEqual([]);

    const oracle = (expectations.occurrences ?? []).map(fromOracle);
    const expected = sortComparables(deviation ? deviation.adjust(oracle) : oracle);
    const actual = sortComparables(occurrencesInWindow(name, window).occurrences.map(fromOccurrence));

    expect(actual).toEqual(expected);
  });

  it('every deviation belongs to a fixture with oracle output', () => {
    for (const name of Object.keys(DEVIATIONS)) expect(oracleFiles).toContain(name);
  });
});

describe('iCalendar fixtures: the disputed results, asserted explicitly', () => {
  const startsOf = (name: string): string[] => {
    const window = readExpectations(name).window ?? { start: '2000-01-01T00:00:00', end: '2030-01-01T00:00:00' };
    return occurrencesInWindow(name, window).occurrences.map((o) => fromOccurrence(o).start);
  };

  it('removes the day of an EXDATE;VALUE=DATE from a timed series', () => {
    const starts = startsOf('allenporter-ical__google_calendar_invalid_offset.ics');
    expect(starts).toHaveLength(8);
    expect(starts).not.toContain('2003-02-08T20:00:00Z');
    expect(starts).not.toContain('2003-02-09T20:00:00Z');
    expect(startsOf('radicale__event_mixed_datetime_and_date.ics')).toEqual(['2013-09-01T16:00:00Z', '2013-09-03T16:00:00Z']);
  });

  it('counts an unsynchronised DTSTART towards COUNT (12 per series, not 13)', () => {
    const starts = startsOf('ical4j__korganizer_sample.ics');
    expect(starts).toHaveLength(24);
    expect(starts).toContain('2003-03-14T03:00:00Z'); // DTSTART itself (a Friday, not a 2nd Thursday)
    expect(starts).toContain('2004-02-12T03:00:00Z'); // 11th rule instance
    expect(starts).not.toContain('2004-03-11T03:00:00Z');
  });

  it('drops cancelled events and cancelled instances', () => {
    const cancelled = occurrencesInWindow('recurring-ical-events__issue_18_cancel_status.ics', { start: '2020-01-01T00:00:00', end: '2021-01-01T00:00:00' });
    expect(cancelled.occurrences.map((o) => fromOccurrence(o).start)).toEqual(['2020-01-28T21:00:00Z', '2020-01-30T21:00:00Z']);
  });

  it('gives all-day events without DTEND one day, and reads DURATION:PT1W as a week', () => {
    const [only] = parseCalendarResource(readFixture('icaljs__only_dtstart_date.ics'), { resourceId: null, etag: null, calendarTimeZone: null }).events;
    expect(only?.end).toEqual({ date: '2012-07-01' });
    const [synology] = parseCalendarResource(readFixture('node-ical__test_date_duration.ics'), { resourceId: null, etag: null, calendarTimeZone: null }).events;
    expect(synology?.start).toEqual({ date: '2024-02-15' });
    expect(synology?.end).toEqual({ date: '2024-02-22' });
  });

  it('resolves Outlook display-name TZIDs instead of reading them as floating', () => {
    const events = parseCalendarResource(readFixture('node-ical__Office-2012-owa.ics'), { resourceId: 'owa.ics', etag: null, calendarTimeZone: null }).events;
    expect(events.map((e) => e.start)).toEqual([
      { dateTime: '2020-10-28T02:30:00Z', timeZone: 'Australia/Sydney' },
      { dateTime: '2020-10-28T17:30:00Z', timeZone: 'America/New_York' },
      { dateTime: '2020-11-02T18:30:00Z', timeZone: 'America/New_York' },
      { dateTime: '2020-11-02T18:30:00Z', timeZone: 'America/New_York' },
    ]);
    expect(new Set(events.map((e) => e.providerEventId)).size).toBe(4);
    expect(events.every((e) => e.iCalUID === null && e.providerEventId.startsWith('no-uid:owa.ics'))).toBe(true);
  });

  it('collective-icalendar__issue_165_missing_event.ics: an invalid RRULE is dropped and the event kept, as the oracle does', () => {
    // Exchange wrote "BYDAY=MO, TU, WE, TH, FR" (spaces are not allowed in a RECUR value, RFC 5545 §3.3.10).
    // The oracle rejects the rule and keeps the event once; the JSON flags no dispute, so we match it
    // exactly (the rule). Keeping the event is what matters: losing the whole VEVENT would be worse.
    const starts = startsOf('collective-icalendar__issue_165_missing_event.ics');
    expect(starts).toEqual(['2015-07-03T08:00:00Z']);
  });
});

describe('iCalendar fixtures: upstream assertions', () => {
  it('icaljs__google_birthday.ics: the series yields the three asserted birthdays despite RDATE:20131210Z', () => {
    const expectations = readExpectations('icaljs__google_birthday.ics');
    const assertions = expectations.assertions as { expected_instance_dates: string[] };
    const parsed = parseCalendarResource(readFixture('icaljs__google_birthday.ics'), { resourceId: 'birthday.ics', etag: null, calendarTimeZone: null });
    const master = parsed.events.find((e) => e.kind === 'master');
    expect(master?.recurrence).toEqual(['RRULE:FREQ=DAILY;COUNT=1', 'RDATE;VALUE=DATE:20131210', 'RDATE;VALUE=DATE:20121210']);

    const occurrences = new CalendarRecurrenceExpander().expand(
      toCalendarEvents(parsed.events),
      { start: new Date('2010-01-01T00:00:00Z'), end: new Date('2016-01-01T00:00:00Z') },
      () => 'America/Los_Angeles',
    );
    const seriesDates = occurrences.filter((o) => o.event.iCalUID === '2014_BIRTHDAY_79d389868f96182e@google.com').map((o) => o.startDate);
    expect(seriesDates).toEqual(assertions.expected_instance_dates);
    // Not asserted upstream: the three overrides under another UID have no master; we still show them.
    const orphans = occurrences.filter((o) => o.event.iCalUID === 'BIRTHDAY_79d389868f96182e@google.com');
    expect(orphans.map((o) => [o.event.kind, o.startDate])).toEqual([
      ['exception', '2012-12-10'],
      ['exception', '2013-12-10'],
      ['exception', '2014-12-10'],
    ]);
  });

  it('ics-parser__issue-343.ics: one event at 2024-09-23 10:00 read in UTC, the DTSTART-less VEVENT skipped', () => {
    const expectations = readExpectations('ics-parser__issue-343.ics');
    const assertions = expectations.assertions as { expected_event_count: number; first_event_dtstart: string; parser_default_timezone: string };
    const parsed = parseCalendarResource(readFixture('ics-parser__issue-343.ics'), { resourceId: 'invite.ics', etag: null, calendarTimeZone: assertions.parser_default_timezone });

    expect(parsed.events).toHaveLength(1);
    expect(parsed.warnings.some((w) => w.includes('without DTSTART') && w.includes('UniqueIDValueHere'))).toBe(true);
    const [master] = parsed.events;
    expect(master?.description).toContain('We look forward to the meeting on Monday.');
    expect(master?.description).toContain('\nJoin Zoom Meeting\n');
    expect(master?.conference).toMatchObject({ provider: 'zoom', url: 'https://zoom.us/j/XXXXXXXXXXXX?pwd=XXXXXXXXXXXXX' });
    expect(master?.attendees.map((a) => a.responseStatus)).toEqual(['needs_action', 'needs_action', 'needs_action']);
    expect(master?.transparency).toBe('opaque'); // X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE still blocks time

    const occurrences = new CalendarRecurrenceExpander().expand(
      toCalendarEvents(parsed.events),
      { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2025-01-01T00:00:00Z') },
      () => null,
    );
    expect(occurrences).toHaveLength(assertions.expected_event_count);
    const first = assertions.first_event_dtstart.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z');
    expect(new Date(occurrences[0]?.startMs ?? 0).toISOString().replace('.000Z', 'Z')).toBe(first);
  });
});
