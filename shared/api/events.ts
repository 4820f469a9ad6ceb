import * as z from 'zod/mini';
import { EVENT_TIME_FORMAT, MAX_RECURRENCE_LINES, eventTimeKind, recurrenceLineProblem, timesProblem, toEventTime } from '../domain/event-write.ts';
import { isValidTimeZone } from '../domain/time-zone.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { EventItem } from './calendars.ts';
import { ResourceId } from './common.ts';

/** Attendees one write may name (Google's and Outlook's own limits are higher; a meeting this big is a mistake). */
export const MAX_ATTENDEES = 300;

const TimeText = z.string().check(z.refine((text) => eventTimeKind(text) !== null, EVENT_TIME_FORMAT));
const Zone = z.string().check(z.refine(isValidTimeZone, 'an IANA time zone such as Europe/Berlin'));
const RecurrenceLine = z.string().check(
  z.maxLength(1024),
  z.superRefine((line, context) => {
    const problem = recurrenceLineProblem(line);
    if (problem) context.issues.push({ code: 'custom', message: problem, input: line });
  }),
);

/**
 * The conference a write asks for, as the API names providers (scheduling.md §2). The stored model says
 * `teams` for Microsoft Teams; the write use-case maps between the two.
 */
export const ConferenceRequest = z
  .strictObject({
    provider: z.enum(['google_meet', 'microsoft_teams', 'zoom'], { error: 'google_meet, microsoft_teams or zoom' }),
    /** Zoom only: the Zoom connection (default: the tenant's only one) and the Zoom user hosting the meeting (default: the connection's). */
    connectionId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    userId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  })
  .check(
    z.superRefine((conference, context) => {
      if (conference.provider === 'zoom') return;
      for (const field of ['connectionId', 'userId'] as const) {
        if (conference[field] !== undefined) context.issues.push({ code: 'custom', message: 'only with provider zoom', path: [field], input: conference[field] });
      }
    }),
  );

/** The created event, and why it has no link when a Zoom meeting was asked for and could not be made. */
export const CreatedEventItem = z.extend(EventItem, {
  conferenceError: z.optional(z.object({ code: z.string(), message: z.string() })),
});

const fields = {
  title: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(1024)),
  start: TimeText,
  end: TimeText,
  timeZone: z.optional(Zone),
  allDay: z.optional(z.boolean()),
  description: z.optional(z.nullable(z.string().check(z.maxLength(8192)))),
  location: z.optional(z.nullable(z.string().check(z.maxLength(1024)))),
  attendees: z.optional(
    z
      .array(z.strictObject({ email: z.email('an e-mail address'), name: z.optional(z.nullable(z.string().check(z.maxLength(256)))), optional: z.optional(z.boolean()) }))
      .check(z.maxLength(MAX_ATTENDEES, `at most ${MAX_ATTENDEES} attendees`)),
  ),
  transparency: z.optional(z.enum(['opaque', 'transparent'], { error: 'opaque (busy) or transparent (free)' })),
  recurrence: z.optional(z.nullable(z.array(RecurrenceLine).check(z.maxLength(MAX_RECURRENCE_LINES, `at most ${MAX_RECURRENCE_LINES} lines`)))),
  conference: z.optional(z.nullable(ConferenceRequest)),
};

interface TimesInput {
  start?: string;
  end?: string;
  allDay?: boolean;
  timeZone?: string;
  recurrence?: string[] | null;
}

/** Cross-field rules, each reported on the field to change (`body.end`, `body.start`, `body.timeZone`). */
const timeChecks = [
  z.superRefine<TimesInput>((body, context) => {
    const startKind = body.start === undefined ? null : eventTimeKind(body.start);
    const endKind = body.end === undefined ? null : eventTimeKind(body.end);
    if (body.allDay === true) {
      if (startKind && startKind !== 'date') context.issues.push({ code: 'custom', path: ['start'], message: 'allDay events take a date such as 2026-12-07', input: body.start });
      if (endKind && endKind !== 'date') context.issues.push({ code: 'custom', path: ['end'], message: 'allDay events take a date such as 2026-12-08 (exclusive)', input: body.end });
    } else if (body.allDay === false) {
      if (startKind === 'date') context.issues.push({ code: 'custom', path: ['start'], message: 'a timed event takes a date-time', input: body.start });
      if (endKind === 'date') context.issues.push({ code: 'custom', path: ['end'], message: 'a timed event takes a date-time', input: body.end });
    }
    if (startKind && endKind) {
      const zone = body.timeZone && isValidTimeZone(body.timeZone) ? body.timeZone : 'UTC';
      const problem = timesProblem(toEventTime(body.start!, zone)!, toEventTime(body.end!, zone)!);
      if (problem) context.issues.push({ code: 'custom', path: ['end'], message: problem, input: body.end });
    }
    const rules = (body.recurrence ?? []).filter((line) => /^\s*RRULE[;:]/i.test(line)).length;
    if (body.recurrence && body.recurrence.length > 0 && rules !== 1) context.issues.push({ code: 'custom', path: ['recurrence'], message: 'a series has exactly one RRULE line', input: body.recurrence });
  }),
] as const;

export const CreateEventBody = z.strictObject(fields).check(...timeChecks);
export type CreateEventBody = z.infer<typeof CreateEventBody>;

export const UpdateEventBody = z
  .strictObject({
    title: z.optional(fields.title),
    start: z.optional(TimeText),
    end: z.optional(TimeText),
    timeZone: fields.timeZone,
    allDay: fields.allDay,
    description: fields.description,
    location: fields.location,
    attendees: fields.attendees,
    transparency: fields.transparency,
    recurrence: fields.recurrence,
    conference: fields.conference,
  })
  .check(
    ...timeChecks,
    z.refine((body) => Object.values(body).some((value) => value !== undefined), 'send at least one field to change'),
  );
export type UpdateEventBody = z.infer<typeof UpdateEventBody>;

/** `evt_…` (a stored event) or `evt_…_20261207T090000Z` / `evt_…_20261207` (one instance of a series, as listings name it). */
export const EventRef = z.string().check(z.regex(/^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}(_\d{8}(T\d{6}Z)?)?$/, 'an event id or occurrenceId from an events listing'));

export const EventParams = z.object({ id: ResourceId, eventId: EventRef });

export const EventScope = z.enum(['instance', 'following', 'series'], { error: 'instance, following or series' });
export const ScopeQuery = z.object({ scope: z.optional(EventScope) });

const IDEMPOTENCY = [
  'An `Idempotency-Key` header (1–255 visible ASCII characters) makes the request safe to repeat: the same key with the same request answers the stored result again (`Idempotent-Replayed: true`), for 24 hours;',
  'the same key with another request (body, calendar, event or scope) is 422 `idempotency.key_reused`; a repeat while the first is still running is 409 `idempotency.in_progress` (retry shortly).',
  'The key also names the provider event (Google event id, Graph transactionId, CalDAV href), so a retry after a timeout never makes a second one.',
].join(' ');

export const createEventRoute = defineRoute({
  operationId: 'createEvent',
  method: 'POST',
  path: '/v1/calendars/{id}/events',
  function: 'api-events',
  auth: 'jwt',
  summary: 'Create an event on the provider (Google, Microsoft, CalDAV/iCloud)',
  description: [
    'Timed events take RFC 3339 instants, or wall times (`2027-01-04T10:00`) read in `timeZone`, which defaults to the calendar\'s zone; all-day events take dates, `end` exclusive.',
    '`recurrence` is one RRULE plus EXDATE (and, except on Microsoft 365, RDATE) lines; Microsoft 365 has no EXDATE, so the excluded instances are cancelled after the series is written.',
    '`conference`: `google_meet` on Google calendars, `microsoft_teams` on Microsoft 365, `zoom` on any calendar (`connectionId` names the Zoom connection, default the tenant\'s only one; `userId` the Zoom user, default the connection\'s): the meeting is made first, its join URL put in `location` (unless given) and `description`, and the event answers `conference: {provider: "zoom", joinUrl, meetingId}` (also after every sync: a Zoom link in the location or description is read as the event\'s conference). A PATCH that moves or renames the event moves the meeting; a DELETE deletes it. When Zoom refuses (daily quota used up, unreachable) the event is still written, without a link, with `conferenceError: {code, message}` (`video.quota_exhausted` is also evented and logged). A series gets one meeting for every occurrence (Zoom\'s own series where it repeats alike, else one with no fixed time). Zoom on an all-day event, or with no or an unknown Zoom connection, is 400 naming the field; any other pairing is 400.',
    'The written event is stored and announced at once (one `calendar.event.created`; on Microsoft 365, where series are stored as their occurrences, one per occurrence), and the next sync finds it unchanged.',
    'A read-only calendar is 403 `calendar.read_only`; another tenant\'s calendar is 404.',
    IDEMPOTENCY,
  ].join(' '),
  tags: ['events'],
  params: z.object({ id: ResourceId }),
  body: CreateEventBody,
  responses: { 201: { description: 'The event as the provider stored it.', schema: CreatedEventItem } },
});

export const updateEventRoute = defineRoute({
  operationId: 'updateEvent',
  method: 'PATCH',
  path: '/v1/calendars/{id}/events/{eventId}',
  function: 'api-events',
  auth: 'jwt',
  summary: 'Change an event, one instance of a series, this and following instances, or the whole series',
  description: [
    'Partial: fields left out keep their value, `null` clears description, location, recurrence or conference; wall times are read in `timeZone`, else the event\'s own zone.',
    '`eventId` is a stored event id or an `occurrenceId` from an expanded listing. For an instance `scope` is `instance` (the default: an exception), `following` (the series is split: the old one ends just before the instance, a new one starts there with the rest of the rule; edited instances after the split are not carried over, cancelled ones are) or `series`.',
    IDEMPOTENCY,
  ].join(' '),
  tags: ['events'],
  params: EventParams,
  query: ScopeQuery,
  body: UpdateEventBody,
  responses: { 200: { description: 'The changed event (for `following`: the new series).', schema: EventItem } },
});

export const deleteEventRoute = defineRoute({
  operationId: 'deleteEvent',
  method: 'DELETE',
  path: '/v1/calendars/{id}/events/{eventId}',
  function: 'api-events',
  auth: 'jwt',
  summary: 'Delete an event, one instance, this and following instances, or a whole series',
  description: [
    'Scopes as for PATCH. An event the provider already deleted (but we still store) is deleted here without error; an id we no longer store is 404, so repeat a DELETE with its Idempotency-Key to get its 204 again.',
    IDEMPOTENCY,
  ].join(' '),
  tags: ['events'],
  params: EventParams,
  query: ScopeQuery,
  responses: { 204: { description: 'Deleted.' } },
});

export const EventWriteRoutes = [createEventRoute, updateEventRoute, deleteEventRoute];
