import { describe, expect, it } from 'vitest';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { freeBusy } from '../../../shared/use-cases/free-busy.ts';
import { listEvents } from '../../../shared/use-cases/list-events.ts';
import { TestClock, syncedCalendar, testConnection } from '../../support/stores.ts';
import { InMemoryCalendars, InMemoryEventStore, allDay, storedEvent } from './support.ts';

const connection = testConnection('zones');
const windows = syncedCalendar(connection, { providerCalendarId: 'windows', timeZone: 'Tokyo Standard Time' });
const junk = syncedCalendar(connection, { providerCalendarId: 'junk', timeZone: 'Not/AZone' });
const range = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-11-10T00:00:00Z') };

async function deps() {
  const events = new InMemoryEventStore();
  await events.putMany([storedEvent(windows, 'w', allDay('2026-11-05', '2026-11-06')), storedEvent(junk, 'j', allDay('2026-11-05', '2026-11-06'))]);
  return { calendars: new InMemoryCalendars([windows, junk]), events, expander: new CalendarRecurrenceExpander(), clock: new TestClock('2026-11-02T00:00:00Z') };
}

describe('calendar zones that are not IANA names', () => {
  it('reads a Windows zone as its IANA zone and junk as UTC in free/busy, instead of failing', async () => {
    const result = await freeBusy(await deps(), { tenantId: 'zones', calendarIds: [windows.id, junk.id], range });
    expect(result.calendars[windows.id]!.busy).toEqual([{ start: '2026-11-04T15:00:00.000Z', end: '2026-11-05T15:00:00.000Z' }]);
    expect(result.calendars[junk.id]!.busy).toEqual([{ start: '2026-11-05T00:00:00.000Z', end: '2026-11-06T00:00:00.000Z' }]);
  });

  it('lists all-day events of such calendars, expanded or not', async () => {
    for (const expand of [true, false]) {
      const page = await listEvents(await deps(), { tenantId: 'zones', calendarId: windows.id, range: { start: new Date('2026-11-04T15:00:00Z'), end: new Date('2026-11-04T16:00:00Z') }, limit: 10, expand });
      expect(page.items.map((item) => item.id)).toEqual(['w']);
      const other = await listEvents(await deps(), { tenantId: 'zones', calendarId: junk.id, range: { start: new Date('2026-11-04T15:00:00Z'), end: new Date('2026-11-04T16:00:00Z') }, limit: 10, expand });
      expect(other.items).toEqual([]);
    }
  });
});
