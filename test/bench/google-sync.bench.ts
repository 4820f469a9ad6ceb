import { systemClock } from '../../shared/ports/clock.ts';
import { silentLog } from '../../shared/ports/log.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar, type SyncDeps } from '../../shared/use-cases/sync/sync-calendar.ts';
import { syncWindowRange } from '../../shared/domain/calendar.ts';
import { startGoogleSimulator } from '../simulators/google/index.ts';
import { connectGoogleUser } from '../support/google-provider.ts';
import { RecordingPublisher, testCalendar } from '../support/stores.ts';
import type { BenchTable } from './run.ts';
import { benchStores, countingEventStore } from './support.ts';

const EVENTS = 10_000;
const DAY = 86_400_000;

/** Full sync of a 10,000-event Google calendar into DynamoDB Local, an unchanged resync, and a 1-change incremental sync. */
export default async function googleSyncBench(): Promise<BenchTable> {
  const simulator = await startGoogleSimulator();
  const bench = await benchStores();
  try {
    const email = 'bench@example.com';
    simulator.createUser({ email, timeZone: 'Europe/Berlin' });
    const base = Math.floor(Date.now() / DAY) * DAY;
    for (let i = 0; i < EVENTS; i++) {
      const start = base + (i % 300) * DAY + (8 + (i % 10)) * 3_600_000;
      simulator.insertEvent(email, {
        summary: `Event ${i}`,
        description: i % 3 === 0 ? 'Agenda: quarterly planning, budget, hiring' : undefined,
        start: { dateTime: new Date(start).toISOString(), timeZone: 'Europe/Berlin' },
        end: { dateTime: new Date(start + 1_800_000).toISOString(), timeZone: 'Europe/Berlin' },
        attendees: i % 5 === 0 ? [{ email: 'a@example.com' }, { email: 'b@example.com' }] : undefined,
      });
    }
    const { provider, connectionId } = await connectGoogleUser(simulator, bench.stores as never, email, 'bench');
    const calendar = testCalendar({ tenantId: 'bench', id: connectionId, provider: 'google' } as never, { providerCalendarId: email, connectionId, timeZone: 'Europe/Berlin' });
    await bench.stores.calendars.put(calendar, null);
    const counting = countingEventStore(bench.stores.events);
    const publisher = new RecordingPublisher();
    const deps: SyncDeps = { calendars: bench.stores.calendars, events: counting.store, connections: bench.stores.connections, providers: { forConnection: async () => provider }, publisher, clock: systemClock, log: silentLog, settings: DEFAULT_SYNC_SETTINGS };
    let run = 0;
    const sync = async (full = false) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return syncCalendar(deps, { tenantId: 'bench', calendarId: calendar.id, requestedAt: new Date(), full, runId: `b${++run}` });
    };

    // Baseline in the same run: paging through the same listing with the provider only (no store, no diff).
    const window = syncWindowRange(calendar.syncWindow, new Date());
    const listingStarted = performance.now();
    let pageToken: string | null = null;
    let listed = 0;
    do {
      const page = await provider.listChanges({ calendar: { providerCalendarId: email, timeZone: 'Europe/Berlin' }, cursor: null, window, pageToken });
      listed += page.changes.length;
      pageToken = page.nextPageToken;
    } while (pageToken);
    const listingMs = performance.now() - listingStarted;

    const rows: (string | number)[][] = [];
    const measure = async (label: string, action: () => Promise<unknown>) => {
      simulator.stats.reset();
      counting.reset();
      publisher.clear();
      const started = performance.now();
      const outcome = (await action()) as { status: string };
      const ms = performance.now() - started;
      const domainEvents = publisher.events.filter((e) => e.type.startsWith('calendar.event.')).length;
      rows.push([label, outcome.status, Math.round(ms), (ms / listingMs).toFixed(2), simulator.stats.count('events.list'), counting.counts.items, counting.counts.writeUnits, domainEvents]);
    };

    await measure(`full sync of ${EVENTS} events`, () => sync());
    await measure('unchanged resync (full listing)', () => sync(true));
    const first = simulator.truth(email)[0]!;
    simulator.patchEvent(email, first.id!, { summary: 'Changed once' });
    await measure('1-change incremental sync', () => sync());

    return {
      title: 'Google sync: 10,000-event calendar into DynamoDB Local',
      columns: ['run', 'outcome', 'wall ms', '× listing-only baseline', 'events.list calls', 'event items written', 'DynamoDB write units', 'event domain events'],
      rows,
      notes: [
        `Baseline (same run): paging the same ${listed} events through the provider alone took ${Math.round(listingMs)} ms; the ratio shows what storage, hashing and diffing add.`,
        `Expected calls: full sync = ceil(${EVENTS}/2500) = ${Math.ceil(EVENTS / 2500)} list calls at maxResults=2500; unchanged incremental = 1; 0 writes and 0 domain events for an unchanged resync.`,
        'Write units: 1 per started KB per item, doubled for the time index (gsi1).',
      ],
    };
  } finally {
    await simulator.stop();
    await bench.stop();
  }
}
