import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { deliveryWorkerDeps } from '../../shared/runtime/deps/webhooks.ts';
import { logger } from '../../shared/runtime/logger.ts';
import { processDelivery } from '../../shared/use-cases/webhooks/process-delivery.ts';
import { runDeliveryBatch } from '../../shared/webhooks/delivery-batch.ts';

/** One step (at most one attempt) per webhook delivery message; retries wait as hidden in-flight messages. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return runDeliveryBatch(event, {
    process: (message) => processDelivery(deliveryWorkerDeps(), message),
    queue: jobQueue('webhook-delivery'),
    concurrency: 10,
    log: logger,
  });
}
