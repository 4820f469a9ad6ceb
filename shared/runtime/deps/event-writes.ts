import type { IdempotentRequestStore } from '../../ports/idempotent-request-store.ts';
import { CalendarRecurrenceExpander } from '../../recurrence/calendar-recurrence-expander.ts';
import type { EventWriteDeps } from '../../use-cases/events/event-write-context.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { eventPublisher } from './messaging.ts';
import { calendarProviders } from './providers.ts';
import { calendarStore, connectionStore, eventStore, idempotencyStore } from './storage.ts';
import { bookingConferencing, videoConnectionStore } from './video.ts';

/**
 * Dependencies of the event write path (api-events, and bookings later): the credentials-holding
 * connection store and the provider adapters, which api-calendars deliberately does not get.
 */

const recurrenceExpander = lazy(() => new CalendarRecurrenceExpander());

export function eventWriteDeps(): EventWriteDeps {
  return {
    calendars: calendarStore(),
    connections: connectionStore(),
    events: eventStore(),
    providers: calendarProviders(),
    publisher: eventPublisher(),
    expander: recurrenceExpander(),
    clock: clock(),
    log: logger,
    video: { connections: videoConnectionStore(), meetings: videoConnectionStore(), conferencing: bookingConferencing() },
  };
}

export function idempotentRequests(): IdempotentRequestStore {
  return idempotencyStore();
}
