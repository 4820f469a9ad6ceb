import { inputError } from '../../domain/app-error.ts';
import type { EventDraft, EventTime, ProviderEvent, Transparency } from '../../domain/calendar-event.ts';
import type { ProviderKind } from '../../domain/connection.ts';
import { timesProblem, toEventTime } from '../../domain/event-write.ts';

/** The fields of an event write as the API takes them (scheduling.md §2); all optional on a PATCH. */
export interface EventFields {
  title?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
  timeZone?: string | undefined;
  allDay?: boolean | undefined;
  description?: string | null | undefined;
  location?: string | null | undefined;
  attendees?: { email: string; name?: string | null | undefined; optional?: boolean | undefined }[] | undefined;
  transparency?: Transparency | undefined;
  recurrence?: string[] | null | undefined;
  conference?: { provider: 'google_meet' | 'microsoft_teams' | 'zoom'; connectionId?: string | undefined; userId?: string | undefined } | null | undefined;
}

const PROVIDER_NAMES: Record<ProviderKind, string> = { google: 'Google', microsoft: 'Microsoft 365', caldav: 'CalDAV/iCloud' };

/**
 * The draft's conference for the API's provider name. The stored model calls Teams `teams` (the API says
 * `microsoft_teams`); Meet is made by Google and Teams by Microsoft 365 from the event itself, so another
 * pairing is a 400 on the field. Zoom is not a calendar feature: createCalendarEvent makes the meeting first.
 */
export function conferenceFor(kind: ProviderKind, requested: EventFields['conference']): EventDraft['conference'] {
  if (requested === undefined) return undefined;
  if (requested === null) return null;
  const field = 'body.conference.provider';
  if (requested.provider === 'zoom') {
    // A new event's Zoom meeting is made by createCalendarEvent (event-zoom.ts) before this draft exists.
    throw inputError(field, 'a Zoom meeting is added when the event is created; to change its time, PATCH start and end and the meeting follows');
  }
  if (requested.provider === 'google_meet' && kind !== 'google') throw inputError(field, `Google Meet links are made by Google calendars; this calendar is on ${PROVIDER_NAMES[kind]}`);
  if (requested.provider === 'microsoft_teams' && kind !== 'microsoft') throw inputError(field, `Teams meetings are made by Microsoft 365 calendars; this calendar is on ${PROVIDER_NAMES[kind]}`);
  return { provider: requested.provider === 'microsoft_teams' ? 'teams' : 'google_meet' };
}

function timedZone(time: EventTime | undefined): string | null {
  return time && 'dateTime' in time ? time.timeZone : null;
}

function parseTime(text: string, zone: string, field: string): EventTime {
  const time = toEventTime(text, zone);
  if (!time) throw inputError(field, 'not a readable time');
  return time;
}

function attendeesOf(event: ProviderEvent): NonNullable<EventDraft['attendees']> {
  return event.attendees.filter((a) => a.email !== null).map((a) => ({ email: a.email!, name: a.name, optional: a.optional }));
}

/** A new event's draft. Timed values are read in `timeZone`, else the calendar's zone, else UTC. */
export function draftFromFields(fields: EventFields & { title: string; start: string; end: string }, calendarZone: string | null, kind: ProviderKind): EventDraft {
  const zone = fields.timeZone ?? calendarZone ?? 'UTC';
  const start = parseTime(fields.start, zone, 'body.start');
  const end = parseTime(fields.end, zone, 'body.end');
  const problem = timesProblem(start, end);
  if (problem) throw inputError('body.end', problem);
  return {
    title: fields.title,
    start,
    end,
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.location !== undefined ? { location: fields.location } : {}),
    transparency: fields.transparency ?? 'opaque',
    attendees: (fields.attendees ?? []).map((a) => ({ email: a.email, name: a.name ?? null, optional: a.optional ?? false })),
    ...(fields.recurrence && fields.recurrence.length > 0 ? { recurrence: fields.recurrence } : {}),
    ...(fields.conference ? { conference: conferenceFor(kind, fields.conference) } : {}),
  };
}

/**
 * A PATCH applied to the event as the provider has it now: fields left out keep their value (also the
 * attendees: every provider replaces the whole list), a new `timeZone` alone keeps the instants and
 * changes the zone they are shown and repeated in. `recurrence` and `conference` are sent only when named.
 */
export function mergeDraft(current: ProviderEvent, patch: EventFields, calendarZone: string | null, kind: ProviderKind): EventDraft {
  const zone = patch.timeZone ?? timedZone(current.start) ?? calendarZone ?? 'UTC';
  const rezone = (time: EventTime): EventTime => ('dateTime' in time && patch.timeZone ? { dateTime: time.dateTime, timeZone: patch.timeZone } : time);
  const start = patch.start !== undefined ? parseTime(patch.start, zone, 'body.start') : rezone(current.start);
  const end = patch.end !== undefined ? parseTime(patch.end, zone, 'body.end') : rezone(current.end);
  const problem = timesProblem(start, end);
  if (problem) throw inputError(patch.end !== undefined || patch.start === undefined ? 'body.end' : 'body.start', problem);
  const draft: EventDraft = {
    title: patch.title ?? current.title ?? '',
    start,
    end,
    description: patch.description !== undefined ? patch.description : current.description,
    location: patch.location !== undefined ? patch.location : current.location,
    transparency: patch.transparency ?? current.transparency,
    attendees: patch.attendees ? patch.attendees.map((a) => ({ email: a.email, name: a.name ?? null, optional: a.optional ?? false })) : attendeesOf(current),
  };
  if (patch.recurrence !== undefined) draft.recurrence = patch.recurrence && patch.recurrence.length > 0 ? patch.recurrence : null;
  const conference = conferenceFor(kind, patch.conference);
  if (conference !== undefined) draft.conference = conference;
  return draft;
}

/** The same draft moved by `deltaMs` (a series moved by moving one of its instances). */
export function shiftDraft(draft: EventDraft, deltaMs: number): EventDraft {
  if (deltaMs === 0) return draft;
  const shift = (time: EventTime): EventTime =>
    'date' in time
      ? { date: new Date(Date.parse(`${time.date}T00:00:00Z`) + deltaMs).toISOString().slice(0, 10) }
      : { dateTime: new Date(Date.parse(time.dateTime) + deltaMs).toISOString().replace('.000Z', 'Z'), timeZone: time.timeZone };
  return { ...draft, start: shift(draft.start), end: shift(draft.end) };
}
