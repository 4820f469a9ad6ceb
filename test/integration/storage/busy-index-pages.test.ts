import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { DynamoEventStore } from '../../../shared/storage/dynamo-event-store.ts';
import { INDEX } from '../../../shared/storage/table-schema.ts';
import { meterQueries, type QueryPage } from '../../support/dynamo-read-meter.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { event, timed } from './builders.ts';

/**
 * performance.md, availability: 10 participant calendars × 2,000 events over 30 days, DynamoDB reads ≤ 1
 * query page per calendar for the singles. Counts the Query pages and read units DynamoDB Local reports on
 * the old path (gsi1, whole items) and on gsi4 (`busyByStart`, busy fields only). Prints the figures.
 */
const T = 'tenant-pages';
const CALENDARS = 10;
const EVENTS = 2_000;
const DAY = 86_400_000;
const BASE = Date.parse('2026-03-01T00:00:00.000Z');
const range = { start: new Date(BASE), end: new Date(BASE + 30 * DAY) };

function calendarEvents(calendarId: string): CalendarEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const startMs = BASE + Math.floor((i * 30 * DAY) / EVENTS);
    return event(T, calendarId, `ev_${String(i).padStart(4, '0')}`, {
      ...timed(new Date(startMs).toISOString(), new Date(startMs + 30 * 60_000).toISOString()),
      title: `Meeting ${i} about the quarterly plan`,
      description: 'Agenda: status, risks, next steps. Dial-in details and notes follow in the invite body.'.repeat(3),
      attendees: [
        { email: 'owner@example.com', name: 'Owner', responseStatus: 'accepted', optional: false, organizer: true, self: true },
        { email: 'guest@example.com', name: 'Guest', responseStatus: 'needs_action', optional: false, organizer: false, self: false },
      ],
    });
  });
}

function summary(pages: readonly QueryPage[]) {
  const singles = pages.filter((p) => p.index === INDEX.busyByStart.name || (p.index === INDEX.byParent.name && p.scanned > 100));
  return { pages: pages.length, singlesPages: singles.length, readUnits: Math.round(pages.reduce((sum, p) => sum + p.capacityUnits, 0) * 10) / 10 };
}

describe('busy time read cost, 10 calendars × 2,000 events, 30 days (DynamoDB Local)', () => {
  it('reads ≤ 1 MB (one DynamoDB query page) of gsi4 per calendar for the singles, against ~3 pages on the old path, with the same busy time', async () => {
    const table = await createTestTable('busypages');
    const calendarIds = Array.from({ length: CALENDARS }, (_, i) => `cal_${i}`);
    const writer = new DynamoEventStore({ doc: table.doc, tableName: table.tableName });
    for (const calendarId of calendarIds) await writer.putMany(calendarEvents(calendarId));
    const meter = meterQueries(table.client);
    const queries = calendarIds.map((calendarId) => ({ calendarId, range }));

    const before = await new DynamoEventStore({ doc: table.doc, tableName: table.tableName, busyIndex: 'off' }).listBusyInRange(T, queries);
    const old = summary(meter.pages);
    meter.reset();
    const after = await new DynamoEventStore({ doc: table.doc, tableName: table.tableName, busyIndex: 'on' }).listBusyInRange(T, queries);
    const fromIndex = summary(meter.pages);
    // DynamoDB Local cuts index pages by the size of the base items (856 a page here, on either path), so its
    // page count cannot show the gain; DynamoDB applies the 1 MB to the index entries read, which the read
    // units measure (eventually consistent: 0.5 unit per 4 KB). Pages DynamoDB would need = ceil(bytes / 1 MB).
    const singlesBytes = (pages: readonly QueryPage[], index: string, id: string) =>
      pages.filter((p) => p.index === index && p.partition === `T#${T}#CAL#${id}#${index === INDEX.busyByStart.name ? 'BUSY' : 'TIME'}` && p.scanned > 100).reduce((sum, p) => sum + p.capacityUnits * 2 * 4096, 0);
    const perCalendarIndexPages = calendarIds.map((id) => Math.ceil(singlesBytes(meter.pages, INDEX.busyByStart.name, id) / 1_048_576));

    console.info(`busy read, ${CALENDARS} × ${EVENTS} events: old path ${JSON.stringify(old)}; gsi4 ${JSON.stringify(fromIndex)}; DynamoDB pages per calendar on gsi4 ${JSON.stringify(perCalendarIndexPages)}`);
    expect(after.map((b) => b.timed.length)).toEqual(before.map((b) => b.timed.length));
    expect(after.map((b) => Array.from(b.timed.starts.subarray(0, b.timed.length)))).toEqual(before.map((b) => Array.from(b.timed.starts.subarray(0, b.timed.length))));
    expect(before[0]!.timed.length).toBe(EVENTS);
    expect(perCalendarIndexPages).toEqual(calendarIds.map(() => 1));
    expect(old.singlesPages).toBeGreaterThanOrEqual(2 * CALENDARS);
    expect(old.readUnits * 2 * 4096).toBeGreaterThan(2 * 1_048_576 * CALENDARS); // > 2 MB of whole items per calendar
    expect(fromIndex.readUnits).toBeLessThan(old.readUnits);
  }, 240_000);
});
