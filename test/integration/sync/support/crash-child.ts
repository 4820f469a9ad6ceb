/**
 * The sync worker that gets killed: runs one real sync of the crash test's calendar against the shared
 * DynamoDB Local table, publishing domain events to a file (what EventBridge received), and stops dead
 * where a crash hurts most — every page's events written, the cursor not yet. There it says so on stdout
 * and waits for the parent's SIGKILL: no `finally`, no lease release, no cleanup of any kind runs.
 */
import { appendFileSync } from 'node:fs';
import type { DomainEvent } from '../../../../shared/domain/domain-events.ts';
import type { CalendarStore } from '../../../../shared/ports/calendar-store.ts';
import { systemClock } from '../../../../shared/ports/clock.ts';
import { silentLog } from '../../../../shared/ports/log.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar } from '../../../../shared/use-cases/sync/sync-calendar.ts';
import { worldProvider, worldStores } from './crash-world.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const stores = worldStores(env('CRASH_DDB_ENDPOINT'), env('CRASH_TABLE'), env('CRASH_KEY'));
const eventsFile = env('CRASH_EVENTS_FILE');
const calendars = new Proxy(stores.calendars, {
  get(target, name, receiver) {
    if (name === 'advanceCursor') {
      return async () => {
        process.stdout.write('EVENTS_WRITTEN_CURSOR_NEXT\n');
        await new Promise(() => {}); // until killed
      };
    }
    const value: unknown = Reflect.get(target, name, receiver);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  },
}) as CalendarStore;
const provider = worldProvider();

await syncCalendar(
  {
    calendars,
    events: stores.events,
    connections: stores.connections,
    providers: { forConnection: async () => provider },
    publisher: {
      async publish(events: readonly DomainEvent[]) {
        for (const event of events) appendFileSync(eventsFile, `${JSON.stringify(event)}\n`);
      },
    },
    clock: systemClock,
    log: silentLog,
    settings: DEFAULT_SYNC_SETTINGS,
  },
  { tenantId: env('CRASH_TENANT'), calendarId: env('CRASH_CALENDAR'), requestedAt: new Date(env('CRASH_REQUESTED_AT')), runId: 'killed-run' },
);
process.stdout.write('FINISHED_UNEXPECTEDLY\n');
