import * as z from 'zod/mini';
import { BookingView, OCCURRENCE_SCOPES } from '../domain/booking.ts';
import { isValidTimeZone } from '../domain/time-zone.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { CursorQuery, IdParams, intQuery, pageOf, ResourceId } from './common.ts';

const Instant = z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2027-01-04T09:00:00Z' });
// Invitee fields reach provider events and e-mails: bounded, no control characters (no header injection).
const hasNoControlCharacters = (text: string) => ![...text].some((char) => (char < ' ' && char !== '\t') || char === '\u007f');
const Text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max), z.refine(hasNoControlCharacters, 'no control characters or line breaks'));

export const InviteeInput = z.strictObject({
  name: Text(200),
  email: z.email('an e-mail address').check(z.maxLength(254)),
  timeZone: z.string().check(z.maxLength(64), z.refine(isValidTimeZone, 'an IANA time zone such as Europe/Berlin')),
  phone: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +14155550100'))),
  /** How the invitee's notifications are written (BCP 47; texts exist for en and de, others fall back to English). */
  locale: z.optional(z.string().check(z.maxLength(35), z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 locale such as de-DE'))),
});

export const CreateBookingBody = z.strictObject({
  bookingTypeId: ResourceId,
  start: Instant,
  invitee: InviteeInput,
  notes: z.optional(z.string().check(z.maxLength(5000))),
  recurrence: z.optional(z.strictObject({ rrule: z.string().check(z.minLength(1), z.maxLength(200)) })),
});

// One occurrence of a recurring booking is named by its `originalStart` (as the booking's `occurrences` show it).
const OccurrenceInput = z.optional(z.iso.datetime({ offset: true, error: "an RFC 3339 instant: one of the booking's occurrences' originalStart" }));
const ScopeInput = z.optional(z.enum(OCCURRENCE_SCOPES, { error: 'instance, following or series' }));
/** Just the new start: a single booking (the public manage page moves one, and public bookings do not recur). */
export const RescheduleBookingBody = z.strictObject({ start: Instant });
export const RescheduleBookingOccurrenceBody = z.strictObject({ start: Instant, occurrence: OccurrenceInput, scope: ScopeInput });
export const CancelBookingBody = z.strictObject({ reason: z.optional(z.string().check(z.maxLength(1000))), occurrence: OccurrenceInput, scope: ScopeInput });

export const ListBookingsQuery = z.object({
  start: z.optional(Instant),
  end: z.optional(Instant),
  status: z.optional(z.enum(['confirmed', 'cancelled'], { error: 'confirmed or cancelled' })),
  bookingTypeId: z.optional(ResourceId),
  cursor: CursorQuery,
  limit: intQuery(1, 200, 50),
});

const tags = ['bookings'];
const Problem409 = { description: '`booking.slot_unavailable`: the time is taken or no longer free; `alternatives` lists nearby free slots, `conflicts` the occurrences that collided.' };

export const createBookingRoute = defineRoute({
  operationId: 'createBooking',
  method: 'POST',
  path: '/v1/bookings',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Book a slot of a booking type',
  description: [
    'The time is re-checked against the store and live at the provider for every host and the room, claimed atomically (of concurrent requests for overlapping times of one host or room exactly one wins), and written as a provider event on the host\'s write calendar with the invitee, the other hosts and the room as attendees.',
    'A recurring booking (`recurrence.rrule`, e.g. `FREQ=WEEKLY;COUNT=6`, when the booking type allows it) checks and claims every occurrence.',
    'An `Idempotency-Key` makes the request safe to repeat: the same key is the same booking and the same provider event.',
    '400 names the field: `body.start` in the past, before the minimum notice, beyond the horizon or not on the slot grid; `body.bookingTypeId` unknown.',
  ].join(' '),
  tags,
  body: CreateBookingBody,
  responses: { 201: { description: 'The booking.', schema: BookingView }, 409: Problem409 },
});

export const listBookingsRoute = defineRoute({
  operationId: 'listBookings',
  method: 'GET',
  path: '/v1/bookings',
  function: 'api-bookings',
  auth: 'jwt',
  summary: "List the tenant's bookings",
  description: 'Oldest first; `start`/`end` keep bookings overlapping the range; filter by `status` and `bookingTypeId`; pages of `limit` (default 50).',
  tags,
  query: ListBookingsQuery,
  responses: { 200: { description: 'A page of bookings.', schema: pageOf(BookingView) } },
});

export const getBookingRoute = defineRoute({
  operationId: 'getBooking',
  method: 'GET',
  path: '/v1/bookings/{id}',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Get one booking',
  tags,
  params: IdParams,
  responses: { 200: { description: 'The booking.', schema: BookingView } },
});

export const rescheduleBookingRoute = defineRoute({
  operationId: 'rescheduleBooking',
  method: 'POST',
  path: '/v1/bookings/{id}/reschedule',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Move a booking to another slot',
  description: 'The same booking (same id, host and room) at the new time: checked like a new booking, the new time claimed before the old one is freed, the provider event moved (not recreated); booking.rescheduled carries the previous times. A recurring booking moves at one `occurrence` (its `originalStart`): `scope` `instance` (the default with an occurrence) moves just it, `following` it and every later one (the provider series is split there), `series` (the default without one) every occurrence by the same shift; the event carries `occurrence` and `scope`. 400 on `body.occurrence` when it is not one of the booking occurrences, or missing for `instance`/`following`.',
  tags,
  params: IdParams,
  body: RescheduleBookingOccurrenceBody,
  responses: { 200: { description: 'The booking at its new time.', schema: BookingView }, 409: Problem409 },
});

export const cancelBookingRoute = defineRoute({
  operationId: 'cancelBooking',
  method: 'POST',
  path: '/v1/bookings/{id}/cancel',
  function: 'api-bookings',
  auth: 'jwt',
  summary: 'Cancel a booking',
  description: 'The provider event is deleted (the provider notifies the attendees), the time is freed and booking.cancelled is announced. Cancelling again answers the cancelled booking. A recurring booking can be cancelled at one `occurrence` (its `originalStart`): `scope` `instance` (the default with an occurrence) cancels just it, `following` it and every later one (the provider series ends before it), `series` (the default without one) all; the booking stays `confirmed` while any occurrence is. 400 on `body.occurrence` when it is not one of the booking occurrences, or missing for `instance`/`following`.',
  tags,
  params: IdParams,
  body: CancelBookingBody,
  responses: { 200: { description: 'The cancelled booking.', schema: BookingView } },
});

export const BookingRoutes = [createBookingRoute, listBookingsRoute, getBookingRoute, rescheduleBookingRoute, cancelBookingRoute];
