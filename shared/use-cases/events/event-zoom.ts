import { createHash } from 'node:crypto';
import { AppError, inputError } from '../../domain/app-error.ts';
import type { CalendarEvent, EventDraft, EventTime } from '../../domain/calendar-event.ts';
import { eventTimeOrderMs } from '../../domain/event-write.ts';
import { descriptionWithoutMeeting, locationWithoutMeeting, zoomJoinLine } from '../../domain/meeting-link-text.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import type { BookingConferencing } from '../../ports/booking-conferencing.ts';
import type { Log } from '../../ports/log.ts';
import type { BookingMeetingStore, VideoConnectionStore } from '../../ports/video-connection-store.ts';
import type { EventFields } from './event-draft.ts';

/**
 * Zoom meetings on plain event writes (scheduling.md §2 `conference.provider: "zoom"`), through the same
 * conferencing seam bookings use. A meeting is owned by the event write that made it: its owner id
 * (`evw_…`) is derived from the write's key (tenant, calendar, Idempotency-Key) and what the meeting is
 * asked to be (connection, user, title, times), so a retried create finds its stored meeting (or Zoom finds
 * it by the reference derived from it) instead of making a second one, and a retry asking for another time
 * gets a meeting at that time.
 */
export interface EventVideoDeps {
  connections: Pick<VideoConnectionStore, 'get' | 'listAll'>;
  meetings: Pick<BookingMeetingStore, 'findByZoomMeeting' | 'getMeeting' | 'putMeeting'>;
  conferencing: BookingConferencing;
}

export interface ZoomConferenceRequest {
  provider: 'zoom';
  connectionId?: string | undefined;
  userId?: string | undefined;
}

/** Why an event was written without the Zoom link it asked for (quota used up, Zoom unreachable). */
export interface ConferenceFailure {
  code: string;
  message: string;
}

const OWNER_PREFIX = 'evw_';
const FIELD = 'body.conference.provider';

/** What a meeting is made as: a retry asking for the same finds the same meeting. */
export interface EventMeetingSpec {
  connectionId: string;
  userId: string | null;
  title: string;
  start: string;
  end: string;
  timeZone: string;
  /** A series' recurrence lines; absent for a single event. */
  recurrence?: readonly string[] | undefined;
}

/**
 * The owner id of the meeting a create with this write key makes for this spec. The spec is part of it:
 * a failed request frees its Idempotency-Key, and a retry under that key may ask for another time or
 * title; it must not be answered with the meeting made for the first (the event would link a meeting at
 * the wrong time). The same request again gets the same id, so the same meeting.
 */
export function eventMeetingOwnerId(writeKey: string, spec: EventMeetingSpec): string {
  // A single event's fields alone, so its id stays what it was before series could have meetings.
  const fields = [spec.connectionId, spec.userId ?? '', spec.title, spec.start, spec.end, spec.timeZone, ...(spec.recurrence && spec.recurrence.length > 0 ? ['recurrence', ...spec.recurrence] : [])];
  const digest = createHash('sha256').update(['event-meeting', writeKey, ...fields].join('\u0000')).digest('hex');
  return `${OWNER_PREFIX}${digest.slice(0, 26)}`;
}

/** Meetings owned by a plain event write (not a booking's, which the booking moves and deletes itself). */
export function isEventMeetingOwner(ownerId: string): boolean {
  return ownerId.startsWith(OWNER_PREFIX);
}

function instantOf(time: EventTime): string {
  return formatInstant(eventTimeOrderMs(time));
}

/**
 * Makes the Zoom meeting of a new event and puts its join URL in the draft's location (when the caller set
 * none) and description. A failure Zoom or the quota causes does not refuse the write: the event is made
 * without a link and the failure is answered (and evented and logged by the seam). A request Zoom can
 * never satisfy (no or an unknown connection, an all-day event) is a 400 naming the field. A series gets one
 * meeting for all its occurrences (Zoom's own series where it repeats alike, else a link with no fixed time).
 */
export async function withZoomMeeting(
  deps: { video?: EventVideoDeps | undefined; log: Log },
  input: { tenantId: string; writeKey: string; calendarZone: string | null; request: ZoomConferenceRequest; draft: EventDraft },
): Promise<{ draft: EventDraft; failure: ConferenceFailure | null; ownerId: string | null }> {
  const { draft, request } = input;
  if (!deps.video) throw new AppError('video.provider_unavailable', 'Zoom is not wired into this deployment', { retryable: false, details: { field: FIELD } });
  if ('date' in draft.start) throw inputError(FIELD, 'a Zoom meeting needs a timed event, not an all-day one');
  const connection = request.connectionId ? await deps.video.connections.get(input.tenantId, request.connectionId) : await onlyConnection(deps.video, input.tenantId);
  if (!connection) throw inputError('body.conference.connectionId', 'no Zoom connection with this id');
  if (connection.status !== 'active') throw inputError('body.conference.connectionId', `the Zoom connection is ${connection.status}; reconnect it first`);

  const start = instantOf(draft.start);
  const end = instantOf(draft.end);
  const timeZone = ('timeZone' in draft.start ? draft.start.timeZone : null) ?? input.calendarZone ?? 'UTC';
  const recurrence = draft.recurrence && draft.recurrence.length > 0 ? draft.recurrence : undefined;
  const spec: EventMeetingSpec = { connectionId: connection.id, userId: request.userId ?? null, title: draft.title, start, end, timeZone, recurrence };
  const ownerId = eventMeetingOwnerId(input.writeKey, spec);
  const result = await deps.video.conferencing.createMeeting({
    tenantId: input.tenantId,
    bookingId: ownerId,
    connectionId: connection.id,
    ...(request.userId ? { userId: request.userId } : {}),
    title: draft.title,
    start,
    end,
    timeZone,
    ...(recurrence ? { recurrence } : {}),
  });
  const { conference: _conference, ...rest } = draft;
  if (!result.ok) {
    deps.log.warn('zoom meeting not created; event written without a link', { tenantId: input.tenantId, code: result.code });
    return { draft: rest, failure: { code: result.code, message: result.message }, ownerId: null };
  }
  const joinUrl = result.meeting.joinUrl;
  return {
    draft: {
      ...rest,
      location: draft.location ? draft.location : joinUrl,
      description: [draft.description, zoomJoinLine(joinUrl)].filter(Boolean).join('\n\n'),
    },
    failure: null,
    ownerId,
  };
}

/**
 * Notes on the meeting which event carries its link, once the event exists, so a deletion in Zoom can take
 * the dead link off it. A failure here leaves only that clean-up undone: logged, never thrown (the event
 * and its meeting are made).
 */
export async function linkMeetingToEvent(deps: { video?: EventVideoDeps | undefined; log: Log }, tenantId: string, ownerId: string, event: { calendarId: string; eventId: string }): Promise<void> {
  if (!deps.video) return;
  try {
    const record = await deps.video.meetings.getMeeting(tenantId, ownerId);
    if (!record || (record.event?.calendarId === event.calendarId && record.event.eventId === event.eventId)) return;
    await deps.video.meetings.putMeeting({ ...record, event });
  } catch (error) {
    deps.log.warn('zoom meeting not linked to its event', { tenantId, eventId: event.eventId, error: String(error) });
  }
}

async function onlyConnection(video: EventVideoDeps, tenantId: string) {
  const all = await video.connections.listAll(tenantId);
  if (all.length === 0) throw inputError(FIELD, 'no Zoom connection: connect one first (POST /v1/connections/zoom)');
  if (all.length > 1) throw inputError('body.conference.connectionId', `this tenant has ${all.length} Zoom connections: name the one to use`);
  return all[0]!;
}

/** The meeting an event's Zoom link names, when an event write of this tenant made it. */
async function ownedMeetingOf(video: EventVideoDeps, tenantId: string, event: CalendarEvent | null) {
  if (event?.conference?.provider !== 'zoom' || !event.conference.id) return null;
  const record = await video.meetings.findByZoomMeeting(event.conference.id);
  return record && record.tenantId === tenantId && isEventMeetingOwner(record.bookingId) ? record : null;
}

/** After a single event or a whole series moved, was renamed or got another rule: its own Zoom meeting follows; a failure is logged, never thrown. */
export async function followEventMeeting(deps: { video?: EventVideoDeps | undefined; log: Log }, tenantId: string, before: CalendarEvent | null, after: CalendarEvent): Promise<void> {
  if (!deps.video || !before) return;
  const record = await ownedMeetingOf(deps.video, tenantId, before);
  if (!record || 'date' in after.start) return;
  const start = instantOf(after.start);
  const end = instantOf(after.end);
  const rule = (event: CalendarEvent) => (event.recurrence ?? []).join('\n');
  if (start === instantOf(before.start) && end === instantOf(before.end) && after.title === before.title && rule(after) === rule(before)) return;
  const recurrence = after.recurrence && after.recurrence.length > 0 ? after.recurrence : undefined;
  const result = await deps.video.conferencing
    .moveMeeting({ tenantId, bookingId: record.bookingId, connectionId: record.connectionId, userId: record.zoomUserId, meetingId: record.meetingId, title: after.title ?? '', start, end, timeZone: after.start.timeZone ?? 'UTC', ...(recurrence ? { recurrence } : {}) })
    .catch((error: unknown) => ({ ok: false as const, code: 'internal.unexpected', message: String(error), retryable: true }));
  if (!result.ok) deps.log.warn('zoom meeting not moved with its event', { tenantId, eventId: after.id, code: result.code });
}

/** After a single event or a whole series was deleted: its own Zoom meeting is deleted; a failure is logged, never thrown. */
export async function deleteEventMeeting(deps: { video?: EventVideoDeps | undefined; log: Log }, tenantId: string, event: CalendarEvent | null): Promise<void> {
  if (!deps.video) return;
  const record = await ownedMeetingOf(deps.video, tenantId, event);
  if (!record) return;
  const result = await deps.video.conferencing
    .deleteMeeting({ tenantId, bookingId: record.bookingId, connectionId: record.connectionId, meetingId: record.meetingId })
    .catch((error: unknown) => ({ ok: false as const, code: 'internal.unexpected', message: String(error), retryable: true }));
  if (!result.ok) deps.log.warn('zoom meeting not deleted with its event', { tenantId, eventId: event?.id, code: result.code });
}

/**
 * A PATCH with `conference: null` on a single event or a series whose Zoom meeting its own create made: the patch also
 * takes our link text off (the location when it is exactly the join URL, our `Join Zoom:` line; fields the
 * patch sets itself win), so the next read does not find the meeting again. Returns the patch to write and
 * whether the meeting is to be deleted after the calendar write.
 */
export async function withoutEventMeeting(
  deps: { video?: EventVideoDeps | undefined },
  tenantId: string,
  stored: CalendarEvent | null,
  fields: EventFields,
): Promise<{ fields: EventFields; dropsMeeting: boolean }> {
  if (fields.conference !== null || !deps.video || !stored) return { fields, dropsMeeting: false };
  const record = await ownedMeetingOf(deps.video, tenantId, stored);
  if (!record) return { fields, dropsMeeting: false };
  const location = fields.location !== undefined ? fields.location : locationWithoutMeeting(stored.location, record.meetingId);
  const description = fields.description !== undefined ? fields.description : descriptionWithoutMeeting(stored.description, record.meetingId);
  // The provider never had a native conference for it: nothing to clear there but our text.
  const { conference: _conference, ...rest } = fields;
  return { fields: { ...rest, ...(location !== undefined ? { location } : {}), ...(description !== undefined ? { description } : {}) }, dropsMeeting: true };
}
