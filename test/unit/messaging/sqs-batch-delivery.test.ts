import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DeliveryMessage } from '../../../shared/domain/webhook-delivery.ts';
import { backoffRetryDelay, processSqsBatch, type MessageOutcome, type ProcessBatchOptions } from '../../../shared/messaging/sqs-batch.ts';

function record(id: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:0:webhook-delivery',
    awsRegion: 'local',
  };
}

const good = (n: number): string => JSON.stringify({ tenantId: 't', endpointId: 'whe_1', deliveryId: `dlv_${n}`, round: 1 });

function visibilityRecorder() {
  const changes: [string, number][] = [];
  return { changes, queue: { changeVisibility: async (handle: string, seconds: number) => void changes.push([handle, seconds]) } };
}

/** The webhook-delivery consumer's batch: one message per delivery, its own wait on `retry`, backoff from 2 s. */
function runDeliveryBatch(event: SQSEvent, options: { process(message: DeliveryMessage): Promise<MessageOutcome> } & Pick<ProcessBatchOptions<DeliveryMessage>, 'queue' | 'concurrency' | 'log'>) {
  return processSqsBatch<DeliveryMessage>(event, {
    parse: (body) => DeliveryMessage.parse(JSON.parse(body)),
    handle: ([entry]) => options.process(entry!.item),
    retryDelaySeconds: backoffRetryDelay(2_000),
    ...options,
  });
}

describe('running a batch of delivery messages', () => {
  it('a batch of 10 with 3 poison messages reports exactly those 3 as failures, made visible at once for the redrive', async () => {
    // Prepare
    const poison = ['not json', JSON.stringify({ tenantId: 't' }), JSON.stringify({ tenantId: 't', endpointId: 'e', deliveryId: 'd', round: 0 })];
    const records = Array.from({ length: 10 }, (_, i) => ([2, 5, 8].includes(i) ? record(`m${i}`, poison.shift()!) : record(`m${i}`, good(i))));
    const processed: string[] = [];
    const { changes, queue } = visibilityRecorder();

    // Act
    const response = await runDeliveryBatch({ Records: records } as SQSEvent, {
      process: async (message: DeliveryMessage): Promise<MessageOutcome> => {
        processed.push(message.deliveryId);
        return { kind: 'done' };
      },
      queue,
      concurrency: 4,
      log: silentLog,
    });

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm5', 'm8']);
    expect(processed.sort()).toEqual(['dlv_0', 'dlv_1', 'dlv_3', 'dlv_4', 'dlv_6', 'dlv_7', 'dlv_9']);
    expect(changes.sort()).toEqual([['rh-m2', 0], ['rh-m5', 0], ['rh-m8', 0]]);
  });

  it('keeps a message whose next attempt is scheduled, hidden for exactly that long (fractions allowed, capped at 12 h)', async () => {
    const { changes, queue } = visibilityRecorder();
    const delays: Record<string, number> = { dlv_0: 300, dlv_1: 50 * 3_600_000 };

    const response = await runDeliveryBatch({ Records: [record('a', good(0)), record('b', good(1)), record('c', good(2))] } as SQSEvent, {
      process: async (message) => (delays[message.deliveryId] ? { kind: 'retry', delayMs: delays[message.deliveryId]! } : { kind: 'done' }),
      queue,
      concurrency: 2,
      log: silentLog,
    });

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b']);
    expect(changes.sort()).toEqual([['rh-a', 0.3], ['rh-b', 43_200]]);
  });

  it('backs off on a retryable error and dead-letters fast on a permanent one', async () => {
    const { changes, queue } = visibilityRecorder();

    const response = await runDeliveryBatch({ Records: [record('a', good(0), 3), record('b', good(1)), record('c', good(2))] } as SQSEvent, {
      process: async (message) => {
        if (message.deliveryId === 'dlv_0') throw new AppError('internal.unexpected', 'DynamoDB throttled', { retryable: true });
        if (message.deliveryId === 'dlv_1') throw new AppError('internal.unexpected', 'corrupt item', { retryable: false });
        return { kind: 'done' };
      },
      queue,
      concurrency: 1,
      log: silentLog,
    });

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a', 'b']);
    const [retry, permanent] = changes;
    expect(retry![0]).toBe('rh-a');
    expect(retry![1]).toBeGreaterThanOrEqual(1);
    expect(permanent).toEqual(['rh-b', 0]);
  });
});
