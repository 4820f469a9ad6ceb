import { systemClock } from '../../shared/ports/clock.ts';
import { connectMailbox, createTestStores, graphProviderFor, startSimulator } from '../integration/microsoft/support.ts';
import { describeProviderContract } from './provider-contract.ts';

/** Graph instants are wall times without offset; the simulator takes an offset and keeps the given zone. */
const graphTime = (iso: string, timeZone: string) => ({ dateTime: iso, timeZone });

describeProviderContract('Microsoft Graph (simulator)', async () => {
  const sim = await startSimulator();
  const stores = await createTestStores(systemClock);
  const mailbox = await connectMailbox(sim, stores, systemClock, 'contract-tenant');
  const provider = await graphProviderFor(sim, stores, systemClock, mailbox.connection);
  const calendarId = mailbox.simCalendarId;
  return {
    provider,
    calendar: { providerCalendarId: calendarId, timeZone: 'UTC' },
    missingCalendar: { providerCalendarId: 'AAMkAGI2-missing-calendar', timeZone: 'UTC' },
    window: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') },
    seriesShape: 'occurrences',
    user: {
      async createEvent(spec) {
        return sim.createEvent(calendarId, { subject: spec.title, start: graphTime(spec.start, spec.timeZone), end: graphTime(spec.end, spec.timeZone), ...(spec.free ? { showAs: 'free' } : {}) }).id;
      },
      async createDeclinedEvent(spec) {
        return sim.createEvent(calendarId, {
          subject: spec.title,
          start: graphTime(spec.start, spec.timeZone),
          end: graphTime(spec.end, spec.timeZone),
          attendees: [{ type: 'required', emailAddress: { address: mailbox.userMail, name: 'Me' }, status: { response: 'declined' } }],
        }).id;
      },
      async createAllDayEvent(spec) {
        return sim.createEvent(calendarId, {
          subject: spec.title,
          isAllDay: true,
          start: { dateTime: `${spec.startDate}T00:00:00`, timeZone: 'UTC' },
          end: { dateTime: `${spec.endDate}T00:00:00`, timeZone: 'UTC' },
        }).id;
      },
      async createWeeklySeries(spec) {
        const start = sim.createEvent(calendarId, {
          subject: spec.title,
          start: graphTime(spec.start, spec.timeZone),
          end: graphTime(spec.end, spec.timeZone),
          recurrence: {
            pattern: { type: 'weekly', interval: 1, daysOfWeek: [new Date(spec.start).toLocaleDateString('en-US', { weekday: 'long', timeZone: spec.timeZone }).toLowerCase()] },
            range: { type: 'numbered', startDate: new Date(spec.start).toLocaleDateString('en-CA', { timeZone: spec.timeZone }), numberOfOccurrences: spec.count },
          },
        });
        return start.id;
      },
      async cancelInstance(seriesId, originalStart) {
        const at = Date.parse(originalStart);
        const occurrence = sim.occurrences(seriesId, at - 1, at + 1).find((item) => Date.parse(`${String(item.originalStart)}`) === at);
        if (!occurrence) throw new Error(`no occurrence of ${seriesId} at ${originalStart}`);
        sim.cancelOccurrence(occurrence.id);
      },
      async moveInstance(seriesId, originalStart, start, end) {
        const at = Date.parse(originalStart);
        const occurrence = sim.occurrences(seriesId, at - 1, at + 1).find((item) => Date.parse(`${String(item.originalStart)}`) === at);
        if (!occurrence) throw new Error(`no occurrence of ${seriesId} at ${originalStart}`);
        sim.updateEvent(occurrence.id, { start: graphTime(start, 'UTC'), end: graphTime(end, 'UTC') });
      },
      async renameEvent(id, title) {
        sim.updateEvent(id, { subject: title });
      },
      async deleteEvent(id) {
        sim.deleteEvent(id);
      },
    },
    writes: {
      countAtProvider: async (title) => sim.truth(calendarId, '2026-11-01T00:00:00Z', '2027-12-01T00:00:00Z').filter((event) => event.subject === title).length,
      // Graph creates the event, then answers 504 (a gateway timeout hiding the created event).
      loseNextCreateAnswer: () => sim.failNext({ method: 'POST', pathPattern: /\/events$/, status: 504, phase: 'after' }),
      lostAnswers: () => sim.requestLog().filter((entry) => entry.method === 'POST' && entry.status === 504).length,
    },
    expireCursors: async () => {
      sim.expireDeltaTokens();
    },
    dispose: async () => {
      await sim.stop();
    },
  };
});
