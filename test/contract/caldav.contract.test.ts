import { randomUUID } from 'node:crypto';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { startRadicale } from '../support/radicale.ts';
import { OtherClient, expireRadicaleTokens, providerFor } from '../integration/caldav/support/caldav-setup.ts';
import { describeProviderContract } from './provider-contract.ts';

describeProviderContract('CalDAV (tsdav on a real Radicale 3.1)', async () => {
  const radicale = await startRadicale({ users: { contract: 'contract-password' } });
  const user = radicale.user('contract');
  const collectionUrl = await user.makeCalendar('work', { name: 'Work', timeZone: 'Europe/Berlin' });
  const other = new OtherClient(user, collectionUrl);
  const DAY = 86_400_000;
  // Our adapter talks through a fault proxy (to lose an answer); the other client goes straight to Radicale.
  const proxy = await startFaultProxy(radicale.url);
  const proxiedCollection = new URL(new URL(collectionUrl).pathname, proxy.url).href;
  return {
    provider: providerFor(radicale, 'contract', { serverUrl: proxy.url, accountEmail: 'contract@example.com' }),
    calendar: { providerCalendarId: proxiedCollection, timeZone: 'Europe/Berlin' },
    missingCalendar: { providerCalendarId: new URL(new URL(user.collectionUrl('no-such-calendar')).pathname, proxy.url).href, timeZone: 'UTC' },
    window: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') },
    seriesShape: 'master',
    user: {
      createEvent: (spec) =>
        other.create([{ uid: randomUUID(), title: spec.title, start: { instant: spec.start, zone: spec.timeZone }, end: { instant: spec.end, zone: spec.timeZone }, ...(spec.free ? { transparent: true } : {}) }]),
      createDeclinedEvent: (spec) =>
        other.create([
          {
            uid: randomUUID(),
            title: spec.title,
            start: { instant: spec.start, zone: spec.timeZone },
            end: { instant: spec.end, zone: spec.timeZone },
            attendees: [{ email: 'organizer@example.com', partstat: 'ACCEPTED' }, { email: 'contract@example.com', partstat: 'DECLINED' }],
          },
        ]),
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
      moveInstance: (seriesId, originalStart, start, end) =>
        other.edit(seriesId, (specs) => {
          const master = specs[0]!;
          const zone = 'zone' in master.start ? master.start.zone : 'UTC';
          return [...specs, { uid: master.uid, title: master.title, recurrenceId: { instant: originalStart, zone }, start: { instant: start, zone }, end: { instant: end, zone } }];
        }),
      renameEvent: async (id, title) => {
        if (other.objects.has(id)) return other.edit(id, (specs) => specs.map((spec, i) => (i === 0 ? { ...spec, title } : spec)));
        // An object our adapter wrote: the other client edits its SUMMARY in place (TEXT escaped), as a desktop client would.
        const object = (await user.list(collectionUrl)).find((o) => o.data.includes(`UID:${id}\r\n`));
        if (!object) throw new Error(`no object with UID ${id}`);
        const name = object.href.slice(object.href.lastIndexOf('/') + 1);
        const edited = object.data.replace(/^SUMMARY:.*$/m, `SUMMARY:${title.replace(/[\\,;]/g, '\\$&')}`);
        await user.put(collectionUrl, decodeURIComponent(name), edited, { ifMatch: object.etag });
      },
      deleteEvent: (id) => other.remove(id),
    },
    writes: {
      countAtProvider: async (title) => (await user.list(collectionUrl)).filter((object) => object.data.includes(`SUMMARY:${title}\r\n`)).length,
      // Radicale stores the PUT, then the proxy replaces its answer with a 504.
      loseNextCreateAnswer: () => proxy.failNext(1, { kind: 'rewrite', transform: (answer) => ({ ...answer, status: 504, body: '' }) }, (request) => request.method === 'PUT'),
      lostAnswers: () => proxy.log.filter((entry) => entry.method === 'PUT' && entry.faulted).length,
    },
    expireCursors: () => expireRadicaleTokens(radicale, user, 'work'),
    dispose: async () => {
      await proxy.stop();
      await radicale.stop();
    },
  };
});
