import * as z from 'zod/mini';
import { CalendarEvent } from '../domain/calendar-event.ts';
import { CalendarKind, CalendarView } from '../domain/calendar.ts';
import { isValidTimeZone } from '../domain/time-zone.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { CursorQuery, IdParams, ResourceId, intQuery, pageOf } from './common.ts';

const DAY_MS = 86_400_000;
/** The longest range one listing or free/busy query may span. */
export const MAX_RANGE_DAYS = 366;
/** Calendars one free/busy query may name (Google's limit too). */
export const MAX_FREE_BUSY_CALENDARS = 50;

const InstantQuery = z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2026-11-01T00:00:00Z' });

/** `end` after `start`, at most MAX_RANGE_DAYS apart; reported on `end` (the field to change). */
interface RangeQuery {
  start: string;
  end: string;
}

const rangeChecks = [
  z.refine<RangeQuery>((query) => Date.parse(query.end) > Date.parse(query.start), { message: 'must be after start', path: ['end'] }),
  z.refine<RangeQuery>((query) => Date.parse(query.end) - Date.parse(query.start) <= MAX_RANGE_DAYS * DAY_MS, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['end'],
  }),
] as const;

const BooleanQuery = (fallback: boolean) =>
  z.prefault(z.pipe(z.enum(['true', 'false'], { error: 'true or false' }), z.transform((value) => value === 'true')), fallback ? 'true' : 'false');

export const ListEventsQuery = z
  .object({
    start: InstantQuery,
    end: InstantQuery,
    cursor: CursorQuery,
    limit: intQuery(1, 500, 100),
    expand: BooleanQuery(true),
  })
  .check(...rangeChecks);

/** `a,b` or a repeated parameter (which API Gateway joins with commas): distinct ids, 1 to 50 of them. */
const CalendarIdsQuery = z.pipe(
  z.string({ error: 'comma-separated calendar ids are required' }),
  z.transform((raw, context) => {
    const ids = [...new Set(raw.split(',').map((part) => part.trim()).filter((part) => part !== ''))];
    const problem =
      ids.length === 0
        ? 'at least one calendar id is required'
        : ids.length > MAX_FREE_BUSY_CALENDARS
          ? `at most ${MAX_FREE_BUSY_CALENDARS} calendars per query`
          : ids.filter((id) => !ResourceId.safeParse(id).success).map((id) => `${JSON.stringify(id.slice(0, 40))} is not a calendar id`)[0];
    if (problem) context.issues.push({ code: 'custom', message: problem, input: raw });
    return ids;
  }),
);

export const FreeBusyQuery = z
  .object({
    calendarIds: CalendarIdsQuery,
    start: InstantQuery,
    end: InstantQuery,
    timeZone: z.optional(z.string().check(z.refine(isValidTimeZone, 'an IANA time zone such as Europe/Berlin'))),
  })
  .check(...rangeChecks);

const WindowDays = z.int().check(z.gte(7), z.lte(365));

export const UpdateCalendarBody = z
  .strictObject({
    syncEnabled: z.optional(z.boolean()),
    syncWindow: z.optional(
      z
        .strictObject({ pastDays: z.optional(WindowDays), futureDays: z.optional(WindowDays) })
        .check(z.refine((window) => window.pastDays !== undefined || window.futureDays !== undefined, 'name pastDays, futureDays or both')),
    ),
    kind: z.optional(z.enum(CalendarKind.options, { error: 'user, room or resource' })),
  })
  .check(z.refine((body) => body.syncEnabled !== undefined || body.syncWindow !== undefined || body.kind !== undefined, 'send syncEnabled, syncWindow, kind or several'));

/** A stored event as served: no tenant; in expanded listings each item is one occurrence. */
/**
 * An event's meeting as the API shows it (scheduling.md, the video issue): the provider under the API's own
 * names (`microsoft_teams`, as requests and bookings say it), `joinUrl` and `meetingId`. `url` and `id`
 * (the same values) and `status` are kept from the first API for existing clients.
 */
export const EventConference = z.object({
  provider: z.enum(['google_meet', 'microsoft_teams', 'zoom', 'other']),
  /** Null while a Google Meet is still `pending`. */
  joinUrl: z.nullable(z.string()),
  meetingId: z.nullable(z.string()),
  status: z.enum(['pending', 'ready']),
  /** Same as joinUrl. */
  url: z.nullable(z.string()),
  /** Same as meetingId. */
  id: z.nullable(z.string()),
  /** Phone numbers to join by, when the provider gives any. */
  dialIn: z.optional(z.array(z.object({ number: z.string(), country: z.nullable(z.string()) }))),
});
export type EventConference = z.infer<typeof EventConference>;

export const EventItem = z.extend(z.omit(CalendarEvent, { tenantId: true, conference: true }), {
  conference: z.nullable(EventConference),
  /** Expanded listings only: the series' event id and the instance's original start, or the event id of a single event. */
  occurrenceId: z.optional(z.string()),
});

/** A stored event's view (no tenant) as the API serves it: its conference under the API's names. */
export function toEventItem<T extends { conference: CalendarEvent['conference'] }>(event: T): Omit<T, 'conference'> & { conference: EventConference | null } {
  const { conference, ...rest } = event;
  if (!conference) return { ...rest, conference: null };
  const provider = conference.provider === 'teams' ? 'microsoft_teams' : conference.provider;
  return { ...rest, conference: { provider, joinUrl: conference.url, meetingId: conference.id, status: conference.status, url: conference.url, id: conference.id, ...(conference.dialIn ? { dialIn: conference.dialIn } : {}) } };
}

export const BusyInterval = z.object({ start: Instant, end: Instant });

/** A part of the queried range and where its busy time came from: the synced copy or the provider, live. */
export const BusyCoverage = z.object({ start: Instant, end: Instant, source: z.enum(['store', 'provider']) });

/** Why part of a calendar's range has no answer (`provider.unavailable`, `provider.rate_limited`, `provider.auth_revoked`…). */
export const BusyTimeError = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });

export const FreeBusyResponse = z.object({
  start: Instant,
  end: Instant,
  /** The zone all-day events were read in, when the query named one (else each calendar's own). */
  timeZone: z.nullable(z.string()),
  /** Busy time of all requested calendars together: the union of what is known. */
  busy: z.array(BusyInterval),
  /** False when a part of some calendar's range could not be answered (that calendar's `error` says why): `busy` is then incomplete, never "free" there. */
  complete: z.boolean(),
  calendars: z.record(
    z.string(),
    z.object({
      busy: z.array(BusyInterval),
      syncEnabled: z.boolean(),
      lastSyncedAt: z.nullable(Instant),
      /** The answered parts of [start, end), in order: `store` inside the mirrored sync window, `provider` (asked live) outside it. A gap was not answered. */
      coverage: z.array(BusyCoverage),
      error: z.nullable(BusyTimeError),
    }),
  ),
});

export const listCalendarsRoute = defineRoute({
  operationId: 'listCalendars',
  method: 'GET',
  path: '/v1/connections/{id}/calendars',
  function: 'api-calendars',
  auth: 'jwt',
  summary: 'List the calendars of a connection',
  description: 'Primary calendar first, then by name.',
  tags: ['calendars'],
  params: IdParams,
  responses: { 200: { description: 'The calendars.', schema: z.object({ items: z.array(CalendarView) }) } },
});

export const updateCalendarRoute = defineRoute({
  operationId: 'updateCalendar',
  method: 'PATCH',
  path: '/v1/calendars/{id}',
  function: 'api-calendars',
  auth: 'jwt',
  summary: "Change a calendar's sync settings or kind",
  description: [
    '`kind` says whose calendar it is: `user` (a person), `room` or `resource`; Google resource calendars (`…@resource.calendar.google.com`) are found as rooms, and a kind set here is kept by later discoveries.',
    'A changed `syncWindow` (each side 7–365 days; an omitted side keeps its value) drops the sync cursor, so the next sync is a full listing of the new window.',
    'Turning sync off deletes the calendar\'s stored events at once (they would otherwise keep blocking free/busy), drops the cursor and drops its push channel (pushes for it are ignored until the provider lets it expire).',
    'Turning it on again queues a full sync. Repeating a request is safe.',
  ].join(' '),
  tags: ['calendars'],
  params: IdParams,
  body: UpdateCalendarBody,
  responses: { 200: { description: 'The updated calendar.', schema: CalendarView } },
});

export const listEventsRoute = defineRoute({
  operationId: 'listEvents',
  method: 'GET',
  path: '/v1/calendars/{id}/events',
  function: 'api-calendars',
  auth: 'jwt',
  summary: 'List the stored events of a calendar in a time range',
  description: [
    'Events overlapping [start, end) (at most 366 days), from the synced copy, sorted by start then id, in pages (`limit` 1–500, default 100; pass `nextCursor` back with the same query).',
    'With `expand=true` (the default) each series is expanded into its occurrences: a moved instance appears at its new time, a cancelled one not at all; each item carries `occurrenceId` and its own `start`/`end`.',
    'With `expand=false` the stored records are returned as they are: series masters with at least one instance in the range (with their `recurrence`), exceptions (cancelled ones too, they remove an instance) and single events.',
    'All-day events keep their dates and are placed in the calendar\'s time zone.',
  ].join(' '),
  tags: ['events'],
  params: IdParams,
  query: ListEventsQuery,
  responses: { 200: { description: 'A page of events.', schema: pageOf(EventItem) } },
});

export const freeBusyRoute = defineRoute({
  operationId: 'getFreeBusy',
  method: 'GET',
  path: '/v1/free-busy',
  function: 'api-calendars',
  auth: 'jwt',
  summary: 'Busy time of up to 50 calendars, for any range: the synced copy inside the sync window, the provider outside it',
  description: [
    'Counts events that block time: not cancelled, not transparent (free), not declined by the calendar\'s owner; series are expanded.',
    'Each calendar\'s range is split by its mirrored window: the part inside the sync window it last fully listed (from today\'s window start, once a full sync has completed) comes from the stored copy; the parts outside it, or all of it while the calendar has no complete copy (first sync not finished, sync off, window just changed), are asked of the provider live (Google freeBusy, Graph calendarView, CalDAV calendar-query, expanded by our recurrence code) and merged. `coverage` lists the answered parts and their `source`.',
    'A provider that cannot answer (unreachable, rate-limited, access revoked, slower than 10 s) leaves its part out of `coverage` and sets that calendar\'s `error` ({code, message, retryable}); the reply is still 200, `busy` holds what is known and `complete` is false. An unknown part is never reported as free.',
    'All-day events are whole days in `timeZone` when given, else in each calendar\'s zone (parts answered by Google\'s freeBusy place them in the calendar\'s zone). Intervals are clipped to [start, end) and merged per calendar; `busy` at the top level merges all calendars.',
    'Every calendar must be the caller\'s: an unknown id answers 404 naming it (all or nothing, unlike Google\'s per-calendar errors).',
  ].join(' '),
  tags: ['free-busy'],
  query: FreeBusyQuery,
  responses: { 200: { description: 'Busy intervals per calendar and merged.', schema: FreeBusyResponse } },
});

export const CalendarRoutes = [listCalendarsRoute, updateCalendarRoute, listEventsRoute, freeBusyRoute];
