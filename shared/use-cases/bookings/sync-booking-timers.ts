import { AppError } from '../../domain/app-error.ts';
import { bookingTimerNames, bookingTimers, type BookingTimerPayload } from '../../domain/booking-timers.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Log } from '../../ports/log.ts';
import type { OneTimeScheduler } from '../../ports/one-time-scheduler.ts';

export interface BookingTimerDeps {
  bookings: Pick<BookingStore, 'get'>;
  timers: OneTimeScheduler<BookingTimerPayload>;
  clock: Clock;
  log: Log;
}

/**
 * A timer whose time has just passed is left alone: it is firing right now (Scheduler invokes within the
 * minute) and the timer function decides; deleting it could lose a reminder that did not move.
 */
export const FIRING_WINDOW_MS = 2 * 60_000;
const MAX_ROUNDS = 4;

export interface TimerSyncResult {
  scheduled: number;
  cancelled: number;
  /** Reminders whose time had passed: not made (never sent late). */
  skippedPast: number;
  rounds: number;
}

/**
 * Makes the booking's timers match the booking as stored (booking.created, .rescheduled — from the API or
 * the calendar — and .cancelled all come here): every future timer is created or moved to its time, timers
 * of a cancelled booking or occurrence are deleted, a reminder whose time has passed is skipped. Reading
 * the booking instead of trusting the event makes out-of-order and repeated events harmless; reading its
 * version again afterwards and repeating when it changed makes two concurrent runs converge on the latest
 * booking (a run that saw an older version started before the newer write, whose own run comes later).
 */
export async function syncBookingTimers(deps: BookingTimerDeps, input: { tenantId: string; bookingId: string }): Promise<TimerSyncResult> {
  const result: TimerSyncResult = { scheduled: 0, cancelled: 0, skippedPast: 0, rounds: 0 };
  let booking = await deps.bookings.get(input.tenantId, input.bookingId);
  while (booking) {
    if (result.rounds === MAX_ROUNDS) throw new AppError('storage.conflict', `Booking ${booking.id} kept changing while its timers were set`, { retryable: true });
    result.rounds++;
    const nowMs = deps.clock.now().getTime();
    const wanted = new Map(bookingTimers(booking).map((timer) => [timer.name, timer]));
    for (const name of bookingTimerNames(booking)) {
      const timer = wanted.get(name);
      if (timer && timer.atMs > nowMs) {
        await deps.timers.schedule(name, new Date(timer.atMs), timer.payload);
        result.scheduled++;
      } else if (timer && timer.atMs > nowMs - FIRING_WINDOW_MS) {
        // Due right now: firing, or (at creation) too close to make — the timer function treats both alike.
        if (timer.payload.kind === 'reminder') result.skippedPast++;
      } else {
        if (timer?.payload.kind === 'reminder') result.skippedPast++;
        await deps.timers.cancel(name);
        result.cancelled++;
      }
    }
    const again = await deps.bookings.get(input.tenantId, input.bookingId);
    if (!again || again.version === booking.version) break;
    booking = again;
  }
  if (result.rounds > 0) deps.log.debug('booking timers set', { bookingId: input.bookingId, ...result });
  return result;
}
