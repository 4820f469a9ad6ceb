import { AppError } from '../../domain/app-error.ts';
import type { CredentialCipher } from '../../ports/credential-cipher.ts';
import type { SyncJob } from '../../domain/sync-job.ts';
import { CalendarRecurrenceExpander } from '../../recurrence/calendar-recurrence-expander.ts';
import { DynamoConnectionStore } from '../../storage/dynamo-connection-store.ts';
import type { FreeBusyDeps } from '../../use-cases/free-busy.ts';
import type { ListCalendarsDeps } from '../../use-cases/list-calendars.ts';
import type { ListEventsDeps } from '../../use-cases/list-events.ts';
import { defaultCalendarSyncHooks, type UpdateCalendarDeps } from '../../use-cases/update-calendar.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { jobQueue } from './messaging.ts';
import { calendarProviders } from './providers.ts';
import { calendarStore, connectionStore, dynamoDocument, eventStore, pushChannelIndex } from './storage.ts';
import { pushSettings } from './write-side.ts';

/**
 * Dependencies of the read side (calendars, events, free/busy), assembled from the per-process adapters. A
 * file of its own so the recurrence expander (and ical.js behind it) is bundled only where it is used.
 */

const recurrenceExpander = lazy(() => new CalendarRecurrenceExpander());

/** api-calendars reads connection metadata but is given no credentials key (least privilege). */
const refusingCipher: CredentialCipher = {
  seal: () => Promise.reject(new AppError('config.invalid', 'this function holds no credentials key')),
  open: () => Promise.reject(new AppError('config.invalid', 'this function holds no credentials key')),
};
const connectionMetadataStore = lazy(() => new DynamoConnectionStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: refusingCipher, clock: clock() }));

export function listCalendarsDeps(): ListCalendarsDeps {
  return { connections: connectionMetadataStore(), calendars: calendarStore() };
}

export function updateCalendarDeps(): UpdateCalendarDeps {
  return {
    calendars: calendarStore(),
    events: eventStore(),
    hooks: defaultCalendarSyncHooks({
      calendars: calendarStore(),
      syncQueue: jobQueue<SyncJob>('sync'),
      pushChannels: pushChannelIndex(),
      clock: clock(),
      log: logger,
      settings: pushSettings(),
    }),
    clock: clock(),
  };
}

export function listEventsDeps(): ListEventsDeps {
  return { calendars: calendarStore(), events: eventStore(), expander: recurrenceExpander() };
}

/**
 * Free/busy asks providers live outside each calendar's mirrored window, so it reads connections with their
 * credentials (the provider registry refreshes tokens): api-calendars holds the credentials key for that.
 */
export function freeBusyDeps(): FreeBusyDeps {
  return { calendars: calendarStore(), events: eventStore(), expander: recurrenceExpander(), providers: calendarProviders(), connections: connectionStore(), clock: clock() };
}
