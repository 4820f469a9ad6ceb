import type { Booking } from '../../domain/booking.ts';
import type { LogEntryInput } from '../../domain/integration-log.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';

const CHANGE = { 'booking.created': 'created', 'booking.rescheduled': 'rescheduled', 'booking.cancelled': 'cancelled' } as const;

/**
 * A booking written (created, moved, cancelled, by the API or from the calendar) as an integration log entry,
 * on the connection of the host's calendar (one read of a calendar just used; none found → no connection).
 */
export async function bookingWrittenEntry(deps: { calendars: Pick<CalendarStore, 'get'> }, booking: Booking, type: keyof typeof CHANGE, source: string, at: Date): Promise<LogEntryInput> {
  const event = booking.providerEvents[0];
  const calendar = event ? await deps.calendars.get(booking.tenantId, event.calendarId).catch(() => null) : null;
  return {
    connectionId: calendar?.connectionId ?? null,
    tenantId: booking.tenantId,
    type: 'booking.written',
    success: true,
    bookingId: booking.id,
    correlationId: booking.id,
    resourceId: event?.calendarId ?? null,
    summary: `Booking ${CHANGE[type]} (${source}) for ${booking.start}`,
    details: { change: CHANGE[type], source, start: booking.start, end: booking.end, status: booking.status, version: booking.version, providerEventId: event?.eventId ?? null },
    at,
  };
}
