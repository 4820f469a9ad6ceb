import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { generalRuleEngineLoaded } from '../../../shared/recurrence/rule-iteration.ts';
import { providerEvent } from '../../support/events.ts';

function master(rule: string): CalendarEvent {
  return {
    ...providerEvent(rule, {
      kind: 'master',
      title: 'series',
      start: { dateTime: '2026-01-05T09:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-01-05T09:30:00Z', timeZone: 'Europe/Berlin' },
      recurrence: [rule],
    }),
    tenantId: 't', connectionId: 'c', calendarId: 'cal', id: `evt_${rule.length}`, contentHash: 'h',
  };
}

const range = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') };

// Vitest gives each test file its own module registry, so the engine starts unloaded here.
describe('the general rule engine is loaded only when a rule needs it', () => {
  const expander = new CalendarRecurrenceExpander();

  it('expands simple rules by arithmetic without loading it', async () => {
    const weekly = master('RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10');
    await expander.prepare([weekly]);
    expect(generalRuleEngineLoaded()).toBe(false);
    expect(expander.expand([weekly], range, () => null)).toHaveLength(10);
  });

  it('refuses a complex rule before prepare, and expands it after', async () => {
    const lastWeekday = master('RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3');
    expect(() => expander.expand([lastWeekday], range, () => null)).toThrow(/prepare/);
    await expander.prepare([lastWeekday]);
    expect(generalRuleEngineLoaded()).toBe(true);
    expect(expander.expand([lastWeekday], range, () => null).map((o) => new Date(o.startMs).toISOString().slice(0, 10))).toEqual(['2026-01-05', '2026-01-30', '2026-02-27']); // DTSTART counts as the first instance (RFC 5545)
  });
});
