import { AppError } from '../../domain/app-error.ts';
import type { BookingTimerPayload } from '../../domain/booking-timers.ts';
import { EventBridgeOneTimeScheduler } from '../../messaging/eventbridge-one-time-scheduler.ts';
import type { OneTimeScheduler } from '../../ports/one-time-scheduler.ts';
import { DynamoBookingStore } from '../../storage/dynamo-booking-store.ts';
import type { FireBookingTimerDeps } from '../../use-cases/bookings/fire-booking-timer.ts';
import type { BookingTimerDeps } from '../../use-cases/bookings/sync-booking-timers.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { eventPublisher, jobQueue } from './messaging.ts';
import { runtimeOverrides } from './overrides.ts';
import { dynamoDocument, idempotencyStore } from './storage.ts';

function required(name: 'BOOKING_TIMER_GROUP' | 'BOOKING_TIMER_TARGET_ARN' | 'BOOKING_TIMER_ROLE_ARN'): string {
  const value = config()[name];
  if (!value) throw new AppError('config.invalid', `${name} is not set`, { retryable: false });
  return value;
}

/** EventBridge Scheduler, the SDK loaded on first use (the consumer's cold start does not pay for it). */
const schedulerTimers = lazy(
  () =>
    new EventBridgeOneTimeScheduler<BookingTimerPayload>({
      client: async () => new (await import('@aws-sdk/client-scheduler')).SchedulerClient({ region: config().AWS_REGION }),
      groupName: required('BOOKING_TIMER_GROUP'),
      targetArn: required('BOOKING_TIMER_TARGET_ARN'),
      roleArn: required('BOOKING_TIMER_ROLE_ARN'),
      deadLetterArn: config().BOOKING_TIMER_DLQ_ARN,
    }),
);

/** Its own booking store (not deps/bookings.ts): the timer functions stay free of the provider write path. */
const bookings = lazy(() => new DynamoBookingStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

/** The booking timers: the local stack's in-process scheduler, or EventBridge Scheduler. */
export function bookingTimerScheduler(): OneTimeScheduler<BookingTimerPayload> {
  return (runtimeOverrides.timers as OneTimeScheduler<BookingTimerPayload> | undefined) ?? schedulerTimers();
}

/** Dependencies of booking-schedules (the booking.* consumer that sets the timers). */
export function bookingTimerDeps(): BookingTimerDeps {
  return { bookings: bookings(), timers: bookingTimerScheduler(), clock: clock(), log: logger };
}

/** Dependencies of booking-timer (what a timer invokes). */
export function fireBookingTimerDeps(): FireBookingTimerDeps {
  return { bookings: bookings(), clock: clock(), log: logger, requests: idempotencyStore(), publisher: eventPublisher(), resyncs: jobQueue('booking-schedules') };
}
