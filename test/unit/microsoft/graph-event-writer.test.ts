import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { recurrenceLinesOf } from '../../../shared/providers/microsoft/graph-recurrence.ts';
import { draftExclusions, draftToGraph } from '../../../shared/providers/microsoft/graph-event-writer.ts';

describe('draftToGraph (EventDraft → Graph body)', () => {
  it('writes a timed event as the wall time in its zone, attendees, showAs and a Teams request', () => {
    const body = draftToGraph({
      title: 'Design review',
      description: 'Agenda',
      location: 'Room 1',
      start: { dateTime: '2026-12-07T09:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-07T10:00:00Z', timeZone: 'Europe/Berlin' },
      transparency: 'transparent',
      attendees: [{ email: 'megan@contoso.com', name: 'Megan' }, { email: 'lee@contoso.com', optional: true }],
      conference: { provider: 'teams' },
    });
    expect(body).toEqual({
      subject: 'Design review',
      body: { contentType: 'text', content: 'Agenda' },
      location: { displayName: 'Room 1' },
      start: { dateTime: '2026-12-07T10:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-07T11:00:00', timeZone: 'Europe/Berlin' },
      isAllDay: false,
      showAs: 'free',
      attendees: [
        { emailAddress: { address: 'megan@contoso.com', name: 'Megan' }, type: 'required' },
        { emailAddress: { address: 'lee@contoso.com' }, type: 'optional' },
      ],
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
    });
  });

  it('writes all-day events as floating midnights', () => {
    const body = draftToGraph({ title: 'Offsite', start: { date: '2026-12-10' }, end: { date: '2026-12-12' } });
    expect(body).toMatchObject({ isAllDay: true, start: { dateTime: '2026-12-10T00:00:00' }, end: { dateTime: '2026-12-12T00:00:00' }, showAs: 'busy' });
    expect(body).not.toHaveProperty('isOnlineMeeting');
  });

  it('turns RRULE lines into a patterned recurrence that reads back as the same rule', () => {
    const start = { dateTime: '2026-12-07T08:00:00Z', timeZone: 'America/New_York' };
    for (const rule of ['RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE', 'RRULE:FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', 'RRULE:FREQ=DAILY;INTERVAL=3', 'RRULE:FREQ=YEARLY;BYMONTHDAY=7;BYMONTH=12']) {
      const body = draftToGraph({ title: 'x', start, end: { dateTime: '2026-12-07T09:00:00Z', timeZone: 'America/New_York' }, recurrence: [rule] });
      const recurrence = body.recurrence as Parameters<typeof recurrenceLinesOf>[0];
      expect(recurrence?.range).toMatchObject({ startDate: '2026-12-07', recurrenceTimeZone: 'America/New_York' });
      expect(recurrenceLinesOf(recurrence, { kind: 'timed', utcMs: Date.parse(start.dateTime), zone: 'America/New_York' })).toEqual([rule]);
    }
    const until = draftToGraph({ title: 'x', start, end: start, recurrence: ['RRULE:FREQ=DAILY;UNTIL=20261211T045959Z'] }).recurrence as { range: unknown };
    expect(until.range).toEqual({ type: 'endDate', startDate: '2026-12-07', endDate: '2026-12-10', recurrenceTimeZone: 'America/New_York' });
  });

  it('refuses what Graph cannot express as provider.input_invalid', () => {
    const base = { title: 'x', start: { dateTime: '2026-12-07T08:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2026-12-07T09:00:00Z', timeZone: 'UTC' } };
    for (const recurrence of [['RRULE:FREQ=HOURLY'], ['RRULE:FREQ=WEEKLY', 'RDATE:20261215T080000Z'], ['RRULE:FREQ=WEEKLY', 'EXRULE:FREQ=MONTHLY'], ['RRULE:FREQ=MONTHLY;BYHOUR=9']]) {
      expect(isAppError(captured(() => draftToGraph({ ...base, recurrence })), 'provider.input_invalid')).toBe(true);
    }
    expect(isAppError(captured(() => draftToGraph({ ...base, conference: { provider: 'google_meet' } })), 'provider.input_invalid')).toBe(true);
    expect(isAppError(captured(() => draftToGraph({ ...base, end: { date: '2026-12-08' } })), 'provider.input_invalid')).toBe(true);
  });
});

describe('draftExclusions (EXDATE lines, which Graph writes as cancelled instances)', () => {
  const start = { dateTime: '2026-12-07T08:00:00Z', timeZone: 'Europe/Berlin' };
  const base = { title: 'x', start, end: { dateTime: '2026-12-07T09:00:00Z', timeZone: 'Europe/Berlin' } };

  it('accepts EXDATE beside the RRULE and reads UTC, TZID, floating and date values as instants or dates', () => {
    const recurrence = ['RRULE:FREQ=WEEKLY;COUNT=5', 'EXDATE:20261214T080000Z', 'EXDATE;TZID=Europe/Berlin:20261221T090000', 'EXDATE:20261228T090000,20270104T090000', 'EXDATE;VALUE=DATE:20270111'];
    const body = draftToGraph({ ...base, recurrence });

    expect(body.recurrence).toMatchObject({ range: { type: 'numbered', numberOfOccurrences: 5 } });
    expect(draftExclusions({ ...base, recurrence })).toEqual([
      { kind: 'instant', utcMs: Date.parse('2026-12-14T08:00:00Z') },
      { kind: 'instant', utcMs: Date.parse('2026-12-21T08:00:00Z') },
      { kind: 'instant', utcMs: Date.parse('2026-12-28T08:00:00Z') },
      { kind: 'instant', utcMs: Date.parse('2027-01-04T08:00:00Z') },
      { kind: 'date', date: '2027-01-11' },
    ]);
    expect(draftExclusions(base)).toEqual([]);
  });

  it('refuses an unreadable EXDATE as provider.input_invalid on body.recurrence', () => {
    const error = captured(() => draftExclusions({ ...base, recurrence: ['RRULE:FREQ=DAILY', 'EXDATE:next-tuesday'] }));
    expect(isAppError(error, 'provider.input_invalid')).toBe(true);
    expect((error as { details?: { field?: string } }).details?.field).toBe('body.recurrence');
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
}
