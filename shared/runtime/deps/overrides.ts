import type { CalendarProviderFactory } from '../../ports/calendar-provider.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { JobQueue, QueueName } from '../../ports/job-queue.ts';
import type { OAuthClientFactory } from '../../ports/oauth-client.ts';
import type { OneTimeScheduler } from '../../ports/one-time-scheduler.ts';

/**
 * What the local stack (and tests) plug in instead of the AWS adapters: the in-process bus and queues, a
 * controllable clock, a provider factory. In Lambda nothing is set and the AWS adapters are used.
 */
export interface RuntimeOverrides {
  publisher?: EventPublisher;
  queues?: Partial<Record<QueueName, JobQueue<unknown>>>;
  deadLetterQueues?: Partial<Record<QueueName, JobQueue<unknown>>>;
  clock?: Clock;
  providers?: CalendarProviderFactory;
  oauthClients?: OAuthClientFactory;
  /** Booking timers (reminders, booking.completed): the local stack's in-process scheduler. */
  timers?: OneTimeScheduler;
}

export const runtimeOverrides: RuntimeOverrides = {};

export function setRuntimeOverrides(overrides: RuntimeOverrides): void {
  Object.assign(runtimeOverrides, overrides);
}

export function clearRuntimeOverrides(): void {
  for (const key of Object.keys(runtimeOverrides) as (keyof RuntimeOverrides)[]) delete runtimeOverrides[key];
}
