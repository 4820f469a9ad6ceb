import { beforeAll, describe, expect, it } from 'vitest';
import { toCalendarView } from '../../../shared/domain/calendar.ts';
import { discoverCalendars } from '../../../shared/use-cases/connect/register-connection.ts';
import { updateCalendar, type CalendarSyncHooks } from '../../../shared/use-cases/update-calendar.ts';
import { InMemoryCalendarProvider } from '../../fakes/in-memory-calendar-provider.ts';
import { createTestStores, TestClock, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';

let stores: TestStores;
const clock = new TestClock('2026-11-23T12:00:00Z');
const hooks: CalendarSyncHooks = { onSyncEnabled: async () => {}, onSyncDisabled: async () => {} };

beforeAll(async () => {
  stores = await createTestStores(clock);
});

describe('calendar kind (user, room, resource)', () => {
  it("takes the provider's word at discovery, keeps a kind set by PATCH through later discoveries, and reads old items as user", async () => {
    const connection = testConnection('acme', { accountId: 'kinds' });
    const provider = new InMemoryCalendarProvider();
    provider.addCalendar({ providerCalendarId: 'me@example.com', isPrimary: true });
    provider.addCalendar({ providerCalendarId: 'c_188@resource.calendar.google.com', name: 'Room 4', kind: 'room' });
    provider.addCalendar({ providerCalendarId: 'projector', name: 'Projector' });

    const found = await discoverCalendars({ calendars: stores.calendars, clock }, connection, provider);
    const byName = new Map(found.map((calendar) => [calendar.name, calendar]));
    expect(found.map((calendar) => [calendar.name, toCalendarView(calendar).kind])).toEqual([
      ['me@example.com', 'user'],
      ['Room 4', 'room'],
      ['Projector', 'user'],
    ]);

    const projector = byName.get('Projector')!;
    const changed = await updateCalendar({ calendars: stores.calendars, events: stores.events, hooks, clock }, 'acme', projector.id, { kind: 'resource' });
    expect(changed.kind).toBe('resource');
    const room = byName.get('Room 4')!;
    await updateCalendar({ calendars: stores.calendars, events: stores.events, hooks, clock }, 'acme', room.id, { kind: 'user' });

    await discoverCalendars({ calendars: stores.calendars, clock }, connection, provider);
    expect(toCalendarView((await stores.calendars.get('acme', projector.id))!).kind).toBe('resource');
    expect(toCalendarView((await stores.calendars.get('acme', room.id))!).kind).toBe('user');

    // A calendar stored before kinds existed: no attribute, read as a person's, upgraded by the provider's word.
    const legacy = testCalendar(connection, { providerCalendarId: 'legacy-room' });
    await stores.calendars.put(legacy, null);
    expect(toCalendarView((await stores.calendars.get('acme', legacy.id))!).kind).toBe('user');
    provider.addCalendar({ providerCalendarId: 'legacy-room', kind: 'room' });
    await discoverCalendars({ calendars: stores.calendars, clock }, connection, provider);
    expect((await stores.calendars.get('acme', legacy.id))!.kind).toBe('room');
  });
});
