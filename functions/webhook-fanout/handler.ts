import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseDomainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { fanOutDeps } from '../../shared/runtime/deps/webhooks.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { fanOutEvent } from '../../shared/use-cases/webhooks/fan-out-event.ts';

/** An EventBridge rule with an SQS target puts the whole EventBridge event in the body; ours is its `detail`. */
const EventBridgeBody = z.object({ 'detail-type': z.string(), detail: z.unknown() });

/** Domain events from the bus → one delivery per matching endpoint, each queued on webhook-delivery. */
async function handleInvocation(event: SQSEvent): Promise<SQSBatchResponse> {
  return processSqsBatch<DomainEvent>(event, {
    parse: (body) => parseDomainEvent(EventBridgeBody.parse(JSON.parse(body)).detail),
    handle: async ([entry]) => {
      const result = await fanOutEvent(fanOutDeps(), entry!.item);
      if (result.endpoints > 0) logger.info('webhook fan-out', { eventId: entry!.item.id, type: entry!.item.type, ...result });
    },
    queue: jobQueue('webhook-fanout'),
    concurrency: 5,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
