import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { toAppError, type AppError } from '../domain/app-error.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Log } from '../ports/log.ts';
import { backoffDelayMs } from './backoff.ts';

/** SQS hides a message at most 12 h; a longer wait is re-hidden when it comes up early. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * What to do with a handled group: acknowledge it (`done`, or returning nothing), or keep it hidden until
 * `delayMs` from now (a message that lives as long as its work, e.g. a webhook delivery's next attempt).
 */
export type MessageOutcome = { kind: 'done' } | { kind: 'retry'; delayMs: number };

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
  handle(entries: BatchEntry<T>[]): Promise<MessageOutcome | void>;
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

/**
 * The retry delay of a retryable failure: the error's Retry-After when it has one, else the backoff policy
 * from `baseMs` (at least 1 s, at most 15 min) over the message's receive count (the first failure waits
 * about `baseMs`).
 */
export function backoffRetryDelay(baseMs: number): (error: AppError, receiveCount: number) => number {
  return (error, receiveCount) => {
    if (error.retryAfterMs) return Math.ceil(error.retryAfterMs / 1000);
    return Math.max(1, Math.round(backoffDelayMs(receiveCount - 1, { baseMs, capMs: 900_000 }) / 1000));
  };
}

const defaultRetryDelaySeconds = backoffRetryDelay(10_000);

/**
 * Runs an SQS batch with partial batch failure reporting (the function must be configured with
 * `ReportBatchItemFailures`). A poison message (unparseable, or a non-retryable error) is reported failed
 * and made visible at once, so it reaches the dead-letter queue after `maxReceiveCount` quick receives
 * instead of blocking; a retryable failure is reported failed and hidden for a backoff delay; every other
 * message of the batch is acknowledged. A handler may also answer `retry` to keep its messages hidden for a
 * wait of its choosing (capped at the 12 h SQS allows).
 */
export async function processSqsBatch<T>(event: SQSEvent, options: ProcessBatchOptions<T>): Promise<SQSBatchResponse> {
  const failures = new Set<string>();
  const groups = new Map<string, BatchEntry<T>[]>();

  const fail = async (record: SQSRecord, delaySeconds: number): Promise<void> => {
    failures.add(record.messageId);
    if (options.queue) {
      await options.queue.changeVisibility(record.receiptHandle, Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, delaySeconds))).catch((error: unknown) => {
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
        const outcome = await options.handle(group);
        // Fractions of a second are kept: the queue adapter rounds, a recorder in a test sees the exact wait.
        if (outcome?.kind === 'retry') for (const entry of group) await fail(entry.record, outcome.delayMs / 1000);
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
