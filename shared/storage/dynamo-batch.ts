import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/app-error.ts';
import { dynamoCall } from './dynamo-errors.ts';
import type { StoredItem } from './item-codec.ts';
import { mapWithConcurrency } from './dynamo-query.ts';
import { backoffDelayMs } from '../../shared/domain/backoff.ts';

/** DynamoDB's own limits per request. */
export const BATCH_WRITE_SIZE = 25;
export const BATCH_GET_SIZE = 100;
/** Chunks in flight at once: enough to hide latency, few enough not to provoke throttling. */
const CHUNK_CONCURRENCY = 4;

export type WriteRequest = { PutRequest: { Item: StoredItem } } | { DeleteRequest: { Key: StoredItem } };

export interface BatchRetryOptions {
  /** Attempts per chunk, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaults = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 2_000, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

function backoffMs(attempt: number, options: Required<BatchRetryOptions>): number {
  return backoffDelayMs(attempt, { baseMs: options.baseDelayMs, capMs: options.maxDelayMs });
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

/**
 * Writes every request with BatchWriteItem in chunks of 25, re-sending what DynamoDB leaves unprocessed
 * (it does under throttling) with bounded backoff. Gives up with a retryable error: the caller's job is
 * retried as a whole, and every write here is idempotent.
 */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  operation: string,
  retry: BatchRetryOptions = {},
): Promise<void> {
  const options = { ...defaults, ...retry };
  await mapWithConcurrency(chunk(requests, BATCH_WRITE_SIZE), CHUNK_CONCURRENCY, async (requestChunk) => {
    let pending: WriteRequest[] = requestChunk;
    for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
      if (attempt > 0) await options.sleep(backoffMs(attempt - 1, options));
      const output = await dynamoCall(operation, () => doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })));
      pending = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (pending.length === 0) return;
    }
    throw new AppError('internal.unexpected', `${operation}: ${pending.length} writes still unprocessed after ${options.maxAttempts} attempts`, {
      retryable: true,
    });
  });
}

/** Reads every key with BatchGetItem in chunks of 100 (strongly consistent), retrying unprocessed keys. */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly StoredItem[],
  operation: string,
  retry: BatchRetryOptions = {},
): Promise<StoredItem[]> {
  const options = { ...defaults, ...retry };
  const chunks = await mapWithConcurrency(chunk(keys, BATCH_GET_SIZE), CHUNK_CONCURRENCY, async (keyChunk) => {
    const found: StoredItem[] = [];
    let pending: StoredItem[] = keyChunk;
    for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
      if (attempt > 0) await options.sleep(backoffMs(attempt - 1, options));
      const output = await dynamoCall(operation, () =>
        doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } })),
      );
      found.push(...((output.Responses?.[tableName] ?? []) as StoredItem[]));
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as StoredItem[];
      if (pending.length === 0) return found;
    }
    throw new AppError('internal.unexpected', `${operation}: ${pending.length} keys still unprocessed after ${options.maxAttempts} attempts`, {
      retryable: true,
    });
  });
  return chunks.flat();
}
