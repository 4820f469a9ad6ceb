import { AppError } from '../../domain/app-error.ts';
import { bookingTimers, timerNameOf, type BookingTimer, type BookingTimerPayload } from '../../domain/booking-timers.ts';
import { toBookingView, type Booking } from '../../domain/booking.ts';
import { domainEvent, type DomainEvent } from '../../domain/domain-events.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { IdempotentRequestStore } from '../../ports/idempotent-request-store.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { BookingTimerDeps } from './sync-booking-timers.ts';

/** A booking-schedules message besides the booking.* events: set this booking's timers again. */
export interface BookingTimerResync {
  resync: { tenantId: string; bookingId: string };
}

export interface FireBookingTimerDeps extends Omit<BookingTimerDeps, 'timers'> {
  requests: IdempotentRequestStore;
  publisher: EventPublisher;
  /** The booking-schedules queue: the timer function does not touch schedules itself (it cannot name its own ARN). */
  resyncs: Pick<JobQueue<BookingTimerResync>, 'send'>;
}

/** A resync waits until Scheduler has deleted the schedule that just ran (ActionAfterCompletion). */
const RESYNC_DELAY_SECONDS = 60;

/** Scheduler invokes within the minute of `at` (60 s precision): a fire this much early is on time. */
export const EARLY_TOLERANCE_MS = 60_000;
/**
 * A reminder fired later than this after its time (a retry after an outage, a redriven dead letter) is
 * dropped rather than sent late; booking.completed has no such limit (it states a fact).
 */
export const REMINDER_LATE_LIMIT_MS = 10 * 60_000;
/** Long enough for one publish; a fire that crashed holds the key no longer than this. */
const SEND_LEASE_SECONDS = 60;
const SENT_TTL_SECONDS = 35 * 86_400;

export type TimerOutcome =
  /** booking.reminder_due / booking.completed published. */
  | 'sent'
  /** This reminder (or completion) was published by an earlier fire: nothing again. */
  | 'duplicate'
  /** The booking or occurrence is cancelled (or gone), or the reminder no longer exists. */
  | 'cancelled'
  /** Fired well before the booking's time for it (a move raced the firing): the booking's timers are set again. */
  | 'resync'
  /** The reminder's time passed more than REMINDER_LATE_LIMIT_MS ago. */
  | 'too_late';

/**
 * A booking timer fired (its EventBridge Scheduler schedule, or the local scheduler). The booking as stored
 * decides, not the payload: a cancelled booking sends nothing, a timer fired before its time sends nothing
 * and has the booking's timers set again, a reminder whose time is long past is dropped. What is sent is sent once per event key (reminder id =
 * booking + occurrence start + offset): a conditional write claims the key under a short lease, the event
 * (with an id derived from the key, so consumers can dedupe a re-publish) goes out, then the key is marked
 * done. A second delivery of the same schedule finds it done — or, while the first is still publishing,
 * fails retryably and finds it done on its retry; a fire that crashed mid-way leaves the lease to run out.
 */
export async function fireBookingTimer(deps: FireBookingTimerDeps, payload: BookingTimerPayload): Promise<TimerOutcome> {
  const booking = await deps.bookings.get(payload.tenantId, payload.bookingId);
  const name = timerNameOf(payload);
  const timer = booking ? bookingTimers(booking).find((t) => t.name === name) : undefined;
  if (!booking || !timer) return 'cancelled';
  const nowMs = deps.clock.now().getTime();
  if (nowMs < timer.atMs - EARLY_TOLERANCE_MS) {
    // E.g. moved while it was firing: Scheduler's delete after the run can take the moved schedule with it.
    await deps.resyncs.send([{ body: { resync: { tenantId: booking.tenantId, bookingId: booking.id } }, delaySeconds: RESYNC_DELAY_SECONDS }]);
    deps.log.info('booking timer fired before its time: resync', { timer: name, at: new Date(timer.atMs).toISOString() });
    return 'resync';
  }
  if (timer.payload.kind === 'reminder' && nowMs > timer.atMs + REMINDER_LATE_LIMIT_MS) {
    deps.log.warn('booking reminder too late: not sent', { timer: name, lateMs: nowMs - timer.atMs });
    return 'too_late';
  }

  const key = `timer\u001f${timer.eventKey}`;
  const begun = await deps.requests.begin(booking.tenantId, key, timer.eventKey, { leaseSeconds: SEND_LEASE_SECONDS, ttlSeconds: SENT_TTL_SECONDS });
  if (begun.state === 'completed' || begun.state === 'mismatch') return 'duplicate';
  if (begun.state === 'in_progress') throw new AppError('idempotency.in_progress', `Timer ${name} is being sent by another delivery`, { retryable: true, retryAfterMs: SEND_LEASE_SECONDS * 1000 });
  try {
    await deps.publisher.publish([timerEvent(booking, timer, nowMs)]);
  } catch (error) {
    await deps.requests.abandon(booking.tenantId, key, timer.eventKey).catch(() => undefined);
    throw error;
  }
  await deps.requests.complete(booking.tenantId, key, timer.eventKey, { status: 200, body: { sentAt: new Date(nowMs).toISOString() } }, SENT_TTL_SECONDS);
  return 'sent';
}

function timerEvent(booking: Booking, timer: BookingTimer, nowMs: number): DomainEvent {
  const options = { time: new Date(nowMs), idempotencyParts: [timer.eventKey] };
  const view = toBookingView(booking);
  if (timer.payload.kind === 'completed') return domainEvent('booking.completed', booking.tenantId, { booking: view, occurrence: timer.occurrence }, options);
  const reminder = timer.reminder!;
  return domainEvent('booking.reminder_due', booking.tenantId, { booking: view, reminderId: timer.eventKey, minutesBefore: reminder.minutesBefore, channels: reminder.channels, to: reminder.to, occurrence: timer.occurrence }, options);
}
