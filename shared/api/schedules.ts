import * as z from 'zod/mini';
import { MAX_OVERRIDES, MAX_RANGES_PER_DATE, MAX_WEEKLY_RANGES, WEEKDAYS, scheduleProblems, type ScheduleContent } from '../domain/schedule.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { IdParams, PaginationQuery, pageOf } from './common.ts';

const Day = z.enum(WEEKDAYS, { error: `one of ${WEEKDAYS.join(', ')}` });
const StartTime = z.string({ error: 'a time of day HH:MM' }).check(z.meta({ description: 'Wall-clock time HH:MM (00:00–23:59) in the schedule\'s zone.', example: '09:00' }));
const EndTime = z.string({ error: 'a time of day HH:MM' }).check(z.meta({ description: 'Wall-clock time HH:MM, after start; 24:00 = the end of the day.', example: '17:00' }));
const RangeInput = z.strictObject({ start: StartTime, end: EndTime });
const WeeklyInput = z.array(z.strictObject({ day: Day, start: StartTime, end: EndTime })).check(z.maxLength(MAX_WEEKLY_RANGES));
const OverridesInput = z
  .array(
    z.strictObject({
      date: z.string({ error: 'a calendar date yyyy-mm-dd' }).check(z.meta({ example: '2027-03-29' })),
      ranges: z.array(RangeInput).check(z.maxLength(MAX_RANGES_PER_DATE)),
    }),
  )
  .check(z.maxLength(MAX_OVERRIDES));
const Name = z.string({ error: 'a name is required' }).check(z.minLength(1), z.maxLength(200));
const TimeZoneInput = z.string({ error: 'an IANA time zone such as Europe/Berlin' });

/** The domain's checks (zone, times, overlaps, dates, duplicates), each reported at its own field. */
const scheduleRules = z.superRefine<Partial<ScheduleContent>>((content, context) => {
  for (const problem of scheduleProblems(content)) context.addIssue({ code: 'custom', message: problem.message, path: problem.path, input: content });
});

export const CreateScheduleBody = z
  .strictObject({ name: Name, timeZone: TimeZoneInput, weekly: WeeklyInput, overrides: z.optional(OverridesInput) })
  .check(scheduleRules);

export const UpdateScheduleBody = z
  .strictObject({ name: z.optional(Name), timeZone: z.optional(TimeZoneInput), weekly: z.optional(WeeklyInput), overrides: z.optional(OverridesInput) })
  .check(
    z.refine((body) => Object.values(body).some((value) => value !== undefined), 'send at least one of name, timeZone, weekly, overrides'),
    scheduleRules,
  );

export const ScheduleView = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  weekly: z.array(z.object({ day: z.enum(WEEKDAYS), start: z.string(), end: z.string() })),
  overrides: z.array(z.object({ date: z.string(), ranges: z.array(z.object({ start: z.string(), end: z.string() })) })),
  createdAt: Instant,
  updatedAt: Instant,
});

const tags = ['schedules'];
const scheduleRulesText = [
  'Times are wall-clock `HH:MM` in `timeZone` (an IANA zone), so 09:00 stays 09:00 across DST; several ranges per day are allowed, touching but not overlapping; an end may be `24:00`; a range never crosses midnight (split 22:00–02:00 into 22:00–24:00 and 00:00–02:00 of the next day).',
  'An override replaces the weekday\'s ranges on its date; `ranges: []` is a day off. On a spring-forward day a range keeps only the wall times that exist (02:30–04:00 becomes 03:00–04:00); on a fall-back day repeated wall times count twice (01:00–03:00 is three real hours).',
  'Invalid content answers 400 naming the field (`body.weekly[2].end`, `body.overrides[0].date`).',
].join(' ');

export const createScheduleRoute = defineRoute({
  operationId: 'createSchedule',
  method: 'POST',
  path: '/v1/schedules',
  function: 'api-availability',
  auth: 'jwt',
  summary: 'Create a working-hours schedule',
  description: scheduleRulesText,
  tags,
  body: CreateScheduleBody,
  responses: { 201: { description: 'The schedule.', schema: ScheduleView } },
});

export const listSchedulesRoute = defineRoute({
  operationId: 'listSchedules',
  method: 'GET',
  path: '/v1/schedules',
  function: 'api-availability',
  auth: 'jwt',
  summary: "List the tenant's schedules",
  description: 'Oldest first, in pages (`limit` 1–200, default 50; pass `nextCursor` back as `cursor`).',
  tags,
  query: PaginationQuery,
  responses: { 200: { description: 'A page of schedules.', schema: pageOf(ScheduleView) } },
});

export const getScheduleRoute = defineRoute({
  operationId: 'getSchedule',
  method: 'GET',
  path: '/v1/schedules/{id}',
  function: 'api-availability',
  auth: 'jwt',
  summary: 'Get one schedule',
  tags,
  params: IdParams,
  responses: { 200: { description: 'The schedule.', schema: ScheduleView } },
});

export const updateScheduleRoute = defineRoute({
  operationId: 'updateSchedule',
  method: 'PATCH',
  path: '/v1/schedules/{id}',
  function: 'api-availability',
  auth: 'jwt',
  summary: 'Change a schedule',
  description: `Any of name, timeZone, weekly, overrides; a list sent replaces the stored one. ${scheduleRulesText}`,
  tags,
  params: IdParams,
  body: UpdateScheduleBody,
  responses: { 200: { description: 'The updated schedule.', schema: ScheduleView } },
});

export const deleteScheduleRoute = defineRoute({
  operationId: 'deleteSchedule',
  method: 'DELETE',
  path: '/v1/schedules/{id}',
  function: 'api-availability',
  auth: 'jwt',
  summary: 'Delete a schedule',
  description: 'Queries naming it afterwards answer 404.',
  tags,
  params: IdParams,
  responses: { 204: { description: 'Deleted.' } },
});

export const ScheduleRoutes = [createScheduleRoute, listSchedulesRoute, getScheduleRoute, updateScheduleRoute, deleteScheduleRoute];
