import { AppError } from '../../domain/app-error.ts';
import { EventBridgeEventPublisher } from '../../messaging/eventbridge-event-publisher.ts';
import { SqsJobQueue } from '../../messaging/sqs-job-queue.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { JobQueue, QueueName } from '../../ports/job-queue.ts';
import { config } from '../config.ts';
import { lazy } from './lazy.ts';
import { runtimeOverrides } from './overrides.ts';

const eventBridgePublisher = lazy(
  () =>
    new EventBridgeEventPublisher({
      client: async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({ region: config().AWS_REGION }),
      busName: config().EVENT_BUS_NAME,
    }),
);

export function eventPublisher(): EventPublisher {
  return runtimeOverrides.publisher ?? eventBridgePublisher();
}

/** One SQS client per process, built on first use (the SDK stays out of the cold start). */
const sqsClient = lazy(async () => new (await import('@aws-sdk/client-sqs')).SQSClient({ region: config().AWS_REGION }));

const QUEUE_URL_VARIABLE: Record<QueueName, 'SYNC_QUEUE_URL' | 'WEBHOOK_FANOUT_QUEUE_URL' | 'WEBHOOK_DELIVERY_QUEUE_URL' | 'BOOKING_LIFECYCLE_QUEUE_URL' | 'BOOKING_SCHEDULES_QUEUE_URL' | 'NOTIFICATIONS_QUEUE_URL'> = {
  sync: 'SYNC_QUEUE_URL',
  'webhook-fanout': 'WEBHOOK_FANOUT_QUEUE_URL',
  'webhook-delivery': 'WEBHOOK_DELIVERY_QUEUE_URL',
  'booking-lifecycle': 'BOOKING_LIFECYCLE_QUEUE_URL',
  'booking-schedules': 'BOOKING_SCHEDULES_QUEUE_URL',
  notifications: 'NOTIFICATIONS_QUEUE_URL',
};

const sqsQueues = new Map<QueueName, JobQueue<unknown>>();

/** The queue named `name`: the local stack's in-process queue, or SQS at the URL from config. */
export function jobQueue<T>(name: QueueName): JobQueue<T> {
  const local = runtimeOverrides.queues?.[name];
  if (local) return local as JobQueue<T>;
  let queue = sqsQueues.get(name);
  if (!queue) {
    const queueUrl = config()[QUEUE_URL_VARIABLE[name]];
    if (!queueUrl) throw new AppError('config.invalid', `${QUEUE_URL_VARIABLE[name]} is not set`);
    queue = new SqsJobQueue<unknown>({ client: sqsClient, queueUrl });
    sqsQueues.set(name, queue);
  }
  return queue as JobQueue<T>;
}
