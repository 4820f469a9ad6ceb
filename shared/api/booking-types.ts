import * as z from 'zod/mini';
import { isValidTimeZone } from '../domain/time-zone.ts';
import {
  ASSIGNMENTS,
  CONFERENCES,
  MAX_CALENDARS_PER_HOST,
  MAX_HOSTS,
  MAX_REMINDERS,
  MAX_ROOMS,
  REMINDER_AUDIENCES,
  REMINDER_CHANNELS,
  bookingTypeProblems,
  type BookingTypeContent,
} from '../domain/booking-type.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { IdParams, PaginationQuery, pageOf } from './common.ts';

const Minutes = z.int({ error: 'a whole number of minutes' });
const CalendarIdInput = z.string({ error: 'a calendar id' }).check(z.minLength(1), z.maxLength(200));
const HostInput = z.strictObject({
  calendarIds: z.array(CalendarIdInput).check(z.maxLength(MAX_CALENDARS_PER_HOST)),
  scheduleId: z.string({ error: 'a schedule id' }).check(z.minLength(1), z.maxLength(200)),
  writeCalendarId: CalendarIdInput,
  weight: z.optional(z.number({ error: 'a positive number' })),
  priority: z.optional(z.int({ error: 'a whole number 0–100' })),
  video: z.optional(z.strictObject({ connectionId: z.string().check(z.minLength(1), z.maxLength(200)), userId: z.optional(z.string().check(z.maxLength(200))) })),
});
const ReminderInput = z.strictObject({
  minutesBefore: Minutes,
  channels: z.array(z.enum(REMINDER_CHANNELS, { error: `one of ${REMINDER_CHANNELS.join(', ')}` })).check(z.maxLength(REMINDER_CHANNELS.length)),
  to: z.enum(REMINDER_AUDIENCES, { error: `one of ${REMINDER_AUDIENCES.join(', ')}` }),
});

const fields = {
  name: z.string({ error: 'a name is required' }).check(z.minLength(1), z.maxLength(200)),
  description: z.optional(z.string().check(z.maxLength(2000))),
  durationMinutes: Minutes,
  slotIntervalMinutes: z.optional(Minutes),
  bufferBeforeMinutes: z.optional(Minutes),
  bufferAfterMinutes: z.optional(Minutes),
  minimumNoticeMinutes: z.optional(Minutes),
  horizonDays: z.optional(z.int({ error: 'a whole number of days' })),
  dailyLimit: z.optional(z.int({ error: 'a whole number' })),
  weeklyLimit: z.optional(z.int({ error: 'a whole number' })),
  assignment: z.enum(ASSIGNMENTS, { error: `one of ${ASSIGNMENTS.join(', ')}` }),
  hosts: z.array(HostInput).check(z.maxLength(MAX_HOSTS)),
  rooms: z.optional(z.array(z.strictObject({ calendarId: CalendarIdInput })).check(z.maxLength(MAX_ROOMS))),
  conference: z.optional(z.enum(CONFERENCES, { error: `one of ${CONFERENCES.join(', ')}` })),
  reminders: z.optional(z.array(ReminderInput).check(z.maxLength(MAX_REMINDERS))),
  recurrence: z.optional(z.strictObject({ allowed: z.boolean(), maxOccurrences: z.int({ error: 'a whole number' }) })),
  public: z.optional(z.boolean()),
};

const bookingTypeRules = z.superRefine<Partial<BookingTypeContent>>((content, context) => {
  for (const problem of bookingTypeProblems(content)) context.addIssue({ code: 'custom', message: problem.message, path: problem.path, input: content });
});

export const CreateBookingTypeBody = z.strictObject(fields).check(bookingTypeRules);
export const UpdateBookingTypeBody = z
  .strictObject(z.partial(z.strictObject(fields)).shape)
  .check(
    z.refine((body) => Object.values(body).some((value) => value !== undefined), 'send at least one field'),
    bookingTypeRules,
  );

export const BookingTypeView = z.object({
  ...z.partial(z.object(fields)).shape,
  id: z.string(),
  name: z.string(),
  durationMinutes: z.int(),
  assignment: z.enum(ASSIGNMENTS),
  hosts: z.array(HostInput),
  publicId: z.optional(z.string()),
  createdAt: Instant,
  updatedAt: Instant,
});

const tags = ['booking-types'];
const rulesText = [
  'Duration and slot interval are multiples of 5 minutes (the interval defaults to the duration); buffers 0–240 minutes; `horizonDays` 1–730 (default 60).',
  '`dailyLimit`/`weeklyLimit` count confirmed bookings (each occurrence of a series on its own day) per host, in a day and an ISO week of the host\'s schedule zone; the slot lists leave out times the limits have filled, and booking and reschedule refuse them (409).',
  '`assignment: collective` needs every host free; `round_robin` picks one free host (furthest below its weighted share this month, then priority, then least recently booked).',
  'Each host\'s `writeCalendarId` is one of its `calendarIds`; with `rooms`, each booking takes one free room. `conference` and `reminders` are copied onto every booking.',
  'Invalid content answers 400 naming the field (`body.hosts[0].writeCalendarId`).',
].join(' ');

export const createBookingTypeRoute = defineRoute({
  operationId: 'createBookingType',
  method: 'POST',
  path: '/v1/booking-types',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Create a booking type',
  description: rulesText,
  tags,
  body: CreateBookingTypeBody,
  responses: { 201: { description: 'The booking type.', schema: BookingTypeView } },
});

export const listBookingTypesRoute = defineRoute({
  operationId: 'listBookingTypes',
  method: 'GET',
  path: '/v1/booking-types',
  function: 'api-bookings',
  auth: 'jwt',
  summary: "List the tenant's booking types",
  description: 'Oldest first, in pages (`limit` 1–200, default 50; pass `nextCursor` back as `cursor`).',
  tags,
  query: PaginationQuery,
  responses: { 200: { description: 'A page of booking types.', schema: pageOf(BookingTypeView) } },
});

export const getBookingTypeRoute = defineRoute({
  operationId: 'getBookingType',
  method: 'GET',
  path: '/v1/booking-types/{id}',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Get one booking type',
  tags,
  params: IdParams,
  responses: { 200: { description: 'The booking type.', schema: BookingTypeView } },
});

export const updateBookingTypeRoute = defineRoute({
  operationId: 'updateBookingType',
  method: 'PATCH',
  path: '/v1/booking-types/{id}',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Change a booking type',
  description: `Any field; a list sent replaces the stored one; the result must still hold together. Existing bookings keep what they were made with. ${rulesText}`,
  tags,
  params: IdParams,
  body: UpdateBookingTypeBody,
  responses: { 200: { description: 'The updated booking type.', schema: BookingTypeView } },
});

export const deleteBookingTypeRoute = defineRoute({
  operationId: 'deleteBookingType',
  method: 'DELETE',
  path: '/v1/booking-types/{id}',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Delete a booking type',
  description: 'Its slots and new bookings answer 404 afterwards; existing bookings stay.',
  tags,
  params: IdParams,
  responses: { 204: { description: 'Deleted.' } },
});


export const BookingTypeSlotsQuery = z.object({
  start: z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2027-01-04T09:00:00Z' }),
  end: z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2027-01-05T09:00:00Z' }),
  timeZone: z.optional(z.string().check(z.maxLength(64), z.refine(isValidTimeZone, 'an IANA time zone such as Europe/Berlin'))),
});

export const bookingTypeSlotsRoute = defineRoute({
  operationId: 'listBookingTypeSlots',
  method: 'GET',
  path: '/v1/booking-types/{id}/slots',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Free slots of a booking type',
  description:
    'Slots on the booking type\'s grid (in `timeZone`, default UTC) where its hosts are free (collective: all; round-robin: at least one) and, with rooms, at least one room; buffers, minimum notice and the horizon applied (the range is clipped to now … now + horizonDays). At most 2,000 slots.',
  tags,
  params: IdParams,
  query: BookingTypeSlotsQuery,
  responses: { 200: { description: 'The free slots.', schema: z.object({ slots: z.array(z.object({ start: z.string(), end: z.string() })), timeZone: z.string() }) } },
});

export const BookingTypeRoutes = [createBookingTypeRoute, listBookingTypesRoute, getBookingTypeRoute, updateBookingTypeRoute, deleteBookingTypeRoute, bookingTypeSlotsRoute];
