import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseDomainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import { backoffRetryDelay, processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { config } from '../../shared/runtime/config.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { notificationEventDeps } from '../../shared/runtime/deps/notification-delivery.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { handleNotificationEvent } from '../../shared/use-cases/notifications/handle-notification-event.ts';

/** An EventBridge rule with an SQS target puts the whole EventBridge event in the body; ours is its `detail`. */
const EventBridgeBody = z.object({ 'detail-type': z.string(), detail: z.unknown() });

/**
 * Domain events from the bus → their notifications, each sent once (the delivery log is the idempotency
 * point). A transient failure keeps the message hidden for a backoff (from 5 s); on the last allowed
 * attempt it is recorded failed instead, so the DLQ holds only what could not be handled at all.
 */
async function handleInvocation(event: SQSEvent): Promise<SQSBatchResponse> {
  const maxAttempts = config().NOTIFICATION_MAX_ATTEMPTS;
  return processSqsBatch<DomainEvent>(event, {
    parse: (body) => parseDomainEvent(EventBridgeBody.parse(JSON.parse(body)).detail),
    handle: async ([entry]) => {
      const records = await handleNotificationEvent(notificationEventDeps(), entry!.item, { attempt: entry!.receiveCount, final: entry!.receiveCount >= maxAttempts });
      if (records.length > 0) logger.info('notifications', { eventId: entry!.item.id, type: entry!.item.type, statuses: records.map((r) => r.status) });
    },
    queue: jobQueue('notifications'),
    retryDelaySeconds: backoffRetryDelay(5_000),
    concurrency: 5,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
