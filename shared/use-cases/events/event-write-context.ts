import { AppError, isAppError, notFound } from '../../domain/app-error.ts';
import type { CalendarEvent } from '../../domain/calendar-event.ts';
import { syncWindowRange, type Calendar, type TimeRange } from '../../domain/calendar.ts';
import type { Connection } from '../../domain/connection.ts';
import type { CalendarProvider, CalendarProviderFactory, ProviderCalendarRef } from '../../ports/calendar-provider.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { Log } from '../../ports/log.ts';
import type { RecurrenceExpander } from '../../ports/recurrence-expander.ts';
import type { EventVideoDeps } from './event-zoom.ts';

/** What the event write use-cases need (createCalendarEvent, updateCalendarEvent, deleteCalendarEvent). */
export interface EventWriteDeps {
  calendars: Pick<CalendarStore, 'get'>;
  connections: Pick<ConnectionStore, 'get'>;
  events: EventStore;
  providers: CalendarProviderFactory;
  publisher: EventPublisher;
  /** Counts a series' instances before a split (a `following` edit of a COUNT rule). */
  expander: RecurrenceExpander;
  clock: Clock;
  log: Log;
  /** Zoom meetings on event writes (`conference.provider: "zoom"`); absent: such a write is refused. */
  video?: EventVideoDeps | undefined;
}

/** One write's calendar, its connection's provider, and the sync window the write is mirrored in. */
export interface WriteContext {
  calendar: Calendar;
  connection: Connection;
  provider: CalendarProvider;
  ref: ProviderCalendarRef;
  window: TimeRange;
}

/** An event as the write routes answer it (the listing's item: no tenant). */
export type EventView = Omit<CalendarEvent, 'tenantId'>;

export function toEventView(event: CalendarEvent): EventView {
  const { tenantId: _tenantId, ...view } = event;
  return view;
}

/**
 * The calendar a write goes to: the tenant's own (another tenant's is 404, as if it did not exist), not
 * read-only (403 `calendar.read_only`), on a connection that can still talk to its provider.
 */
export async function openCalendarForWrite(deps: EventWriteDeps, tenantId: string, calendarId: string): Promise<WriteContext> {
  const calendar = await deps.calendars.get(tenantId, calendarId);
  if (!calendar) throw notFound('Calendar');
  if (calendar.readOnly) throw new AppError('calendar.read_only', 'The calendar is read-only at the provider; events cannot be written to it', { retryable: false });
  const connection = await deps.connections.get(tenantId, calendar.connectionId);
  if (!connection) throw notFound('Calendar');
  if (connection.status === 'reauth_required' || connection.status === 'disabled') {
    throw new AppError('resource.conflict', `The calendar's connection is ${connection.status}; reconnect it before writing`, { retryable: false, details: { connectionId: connection.id, status: connection.status } });
  }
  const provider = await deps.providers.forConnection(connection);
  return {
    calendar,
    connection,
    provider,
    ref: { providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone },
    window: syncWindowRange(calendar.syncWindow, deps.clock.now()),
  };
}

/**
 * Runs a provider call of a write. A provider refusal that names one of our fields (Graph cannot express a
 * rule, a conference the provider has not) becomes a 400 on that field; everything else stays as it is.
 */
export async function providerWrite<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const field = isAppError(error, 'provider.input_invalid') ? error.details?.field : undefined;
    if (typeof field === 'string' && field.startsWith('body.')) {
      throw new AppError('input.invalid', error instanceof Error ? error.message : String(error), { details: { field }, cause: error });
    }
    throw error;
  }
}
