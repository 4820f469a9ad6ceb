import { AppError, notFound } from '../../domain/app-error.ts';
import { toBookingView, type Booking, type BookingView } from '../../domain/booking.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { updateCalendarEvent } from '../events/update-event.ts';
import { occurrenceIndexOf, rescheduleOccurrences, subtractRanges, type OccurrenceScope } from './booking-occurrences.ts';
import { hostsOpenAt, LIMIT_REACHED_DETAIL, limitLedgerFor } from './booking-limits.ts';
import { withLimitLock } from './limit-lock.ts';
import { moveBookingMeeting } from './booking-video.ts';
import { checkBookable, CLAIM_LEASE_MS, claimRangesOf, freeInStore, freeLive, occurrencesOf, publishBookingEvent, replaceBookingOrConflict, slotUnavailable, type BookingDeps, type Occurrence } from './booking-rules.ts';

/**
 * POST /v1/bookings/{id}/reschedule: the same booking at a new time (every occurrence of a recurring one
 * shifted alike). The new time is checked like a new booking for the booking's own host and room (its own
 * current time does not count against it), claimed for the booking, the provider event moved (not
 * recreated), and only then are the granules of the old time that the new one does not cover freed: at no
 * moment is the booking without a claim, and another booking can never take both.
 */
export async function rescheduleBooking(deps: BookingDeps, input: { tenantId: string; bookingId: string; start: string; occurrence?: string | undefined; scope?: OccurrenceScope | undefined }): Promise<BookingView> {
  const booking = await deps.bookings.get(input.tenantId, input.bookingId);
  if (!booking) throw notFound('Booking');
  if (booking.status === 'cancelled') throw new AppError('resource.conflict', 'A cancelled booking cannot be rescheduled; make a new booking', { retryable: false });
  const bookingType = await deps.bookingTypes.get(input.tenantId, booking.bookingTypeId);
  if (!bookingType) throw new AppError('resource.conflict', 'The booking type of this booking was deleted', { retryable: false });
  // A recurring booking moves at one occurrence, from it on, or as a whole (issue 12 item 6).
  if (booking.occurrences) return rescheduleOccurrences(deps, booking, bookingType, input);
  // A single booking is its one occurrence: naming it (by its start) is allowed, any other is not.
  if (input.occurrence !== undefined) occurrenceIndexOf([{ startMs: Date.parse(booking.start), endMs: Date.parse(booking.end), status: booking.status, originalStartMs: Date.parse(booking.start), seriesEventId: '' }], input.occurrence);
  const startMs = Date.parse(input.start);
  if (startMs === Date.parse(booking.start)) return toBookingView(booking);
  const occurrences = occurrencesOf(bookingType, startMs, booking.invitee.timeZone, booking.recurrence?.rrule);
  const now = deps.clock.now();
  checkBookable(bookingType, occurrences, now.getTime(), 'body.start');
  const old: Occurrence = { startMs: Date.parse(booking.start), endMs: Date.parse(booking.end) };

  // Only this booking's host (and room) matter: it keeps them.
  const hostType = { ...bookingType, assignment: 'collective' as const, hosts: booking.hosts.map((host) => bookingType.hosts.find((h) => h.writeCalendarId === host.writeCalendarId) ?? bookingType.hosts[booking.hostIndex]!), rooms: booking.room ? [{ calendarId: booking.room.calendarId }] : [] };
  const free = await freeInStore(deps, input.tenantId, hostType, occurrences, 'body.start');
  // The store still shows the booking's own event: a collision inside its current time is judged live below.
  const collisions = free.collisions.filter((o) => !(o.startMs < old.endMs && o.endMs > old.startMs));
  if (collisions.length > 0) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, collisions);
  // Concurrent bookings and moves of a type with limits take turns per host and week (limit-lock.ts).
  return withLimitLock(deps, { tenantId: input.tenantId, owner: booking.id, bookingType, startsMs: occurrences.map((o) => o.startMs) }, async (zones) => {
    // The daily/weekly limits at the new time, without this booking itself (it leaves its old time).
    const ledger = await limitLedgerFor(deps, input.tenantId, bookingType, occurrences[0]!.startMs, occurrences.at(-1)!.endMs, { excludeBookingId: booking.id, zones });
    const heldHosts = bookingType.assignment === 'collective' ? bookingType.hosts.map((_host, index) => index) : [booking.hostIndex];
    if (hostsOpenAt(ledger, bookingType, heldHosts, occurrences.map((o) => o.startMs)).length === 0) {
      throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, occurrences, LIMIT_REACHED_DETAIL);
    }
    const calendars = [...hostType.hosts.flatMap((host) => host.calendarIds), ...(booking.room ? [booking.room.calendarId] : [])];
    if (!(await freeLive(deps, input.tenantId, calendars, bookingType, occurrences, old))) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, occurrences);

    const ranges = claimRangesOf(occurrences);
    const claimed = await deps.claims.claim({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges, leaseUntilMs: now.getTime() + CLAIM_LEASE_MS, nowMs: now.getTime() });
    if (!claimed.ok) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, occurrences);
    const freed = subtractRanges(booking.claim.ranges, ranges);
    const newStart = formatInstant(occurrences[0]!.startMs);
    const newEnd = formatInstant(occurrences[0]!.endMs);
    // Marked before the provider write: when the move comes back through sync it is known as ours.
    const marked = await replaceBookingOrConflict(deps, { ...booking, pending: { kind: 'move', start: newStart, end: newEnd } }, booking.version);
    try {
      for (const event of booking.providerEvents) {
        await updateCalendarEvent(deps.writes, {
          tenantId: input.tenantId,
          calendarId: event.calendarId,
          eventId: event.eventId,
          ...(booking.recurrence ? { scope: 'series' as const } : {}),
          fields: { start: formatInstant(occurrences[0]!.startMs), end: formatInstant(occurrences[0]!.endMs), timeZone: booking.invitee.timeZone },
        });
      }
    } catch (error) {
      // The event did not move: give back what the new time took (granules the old time also holds stay).
      const taken = subtractRanges(ranges, booking.claim.ranges);
      if (taken.length) await deps.claims.release({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: taken }).catch(() => undefined);
      const { pending: _pending, ...unmarked } = marked;
      await deps.bookings.replace(unmarked, marked.version).catch(() => undefined);
      throw error;
    }
    await deps.claims.confirm({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges });
    if (freed.length) await deps.claims.release({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });

    const nowIso = now.toISOString();
    const previous = { start: booking.start, end: booking.end };
    const { pending: _pending, ...current } = marked;
    const moved: Booking = {
      ...current,
      start: formatInstant(occurrences[0]!.startMs),
      end: formatInstant(occurrences[0]!.endMs),
      ...(occurrences.length > 1 ? { occurrences: occurrences.map((o) => ({ start: formatInstant(o.startMs), end: formatInstant(o.endMs), status: 'confirmed' as const })) } : {}),
      claim: { resources: booking.claim.resources, ranges },
      // The video meeting is moved to the new time below: a time the host set in Zoom is no longer flagged.
      conference: { provider: current.conference.provider, joinUrl: current.conference.joinUrl },
      updatedAt: nowIso,
      history: [...booking.history, { at: nowIso, source: 'api', change: 'rescheduled', start: formatInstant(occurrences[0]!.startMs), end: formatInstant(occurrences[0]!.endMs) }],
    };
    const stored = await replaceBookingOrConflict(deps, moved, marked.version);
    await moveBookingMeeting(deps, stored, bookingType);
    await publishBookingEvent(deps, stored, 'booking.rescheduled', { booking: toBookingView(stored), source: 'api', previous });
    return toBookingView(stored);
  });
}

// Shared with the calendar-side consumer; kept importable from here.
export { subtractRanges } from './booking-occurrences.ts';
