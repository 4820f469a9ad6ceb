import { createTestStores } from '../support/stores.ts';
import { connectGoogleUser } from '../support/google-provider.ts';
import { startGoogleSimulator } from '../simulators/google/index.ts';
import { describeProviderContract } from './provider-contract.ts';

describeProviderContract('Google (official client on the simulator)', async () => {
  const simulator = await startGoogleSimulator({ paging: 'random', seed: 7 });
  const email = 'contract@example.com';
  simulator.createUser({ email, timeZone: 'Europe/Berlin' });
  const stores = await createTestStores();
  const { provider } = await connectGoogleUser(simulator, stores, email);
  const calendarId = email;
  return {
    provider,
    calendar: { providerCalendarId: calendarId, timeZone: 'Europe/Berlin' },
    missingCalendar: { providerCalendarId: 'nobody@example.com', timeZone: 'UTC' },
    window: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') },
    seriesShape: 'master',
    user: {
      createEvent: async (spec) =>
        simulator.insertEvent(calendarId, {
          summary: spec.title,
          start: { dateTime: spec.start, timeZone: spec.timeZone },
          end: { dateTime: spec.end, timeZone: spec.timeZone },
          ...(spec.free ? { transparency: 'transparent' as const } : {}),
        }).id,
      createDeclinedEvent: async (spec) =>
        simulator.insertEvent(calendarId, {
          summary: spec.title,
          start: { dateTime: spec.start, timeZone: spec.timeZone },
          end: { dateTime: spec.end, timeZone: spec.timeZone },
          attendees: [{ email: 'organizer@example.com', organizer: true, responseStatus: 'accepted' }, { email, responseStatus: 'declined' }],
        }).id,
      createAllDayEvent: async (spec) => simulator.insertEvent(calendarId, { summary: spec.title, start: { date: spec.startDate }, end: { date: spec.endDate } }).id,
      createWeeklySeries: async (spec) =>
        simulator.createRecurringEvent(calendarId, {
          summary: spec.title,
          start: { dateTime: spec.start, timeZone: spec.timeZone },
          end: { dateTime: spec.end, timeZone: spec.timeZone },
          recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${spec.count}`],
        }).id,
      cancelInstance: async (seriesId, originalStart) => simulator.cancelInstance(calendarId, seriesId, originalStart),
      moveInstance: async (seriesId, originalStart, start, end) =>
        void simulator.editInstance(calendarId, seriesId, originalStart, { start: { dateTime: start, timeZone: 'America/New_York' }, end: { dateTime: end, timeZone: 'America/New_York' } }),
      renameEvent: async (id, title) => void simulator.patchEvent(calendarId, id, { summary: title }),
      deleteEvent: async (id) => simulator.deleteEvent(calendarId, id),
    },
    writes: {
      countAtProvider: async (title) => simulator.truth(calendarId).filter((event) => event.summary === title).length,
      // Google inserts the event, then the connection drops before the answer.
      loseNextCreateAnswer: () => simulator.failNext({ route: 'events.insert', status: 'reset', phase: 'after' }),
      lostAnswers: () => simulator.stats.requests('events.insert').filter((entry) => entry.status === 'reset').length,
    },
    expireCursors: async () => simulator.invalidateSyncTokens(),
    dispose: () => simulator.stop(),
  };
});
