import { backoffDelayMs } from '../../domain/backoff.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import type { Booking } from '../../domain/booking.ts';
import { videoConferenceOf } from '../../domain/video-conference.ts';
import { openCalendarForWrite, type EventView } from '../events/event-write-context.ts';
import { rruleLineOf, type BookingDeps } from './booking-rules.ts';

/** Reads of a booking's event while Google still says the Meet is `pending` (providers.md item 21). */
const PENDING_READS = 5;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The join URL of a booking's Meet or Teams meeting, from the provider event the calendar write made.
 * Google may answer a Meet create with `pending` and no link yet: the event is then read back from Google
 * (a few times, backing off) until the link is there; still none is a booking without a link, logged.
 */
export async function calendarMeetingJoinUrl(deps: BookingDeps, input: { tenantId: string; calendarId: string; bookingId: string; event: EventView }): Promise<string | null> {
  const made = videoConferenceOf(input.event.conference);
  if (made) return made.joinUrl;
  if (input.event.conference?.status !== 'pending') {
    deps.log.warn('booking event has no meeting link', { bookingId: input.bookingId, conference: input.event.conference?.provider ?? null });
    return null;
  }
  const { provider, ref } = await openCalendarForWrite(deps.writes, input.tenantId, input.calendarId);
  for (let read = 0; read < PENDING_READS; read++) {
    if (read > 0) await sleep(backoffDelayMs(read - 1, { baseMs: 250, capMs: 2_000 }));
    const current = await provider.getEvent(ref, input.event.providerEventId);
    const conference = videoConferenceOf(current?.conference);
    if (conference) return conference.joinUrl;
    if (current?.conference?.status !== 'pending') break;
  }
  deps.log.warn('meet link still pending; booking made without a link', { bookingId: input.bookingId });
  return null;
}

/**
 * Reschedule: the booking's Zoom meeting moves with it (PATCH, the join URL stays). Meet and Teams need
 * nothing here: they live on the provider event, which is moved, not recreated. A failure (quota, Zoom
 * down) leaves the booking rescheduled and is logged (and evented by the seam), never thrown.
 */
export async function moveBookingMeeting(deps: BookingDeps, booking: Booking, bookingType: BookingType): Promise<void> {
  if (booking.conference.provider !== 'zoom' || !booking.conference.joinUrl || !deps.conferencing) return;
  const host = bookingType.hosts[booking.hostIndex];
  const result = await deps.conferencing
    .moveMeeting({
      tenantId: booking.tenantId,
      bookingId: booking.id,
      connectionId: host?.video?.connectionId ?? '',
      ...(host?.video?.userId ? { userId: host.video.userId } : {}),
      title: `${bookingType.name}: ${booking.invitee.name}`,
      start: booking.start,
      end: booking.end,
      timeZone: booking.invitee.timeZone,
      ...(booking.recurrence ? { recurrence: [rruleLineOf(booking.recurrence.rrule)] } : {}),
    })
    .catch((error: unknown) => ({ ok: false as const, code: 'internal.unexpected', message: String(error), retryable: true }));
  if (!result.ok) deps.log.warn('zoom meeting not moved with the booking', { bookingId: booking.id, code: result.code, message: result.message });
}

/** Cancel: the booking's Zoom meeting is deleted; a failure is logged, the booking is cancelled anyway. */
export async function deleteBookingMeeting(deps: BookingDeps, booking: Booking): Promise<void> {
  if (booking.conference.provider !== 'zoom' || !deps.conferencing) return;
  const result = await deps.conferencing
    .deleteMeeting({ tenantId: booking.tenantId, bookingId: booking.id })
    .catch((error: unknown) => ({ ok: false as const, code: 'internal.unexpected', message: String(error), retryable: true }));
  if (!result.ok) deps.log.warn('zoom meeting not deleted with the booking', { bookingId: booking.id, code: result.code, message: result.message });
}

/** A move the host made in the calendar (booking-lifecycle): the Zoom meeting follows like on an API reschedule. */
export async function followCalendarMove(deps: BookingDeps, booking: Booking): Promise<void> {
  if (booking.conference.provider !== 'zoom' || !booking.conference.joinUrl || !deps.conferencing) return;
  const bookingType = await deps.bookingTypes.get(booking.tenantId, booking.bookingTypeId);
  if (!bookingType) {
    deps.log.warn('zoom meeting not moved: the booking type was deleted', { bookingId: booking.id });
    return;
  }
  await moveBookingMeeting(deps, booking, bookingType);
}
