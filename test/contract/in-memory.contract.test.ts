import type { ProviderEvent } from '../../shared/domain/calendar-event.ts';
import { InMemoryCalendarProvider } from '../fakes/in-memory-calendar-provider.ts';
import { describeProviderContract } from './provider-contract.ts';
import { providerEvent } from '../support/events.ts';

const single = (id: string, title: string, start: ProviderEvent['start'], end: ProviderEvent['end']): ProviderEvent =>
  providerEvent(id, { iCalUID: `${id}@fake`, title, start, end });

describeProviderContract('in-memory fake', async () => {
  const provider = new InMemoryCalendarProvider({ pageSize: 2 });
  provider.addCalendar({ providerCalendarId: 'primary', isPrimary: true });
  let next = 1;
  const z = (iso: string) => iso.replace('.000Z', 'Z');
  return {
    provider,
    calendar: { providerCalendarId: 'primary', timeZone: 'UTC' },
    missingCalendar: { providerCalendarId: 'missing', timeZone: 'UTC' },
    window: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') },
    seriesShape: 'master',
    user: {
      async createEvent(spec) {
        const id = `u${next++}`;
        provider.upsertAsUser('primary', {
          ...single(id, spec.title, { dateTime: z(spec.start), timeZone: spec.timeZone }, { dateTime: z(spec.end), timeZone: spec.timeZone }),
          transparency: spec.free ? 'transparent' : 'opaque',
        });
        return id;
      },
      async createDeclinedEvent(spec) {
        const id = `u${next++}`;
        provider.upsertAsUser('primary', {
          ...single(id, spec.title, { dateTime: z(spec.start), timeZone: spec.timeZone }, { dateTime: z(spec.end), timeZone: spec.timeZone }),
          attendees: [{ email: 'me@fake', name: null, responseStatus: 'declined', optional: false, organizer: false, self: true }],
        });
        return id;
      },
      async createAllDayEvent(spec) {
        const id = `u${next++}`;
        provider.upsertAsUser('primary', single(id, spec.title, { date: spec.startDate }, { date: spec.endDate }));
        return id;
      },
      async createWeeklySeries(spec) {
        const id = `s${next++}`;
        provider.upsertAsUser('primary', {
          ...single(id, spec.title, { dateTime: z(spec.start), timeZone: spec.timeZone }, { dateTime: z(spec.end), timeZone: spec.timeZone }),
          kind: 'master',
          recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${spec.count}`],
        });
        return id;
      },
      async cancelInstance(seriesId, originalStart) {
        const master = provider.truth('primary').find((e) => e.providerEventId === seriesId)!;
        provider.upsertAsUser('primary', {
          ...master,
          providerEventId: `${seriesId}_${originalStart}`,
          kind: 'exception',
          status: 'cancelled',
          recurrence: null,
          recurringEventId: seriesId,
          originalStart: { dateTime: z(originalStart), timeZone: master.start && 'timeZone' in master.start ? master.start.timeZone : null },
        });
      },
      async moveInstance(seriesId, originalStart, start, end) {
        const master = provider.truth('primary').find((e) => e.providerEventId === seriesId)!;
        const zone = 'timeZone' in master.start ? master.start.timeZone : null;
        provider.upsertAsUser('primary', {
          ...master,
          providerEventId: `${seriesId}_${originalStart}`,
          kind: 'exception',
          recurrence: null,
          recurringEventId: seriesId,
          originalStart: { dateTime: z(originalStart), timeZone: zone },
          start: { dateTime: z(start), timeZone: zone },
          end: { dateTime: z(end), timeZone: zone },
        });
      },
      async renameEvent(id, title) {
        const current = provider.truth('primary').find((e) => e.providerEventId === id)!;
        provider.upsertAsUser('primary', { ...current, title });
      },
      async deleteEvent(id) {
        provider.deleteAsUser('primary', id);
      },
    },
    writes: {
      countAtProvider: async (title) => provider.truth('primary').filter((event) => event.title === title).length,
      loseNextCreateAnswer: () => provider.loseNextAnswers(1),
      lostAnswers: () => provider.lostAnswerCount,
    },
    expireCursors: async () => provider.expireCursors(),
    dispose: async () => {},
  };
});
