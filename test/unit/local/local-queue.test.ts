import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../infra/local/local-queue.ts';
import { processSqsBatch } from '../../../shared/messaging/sqs-batch.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { eventually } from '../../support/eventually.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function settle(queue: LocalQueue<unknown>): Promise<void> {
  await queue.waitUntilIdle(2_000);
}

/** Polls until `condition` holds (the queue's consumers run on their own timers): no fixed sleeps. */
async function until(condition: () => boolean): Promise<void> {
  await eventually(async () => condition(), 5_000);
}

describe('LocalQueue (SQS semantics of the local stack)', () => {
  it('honours per-message delay', async () => {
    const time = clock();
    const queue = new LocalQueue<string>({ name: 'q', visibilityTimeoutSeconds: 30, now: time.now });
    const seen: string[] = [];
    queue.start(async (event) => void seen.push(...event.Records.map((r) => JSON.parse(r.body) as string)), 5);
    await queue.send([{ body: 'later', delaySeconds: 10 }, { body: 'now' }]);
    // Idle with the delayed message still stored is the positive evidence that it was held back.
    await settle(queue);
    expect(seen).toEqual(['now']);
    expect(queue.peekBodies()).toEqual(['"later"']);
    time.advance(10_001);
    await until(() => seen.length === 2);
    await settle(queue);
    expect(seen).toEqual(['now', 'later']);
    expect(queue.depth).toBe(0);
    await queue.stop();
  });

  it('redelivers a failed message after its visibility timeout and dead-letters it after maxReceiveCount', async () => {
    const time = clock();
    const dlq = new LocalQueue<unknown>({ name: 'dlq', visibilityTimeoutSeconds: 30, now: time.now });
    const queue = new LocalQueue<string>({ name: 'q', visibilityTimeoutSeconds: 30, maxReceiveCount: 3, deadLetterQueue: dlq, now: time.now });
    const receiveCounts: string[] = [];
    queue.start(async (event: SQSEvent) => {
      receiveCounts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }, 5);
    await queue.send([{ body: 'poison' }]);
    for (let receive = 1; receive <= 3; receive++) {
      await until(() => receiveCounts.length === receive);
      await settle(queue); // the failed receive is back to invisible before the clock moves
      time.advance(30_001);
    }
    // The 4th receive would exceed maxReceiveCount: the message reaches the DLQ instead of the consumer.
    await until(() => dlq.depth === 1);
    await settle(queue);
    expect(receiveCounts).toEqual(['1', '2', '3']);
    expect(queue.depth).toBe(0);
    expect(dlq.peekBodies()).toEqual(['"poison"']);
    await queue.stop();
  });

  it('lets the consumer shorten or extend visibility by receipt handle', async () => {
    const time = clock();
    const queue = new LocalQueue<string>({ name: 'q', visibilityTimeoutSeconds: 300, now: time.now });
    let deliveries = 0;
    queue.start(async (event) => {
      deliveries += 1;
      const record = event.Records[0]!;
      if (deliveries === 1) {
        await queue.changeVisibility(record.receiptHandle, 5);
        return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
      }
      return { batchItemFailures: [] };
    }, 5);
    await queue.send([{ body: 'x' }]);
    await until(() => deliveries === 1);
    await settle(queue); // idle: the message is stored but invisible (5 s, not 300 s)
    expect(deliveries).toBe(1);
    expect(queue.depth).toBe(1);
    time.advance(5_001);
    await until(() => deliveries === 2 && queue.depth === 0);
    expect(deliveries).toBe(2);
    await queue.stop();
  });

  it('scenario 8: a batch of 10 with 3 poison messages dead-letters exactly those 3', async () => {
    const time = clock();
    const dlq = new LocalQueue<unknown>({ name: 'dlq', visibilityTimeoutSeconds: 30, now: time.now });
    const queue = new LocalQueue<unknown>({ name: 'q', visibilityTimeoutSeconds: 60, maxReceiveCount: 3, deadLetterQueue: dlq, batchSize: 10, now: time.now });
    const processed: number[] = [];
    queue.start(
      (event) =>
        processSqsBatch(event, {
          parse: (body) => {
            const value = JSON.parse(body) as { n?: unknown };
            if (typeof value.n !== 'number') throw new Error('poison');
            return value.n;
          },
          handle: async ([entry]) => void processed.push(entry!.item),
          queue,
          log: silentLog,
        }),
      5,
    );
    const bodies = Array.from({ length: 10 }, (_, n) => ([1, 4, 8].includes(n) ? { bad: n } : { n }));
    await queue.send(bodies.map((body) => ({ body })));
    await until(() => dlq.depth === 3 && processed.length === 7);
    await settle(queue);
    expect(processed.sort((a, b) => a - b)).toEqual([0, 2, 3, 5, 6, 7, 9]);
    expect(queue.depth).toBe(0);
    expect(dlq.peekBodies().map((b) => JSON.parse(b) as { bad: number }).map((b) => b.bad).sort()).toEqual([1, 4, 8]);
    await queue.stop();
  });
});
