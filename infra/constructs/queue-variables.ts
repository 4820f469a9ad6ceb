import type { QueueName } from '../../shared/ports/job-queue.ts';
import type { Env } from '../../shared/runtime/config.ts';

type EnvName = keyof Env;

/**
 * The one place that says which environment variable carries which queue's URL (names from
 * shared/runtime/config.ts). A queue without a `deadLetter` variable has a DLQ no function writes to
 * directly; declaring `deadLetterTo` for it fails the synth until a variable is added here and in config.
 */
export const QUEUE_URL_VARIABLES: Record<QueueName, { queue: EnvName; deadLetter?: EnvName }> = {
  sync: { queue: 'SYNC_QUEUE_URL', deadLetter: 'SYNC_DLQ_URL' },
  'webhook-fanout': { queue: 'WEBHOOK_FANOUT_QUEUE_URL' },
  'webhook-delivery': { queue: 'WEBHOOK_DELIVERY_QUEUE_URL', deadLetter: 'WEBHOOK_DELIVERY_DLQ_URL' },
  'booking-lifecycle': { queue: 'BOOKING_LIFECYCLE_QUEUE_URL' },
  'booking-schedules': { queue: 'BOOKING_SCHEDULES_QUEUE_URL' },
  notifications: { queue: 'NOTIFICATIONS_QUEUE_URL' },
};

export function deadLetterUrlVariable(queue: QueueName): EnvName {
  const variable = QUEUE_URL_VARIABLES[queue].deadLetter;
  if (!variable) throw new Error(`No environment variable for the URL of ${queue}'s dead-letter queue: add one to QUEUE_URL_VARIABLES and config.ts`);
  return variable;
}
