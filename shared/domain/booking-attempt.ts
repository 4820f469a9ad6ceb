import * as z from 'zod/mini';

/**
 * One attempt at a booking, written before its claim: what was asked (so the booking can be finished
 * without the caller) and what it chose (host, room, and so the claim resources and the write calendar).
 * A retry with the same Idempotency-Key resumes it with the same choice, so it claims its own granules and
 * names the same provider event; the orphan reconciler uses it to adopt a provider event whose booking was
 * never stored. Kept (TTL) as long as the Idempotency-Key is replayed, then dropped.
 */
export const BookingAttempt = z.object({
  tenantId: z.string(),
  bookingId: z.string(),
  bookingTypeId: z.string(),
  start: z.string(),
  invitee: z.object({ name: z.string(), email: z.string(), timeZone: z.string(), phone: z.optional(z.string()), locale: z.optional(z.string()) }),
  notes: z.optional(z.string()),
  recurrence: z.optional(z.object({ rrule: z.string() })),
  key: z.optional(z.string()),
  hostIndexes: z.array(z.int()),
  roomIndex: z.nullable(z.int()),
  /** The calendar the provider event goes to (the first host's write calendar). */
  writeCalendarId: z.string(),
  resources: z.array(z.string()),
  ranges: z.array(z.object({ startMs: z.number(), endMs: z.number() })),
  startedAt: z.string(),
  /** The attempt's claim lease: until then the attempt may still be running and nobody finishes it for it. */
  leaseUntilMs: z.number(),
});
export type BookingAttempt = z.infer<typeof BookingAttempt>;

const MARKER = /\bBooking (bkg_[0-9A-HJKMNP-TV-Z]{26})\b/;

/** The booking id a booking's provider event carries in its description (`Booking bkg_…`), or null. */
export function bookingIdInDescription(description: string | null | undefined): string | null {
  return description ? (MARKER.exec(description)?.[1] ?? null) : null;
}
