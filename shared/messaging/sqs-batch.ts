import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { toAppError, type AppError } from '../domain/app-error.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Log } from '../ports/log.ts';
import { backoffWithJitterMs } from './backoff.ts';

export interface BatchEntry<T> {
  item: T;
  record: SQSRecord;
  /** How many times SQS has handed this message out, this time included. */
  receiveCount: number;
}

export interface ProcessBatchOptions<T> {
  /** Turns a body into a job; throwing marks the message as poison. */
  parse(body: string, record: SQSRecord): T;
  /** Handles one group of entries (one entry per group unless `groupKey` is given). */
  handle(entries: BatchEntry<T>[]): Promise<void>;
  /** Entries with the same key are handled together once (e.g. several pushes for one calendar). */
  groupKey?(item: T): string;
  /** The consumed queue, for visibility changes; without it failed messages wait out their visibility timeout. */
  queue?: Pick<JobQueue<unknown>, 'changeVisibility'>;
  /** Delay before a retryable failure is retried (default: exponential backoff with jitter, 10 s → 15 min). */
  retryDelaySeconds?(error: AppError, receiveCount: number): number;
  /** Groups handled at once. */
  concurrency?: number;
  log: Log;
}

function defaultRetryDelaySeconds(error: AppError, receiveCount: number): number {
  if (error.retryAfterMs) return Math.ceil(error.retryAfterMs / 1000);
  return Math.max(1, Math.round(backoffWithJitterMs(receiveCount, 10_000, 900_000) / 1000));
}

/**
 * Runs an SQS batch with partial batch failure reporting (the function must be configured with
 * `ReportBatchItemFailures`). A poison message (unparseable, or a non-retryable error) is reported failed
 * and made visible at once, so it reaches the dead-letter queue after `maxReceiveCount` quick receives
 * instead of blocking; a retryable failure is reported failed and hidden for a backoff delay; every other
 * message of the batch is acknowledged.
 */
export async function processSqsBatch<T>(event: SQSEvent, options: ProcessBatchOptions<T>): Promise<SQSBatchResponse> {
  const failures = new Set<string>();
  const groups = new Map<string, BatchEntry<T>[]>();

  const fail = async (record: SQSRecord, delaySeconds: number): Promise<void> => {
    failures.add(record.messageId);
    if (options.queue) {
      await options.queue.changeVisibility(record.receiptHandle, delaySeconds).catch((error: unknown) => {
        options.log.warn('could not change message visibility', { messageId: record.messageId, error: String(error) });
      });
    }
  };

  for (const record of event.Records) {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
    let item: T;
    try {
      item = options.parse(record.body, record);
    } catch (error) {
      options.log.error('poison message', { messageId: record.messageId, receiveCount, reason: toAppError(error).message });
      await fail(record, 0);
      continue;
    }
    const key = options.groupKey ? options.groupKey(item) : record.messageId;
    const group = groups.get(key) ?? [];
    group.push({ item, record, receiveCount });
    groups.set(key, group);
  }

  const queue = [...groups.values()];
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      try {
        await options.handle(group);
      } catch (thrown) {
        const error = toAppError(thrown);
        const receiveCount = Math.max(...group.map((entry) => entry.receiveCount));
        if (error.retryable) {
          const delay = (options.retryDelaySeconds ?? defaultRetryDelaySeconds)(error, receiveCount);
          options.log.warn('message failed, will retry', { code: error.code, receiveCount, delaySeconds: delay, messages: group.length });
          for (const entry of group) await fail(entry.record, delay);
        } else {
          options.log.error('message failed permanently, dead-lettering', { code: error.code, message: error.message, receiveCount });
          for (const entry of group) await fail(entry.record, 0);
        }
      }
    }
  });
  await Promise.all(workers);
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
}
