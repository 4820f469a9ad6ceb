import type { DomainEvent } from '../../domain/domain-events.ts';
import { removeZoomLinkFromEvent } from '../events/remove-zoom-link.ts';
import type { BookingDeps } from './booking-rules.ts';

export type RemoveMeetingLinkOutcome = 'removed' | 'unchanged' | 'not_a_booking' | 'ignored';

/**
 * A booking's Zoom meeting was deleted in Zoom (`video.meeting.deleted`, source `provider`; the webhook has
 * already taken the link off the booking). Its calendar event still carries the dead join URL, so the
 * provider event is changed (removeZoomLinkFromEvent). A repeat finds nothing left and changes nothing.
 *
 * @example
 *   await removeBookingMeetingLink(bookingDeps(), deletedEvent); // 'removed'
 */
export async function removeBookingMeetingLink(deps: BookingDeps, event: DomainEvent<'video.meeting.deleted'>): Promise<RemoveMeetingLinkOutcome> {
  // Our own deletes (cancel) go with the event itself.
  if (event.data.source !== 'provider' || !event.data.bookingId) return 'ignored';
  const booking = await deps.bookings.get(event.tenantId, event.data.bookingId);
  if (!booking) return 'not_a_booking';
  if (booking.status === 'cancelled') return 'unchanged';
  const meetingId = event.data.meetingId;
  let changed = false;
  for (const target of booking.providerEvents) {
    if (await removeZoomLinkFromEvent(deps, { tenantId: booking.tenantId, calendarId: target.calendarId, eventId: target.eventId, meetingId })) changed = true;
  }
  if (changed) deps.log.info('dead zoom link removed from the booking event', { bookingId: booking.id, meetingId });
  return changed ? 'removed' : 'unchanged';
}
