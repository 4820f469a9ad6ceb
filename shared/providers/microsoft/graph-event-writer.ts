import { AppError } from '../../domain/app-error.ts';
import type { EventDraft, EventTime } from '../../domain/calendar-event.ts';
import { isValidTimeZone, wallTimeAt } from '../../domain/time-zone.ts';
import { exclusionsOf, patternedRecurrenceOf, type Exclusion, type SeriesStart } from './graph-recurrence.ts';
import type { GraphEventInput } from './graph-types.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function invalidDraft(field: string, message: string): AppError {
  return new AppError('provider.input_invalid', `${field}: ${message}`, { retryable: false, details: { field } });
}

/**
 * A `dateTimeTimeZone` for a draft time: all-day dates as midnight (`isAllDay` floats them), timed values as
 * the wall time in the organizer's zone (Graph takes IANA names), so Outlook shows and repeats the event in
 * that zone and reads return it as `originalStartTimeZone`.
 */
function graphTime(time: EventTime, field: string): { dateTime: string; timeZone: string } {
  if ('date' in time) return { dateTime: `${time.date}T00:00:00`, timeZone: 'UTC' };
  const ms = Date.parse(time.dateTime);
  if (Number.isNaN(ms)) throw invalidDraft(field, 'not an RFC 3339 instant');
  const zone = time.timeZone && isValidTimeZone(time.timeZone) ? time.timeZone : 'UTC';
  const wall = wallTimeAt(zone, ms);
  return { dateTime: `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`, timeZone: zone };
}

function seriesStart(time: EventTime): SeriesStart {
  if ('date' in time) return { kind: 'date', date: time.date };
  const zone = time.timeZone && isValidTimeZone(time.timeZone) ? time.timeZone : 'UTC';
  return { kind: 'timed', utcMs: Date.parse(time.dateTime), zone };
}

/**
 * The Graph body for creating or replacing an event from a draft. A draft is the whole event, so a PATCH
 * with it replaces every field we map; the online meeting is only touched when the draft says so
 * (`conference: {provider:'teams'}` adds Teams, `conference: null` removes it, absent leaves it).
 */
export function draftToGraph(draft: EventDraft): GraphEventInput {
  const allDay = 'date' in draft.start;
  if (allDay !== 'date' in draft.end) throw invalidDraft('body.end', 'start and end must both be dates or both be date-times');
  const body: GraphEventInput = {
    subject: draft.title,
    body: { contentType: 'text', content: draft.description ?? '' },
    location: { displayName: draft.location ?? '' },
    start: graphTime(draft.start, 'body.start'),
    end: graphTime(draft.end, 'body.end'),
    isAllDay: allDay,
    showAs: draft.transparency === 'transparent' ? 'free' : 'busy',
    attendees: (draft.attendees ?? []).map((attendee) => ({
      emailAddress: { address: attendee.email, ...(attendee.name ? { name: attendee.name } : {}) },
      type: attendee.optional ? 'optional' : 'required',
    })),
  };
  if (draft.recurrence && draft.recurrence.length > 0) body.recurrence = patternedRecurrenceOf(draft.recurrence, seriesStart(draft.start));
  if (draft.conference?.provider === 'teams') {
    body.isOnlineMeeting = true;
    body.onlineMeetingProvider = 'teamsForBusiness';
  } else if (draft.conference === null) {
    body.isOnlineMeeting = false;
  } else if (draft.conference) {
    throw invalidDraft('body.conference.provider', `Microsoft 365 creates Teams meetings only, not ${draft.conference.provider}`);
  }
  return body;
}

/** The instances a draft's EXDATE lines remove (none for a single event). */
export function draftExclusions(draft: EventDraft): Exclusion[] {
  return draft.recurrence && draft.recurrence.length > 0 ? exclusionsOf(draft.recurrence, seriesStart(draft.start)) : [];
}
