import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DeliveryMessage } from '../../shared/domain/webhook-delivery.ts';
import { backoffRetryDelay, processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { deliveryWorkerDeps } from '../../shared/runtime/deps/webhooks.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { processDelivery } from '../../shared/use-cases/webhooks/process-delivery.ts';

/**
 * One step (at most one attempt) per webhook delivery message; the message lives as long as its delivery, so
 * the next attempt waits as the hidden in-flight message. An unexpected error (DynamoDB down, KMS throttled)
 * retries soon (from 2 s) rather than on the sync queue's slower default.
 */
async function handleInvocation(event: SQSEvent): Promise<SQSBatchResponse> {
  return processSqsBatch<DeliveryMessage>(event, {
    parse: (body) => DeliveryMessage.parse(JSON.parse(body)),
    handle: ([entry]) => processDelivery(deliveryWorkerDeps(), entry!.item),
    queue: jobQueue('webhook-delivery'),
    retryDelaySeconds: backoffRetryDelay(2_000),
    concurrency: 10,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
