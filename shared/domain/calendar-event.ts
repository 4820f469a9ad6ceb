import * as z from 'zod/mini';
import { CalendarDate, Instant } from './timestamps.ts';
import { TenantId } from './tenant.ts';

/**
 * A point in time of an event. All-day events keep their date (`{date}`, end exclusive) and are never turned
 * into instants in storage, so they cannot shift by a time zone. Timed events are an instant (`dateTime`,
 * always written in UTC) plus the IANA zone the organiser meant (`timeZone`, null when the provider had
 * none, e.g. a floating CalDAV time resolved in the calendar's zone).
 */
export const AllDayTime = z.object({ date: CalendarDate });
export const TimedTime = z.object({ dateTime: Instant, timeZone: z.nullable(z.string()) });
export const EventTime = z.union([AllDayTime, TimedTime]);
export type AllDayTime = z.infer<typeof AllDayTime>;
export type TimedTime = z.infer<typeof TimedTime>;
export type EventTime = z.infer<typeof EventTime>;

export function isAllDay(time: EventTime): time is AllDayTime {
  return 'date' in time;
}

export const EventStatus = z.enum(['confirmed', 'tentative', 'cancelled']);
export type EventStatus = z.infer<typeof EventStatus>;

/** `opaque` blocks time (busy); `transparent` does not (free). */
export const Transparency = z.enum(['opaque', 'transparent']);
export type Transparency = z.infer<typeof Transparency>;

export const ResponseStatus = z.enum(['needs_action', 'accepted', 'declined', 'tentative']);
export type ResponseStatus = z.infer<typeof ResponseStatus>;

export const Attendee = z.object({
  email: z.nullable(z.string()),
  name: z.nullable(z.string()),
  responseStatus: ResponseStatus,
  optional: z.boolean(),
  organizer: z.boolean(),
  self: z.boolean(),
});
export type Attendee = z.infer<typeof Attendee>;

export const Organizer = z.object({
  email: z.nullable(z.string()),
  name: z.nullable(z.string()),
  self: z.boolean(),
});
export type Organizer = z.infer<typeof Organizer>;

export const ConferenceProvider = z.enum(['google_meet', 'teams', 'zoom', 'other']);
export type ConferenceProvider = z.infer<typeof ConferenceProvider>;

export const Conference = z.object({
  provider: ConferenceProvider,
  /** The join URL; null while a Google Meet is still `pending`. */
  url: z.nullable(z.string()),
  id: z.nullable(z.string()),
  status: z.enum(['pending', 'ready']),
  /** Phone numbers to join by, when the provider gives any (Meet's phone entry points, Teams' toll numbers). */
  dialIn: z.optional(z.array(z.object({ number: z.string(), country: z.nullable(z.string()) }))),
});
export type Conference = z.infer<typeof Conference>;

/**
 * `single`: not recurring. `master`: a series with `recurrence` rules. `occurrence`: one instance of a
 * series as the provider expanded it (Graph). `exception`: an instance that differs from its series (moved,
 * edited or cancelled; Google exceptions, Graph exceptions, CalDAV RECURRENCE-ID overrides).
 */
export const EventKind = z.enum(['single', 'master', 'occurrence', 'exception']);
export type EventKind = z.infer<typeof EventKind>;

/**
 * The normalized event as a provider adapter produces it: no tenant, no storage ids, no hash. Every
 * provider maps its own shape into exactly this.
 */
export const ProviderEvent = z.object({
  providerEventId: z.string(),
  /**
   * Provider resource that holds this event when one resource holds several events (a CalDAV href holds a
   * master and its overrides); null where each event is its own resource (Google, Graph).
   */
  resourceId: z.nullable(z.string()),
  iCalUID: z.nullable(z.string()),
  kind: EventKind,
  title: z.nullable(z.string()),
  description: z.nullable(z.string()),
  location: z.nullable(z.string()),
  start: EventTime,
  end: EventTime,
  status: EventStatus,
  transparency: Transparency,
  organizer: z.nullable(Organizer),
  attendees: z.array(Attendee),
  /** RRULE / EXRULE / RDATE / EXDATE lines of a master (no DTSTART), as in RFC 5545 and Google. */
  recurrence: z.nullable(z.array(z.string())),
  /** For occurrences and exceptions: the provider id of the series master. */
  recurringEventId: z.nullable(z.string()),
  /** For occurrences and exceptions: where the instance would have started according to the rule. */
  originalStart: z.nullable(EventTime),
  conference: z.nullable(Conference),
  /** Opaque provider version, sent back as an If-Match precondition on writes. */
  etag: z.nullable(z.string()),
  /** Provider's last-modified time, when it has one. */
  updated: z.nullable(Instant),
});
export type ProviderEvent = z.infer<typeof ProviderEvent>;

/** An event as stored and served: the provider's event plus its place in our system. */
export const CalendarEvent = z.extend(ProviderEvent, {
  tenantId: TenantId,
  connectionId: z.string(),
  calendarId: z.string(),
  /** Ours, derived deterministically from calendar id and provider event id. */
  id: z.string(),
  /** SHA-256 of the event's content (not its etag or `updated`): equal hash = nothing a user could see changed. */
  contentHash: z.string(),
});
export type CalendarEvent = z.infer<typeof CalendarEvent>;

/** What a caller sends to create or replace an event on the provider. */
export const EventDraft = z.object({
  title: z.string().check(z.maxLength(1024)),
  description: z.optional(z.nullable(z.string().check(z.maxLength(8192)))),
  location: z.optional(z.nullable(z.string().check(z.maxLength(1024)))),
  start: EventTime,
  end: EventTime,
  transparency: z.optional(Transparency),
  attendees: z.optional(
    z.array(z.object({ email: z.email(), name: z.optional(z.nullable(z.string())), optional: z.optional(z.boolean()) })).check(z.maxLength(300)),
  ),
  recurrence: z.optional(z.nullable(z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(20)))),
  /** Ask the provider for a video meeting: Meet on Google, Teams on Microsoft; Zoom is created separately. */
  conference: z.optional(z.nullable(z.object({ provider: ConferenceProvider }))),
});
export type EventDraft = z.infer<typeof EventDraft>;
