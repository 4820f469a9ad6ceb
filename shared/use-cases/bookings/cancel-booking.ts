import { isAppError, notFound } from '../../domain/app-error.ts';
import { toBookingView, type BookingView } from '../../domain/booking.ts';
import { deleteCalendarEvent } from '../events/delete-event.ts';
import { deleteBookingMeeting } from './booking-video.ts';
import { publishBookingEvent, replaceBookingOrConflict, type BookingDeps } from './booking-rules.ts';

/**
 * POST /v1/bookings/{id}/cancel: the provider event is deleted (the provider tells the attendees), the
 * claims are freed, the booking becomes `cancelled` and booking.cancelled is announced. Cancelling a
 * cancelled booking answers it as it is (a repeat is harmless).
 */
export async function cancelBooking(deps: BookingDeps, input: { tenantId: string; bookingId: string; reason?: string | undefined }): Promise<BookingView> {
  const booking = await deps.bookings.get(input.tenantId, input.bookingId);
  if (!booking) throw notFound('Booking');
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
      ...(booking.occurrences ? { occurrences: booking.occurrences.map((o) => ({ ...o, status: 'cancelled' as const })) } : {}),
      ...(input.reason ? { cancelReason: input.reason } : {}),
      history: [...booking.history, { at: nowIso, source: 'api', change: 'cancelled', start: booking.start, end: booking.end }],
    },
    marked.version,
  );
  await deleteBookingMeeting(deps, cancelled);
  await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'api', ...(input.reason ? { reason: input.reason } : {}) });
  return toBookingView(cancelled);
}
