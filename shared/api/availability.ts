import * as z from 'zod/mini';
import { isValidTimeZone } from '../domain/time-zone.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { ResourceId } from './common.ts';

const DAY_MS = 86_400_000;
/** The longest range one availability query may span, and how many participants it may name. */
export const MAX_AVAILABILITY_DAYS = 90;
export const MAX_PARTICIPANTS = 50;
export const MAX_GROUP_MEMBERS = 50;
export const MAX_CALENDARS_PER_PARTICIPANT = 20;
/** Distinct calendars across one query (participants and group members together). */
export const MAX_CALENDARS_PER_QUERY = 200;
export const MAX_SLOT_RESULTS = 1000;
export const DEFAULT_SLOT_RESULTS = 100;
export const MAX_ALTERNATIVES = 20;
export const DEFAULT_ALTERNATIVES = 3;
/** Alternatives are looked for this far before and after the proposed time. */
export const ALTERNATIVES_HORIZON_DAYS = 14;
export const DEFAULT_CONFLICT_INTERVAL_MINUTES = 15;

const InstantBody = z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2026-11-01T09:00:00Z' });
const Minutes = (min: number, max: number) => z.int({ error: `whole minutes from ${min} to ${max}` }).check(z.gte(min, `from ${min} to ${max}`), z.lte(max, `from ${min} to ${max}`));
const TimeZoneField = z.string().check(z.refine(isValidTimeZone, 'an IANA time zone such as Europe/Berlin'));
const CalendarIds = z.array(ResourceId).check(z.minLength(1, 'at least one calendar id'), z.maxLength(MAX_CALENDARS_PER_PARTICIPANT, `at most ${MAX_CALENDARS_PER_PARTICIPANT} calendars`));

const GroupMember = z.strictObject({ calendarIds: CalendarIds, scheduleId: z.optional(ResourceId) });

/**
 * A participant is a person (calendars, optional schedule, required unless `required: false`) or a group
 * (`group`: members of which `required` — a count, default 1, or "all" — must be free, e.g. one of three
 * rooms). One object shape with the consistency checked after, so each mistake is reported at its field.
 */
const ParticipantInput = z.strictObject({
  calendarIds: z.optional(CalendarIds),
  scheduleId: z.optional(ResourceId),
  required: z.optional(z.union([z.boolean(), z.literal('all'), z.int().check(z.gte(1))], { error: 'true or false for a person; "all" or a count for a group' })),
  group: z.optional(z.array(GroupMember).check(z.minLength(1, 'at least one member'), z.maxLength(MAX_GROUP_MEMBERS, `at most ${MAX_GROUP_MEMBERS} members`))),
});
export type ParticipantInput = z.infer<typeof ParticipantInput>;

interface RangeBody {
  start: string;
  end: string;
}

function checkRange(body: RangeBody, maxMs: number, maxText: string, addIssue: (path: string, message: string) => void): void {
  const span = Date.parse(body.end) - Date.parse(body.start);
  if (!(span > 0)) addIssue('end', 'must be after start');
  else if (span > maxMs) addIssue('end', maxText);
}

export const AvailabilityBody = z
  .strictObject({
    participants: z.array(ParticipantInput).check(z.minLength(1, 'at least one participant'), z.maxLength(MAX_PARTICIPANTS, `at most ${MAX_PARTICIPANTS} participants`)),
    mode: z.optional(z.enum(['collective', 'round_robin'], { error: 'collective or round_robin' })),
    start: InstantBody,
    end: InstantBody,
    durationMinutes: Minutes(1, 1440),
    intervalMinutes: z.optional(Minutes(1, 1440)),
    bufferBeforeMinutes: z.optional(Minutes(0, 1440)),
    bufferAfterMinutes: z.optional(Minutes(0, 1440)),
    minimumNoticeMinutes: z.optional(Minutes(0, 366 * 1440)),
    maxResults: z.optional(z.int().check(z.gte(1, `from 1 to ${MAX_SLOT_RESULTS}`), z.lte(MAX_SLOT_RESULTS, `from 1 to ${MAX_SLOT_RESULTS}`))),
    timeZone: z.optional(TimeZoneField),
  })
  .check(
    z.superRefine((body, context) => {
      const add = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', message, path, input: body });
      checkRange(body, MAX_AVAILABILITY_DAYS * DAY_MS, `the range may span at most ${MAX_AVAILABILITY_DAYS} days`, (path, message) => add([path], message));
      let deciding = 0;
      const calendars = new Set<string>();
      body.participants.forEach((participant, index) => {
        if (participant.group) {
          if (participant.calendarIds) add(['participants', index, 'calendarIds'], 'a group lists its calendars per member');
          if (participant.scheduleId) add(['participants', index, 'scheduleId'], 'a group names schedules per member');
          const required = participant.required ?? 1;
          if (typeof required === 'boolean') add(['participants', index, 'required'], 'a group needs "all" or a count of members');
          else if (typeof required === 'number' && required > participant.group.length) add(['participants', index, 'required'], `the group has only ${participant.group.length} members`);
          for (const member of participant.group) for (const id of member.calendarIds) calendars.add(id);
          deciding += 1;
          return;
        }
        if (!participant.calendarIds) add(['participants', index, 'calendarIds'], 'a participant needs calendarIds (or a group)');
        if (participant.required !== undefined && typeof participant.required !== 'boolean') add(['participants', index, 'required'], 'true or false for a person ("all" or a count only for a group)');
        if (participant.required !== false) deciding += 1;
        for (const id of participant.calendarIds ?? []) calendars.add(id);
      });
      if (deciding === 0 && body.participants.length > 0) add(['participants'], 'at least one participant must be required (or a group)');
      if (calendars.size > MAX_CALENDARS_PER_QUERY) add(['participants'], `at most ${MAX_CALENDARS_PER_QUERY} distinct calendars per query`);
      if (Date.parse(body.end) - Date.parse(body.start) > 0 && body.durationMinutes * 60_000 > Date.parse(body.end) - Date.parse(body.start)) {
        add(['durationMinutes'], 'longer than the range from start to end');
      }
    }),
  );
export type AvailabilityBody = z.infer<typeof AvailabilityBody>;

export const ConflictsBody = z
  .strictObject({
    calendarIds: z.array(ResourceId).check(z.minLength(1, 'at least one calendar id'), z.maxLength(50, 'at most 50 calendars')),
    start: InstantBody,
    end: InstantBody,
    bufferBeforeMinutes: z.optional(Minutes(0, 1440)),
    bufferAfterMinutes: z.optional(Minutes(0, 1440)),
    scheduleId: z.optional(ResourceId),
    alternatives: z.optional(z.int().check(z.gte(0, `from 0 to ${MAX_ALTERNATIVES}`), z.lte(MAX_ALTERNATIVES, `from 0 to ${MAX_ALTERNATIVES}`))),
    intervalMinutes: z.optional(Minutes(1, 1440)),
    timeZone: z.optional(TimeZoneField),
  })
  .check(
    z.superRefine((body, context) => {
      checkRange(body, DAY_MS, 'a proposed time may last at most 24 hours', (path, message) => context.addIssue({ code: 'custom', message, path: [path], input: body }));
    }),
  );
export type ConflictsBody = z.infer<typeof ConflictsBody>;

const Coverage = z.object({ start: Instant, end: Instant, source: z.enum(['store', 'provider']) });
const CalendarError = z.nullable(z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }));

export const BusySourceView = z.object({
  calendarId: z.string(),
  /** Participant indexes (availability) this calendar belongs to. */
  participants: z.optional(z.array(z.int())),
  /** Where each part of the searched range was answered from; a part missing here was unknown and counted as busy. */
  coverage: z.array(Coverage),
  /** Why busy time of (part of) the range is unknown: those times are never offered as free. */
  error: CalendarError,
});

export const AvailabilityResponse = z.object({
  slots: z.array(
    z.object({
      start: Instant,
      end: Instant,
      /** Indexes (into the query's participants) of those free for the slot. */
      participants: z.array(z.int()),
      /** Groups only: for each group's index, the indexes of its free members. */
      members: z.optional(z.record(z.string(), z.array(z.int()))),
    }),
  ),
  /** The zone the slot grid was aligned in. */
  timeZone: z.string(),
  calendars: z.array(BusySourceView),
});

export const ConflictsResponse = z.object({
  conflicts: z.array(
    z.object({
      calendarId: z.string(),
      /** The stored event's id, as the expanded events listing shows it; null when only busy time is known. */
      eventId: z.nullable(z.string()),
      /** Instances of a series: as in the expanded events listing. */
      occurrenceId: z.optional(z.string()),
      title: z.nullable(z.string()),
      start: Instant,
      end: Instant,
      /** True when the calendar's busy time for this part is unknown (see `calendars[].error`). */
      unknown: z.optional(z.boolean()),
    }),
  ),
  /** Whether the proposed time leaves the schedule's working hours (false without `scheduleId`). */
  outsideWorkingHours: z.boolean(),
  alternatives: z.array(z.object({ start: Instant, end: Instant })),
  timeZone: z.string(),
  calendars: z.array(BusySourceView),
});

const tags = ['availability'];

export const availabilityRoute = defineRoute({
  operationId: 'findAvailability',
  method: 'POST',
  path: '/v1/availability',
  function: 'api-availability',
  auth: 'jwt',
  summary: 'Slots when participants (people, rooms) are free',
  description: [
    'Busy time comes from the synced store (series expanded; cancelled instances, transparent events and invitations the calendar\'s owner declined never block; all-day events block whole days in the participant\'s schedule zone, else the calendar\'s zone).',
    'A participant is free for a slot when the slot lies inside its schedule (if it names one) and its busy time stays `bufferBeforeMinutes` before and `bufferAfterMinutes` after the slot. A calendar whose busy time is unknown (see `calendars[].error`) makes its participant unavailable there, never free.',
    '`collective` (default): every required participant free; optional ones (`required: false`) are listed when free. `round_robin`: any one required participant free; the slot names who.',
    'A group `{ group: [{ calendarIds, scheduleId? }, …], required: 1 | n | "all" }` (default 1) must be satisfied in both modes, e.g. one of these rooms; `members` names its free members.',
    'Starts are aligned to `intervalMinutes` (default `durationMinutes`) counted from local midnight in `timeZone` (default: the first named schedule\'s zone, else UTC), at least `minimumNoticeMinutes` from now; at most `maxResults` (default 100, up to 1000) in time order.',
    `The range may span ${MAX_AVAILABILITY_DAYS} days, with up to ${MAX_PARTICIPANTS} participants and ${MAX_CALENDARS_PER_QUERY} distinct calendars. Calendars and schedules of another tenant are 404, naming the field.`,
  ].join(' '),
  tags,
  body: AvailabilityBody,
  responses: { 200: { description: 'The slots, and where busy time came from per calendar.', schema: AvailabilityResponse } },
});

export const conflictsRoute = defineRoute({
  operationId: 'checkConflicts',
  method: 'POST',
  path: '/v1/conflicts',
  function: 'api-availability',
  auth: 'jwt',
  summary: 'Conflicts of a proposed time, and free alternatives',
  description: [
    'The events of the calendars that overlap the proposed time widened by its buffers (same busy rules as availability), whether it leaves the schedule\'s working hours, and `alternatives` (default 3, up to 20): the free slots of the same length nearest to it, before and after, listed in time order.',
    `Alternatives start on a grid of \`intervalMinutes\` (default ${DEFAULT_CONFLICT_INTERVAL_MINUTES}) from local midnight in \`timeZone\` (default: the schedule's zone, else UTC), not before now, within ${ALTERNATIVES_HORIZON_DAYS} days of the proposed time, inside the schedule when one is named, with the buffers clear.`,
  ].join(' '),
  tags,
  body: ConflictsBody,
  responses: { 200: { description: 'Conflicts and alternatives.', schema: ConflictsResponse } },
});

export const AvailabilityRoutes = [availabilityRoute, conflictsRoute];
