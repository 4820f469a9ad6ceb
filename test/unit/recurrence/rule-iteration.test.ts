import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRule } from '../../../shared/recurrence/recurrence-lines.ts';
import type { RuleWindow } from '../../../shared/recurrence/rule-iteration.ts';
import { expandRuleFast, expandRuleIcal, loadGeneralRuleEngine } from '../../../shared/recurrence/rule-iteration.ts';

// These tests compare the fast path with the general engine directly: load the engine first.
beforeAll(() => loadGeneralRuleEngine());

const DAY_MS = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function rule(text: string) {
  const parsed = parseRule(text);
  if (!parsed) throw new Error(`bad rule ${text}`);
  return parsed;
}

function window(dtstart: string, from: string, to: string, until: string | null = null, isDate = false): RuleWindow {
  return { dtstartLocal: Date.parse(`${dtstart}Z`), isDate, fromLocal: Date.parse(`${from}Z`), toLocal: Date.parse(`${to}Z`), untilLocal: until ? Date.parse(`${until}Z`) : null };
}

const iso = (list: number[] | null) => (list ?? []).map((ms) => new Date(ms).toISOString().slice(0, 19));

/** Simple rules of every shape the fast path takes, with DTSTART sometimes off the rule. */
const simpleRule = fc
  .record({
    freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
    interval: fc.integer({ min: 1, max: 4 }),
    end: fc.constantFrom('none', 'count', 'until'),
    count: fc.integer({ min: 1, max: 40 }),
    untilDays: fc.integer({ min: -10, max: 900 }),
    byday: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 4 }),
    useByday: fc.boolean(),
    wkst: fc.option(fc.constantFrom(...WEEKDAYS), { nil: null }),
    monthDay: fc.option(fc.integer({ min: 1, max: 31 }), { nil: null }),
    month: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
  })
  .map((spec) => {
    const parts = [`FREQ=${spec.freq}`];
    if (spec.interval > 1) parts.push(`INTERVAL=${spec.interval}`);
    if (spec.end === 'count') parts.push(`COUNT=${spec.count}`);
    if (spec.freq === 'WEEKLY' && spec.useByday) parts.push(`BYDAY=${spec.byday.join(',')}`);
    if (spec.wkst) parts.push(`WKST=${spec.wkst}`);
    if ((spec.freq === 'MONTHLY' || spec.freq === 'YEARLY') && spec.monthDay !== null) parts.push(`BYMONTHDAY=${spec.monthDay}`);
    if (spec.freq === 'YEARLY' && spec.month !== null) parts.push(`BYMONTH=${spec.month}`);
    return { text: parts.join(';'), untilDays: spec.end === 'until' ? spec.untilDays : null };
  });

describe('expandRuleFast agrees with the ical.js iterator', () => {
  it('on random simple rules, windows, DATE and DATE-TIME starts (including 29 February and the 31st)', () => {
    fc.assert(
      fc.property(
        simpleRule,
        fc.integer({ min: 0, max: 4 * 365 }),
        fc.integer({ min: 0, max: 24 * 4 - 1 }),
        fc.boolean(),
        fc.integer({ min: -60, max: 1500 }),
        fc.integer({ min: 1, max: 800 }),
        ({ text, untilDays }, startDay, quarterHour, isDate, fromDays, spanDays) => {
          const parts = rule(text);
          const dtstartLocal = Date.UTC(2024, 0, 1) + startDay * DAY_MS + (isDate ? 0 : quarterHour * 900_000);
          // ical.js spins for about a second before giving up on a YEARLY rule that names an impossible date
          // (31 April, or 29 February every 4 years from a non-leap year); such rules are tested on their own.
          if (parts.get('FREQ') === 'YEARLY') {
            const start = new Date(dtstartLocal);
            const month = Number(parts.get('BYMONTH') ?? start.getUTCMonth() + 1);
            const day = Number(parts.get('BYMONTHDAY') ?? start.getUTCDate());
            fc.pre(day <= new Date(Date.UTC(2024, month, 0)).getUTCDate());
            fc.pre(!(month === 2 && day === 29 && parts.has('INTERVAL')));
          }
          const fromLocal = dtstartLocal + fromDays * DAY_MS;
          const w: RuleWindow = {
            dtstartLocal,
            isDate,
            fromLocal,
            toLocal: fromLocal + spanDays * DAY_MS,
            untilLocal: untilDays === null ? null : dtstartLocal + untilDays * DAY_MS + (isDate ? 0 : 3_600_000),
          };
          const fast = expandRuleFast(parts, w);
          expect(fast).not.toBeNull();
          expect(iso(fast)).toEqual(iso(expandRuleIcal(parts, w)));
        },
      ),
      { numRuns: 1500 },
    );
  }, 60_000);

  it('never yields an impossible yearly date (the fast path; ical.js would roll 31 April over to 1 May)', () => {
    const w = window('2024-10-31T09:00:00', '2024-01-01T00:00:00', '2040-01-01T00:00:00');
    expect(iso(expandRuleFast(rule('FREQ=YEARLY;BYMONTH=4'), w))).toEqual(['2024-10-31T09:00:00']);
    expect(iso(expandRuleFast(rule('FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29'), window('2025-01-01T00:00:00', '2025-01-01T00:00:00', '2040-01-01T00:00:00', null, true)))).toEqual([
      '2025-01-01T00:00:00',
    ]);
  });

  it('leaves rules it cannot do to the general iterator', () => {
    const w = window('2024-01-01T09:00:00', '2024-01-01T00:00:00', '2024-12-31T00:00:00');
    for (const text of ['FREQ=MONTHLY;BYDAY=1MO', 'FREQ=WEEKLY;BYDAY=1MO', 'FREQ=DAILY;BYDAY=MO,TU', 'FREQ=MONTHLY;BYMONTHDAY=-1', 'FREQ=YEARLY;BYMONTH=1,7', 'FREQ=HOURLY', 'FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR']) {
      expect(expandRuleFast(rule(text), w)).toBeNull();
    }
  });
});

describe('RFC 5545 semantics of both paths', () => {
  const both = (text: string, w: RuleWindow) => {
    const fast = expandRuleFast(rule(text), w);
    const general = expandRuleIcal(rule(text), w);
    if (fast) expect(iso(fast)).toEqual(iso(general));
    return iso(general);
  };

  it('counts a DTSTART that is not on the rule as the first instance', () => {
    // Monday DTSTART, BYDAY=TH,FR, COUNT=3: DTSTART + two rule instances.
    expect(both('FREQ=WEEKLY;BYDAY=TH,FR;COUNT=3', window('2020-11-02T13:30:00', '2020-01-01T00:00:00', '2021-01-01T00:00:00'))).toEqual([
      '2020-11-02T13:30:00',
      '2020-11-05T13:30:00',
      '2020-11-06T13:30:00',
    ]);
  });

  it('skips months without the day instead of moving it (31st, 29 February)', () => {
    expect(both('FREQ=MONTHLY;COUNT=4', window('2024-01-31T09:00:00', '2024-01-01T00:00:00', '2025-01-01T00:00:00'))).toEqual([
      '2024-01-31T09:00:00',
      '2024-03-31T09:00:00',
      '2024-05-31T09:00:00',
      '2024-07-31T09:00:00',
    ]);
    expect(both('FREQ=YEARLY;COUNT=2', window('2024-02-29T00:00:00', '2024-01-01T00:00:00', '2030-01-01T00:00:00', null, true))).toEqual([
      '2024-02-29T00:00:00',
      '2028-02-29T00:00:00',
    ]);
  });

  it('aligns INTERVAL weeks on WKST', () => {
    // RFC 5545 §3.3.10 example: the same rule gives different days for WKST=MO and WKST=SU.
    const w = window('1997-08-05T09:00:00', '1997-01-01T00:00:00', '1998-01-01T00:00:00');
    expect(both('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO', w)).toEqual(['1997-08-05T09:00:00', '1997-08-10T09:00:00', '1997-08-19T09:00:00', '1997-08-24T09:00:00']);
    expect(both('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU', w)).toEqual(['1997-08-05T09:00:00', '1997-08-17T09:00:00', '1997-08-19T09:00:00', '1997-08-31T09:00:00']);
  });

  it('includes an instance exactly at UNTIL and none after it', () => {
    expect(both('FREQ=DAILY', window('2024-01-01T09:00:00', '2024-01-01T00:00:00', '2024-02-01T00:00:00', '2024-01-03T09:00:00'))).toEqual([
      '2024-01-01T09:00:00',
      '2024-01-02T09:00:00',
      '2024-01-03T09:00:00',
    ]);
  });

  it('jumps to a window far from DTSTART without losing phase', () => {
    // 2000-01-03 and 2030-01-07 are Mondays 10,962 days = 1,566 weeks apart, a multiple of 3.
    expect(both('FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR', window('2000-01-03T08:00:00', '2030-01-01T00:00:00', '2030-01-20T00:00:00'))).toEqual([
      '2030-01-07T08:00:00',
      '2030-01-11T08:00:00',
    ]);
  });

  it('expands what only the general iterator can (last weekday of the month)', () => {
    expect(iso(expandRuleIcal(rule('FREQ=MONTHLY;BYDAY=-1MO,-1TU,-1WE,-1TH,-1FR;BYSETPOS=-1;COUNT=3'), window('2004-02-27T00:00:00', '2004-01-01T00:00:00', '2005-01-01T00:00:00', null, true)))).toEqual([
      '2004-02-27T00:00:00',
      '2004-03-31T00:00:00',
      '2004-04-30T00:00:00',
    ]);
  });
});
