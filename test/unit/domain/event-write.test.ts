import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeKind, exdateLine, recurrenceLineProblem, recurrenceLineValues, rulePart, timesProblem, toEventTime, withRuleParts } from '../../../shared/domain/event-write.ts';

describe('start/end text', () => {
  it('tells dates, instants and wall times apart, and refuses everything else', () => {
    expect(['2026-12-07', '2026-12-07T09:00:00Z', '2026-12-07T09:00:00.250+01:00', '2026-12-07T09:00', '2026-12-07T09:00:30'].map(eventTimeKind)).toEqual(['date', 'instant', 'instant', 'local', 'local']);
    for (const bad of ['2026-02-30', '2026-13-01', '2026-12-07T25:00', 'tomorrow', '2026-12-07 09:00', '20261207', '']) expect(eventTimeKind(bad), bad).toBeNull();
  });

  it('writes instants in UTC with the organiser zone, drops sub-seconds, keeps dates as dates', () => {
    expect(toEventTime('2026-12-07T09:00:00.750+01:00', 'Europe/Berlin')).toEqual({ dateTime: '2026-12-07T08:00:00Z', timeZone: 'Europe/Berlin' });
    expect(toEventTime('2026-12-07', 'Europe/Berlin')).toEqual({ date: '2026-12-07' });
  });

  it('reads a wall time in its zone: Intl shows the same wall time back (a second implementation)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), (zone, ms) => {
        const minuteMs = Math.floor(ms / 60_000) * 60_000;
        const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(minuteMs).map((p) => [p.type, p.value]));
        const wall = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
        const time = toEventTime(wall, zone) as { dateTime: string; timeZone: string };
        // Ambiguous wall times (the repeated hour when clocks go back) have two instants; either reads back.
        const back = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(Date.parse(time.dateTime)).map((p) => [p.type, p.value]));
        expect(`${back.year}-${back.month}-${back.day}T${back.hour}:${back.minute}`).toBe(wall);
        expect(time.timeZone).toBe(zone);
      }),
      { numRuns: 300 },
    );
  });

  it('wants both ends of one kind and the end after the start', () => {
    expect(timesProblem({ date: '2026-12-07' }, { date: '2026-12-08' })).toBeNull();
    expect(timesProblem({ date: '2026-12-07' }, { date: '2026-12-07' })).toBe('must be after start');
    expect(timesProblem({ dateTime: '2026-12-07T09:00:00Z', timeZone: null }, { date: '2026-12-08' })).toMatch(/both be dates/);
    expect(timesProblem({ dateTime: '2026-12-07T09:00:00Z', timeZone: null }, { dateTime: '2026-12-07T08:59:59Z', timeZone: null })).toBe('must be after start');
  });
});

describe('recurrence lines', () => {
  it('accepts what RFC 5545 and Google write', () => {
    for (const line of [
      'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270601T000000Z',
      'RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=12',
      'rrule:freq=daily;interval=2',
      'RRULE:FREQ=YEARLY;UNTIL=20301231',
      'EXDATE:20261214T090000Z',
      'EXDATE;TZID=America/New_York:20261214T090000,20261221T090000',
      'EXDATE;VALUE=DATE:20261224',
      'RDATE:20261215T090000Z',
      'EXRULE:FREQ=MONTHLY;BYMONTHDAY=1',
    ]) expect(recurrenceLineProblem(line), line).toBeNull();
  });

  it('names what is wrong', () => {
    expect(recurrenceLineProblem('FREQ=WEEKLY')).toMatch(/a line such as/);
    expect(recurrenceLineProblem('DTSTART:20261207T090000Z')).toMatch(/not a recurrence line/);
    expect(recurrenceLineProblem('RRULE:FREQ=FORTNIGHTLY')).toMatch(/FREQ/);
    expect(recurrenceLineProblem('RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000Z')).toMatch(/not both/);
    expect(recurrenceLineProblem('RRULE:FREQ=WEEKLY;COUNT=0')).toMatch(/COUNT/);
    expect(recurrenceLineProblem('RRULE:FREQ=WEEKLY;UNTIL=20270230')).toMatch(/UNTIL/);
    expect(recurrenceLineProblem('RRULE:FREQ=WEEKLY;INTERVAL=-1')).toMatch(/INTERVAL/);
    expect(recurrenceLineProblem('EXDATE:next-monday')).toMatch(/values/);
    expect(recurrenceLineProblem('EXDATE;TZID=Mars/Olympus:20261214T090000')).toMatch(/unknown time zone/);
  });

  it('reads EXDATE values as instants (UTC, TZID, floating in the series zone) or dates, and writes them back', () => {
    expect(recurrenceLineValues('EXDATE;TZID=America/New_York:20261214T090000,20261221T090000', 'UTC')).toEqual([
      { dateTime: '2026-12-14T14:00:00Z', timeZone: 'America/New_York' },
      { dateTime: '2026-12-21T14:00:00Z', timeZone: 'America/New_York' },
    ]);
    expect(recurrenceLineValues('EXDATE:20261214T090000', 'Europe/Berlin')).toEqual([{ dateTime: '2026-12-14T08:00:00Z', timeZone: 'Europe/Berlin' }]);
    expect(recurrenceLineValues('EXDATE;VALUE=DATE:20261224', 'UTC')).toEqual([{ date: '2026-12-24' }]);
    expect(exdateLine({ dateTime: '2026-12-14T08:00:00Z', timeZone: 'Europe/Berlin' })).toBe('EXDATE:20261214T080000Z');
    expect(exdateLine({ date: '2026-12-24' })).toBe('EXDATE;VALUE=DATE:20261224');
  });

  it('changes rule parts in place', () => {
    const rule = 'RRULE:FREQ=DAILY;COUNT=6;BYHOUR=9';
    expect(withRuleParts(rule, { COUNT: null, UNTIL: '20261216T085959Z' })).toBe('RRULE:FREQ=DAILY;BYHOUR=9;UNTIL=20261216T085959Z');
    expect(withRuleParts(rule, { COUNT: '4' })).toBe('RRULE:FREQ=DAILY;BYHOUR=9;COUNT=4');
    expect(rulePart(rule, 'COUNT')).toBe('6');
    expect(rulePart(rule, 'UNTIL')).toBeUndefined();
  });
});
