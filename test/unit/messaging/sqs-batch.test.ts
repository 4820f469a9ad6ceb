import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { processSqsBatch } from '../../../shared/messaging/sqs-batch.ts';
import { silentLog } from '../../../shared/ports/log.ts';

function batch(bodies: string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `rh${i}`,
      body,
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn',
      awsRegion: 'local',
    })),
  };
}

const parseJob = (body: string): { n: number } => {
  const value = JSON.parse(body) as { n?: unknown };
  if (typeof value.n !== 'number') throw new AppError('input.invalid', 'n must be a number');
  return { n: value.n };
};

describe('processSqsBatch', () => {
  it('reports exactly the poison messages of a batch of 10 and makes them visible at once', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => ([2, 5, 7].includes(i) ? (i === 2 ? 'not json' : '{"n":"x"}') : JSON.stringify({ n: i })));
    const visibility: [string, number][] = [];
    const handled: number[] = [];
    const result = await processSqsBatch(batch(bodies), {
      parse: parseJob,
      handle: async ([entry]) => void handled.push(entry!.item.n),
      queue: { changeVisibility: async (rh, s) => void visibility.push([rh, s]) },
      log: silentLog,
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm5', 'm7']);
    expect(visibility.sort()).toEqual([['rh2', 0], ['rh5', 0], ['rh7', 0]]);
    expect(handled.sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 6, 8, 9]);
  });

  it('hides a retryable failure for its retry-after or a growing backoff, and dead-letters a permanent one fast', async () => {
    const visibility = new Map<string, number>();
    const result = await processSqsBatch(batch(['{"n":1}', '{"n":2}', '{"n":3}'], 3), {
      parse: parseJob,
      handle: async ([entry]) => {
        if (entry!.item.n === 1) throw new AppError('provider.rate_limited', 'slow down', { retryAfterMs: 42_000 });
        if (entry!.item.n === 2) throw new Error('socket hang up');
        throw new AppError('provider.input_invalid', 'refused', { retryable: false });
      },
      queue: { changeVisibility: async (rh, s) => void visibility.set(rh, s) },
      log: silentLog,
    });
    expect(result.batchItemFailures.length).toBe(3);
    expect(visibility.get('rh0')).toBe(42);
    expect(visibility.get('rh1')).toBeGreaterThanOrEqual(1);
    expect(visibility.get('rh1')).toBeLessThanOrEqual(80);
    expect(visibility.get('rh2')).toBe(0);
  });

  it('handles entries with the same group key once, failing or succeeding together', async () => {
    const groups: number[][] = [];
    const result = await processSqsBatch(batch(['{"n":1}', '{"n":1}', '{"n":2}', '{"n":1}']), {
      parse: parseJob,
      groupKey: (job) => String(job.n),
      handle: async (entries) => {
        groups.push(entries.map((e) => e.item.n));
        if (entries[0]!.item.n === 2) throw new Error('boom');
      },
      log: silentLog,
    });
    expect(groups.sort()).toEqual([[1, 1, 1], [2]]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
  });
});
