import { ulid } from '../../domain/ids.ts';
import { toCalendarEvent } from '../sync/sync-session.ts';
import { draftFromFields, type EventFields } from './event-draft.ts';
import { linkMeetingToEvent, withZoomMeeting, type ConferenceFailure } from './event-zoom.ts';
import { openCalendarForWrite, providerWrite, toEventView, type EventView, type EventWriteDeps } from './event-write-context.ts';
import { mirrorWrite } from './mirror-write.ts';

export interface CreateCalendarEventRequest {
  tenantId: string;
  calendarId: string;
  fields: EventFields & { title: string; start: string; end: string };
  /**
   * Names the provider event (with tenant and calendar): the same key always means the same provider event,
   * so a repeat after a timeout or a crash returns it instead of making a second one. The HTTP route passes
   * the Idempotency-Key; a booking passes its own id. Without one, each call is a new event.
   */
  key?: string | undefined;
}

/**
 * Creates an event on the calendar's provider (Google, Microsoft 365, CalDAV/iCloud), stores it as the
 * next sync will see it and announces it (`calendar.event.created`), and answers it as stored.
 *
 * @example
 *   const event = await createCalendarEvent(deps, { tenantId, calendarId, fields: { title: 'Call', start, end }, key: bookingId });
 */
export async function createCalendarEvent(deps: EventWriteDeps, request: CreateCalendarEventRequest): Promise<EventView & { conferenceError?: ConferenceFailure }> {
  const context = await openCalendarForWrite(deps, request.tenantId, request.calendarId);
  const { calendar, provider, ref } = context;
  const { conference: requested, ...fields } = request.fields;
  // Zoom lives outside the calendar provider: its meeting is made first and linked from the event.
  const zoom = requested?.provider === 'zoom' ? { ...requested, provider: 'zoom' as const } : null;
  let draft = draftFromFields(zoom ? fields : request.fields, calendar.timeZone, calendar.provider);
  const key = `${request.tenantId}/${request.calendarId}/${request.key ?? ulid()}`;
  let conferenceError: ConferenceFailure | null = null;
  let meetingOwnerId: string | null = null;
  if (zoom) ({ draft, failure: conferenceError, ownerId: meetingOwnerId } = await withZoomMeeting(deps, { tenantId: request.tenantId, writeKey: key, calendarZone: calendar.timeZone, request: zoom, draft }));
  const created = await providerWrite(() => provider.createEvent(ref, draft, { key }));
  await mirrorWrite(deps, context, { providerEventIds: [created.providerEventId], seriesIds: created.kind === 'master' ? [created.providerEventId] : [] });
  const view = toEventView(toCalendarEvent(calendar, created));
  if (meetingOwnerId) await linkMeetingToEvent(deps, request.tenantId, meetingOwnerId, { calendarId: request.calendarId, eventId: view.id });
  return { ...view, ...(conferenceError ? { conferenceError } : {}) };
}
