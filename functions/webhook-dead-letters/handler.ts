import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DeliveryMessage } from '../../shared/domain/webhook-delivery.ts';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { deadLetterReconcileDeps } from '../../shared/runtime/deps/webhooks.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { reconcileDeadLetter } from '../../shared/use-cases/webhooks/reconcile-dead-letter.ts';

/**
 * Consumer of the webhook delivery queue's dead-letter queue: every delivery whose message lands there ends
 * `failed` with `webhook.delivery.exhausted`. No visibility changes: a message it cannot read (or cannot
 * reconcile yet, the store being down) waits out the DLQ's visibility timeout and stays there, alarmed, for
 * an operator; the DLQ has no redrive of its own.
 */
async function handleInvocation(event: SQSEvent): Promise<SQSBatchResponse> {
  return processSqsBatch<DeliveryMessage>(event, {
    parse: (body) => DeliveryMessage.parse(JSON.parse(body)),
    handle: async ([entry]) => {
      const outcome = await reconcileDeadLetter(deadLetterReconcileDeps(), entry!.item);
      logger.info('webhook dead letter reconciled', { deliveryId: entry!.item.deliveryId, outcome });
    },
    concurrency: 10,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
