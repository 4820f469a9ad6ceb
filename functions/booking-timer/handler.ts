import { BookingTimerPayload } from '../../shared/domain/booking-timers.ts';
import { AppError } from '../../shared/domain/app-error.ts';
import { fireBookingTimer, type TimerOutcome } from '../../shared/use-cases/bookings/fire-booking-timer.ts';
import { fireBookingTimerDeps } from '../../shared/runtime/deps/booking-timers.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';

/**
 * What a booking timer invokes (EventBridge Scheduler's one-time schedule, asynchronously; the local
 * scheduler in `npm start`): the schedule's input is the payload. A thrown error is retried by Lambda's
 * async retries and then lands in the timers' dead-letter queue; a payload that is not a timer's is
 * refused without retry (retrying cannot fix it).
 */
async function handleInvocation(event: unknown): Promise<{ outcome: TimerOutcome }> {
  const parsed = BookingTimerPayload.safeParse(event);
  if (!parsed.success) {
    logger.error('not a booking timer payload', { paths: parsed.error.issues.map((issue) => issue.path.join('.')) });
    throw new AppError('input.invalid', 'Not a booking timer payload', { retryable: false });
  }
  const outcome = await fireBookingTimer(fireBookingTimerDeps(), parsed.data);
  logger.info('booking timer', { bookingId: parsed.data.bookingId, kind: parsed.data.kind, occurrence: parsed.data.occurrence, outcome });
  return { outcome };
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
