import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import type { Occurrence } from '../../../shared/ports/recurrence-expander.ts';
import { CalendarRecurrenceExpander, THIS_AND_FUTURE } from '../../../shared/recurrence/index.ts';
import { providerEvent } from '../../support/events.ts';

let counter = 0;
function event(overrides: Partial<CalendarEvent>): CalendarEvent {
  counter++;
  return {
    ...providerEvent(`p${counter}`, { start: { dateTime: '2024-01-01T09:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2024-01-01T10:00:00Z', timeZone: 'UTC' } }),
    tenantId: 'tenant-test',
    connectionId: 'con_1',
    calendarId: 'cal_1',
    id: `evt_${counter}`,
    contentHash: 'h',
    ...overrides,
  };
}

const expander = new CalendarRecurrenceExpander();
const range = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });
const starts = (list: Occurrence[]) => list.map((o) => new Date(o.startMs).toISOString().replace('.000Z', 'Z'));

describe('CalendarRecurrenceExpander: wall time across DST', () => {
  it('keeps a New York 09:00 weekly meeting at 09:00 when DST starts (UTC moves from 14:00 to 13:00)', () => {
    const master = event({
      kind: 'master',
      providerEventId: 'ny',
      start: { dateTime: '2024-02-26T14:00:00Z', timeZone: 'America/New_York' },
      end: { dateTime: '2024-02-26T15:00:00Z', timeZone: 'America/New_York' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
    });
    const result = expander.expand([master], range('2024-02-25T00:00:00Z', '2024-03-20T00:00:00Z'), () => null);
    expect(starts(result)).toEqual(['2024-02-26T14:00:00Z', '2024-03-04T14:00:00Z', '2024-03-11T13:00:00Z', '2024-03-18T13:00:00Z']);
    expect(result.every((o) => o.endMs - o.startMs === 3_600_000 && o.event === master && o.originalStartMs === o.startMs)).toBe(true);
  });

  it('keeps a Berlin 09:00 daily stand-up at 09:00 in spring and autumn', () => {
    const master = event({
      kind: 'master',
      start: { dateTime: '2024-03-29T08:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2024-03-29T08:15:00Z', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=DAILY;UNTIL=20241030T235959Z'],
    });
    const spring = expander.expand([master], range('2024-03-29T00:00:00Z', '2024-04-02T00:00:00Z'), () => null);
    expect(starts(spring)).toEqual(['2024-03-29T08:00:00Z', '2024-03-30T08:00:00Z', '2024-03-31T07:00:00Z', '2024-04-01T07:00:00Z']);
    const autumn = expander.expand([master], range('2024-10-26T00:00:00Z', '2024-11-05T00:00:00Z'), () => null);
    expect(starts(autumn)).toEqual(['2024-10-26T07:00:00Z', '2024-10-27T08:00:00Z', '2024-10-28T08:00:00Z', '2024-10-29T08:00:00Z', '2024-10-30T08:00:00Z']);
  });

  it('moves an instance that falls into the spring-forward gap forward, per RFC 5545', () => {
    const master = event({
      kind: 'master',
      start: { dateTime: '2024-03-09T07:30:00Z', timeZone: 'America/New_York' }, // 02:30 EST
      end: { dateTime: '2024-03-09T08:00:00Z', timeZone: 'America/New_York' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
    });
    // 10 March 02:30 does not exist in New York; it is read with the offset before the gap: 03:30 EDT.
    expect(starts(expander.expand([master], range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'), () => null))).toEqual([
      '2024-03-09T07:30:00Z',
      '2024-03-10T07:30:00Z',
      '2024-03-11T06:30:00Z',
    ]);
  });
});

describe('CalendarRecurrenceExpander: stored recurrence lines in every form', () => {
  it('reads Google masters: EXDATE;TZID, RDATE with TZID, and UTC values', () => {
    const master = event({
      kind: 'master',
      start: { dateTime: '2024-01-01T14:00:00Z', timeZone: 'America/New_York' },
      end: { dateTime: '2024-01-01T15:00:00Z', timeZone: 'America/New_York' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4', 'EXDATE;TZID=America/New_York:20240108T090000', 'RDATE;TZID=America/New_York:20240110T120000', 'EXDATE:20240122T140000Z'],
    });
    expect(starts(expander.expand([master], range('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'), () => null))).toEqual([
      '2024-01-01T14:00:00Z',
      '2024-01-10T17:00:00Z',
      '2024-01-15T14:00:00Z',
    ]);
  });

  it('expands all-day series in each calendar’s own zone, with RDATE;VALUE=DATE and EXDATE;VALUE=DATE', () => {
    const allDay = (calendarId: string) =>
      event({
        kind: 'master',
        calendarId,
        start: { date: '2024-05-06' },
        end: { date: '2024-05-07' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3', 'RDATE;VALUE=DATE:20240505', 'EXDATE;VALUE=DATE:20240513'],
      });
    const tokyo = allDay('cal_tokyo');
    const la = allDay('cal_la');
    const zones: Record<string, string> = { cal_tokyo: 'Asia/Tokyo', cal_la: 'America/Los_Angeles' };
    const result = expander.expand([tokyo, la], range('2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z'), (id) => zones[id] ?? null);

    const forCalendar = (id: string) => result.filter((o) => o.event.calendarId === id).map((o) => [o.startDate, o.endDate, new Date(o.startMs).toISOString()]);
    expect(forCalendar('cal_tokyo')).toEqual([
      ['2024-05-05', '2024-05-06', '2024-05-04T15:00:00.000Z'],
      ['2024-05-06', '2024-05-07', '2024-05-05T15:00:00.000Z'],
      ['2024-05-20', '2024-05-21', '2024-05-19T15:00:00.000Z'],
    ]);
    expect(forCalendar('cal_la')).toEqual([
      ['2024-05-05', '2024-05-06', '2024-05-05T07:00:00.000Z'],
      ['2024-05-06', '2024-05-07', '2024-05-06T07:00:00.000Z'],
      ['2024-05-20', '2024-05-21', '2024-05-20T07:00:00.000Z'],
    ]);
  });

  it('accepts a Windows zone name or junk as calendar zone instead of throwing', () => {
    const allDay = event({ kind: 'master', start: { date: '2024-05-06' }, end: { date: '2024-05-07' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=2'] });
    const windows = expander.expand([allDay], range('2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z'), () => 'Tokyo Standard Time');
    expect(windows.map((o) => new Date(o.startMs).toISOString())).toEqual(['2024-05-05T15:00:00.000Z', '2024-05-06T15:00:00.000Z']);
    const junk = expander.expand([allDay], range('2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z'), () => 'Not/AZone');
    expect(junk.map((o) => new Date(o.startMs).toISOString())).toEqual(['2024-05-06T00:00:00.000Z', '2024-05-07T00:00:00.000Z']);
  });

  it('removes the day of an EXDATE;VALUE=DATE from a timed series', () => {
    const master = event({ kind: 'master', recurrence: ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;VALUE=DATE:20240102'] });
    expect(starts(expander.expand([master], range('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'), () => null))).toEqual(['2024-01-01T09:00:00Z', '2024-01-03T09:00:00Z']);
  });

  it('treats a master without rules as a single event', () => {
    const lone = event({ kind: 'master', recurrence: [] });
    expect(expander.expand([lone], range('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'), () => null)).toHaveLength(1);
  });
});

describe('CalendarRecurrenceExpander: exceptions and occurrences', () => {
  const master = event({
    kind: 'master',
    providerEventId: 'series',
    start: { dateTime: '2024-01-01T09:00:00Z', timeZone: 'UTC' },
    end: { dateTime: '2024-01-01T10:00:00Z', timeZone: 'UTC' },
    recurrence: ['RRULE:FREQ=DAILY;COUNT=10'],
  });
  const exception = (original: string, start: string, extra: Partial<CalendarEvent> = {}) =>
    event({
      kind: 'exception',
      recurringEventId: 'series',
      originalStart: { dateTime: original, timeZone: 'UTC' },
      start: { dateTime: start, timeZone: 'UTC' },
      end: { dateTime: new Date(Date.parse(start) + 1_800_000).toISOString(), timeZone: 'UTC' },
      ...extra,
    });

  it('replaces, cancels, and moves instances into and out of the range', () => {
    const moved = exception('2024-01-03T09:00:00Z', '2024-01-03T15:00:00Z');
    const cancelled = exception('2024-01-04T09:00:00Z', '2024-01-04T09:00:00Z', { status: 'cancelled' });
    const movedIn = exception('2024-01-09T09:00:00Z', '2024-01-05T12:00:00Z'); // original outside the range
    const movedOut = exception('2024-01-05T09:00:00Z', '2024-01-20T09:00:00Z'); // original inside, now outside
    const result = expander.expand([master, moved, cancelled, movedIn, movedOut], range('2024-01-02T00:00:00Z', '2024-01-06T00:00:00Z'), () => null);

    expect(result.map((o) => [new Date(o.startMs).toISOString(), o.event.id, o.originalStartMs === null ? null : new Date(o.originalStartMs).toISOString()])).toEqual([
      ['2024-01-02T09:00:00.000Z', master.id, '2024-01-02T09:00:00.000Z'],
      ['2024-01-03T15:00:00.000Z', moved.id, '2024-01-03T09:00:00.000Z'],
      ['2024-01-05T12:00:00.000Z', movedIn.id, '2024-01-09T09:00:00.000Z'],
    ]);
  });

  it('lets provider-expanded occurrences (Graph) stand in for the same instance', () => {
    const occurrence = exception('2024-01-02T09:00:00Z', '2024-01-02T09:00:00Z', { kind: 'occurrence', title: 'from Graph' });
    const result = expander.expand([master, occurrence], range('2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'), () => null);
    expect(result.map((o) => o.event.id)).toEqual([occurrence.id]);
  });

  it('shows exceptions whose master is missing, and only matches overrides within the same calendar', () => {
    const orphan = exception('2024-01-02T09:00:00Z', '2024-01-02T11:00:00Z', { recurringEventId: 'gone' });
    const otherCalendar = exception('2024-01-02T09:00:00Z', '2024-01-02T13:00:00Z', { calendarId: 'cal_2' });
    const result = expander.expand([master, orphan, otherCalendar], range('2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'), () => null);
    expect(result.map((o) => o.event.id)).toEqual([master.id, orphan.id, otherCalendar.id]);
  });

  it('shifts every later instance after a RANGE=THISANDFUTURE exception', () => {
    const future = exception('2024-01-04T09:00:00Z', '2024-01-04T11:00:00Z', { recurrence: [THIS_AND_FUTURE], title: 'later' });
    const single = exception('2024-01-06T09:00:00Z', '2024-01-06T16:00:00Z');
    const result = expander.expand([master, future, single], range('2024-01-03T00:00:00Z', '2024-01-08T00:00:00Z'), () => null);
    expect(result.map((o) => [new Date(o.startMs).toISOString().slice(5, 16), o.endMs - o.startMs, o.event.id])).toEqual([
      ['01-03T09:00', 3_600_000, master.id],
      ['01-04T11:00', 1_800_000, future.id],
      ['01-05T11:00', 1_800_000, future.id],
      ['01-06T16:00', 1_800_000, single.id],
      ['01-07T11:00', 1_800_000, future.id],
    ]);
  });

  it('matches all-day overrides by date', () => {
    const allDayMaster = event({ kind: 'master', providerEventId: 'days', start: { date: '2024-01-01' }, end: { date: '2024-01-02' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=3'] });
    const moved = event({ kind: 'exception', recurringEventId: 'days', originalStart: { date: '2024-01-02' }, start: { date: '2024-01-05' }, end: { date: '2024-01-06' } });
    const result = expander.expand([allDayMaster, moved], range('2024-01-01T00:00:00Z', '2024-01-10T00:00:00Z'), () => 'Europe/Berlin');
    expect(result.map((o) => [o.startDate, o.event.id])).toEqual([
      ['2024-01-01', allDayMaster.id],
      ['2024-01-03', allDayMaster.id],
      ['2024-01-05', moved.id],
    ]);
  });
});

describe('CalendarRecurrenceExpander: singles, status and range edges', () => {
  it('drops cancelled singles and cancelled series but keeps their live exceptions', () => {
    const cancelledSingle = event({ status: 'cancelled' });
    const cancelledSeries = event({ kind: 'master', providerEventId: 'dead', status: 'cancelled', recurrence: ['RRULE:FREQ=DAILY'] });
    const survivor = event({ kind: 'exception', recurringEventId: 'dead', originalStart: { dateTime: '2024-01-02T09:00:00Z', timeZone: 'UTC' } });
    const result = expander.expand([cancelledSingle, cancelledSeries, survivor], range('2024-01-01T00:00:00Z', '2024-01-05T00:00:00Z'), () => null);
    expect(result.map((o) => o.event.id)).toEqual([survivor.id]);
  });

  it('lists what overlaps [start, end): not an event ending at start, a zero-length one at start', () => {
    const endsAtStart = event({ start: { dateTime: '2024-01-01T08:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2024-01-01T09:00:00Z', timeZone: 'UTC' } });
    const zeroLength = event({ start: { dateTime: '2024-01-01T09:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2024-01-01T09:00:00Z', timeZone: 'UTC' } });
    const startsAtEnd = event({ start: { dateTime: '2024-01-01T10:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2024-01-01T11:00:00Z', timeZone: 'UTC' } });
    const result = expander.expand([endsAtStart, zeroLength, startsAtEnd], range('2024-01-01T09:00:00Z', '2024-01-01T10:00:00Z'), () => null);
    expect(result.map((o) => o.event.id)).toEqual([zeroLength.id]);
  });

  it('keeps a series that started long before the range and sorts the result by start', () => {
    const old = event({ kind: 'master', start: { dateTime: '1999-01-04T12:00:00Z', timeZone: 'Asia/Tokyo' }, end: { dateTime: '1999-01-04T13:00:00Z', timeZone: 'Asia/Tokyo' }, recurrence: ['RRULE:FREQ=WEEKLY'] });
    const single = event({ start: { dateTime: '2025-01-07T00:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2025-01-07T01:00:00Z', timeZone: 'UTC' } });
    const result = expander.expand([single, old], range('2025-01-01T00:00:00Z', '2025-01-15T00:00:00Z'), () => null);
    expect(starts(result)).toEqual(['2025-01-06T12:00:00Z', '2025-01-07T00:00:00Z', '2025-01-13T12:00:00Z']);
  });
});
