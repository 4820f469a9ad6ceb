import { createHash } from 'node:crypto';
import { AppError, isAppError, notFound } from '../../domain/app-error.ts';
import { canonicalJson } from '../../domain/content-hash.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import type { BookingView } from '../../domain/booking.ts';
import { signManageToken, verifyManageToken } from '../../domain/manage-token.ts';
import type { BucketLimit } from '../../domain/token-bucket.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { BookingTypeStore } from '../../ports/booking-type-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import type { SigningKeys } from '../../ports/signing-keys.ts';
import type { BookingDeps } from '../bookings/booking-rules.ts';
import { bookingTypeSlots, type BookingTypeSlotsDeps } from '../bookings/booking-type-slots.ts';
import { cancelBooking } from '../bookings/cancel-booking.ts';
import { createBooking, type BookingInvitee } from '../bookings/create-booking.ts';
import { rescheduleBooking } from '../bookings/reschedule-booking.ts';

/**
 * Public booking pages (scheduling.md §2 "Public"): an invitee without a tenant JWT books a booking type
 * marked `public: true` through its unguessable `publicId`, and manages the booking with the signed manage
 * token the booking's reply carries. The work is the tenant API's own use-cases (the same slot search,
 * claims and provider writes); what is public here is the door: abuse limits before any lookup, and replies
 * reduced to what the invitee may see — never host calendar ids, event titles or other bookings' data.
 */
export interface PublicLimits {
  perClient: BucketLimit;
  perBookingType: BucketLimit;
}

export interface PublicBookingDeps {
  bookingTypes: Pick<BookingTypeStore, 'findByPublicId' | 'get'>;
  bookings: Pick<BookingStore, 'get'>;
  limiter: RateLimiter;
  signingKeys: SigningKeys;
  clock: Clock;
  limits: PublicLimits;
  /** Built on first use: only the routes that search slots or write bookings need the provider side. */
  slotDeps: () => BookingTypeSlotsDeps;
  bookingDeps: () => BookingDeps;
}

/** What a public page shows of a booking type: no hosts, calendars, rooms, limits or reminders. */
export interface PublicBookingTypeView {
  publicId: string;
  name: string;
  description?: string;
  durationMinutes: number;
}

/** The invitee's own booking: times, their own details, the join link; nothing of the host's calendars. */
export interface PublicBookingView {
  id: string;
  status: BookingView['status'];
  start: string;
  end: string;
  bookingType: { publicId: string | null; name: string; durationMinutes: number };
  invitee: BookingInvitee;
  notes?: string;
  conference: BookingView['conference'];
}

export interface PublicBookingWithToken extends PublicBookingView {
  /** For `/v1/public/bookings/{id}?token=`: valid for this booking until it ends. */
  manageToken: string;
  manageTokenExpiresAt: string;
}

/** The errors a public caller may see as they are; anything else is told without internals. */
const SHOWN_AS_IS = new Set(['input.invalid', 'booking.slot_unavailable', 'resource.not_found', 'auth.unauthenticated', 'request.rate_limited', 'idempotency.key_reused', 'idempotency.in_progress']);

/**
 * Messages of the tenant-side errors can name connections or calendars (a reauth-needed connection, a
 * provider refusal): a public caller gets the code and a plain sentence instead.
 */
export function publicFacingError(error: unknown): unknown {
  if (!isAppError(error) || SHOWN_AS_IS.has(error.code)) return error;
  if (error.code === 'internal.unexpected' || error.code === 'config.invalid') return error;
  if (error.code === 'resource.conflict') return new AppError('resource.conflict', 'This booking cannot be changed now (it is cancelled, or the host has to reconnect their calendar).', { retryable: false });
  return new AppError(error.code, 'The host\'s calendar cannot take bookings right now; try again later.', {
    retryable: error.retryable,
    ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}),
  });
}

async function takeOrRefuse(deps: PublicBookingDeps, bucket: string, limit: BucketLimit, what: string): Promise<void> {
  const decision = await deps.limiter.take(bucket, limit, deps.clock.now().getTime());
  if (!decision.allowed) {
    throw new AppError('request.rate_limited', `Too many requests ${what}; retry after the time given in Retry-After`, { retryable: true, retryAfterMs: Math.max(1000, decision.retryAfterMs) });
  }
}

/** Before any lookup: a client scanning public ids or booking ids spends its own budget. */
export function admitClient(deps: PublicBookingDeps, clientIp: string): Promise<void> {
  return takeOrRefuse(deps, `ip:${clientIp || 'unknown'}`, deps.limits.perClient, 'from this address');
}

/** After the lookup: many addresses together cannot flood one host's page. */
function admitBookingType(deps: PublicBookingDeps, bookingType: Pick<BookingType, 'tenantId' | 'id'>): Promise<void> {
  return takeOrRefuse(deps, `type:${bookingType.tenantId}/${bookingType.id}`, deps.limits.perBookingType, 'for this booking page');
}

async function publicBookingType(deps: PublicBookingDeps, publicId: string, clientIp: string): Promise<BookingType> {
  await admitClient(deps, clientIp);
  const bookingType = await deps.bookingTypes.findByPublicId(publicId);
  // A type made private again keeps its public id for later, but its page is gone.
  if (!bookingType || bookingType.public !== true) throw notFound('Booking page');
  await admitBookingType(deps, bookingType);
  return bookingType;
}

export function toPublicBookingTypeView(bookingType: BookingType): PublicBookingTypeView {
  return {
    publicId: bookingType.publicId!,
    name: bookingType.name,
    ...(bookingType.description ? { description: bookingType.description } : {}),
    durationMinutes: bookingType.durationMinutes,
  };
}

export function toPublicBookingView(booking: BookingView, bookingType: BookingType | null): PublicBookingView {
  return {
    id: booking.id,
    status: booking.status,
    start: booking.start,
    end: booking.end,
    bookingType: { publicId: bookingType?.publicId ?? null, name: bookingType?.name ?? 'Booking', durationMinutes: bookingType?.durationMinutes ?? Math.round((Date.parse(booking.end) - Date.parse(booking.start)) / 60_000) },
    invitee: { name: booking.invitee.name, email: booking.invitee.email, timeZone: booking.invitee.timeZone, ...(booking.invitee.phone ? { phone: booking.invitee.phone } : {}) },
    ...(booking.notes ? { notes: booking.notes } : {}),
    conference: { provider: booking.conference.provider, joinUrl: booking.conference.joinUrl },
  };
}

/** Valid until the booking ends (its last occurrence for a series): afterwards there is nothing to manage. */
async function withManageToken(deps: PublicBookingDeps, tenantId: string, view: PublicBookingView, booking: BookingView): Promise<PublicBookingWithToken> {
  const endMs = Math.max(Date.parse(booking.end), ...(booking.occurrences ?? []).map((o) => Date.parse(o.end)));
  const manageToken = signManageToken(await deps.signingKeys.manageTokenKey(), { tenantId, bookingId: booking.id, expiresAtMs: endMs });
  return { ...view, manageToken, manageTokenExpiresAt: new Date(Math.ceil(endMs / 1000) * 1000).toISOString() };
}

/** GET /v1/public/booking-types/{publicId}. */
export async function getPublicBookingType(deps: PublicBookingDeps, input: { publicId: string; clientIp: string }): Promise<PublicBookingTypeView> {
  return toPublicBookingTypeView(await publicBookingType(deps, input.publicId, input.clientIp));
}

/** GET /v1/public/booking-types/{publicId}/slots: the tenant's slot search; only start and end come out. */
export async function publicBookingTypeSlots(
  deps: PublicBookingDeps,
  input: { publicId: string; clientIp: string; start: string; end: string; timeZone?: string | undefined },
): Promise<{ slots: { start: string; end: string }[]; timeZone: string }> {
  const bookingType = await publicBookingType(deps, input.publicId, input.clientIp);
  const result = await bookingTypeSlots(deps.slotDeps(), { tenantId: bookingType.tenantId, bookingTypeId: bookingType.id, start: input.start, end: input.end, timeZone: input.timeZone });
  return { slots: result.slots.map((slot) => ({ start: slot.start, end: slot.end })), timeZone: result.timeZone };
}

/**
 * POST /v1/public/booking-types/{publicId}/bookings: createBooking as the tenant API runs it (checked in the
 * store and live, claimed, written at the provider), answered with the manage token. An Idempotency-Key is
 * kept apart from the tenant's own keys (`public:<publicId>:<key>`).
 */
export async function createPublicBooking(
  deps: PublicBookingDeps,
  input: { publicId: string; clientIp: string; start: string; invitee: BookingInvitee; notes?: string | undefined; key?: string | undefined },
): Promise<PublicBookingWithToken> {
  const bookingType = await publicBookingType(deps, input.publicId, input.clientIp);
  const { booking } = await createBooking(deps.bookingDeps(), {
    tenantId: bookingType.tenantId,
    bookingTypeId: bookingType.id,
    start: input.start,
    invitee: input.invitee,
    notes: input.notes,
    key: input.key === undefined ? undefined : publicIdempotencyKey(input.publicId, input.key, { start: input.start, invitee: input.invitee, notes: input.notes ?? null }),
  });
  return withManageToken(deps, bookingType.tenantId, toPublicBookingView(booking, bookingType), booking);
}

/**
 * The key names the booking (a repeat converges on it and gets its manage token again), so on a public page
 * it must not be enough alone: a page's keys are chosen by anyone's browser, and a guessed key would hand out
 * another invitee's booking. The request itself is part of it — only the same invitee asking for the same
 * time repeats a booking; the same key with another request is simply another booking.
 */
export function publicIdempotencyKey(publicId: string, key: string, request: { start: string; invitee: BookingInvitee; notes: string | null }): string {
  const fingerprint = createHash('sha256').update(canonicalJson({ key, start: Date.parse(request.start), invitee: request.invitee, notes: request.notes })).digest('base64url');
  return `public:${publicId}:${fingerprint}`;
}

/**
 * The booking a manage token opens. A token that is not genuine for this booking id is 404 like a booking
 * that does not exist (a guesser cannot tell which ids exist); a genuine but expired one is 401.
 */
async function managedBooking(deps: PublicBookingDeps, input: { bookingId: string; token: string; clientIp: string }): Promise<{ tenantId: string; booking: BookingView; bookingType: BookingType | null }> {
  await admitClient(deps, input.clientIp);
  const check = verifyManageToken(await deps.signingKeys.manageTokenKey(), input.token, input.bookingId, deps.clock.now().getTime());
  if (!check.ok && check.reason === 'expired') throw new AppError('auth.unauthenticated', 'This manage link has expired: the booking is over', { retryable: false });
  if (!check.ok) throw notFound('Booking');
  const booking = await deps.bookings.get(check.tenantId, input.bookingId);
  if (!booking) throw notFound('Booking');
  const bookingType = await deps.bookingTypes.get(check.tenantId, booking.bookingTypeId);
  await admitBookingType(deps, { tenantId: check.tenantId, id: booking.bookingTypeId });
  return { tenantId: check.tenantId, booking, bookingType };
}

/** GET /v1/public/bookings/{id}?token=. */
export async function getPublicBooking(deps: PublicBookingDeps, input: { bookingId: string; token: string; clientIp: string }): Promise<PublicBookingView> {
  const { booking, bookingType } = await managedBooking(deps, input);
  return toPublicBookingView(booking, bookingType);
}

/** POST /v1/public/bookings/{id}/reschedule?token=: rescheduleBooking; a fresh token for the new end. */
export async function reschedulePublicBooking(deps: PublicBookingDeps, input: { bookingId: string; token: string; clientIp: string; start: string }): Promise<PublicBookingWithToken> {
  const { tenantId, bookingType } = await managedBooking(deps, input);
  const moved = await rescheduleBooking(deps.bookingDeps(), { tenantId, bookingId: input.bookingId, start: input.start });
  return withManageToken(deps, tenantId, toPublicBookingView(moved, bookingType), moved);
}

/** POST /v1/public/bookings/{id}/cancel?token=: cancelBooking (the provider tells the attendees). */
export async function cancelPublicBooking(deps: PublicBookingDeps, input: { bookingId: string; token: string; clientIp: string; reason?: string | undefined }): Promise<PublicBookingView> {
  const { tenantId, bookingType } = await managedBooking(deps, input);
  const cancelled = await cancelBooking(deps.bookingDeps(), { tenantId, bookingId: input.bookingId, reason: input.reason });
  return toPublicBookingView(cancelled, bookingType);
}
