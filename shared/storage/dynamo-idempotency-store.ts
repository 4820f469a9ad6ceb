import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/app-error.ts';
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { IdempotencyStore } from '../ports/idempotency-store.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, toEpochSeconds } from './item-codec.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoIdempotencyStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
}

/** Keys become part of a partition key (at most 2048 bytes with the tenant prefix). */
const MAX_KEY_LENGTH = 1024;

/**
 * Claims as conditional puts with the table TTL. A claim whose TTL has passed counts as free even before
 * DynamoDB deletes it (TTL deletion lags by up to days).
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoIdempotencyStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async claim(tenantId: string, key: string, ttlSeconds: number, now: Date = this.#clock.now()): Promise<boolean> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new AppError('internal.unexpected', `Idempotency key must be 1-${MAX_KEY_LENGTH} characters`, { retryable: false });
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new AppError('internal.unexpected', 'Idempotency TTL must be a positive whole number of seconds', { retryable: false });
    const nowSeconds = toEpochSeconds(now);
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.idempotency(tenantId, key),
            [ENTITY_ATTRIBUTE]: 'idempotency',
            tenantId,
            key,
            claimedAt: now.toISOString(),
            [TTL_ATTRIBUTE]: nowSeconds + ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :nowSeconds',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'IdempotencyStore.claim');
    }
  }

  async release(tenantId: string, key: string): Promise<void> {
    await dynamoCall('IdempotencyStore.release', () => this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.idempotency(tenantId, key) })));
  }
}
