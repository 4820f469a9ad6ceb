import { videoConferenceOf } from '../../shared/domain/video-conference.ts';
import { GoogleMeetVideoProvider } from '../../shared/providers/video/index.ts';
import { startGoogleSimulator } from '../simulators/google/index.ts';
import { connectGoogleUser } from '../support/google-provider.ts';
import { createTestStores } from '../support/stores.ts';
import { describeVideoContract } from './video-contract.ts';

describeVideoContract('Google Meet (Google simulator)', async () => {
  const simulator = await startGoogleSimulator({ seed: 11 });
  const email = 'meet-contract@example.com';
  simulator.createUser({ email, timeZone: 'Europe/Berlin' });
  const stores = await createTestStores();
  const { provider: calendar } = await connectGoogleUser(simulator, stores, email);
  const calendarRef = { providerCalendarId: email, timeZone: 'Europe/Berlin' };
  const provider = new GoogleMeetVideoProvider({ calendar, calendarRef, sleep: async () => {} });
  return {
    provider,
    truth: async (ref) => {
      const event = simulator.getEvent(email, ref);
      if (!event || event.status === 'cancelled') return null;
      return { title: event.summary ?? '', startMs: Date.parse(event.start!.dateTime!), endMs: Date.parse(event.end!.dateTime!), joinUrl: event.hangoutLink ?? null };
    },
    countAtProvider: async (title) => simulator.truth(email).filter((e) => e.summary === title && e.status !== 'cancelled').length,
    loseNextCreateAnswer: () => simulator.failNext({ route: 'events.insert', status: 'reset', phase: 'after' }),
    lostAnswers: () => simulator.stats.requests('events.insert').filter((entry) => entry.status === 'reset').length,
    synced: async (ref) => {
      const changes = await calendar.readAsSynced(calendarRef, ref, { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') });
      const upsert = changes.find((c) => c.type === 'upsert');
      return upsert?.type === 'upsert' ? videoConferenceOf(upsert.event.conference) : null;
    },
    dispose: () => simulator.stop(),
  };
});
