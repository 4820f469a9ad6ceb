import { toBookingView, type Booking } from '../../domain/booking.ts';
import type { DomainEvent } from '../../domain/domain-events.ts';
import { eventIntervalUtc } from '../../domain/event-time.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { deleteBookingMeeting, followCalendarMove } from './booking-video.ts';
import { CLAIM_LEASE_MS, claimRangesOf, publishBookingEvent, type BookingDeps } from './booking-rules.ts';
import { subtractRanges } from './reschedule-booking.ts';

export type CalendarChangeOutcome = 'not_a_booking' | 'own_change' | 'rescheduled' | 'cancelled' | 'calendar_edit_lost' | 'unchanged';

type ChangeEvent = DomainEvent<'calendar.event.updated'> | DomainEvent<'calendar.event.deleted'>;

/**
 * Two-way bookings (issue 12 §7): the host moved or deleted a booking's event in Google, Outlook or CalDAV,
 * and sync announced it (calendar.event.updated / deleted). The booking follows — rescheduled or cancelled
 * with `source: "calendar"`, its claims moved or freed — so reminders and the video meeting, which follow
 * booking.* events, follow too. Our own writes coming back are recognised (the booking carries the change it
 * is making, or already shows it). When the API changed the booking after the host's edit (last writer wins
 * by the provider's modification time), the calendar edit is recorded in the history and not applied.
 */
export async function applyCalendarChange(deps: BookingDeps, event: ChangeEvent, attempt = 0): Promise<CalendarChangeOutcome> {
  const stored = event.data.event;
  const bookingId = await deps.bookings.bookingIdOfEvent(event.tenantId, stored.id);
  if (!bookingId) return 'not_a_booking';
  const booking = await deps.bookings.get(event.tenantId, bookingId);
  if (!booking || booking.status === 'cancelled') return 'unchanged';
  const deleted = event.type === 'calendar.event.deleted' || stored.status === 'cancelled';
  const nowIso = deps.clock.now().toISOString();

  if (deleted) {
    if (booking.pending?.kind === 'cancel') return 'own_change';
    await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: booking.claim.ranges });
    const cancelled = await save(deps, {
      ...booking,
      status: 'cancelled',
      updatedAt: nowIso,
      ...(booking.occurrences ? { occurrences: booking.occurrences.map((o) => ({ ...o, status: 'cancelled' as const })) } : {}),
      cancelReason: 'deleted in the calendar',
      history: [...booking.history, { at: nowIso, source: 'calendar', change: 'cancelled', start: booking.start, end: booking.end }],
    }, booking.version);
    if (!cancelled) return retry(deps, event, attempt);
    await deleteBookingMeeting(deps, cancelled);
    await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'calendar', reason: 'deleted in the calendar' });
    return 'cancelled';
  }

  const interval = eventIntervalUtc(stored, booking.invitee.timeZone);
  const start = formatInstant(interval.startMs);
  const end = formatInstant(interval.endMs);
  if (start === booking.start && end === booking.end) return 'unchanged';
  if (booking.pending?.kind === 'move' && booking.pending.start === start && booking.pending.end === end) return 'own_change';
  // Last writer wins by modification time: an API change after the host's edit keeps the booking where it is.
  const editedAt = stored.updated ? Date.parse(stored.updated) : Date.parse(event.time);
  if (editedAt < Date.parse(booking.updatedAt)) {
    await save(deps, { ...booking, history: [...booking.history, { at: nowIso, source: 'calendar', change: 'calendar_edit_lost', start, end }] }, booking.version);
    return 'calendar_edit_lost';
  }

  const durationShift = interval.startMs - Date.parse(booking.start);
  const occurrences = (booking.occurrences ?? [{ start: booking.start, end: booking.end }]).map((o, index) =>
    index === 0 ? { startMs: interval.startMs, endMs: interval.endMs } : { startMs: Date.parse(o.start) + durationShift, endMs: Date.parse(o.end) + durationShift },
  );
  const ranges = claimRangesOf(occurrences);
  const nowMs = deps.clock.now().getTime();
  // The calendar is where the meeting now is: the claim follows it. If another booking holds that time, the
  // host double-booked on purpose; the booking still moves and the history says the time was not exclusive.
  const claimed = await deps.claims.claim({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges, leaseUntilMs: nowMs + CLAIM_LEASE_MS, nowMs });
  if (claimed.ok) await deps.claims.confirm({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges });
  else deps.log.warn('calendar-side move onto a claimed time', { bookingId: booking.id, conflicts: claimed.conflicts.length });
  const freed = subtractRanges(booking.claim.ranges, ranges);
  if (freed.length) await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });
  const previous = { start: booking.start, end: booking.end };
  const moved = await save(deps, {
    ...booking,
    start,
    end,
    ...(booking.occurrences ? { occurrences: occurrences.map((o) => ({ start: formatInstant(o.startMs), end: formatInstant(o.endMs), status: 'confirmed' as const })) } : {}),
    claim: { resources: booking.claim.resources, ranges },
    updatedAt: nowIso,
    history: [...booking.history, { at: nowIso, source: 'calendar', change: 'rescheduled', start, end }],
  }, booking.version);
  if (!moved) return retry(deps, event, attempt);
  await followCalendarMove(deps, moved);
  await publishBookingEvent(deps, moved, 'booking.rescheduled', { booking: toBookingView(moved), source: 'calendar', previous });
  return 'rescheduled';
}

/** Someone wrote the booking meanwhile: decide again on its fresh state (a few times, then let the queue retry). */
function retry(deps: BookingDeps, event: ChangeEvent, attempt: number): Promise<CalendarChangeOutcome> {
  if (attempt >= 3) throw new AppError('storage.conflict', 'The booking kept changing while a calendar edit was applied', { retryable: true });
  return applyCalendarChange(deps, event, attempt + 1);
}

/** The booking written if nobody else wrote it first; null to start over on the fresh state. */
async function save(deps: BookingDeps, booking: Booking, expectedVersion: number): Promise<Booking | null> {
  try {
    return await deps.bookings.replace(booking, expectedVersion);
  } catch (error) {
    if (isAppError(error, 'storage.conflict')) return null;
    throw error;
  }
}
