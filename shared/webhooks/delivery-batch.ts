import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { toAppError } from '../domain/app-error.ts';
import { backoffWithJitterMs } from '../messaging/backoff.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Log } from '../ports/log.ts';
import { DeliveryMessage } from '../domain/webhook-delivery.ts';

/** SQS hides a message at most 12 h; a longer wait is re-hidden when it comes up early. */
const MAX_VISIBILITY_MS = 43_200_000;

/** What to do with one message after its step: acknowledge it, or keep it hidden until `delayMs` from now. */
export type MessageOutcome = { kind: 'done' } | { kind: 'retry'; delayMs: number };

export interface DeliveryBatchOptions {
  process(message: DeliveryMessage): Promise<MessageOutcome>;
  /** The consumed queue: the next attempt is scheduled by hiding the in-flight message. */
  queue: Pick<JobQueue<unknown>, 'changeVisibility'>;
  concurrency: number;
  log: Log;
}

/**
 * Runs one batch of the delivery queue with partial batch failures. Each message lives as long as its
 * delivery: `done` acknowledges it; `retry` hides it until the next attempt is due and reports it failed
 * (so SQS keeps it); a malformed body is poison (failed, visible at once, dead-lettered by the queue's
 * redrive policy after maxReceiveCount); an unexpected error (DynamoDB down, KMS throttled) is retried with
 * backoff, or treated as poison when it is not retryable.
 */
export async function runDeliveryBatch(event: SQSEvent, options: DeliveryBatchOptions): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  const hide = async (record: SQSRecord, delayMs: number): Promise<void> => {
    failures.push(record.messageId);
    const seconds = Math.min(MAX_VISIBILITY_MS, Math.max(0, delayMs)) / 1000;
    await options.queue.changeVisibility(record.receiptHandle, seconds).catch((error: unknown) => {
      options.log.warn('could not change message visibility', { messageId: record.messageId, error: String(error) });
    });
  };

  const handle = async (record: SQSRecord): Promise<void> => {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
    let message: DeliveryMessage;
    try {
      message = DeliveryMessage.parse(JSON.parse(record.body));
    } catch {
      options.log.error('poison webhook delivery message', { messageId: record.messageId, receiveCount });
      await hide(record, 0);
      return;
    }
    try {
      const outcome = await options.process(message);
      if (outcome.kind === 'retry') await hide(record, outcome.delayMs);
    } catch (thrown) {
      const error = toAppError(thrown);
      if (!error.retryable) {
        options.log.error('webhook delivery failed permanently', { deliveryId: message.deliveryId, code: error.code, message: error.message, receiveCount });
        await hide(record, 0);
        return;
      }
      const delayMs = error.retryAfterMs ?? Math.max(1_000, backoffWithJitterMs(receiveCount, 2_000, 900_000));
      options.log.warn('webhook delivery step failed, will retry', { deliveryId: message.deliveryId, code: error.code, receiveCount, delayMs });
      await hide(record, delayMs);
    }
  };

  const pending = [...event.Records];
  const workers = Array.from({ length: Math.min(Math.max(1, options.concurrency), pending.length) }, async () => {
    for (let record = pending.shift(); record; record = pending.shift()) await handle(record);
  });
  await Promise.all(workers);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
