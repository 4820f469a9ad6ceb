import * as z from 'zod/mini';
import { MAX_MANAGE_TOKEN_LENGTH } from '../domain/manage-token.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { BookingTypeSlotsQuery } from './booking-types.ts';
import { InviteeInput, RescheduleBookingBody } from './bookings.ts';
import { IdParams } from './common.ts';

/**
 * Public booking pages (scheduling.md §2 "Public"): no JWT. A booking type with `public: true` is reached
 * by its unguessable `publicId`; a booking made here is managed with the signed `manageToken` of its reply.
 * Every route is throttled by API Gateway (below) and by token buckets per client address and per booking
 * type (429 with Retry-After). Replies carry no host data: no calendar ids, no event titles, no other
 * bookings; a busy time is simply not among the slots.
 */
const tags = ['public'];

/** Per route, for all callers together: a ceiling under the stage default so the public door cannot starve the API. */
export const PUBLIC_ROUTE_THROTTLE = { rateLimit: 20, burstLimit: 40 };

const PublicId = z.string().check(z.regex(/^pub_[A-Za-z0-9_-]{22}$/, 'a public booking page id such as pub_3q2-7wYh0PqkX_5sM1rZ4A'));
const PublicIdParams = z.object({ publicId: PublicId });
const TokenQuery = z.object({ token: z.string({ error: 'the manage token from the booking\'s reply' }).check(z.minLength(1), z.maxLength(MAX_MANAGE_TOKEN_LENGTH)) });
const Instant = z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2027-01-04T09:00:00Z' });

export const PublicBookingBody = z.strictObject({
  start: Instant,
  invitee: InviteeInput,
  notes: z.optional(z.string().check(z.maxLength(2000))),
});
export const PublicCancelBody = z.strictObject({ reason: z.optional(z.string().check(z.maxLength(500))) });

export const PublicBookingTypeView = z.object({
  publicId: z.string(),
  name: z.string(),
  description: z.optional(z.string()),
  durationMinutes: z.int(),
});

export const PublicBookingView = z.object({
  id: z.string(),
  status: z.enum(['confirmed', 'cancelled']),
  start: z.string(),
  end: z.string(),
  bookingType: z.object({ publicId: z.nullable(z.string()), name: z.string(), durationMinutes: z.int() }),
  invitee: z.object({ name: z.string(), email: z.string(), timeZone: z.string(), phone: z.optional(z.string()) }),
  notes: z.optional(z.string()),
  conference: z.object({ provider: z.string(), joinUrl: z.nullable(z.string()) }),
});
export const PublicBookingWithToken = z.extend(PublicBookingView, { manageToken: z.string(), manageTokenExpiresAt: z.string() });

const limited = { 429: { description: 'Over the limit of this client address or this booking page: wait the `Retry-After` seconds.', contentType: 'application/problem+json' } };
const tokenErrors = {
  401: { description: 'The manage token is genuine but expired (the booking has ended).', contentType: 'application/problem+json' },
  404: { description: 'No such booking, or the token is not this booking\'s (the two are not told apart).', contentType: 'application/problem+json' },
};
const common = { function: 'api-public', auth: 'none', tags, throttle: PUBLIC_ROUTE_THROTTLE } as const;

export const getPublicBookingTypeRoute = defineRoute({
  ...common,
  operationId: 'getPublicBookingType',
  method: 'GET',
  path: '/v1/public/booking-types/{publicId}',
  summary: 'A public booking page: name, duration, description',
  description: 'No host data. 404 when there is no such page or the booking type is no longer public.',
  params: PublicIdParams,
  responses: { 200: { description: 'The booking page.', schema: PublicBookingTypeView }, ...limited },
});

export const listPublicSlotsRoute = defineRoute({
  ...common,
  operationId: 'listPublicSlots',
  method: 'GET',
  path: '/v1/public/booking-types/{publicId}/slots',
  summary: 'Free slots of a public booking page',
  description: 'The same slots as `GET /v1/booking-types/{id}/slots`; only `start` and `end` of free slots (busy time is simply absent).',
  params: PublicIdParams,
  query: BookingTypeSlotsQuery,
  responses: { 200: { description: 'The free slots.', schema: z.object({ slots: z.array(z.object({ start: z.string(), end: z.string() })), timeZone: z.string() }) }, ...limited },
});

export const createPublicBookingRoute = defineRoute({
  ...common,
  operationId: 'createPublicBooking',
  method: 'POST',
  path: '/v1/public/booking-types/{publicId}/bookings',
  summary: 'Book a slot of a public booking page',
  description: [
    'Checked, claimed and written at the host\'s calendar exactly like `POST /v1/bookings`; 409 `booking.slot_unavailable` with `alternatives` when taken.',
    'The reply\'s `manageToken` opens `/v1/public/bookings/{id}?token=…` (view, reschedule, cancel) until the booking ends; keep it, it is not shown again.',
    'Invitee fields are validated and capped (name 200, email 254, notes 2000 characters; 400 names the field). An `Idempotency-Key` makes a repeat of the same request (same start, invitee and notes) the same booking; with another request it is just another booking.',
  ].join(' '),
  params: PublicIdParams,
  body: PublicBookingBody,
  responses: { 201: { description: 'The booking with its manage token.', schema: PublicBookingWithToken }, 409: { description: '`booking.slot_unavailable`, with `alternatives`.' }, ...limited },
});

export const getPublicBookingRoute = defineRoute({
  ...common,
  operationId: 'getPublicBooking',
  method: 'GET',
  path: '/v1/public/bookings/{id}',
  summary: 'The invitee\'s booking, by its manage token',
  params: IdParams,
  query: TokenQuery,
  responses: { 200: { description: 'The booking.', schema: PublicBookingView }, ...tokenErrors, ...limited },
});

export const reschedulePublicBookingRoute = defineRoute({
  ...common,
  operationId: 'reschedulePublicBooking',
  method: 'POST',
  path: '/v1/public/bookings/{id}/reschedule',
  summary: 'Move the invitee\'s booking to another slot',
  description: 'As `POST /v1/bookings/{id}/reschedule` (same booking, the calendar event moved). The reply carries a fresh manage token valid until the new end.',
  params: IdParams,
  query: TokenQuery,
  body: RescheduleBookingBody,
  responses: { 200: { description: 'The booking at its new time, with a fresh manage token.', schema: PublicBookingWithToken }, 409: { description: '`booking.slot_unavailable`, with `alternatives`.' }, ...tokenErrors, ...limited },
});

export const cancelPublicBookingRoute = defineRoute({
  ...common,
  operationId: 'cancelPublicBooking',
  method: 'POST',
  path: '/v1/public/bookings/{id}/cancel',
  summary: 'Cancel the invitee\'s booking',
  description: 'As `POST /v1/bookings/{id}/cancel`: the calendar event is deleted and the host told by their provider. Cancelling again answers the cancelled booking.',
  params: IdParams,
  query: TokenQuery,
  body: PublicCancelBody,
  responses: { 200: { description: 'The cancelled booking.', schema: PublicBookingView }, ...tokenErrors, ...limited },
});

export const PublicRoutes = [getPublicBookingTypeRoute, listPublicSlotsRoute, createPublicBookingRoute, getPublicBookingRoute, reschedulePublicBookingRoute, cancelPublicBookingRoute];
