import { isAppError, notFound } from '../../domain/app-error.ts';
import { toBookingView, type BookingView } from '../../domain/booking.ts';
import { deleteCalendarEvent } from '../events/delete-event.ts';
import { cancelOccurrences, occurrenceIndexOf, type OccurrenceScope } from './booking-occurrences.ts';
import { deleteBookingMeeting } from './booking-video.ts';
import { publishBookingEvent, replaceBookingOrConflict, type BookingDeps } from './booking-rules.ts';

/**
 * POST /v1/bookings/{id}/cancel: the provider event is deleted (the provider tells the attendees), the
 * claims are freed, the booking becomes `cancelled` and booking.cancelled is announced. Cancelling a
 * cancelled booking answers it as it is (a repeat is harmless).
 */
export async function cancelBooking(
  deps: BookingDeps,
  input: { tenantId: string; bookingId: string; reason?: string | undefined; occurrence?: string | undefined; scope?: OccurrenceScope | undefined },
): Promise<BookingView> {
  const booking = await deps.bookings.get(input.tenantId, input.bookingId);
  if (!booking) throw notFound('Booking');
  // A recurring booking: one occurrence, it and the later ones, or all of them (issue 12 item 6).
  if (booking.occurrences) return cancelOccurrences(deps, booking, input);
  // A single booking is its one occurrence: naming it (by its start) is allowed, any other is not.
  if (input.occurrence !== undefined) occurrenceIndexOf([{ startMs: Date.parse(booking.start), endMs: Date.parse(booking.end), status: booking.status, originalStartMs: Date.parse(booking.start), seriesEventId: '' }], input.occurrence);
  if (booking.status === 'cancelled') return toBookingView(booking);
  // Marked before the delete: when the deletion comes back through sync it is known as ours.
  const marked = await replaceBookingOrConflict(deps, { ...booking, pending: { kind: 'cancel' } }, booking.version);
  for (const event of booking.providerEvents) {
    try {
      await deleteCalendarEvent(deps.writes, { tenantId: input.tenantId, calendarId: event.calendarId, eventId: event.eventId, ...(booking.recurrence ? { scope: 'series' as const } : {}) });
    } catch (error) {
      // Already gone at the provider or from our store (the host deleted it): nothing left to delete.
      if (!isAppError(error, 'resource.not_found') && !isAppError(error, 'provider.not_found')) throw error;
    }
  }
  await deps.claims.release({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: booking.claim.ranges });
  const nowIso = deps.clock.now().toISOString();
  const { pending: _pending, ...current } = marked;
  const cancelled = await replaceBookingOrConflict(
    deps,
    {
      ...current,
      status: 'cancelled',
      updatedAt: nowIso,
      ...(input.reason ? { cancelReason: input.reason } : {}),
      history: [...booking.history, { at: nowIso, source: 'api', change: 'cancelled', start: booking.start, end: booking.end }],
    },
    marked.version,
  );
  await deleteBookingMeeting(deps, cancelled);
  await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'api', ...(input.reason ? { reason: input.reason } : {}) });
  return toBookingView(cancelled);
}
