import type { Attendee, Conference, EventDraft, EventTime, ProviderEvent, ResponseStatus } from '../../domain/calendar-event.ts';
import type { ProviderChange } from '../../ports/calendar-provider.ts';

/** The Google event fields we read (a subset of calendar_v3.Schema$Event; Google types stay in this folder). */
export interface GoogleEventResource {
  id?: string | null;
  status?: string | null;
  etag?: string | null;
  updated?: string | null;
  iCalUID?: string | null;
  summary?: string | null;
  description?: string | null;
  location?: string | null;
  transparency?: string | null;
  start?: GoogleTime | null;
  end?: GoogleTime | null;
  endTimeUnspecified?: boolean | null;
  recurrence?: string[] | null;
  recurringEventId?: string | null;
  originalStartTime?: GoogleTime | null;
  organizer?: { email?: string | null; displayName?: string | null; self?: boolean | null } | null;
  attendees?: { email?: string | null; displayName?: string | null; responseStatus?: string | null; optional?: boolean | null; organizer?: boolean | null; self?: boolean | null }[] | null;
  hangoutLink?: string | null;
  conferenceData?: {
    conferenceId?: string | null;
    conferenceSolution?: { key?: { type?: string | null } | null } | null;
    entryPoints?: { entryPointType?: string | null; uri?: string | null; label?: string | null; regionCode?: string | null }[] | null;
    createRequest?: { status?: { statusCode?: string | null } | null; conferenceSolutionKey?: { type?: string | null } | null } | null;
  } | null;
}

export interface GoogleTime {
  date?: string | null;
  dateTime?: string | null;
  timeZone?: string | null;
}

function toUtcIso(dateTime: string): string {
  return new Date(Date.parse(dateTime)).toISOString().replace('.000Z', 'Z');
}

export function toEventTime(time: GoogleTime | null | undefined, fallbackZone: string | null): EventTime | null {
  if (!time) return null;
  if (time.date) return { date: time.date };
  if (time.dateTime) return { dateTime: toUtcIso(time.dateTime), timeZone: time.timeZone ?? fallbackZone };
  return null;
}

const RESPONSES: Record<string, ResponseStatus> = { needsAction: 'needs_action', accepted: 'accepted', declined: 'declined', tentative: 'tentative' };

function conferenceOf(event: GoogleEventResource): Conference | null {
  const data = event.conferenceData;
  const video = data?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri ?? event.hangoutLink ?? null;
  const pending = data?.createRequest?.status?.statusCode === 'pending';
  if (!data && !video) return null;
  // A pending Meet has no conferenceSolution yet: its kind is in the create request.
  const type = data?.conferenceSolution?.key?.type ?? data?.createRequest?.conferenceSolutionKey?.type ?? (event.hangoutLink ? 'hangoutsMeet' : null);
  const provider = type === 'hangoutsMeet' ? 'google_meet' : video && /zoom\.us\//.test(video) ? 'zoom' : video && /teams\.microsoft\.com/.test(video) ? 'teams' : 'other';
  // Phone entry points: `uri` is `tel:+1-323-555-0123`, `label` the number as shown.
  const dialIn = (data?.entryPoints ?? [])
    .filter((entry) => entry.entryPointType === 'phone' && (entry.label || entry.uri))
    .map((entry) => ({ number: entry.label || entry.uri!.replace(/^tel:/, ''), country: entry.regionCode ?? null }));
  return { provider, url: video, id: data?.conferenceId ?? null, status: pending && !video ? 'pending' : 'ready', ...(dialIn.length > 0 ? { dialIn } : {}) };
}

/**
 * One Google event → one change. With `singleEvents=false` (how we sync), Google returns series masters
 * (with `recurrence`), exceptions (an instance with `recurringEventId`), singles, and tombstones: a deleted
 * single or series is a deletion; a cancelled instance of a live series is an exception that cancels it.
 */
export function toProviderChange(event: GoogleEventResource, calendarZone: string | null): ProviderChange | null {
  if (!event.id) return null;
  if (event.status === 'cancelled' && !event.recurringEventId) return { type: 'delete', providerEventId: event.id };
  const originalStart = toEventTime(event.originalStartTime, calendarZone);
  let start = toEventTime(event.start, calendarZone);
  let end = event.endTimeUnspecified ? start : toEventTime(event.end, calendarZone);
  if (event.status === 'cancelled') {
    // A cancelled instance guarantees only id, recurringEventId and originalStartTime (providers.md A8).
    start ??= originalStart;
    end ??= start;
  }
  if (!start || !end) return null;
  const normalized: ProviderEvent = {
    providerEventId: event.id,
    resourceId: null,
    iCalUID: event.iCalUID ?? null,
    kind: event.recurrence?.length ? 'master' : event.recurringEventId ? 'exception' : 'single',
    title: event.summary ?? null,
    description: event.description ?? null,
    location: event.location ?? null,
    start,
    end,
    status: event.status === 'tentative' ? 'tentative' : event.status === 'cancelled' ? 'cancelled' : 'confirmed',
    transparency: event.transparency === 'transparent' ? 'transparent' : 'opaque',
    organizer: event.organizer ? { email: event.organizer.email ?? null, name: event.organizer.displayName ?? null, self: event.organizer.self ?? false } : null,
    attendees: (event.attendees ?? []).map(
      (a): Attendee => ({
        email: a.email ?? null,
        name: a.displayName ?? null,
        responseStatus: RESPONSES[a.responseStatus ?? ''] ?? 'needs_action',
        optional: a.optional ?? false,
        organizer: a.organizer ?? false,
        self: a.self ?? false,
      }),
    ),
    recurrence: event.recurrence?.length ? [...event.recurrence] : null,
    recurringEventId: event.recurringEventId ?? null,
    originalStart,
    conference: conferenceOf(event),
    etag: event.etag ?? null,
    updated: event.updated ? new Date(Date.parse(event.updated)).toISOString() : null,
  };
  return { type: 'upsert', event: normalized };
}

/** Nulls the other form, so a PATCH can turn a timed event into an all-day one and back. */
function toGoogleTime(time: EventTime): GoogleTime {
  if ('date' in time) return { date: time.date, dateTime: null, timeZone: null };
  return { dateTime: time.dateTime, date: null, ...(time.timeZone ? { timeZone: time.timeZone } : {}) };
}

/** Our draft → the Google request body (a PATCH body: fields not named stay as they are at Google). */
export function toGoogleBody(draft: EventDraft, conferenceRequestId: string | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    summary: draft.title,
    start: toGoogleTime(draft.start),
    end: toGoogleTime(draft.end),
  };
  if (draft.description !== undefined) body.description = draft.description;
  if (draft.location !== undefined) body.location = draft.location;
  if (draft.transparency) body.transparency = draft.transparency;
  if (draft.attendees) body.attendees = draft.attendees.map((a) => ({ email: a.email, ...(a.name ? { displayName: a.name } : {}), ...(a.optional ? { optional: true } : {}) }));
  if (draft.recurrence !== undefined) body.recurrence = draft.recurrence ?? [];
  if (conferenceRequestId) body.conferenceData = { createRequest: { requestId: conferenceRequestId, conferenceSolutionKey: { type: 'hangoutsMeet' } } };
  // `conference: null` takes the Meet off; Google reads conferenceData only with conferenceDataVersion=1.
  else if (draft.conference === null) body.conferenceData = null;
  return body;
}

/** The query parameter every write that names conferenceData needs, else Google ignores the field (A21). */
export function conferenceDataVersionFor(draft: EventDraft): { conferenceDataVersion?: number } {
  return draft.conference === null || draft.conference?.provider === 'google_meet' ? { conferenceDataVersion: 1 } : {};
}
