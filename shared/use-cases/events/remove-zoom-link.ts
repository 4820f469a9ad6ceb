import { isAppError } from '../../domain/app-error.ts';
import type { DomainEvent } from '../../domain/domain-events.ts';
import { descriptionWithoutMeeting, isZoomJoinUrlOf, locationWithoutMeeting } from '../../domain/meeting-link-text.ts';
import type { Log } from '../../ports/log.ts';
import type { EventFields } from './event-draft.ts';
import { resolveEventTarget } from './event-target.ts';
import { openCalendarForWrite, type EventWriteDeps } from './event-write-context.ts';
import { updateCalendarEvent } from './update-event.ts';

/**
 * Takes a deleted Zoom meeting's dead link off one calendar event (our ids): the location when it is that
 * meeting's join URL, our `Join Zoom:` line in the description, and a Zoom conference of that meeting —
 * nothing else the host or invitee wrote. Found by the meeting id (Zoom's deletion carries no join URL). A
 * series is changed as a whole (its link is on the series). True when the event changed; an event or
 * calendar that is gone or read-only has nothing of ours left to show, logged and false.
 */
export async function removeZoomLinkFromEvent(deps: { writes: EventWriteDeps; log: Log }, target: { tenantId: string; calendarId: string; eventId: string; meetingId: string }): Promise<boolean> {
  try {
    const context = await openCalendarForWrite(deps.writes, target.tenantId, target.calendarId);
    const resolved = await resolveEventTarget(deps.writes, context, target.eventId);
    const providerEventId = resolved.kind === 'series' || resolved.kind === 'instance' ? resolved.seriesId : resolved.providerEventId;
    const current = await context.provider.getEvent(context.ref, providerEventId);
    if (!current) return false;
    const fields: EventFields = {};
    const location = locationWithoutMeeting(current.location, target.meetingId);
    const description = descriptionWithoutMeeting(current.description, target.meetingId);
    if (location !== undefined) fields.location = location;
    if (description !== undefined) fields.description = description;
    if (current.conference?.provider === 'zoom' && current.conference.url && isZoomJoinUrlOf(current.conference.url, target.meetingId)) fields.conference = null;
    if (Object.keys(fields).length === 0) return false;
    await updateCalendarEvent(deps.writes, { tenantId: target.tenantId, calendarId: target.calendarId, eventId: target.eventId, ...(resolved.kind === 'single' ? {} : { scope: 'series' as const }), fields });
    return true;
  } catch (error) {
    if (isAppError(error, 'resource.not_found') || isAppError(error, 'provider.not_found') || isAppError(error, 'calendar.read_only')) {
      deps.log.warn('zoom link not removed from the event', { calendarId: target.calendarId, eventId: target.eventId, code: error.code });
      return false;
    }
    throw error;
  }
}

/**
 * A plain event's Zoom meeting (made by `POST /v1/calendars/{id}/events` with `conference: zoom`) was deleted
 * in Zoom: the event named in the `video.meeting.deleted` loses the dead link. Bookings' meetings go through
 * their booking (removeBookingMeetingLink); our own deletes come with the event's own change.
 */
export async function removeEventMeetingLink(deps: { writes: EventWriteDeps; log: Log }, event: DomainEvent<'video.meeting.deleted'>): Promise<'removed' | 'unchanged' | 'ignored'> {
  const target = event.data.calendarEvent;
  if (event.data.source !== 'provider' || event.data.bookingId !== null || !target) return 'ignored';
  const removed = await removeZoomLinkFromEvent(deps, { tenantId: event.tenantId, calendarId: target.calendarId, eventId: target.eventId, meetingId: event.data.meetingId });
  return removed ? 'removed' : 'unchanged';
}
