import { AppError, isAppError } from '../../domain/app-error.ts';
import { bookingIdInDescription } from '../../domain/booking-attempt.ts';
import type { DomainEvent } from '../../domain/domain-events.ts';
import { deleteCalendarEvent } from '../events/delete-event.ts';
import { CLAIM_LEASE_MS, occurrencesOf, type BookingDeps } from './booking-rules.ts';
import { finishAttempt } from './create-booking.ts';

export type OrphanOutcome = 'not_a_booking_event' | 'booked' | 'unknown_attempt' | 'adopted' | 'deleted' | 'gone';

/** An attempt this young normally finishes in a moment: its mirror event is looked at again after YOUNG_RETRY_MS. */
const YOUNG_ATTEMPT_MS = 15_000;
const YOUNG_RETRY_MS = 5_000;

/**
 * Orphans (issue 12 item 4): a provider event carrying our booking marker (`Booking bkg_…` in its
 * description) whose booking was never stored — the attempt crashed or failed after the provider write and
 * nobody retried it. Run on every `calendar.event.created` (our own write's mirror, or sync finding the
 * event when the write's answer was lost), so the sync path finds every orphan on every provider.
 *
 * The event is **adopted** — the booking finished from its attempt, as the caller's retry would, with its
 * claims taken back — because the provider has already sent the invitee an invitation and shows the host
 * the meeting: deleting it would cancel a meeting both were told about, for a failure that was ours, and a
 * later retry with the same Idempotency-Key replays the adopted booking. It is **deleted** only when the
 * time cannot be had any more (another booking claimed it after the lease passed): keeping it would be the
 * double booking the claims exist to prevent. While the attempt's lease runs it may still finish by itself:
 * the message comes back when the lease ends. An event whose marker names no attempt of ours on that
 * calendar is left alone: a description anyone can type is no reason to delete someone's event.
 */
export async function reconcileBookingEvent(deps: BookingDeps, event: DomainEvent<'calendar.event.created'>): Promise<OrphanOutcome> {
  const stored = event.data.event;
  const bookingId = bookingIdInDescription(stored.description);
  if (!bookingId) return 'not_a_booking_event';
  const tenantId = event.tenantId;
  if (await deps.bookings.get(tenantId, bookingId)) return 'booked';
  const attempt = await deps.bookings.getAttempt(tenantId, bookingId);
  if (!attempt || attempt.writeCalendarId !== stored.calendarId) {
    deps.log.warn('booking marker without an attempt of ours; event left alone', { bookingId, eventId: stored.id });
    return 'unknown_attempt';
  }
  const nowMs = deps.clock.now().getTime();
  if (nowMs < attempt.leaseUntilMs) {
    // The usual case: our own write's mirror arrived before the booking was stored, a moment later. Look
    // again in seconds while the attempt is young, then only when its lease ends (few receives either way).
    const remainingMs = attempt.leaseUntilMs - nowMs;
    const young = remainingMs > CLAIM_LEASE_MS - YOUNG_ATTEMPT_MS;
    throw new AppError('resource.conflict', 'The booking attempt may still be running; looked at again shortly', { retryable: true, retryAfterMs: young ? YOUNG_RETRY_MS : remainingMs + 1000 });
  }
  const bookingType = await deps.bookingTypes.get(tenantId, attempt.bookingTypeId);
  const occurrences = bookingType ? occurrencesOf(bookingType, Date.parse(attempt.start), attempt.invitee.timeZone, attempt.recurrence?.rrule) : null;
  const claimed = bookingType && occurrences ? await deps.claims.claim({ tenantId, bookingId, resources: attempt.resources, ranges: attempt.ranges, leaseUntilMs: nowMs + CLAIM_LEASE_MS, nowMs }) : { ok: false as const, conflicts: [] };
  if (claimed.ok && bookingType && occurrences) {
    try {
      await finishAttempt(deps, bookingType, { ...attempt, leaseUntilMs: nowMs + CLAIM_LEASE_MS }, occurrences);
    } catch (error) {
      // The host deleted the event meanwhile (our create key finds it cancelled): nothing left to adopt.
      if (isAppError(error, 'provider.input_invalid')) return 'gone';
      throw error;
    }
    deps.log.info('orphan booking event adopted', { bookingId, eventId: stored.id });
    return 'adopted';
  }
  await deleteCalendarEvent(deps.writes, { tenantId, calendarId: stored.calendarId, eventId: stored.id });
  deps.log.warn('orphan booking event deleted: its time went to another booking', { bookingId, eventId: stored.id });
  return 'deleted';
}
