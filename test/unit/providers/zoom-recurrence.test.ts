import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { zoomMeetingShape } from '../../../shared/providers/video/zoom/zoom-recurrence.ts';
import { expandSeries } from '../../../shared/recurrence/expand-series.ts';
import { loadGeneralRuleEngine } from '../../../shared/recurrence/rule-iteration.ts';
import { occurrencesOf } from '../../simulators/zoom/recurrence.ts';

// The mapping from an event's RRULE to Zoom's series is checked against two expansions written apart: the
// product's RFC 5545 expander and the Zoom simulator's own reading of Zoom's recurrence object. Wherever the
// mapping picks Zoom's series (type 8), both must list the very same instants.
beforeAll(() => loadGeneralRuleEngine());

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo'];
const DURATION_MIN = 45;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function rfcStarts(rule: string, startMs: number, zone: string): string[] {
  const series = { start: { dateTime: iso(startMs), timeZone: zone }, end: { dateTime: iso(startMs + DURATION_MIN * 60_000), timeZone: zone }, recurrence: [rule] };
  const { instances, invalid } = expandSeries(series, null, startMs - 86_400_000, startMs + 51 * 366 * 86_400_000);
  expect(invalid).toEqual([]);
  return instances.map((i) => iso(i.startMs));
}

const ruleCase = fc.record({
  freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY'),
  interval: fc.integer({ min: 1, max: 12 }),
  count: fc.integer({ min: 1, max: 60 }),
  byDay: fc.option(fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  zone: fc.constantFrom(...ZONES),
  // Any day of 2026–2029, at quarter hours; hours 1–3 included, so DST nights are met.
  startMs: fc.integer({ min: Date.UTC(2026, 0, 1) / 900_000, max: Date.UTC(2029, 11, 31) / 900_000 }).map((n) => n * 900_000),
});

describe('zoomMeetingShape', () => {
  it('gives a single event a scheduled meeting and a series Zoom can not repeat alike a meeting with no fixed time', () => {
    const start = Date.UTC(2027, 0, 4, 9);
    expect(zoomMeetingShape(undefined, start, 'UTC')).toEqual({ type: 2 });
    for (const lines of [
      ['RRULE:FREQ=WEEKLY'],
      ['RRULE:FREQ=WEEKLY;UNTIL=20270301T000000Z'],
      ['RRULE:FREQ=YEARLY;COUNT=3'],
      ['RRULE:FREQ=WEEKLY;COUNT=61'],
      ['RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR;COUNT=4'],
      ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE:20270111T090000Z'],
      ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;COUNT=4'],
      ['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4'],
      ['RRULE:FREQ=DAILY;INTERVAL=100;COUNT=2'],
    ]) {
      expect(zoomMeetingShape(lines, start, 'UTC'), lines.join(' ')).toEqual({ type: 3 });
    }
    expect(zoomMeetingShape(['RRULE:FREQ=MONTHLY;COUNT=3'], Date.UTC(2027, 0, 31, 9), 'UTC')).toEqual({ type: 3 });
    // The autumn night in Berlin shows 02:00 twice: both expansions take the first (RFC 5545 §3.3.5).
    const autumn = Date.UTC(2026, 9, 16, 0);
    const daily = zoomMeetingShape(['RRULE:FREQ=DAILY;INTERVAL=9;COUNT=2'], autumn, 'Europe/Berlin');
    expect(daily.type).toBe(8);
    if (daily.type === 8) expect(occurrencesOf(daily.recurrence, iso(autumn), DURATION_MIN, 'Europe/Berlin').map((o) => o.start_time)).toEqual(['2026-10-16T00:00:00Z', '2026-10-25T00:00:00Z']);
    expect(rfcStarts('RRULE:FREQ=DAILY;INTERVAL=9;COUNT=2', autumn, 'Europe/Berlin')).toEqual(['2026-10-16T00:00:00Z', '2026-10-25T00:00:00Z']);
    expect(zoomMeetingShape(['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5'], start, 'Europe/Berlin')).toEqual({ type: 8, recurrence: { type: 2, repeat_interval: 1, weekly_days: '2,4', end_times: 5 } });
  });

  it('picks Zoom\'s own series only where Zoom lists the same instants as RFC 5545', () => {
    let series = 0;
    fc.assert(
      fc.property(ruleCase, (c) => {
        const rule = `RRULE:FREQ=${c.freq};COUNT=${c.count}${c.interval > 1 ? `;INTERVAL=${c.interval}` : ''}${c.byDay && c.freq === 'WEEKLY' ? `;BYDAY=${c.byDay.join(',')}` : ''}`;
        const shape = zoomMeetingShape([rule], c.startMs, c.zone);
        if (shape.type !== 8) return;
        series++;
        const zoom = occurrencesOf(shape.recurrence, iso(c.startMs), DURATION_MIN, c.zone).map((o) => o.start_time);
        expect(zoom, `${rule} from ${iso(c.startMs)} in ${c.zone}`).toEqual(rfcStarts(rule, c.startMs, c.zone));
      }),
      { numRuns: 1000 },
    );
    // Most generated rules are mappable: the comparison above really ran.
    expect(series).toBeGreaterThan(400);
  });
});
