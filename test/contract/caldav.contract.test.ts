import { randomUUID } from 'node:crypto';
import { startRadicale } from '../support/radicale.ts';
import { OtherClient, expireRadicaleTokens, providerFor } from '../integration/caldav/support/caldav-setup.ts';
import { describeProviderContract } from './provider-contract.ts';

describeProviderContract('CalDAV (tsdav on a real Radicale 3.1)', async () => {
  const radicale = await startRadicale({ users: { contract: 'contract-password' } });
  const user = radicale.user('contract');
  const collectionUrl = await user.makeCalendar('work', { name: 'Work', timeZone: 'Europe/Berlin' });
  const other = new OtherClient(user, collectionUrl);
  const DAY = 86_400_000;
  return {
    provider: providerFor(radicale, 'contract'),
    calendar: { providerCalendarId: collectionUrl, timeZone: 'Europe/Berlin' },
    window: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') },
    seriesShape: 'master',
    user: {
      createEvent: (spec) => other.create([{ uid: randomUUID(), title: spec.title, start: { instant: spec.start, zone: spec.timeZone }, end: { instant: spec.end, zone: spec.timeZone } }]),
      createAllDayEvent: (spec) => other.create([{ uid: randomUUID(), title: spec.title, start: { date: spec.startDate }, end: { date: spec.endDate } }]),
      createWeeklySeries: (spec) =>
        other.create([{ uid: randomUUID(), title: spec.title, start: { instant: spec.start, zone: spec.timeZone }, end: { instant: spec.end, zone: spec.timeZone }, rrule: `FREQ=WEEKLY;COUNT=${spec.count}` }]),
      cancelInstance: (seriesId, originalStart) =>
        other.edit(seriesId, (specs) => {
          const master = specs[0]!;
          const zone = 'zone' in master.start ? master.start.zone : 'UTC';
          const duration = 'instant' in master.end && 'instant' in master.start ? Date.parse(master.end.instant) - Date.parse(master.start.instant) : DAY;
          const end = new Date(Date.parse(originalStart) + duration).toISOString();
          return [...specs, { uid: master.uid, title: master.title, recurrenceId: { instant: originalStart, zone }, start: { instant: originalStart, zone }, end: { instant: end, zone }, status: 'CANCELLED' }];
        }),
      renameEvent: (id, title) => other.edit(id, (specs) => specs.map((spec, i) => (i === 0 ? { ...spec, title } : spec))),
      deleteEvent: (id) => other.remove(id),
    },
    expireCursors: () => expireRadicaleTokens(radicale, user, 'work'),
    dispose: () => radicale.stop(),
  };
});
