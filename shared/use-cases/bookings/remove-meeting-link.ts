import { isAppError } from '../../domain/app-error.ts';
import type { DomainEvent } from '../../domain/domain-events.ts';
import { descriptionWithoutMeeting, isZoomJoinUrlOf, locationWithoutMeeting } from '../../domain/meeting-link-text.ts';
import type { EventFields } from '../events/event-draft.ts';
import { resolveEventTarget } from '../events/event-target.ts';
import { openCalendarForWrite } from '../events/event-write-context.ts';
import { updateCalendarEvent } from '../events/update-event.ts';
import type { BookingDeps } from './booking-rules.ts';

export type RemoveMeetingLinkOutcome = 'removed' | 'unchanged' | 'not_a_booking' | 'ignored';

/**
 * A booking's Zoom meeting was deleted in Zoom (`video.meeting.deleted`, source `provider`; the webhook has
 * already taken the link off the booking). Its calendar event still carries the dead join URL, so the
 * provider event is changed: the location when it is that URL, our `Join Zoom:` line in the description,
 * and a Zoom conference of that meeting — nothing the host or invitee wrote. Found by the meeting id
 * (the deleted event carries no join URL). A repeat finds nothing left and changes nothing.
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
    try {
      const context = await openCalendarForWrite(deps.writes, booking.tenantId, target.calendarId);
      const resolved = await resolveEventTarget(deps.writes, context, target.eventId);
      const providerEventId = resolved.kind === 'series' || resolved.kind === 'instance' ? resolved.seriesId : resolved.providerEventId;
      const current = await context.provider.getEvent(context.ref, providerEventId);
      if (!current) continue;
      const fields: EventFields = {};
      const location = locationWithoutMeeting(current.location, meetingId);
      const description = descriptionWithoutMeeting(current.description, meetingId);
      if (location !== undefined) fields.location = location;
      if (description !== undefined) fields.description = description;
      if (current.conference?.provider === 'zoom' && current.conference.url && isZoomJoinUrlOf(current.conference.url, meetingId)) fields.conference = null;
      if (Object.keys(fields).length === 0) continue;
      await updateCalendarEvent(deps.writes, { tenantId: booking.tenantId, calendarId: target.calendarId, eventId: target.eventId, ...(resolved.kind === 'single' ? {} : { scope: 'series' as const }), fields });
      changed = true;
    } catch (error) {
      // The event or its calendar is gone, or read-only: nothing of ours is left to show there.
      if (isAppError(error, 'resource.not_found') || isAppError(error, 'provider.not_found') || isAppError(error, 'calendar.read_only')) {
        deps.log.warn('zoom link not removed from the booking event', { bookingId: booking.id, calendarId: target.calendarId, code: error.code });
        continue;
      }
      throw error;
    }
  }
  if (changed) deps.log.info('dead zoom link removed from the booking event', { bookingId: booking.id, meetingId });
  return changed ? 'removed' : 'unchanged';
}
